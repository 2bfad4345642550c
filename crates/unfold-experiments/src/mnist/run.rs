//! Notebook 001, question 1: multiclass logistic regression written from scratch against a
//! 784-400-400-10 ReLU MLP on MNIST, then the initialization study, the optimizer study, the
//! reflection runs, and (beyond the notebook, whose topic list names it) batch normalization.
//!
//! The 60,000 training images are split 80/20 (seeded) into training and validation sets; the
//! 10,000 test images are only used for the final test accuracies. Every split lives on the
//! device as one tensor and batches are slices of it.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use unfold_data::{DatasetKind, DeviceData, ImageSet, Normalization, Split};
use unfold_models::{Activation, LayerInit, MlpConfig, SoftmaxRegression};
use unfold_train::{
    Batching, EarlyStopping, FitConfig, GradientDescentConfig, Loss, OptimizerConfig, evaluate,
    evaluate_with, fit_softmax_regression,
};
use unfold_viz::{Figure, Panel};

use crate::plots::{
    Metric, Series, classes, curves_panel_held_out, divergence_note, image_tile, save, series_panel,
};
use crate::experiment::ExperimentOutcome;
use crate::results::{Metrics, Report, RunMetrics, number, percent};
use crate::legacy::{Started, begin, finish};
use crate::runs::{Checkpoints, load_images, results_table, spread, train_mlp};
use crate::{Profile, RunContext};

/// The experiment's name on the command line and in results.
pub const NAME: &str = "mnist";

/// TEMPORARY marker for the registry until this experiment implements `Experiment`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Mnist;

/// The logistic-regression run's name in the results.
pub const LOGISTIC: &str = "logistic regression";

/// Settings of the from-scratch logistic regression: the notebook's
/// `logistic_regression(train_loader, val_loader, epochs=20, lr=0.1, tol=1e-6)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogisticSettings {
    /// Gradient-descent step size (0.1).
    pub learning_rate: f64,
    /// Epochs (20).
    pub epochs: usize,
    /// Stop when an epoch's mean gradient norm falls below this (1e-6).
    pub tolerance: f64,
}

/// Settings of the MNIST experiment. [`Default`] is the notebook's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MnistConfig {
    /// Fraction of the training images used for training; the rest validate (0.8).
    pub train_fraction: f64,
    /// Use only the first this many training images (`None`: all 60,000).
    pub train_images: Option<usize>,
    /// Use only the first this many test images (`None`: all 10,000).
    pub test_images: Option<usize>,
    /// Mini-batch size for every model (128, training batches reshuffled every epoch).
    pub batch_size: usize,
    /// The from-scratch logistic regression.
    pub logistic: LogisticSettings,
    /// MLP widths (784-400-400-10, ReLU between layers).
    pub widths: Vec<usize>,
    /// MLP epochs (20).
    pub epochs: usize,
    /// The baseline optimizer (Adam with PyTorch's defaults, lr 1e-3).
    pub baseline_optimizer: OptimizerConfig,
    /// The initialization study; the first entry is the baseline (Burn's default, which is
    /// PyTorch's Kaiming-uniform).
    pub initializations: Vec<LayerInit>,
    /// The optimizers compared with the baseline, each at PyTorch's default learning rate
    /// (SGD 1e-3, RMSProp 1e-2, Adagrad 1e-2).
    pub optimizers: Vec<OptimizerConfig>,
    /// The early-stopping rule evaluated on the baseline MLP's validation accuracy.
    pub early_stopping: EarlyStopping,
    /// Run the reflection pair (best initialization × worst optimizer, worst × best).
    pub reflection: bool,
    /// Train the baseline MLP with batch normalization after each hidden layer too.
    pub batch_norm: bool,
    /// Misclassified test digits shown for the logistic regression.
    pub misclassified_shown: usize,
}

impl Default for MnistConfig {
    fn default() -> Self {
        Self {
            train_fraction: 0.8,
            train_images: None,
            test_images: None,
            batch_size: 128,
            logistic: LogisticSettings {
                learning_rate: 0.1,
                epochs: 20,
                tolerance: 1e-6,
            },
            widths: vec![784, 400, 400, 10],
            epochs: 20,
            baseline_optimizer: OptimizerConfig::adam(1e-3),
            initializations: vec![
                LayerInit::Default,
                LayerInit::Zeros,
                LayerInit::Uniform {
                    low: 0.0,
                    high: 1.0,
                },
                LayerInit::Normal {
                    mean: 0.0,
                    std: 1.0,
                },
                LayerInit::XavierUniform,
            ],
            optimizers: vec![
                OptimizerConfig::sgd(1e-3, 0.0),
                OptimizerConfig::rmsprop(1e-2),
                OptimizerConfig::adagrad(1e-2),
            ],
            early_stopping: EarlyStopping {
                patience: 3,
                min_delta: 0.001,
                maximize: true,
            },
            reflection: true,
            batch_norm: true,
            misclassified_shown: 12,
        }
    }
}

