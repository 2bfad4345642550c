//! Training a regression model: real-valued targets, mean squared error, full batch.

use std::time::Instant;

use burn::module::Module;
use burn::nn::loss::{MseLoss, Reduction};
use burn::optim::GradientsParams;
use burn::tensor::Tensor;
use serde::{Deserialize, Serialize};
use unfold_models::{Mlp, TwoLayerNet};

use crate::{History, LogPoint, OptimizerConfig, Progress, RunStatus};

/// A model that maps inputs `[N, in]` to real-valued outputs `[N, out]`.
pub trait Regressor: Module {
    /// The outputs for a batch.
    fn predict(&self, x: Tensor<2>) -> Tensor<2>;
}

impl Regressor for TwoLayerNet {
    fn predict(&self, x: Tensor<2>) -> Tensor<2> {
        self.forward(x)
    }
}

impl Regressor for Mlp {
    fn predict(&self, x: Tensor<2>) -> Tensor<2> {
        self.forward(x)
    }
}

/// Inputs and their real-valued targets, on one device.
#[derive(Debug, Clone)]
pub struct RegressionData {
    /// `[N, in]`.
    pub inputs: Tensor<2>,
    /// `[N, out]`.
    pub targets: Tensor<2>,
}

impl RegressionData {
    /// The mean squared error of `model` on this data, read back to the host.
    pub fn mse<M: Regressor>(&self, model: &M) -> f64 {
        f64::from(
            mse(model.predict(self.inputs.clone()), self.targets.clone()).into_scalar::<f32>(),
        )
    }
}

/// Burn's mean squared error over every element, a one-element tensor.
fn mse(outputs: Tensor<2>, targets: Tensor<2>) -> Tensor<1> {
    MseLoss::new().forward(outputs, targets, Reduction::Mean)
}

/// How to fit a regression model: full-batch steps of an optimizer on the mean squared error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegressionConfig {
    /// The optimizer and its hyperparameters.
    pub optimizer: OptimizerConfig,
    /// Number of full-batch steps (≥ 1).
    pub epochs: usize,
    /// Log the loss every this many epochs (the first and the last are always logged).
    pub log_every: usize,
    /// Return the model as it was at the logged point with the lowest loss instead of the last
    /// one (Keras' `restore_best_weights`); the history still holds every logged point.
    #[serde(default)]
    pub restore_best: bool,
}

impl RegressionConfig {
    /// Checks the values, with a message naming the bad one.
    pub fn validate(&self) -> Result<(), String> {
        self.optimizer.validate()?;
        if self.epochs == 0 {
            return Err("epochs must be ≥ 1".into());
        }
        if self.log_every == 0 {
            return Err("log interval must be ≥ 1 epoch".into());
        }
        Ok(())
    }
}

/// What [`fit_regression`] returns besides the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegressionFit {
    /// Every logged point.
    pub history: History,
    /// The epoch whose model is returned: the last one, or with
    /// [`RegressionConfig::restore_best`] the logged one with the lowest loss.
    pub returned_epoch: usize,
}

