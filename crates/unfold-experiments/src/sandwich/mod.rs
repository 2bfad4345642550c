//! Notebook 003: three-class 2-D spirals, "bread only" vs "sandwich" networks, 2-D embeddings,
//! and the decision regions each network draws on the input plane.
//!
//! Trains `DeepLinear`, `MLP`, `MLPemb` and `MLPdeep` with cross-entropy and AdamW (lr 1e-3) on
//! shuffled mini-batches of 32 (`drop_last`) for 2000 epochs, logging every 10, then draws the
//! predictions, the decision regions, `MLPemb`'s 2-D embeddings, `MLPdeep`'s layers as the
//! "rainbow sandwich" and (beyond the notebook) an animation of `MLPemb` as it trains.

mod config;
mod figures;
pub mod rainbow;
mod report;
mod run;

pub use config::SandwichConfig;

use crate::experiment::{Experiment, ExperimentInfo, ExperimentOutcome, RunRecord};
use crate::results::{Metrics, Report};
use crate::{Profile, RunContext};

/// The experiment's name on the command line and in results.
pub const NAME: &str = "sandwich";

/// Runs notebook 003 with `config` in `ctx`, writing its results under `<ctx.out>/sandwich/`
/// (see [`crate::runner::run`]).
pub fn run(config: &SandwichConfig, ctx: &RunContext) -> anyhow::Result<ExperimentOutcome> {
    crate::runner::run(&Sandwich, config, ctx)
}

/// Notebook 003 as an [`Experiment`].
#[derive(Debug, Clone, Copy, Default)]
pub struct Sandwich;

static INFO: ExperimentInfo = ExperimentInfo {
    name: NAME,
    notebook: "003-spirals2d-sandwich",
    title: "2-D spirals: bread-only vs sandwich networks, embeddings and decision regions",
    question: "Why does a deep network need non-linear layers between its linear ones, and how do \
               its hidden layers transform three intertwined spirals until a line separates them?",
    default_seed: 12345,
    largest_model_params: 207,
    checkpoints: false,
    saves_models: true,
};

impl Experiment for Sandwich {
    type Config = SandwichConfig;

    fn info(&self) -> &'static ExperimentInfo {
        &INFO
    }

    fn config(&self, profile: Profile) -> SandwichConfig {
        SandwichConfig::for_profile(profile)
    }

    fn key_docs(&self) -> &'static [(&'static str, &'static str)] {
        config::KEY_DOCS
    }

    fn validate(&self, config: &SandwichConfig) -> Result<(), String> {
        config.validate()
    }

    fn run(
        &self,
        config: &SandwichConfig,
        ctx: &RunContext,
        record: &mut RunRecord,
    ) -> anyhow::Result<()> {
        run::run(config, ctx, record)
    }

    fn report(&self, config: &SandwichConfig, metrics: &Metrics) -> Report {
        report::report(config, metrics)
    }
}