impl MnistConfig {
    /// The notebook's settings (`full`) or the same studies on 3,000 training and 1,000 test
    /// images for 3 epochs (`quick`).
    pub fn for_profile(profile: Profile) -> Self {
        match profile {
            Profile::Full => Self::default(),
            Profile::Quick => Self {
                train_images: Some(3000),
                test_images: Some(1000),
                logistic: LogisticSettings {
                    epochs: 3,
                    ..Self::default().logistic
                },
                epochs: 3,
                ..Self::default()
            },
        }
    }

    /// Checks every value, with a message naming the bad one.
    pub fn validate(&self) -> Result<(), String> {
        if !(self.train_fraction > 0.0 && self.train_fraction < 1.0) {
            return Err(format!(
                "train fraction must be in (0, 1), got {}",
                self.train_fraction
            ));
        }
        if self.train_images.is_some_and(|n| n < 10) || self.test_images == Some(0) {
            return Err("use at least 10 training images and 1 test image".into());
        }
        if self.widths.first() != Some(&784) || self.widths.last() != Some(&10) {
            return Err(format!(
                "MNIST needs 784 inputs and 10 outputs, got widths {:?}",
                self.widths
            ));
        }
        if self.initializations.is_empty() {
            return Err("the initialization study needs at least one initialization".into());
        }
        for init in &self.initializations {
            init.validate()?;
        }
        for optimizer in &self.optimizers {
            optimizer.validate()?;
        }
        self.early_stopping.validate()?;
        MlpConfig::new(self.widths.clone(), Activation::Relu).validate()?;
        self.logistic_config(0).validate()?;
        self.fit_config(self.baseline_optimizer.clone(), 0)
            .validate()
    }

    fn logistic_config(&self, seed: u64) -> GradientDescentConfig {
        GradientDescentConfig {
            learning_rate: self.logistic.learning_rate,
            epochs: self.logistic.epochs,
            batch_size: self.batch_size,
            tolerance: self.logistic.tolerance,
            seed,
        }
    }

    fn fit_config(&self, optimizer: OptimizerConfig, seed: u64) -> FitConfig {
        FitConfig {
            loss: Loss::CrossEntropy,
            optimizer,
            epochs: self.epochs,
            batching: Batching::MiniBatch {
                size: self.batch_size,
                shuffle: true,
                drop_last: false,
            },
            log_every: 1,
            seed,
        }
    }
}

/// The three splits on the device, and the host copies the figures need.
struct MnistData {
    /// The three splits on the context's device.
    splits: DeviceSplits,
    /// The host copies, for the other devices of a spread study.
    host: [ImageSet; 3],
    test_images: ImageSet,
    sanity: String,
}

/// Training, validation and test sets on one device.
struct DeviceSplits {
    train: DeviceData,
    validation: DeviceData,
    test: DeviceData,
}

impl MnistData {
    fn on_device(&self, device: &burn::tensor::Device) -> DeviceSplits {
        let [train, validation, test] = &self.host;
        DeviceSplits {
            train: train.to_device_flat(device, Normalization::UNIT),
            validation: validation.to_device_flat(device, Normalization::UNIT),
            test: test.to_device_flat(device, Normalization::UNIT),
        }
    }
}

impl std::ops::Deref for MnistData {
    type Target = DeviceSplits;

    fn deref(&self) -> &DeviceSplits {
        &self.splits
    }
}

