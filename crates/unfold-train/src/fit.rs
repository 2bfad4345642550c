//! The training loop shared by every experiment.

use std::time::Instant;

use burn::module::Module;
use burn::optim::GradientsParams;
use burn::tensor::{Gradients, Int, Tensor, TensorData};
use rand::RngExt;
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};
use unfold_data::{DeviceData, seeded_rng};
use unfold_models::{FFNet, Mlp};

use crate::{History, LogPoint, Loss, OptimizerConfig, Progress, RunStatus};

/// A model that maps a batch of feature rows `[N, in]` to one row of outputs `[N, out]`.
pub trait Classifier: Module {
    /// The outputs (logits) for a batch.
    fn logits(&self, x: Tensor<2>) -> Tensor<2>;
}

impl Classifier for Mlp {
    fn logits(&self, x: Tensor<2>) -> Tensor<2> {
        self.forward(x)
    }
}

impl Classifier for FFNet {
    fn logits(&self, x: Tensor<2>) -> Tensor<2> {
        self.forward(x)
    }
}

/// How each epoch walks the training set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Batching {
    /// One step per epoch on the whole training set (notebook 000).
    FullBatch,
    /// Mini-batches of `size`, like a PyTorch `DataLoader`.
    MiniBatch {
        /// Examples per batch.
        size: usize,
        /// Reshuffle the training set every epoch.
        shuffle: bool,
        /// Drop the last incomplete batch.
        drop_last: bool,
    },
    /// `N` steps per epoch (`N` = training set size), each on `size` examples drawn uniformly
    /// at random with replacement: notebook 001's XOR `train` with `size` 1.
    Sampled {
        /// Examples per step.
        size: usize,
    },
}

/// What to optimize, how, and for how long.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FitConfig {
    /// The loss to minimize.
    pub loss: Loss,
    /// The optimizer and its hyperparameters.
    pub optimizer: OptimizerConfig,
    /// Number of epochs (≥ 1).
    pub epochs: usize,
    /// How each epoch walks the data.
    pub batching: Batching,
    /// Evaluate and log every this many epochs (the first and the last epoch are always logged).
    pub log_every: usize,
    /// Seed for the mini-batch shuffling.
    pub seed: u64,
}

impl FitConfig {
    /// Checks the values, with a message naming the bad one.
    pub fn validate(&self) -> Result<(), String> {
        self.optimizer.validate()?;
        if self.epochs == 0 {
            return Err("epochs must be ≥ 1".into());
        }
        if self.log_every == 0 {
            return Err("log interval must be ≥ 1 epoch".into());
        }
        if let Batching::MiniBatch { size: 0, .. } | Batching::Sampled { size: 0 } = self.batching {
            return Err("batch size must be ≥ 1".into());
        }
        Ok(())
    }
}

/// The classes a model predicts for `x`.
pub fn predict_classes<M: Classifier>(model: &M, loss: Loss, x: Tensor<2>) -> Tensor<1, Int> {
    loss.predict(model.logits(x))
}

/// The fraction of `predicted` equal to `labels`.
pub fn accuracy(predicted: Tensor<1, Int>, labels: Tensor<1, Int>) -> f64 {
    let n = labels.dims()[0];
    if n == 0 {
        return 0.0;
    }
    let correct: i64 = predicted.equal(labels).int().sum().into_scalar();
    correct as f64 / n as f64
}

/// Rows per forward pass when evaluating, so a 60,000-image set never needs its activations in
/// memory all at once.
pub const EVAL_CHUNK: usize = 10_000;

/// Mean loss and accuracy of a (validation-mode) model on a data set, evaluated in chunks of
/// [`EVAL_CHUNK`] rows and read back to the host once.
pub fn evaluate<M: Classifier>(model: &M, loss: Loss, data: &DeviceData) -> (f64, f64) {
    evaluate_with(|x| model.logits(x), loss, data)
}

