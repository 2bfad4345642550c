//! The list of experiments: `unfold list`, the command line's experiment subcommands,
//! `reproduce-all`, `unfold config`, `unfold report` and the results-contract tests all read
//! it. Adding an experiment is one folder and one line here.

use crate::experiment::{AnyExperiment, ExperimentInfo};
use crate::{building_blocks, mnist, sandwich, spirals3d, vanishing, xor};

/// Every experiment, in notebook order.
pub static EXPERIMENTS: &[&dyn AnyExperiment] = &[
    &spirals3d::Spirals3d,
    &mnist::Mnist,
    &xor::Xor,
    &building_blocks::BuildingBlocks,
    &sandwich::Sandwich,
    &vanishing::Vanishing,
];

/// The names of every experiment, in notebook order.
pub fn names() -> Vec<&'static str> {
    EXPERIMENTS.iter().map(|e| e.info().name).collect()
}

/// The experiment called `name`, or an error that suggests the closest name.
pub fn find(name: &str) -> Result<&'static dyn AnyExperiment, String> {
    EXPERIMENTS
        .iter()
        .copied()
        .find(|e| e.info().name == name)
        .ok_or_else(|| {
            let names = names();
            let hint = unfold_device::closest(name, &names)
                .map(|s| format!(" (did you mean '{s}'?)"))
                .unwrap_or_default();
            format!(
                "unknown experiment '{name}'{hint}; available: {}",
                names.join(", ")
            )
        })
}

/// The information of every experiment, in notebook order.
pub fn infos() -> impl Iterator<Item = &'static ExperimentInfo> {
    EXPERIMENTS.iter().map(|e| e.info())
}

/// TEMPORARY: an experiment not yet moved to [`crate::experiment::Experiment`], driven
/// through its old `for_profile`/`validate`/`run`. Removed with [`crate::legacy`].
macro_rules! legacy_experiment {
    ($module:ident, $kind:ident, $config:ty, $info:expr) => {
        impl AnyExperiment for $module::$kind {
            fn info(&self) -> &'static ExperimentInfo {
                static INFO: ExperimentInfo = $info;
                &INFO
            }
            fn config_tree(&self, profile: crate::Profile) -> serde_json::Value {
                serde_json::to_value(<$config>::for_profile(profile)).expect("serializable")
            }
            fn key_docs(&self) -> &'static [(&'static str, &'static str)] {
                &[]
            }
            fn check_tree(&self, tree: &serde_json::Value) -> Result<serde_json::Value, String> {
                let config: $config =
                    serde_json::from_value(tree.clone()).map_err(|e| e.to_string())?;
                config.validate()?;
                serde_json::to_value(config).map_err(|e| e.to_string())
            }
            fn run_tree(
                &self,
                tree: &serde_json::Value,
                ctx: &crate::RunContext,
            ) -> anyhow::Result<crate::ExperimentOutcome> {
                let config: $config = serde_json::from_value(tree.clone())?;
                $module::run(&config, ctx)
            }
            fn rebuild_report(
                &self,
                _: &crate::results::Metrics,
            ) -> anyhow::Result<crate::results::Report> {
                anyhow::bail!("not yet")
            }
        }
    };
}

legacy_experiment!(
    mnist,
    Mnist,
    mnist::MnistConfig,
    ExperimentInfo {
        name: mnist::NAME,
        notebook: "001-mnist-logreg-mlp-xor-backprop (question 1)",
        title: "MNIST: logistic regression from scratch vs an MLP; initialization and optimizers",
        question: "How far does a linear softmax classifier get on handwritten digits, what does a \
               784-400-400-10 MLP add, and how do the initialization and the optimizer change its \
               training?",
        default_seed: 42,
        largest_model_params: 480_010,
    }
);
legacy_experiment!(
    building_blocks,
    BuildingBlocks,
    building_blocks::BuildingBlocksConfig,
    ExperimentInfo {
        name: building_blocks::NAME,
        notebook: "002-lab2-building-blocks-gaussian",
        title: "Building blocks from scratch vs Burn's, and a 2-D Gaussian fitted by random search vs Adam",
        question: "Do hand-written linear layers, activations, networks and MSE compute exactly what \
               Burn's do, and how well does a network fit a Gaussian surface by random search alone?",
        default_seed: 999,
        largest_model_params: 101,
    }
);
legacy_experiment!(
    sandwich,
    Sandwich,
    sandwich::SandwichConfig,
    ExperimentInfo {
        name: sandwich::NAME,
        notebook: "003-spirals2d-sandwich",
        title: "2-D spirals: bread-only vs sandwich networks, embeddings and decision regions",
        question: "Why does a deep network need non-linear layers between its linear ones, and how do \
               its hidden layers transform three intertwined spirals until a line separates them?",
        default_seed: 12345,
        largest_model_params: 207,
    }
);
legacy_experiment!(
    vanishing,
    Vanishing,
    vanishing::VanishingConfig,
    ExperimentInfo {
        name: vanishing::NAME,
        notebook: "004-xor-backprop-vanishing-gradients (task 3)",
        title: "Fashion-MNIST: sigmoid vs ReLU and the vanishing-gradient problem",
        question: "Why does a deep sigmoid network learn so slowly, and what do the gradient \
               magnitudes of its first layers show compared with a ReLU network?",
        default_seed: 66,
        largest_model_params: 1_457_162,
    }
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Profile;
    use crate::settings::{ConfigListing, Overrides, undocumented};

    #[test]
    fn names_are_unique_and_found_with_suggestions() {
        let names = names();
        let mut unique = names.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), names.len(), "{names:?}");
        assert_eq!(find("spirals3d").unwrap().info().name, "spirals3d");
        let error = find("spirals4d").err().unwrap();
        assert!(error.contains("did you mean 'spirals3d'"), "{error}");
    }

    #[test]
    fn every_profile_is_valid_described_and_prints_as_toml_that_reads_back() {
        for experiment in EXPERIMENTS {
            let name = experiment.info().name;
            let notebook = experiment.config_tree(Profile::Full);
            for profile in [Profile::Full, Profile::Quick] {
                let tree = experiment.config_tree(profile);
                assert_eq!(
                    experiment.check_tree(&tree).as_ref(),
                    Ok(&tree),
                    "{name} {profile}"
                );
                let missing = undocumented(&tree, experiment.key_docs());
                assert!(missing.is_empty(), "{name}: undescribed keys {missing:?}");
                let text = ConfigListing {
                    experiment: name,
                    profile: profile.name(),
                    values: &tree,
                    notebook: &notebook,
                    seed: (1, 1),
                    docs: experiment.key_docs(),
                }
                .to_toml();
                let file = std::env::temp_dir().join(format!(
                    "unfold-registry-{name}-{profile}-{}.toml",
                    std::process::id()
                ));
                std::fs::write(&file, &text).unwrap();
                let (read, seed) = Overrides::none()
                    .file(&file)
                    .unwrap()
                    .apply(name, &notebook)
                    .unwrap();
                std::fs::remove_file(&file).unwrap();
                assert_eq!(read, tree, "{name} {profile}: {text}");
                assert_eq!(seed, Some(1));
            }
        }
    }
}