fn load_data(config: &MnistConfig, ctx: &RunContext) -> anyhow::Result<MnistData> {
    let full = load_images(ctx, DatasetKind::Mnist, Split::Train, config.train_images)?;
    let test = load_images(ctx, DatasetKind::Mnist, Split::Test, config.test_images)?;
    let (train, validation) = full.split(config.train_fraction, ctx.seed);
    let device = &ctx.device;
    let train_device = train.to_device_flat(device, Normalization::UNIT);
    let batch = config.batch_size.min(train.len());
    let first = train.head(batch);
    let labels = first.labels();
    let pixels = first.to_f32(Normalization::UNIT);
    let (lo, hi) = pixels
        .iter()
        .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &p| {
            (lo.min(p), hi.max(p))
        });
    let sanity = format!(
        "Batch: [{batch}, 1, {}, {}] [{batch}] | label range = ({}, {}) | pixel range = ({lo:.1}, {hi:.1})",
        first.rows(),
        first.cols(),
        labels.iter().min().copied().unwrap_or(0),
        labels.iter().max().copied().unwrap_or(0),
    );
    Ok(MnistData {
        splits: DeviceSplits {
            train: train_device,
            validation: validation.to_device_flat(device, Normalization::UNIT),
            test: test.to_device_flat(device, Normalization::UNIT),
        },
        host: [train, validation, test.clone()],
        test_images: test,
        sanity,
    })
}

/// One MLP configuration of the studies.
#[derive(Debug, Clone, PartialEq)]
struct RunSpec {
    init: LayerInit,
    optimizer: OptimizerConfig,
    batch_norm: bool,
}

impl RunSpec {
    fn name(&self) -> String {
        format!(
            "MLP{} {} + {}",
            if self.batch_norm { "+BN" } else { "" },
            init_name(&self.init),
            optimizer_name(&self.optimizer)
        )
    }
}

fn init_name(init: &LayerInit) -> String {
    match *init {
        LayerInit::Default => "default init".into(),
        LayerInit::Zeros => "zeros".into(),
        LayerInit::Uniform { low, high } => format!("uniform[{low},{high}]"),
        LayerInit::Normal { mean, std } => format!("N({mean},{std})"),
        LayerInit::XavierUniform => "Xavier".into(),
    }
}

fn optimizer_name(optimizer: &OptimizerConfig) -> &'static str {
    match optimizer {
        OptimizerConfig::Adam { .. } => "Adam",
        OptimizerConfig::AdamW { .. } => "AdamW",
        OptimizerConfig::Sgd { .. } => "SGD",
        OptimizerConfig::RmsProp { .. } => "RMSProp",
        OptimizerConfig::AdaGrad { .. } => "Adagrad",
    }
}

/// The MLP runs trained so far; a combination that recurs (the baseline is also the default
/// initialization's run and Adam's run in the optimizer study) is trained once.
struct Runs<'a> {
    config: &'a MnistConfig,
    ctx: &'a RunContext,
    data: &'a MnistData,
    done: Vec<(RunSpec, RunMetrics)>,
    checkpoints: Checkpoints,
}

impl Runs<'_> {
    /// The runs of `specs`, in order: finished ones reused, checkpointed ones resumed, the rest
    /// trained — spread over the context's devices when it has several.
    fn get_all(&mut self, specs: &[RunSpec]) -> anyhow::Result<Vec<(String, RunMetrics)>> {
        let mut to_train: Vec<RunSpec> = Vec::new();
        for spec in specs {
            if self.done.iter().any(|(s, _)| s == spec) || to_train.contains(spec) {
                continue;
            }
            let name = spec.name();
            if let Some(metrics) = self.checkpoints.load(&name) {
                println!("  · {name} — resumed from an earlier run");
                self.done.push((spec.clone(), metrics));
            } else {
                to_train.push(spec.clone());
            }
        }
        let (config, checkpoints, spread_over) =
            (self.config, &self.checkpoints, self.ctx.workers.len() + 1);
        let trained = spread(
            self.ctx,
            &to_train,
            None,
            |ctx| Ok(Some(self.data.on_device(&ctx.device))),
            |ctx, splits: &Option<DeviceSplits>, spec| {
                let splits = splits.as_ref().unwrap_or(&self.data.splits);
                let metrics = train_run(config, ctx, splits, spec)?;
                checkpoints.save(&spec.name(), &metrics)?;
                if spread_over > 1 {
                    println!(
                        "  · {} — trained on {}",
                        spec.name(),
                        ctx.device_description
                    );
                }
                Ok(metrics)
            },
        );
        // Keep what finished even when a later run failed.
        let trained = trained?;
        self.done.extend(to_train.into_iter().zip(trained));
        Ok(specs
            .iter()
            .map(|spec| {
                let (_, m) = self
                    .done
                    .iter()
                    .find(|(s, _)| s == spec)
                    .expect("every spec is done");
                (spec.name(), m.clone())
            })
            .collect())
    }
}

