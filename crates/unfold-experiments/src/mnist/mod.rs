//! Notebook 001, question 1: multiclass logistic regression written from scratch against a
//! 784-400-400-10 ReLU MLP on MNIST, then the initialization study, the optimizer study, the
//! reflection runs, and (beyond the notebook, whose topic list names it) batch normalization.
//!
//! The 60,000 training images are split 80/20 (seeded) into training and validation sets; the
//! 10,000 test images are only used for the final test accuracies. Every split lives on the
//! device as one tensor and batches are slices of it. Finished MLP runs are checkpointed, so
//! `--resume` continues a killed study without training them again.

mod config;
mod figures;
mod report;
mod run;
mod studies;

pub use config::{CLASSES, INPUTS, LogisticSettings, MnistConfig};

use crate::experiment::{Experiment, ExperimentInfo, ExperimentOutcome, RunRecord};
use crate::results::{Metrics, Report};
use crate::{Profile, RunContext};

/// The experiment's name on the command line and in results.
pub const NAME: &str = "mnist";

/// The logistic-regression run's name in the results.
pub const LOGISTIC: &str = "logistic regression";

/// Runs notebook 001's question 1 with `config` in `ctx`, writing its results under
/// `<ctx.out>/mnist/` (see [`crate::runner::run`]).
pub fn run(config: &MnistConfig, ctx: &RunContext) -> anyhow::Result<ExperimentOutcome> {
    crate::runner::run(&Mnist, config, ctx)
}

/// Notebook 001's question 1 as an [`Experiment`].
#[derive(Debug, Clone, Copy, Default)]
pub struct Mnist;

static INFO: ExperimentInfo = ExperimentInfo {
    name: NAME,
    notebook: "001-mnist-logreg-mlp-xor-backprop (question 1)",
    title: "MNIST: logistic regression from scratch vs an MLP; initialization and optimizers",
    question: "How far does a linear softmax classifier get on handwritten digits, what does a \
               784-400-400-10 MLP add, and how do the initialization and the optimizer change its \
               training?",
    default_seed: 42,
    largest_model_params: 480_010,
    checkpoints: true,
    saves_models: false,
};

impl Experiment for Mnist {
    type Config = MnistConfig;

    fn info(&self) -> &'static ExperimentInfo {
        &INFO
    }

    fn config(&self, profile: Profile) -> MnistConfig {
        MnistConfig::for_profile(profile)
    }

    fn key_docs(&self) -> &'static [(&'static str, &'static str)] {
        config::KEY_DOCS
    }

    fn validate(&self, config: &MnistConfig) -> Result<(), String> {
        config.validate()
    }

    fn run(
        &self,
        config: &MnistConfig,
        ctx: &RunContext,
        record: &mut RunRecord,
    ) -> anyhow::Result<()> {
        run::run(config, ctx, record)
    }

    fn report(&self, config: &MnistConfig, metrics: &Metrics) -> Report {
        report::report(config, metrics)
    }
}
