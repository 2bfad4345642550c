//! The workloads themselves.

use std::path::Path;
use std::time::Instant;

use burn::tensor::{Device, Distribution, Int, Tensor};
use serde::{Deserialize, Serialize};
use unfold_data::{
    DatasetKind, DeviceData, Normalization, Spirals2dConfig, Spirals3dConfig, Split, load,
    load_from, locate, spirals_2d, spirals_3d, xor_data,
};
use unfold_device::SelectedDevice;
use unfold_models::{Activation, Mlp, MlpConfig, VanishingModel};
use unfold_train::{
    Batching, FitConfig, GradientProbe, Loss, NoProgress, OptimizerConfig, StepObserver,
    train_step, train_xor,
};

use crate::{BenchSettings, Measurement, summarize};

/// The layers whose gradients notebook 004 records (its first three), as the vanishing
/// experiment does.
const VANISHING_RECORDED_LAYERS: usize = 3;

/// One benchmark workload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Workload {
    /// Notebook 000's 3-3-2-1 ReLU model, 800 points, full batch, Adam.
    W1,
    /// Notebook 003's 2-10-10-3 ReLU MLP, batches of 32, AdamW.
    W2,
    /// Notebook 001's 784-400-400-10 MLP, batches of 128, Adam, one epoch over 48,000 images.
    W3,
    /// Notebook 004's 784-512-1024-512-10 sigmoid network, batches of 64, SGD with momentum,
    /// recording the mean absolute weight gradient of three layers every batch.
    W4,
    /// Notebook 001's XOR network, d = 5, 10 sigmoid hidden units, single-example SGD with
    /// momentum (pure per-step overhead).
    W5,
    /// Decoding MNIST's 60,000-image training IDX file.
    W6,
}

impl Workload {
    /// Every workload, in order.
    pub const ALL: [Workload; 6] = [
        Workload::W1,
        Workload::W2,
        Workload::W3,
        Workload::W4,
        Workload::W5,
        Workload::W6,
    ];

    /// `W1` … `W6`.
    pub fn id(self) -> &'static str {
        match self {
            Workload::W1 => "W1",
            Workload::W2 => "W2",
            Workload::W3 => "W3",
            Workload::W4 => "W4",
            Workload::W5 => "W5",
            Workload::W6 => "W6",
        }
    }

    /// A one-line description.
    pub fn description(self) -> &'static str {
        match self {
            Workload::W1 => "spirals3d 3-3-2-1 ReLU, 800 points, full batch, Adam",
            Workload::W2 => "spirals2d 2-10-10-3 ReLU, batch 32, AdamW",
            Workload::W3 => "MNIST MLP 784-400-400-10, batch 128, Adam, 48,000 images",
            Workload::W4 => "Fashion 784-512-1024-512-10 sigmoid, batch 64, SGD+momentum, grads",
            Workload::W5 => "XOR FFNet d=5, 10 sigmoid hidden, single-example SGD+momentum",
            Workload::W6 => "decode MNIST train IDX (60,000 images)",
        }
    }

    /// The unit of the measured value.
    pub fn unit(self) -> &'static str {
        match self {
            Workload::W1 | Workload::W2 | Workload::W5 => "steps/s",
            Workload::W3 | Workload::W4 => "images/s",
            Workload::W6 => "s",
        }
    }

    /// Whether the workload runs on a device (W6 is host-only).
    pub fn uses_device(self) -> bool {
        self != Workload::W6
    }

    /// Parses `W1` … `W6` (case-insensitive).
    pub fn parse(name: &str) -> Result<Workload, String> {
        Workload::ALL
            .into_iter()
            .find(|w| w.id().eq_ignore_ascii_case(name.trim()))
            .ok_or_else(|| {
                let ids: Vec<&str> = Workload::ALL.iter().map(|w| w.id()).collect();
                format!("unknown workload '{name}'; use one of {}", ids.join(", "))
            })
    }
}

type Batch = (Tensor<2>, Tensor<1, Int>);

/// Contiguous batches of `size` rows (the last one may be shorter).
fn batches(data: &DeviceData, size: usize) -> Vec<Batch> {
    let n = data.len();
    (0..n.div_ceil(size))
        .map(|b| {
            let range = b * size..((b + 1) * size).min(n);
            (
                data.features.clone().slice(range.clone()),
                data.labels.clone().slice(range),
            )
        })
        .collect()
}

/// A model, its optimizer and its batches, ready to take timed steps (one per call of
/// [`Trainer::run`]'s count). Keeps training across calls.
pub struct Trainer {
    model: Option<Mlp>,
    optim: burn::optim::ModuleOptimizer,
    learning_rate: f64,
    loss: Loss,
    batches: Vec<Batch>,
    cursor: usize,
    probe: Option<GradientProbe>,
    /// Examples per step (the batch size; for W1 the whole set).
    pub examples_per_step: usize,
}