/// Trains the MLP of `spec` on the splits' device and scores it once on the test set.
fn train_run(
    config: &MnistConfig,
    ctx: &RunContext,
    splits: &DeviceSplits,
    spec: &RunSpec,
) -> anyhow::Result<RunMetrics> {
    let name = spec.name();
    let net_config = MlpConfig::new(config.widths.clone(), Activation::Relu)
        .with_init(spec.init)
        .with_batch_norm(spec.batch_norm);
    let fit = config.fit_config(spec.optimizer.clone(), ctx.seed);
    let (net, mut metrics) = train_mlp(
        &net_config,
        &name,
        &fit,
        ctx,
        &splits.train,
        &splits.validation,
    );
    // The logged held-out set is the validation split; the test set is scored once, now.
    let validation = metrics.test_accuracy;
    let (test_loss, test_accuracy) = evaluate(&net, Loss::CrossEntropy, &splits.test);
    metrics.test_accuracy = test_accuracy.is_finite().then_some(test_accuracy);
    metrics.final_test_loss = test_loss.is_finite().then_some(test_loss);
    metrics
        .extra
        .insert("validation_accuracy".into(), serde_json::json!(validation));
    metrics.extra.insert(
        "initialization".into(),
        serde_json::json!(spec.init.label()),
    );
    metrics.extra.insert(
        "optimizer".into(),
        serde_json::to_value(&spec.optimizer).unwrap_or_default(),
    );
    Ok(metrics)
}

/// Final validation accuracy of a run (`-1` for a run without one, so it never wins).
fn final_validation(m: &RunMetrics) -> f64 {
    m.extra
        .get("validation_accuracy")
        .and_then(|v| v.as_f64())
        .unwrap_or(-1.0)
}

/// Runs the experiment and writes metrics, figures and report under `<ctx.out>/mnist/`.
pub fn run(config: &MnistConfig, ctx: &RunContext) -> anyhow::Result<ExperimentOutcome> {
    let Started {
        dir,
        started,
        mut metrics,
    } = begin(NAME, ctx, config, config.validate())?;
    let data = load_data(config, ctx)?;
    println!("  {}", data.sanity);

    // Logistic regression from scratch.
    let (logistic, misclassified) = logistic_regression(config, ctx, &data)?;
    metrics.add_run(LOGISTIC, logistic.clone());
    let mut figures = vec![misclassified_figure(&data, &misclassified, config, &dir)?];

    let mut runs = Runs {
        config,
        ctx,
        data: &data,
        done: Vec::new(),
        checkpoints: Checkpoints::new(ctx, NAME, config)?,
    };
    let spec = |init: LayerInit, optimizer: &OptimizerConfig, batch_norm| RunSpec {
        init,
        optimizer: optimizer.clone(),
        batch_norm,
    };
    let baseline_optimizer = &config.baseline_optimizer;

    // The initialization study (its first entry is the baseline MLP).
    let init_specs: Vec<RunSpec> = config
        .initializations
        .iter()
        .map(|&init| spec(init, baseline_optimizer, false))
        .collect();
    let inits: Vec<(LayerInit, String, RunMetrics)> = config
        .initializations
        .iter()
        .zip(runs.get_all(&init_specs)?)
        .map(|(&init, (name, m))| (init, name, m))
        .collect();
    let baseline = inits[0].2.clone();
    let best_init = best_by_validation(&inits, true);
    let worst_init = best_by_validation(&inits, false);

    // The optimizer study, every optimizer with the best initialization.
    let optimizer_list: Vec<OptimizerConfig> = std::iter::once(baseline_optimizer)
        .chain(&config.optimizers)
        .cloned()
        .collect();
    let optimizer_specs: Vec<RunSpec> = optimizer_list
        .iter()
        .map(|optimizer| spec(best_init, optimizer, false))
        .collect();
    let optimizers: Vec<(OptimizerConfig, String, RunMetrics)> = optimizer_list
        .into_iter()
        .zip(runs.get_all(&optimizer_specs)?)
        .map(|(optimizer, (name, m))| (optimizer, name, m))
        .collect();
    let best_optimizer = best_by_validation(&optimizers, true);
    let worst_optimizer = best_by_validation(&optimizers, false);

    // Reflection (the best initialization with the worst optimizer and vice versa) and batch
    // normalization, trained together: they are independent.
    let mut last_specs = Vec::new();
    if config.reflection {
        last_specs.push(spec(best_init, &worst_optimizer, false));
        last_specs.push(spec(worst_init, &best_optimizer, false));
    }
    if config.batch_norm {
        last_specs.push(spec(LayerInit::Default, baseline_optimizer, true));
    }
    let mut last = runs.get_all(&last_specs)?;
    let batch_norm = if config.batch_norm { last.pop() } else { None };
    let reflection: Vec<(String, RunMetrics)> = last;
    if runs.checkpoints.resumed > 0 {
        metrics.extra.insert(
            "resumed_runs".into(),
            serde_json::json!(runs.checkpoints.resumed),
        );
    }

    for (spec, m) in &runs.done {
        metrics.add_run(&spec.name(), m.clone());
    }
    let baseline_name = inits[0].1.clone();
    figures.push(mlp_vs_logistic_figure(
        &logistic,
        &baseline_name,
        &baseline,
        &dir,
    )?);
    let init_runs: Vec<(&str, &RunMetrics)> =
        inits.iter().map(|(_, n, m)| (n.as_str(), m)).collect();
    figures.push(study_figure(
        &format!(
            "Initialization study: only the initialization changes (Adam, {} epochs)",
            config.epochs
        ),
        &init_runs,
        &dir,
        "initialization",
    )?);
    let optimizer_runs: Vec<(&str, &RunMetrics)> =
        optimizers.iter().map(|(_, n, m)| (n.as_str(), m)).collect();
    figures.push(study_figure(
        &format!(
            "Optimizer study: only the optimizer changes ({} initialization)",
            init_name(&best_init)
        ),
        &optimizer_runs,
        &dir,
        "optimizers",
    )?);
    let reflection_runs: Vec<(&str, &RunMetrics)> =
        reflection.iter().map(|(n, m)| (n.as_str(), m)).collect();
    if !reflection_runs.is_empty() {
        figures.push(study_figure(
            "Reflection: best initialization × worst optimizer, worst initialization × best optimizer",
            &reflection_runs,
            &dir,
            "reflection",
        )?);
    }
    if let Some((name, m)) = &batch_norm {
        figures.push(study_figure(
            "Batch normalization after each hidden layer (default init, Adam)",
            &[(baseline_name.as_str(), &baseline), (name.as_str(), m)],
            &dir,
            "batch_norm",
        )?);
    }

    let mut order: Vec<String> = vec![LOGISTIC.to_string()];
    order.extend(runs.done.iter().map(|(s, _)| s.name()));
    let order: Vec<&str> = order.iter().map(String::as_str).collect();
    let findings = Findings {
        sanity: &data.sanity,
        test_count: data.test_images.len(),
        logistic: &logistic,
        misclassified: &misclassified,
        baseline_name: &baseline_name,
        baseline: &baseline,
        inits: &inits,
        optimizers: &optimizers,
        best_init,
        worst_init,
        reflection: &reflection,
        batch_norm: batch_norm.as_ref(),
    };
    finish(NAME, dir, started, metrics, figures, &order, |metrics| {
        report(config, metrics, &findings)
    })
}