/// [`evaluate`] for any function from a batch to its outputs (models that are not a Burn
/// `Module`, such as the from-scratch logistic regression).
pub fn evaluate_with(
    logits: impl Fn(Tensor<2>) -> Tensor<2>,
    loss: Loss,
    data: &DeviceData,
) -> (f64, f64) {
    let n = data.len();
    if n == 0 {
        return (f64::NAN, 0.0);
    }
    let mut loss_sum: Option<Tensor<1>> = None;
    let mut correct: Option<Tensor<1, Int>> = None;
    for start in (0..n).step_by(EVAL_CHUNK) {
        let range = start..(start + EVAL_CHUNK).min(n);
        let rows = (range.end - range.start) as f64;
        let outputs = logits(data.features.clone().slice(range.clone()));
        let labels = data.labels.clone().slice(range);
        let chunk_loss = loss
            .compute(outputs.clone(), labels.clone())
            .mul_scalar(rows);
        let chunk_correct = loss.predict(outputs).equal(labels).int().sum();
        loss_sum = Some(match loss_sum {
            Some(total) => total + chunk_loss,
            None => chunk_loss,
        });
        correct = Some(match correct {
            Some(total) => total + chunk_correct,
            None => chunk_correct,
        });
    }
    let loss_sum: f32 = loss_sum.expect("n > 0").into_scalar();
    let correct: i64 = correct.expect("n > 0").into_scalar();
    (f64::from(loss_sum) / n as f64, correct as f64 / n as f64)
}

/// What a [`StepObserver`] sees after each backward pass, before the optimizer step.
pub struct StepView<'a, M> {
    /// The epoch (1-based).
    pub epoch: usize,
    /// The batch within the epoch (0-based).
    pub batch: usize,
    /// Optimizer steps taken before this one.
    pub step: usize,
    /// The model whose gradients were just computed (parameters as before the step).
    pub model: &'a M,
    /// The gradients of the batch loss (`param.val().grad(grads)`).
    pub grads: &'a Gradients,
    /// The batch loss (one element, still on the device).
    pub loss: &'a Tensor<1>,
    /// The model's outputs for the batch.
    pub outputs: &'a Tensor<2>,
    /// The batch labels.
    pub labels: &'a Tensor<1, Int>,
}

