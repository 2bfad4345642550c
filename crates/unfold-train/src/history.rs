//! What a training run records as it goes: the metrics at each logging point, and how it
//! ended.

use serde::{Deserialize, Serialize};

/// Metrics at one logging point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogPoint {
    /// Epochs finished (1-based).
    pub epoch: usize,
    /// Mean loss on the whole training set.
    pub train_loss: f64,
    /// Accuracy on the whole training set, in [0, 1].
    pub train_accuracy: f64,
    /// Mean loss on the test set, if one was given.
    pub test_loss: Option<f64>,
    /// Accuracy on the test set, if one was given.
    pub test_accuracy: Option<f64>,
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum RunStatus {
    /// Trained for every epoch.
    Ok,
    /// The loss became NaN or infinite; training stopped at that logging point.
    Diverged {
        /// The epoch at which the non-finite loss was seen.
        epoch: usize,
        /// The loss value seen (as text: JSON has no NaN).
        loss: String,
    },
}

/// What a training run produced besides the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct History {
    /// Metrics at every logging point, in order.
    pub points: Vec<LogPoint>,
    /// How the run ended.
    pub status: RunStatus,
    /// Optimizer steps taken.
    pub steps: usize,
    /// Wall-clock seconds spent in the loop.
    pub seconds: f64,
}

impl History {
    /// The last logged metrics, if any.
    pub fn last(&self) -> Option<&LogPoint> {
        self.points.last()
    }

    /// Whether the run diverged.
    pub fn diverged(&self) -> bool {
        matches!(self.status, RunStatus::Diverged { .. })
    }
}
