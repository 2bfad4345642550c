//! The list of experiments and how to run one by name.

use std::path::PathBuf;

use crate::results::{Report, Status};
use crate::{RunContext, building_blocks, mnist, sandwich, spirals3d, vanishing, xor};

/// What the command line and the report need to know about an experiment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExperimentInfo {
    /// The command name (`spirals3d`).
    pub name: &'static str,
    /// The notebook it reproduces (file in the seeds folder).
    pub notebook: &'static str,
    /// A one-line title.
    pub title: &'static str,
    /// The question the notebook asks.
    pub question: &'static str,
    /// The notebook's seed, used unless `--seed` is given.
    pub default_seed: u64,
    /// Trainable parameters of its largest model, which decides where `--backend auto` runs
    /// it (see `unfold_device::AUTO_GPU_MIN_PARAMS`).
    pub largest_model_params: usize,
}

/// Every experiment, in notebook order.
pub const EXPERIMENTS: &[ExperimentInfo] = &[
    ExperimentInfo {
        name: spirals3d::NAME,
        notebook: "000-spirals3d-unfolding",
        title: "3-D spirals: linear vs ReLU layers unfolding a manifold",
        question: "Can a linear model separate two intertwined spirals, and how do hidden layers with and \
               without ReLU transform the data?",
        default_seed: 42,
        largest_model_params: 373,
    },
    ExperimentInfo {
        name: mnist::NAME,
        notebook: "001-mnist-logreg-mlp-xor-backprop (question 1)",
        title: "MNIST: logistic regression from scratch vs an MLP; initialization and optimizers",
        question: "How far does a linear softmax classifier get on handwritten digits, what does a \
               784-400-400-10 MLP add, and how do the initialization and the optimizer change its \
               training?",
        default_seed: 42,
        largest_model_params: 480_010,
    },
    ExperimentInfo {
        name: xor::NAME,
        notebook: "001-mnist-logreg-mlp-xor-backprop + 004-xor-backprop-vanishing-gradients",
        title: "Multidimensional XOR: hidden sizes that converge, gradients by hand, why XOR needs a hidden layer",
        question: "How many hidden units does a sigmoid network need to learn the parity of d bits with SGD, \
               and do hand-derived gradients match autodiff?",
        default_seed: 0,
        largest_model_params: 141,
    },
    ExperimentInfo {
        name: building_blocks::NAME,
        notebook: "002-lab2-building-blocks-gaussian",
        title: "Building blocks from scratch vs Burn's, and a 2-D Gaussian fitted by random search vs Adam",
        question: "Do hand-written linear layers, activations, networks and MSE compute exactly what \
               Burn's do, and how well does a network fit a Gaussian surface by random search alone?",
        default_seed: 999,
        largest_model_params: 101,
    },
    ExperimentInfo {
        name: sandwich::NAME,
        notebook: "003-spirals2d-sandwich",
        title: "2-D spirals: bread-only vs sandwich networks, embeddings and decision regions",
        question: "Why does a deep network need non-linear layers between its linear ones, and how do \
               its hidden layers transform three intertwined spirals until a line separates them?",
        default_seed: 12345,
        largest_model_params: 207,
    },
    ExperimentInfo {
        name: vanishing::NAME,
        notebook: "004-xor-backprop-vanishing-gradients (task 3)",
        title: "Fashion-MNIST: sigmoid vs ReLU and the vanishing-gradient problem",
        question: "Why does a deep sigmoid network learn so slowly, and what do the gradient \
               magnitudes of its first layers show compared with a ReLU network?",
        default_seed: 66,
        largest_model_params: 1_457_162,
    },
];

/// What running an experiment produced.
#[derive(Debug, Clone)]
pub struct ExperimentOutcome {
    /// The experiment's name.
    pub name: String,
    /// Overall status.
    pub status: Status,
    /// Its results folder.
    pub dir: PathBuf,
    /// Its `metrics.json`.
    pub metrics_path: PathBuf,
    /// Its figures (PNG paths; an SVG sits beside each).
    pub figures: Vec<PathBuf>,
    /// Key numbers, one line each, for the terminal.
    pub summary: Vec<String>,
    /// Wall-clock seconds.
    pub wall_seconds: f64,
    /// The report (also written as `report.md`).
    pub report: Report,
}

/// The experiment called `name`, or an error that suggests the closest name.
pub fn find(name: &str) -> Result<&'static ExperimentInfo, String> {
    EXPERIMENTS.iter().find(|e| e.name == name).ok_or_else(|| {
        let names: Vec<&str> = EXPERIMENTS.iter().map(|e| e.name).collect();
        let hint = unfold_device::closest(name, &names)
            .map(|s| format!(" (did you mean '{s}'?)"))
            .unwrap_or_default();
        format!(
            "unknown experiment '{name}'{hint}; available: {}",
            names.join(", ")
        )
    })
}

/// Runs the experiment called `name` with its settings for `ctx.profile`.
pub fn run(name: &str, ctx: &RunContext) -> anyhow::Result<ExperimentOutcome> {
    let info = find(name).map_err(anyhow::Error::msg)?;
    match info.name {
        spirals3d::NAME => {
            spirals3d::run(&spirals3d::Spirals3dConfig::for_profile(ctx.profile), ctx)
        }
        building_blocks::NAME => building_blocks::run(
            &building_blocks::BuildingBlocksConfig::for_profile(ctx.profile),
            ctx,
        ),
        sandwich::NAME => sandwich::run(&sandwich::SandwichConfig::for_profile(ctx.profile), ctx),
        mnist::NAME => mnist::run(&mnist::MnistConfig::for_profile(ctx.profile), ctx),
        vanishing::NAME => {
            vanishing::run(&vanishing::VanishingConfig::for_profile(ctx.profile), ctx)
        }
        xor::NAME => xor::run(&xor::XorConfig::for_profile(ctx.profile), ctx),
        other => anyhow::bail!("experiment '{other}' is listed but has no runner"),
    }
}
