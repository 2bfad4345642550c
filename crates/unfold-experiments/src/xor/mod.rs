//! Notebook 001 (question 2) and notebook 004 (tasks 1 and 2): the multidimensional XOR.
//!
//! - For `d = 2, 3, 4, 5` and a grid of hidden sizes, the notebook's `FFNet` (from-scratch
//!   linear layers, sigmoid hidden layer, weights from `torch.randn`) is trained as its `train`
//!   does: MSE, SGD (lr 0.02, momentum 0.9), each epoch `2^d` single examples drawn uniformly
//!   at random with replacement, 300 epochs; a fresh network and optimizer per run, several
//!   seeds per pair. A table says which pairs converge.
//! - `calc_gradients` (the gradients of a 2-2-1 `FFNet` by hand) is compared element-wise with
//!   autodiff at every step of the notebook's 100-epoch `train_and_compare`.
//! - Notebook 004 task 1: the least-squares linear fit of XOR (it cannot be exact) and the
//!   given two-layer ReLU network that solves it exactly, with the hidden space drawn.
//! - Notebook 004 task 2 (the backprop worksheet) is the [`crate::backprop`] module and
//!   command; its example network is worked in the report.

mod answers;
mod config;
mod figures;
mod gradients;
mod grid;
mod report;
mod run;
mod task1;

pub use config::{HiddenRule, MAX_DIM, MAX_HIDDEN, Tolerance, XorConfig, hidden_sizes, run_seed};
pub use gradients::{GradientCheck, train_and_compare};
pub use grid::GridCell;
pub use task1::{LinearFit, Task1, least_squares, relu_xor_network, task1};
pub use unfold_train::{train_xor, train_xor_batched};

use crate::experiment::{Experiment, ExperimentInfo, ExperimentOutcome, RunRecord};
use crate::results::{Metrics, Report};
use crate::{Profile, RunContext};

/// The experiment's name on the command line and in results.
pub const NAME: &str = "xor";

/// Runs the experiment with `config` in `ctx`: the (d, hidden) grid, the gradient check,
/// task 1 and the worked backprop example, written under `<ctx.out>/xor/` (see
/// [`crate::runner::run`]).
pub fn run(config: &XorConfig, ctx: &RunContext) -> anyhow::Result<ExperimentOutcome> {
    crate::runner::run(&Xor, config, ctx)
}

/// Notebooks 001 (question 2) and 004 (tasks 1 and 2) as an [`Experiment`].
#[derive(Debug, Clone, Copy, Default)]
pub struct Xor;

static INFO: ExperimentInfo = ExperimentInfo {
    name: NAME,
    notebook: "001-mnist-logreg-mlp-xor-backprop + 004-xor-backprop-vanishing-gradients",
    title: "Multidimensional XOR: hidden sizes that converge, gradients by hand, why XOR needs a hidden layer",
    question: "How many hidden units does a sigmoid network need to learn the parity of d bits with SGD, \
               and do hand-derived gradients match autodiff?",
    default_seed: 0,
    largest_model_params: 141,
    checkpoints: true,
    saves_models: false,
};

impl Experiment for Xor {
    type Config = XorConfig;

    fn info(&self) -> &'static ExperimentInfo {
        &INFO
    }

    fn config(&self, profile: Profile) -> XorConfig {
        XorConfig::for_profile(profile)
    }

    fn key_docs(&self) -> &'static [(&'static str, &'static str)] {
        config::KEY_DOCS
    }

    fn validate(&self, config: &XorConfig) -> Result<(), String> {
        config.validate()
    }

    fn run(
        &self,
        config: &XorConfig,
        ctx: &RunContext,
        record: &mut RunRecord,
    ) -> anyhow::Result<()> {
        run::run(config, ctx, record)
    }

    fn report(&self, config: &XorConfig, metrics: &Metrics) -> Report {
        report::report(config, metrics)
    }
}
