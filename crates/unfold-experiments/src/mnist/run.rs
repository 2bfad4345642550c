//! Loading MNIST, the logistic regression from scratch, and the order of the studies.

use serde::{Deserialize, Serialize};
use unfold_data::{DatasetKind, DeviceData, ImageSet, Normalization, Split};
use unfold_models::{LayerInit, SoftmaxRegression};
use unfold_train::{Loss, OptimizerConfig, evaluate_with, fit_softmax_regression};

use super::figures::{misclassified_figure, mlp_vs_logistic_figure, study_figure};
use super::studies::{
    Entry, RunSpec, Runs, Studies, best_by_validation, init_name, optimizer_label, optimizer_name,
};
use super::{CLASSES, INPUTS, LOGISTIC, MnistConfig};
use crate::RunContext;
use crate::experiment::RunRecord;
use crate::plots::classes;
use crate::results::RunMetrics;
use crate::runs::load_images;

/// The three splits on the device, and the host copies the figures need.
pub(super) struct MnistData {
    /// The three splits on the context's device.
    pub splits: DeviceSplits,
    /// The host copies, for the other devices of a spread study.
    host: [ImageSet; 3],
    /// The test images on the host, for the misclassified digits.
    pub test_images: ImageSet,
    sanity: String,
}

/// Training, validation and test sets on one device.
pub(super) struct DeviceSplits {
    pub train: DeviceData,
    pub validation: DeviceData,
    pub test: DeviceData,
}

