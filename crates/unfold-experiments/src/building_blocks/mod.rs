//! Lab 2 (notebook 002): a network's building blocks written from scratch and checked against
//! Burn's, and a first "training" of a 2→25→1 ReLU network to the 2-D Gaussian density by
//! random search — compared, beyond the lab, with the same network trained by Adam.
//!
//! The from-scratch `Linear` (weights N(0, 1), biases U[0, 1) as the lab draws them), ReLU,
//! sigmoid, the sequential 3→5→1 `Net` and the MSE are each compared element-wise with Burn's
//! counterpart holding the same values. The regression target is the density of N(0, 50·I) on
//! a 50 × 50 grid over [-2, 2]²; the random search redraws every weight from U(-0.025, 0.025)
//! and every bias from U(-0.05, 0.05) until the MSE is below 1e-5 or 50 draws are done, and
//! keeps the best draw.
//!
//! Random values come from host generators seeded with the run's seed: the blocks and the
//! lab's inputs from `seed`, the regression network's initial weights from `seed + 1` (the
//! untrained network and Adam's starting point are the same), the random search from
//! `seed + 2`. The same seed therefore gives the same numbers on every backend.

mod blocks;
mod config;
mod figures;
mod report;
mod run;

pub use blocks::{BlockCheck, Blocks, check_blocks, check_mse};
pub use config::BuildingBlocksConfig;

use crate::experiment::{Experiment, ExperimentInfo, ExperimentOutcome, RunRecord};
use crate::results::{Metrics, Report};
use crate::{Profile, RunContext};

/// The experiment's name on the command line and in results.
pub const NAME: &str = "building-blocks";

/// Runs lab 2 with `config` in `ctx`, writing its results under `<ctx.out>/building-blocks/`
/// (see [`crate::runner::run`]).
pub fn run(config: &BuildingBlocksConfig, ctx: &RunContext) -> anyhow::Result<ExperimentOutcome> {
    crate::runner::run(&BuildingBlocks, config, ctx)
}

/// Lab 2 as an [`Experiment`].
#[derive(Debug, Clone, Copy, Default)]
pub struct BuildingBlocks;

static INFO: ExperimentInfo = ExperimentInfo {
    name: NAME,
    notebook: "002-lab2-building-blocks-gaussian",
    title: "Building blocks from scratch vs Burn's, and a 2-D Gaussian fitted by random search vs Adam",
    question: "Do hand-written linear layers, activations, networks and MSE compute exactly what \
               Burn's do, and how well does a network fit a Gaussian surface by random search alone?",
    default_seed: 999,
    largest_model_params: 101,
    checkpoints: false,
    saves_models: false,
};

impl Experiment for BuildingBlocks {
    type Config = BuildingBlocksConfig;

    fn info(&self) -> &'static ExperimentInfo {
        &INFO
    }

    fn config(&self, profile: Profile) -> BuildingBlocksConfig {
        BuildingBlocksConfig::for_profile(profile)
    }

    fn key_docs(&self) -> &'static [(&'static str, &'static str)] {
        config::KEY_DOCS
    }

    fn validate(&self, config: &BuildingBlocksConfig) -> Result<(), String> {
        config.validate()
    }

    fn run(
        &self,
        config: &BuildingBlocksConfig,
        ctx: &RunContext,
        record: &mut RunRecord,
    ) -> anyhow::Result<()> {
        run::run(config, ctx, record)
    }

    fn report(&self, config: &BuildingBlocksConfig, metrics: &Metrics) -> Report {
        report::report(config, metrics)
    }
}