/// Watches every training step, e.g. to record gradient magnitudes per layer (notebook 004)
/// or the running accuracy over an epoch. Keep the work on the device: reading a value back
/// every step synchronizes the GPU.
pub trait StepObserver<M> {
    /// Called after the backward pass of every step.
    fn after_backward(&mut self, view: &StepView<'_, M>);
}

/// An observer that does nothing.
impl<M> StepObserver<M> for () {
    fn after_backward(&mut self, _view: &StepView<'_, M>) {}
}

/// Trains `model` on `train`, logging metrics on `train` and `test`.
///
/// `model` must live on an autodiff device (`device.clone().autodiff()`); the data may live on
/// the plain device (it is treated as constant). Returns the trained model and its
/// [`History`]. A non-finite training loss at a logging point stops the run with
/// [`RunStatus::Diverged`]; the model is returned as it was at that point.
///
/// # Panics
/// If `config` or `optimizer` fail validation; validate user input first.
pub fn fit<M: Classifier>(
    model: M,
    train: &DeviceData,
    test: Option<&DeviceData>,
    config: &FitConfig,
    name: &str,
    progress: &mut dyn Progress,
) -> (M, History) {
    fit_observed(model, train, test, config, name, progress, &mut ())
}

/// [`fit`] with an observer called after every backward pass (see [`StepObserver`]).
///
/// # Panics
/// If `config` fails validation.
pub fn fit_observed<M: Classifier>(
    mut model: M,
    train: &DeviceData,
    test: Option<&DeviceData>,
    config: &FitConfig,
    name: &str,
    progress: &mut dyn Progress,
    observer: &mut dyn StepObserver<M>,
) -> (M, History) {
    if let Err(e) = config.validate() {
        panic!("invalid training configuration for {name}: {e}");
    }
    let started = Instant::now();
    let loss = config.loss;
    let mut optim = config.optimizer.build();
    let lr = config.optimizer.learning_rate();
    let mut rng = seeded_rng(config.seed);
    let n = train.len();
    let mut points = Vec::new();
    let mut steps = 0;
    let mut status = RunStatus::Ok;
    progress.start(name, config.epochs);

    for epoch in 1..=config.epochs {
        // This epoch's rows in order, the rows per step, and the number of steps; every
        // step is a contiguous slice of the epoch's tensors.
        let (x, y, size, batches) = match config.batching {
            Batching::FullBatch => (train.features.clone(), train.labels.clone(), n, 1),
            Batching::MiniBatch {
                size,
                shuffle,
                drop_last,
            } => {
                let (x, y) = epoch_order(train, shuffle, &mut rng);
                let batches = if drop_last {
                    n / size
                } else {
                    n.div_ceil(size)
                };
                (x, y, size, batches)
            }
            Batching::Sampled { size } => {
                // One upload and one gather per epoch: n steps of `size` rows drawn with
                // replacement.
                let drawn: Vec<i64> = (0..n * size)
                    .map(|_| rng.random_range(0..n as i64))
                    .collect();
                let index = Tensor::<1, Int>::from_data(
                    TensorData::new(drawn, [n * size]),
                    &train.labels.device(),
                );
                let x = train.features.clone().select(0, index.clone());
                (x, train.labels.clone().select(0, index), size, n)
            }
        };
        let rows = x.dims()[0];
        for b in 0..batches {
            let range = b * size..((b + 1) * size).min(rows);
            let at = Position {
                epoch,
                batch: b,
                step: steps,
            };
            let batch = if batches == 1 && range.len() == rows {
                (x.clone(), y.clone())
            } else {
                (x.clone().slice(range.clone()), y.clone().slice(range))
            };
            model = step(model, &mut optim, lr, loss, batch, at, observer);
            steps += 1;
        }
        progress.epoch(epoch);

        if epoch == 1 || epoch % config.log_every == 0 || epoch == config.epochs {
            let eval_model = model.valid();
            let (train_loss, train_accuracy) = evaluate(&eval_model, loss, train);
            let (test_loss, test_accuracy) = match test {
                Some(test) => {
                    let (l, a) = evaluate(&eval_model, loss, test);
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
            let finite = train_loss.is_finite();
            points.push(point);
            if !finite {
                status = RunStatus::Diverged {
                    epoch,
                    loss: train_loss.to_string(),
                };
                break;
            }
        }
    }
    progress.finish();
    let history = History {
        points,
        status,
        steps,
        seconds: started.elapsed().as_secs_f64(),
    };
    (model, history)
}

/// The training set in this epoch's order: reshuffled on the device when `shuffle` is set
/// (one gather per epoch, so batches are contiguous slices).
pub(crate) fn epoch_order(
    train: &DeviceData,
    shuffle: bool,
    rng: &mut unfold_data::SeededRng,
) -> (Tensor<2>, Tensor<1, Int>) {
    if !shuffle {
        return (train.features.clone(), train.labels.clone());
    }
    let n = train.len();
    let mut order: Vec<i64> = (0..n as i64).collect();
    order.shuffle(rng);
    let index = Tensor::<1, Int>::from_data(TensorData::new(order, [n]), &train.labels.device());
    (
        train.features.clone().select(0, index.clone()),
        train.labels.clone().select(0, index),
    )
}

/// Where a step is in the run.
#[derive(Clone, Copy)]
struct Position {
    epoch: usize,
    batch: usize,
    step: usize,
}

/// One optimizer step on one batch `(x, y)`: forward, loss, backward, update. Returns the
/// updated model and the batch loss, still on the device (reading it back synchronizes).
/// This is the step [`fit`] takes; benchmarks and custom loops can call it directly.
pub fn train_step<M: Classifier>(
    model: M,
    optim: &mut burn::optim::ModuleOptimizer,
    learning_rate: f64,
    loss: Loss,
    batch: (Tensor<2>, Tensor<1, Int>),
    observer: &mut dyn StepObserver<M>,
) -> (M, Tensor<1>) {
    let at = Position {
        epoch: 1,
        batch: 0,
        step: 0,
    };
    step_with_loss(model, optim, learning_rate, loss, batch, at, observer)
}

/// One optimizer step on one batch.
fn step<M: Classifier>(
    model: M,
    optim: &mut burn::optim::ModuleOptimizer,
    lr: f64,
    loss: Loss,
    batch: (Tensor<2>, Tensor<1, Int>),
    at: Position,
    observer: &mut dyn StepObserver<M>,
) -> M {
    step_with_loss(model, optim, lr, loss, batch, at, observer).0
}

fn step_with_loss<M: Classifier>(
    model: M,
    optim: &mut burn::optim::ModuleOptimizer,
    lr: f64,
    loss: Loss,
    (x, y): (Tensor<2>, Tensor<1, Int>),
    at: Position,
    observer: &mut dyn StepObserver<M>,
) -> (M, Tensor<1>) {
    let outputs = model.logits(x);
    let value = loss.compute(outputs.clone(), y.clone());
    let grads = value.backward();
    observer.after_backward(&StepView {
        epoch: at.epoch,
        batch: at.batch,
        step: at.step,
        model: &model,
        grads: &grads,
        loss: &value,
        outputs: &outputs,
        labels: &y,
    });
    let grads = GradientsParams::from_grads(grads, &model);
    (optim.step(lr, model, grads), value.inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::NoProgress;
    use burn::tensor::Device;
    use unfold_data::LabeledPoints;
    use unfold_models::{Activation, MlpConfig};

    fn device() -> Device {
        Device::flex()
    }

    /// Two well-separated blobs: any classifier should reach 100%.
    fn blobs() -> LabeledPoints {
        let mut features = Vec::new();
        let mut labels = Vec::new();
        for i in 0..40 {
            let label = (i % 2) as u32;
            let offset = if label == 0 { -2.0 } else { 2.0 };
            features.push(offset + 0.01 * i as f32);
            features.push(offset - 0.02 * i as f32 / 4.0);
            labels.push(label);
        }
        LabeledPoints::new(2, features, labels).unwrap()
    }

    #[test]
    fn full_batch_learns_separable_data() {
        let device = device();
        device.seed(1);
        let data = blobs().to_device(&device);
        let model =
            MlpConfig::new(vec![2, 1], Activation::Identity).init(&device.clone().autodiff());
        let config = FitConfig {
            loss: Loss::BceWithLogits,
            optimizer: OptimizerConfig::adam(0.05),
            epochs: 60,
            batching: Batching::FullBatch,
            log_every: 20,
            seed: 0,
        };
        let (_, history) = fit(model, &data, Some(&data), &config, "blobs", &mut NoProgress);
        assert_eq!(history.status, RunStatus::Ok);
        assert_eq!(history.steps, 60);
        let epochs: Vec<usize> = history.points.iter().map(|p| p.epoch).collect();
        assert_eq!(epochs, vec![1, 20, 40, 60]);
        let last = history.last().unwrap();
        assert_eq!(last.train_accuracy, 1.0);
        assert!(last.train_loss < history.points[0].train_loss);
    }

    #[test]
    fn mini_batches_count_steps_and_cross_entropy_learns() {
        let device = device();
        device.seed(2);
        let data = blobs().to_device(&device);
        let model =
            MlpConfig::new(vec![2, 8, 2], Activation::Relu).init(&device.clone().autodiff());
        let config = FitConfig {
            loss: Loss::CrossEntropy,
            optimizer: OptimizerConfig::adamw(0.05),
            epochs: 10,
            batching: Batching::MiniBatch {
                size: 16,
                shuffle: true,
                drop_last: true,
            },
            log_every: 5,
            seed: 3,
        };
        let (_, history) = fit(model, &data, None, &config, "blobs", &mut NoProgress);
        assert_eq!(history.steps, 10 * (40 / 16));
        assert_eq!(history.last().unwrap().train_accuracy, 1.0);
        assert!(history.last().unwrap().test_accuracy.is_none());
    }

    #[test]
    fn sampled_single_examples_take_one_step_per_example_and_learn() {
        let device = device();
        device.seed(5);
        let data = blobs().to_device(&device);
        let model =
            MlpConfig::new(vec![2, 1], Activation::Identity).init(&device.clone().autodiff());
        let config = FitConfig {
            loss: Loss::Mse,
            optimizer: OptimizerConfig::sgd(0.02, 0.9),
            epochs: 5,
            batching: Batching::Sampled { size: 1 },
            log_every: 5,
            seed: 6,
        };
        let (_, history) = fit(model, &data, None, &config, "blobs", &mut NoProgress);
        assert_eq!(history.steps, 5 * 40);
        assert_eq!(history.last().unwrap().train_accuracy, 1.0);
        let bad = FitConfig {
            batching: Batching::Sampled { size: 0 },
            ..config
        };
        assert!(bad.validate().unwrap_err().contains("batch size"));
    }

    #[test]
    fn divergence_is_detected_not_plotted() {
        let device = device();
        device.seed(4);
        let data = blobs().to_device(&device);
        let model =
            MlpConfig::new(vec![2, 8, 1], Activation::Relu).init(&device.clone().autodiff());
        // An absurd learning rate with MSE blows the weights up to inf/NaN.
        let config = FitConfig {
            loss: Loss::Mse,
            optimizer: OptimizerConfig::sgd(1e12, 0.0),
            epochs: 50,
            batching: Batching::FullBatch,
            log_every: 5,
            seed: 0,
        };
        let (_, history) = fit(model, &data, None, &config, "exploding", &mut NoProgress);
        assert!(history.diverged(), "{history:?}");
        assert!(history.points.len() < 11, "stopped early");
    }

    /// Counts steps and keeps the first layer's mean absolute weight gradient on the device.
    struct GradientRecorder {
        steps: Vec<(usize, usize, usize)>,
        magnitudes: Vec<Tensor<1>>,
    }

    impl StepObserver<unfold_models::Mlp> for GradientRecorder {
        fn after_backward(&mut self, view: &StepView<'_, unfold_models::Mlp>) {
            self.steps.push((view.epoch, view.batch, view.step));
            let grad = view.model.layers[0].weight.val().grad(view.grads).unwrap();
            self.magnitudes.push(grad.abs().mean());
            assert_eq!(view.outputs.dims()[0], view.labels.dims()[0]);
        }
    }

    #[test]
    fn observer_sees_every_step_with_its_gradients() {
        let device = device();
        device.seed(5);
        let data = blobs().to_device(&device);
        let model =
            MlpConfig::new(vec![2, 4, 2], Activation::Relu).init(&device.clone().autodiff());
        let config = FitConfig {
            loss: Loss::CrossEntropy,
            optimizer: OptimizerConfig::sgd(0.1, 0.0),
            epochs: 2,
            batching: Batching::MiniBatch {
                size: 16,
                shuffle: false,
                drop_last: false,
            },
            log_every: 1,
            seed: 0,
        };
        let mut recorder = GradientRecorder {
            steps: Vec::new(),
            magnitudes: Vec::new(),
        };
        let (_, history) = fit_observed(
            model,
            &data,
            None,
            &config,
            "observed",
            &mut NoProgress,
            &mut recorder,
        );
        assert_eq!(history.steps, 6);
        assert_eq!(
            recorder.steps,
            vec![
                (1, 0, 0),
                (1, 1, 1),
                (1, 2, 2),
                (2, 0, 3),
                (2, 1, 4),
                (2, 2, 5)
            ]
        );
        let magnitudes: Vec<f32> = Tensor::cat(recorder.magnitudes, 0)
            .into_data()
            .try_to_vec()
            .unwrap();
        assert!(magnitudes.iter().all(|m| m.is_finite() && *m > 0.0));
    }

    #[test]
    fn chunked_evaluation_matches_one_forward() {
        let device = device();
        device.seed(6);
        let n = EVAL_CHUNK * 2 + 123;
        let features: Vec<f32> = (0..n * 2)
            .map(|i| ((i * 37) % 101) as f32 / 50.0 - 1.0)
            .collect();
        let labels: Vec<u32> = (0..n).map(|i| (i % 3) as u32).collect();
        let data = LabeledPoints::new(2, features, labels)
            .unwrap()
            .to_device(&device);
        let model = MlpConfig::new(vec![2, 5, 3], Activation::Relu).init(&device);
        let (loss, acc) = evaluate(&model, Loss::CrossEntropy, &data);
        let outputs = model.forward(data.features.clone());
        let expected: f32 = Loss::CrossEntropy
            .compute(outputs.clone(), data.labels.clone())
            .into_scalar();
        let expected_acc = accuracy(Loss::CrossEntropy.predict(outputs), data.labels.clone());
        assert!(
            (loss - f64::from(expected)).abs() < 1e-4,
            "{loss} vs {expected}"
        );
        assert!((acc - expected_acc).abs() < 1e-12);
    }
}