impl MnistData {
    /// The three splits on another device (a worker of a spread study).
    pub fn on_device(&self, device: &burn::tensor::Device) -> DeviceSplits {
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

/// Trains the logistic regression and every MLP of the studies, recording metrics and figures.
pub(super) fn run(
    config: &MnistConfig,
    ctx: &RunContext,
    record: &mut RunRecord,
) -> anyhow::Result<()> {
    let dir = record.dir.clone();
    let data = load_data(config, ctx)?;
    unfold_train::say!("  {}", data.sanity);
    record.extra("sanity_check", &data.sanity)?;
    record.extra("test_image_count", data.test_images.len())?;

    // Logistic regression from scratch.
    let (logistic, misclassified) = logistic_regression(config, ctx, &data)?;
    record.add_run(LOGISTIC, logistic.clone());
    let png = misclassified_figure(&data, &misclassified, config, &dir)?;
    record.figure(png, "Misclassified test digits (logistic regression)");

    let mut runs = Runs::new(config, ctx, &data)?;
    let spec = |init: LayerInit, optimizer: &OptimizerConfig, batch_norm| RunSpec {
        init,
        optimizer: optimizer.clone(),
        batch_norm,
    };
    let baseline_optimizer = &config.baseline_optimizer;

    // The initialization study (its first entry is the baseline MLP), trained together with
    // batch normalization, which depends on no study's outcome: on the CPU the runs train two
    // side by side, and five initializations alone would leave one lane idle for a whole run.
    let init_specs: Vec<RunSpec> = config
        .initializations
        .iter()
        .map(|&init| spec(init, baseline_optimizer, false))
        .collect();
    let batch_norm_spec = spec(LayerInit::Default, baseline_optimizer, true);
    let mut first_specs = init_specs.clone();
    if config.batch_norm {
        first_specs.push(batch_norm_spec.clone());
    }
    runs.get_all(&first_specs)?;
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
    let optimizer_list = config.optimizer_study();
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

    // Reflection: the best initialization with the worst optimizer and vice versa.
    let mut last_specs = Vec::new();
    if config.reflection {
        last_specs.push(spec(best_init, &worst_optimizer, false));
        last_specs.push(spec(worst_init, &best_optimizer, false));
    }
    let reflection: Vec<(String, RunMetrics)> = runs.get_all(&last_specs)?;
    let batch_norm = if config.batch_norm {
        runs.get_all(std::slice::from_ref(&batch_norm_spec))?.pop()
    } else {
        None
    };
    if runs.checkpoints.resumed > 0 {
        record.extra("resumed_runs", runs.checkpoints.resumed)?;
    }

    // The summary lists the runs in the studies' order, batch normalization last, whenever
    // it trained.
    let mut done: Vec<&(RunSpec, RunMetrics)> = runs.done.iter().collect();
    done.sort_by_key(|(spec, _)| spec.batch_norm);
    for (spec, m) in done {
        record.add_run(&spec.name(), m.clone());
    }
    let baseline_name = inits[0].1.clone();
    record.extra(
        "studies",
        Studies {
            baseline: baseline_name.clone(),
            initialization: inits
                .iter()
                .map(|(init, run, _)| Entry {
                    label: init.label(),
                    run: run.clone(),
                })
                .collect(),
            optimizer: optimizers
                .iter()
                .map(|(optimizer, run, _)| Entry {
                    label: optimizer_label(optimizer),
                    run: run.clone(),
                })
                .collect(),
            best_initialization: best_init.label(),
            worst_initialization: worst_init.label(),
            best_optimizer: optimizer_label(&best_optimizer),
            worst_optimizer: optimizer_label(&worst_optimizer),
            reflection: reflection
                .iter()
                .map(|(run, _)| Entry {
                    label: run.clone(),
                    run: run.clone(),
                })
                .collect(),
            batch_norm: batch_norm.as_ref().map(|(run, _)| run.clone()),
        },
    )?;

    let png = mlp_vs_logistic_figure(&logistic, &baseline_name, &baseline, &dir)?;
    record.figure(
        png,
        "MLP vs logistic regression: loss and accuracy per epoch",
    );
    let init_runs: Vec<(&str, &RunMetrics)> =
        inits.iter().map(|(_, n, m)| (n.as_str(), m)).collect();
    let png = study_figure(
        &format!(
            "Initialization study: only the initialization changes ({}, {})",
            optimizer_name(baseline_optimizer),
            crate::results::count_of(config.epochs, "epoch")
        ),
        &init_runs,
        &dir,
        "initialization",
    )?;
    record.figure(png, "Validation accuracy per epoch for each initialization");
    let optimizer_runs: Vec<(&str, &RunMetrics)> =
        optimizers.iter().map(|(_, n, m)| (n.as_str(), m)).collect();
    let png = study_figure(
        &format!(
            "Optimizer study: only the optimizer changes ({} initialization)",
            init_name(&best_init)
        ),
        &optimizer_runs,
        &dir,
        "optimizers",
    )?;
    record.figure(png, "Validation accuracy per epoch for each optimizer");
    let reflection_runs: Vec<(&str, &RunMetrics)> =
        reflection.iter().map(|(n, m)| (n.as_str(), m)).collect();
    if !reflection_runs.is_empty() {
        let png = study_figure(
            "Reflection: best initialization × worst optimizer, worst initialization × best optimizer",
            &reflection_runs,
            &dir,
            "reflection",
        )?;
        record.figure(
            png,
            "Best initialization with the worst optimizer vs worst initialization with the best",
        );
    }
    if let Some((name, m)) = &batch_norm {
        let png = study_figure(
            &format!(
                "Batch normalization after each hidden layer (default init, {})",
                optimizer_name(baseline_optimizer)
            ),
            &[(baseline_name.as_str(), &baseline), (name.as_str(), m)],
            &dir,
            "batch_norm",
        )?;
        record.figure(png, "MLP with and without batch normalization");
    }
    Ok(())
}

/// A misclassified test digit: its index, true and predicted class.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub(super) struct Mistake {
    /// Its index in the test set.
    pub index: usize,
    /// Its true class.
    pub truth: u32,
    /// The class the logistic regression predicted.
    pub predicted: u32,
}

fn logistic_regression(
    config: &MnistConfig,
    ctx: &RunContext,
    data: &MnistData,
) -> anyhow::Result<(RunMetrics, Vec<Mistake>)> {
    let model = SoftmaxRegression::zeros(INPUTS, CLASSES, &ctx.device);
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
    metrics.architecture = Some(format!("{INPUTS}→{CLASSES} softmax (W, b by hand)"));
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
    // The report quotes two and the figure draws `misclassified_shown`.
    let examples = &mistakes[..mistakes.len().min(config.misclassified_shown.max(2))];
    metrics.extra.insert(
        "misclassified_examples".into(),
        serde_json::to_value(examples)?,
    );
    Ok((metrics, mistakes))
}