/// The entry with the highest (or lowest) final validation accuracy; ties keep the first.
fn best_by_validation<T: Clone>(runs: &[(T, String, RunMetrics)], highest: bool) -> T {
    let mut best = &runs[0];
    for run in &runs[1..] {
        let (a, b) = (final_validation(&run.2), final_validation(&best.2));
        if (highest && a > b) || (!highest && a < b) {
            best = run;
        }
    }
    best.0.clone()
}

/// A misclassified test digit: its index, true and predicted class.
#[derive(Debug, Clone, Copy, Serialize)]
struct Mistake {
    index: usize,
    truth: u32,
    predicted: u32,
}

fn logistic_regression(
    config: &MnistConfig,
    ctx: &RunContext,
    data: &MnistData,
) -> anyhow::Result<(RunMetrics, Vec<Mistake>)> {
    let model = SoftmaxRegression::zeros(784, 10, &ctx.device);
    let parameters = model.num_params();
    let mut progress = ctx.progress();
    let (model, outcome) = fit_softmax_regression(
        model,
        &data.train,
        Some(&data.validation),
        &config.logistic_config(ctx.seed),
        LOGISTIC,
        progress.as_mut(),
    );
    let mut metrics = RunMetrics::from_history(&outcome.history);
    let validation = metrics.test_accuracy;
    let (test_loss, test_accuracy) =
        evaluate_with(|x| model.logits(x), Loss::CrossEntropy, &data.test);
    metrics.test_accuracy = test_accuracy.is_finite().then_some(test_accuracy);
    metrics.final_test_loss = test_loss.is_finite().then_some(test_loss);
    metrics.parameters = Some(parameters);
    metrics.architecture = Some("784→10 softmax (W, b by hand)".into());
    metrics
        .extra
        .insert("validation_accuracy".into(), serde_json::json!(validation));
    metrics.extra.insert(
        "converged_at_epoch".into(),
        serde_json::json!(outcome.converged_at_epoch),
    );
    metrics.extra.insert(
        "gradient_norm_per_epoch".into(),
        serde_json::json!(outcome.gradient_norms),
    );
    let predicted = classes(Loss::CrossEntropy.predict(model.logits(data.test.features.clone())));
    let mistakes: Vec<Mistake> = predicted
        .iter()
        .enumerate()
        .filter_map(|(index, &p)| {
            let truth = u32::from(data.test_images.label(index));
            (p != truth).then_some(Mistake {
                index,
                truth,
                predicted: p,
            })
        })
        .collect();
    metrics.extra.insert(
        "misclassified_test_images".into(),
        serde_json::json!(mistakes.len()),
    );
    Ok((metrics, mistakes))
}

