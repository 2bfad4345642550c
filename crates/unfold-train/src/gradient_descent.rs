//! Plain mini-batch gradient descent with hand-written gradients, for the from-scratch
//! logistic regression of notebook 001 (no autodiff, no Burn optimizer).

use std::time::Instant;

use burn::tensor::Tensor;
use serde::{Deserialize, Serialize};
use unfold_data::{DeviceData, seeded_rng};
use unfold_models::SoftmaxRegression;

use crate::LogPoint;
use crate::fit::{epoch_order, evaluate_with};
use crate::{History, Loss, Progress, RunStatus};

/// The notebook's `logistic_regression(train_loader, val_loader, epochs, lr, tol)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GradientDescentConfig {
    /// Step size η.
    pub learning_rate: f64,
    /// Passes over the training set (≥ 1).
    pub epochs: usize,
    /// Examples per step; batches are reshuffled every epoch.
    pub batch_size: usize,
    /// Stop after an epoch whose mean gradient norm (over its steps) is below this.
    pub tolerance: f64,
    /// Seed of the batch shuffling.
    pub seed: u64,
}

impl GradientDescentConfig {
    /// Checks the values, with a message naming the bad one.
    pub fn validate(&self) -> Result<(), String> {
        if !(self.learning_rate.is_finite() && self.learning_rate > 0.0) {
            return Err(format!(
                "learning rate must be finite and > 0, got {}",
                self.learning_rate
            ));
        }
        if self.epochs == 0 {
            return Err("epochs must be ≥ 1".into());
        }
        if self.batch_size == 0 {
            return Err("batch size must be ≥ 1".into());
        }
        if !(self.tolerance.is_finite() && self.tolerance >= 0.0) {
            return Err(format!(
                "tolerance must be finite and ≥ 0, got {}",
                self.tolerance
            ));
        }
        Ok(())
    }
}

/// How a gradient-descent run went, besides its [`History`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GradientDescentOutcome {
    /// Per-epoch metrics, steps, time and status.
    pub history: History,
    /// The epoch after which the gradient norm fell below the tolerance, if it did.
    pub converged_at_epoch: Option<usize>,
    /// Mean gradient norm over the steps of each epoch.
    pub gradient_norms: Vec<f64>,
}

