//! Notebook 000: two intertwined 3-D spirals, and how linear and ReLU layers transform them.
//!
//! Trains `LinearModel`, `LinearHiddenModel`, `ReLUHiddenModel` and a deeper ReLU model with
//! BCE-with-logits and Adam (lr 0.01) for 2000 full-batch epochs, then draws the data, each
//! model's predictions beside the true classes, and each hidden representation coloured by the
//! true and by the predicted class.

mod config;
mod report;
mod run;
mod snapshots;

pub use config::Spirals3dConfig;

use crate::experiment::{Experiment, ExperimentInfo, ExperimentOutcome, RunRecord};
use crate::results::{Metrics, Report};
use crate::{Profile, RunContext};

/// The experiment's name on the command line and in results.
pub const NAME: &str = "spirals3d";

/// Runs notebook 000 with `config` in `ctx`, writing its results under `<ctx.out>/spirals3d/`
/// (see [`crate::runner::run`]).
pub fn run(config: &Spirals3dConfig, ctx: &RunContext) -> anyhow::Result<ExperimentOutcome> {
    crate::runner::run(&Spirals3d, config, ctx)
}

/// Notebook 000 as an [`Experiment`].
#[derive(Debug, Clone, Copy, Default)]
pub struct Spirals3d;

static INFO: ExperimentInfo = ExperimentInfo {
    name: NAME,
    notebook: "000-spirals3d-unfolding",
    title: "3-D spirals: linear vs ReLU layers unfolding a manifold",
    question: "Can a linear model separate two intertwined spirals, and how do hidden layers with and \
               without ReLU transform the data?",
    default_seed: 42,
    largest_model_params: 373,
    checkpoints: false,
    saves_models: true,
};

impl Experiment for Spirals3d {
    type Config = Spirals3dConfig;

    fn info(&self) -> &'static ExperimentInfo {
        &INFO
    }

    fn config(&self, profile: Profile) -> Spirals3dConfig {
        Spirals3dConfig::for_profile(profile)
    }

    fn key_docs(&self) -> &'static [(&'static str, &'static str)] {
        config::KEY_DOCS
    }

    fn validate(&self, config: &Spirals3dConfig) -> Result<(), String> {
        config.validate()
    }

    fn run(
        &self,
        config: &Spirals3dConfig,
        ctx: &RunContext,
        record: &mut RunRecord,
    ) -> anyhow::Result<()> {
        run::run(config, ctx, record)
    }

    fn report(&self, config: &Spirals3dConfig, metrics: &Metrics) -> Report {
        report::report(config, metrics)
    }
}