impl Trainer {
    fn new(model: Mlp, optimizer: &OptimizerConfig, loss: Loss, batches: Vec<Batch>) -> Self {
        let examples_per_step = batches.first().map_or(0, |b| b.1.dims()[0]);
        Self {
            model: Some(model),
            optim: optimizer.build(),
            learning_rate: optimizer.learning_rate(),
            loss,
            batches,
            cursor: 0,
            probe: None,
            examples_per_step,
        }
    }

    /// Takes `steps` optimizer steps, cycling through the batches, then reads the last loss
    /// (and any recorded gradients) back, which waits for the device; returns the seconds.
    pub fn run(&mut self, steps: usize) -> f64 {
        let started = Instant::now();
        let mut model = self.model.take().expect("the trainer owns its model");
        let mut last = None;
        for _ in 0..steps {
            let batch = self.batches[self.cursor % self.batches.len()].clone();
            self.cursor += 1;
            let observer: &mut dyn StepObserver<Mlp> = match &mut self.probe {
                Some(probe) => probe,
                None => &mut (),
            };
            let (next, loss) = train_step(
                model,
                &mut self.optim,
                self.learning_rate,
                self.loss,
                batch,
                observer,
            );
            model = next;
            last = Some(loss);
        }
        let loss: f32 = last.map_or(0.0, |l| l.into_scalar());
        std::hint::black_box(loss);
        if let Some(probe) = self.probe.take() {
            std::hint::black_box(probe.read());
            self.probe = Some(GradientProbe::new(VANISHING_RECORDED_LAYERS, 100));
        }
        self.model = Some(model);
        started.elapsed().as_secs_f64()
    }
}

/// `n` rows of 784 standard-normal features with labels 0..9, for when MNIST is missing (speed
/// does not depend on the pixel values).
fn synthetic_images(n: usize, device: &Device) -> DeviceData {
    let labels: Vec<i64> = (0..n as i64).map(|i| i % 10).collect();
    DeviceData {
        features: Tensor::random([n, 784], Distribution::Normal(0.0, 1.0), device),
        labels: Tensor::from_data(burn::tensor::TensorData::new(labels, [n]), device),
    }
}

/// The training images of `kind` on the device (the first `n`), or synthetic ones.
fn image_data(
    kind: DatasetKind,
    n: usize,
    data_dir: Option<&Path>,
    device: &Device,
) -> (DeviceData, Option<String>) {
    match load(kind, Split::Train, data_dir) {
        Ok(set) => (
            set.head(n).to_device_flat(device, Normalization::MNIST),
            None,
        ),
        Err(_) => (
            synthetic_images(n, device),
            Some(format!(
                "{kind} not found: synthetic images of the same shape"
            )),
        ),
    }
}

/// The training workloads' [`Trainer`], with the steps one timed run takes and a remark
/// (synthetic data) if any. `None` for W6, which trains nothing.
pub fn trainer(
    workload: Workload,
    device: &Device,
    quick: bool,
    data_dir: Option<&Path>,
) -> Option<(Trainer, usize, Option<String>)> {
    let autodiff = device.clone().autodiff();
    autodiff.seed(7);
    let relu = |widths: Vec<usize>| MlpConfig::new(widths, Activation::Relu).init(&autodiff);
    Some(match workload {
        Workload::W1 => {
            let data = spirals_3d(&Spirals3dConfig::default(), 42)
                .split(0.8, 42)
                .0
                .to_device(device);
            let all = vec![(data.features, data.labels)];
            // Two classes, one logit: BCE with logits, as the notebook.
            let t = Trainer::new(
                relu(vec![3, 3, 2, 1]),
                &OptimizerConfig::adam(0.01),
                Loss::BceWithLogits,
                all,
            );
            (t, if quick { 30 } else { 300 }, None)
        }
        Workload::W2 => {
            let data = spirals_2d(&Spirals2dConfig::default(), 12345)
                .split(0.8, 12345)
                .0
                .to_device(device);
            let t = Trainer::new(
                relu(vec![2, 10, 10, 3]),
                &OptimizerConfig::adamw(1e-3),
                Loss::CrossEntropy,
                batches(&data, 32),
            );
            (t, if quick { 30 } else { 300 }, None)
        }
        Workload::W3 => {
            let n = if quick { 1280 } else { 48_000 };
            let (data, note) = image_data(DatasetKind::Mnist, n, data_dir, device);
            let t = Trainer::new(
                relu(vec![784, 400, 400, 10]),
                &OptimizerConfig::adam(1e-3),
                Loss::CrossEntropy,
                batches(&data, 128),
            );
            (t, n / 128, note)
        }
        Workload::W4 => {
            let steps = if quick { 10 } else { 200 };
            let (data, note) = image_data(DatasetKind::FashionMnist, steps * 64, data_dir, device);
            let mut t = Trainer::new(
                VanishingModel::Sigmoid.config(784, 10).init(&autodiff),
                &OptimizerConfig::sgd(0.01, 0.5),
                Loss::CrossEntropy,
                batches(&data, 64),
            );
            t.probe = Some(GradientProbe::new(VANISHING_RECORDED_LAYERS, 100));
            (t, steps, note)
        }
        Workload::W5 | Workload::W6 => return None,
    })
}