/// Trains `model` by mini-batch gradient descent with its hand-written gradients, logging the
/// training loss and accuracy and the validation metrics after every epoch. The gradient norm
/// is accumulated on the device and read back once per epoch, so the step loop never waits for
/// the device. A non-finite loss stops the run as [`RunStatus::Diverged`].
///
/// # Panics
/// If `config` fails validation.
pub fn fit_softmax_regression(
    mut model: SoftmaxRegression,
    train: &DeviceData,
    validation: Option<&DeviceData>,
    config: &GradientDescentConfig,
    name: &str,
    progress: &mut dyn Progress,
) -> (SoftmaxRegression, GradientDescentOutcome) {
    if let Err(e) = config.validate() {
        panic!("invalid gradient-descent configuration for {name}: {e}");
    }
    let started = Instant::now();
    let mut rng = seeded_rng(config.seed);
    let n = train.len();
    let batches = n.div_ceil(config.batch_size);
    let mut points = Vec::new();
    let mut gradient_norms = Vec::new();
    let mut converged_at_epoch = None;
    let mut status = RunStatus::Ok;
    let mut steps = 0;
    progress.start(name, config.epochs);
    for epoch in 1..=config.epochs {
        let (x, y) = epoch_order(train, true, &mut rng);
        let mut norm_sum: Option<Tensor<1>> = None;
        for b in 0..batches {
            let range = b * config.batch_size..((b + 1) * config.batch_size).min(n);
            let gradients =
                model.loss_and_gradients(x.clone().slice(range.clone()), y.clone().slice(range));
            let norm = gradients.norm();
            norm_sum = Some(match norm_sum {
                Some(sum) => sum + norm,
                None => norm,
            });
            model = model.step(&gradients, config.learning_rate);
            steps += 1;
        }
        progress.epoch(epoch);
        let mean_norm = f64::from(norm_sum.expect("n > 0").into_scalar::<f32>()) / batches as f64;
        gradient_norms.push(mean_norm);
        let logits = |x: Tensor<2>| model.logits(x);
        let (train_loss, train_accuracy) = evaluate_with(logits, Loss::CrossEntropy, train);
        let (test_loss, test_accuracy) = match validation {
            Some(v) => {
                let (l, a) = evaluate_with(logits, Loss::CrossEntropy, v);
                (Some(l), Some(a))
            }
            None => (None, None),
        };
        let point = LogPoint {
            epoch,
            train_loss,
            train_accuracy,
            test_loss,
            test_accuracy,
        };
        progress.logged(&point);
        points.push(point);
        if !train_loss.is_finite() || !mean_norm.is_finite() {
            status = RunStatus::Diverged {
                epoch,
                loss: train_loss.to_string(),
            };
            break;
        }
        if mean_norm < config.tolerance {
            converged_at_epoch = Some(epoch);
            break;
        }
    }
    progress.finish();
    let history = History {
        points,
        status,
        steps,
        seconds: started.elapsed().as_secs_f64(),
    };
    (
        model,
        GradientDescentOutcome {
            history,
            converged_at_epoch,
            gradient_norms,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::NoProgress;
    use burn::tensor::Device;
    use unfold_data::LabeledPoints;

    fn device() -> Device {
        Device::flex()
    }

    /// Three separable blobs in 2-D.
    fn blobs() -> DeviceData {
        let mut features = Vec::new();
        let mut labels = Vec::new();
        for i in 0..90 {
            let class = i % 3;
            let (cx, cy) = [(-3.0, 0.0), (3.0, 0.0), (0.0, 3.0)][class];
            features.push(cx + 0.01 * (i as f32 % 7.0));
            features.push(cy - 0.01 * (i as f32 % 5.0));
            labels.push(class as u32);
        }
        LabeledPoints::new(2, features, labels)
            .unwrap()
            .to_device(&device())
    }

    fn config() -> GradientDescentConfig {
        GradientDescentConfig {
            learning_rate: 0.1,
            epochs: 20,
            batch_size: 16,
            tolerance: 0.0,
            seed: 1,
        }
    }

    #[test]
    fn learns_separable_classes_and_logs_every_epoch() {
        let data = blobs();
        let model = SoftmaxRegression::zeros(2, 3, &device());
        let (_, outcome) =
            fit_softmax_regression(model, &data, Some(&data), &config(), "lr", &mut NoProgress);
        let history = &outcome.history;
        assert_eq!(history.points.len(), 20);
        assert_eq!(history.steps, 20 * 6);
        assert_eq!(history.last().unwrap().test_accuracy, Some(1.0));
        assert!(history.last().unwrap().train_loss < history.points[0].train_loss);
        assert!(outcome.converged_at_epoch.is_none());
        assert!(outcome.gradient_norms[19] < outcome.gradient_norms[0]);
    }

    #[test]
    fn stops_when_the_gradient_norm_falls_below_the_tolerance() {
        let data = blobs();
        let model = SoftmaxRegression::zeros(2, 3, &device());
        let config = GradientDescentConfig {
            tolerance: 1e3,
            ..config()
        };
        let (_, outcome) =
            fit_softmax_regression(model, &data, None, &config, "lr", &mut NoProgress);
        assert_eq!(outcome.converged_at_epoch, Some(1));
        assert_eq!(outcome.history.points.len(), 1);
    }

    #[test]
    fn rejects_bad_settings() {
        let bad = GradientDescentConfig {
            learning_rate: -1.0,
            ..config()
        };
        assert!(bad.validate().unwrap_err().contains("learning rate"));
        let bad = GradientDescentConfig {
            batch_size: 0,
            ..config()
        };
        assert!(bad.validate().unwrap_err().contains("batch"));
    }
}
