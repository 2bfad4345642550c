#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

mod early_stopping;
mod fit;
mod gradient_descent;
mod history;
mod loss;
mod one_pass;
mod optim;
mod probe;
mod progress;
mod regression;
mod xor;

pub use early_stopping::{EarlyStopping, StopPoint};
pub use fit::{
    Batching, Classifier, EVAL_CHUNK, FitConfig, StepObserver, StepView, accuracy, evaluate,
    evaluate_with, fit, fit_observed, predict_classes, train_step,
};
pub use gradient_descent::{GradientDescentConfig, GradientDescentOutcome, fit_softmax_regression};
pub use history::{History, LogPoint, RunStatus};
pub use loss::Loss;
pub use one_pass::{OnePassAdam, OnePassAdamW, OnePassSgd, SgdVelocity};
pub use optim::OptimizerConfig;
pub use probe::{GradientProbe, GradientRecord};
pub use progress::{
    NoProgress, Progress, ProgressGroup, TerminalProgress, set_terminal_progress, terminal_progress,
};
pub use regression::{RegressionConfig, RegressionData, RegressionFit, Regressor, fit_regression};
pub use xor::{train_xor, train_xor_batched};