fn misclassified_figure(
    data: &MnistData,
    mistakes: &[Mistake],
    config: &MnistConfig,
    dir: &Path,
) -> anyhow::Result<PathBuf> {
    let tiles = mistakes
        .iter()
        .take(config.misclassified_shown)
        .map(|m| {
            image_tile(
                &data.test_images,
                m.index,
                format!("true {}\npredicted {}", m.truth, m.predicted),
                true,
            )
        })
        .collect();
    save(
        &Figure {
            title: Some(format!(
                "Logistic regression: misclassified test digits ({} of {})",
                mistakes.len(),
                data.test_images.len()
            )),
            panels: vec![Panel::ImageGrid {
                title: "first misclassified test images".into(),
                tiles,
                columns: 6,
                note: None,
            }],
            columns: 1,
            panel_size: (760, 420),
        },
        dir,
        "logistic_misclassified",
    )
}

fn mlp_vs_logistic_figure(
    logistic: &RunMetrics,
    baseline_name: &str,
    baseline: &RunMetrics,
    dir: &Path,
) -> anyhow::Result<PathBuf> {
    let runs = [
        (LOGISTIC, &logistic.curves),
        (baseline_name, &baseline.curves),
    ];
    let named = [(LOGISTIC, logistic), (baseline_name, baseline)];
    save(
        &Figure {
            title: Some(
                "MLP vs logistic regression (solid: training set, dashed: validation set)".into(),
            ),
            panels: vec![
                curves_panel_held_out(
                    "Loss (cross-entropy)",
                    &runs,
                    Metric::Loss,
                    "validation",
                    divergence_note(named.iter().copied()),
                ),
                curves_panel_held_out("Accuracy", &runs, Metric::Accuracy, "validation", None),
            ],
            columns: 2,
            panel_size: (700, 520),
        },
        dir,
        "mlp_vs_logistic",
    )
}

/// Validation accuracy of every run on one panel, training loss on another.
fn study_figure(
    title: &str,
    runs: &[(&str, &RunMetrics)],
    dir: &Path,
    stem: &str,
) -> anyhow::Result<PathBuf> {
    let curves: Vec<(&str, &crate::results::Curves)> =
        runs.iter().map(|(n, m)| (*n, &m.curves)).collect();
    save(
        &Figure {
            title: Some(title.into()),
            panels: vec![
                series_panel(
                    "Validation accuracy",
                    &curves,
                    Series::HeldOutAccuracy,
                    "accuracy (%)",
                    divergence_note(runs.iter().copied()),
                ),
                series_panel(
                    "Training loss",
                    &curves,
                    Series::TrainLoss,
                    "cross-entropy",
                    None,
                ),
            ],
            columns: 2,
            panel_size: (700, 520),
        },
        dir,
        stem,
    )
}

/// What the report needs besides the metrics.
struct Findings<'a> {
    sanity: &'a str,
    test_count: usize,
    logistic: &'a RunMetrics,
    misclassified: &'a [Mistake],
    baseline_name: &'a str,
    baseline: &'a RunMetrics,
    inits: &'a [(LayerInit, String, RunMetrics)],
    optimizers: &'a [(OptimizerConfig, String, RunMetrics)],
    best_init: LayerInit,
    worst_init: LayerInit,
    reflection: &'a [(String, RunMetrics)],
    batch_norm: Option<&'a (String, RunMetrics)>,
}

