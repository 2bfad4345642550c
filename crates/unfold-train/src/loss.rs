//! Losses for classifiers, on Burn's implementations.

use burn::nn::loss::{BinaryCrossEntropyLossConfig, CrossEntropyLossConfig, MseLoss, Reduction};
use burn::tensor::{Int, Tensor};
use serde::{Deserialize, Serialize};

/// The loss a classifier is trained with. Targets are always class indices `[N]`; each loss
/// turns them into what it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Loss {
    /// `BCEWithLogitsLoss` on a single output logit per example (labels 0/1).
    BceWithLogits,
    /// `CrossEntropyLoss` on one logit per class.
    CrossEntropy,
    /// `MSELoss` between the outputs and the labels as numbers (one output) or one-hot
    /// vectors (several outputs).
    Mse,
}

impl Loss {
    /// The mean loss over the batch, a one-element tensor.
    pub fn compute(self, outputs: Tensor<2>, labels: Tensor<1, Int>) -> Tensor<1> {
        let device = outputs.device();
        let [n, width] = outputs.dims();
        match self {
            Loss::BceWithLogits => BinaryCrossEntropyLossConfig::new()
                .with_logits(true)
                .init(&device)
                .forward(outputs.reshape([n]), labels),
            Loss::CrossEntropy => CrossEntropyLossConfig::new()
                .init(&device)
                .forward(outputs, labels),
            Loss::Mse => {
                let targets = if width == 1 {
                    labels.float().reshape([n, 1])
                } else {
                    labels.one_hot(width).float()
                };
                MseLoss::new().forward(outputs, targets, Reduction::Mean)
            }
        }
    }

    /// The class each output row predicts: threshold for a single output (logit > 0 for
    /// BCE, value > 0.5 for MSE), arg-max otherwise.
    pub fn predict(self, outputs: Tensor<2>) -> Tensor<1, Int> {
        let [n, width] = outputs.dims();
        if width == 1 {
            let threshold = if self == Loss::Mse { 0.5 } else { 0.0 };
            outputs.greater_elem(threshold).int().reshape([n])
        } else {
            outputs.argmax(1).reshape([n])
        }
    }
}
