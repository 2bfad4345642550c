//! Training loops for unfold.
//!
//! One loop, [`fit`], trains any [`Classifier`] (and [`fit_regression`] any [`Regressor`] on
//! real-valued targets) the way the notebooks do: full-batch, shuffled mini-batches, or
//! examples drawn at random with replacement ([`Batching`]), with a PyTorch-equivalent
//! optimizer ([`OptimizerConfig`]: the
//! notebooks' defaults, not Burn's, where the two differ), a loss ([`Loss`]), metrics logged
//! every few epochs, and divergence detection (a non-finite loss stops the run and is reported
//! as [`RunStatus::Diverged`] rather than carried into figures). Progress goes to a
//! [`Progress`] observer; [`TerminalProgress`] draws a bar only when attached to a terminal.
//!
//! Beside it: [`train_xor`] / [`train_xor_batched`] train notebook 001's from-scratch XOR
//! network (many small runs as one batched computation), and [`GradientProbe`] records the
//! per-layer gradient magnitudes of notebook 004 during [`fit_observed`].
//!
//! The loop takes data on a plain device and a model on the same device with autodiff enabled
//! (`device.clone().autodiff()`); it never names a backend.
#![warn(missing_docs)]

mod early_stopping;
mod fit;
mod gradient_descent;
mod loss;
mod optim;
mod probe;
mod progress;
mod regression;
mod xor;

pub use early_stopping::{EarlyStopping, StopPoint};
pub use fit::{
    Batching, Classifier, EVAL_CHUNK, FitConfig, History, LogPoint, RunStatus, StepObserver,
    StepView, accuracy, evaluate, evaluate_with, fit, fit_observed, predict_classes, train_step,
};
pub use gradient_descent::{GradientDescentConfig, GradientDescentOutcome, fit_softmax_regression};
pub use loss::Loss;
pub use optim::OptimizerConfig;
pub use probe::{GradientProbe, GradientRecord};
pub use progress::{NoProgress, Progress, ProgressGroup, TerminalProgress};
pub use regression::{RegressionConfig, RegressionData, RegressionFit, Regressor, fit_regression};
pub use xor::{train_xor, train_xor_batched};