/// Times `steps` single-example XOR steps (W5, rounded up to whole epochs of 32); returns
/// `(steps taken, seconds)`. Each call trains a fresh network, as the notebook's grid does.
pub fn xor_steps(steps: usize, device: &Device) -> (usize, f64) {
    let data = xor_data(5).expect("d = 5 is valid");
    let epochs = steps.div_ceil(data.len()).max(1);
    // Notebook 001's `train`: MSE, SGD (lr 0.02, momentum 0.9), single examples.
    let fit_config = FitConfig {
        loss: Loss::Mse,
        optimizer: OptimizerConfig::sgd(0.02, 0.9),
        epochs,
        batching: Batching::Sampled { size: 1 },
        log_every: 5,
        seed: 0,
    };
    let started = Instant::now();
    let (_, history) = train_xor(&data, 10, &fit_config, 0, device, &mut NoProgress);
    (history.steps, started.elapsed().as_secs_f64())
}

/// Runs one workload: a warm-up, then `settings.repeats` timed runs.
///
/// # Errors
/// W6 without the MNIST files.
pub fn run_workload(
    workload: Workload,
    selected: &SelectedDevice,
    settings: &BenchSettings,
    data_dir: Option<&Path>,
) -> anyhow::Result<Measurement> {
    let (mut run, note): (Box<dyn FnMut() -> f64>, Option<String>) =
        match trainer(workload, &selected.device, settings.quick, data_dir) {
            Some((mut t, steps, note)) => {
                let per_step = if workload.unit() == "images/s" {
                    t.examples_per_step as f64
                } else {
                    1.0
                };
                (
                    Box::new(move || steps as f64 * per_step / t.run(steps)),
                    note,
                )
            }
            None if workload == Workload::W5 => {
                let device = selected.device.clone();
                let steps = if settings.quick { 64 } else { 3200 };
                (
                    Box::new(move || {
                        let (taken, seconds) = xor_steps(steps, &device);
                        taken as f64 / seconds
                    }),
                    None,
                )
            }
            None => {
                let dir = locate(DatasetKind::Mnist, data_dir)?;
                (
                    Box::new(move || {
                        let started = Instant::now();
                        let set =
                            load_from(&dir, Split::Train).expect("MNIST was readable a moment ago");
                        std::hint::black_box(set.len());
                        started.elapsed().as_secs_f64()
                    }),
                    None,
                )
            }
        };
    let warm = Instant::now();
    run();
    let warmup_seconds = warm.elapsed().as_secs_f64();
    let values: Vec<f64> = (0..settings.repeats.max(1)).map(|_| run()).collect();
    let (median, min, max) = summarize(&values);
    Ok(Measurement {
        id: workload.id().into(),
        workload: workload.description().into(),
        backend: if workload.uses_device() {
            selected.backend.name().into()
        } else {
            "host".into()
        },
        device: if workload.uses_device() {
            selected.description.clone()
        } else {
            "host CPU".into()
        },
        unit: workload.unit().into(),
        median,
        min,
        max,
        values,
        warmup_seconds,
        note,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use unfold_device::{Backend, select_device};

    #[test]
    fn every_training_workload_runs_quickly_on_flex() {
        let selected = select_device(Backend::Flex, 0).unwrap();
        let settings = BenchSettings {
            repeats: 1,
            quick: true,
        };
        for w in [
            Workload::W1,
            Workload::W2,
            Workload::W3,
            Workload::W4,
            Workload::W5,
        ] {
            let m = run_workload(w, &selected, &settings, None).unwrap();
            assert_eq!(m.values.len(), 1);
            assert!(m.median > 0.0 && m.median.is_finite(), "{m:?}");
            assert_eq!(m.unit, w.unit());
        }
    }

    #[test]
    fn parses_ids() {
        assert_eq!(Workload::parse("w3"), Ok(Workload::W3));
        assert!(Workload::parse("W9").unwrap_err().contains("W1"));
    }
}
