//! Notebook 004, task 3: sigmoid vs ReLU networks on Fashion-MNIST, and the vanishing-gradient
//! picture — the mean absolute gradient of the first three layers' weights at every batch.
//!
//! Both networks (784-512-1024-512-10) train with SGD (lr 0.01, momentum 0.5) on shuffled
//! batches of 64 for one epoch, seed 66. The gradient magnitudes are computed on the device
//! at every step and read back once at the end, so recording them costs no synchronization.

mod config;
mod report;
mod run;

pub use config::VanishingConfig;
pub use unfold_train::{GradientProbe, GradientRecord};

use crate::experiment::{Experiment, ExperimentInfo, ExperimentOutcome, RunRecord};
use crate::results::{Metrics, Report};
use crate::{Profile, RunContext};

/// The experiment's name on the command line and in results.
pub const NAME: &str = "vanishing";

/// How many linear layers' weight gradients are recorded (the notebook's first three).
pub const RECORDED_LAYERS: usize = 3;

/// Runs notebook 004's task 3 with `config` in `ctx`, writing its results under
/// `<ctx.out>/vanishing/` (see [`crate::runner::run`]).
pub fn run(config: &VanishingConfig, ctx: &RunContext) -> anyhow::Result<ExperimentOutcome> {
    crate::runner::run(&Vanishing, config, ctx)
}

/// Notebook 004's task 3 as an [`Experiment`].
#[derive(Debug, Clone, Copy, Default)]
pub struct Vanishing;

static INFO: ExperimentInfo = ExperimentInfo {
    name: NAME,
    notebook: "004-xor-backprop-vanishing-gradients (task 3)",
    title: "Fashion-MNIST: sigmoid vs ReLU and the vanishing-gradient problem",
    question: "Why does a deep sigmoid network learn so slowly, and what do the gradient \
               magnitudes of its first layers show compared with a ReLU network?",
    default_seed: 66,
    largest_model_params: 1_457_162,
    checkpoints: false,
    saves_models: false,
};

impl Experiment for Vanishing {
    type Config = VanishingConfig;

    fn info(&self) -> &'static ExperimentInfo {
        &INFO
    }

    fn config(&self, profile: Profile) -> VanishingConfig {
        VanishingConfig::for_profile(profile)
    }

    fn key_docs(&self) -> &'static [(&'static str, &'static str)] {
        config::KEY_DOCS
    }

    fn validate(&self, config: &VanishingConfig) -> Result<(), String> {
        config.validate()
    }

    fn run(
        &self,
        config: &VanishingConfig,
        ctx: &RunContext,
        record: &mut RunRecord,
    ) -> anyhow::Result<()> {
        run::run(config, ctx, record)
    }

    fn report(&self, config: &VanishingConfig, metrics: &Metrics) -> Report {
        report::report(config, metrics)
    }
}