/// Fits `model` to `data` by full-batch gradient steps on the mean squared error.
///
/// `model` must live on an autodiff device (`device.clone().autodiff()`); `data` may live on
/// the plain device. Logged points carry the training MSE; regression has no accuracy, so
/// their `train_accuracy` is NaN (`null` in results). A non-finite loss stops the run with
/// [`RunStatus::Diverged`].
///
/// # Panics
/// If `config` fails validation; validate user input first.
pub fn fit_regression<M: Regressor>(
    mut model: M,
    data: &RegressionData,
    config: &RegressionConfig,
    name: &str,
    progress: &mut dyn Progress,
) -> (M, RegressionFit) {
    if let Err(e) = config.validate() {
        panic!("invalid training configuration for {name}: {e}");
    }
    let started = Instant::now();
    let mut optim = config.optimizer.build();
    let lr = config.optimizer.learning_rate();
    let mut points = Vec::new();
    let mut status = RunStatus::Ok;
    let mut steps = 0;
    let mut best: Option<(f64, usize, M)> = None;
    progress.start(name, config.epochs);
    for epoch in 1..=config.epochs {
        let loss = mse(model.predict(data.inputs.clone()), data.targets.clone());
        let grads = GradientsParams::from_grads(loss.backward(), &model);
        model = optim.step(lr, model, grads);
        steps += 1;
        progress.epoch(epoch);
        if epoch == 1 || epoch % config.log_every == 0 || epoch == config.epochs {
            let train_loss = data.mse(&model.valid());
            let point = LogPoint {
                epoch,
                train_loss,
                train_accuracy: f64::NAN,
                test_loss: None,
                test_accuracy: None,
            };
            progress.logged(&point);
            points.push(point);
            let improved = best.as_ref().is_none_or(|(b, _, _)| train_loss < *b);
            if config.restore_best && train_loss.is_finite() && improved {
                best = Some((train_loss, epoch, model.clone()));
            }
            if !train_loss.is_finite() {
                status = RunStatus::Diverged {
                    epoch,
                    loss: train_loss.to_string(),
                };
                break;
            }
        }
    }
    progress.finish();
    let last_epoch = points.last().map_or(0, |p| p.epoch);
    let history = History {
        points,
        status,
        steps,
        seconds: started.elapsed().as_secs_f64(),
    };
    let (model, returned_epoch) = match best {
        Some((_, epoch, best_model)) => (best_model, epoch),
        None => (model, last_epoch),
    };
    (
        model,
        RegressionFit {
            history,
            returned_epoch,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::NoProgress;
    use burn::tensor::{Device, TensorData};

    fn device() -> Device {
        Device::flex()
    }

    /// `y = x1 − 2·x2 + 0.5` on 64 points.
    fn plane(device: &Device) -> RegressionData {
        let xs: Vec<f32> = (0..128)
            .map(|i| ((i * 37) % 64) as f32 / 32.0 - 1.0)
            .collect();
        let ys: Vec<f32> = xs.chunks(2).map(|p| p[0] - 2.0 * p[1] + 0.5).collect();
        RegressionData {
            inputs: Tensor::from_data(TensorData::new(xs, [64, 2]), device),
            targets: Tensor::from_data(TensorData::new(ys, [64, 1]), device),
        }
    }

    #[test]
    fn adam_fits_a_plane() {
        let device = device();
        let data = plane(&device);
        let mut rng = unfold_data::seeded_rng(1);
        let model = TwoLayerNet::torch_default(2, 8, 1, &mut rng, &device.clone().autodiff());
        let config = RegressionConfig {
            optimizer: OptimizerConfig::adam(0.02),
            epochs: 300,
            log_every: 100,
            restore_best: false,
        };
        let (model, fit) = fit_regression(model, &data, &config, "plane", &mut NoProgress);
        assert_eq!(fit.returned_epoch, 300);
        let history = fit.history;
        assert_eq!(history.status, RunStatus::Ok);
        assert_eq!(history.steps, 300);
        let epochs: Vec<usize> = history.points.iter().map(|p| p.epoch).collect();
        assert_eq!(epochs, vec![1, 100, 200, 300]);
        let last = history.last().unwrap();
        assert!(
            last.train_loss < 0.01 * history.points[0].train_loss,
            "{history:?}"
        );
        assert!(last.train_accuracy.is_nan());
        assert!((data.mse(&model.valid()) - last.train_loss).abs() < 1e-9);
    }

    #[test]
    fn restore_best_returns_the_lowest_logged_model() {
        let device = device();
        let data = plane(&device);
        let mut rng = unfold_data::seeded_rng(3);
        let model = TwoLayerNet::torch_default(2, 8, 1, &mut rng, &device.clone().autodiff());
        // A large learning rate, so that the loss goes up and down.
        let config = RegressionConfig {
            optimizer: OptimizerConfig::adam(0.3),
            epochs: 60,
            log_every: 3,
            restore_best: true,
        };
        let (model, fit) = fit_regression(model, &data, &config, "bumpy", &mut NoProgress);
        let best = fit
            .history
            .points
            .iter()
            .min_by(|a, b| a.train_loss.total_cmp(&b.train_loss))
            .unwrap();
        assert_eq!(fit.returned_epoch, best.epoch);
        assert_eq!(data.mse(&model.valid()), best.train_loss);
    }

    #[test]
    fn divergence_stops_the_run() {
        let device = device();
        let data = plane(&device);
        let mut rng = unfold_data::seeded_rng(2);
        let model = TwoLayerNet::torch_default(2, 8, 1, &mut rng, &device.clone().autodiff());
        let config = RegressionConfig {
            optimizer: OptimizerConfig::sgd(1e12, 0.0),
            epochs: 40,
            log_every: 2,
            restore_best: false,
        };
        let (_, fit) = fit_regression(model, &data, &config, "exploding", &mut NoProgress);
        let history = &fit.history;
        assert!(history.diverged(), "{history:?}");
        assert!(history.points.len() < 20);
        assert!(
            RegressionConfig {
                epochs: 0,
                ..config
            }
            .validate()
            .unwrap_err()
            .contains("epochs")
        );
    }
}
