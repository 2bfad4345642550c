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
                assert_eq!(
                    experiment.check_tree(&read).as_ref(),
                    Ok(&tree),
                    "{name} {profile}: {text}"
                );
                assert_eq!(seed, Some(1));
            }
        }
    }
}