fn study_table(report: &mut Report, first: &str, runs: &[(String, &RunMetrics)]) {
    let rows: Vec<Vec<String>> = runs
        .iter()
        .map(|(label, m)| {
            vec![
                label.clone(),
                percent(m.train_accuracy),
                percent(Some(final_validation(m)).filter(|v| *v >= 0.0)),
                percent(m.test_accuracy),
                number(m.final_loss),
                m.status.to_string(),
            ]
        })
        .collect();
    report.table(
        &[
            first,
            "train accuracy",
            "validation accuracy",
            "test accuracy",
            "final train loss",
            "status",
        ],
        &rows,
    );
}

fn report(config: &MnistConfig, metrics: &Metrics, f: &Findings) -> Report {
    let mut report = Report::new("MNIST: logistic regression from scratch vs an MLP");
    let logistic = f.logistic;
    let baseline = f.baseline;
    report.paragraph(&format!(
        "The {} training images were split {:.0}/{:.0} into training and validation sets \
         (seed {}); the test set is scored once per model, after training. Sanity check of \
         the first training batch: `{}`.",
        if config.train_images.is_some() {
            "first"
        } else {
            "60,000"
        },
        config.train_fraction * 100.0,
        (1.0 - config.train_fraction) * 100.0,
        metrics.seed,
        f.sanity
    ));

    report.heading("Logistic regression from scratch");
    report.paragraph(&format!(
        "`W` [784×10] and `b` [10] as plain tensors, softmax cross-entropy with gradients \
         written by hand (checked against autodiff in the tests), plain gradient descent with \
         lr {} on shuffled batches of {} for {} epochs (tolerance {} on the mean gradient \
         norm{}). Number of parameters: **{}**. Validation accuracy **{}**, test accuracy **{}**.",
        config.logistic.learning_rate,
        config.batch_size,
        config.logistic.epochs,
        config.logistic.tolerance,
        match logistic
            .extra
            .get("converged_at_epoch")
            .and_then(|v| v.as_u64())
        {
            Some(e) => format!(", reached after epoch {e}"),
            None => ", never reached".into(),
        },
        logistic.parameters.unwrap_or(0),
        percent(Some(final_validation(logistic)).filter(|v| *v >= 0.0)),
        percent(logistic.test_accuracy),
    ));
    report.answer(
        "Is a logistic regression a sufficient model for this task? What constraints does it \
         impose, and what modification might help?",
        &format!(
            "It is a reasonable baseline ({} test accuracy) but not sufficient: each class \
             score is a linear function of the pixels, so the decision boundaries between \
             classes are hyperplanes in pixel space and each class is represented by a single \
             template. It cannot model that the same digit is written in several ways or \
             that pixels matter in combination. Adding hidden layers with a non-linearity \
             (the MLP below: {} test accuracy) removes that constraint.",
            percent(logistic.test_accuracy),
            percent(baseline.test_accuracy)
        ),
    );
    let examples: Vec<String> = f
        .misclassified
        .iter()
        .take(2)
        .map(|m| {
            format!(
                "test image {} is a {} predicted as {}",
                m.index, m.truth, m.predicted
            )
        })
        .collect();
    report.answer(
        "Give two examples of incorrectly classified digits.",
        &format!(
            "{} of the {} test digits are misclassified; for example {}. The figure \
             `logistic_misclassified.png` shows the first {} with their true and predicted \
             classes: most are unusual strokes or digits that share a template's pixels \
             with the predicted class.",
            f.misclassified.len(),
            f.test_count,
            examples.join("; "),
            config.misclassified_shown.min(f.misclassified.len())
        ),
    );
    report.figure(
        "Misclassified test digits (logistic regression)",
        "logistic_misclassified.png",
    );

    report.heading("The MLP");
    results_table(
        &mut report,
        &[(LOGISTIC, logistic), (f.baseline_name, baseline)],
    );
    let best_epoch = baseline
        .curves
        .test_accuracy
        .iter()
        .zip(&baseline.curves.epoch)
        .filter_map(|(v, e)| v.map(|v| (*e, v)))
        .fold((0, f64::MIN), |b, (e, v)| if v > b.1 { (e, v) } else { b });
    let values: Vec<f64> = baseline
        .curves
        .test_accuracy
        .iter()
        .map(|v| v.unwrap_or(f64::NAN))
        .collect();
    let stop = config
        .early_stopping
        .stop_point(&baseline.curves.epoch, &values);
    report.answer(
        "Why does the MLP outperform the logistic-regression baseline?",
        &format!(
            "Its two hidden layers of 400 ReLU units learn features (strokes, loops, their \
             combinations) and compose them non-linearly, so its decision boundaries can bend \
             around the different ways of writing a digit: test accuracy {} vs {}, and its \
             training accuracy ({}) shows it can fit what the linear model cannot ({}). It \
             has {} parameters against 7,850.",
            percent(baseline.test_accuracy),
            percent(logistic.test_accuracy),
            percent(baseline.train_accuracy),
            percent(logistic.train_accuracy),
            baseline.parameters.unwrap_or(0)
        ),
    );
    report.answer(
        "Did you need all the epochs? Propose a concrete early-stopping rule.",
        &format!(
            "Validation accuracy peaked at epoch {} ({}). Rule: {}. {}",
            best_epoch.0,
            percent(Some(best_epoch.1)),
            config.early_stopping.describe("validation accuracy"),
            match stop {
                Some(s) => format!(
                    "It would have stopped after epoch {} of {} (keeping epoch {}, {}), \
                     saving {} epochs of computation.",
                    s.stop_epoch,
                    config.epochs,
                    s.best_epoch,
                    percent(Some(s.best_value)),
                    config.epochs - s.stop_epoch
                ),
                None => format!("It would have run all {} epochs.", config.epochs),
            }
        ),
    );
    report.figure(
        "MLP vs logistic regression: loss and accuracy per epoch",
        "mlp_vs_logistic.png",
    );

    report.heading("Initialization study");
    let init_rows: Vec<(String, &RunMetrics)> = f
        .inits
        .iter()
        .map(|(init, _, m)| (init.label(), m))
        .collect();
    study_table(&mut report, "initialization", &init_rows);
    let zeros = f
        .inits
        .iter()
        .find(|(init, _, _)| *init == LayerInit::Zeros);
    report.answer(
        "Why does zero initialization make training fail, even though the optimizer still \
         updates the weights?",
        &format!(
            "With every weight 0, every hidden unit computes the same value (0, so its ReLU \
             passes no gradient) and the gradient of every weight of the hidden layers is 0: \
             only the output biases learn, and units that start identical would stay identical \
             anyway (the symmetry is never broken). The network predicts the most frequent \
             class{}.",
            match zeros {
                Some((_, _, m)) => format!(
                    ": validation accuracy {} — chance level for 10 classes",
                    percent(Some(final_validation(m)).filter(|v| *v >= 0.0))
                ),
                None => String::new(),
            }
        ),
    );
    report.paragraph(&format!(
        "Best initialization: **{}**; worst: **{}** (by final validation accuracy).",
        f.best_init.label(),
        f.worst_init.label()
    ));
    report.figure(
        "Validation accuracy per epoch for each initialization",
        "initialization.png",
    );

    report.heading("Optimizer study");
    let optimizer_rows: Vec<(String, &RunMetrics)> = f
        .optimizers
        .iter()
        .map(|(o, _, m)| {
            (
                format!("{} (lr {})", optimizer_name(o), o.learning_rate()),
                m,
            )
        })
        .collect();
    study_table(&mut report, "optimizer", &optimizer_rows);
    report.paragraph(
        "Every optimizer runs at PyTorch's default learning rate for it and its other \
         defaults (SGD without momentum). SGD at lr 1e-3 moves slowly; the adaptive methods \
         scale each parameter's step by its gradient history.",
    );
    report.figure(
        "Validation accuracy per epoch for each optimizer",
        "optimizers.png",
    );

    if !f.reflection.is_empty() {
        report.heading("Reflection: initialization × optimizer");
        let rows: Vec<(String, &RunMetrics)> =
            f.reflection.iter().map(|(n, m)| (n.clone(), m)).collect();
        study_table(&mut report, "run", &rows);
        report.paragraph(
            "A good initialization rescues a weak optimizer only partly, and no optimizer \
             rescues an initialization that leaves the units symmetric or saturated: both \
             choices matter, and the initialization decides whether learning can start.",
        );
        report.figure(
            "Best initialization with the worst optimizer vs worst initialization with the best",
            "reflection.png",
        );
    }

    if let Some((name, m)) = f.batch_norm {
        report.heading("Beyond the notebook: batch normalization");
        let rows = vec![(f.baseline_name.to_string(), baseline), (name.clone(), m)];
        study_table(&mut report, "model", &rows);
        report.paragraph(&format!(
            "Normalizing each hidden layer's pre-activations over the batch (learned scale \
             and shift, running statistics at evaluation) adds {} parameters.",
            m.parameters.unwrap_or(0) as i64 - baseline.parameters.unwrap_or(0) as i64
        ));
        report.figure("MLP with and without batch normalization", "batch_norm.png");
    }
    report
}
