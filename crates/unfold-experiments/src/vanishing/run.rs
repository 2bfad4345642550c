//! Training notebook 004's two networks, recording their gradients, and drawing the figures.

use std::path::{Path, PathBuf};

use burn::tensor::Tensor;
use unfold_data::{DatasetKind, Normalization, Split};
use unfold_models::{VanishingModel, scratch};
use unfold_viz::{Curve, Figure, Panel, class_color};

use super::{GradientProbe, GradientRecord, RECORDED_LAYERS, VanishingConfig};
use crate::RunContext;
use crate::experiment::RunRecord;
use crate::plots::{divergence_note, image_tile, save};
use crate::results::RunMetrics;
use crate::runs::{load_images, spread, train_mlp_observed};

struct Trained {
    model: VanishingModel,
    metrics: RunMetrics,
    record: GradientRecord,
}

/// Trains every network, recording its gradients, and records metrics and figures.
pub(super) fn run(
    config: &VanishingConfig,
    ctx: &RunContext,
    record: &mut RunRecord,
) -> anyhow::Result<()> {
    let dir = record.dir.clone();
    let normalization =
        Normalization::mean_std(config.normalization_mean, config.normalization_std)?;
    let kind = DatasetKind::FashionMnist;
    let train = load_images(ctx, kind, Split::Train, config.train_images)?;
    let test = load_images(ctx, kind, Split::Test, config.test_images)?;
    let samples = train.head(20);
    let png = save(
        &Figure {
            title: Some("The first 20 Fashion-MNIST training images".into()),
            panels: vec![Panel::ImageGrid {
                title: String::new(),
                tiles: (0..samples.len())
                    .map(|i| {
                        let label = usize::from(samples.label(i));
                        image_tile(&samples, i, kind.class_name(label).into(), false)
                    })
                    .collect(),
                columns: 10,
                note: None,
            }],
            columns: 1,
            panel_size: (1100, 300),
        },
        &dir,
        "samples",
    )?;
    record.figure(png, "The first 20 training images");
    let upload = |device: &burn::tensor::Device| {
        (
            train.to_device_flat(device, normalization),
            test.to_device_flat(device, normalization),
        )
    };
    let d_in = train.image_size();

    // The networks are independent runs: side by side on the CPU, over the servers with
    // several `--remote`, else one after the other.
    let trained = spread(
        ctx,
        &config.models,
        upload(&ctx.device),
        |ctx| Ok(upload(&ctx.device)),
        |ctx, (train_device, test_device), &model| {
            let mut probe = GradientProbe::new(RECORDED_LAYERS, config.log_every_batches);
            let (_, mut m) = train_mlp_observed(
                &config.net(model, d_in),
                model.name(),
                &config.fit_config(ctx.seed),
                ctx,
                train_device,
                test_device,
                &mut probe,
            );
            let record = probe.read();
            m.extra.insert(
                "running_train_accuracy".into(),
                serde_json::json!(record.running_accuracy),
            );
            m.extra.insert(
                "mean_abs_weight_gradient".into(),
                serde_json::json!(
                    (0..RECORDED_LAYERS)
                        .map(|l| record.per_layer[l].iter().sum::<f64>()
                            / record.per_layer[l].len().max(1) as f64)
                        .collect::<Vec<_>>()
                ),
            );
            m.extra.insert(
                "gradient_per_batch".into(),
                serde_json::json!(record.per_layer),
            );
            m.extra
                .insert("loss_log".into(), serde_json::json!(record.losses));
            Ok(Trained {
                model,
                metrics: m,
                record,
            })
        },
    )?;
    for t in &trained {
        record.add_run(t.model.name(), t.metrics.clone());
    }
    let png = gradients_figure(&trained, config, &dir)?;
    record.figure(
        png,
        "Mean absolute weight gradient of the first three layers at every batch",
    );
    if trained.len() > 1 {
        let png = comparison_figure(&trained, &dir)?;
        record.figure(png, "The two networks layer by layer (log scale)");
    }
    let png = loss_figure(&trained, &dir)?;
    record.figure(png, "Training loss every logged batch");

    // Question 3.3 c) and e) are about the activations' derivatives: measured here, on the
    // run's device, so that the report needs only the recorded numbers.
    let (sigmoid_max, relu_max) = derivative_maxima(&ctx.device);
    record.extra("sigmoid_derivative_max", sigmoid_max)?;
    record.extra("relu_derivative_max", relu_max)?;
    Ok(())
}

fn layer_curve(values: &[f64], label: String, color: usize) -> Curve {
    Curve {
        label,
        color: class_color(color),
        points: values
            .iter()
            .enumerate()
            .map(|(i, v)| (i as f64, *v))
            .collect(),
        dashed: false,
    }
}

fn note(t: &Trained) -> Option<String> {
    divergence_note([(t.model.name(), &t.metrics)])
}

/// One panel per network: the three layers' gradient magnitudes over the batches.
fn gradients_figure(
    trained: &[Trained],
    config: &VanishingConfig,
    dir: &Path,
) -> anyhow::Result<PathBuf> {
    let panels = trained
        .iter()
        .map(|t| Panel::Lines {
            title: format!("{}: mean |∂L/∂W| per batch", t.model.name()),
            x_label: "batch".into(),
            y_label: "mean absolute weight gradient".into(),
            log_y: config.log_scale,
            curves: (0..RECORDED_LAYERS)
                .map(|l| layer_curve(&t.record.per_layer[l], format!("linear{}", l + 1), l))
                .collect(),
            note: note(t),
        })
        .collect();
    save(
        &Figure {
            title: Some("Gradient magnitudes of the first three layers' weights".into()),
            panels,
            columns: 2,
            panel_size: (700, 500),
        },
        dir,
        "gradients",
    )
}

/// One panel per layer, both networks on it (log scale: they differ by orders of magnitude).
fn comparison_figure(trained: &[Trained], dir: &Path) -> anyhow::Result<PathBuf> {
    let panels = (0..RECORDED_LAYERS)
        .map(|l| Panel::Lines {
            title: format!("linear{}", l + 1),
            x_label: "batch".into(),
            y_label: "mean |∂L/∂W| (log)".into(),
            log_y: true,
            curves: trained
                .iter()
                .enumerate()
                .map(|(i, t)| layer_curve(&t.record.per_layer[l], t.model.name().into(), i))
                .collect(),
            note: None,
        })
        .collect();
    save(
        &Figure {
            title: Some("Sigmoid vs ReLU, layer by layer".into()),
            panels,
            columns: 3,
            panel_size: (520, 460),
        },
        dir,
        "gradients_compared",
    )
}

fn loss_figure(trained: &[Trained], dir: &Path) -> anyhow::Result<PathBuf> {
    // Within one epoch (the notebook's) the x axis is the batch; over several, the logged
    // points in order.
    let one_epoch = trained
        .iter()
        .flat_map(|t| t.record.losses.iter())
        .all(|(epoch, _, _)| *epoch == 1);
    let curves = trained
        .iter()
        .enumerate()
        .map(|(i, t)| Curve {
            label: t.model.name().into(),
            color: class_color(i),
            points: t
                .record
                .losses
                .iter()
                .enumerate()
                .map(|(k, (_, batch, loss))| (if one_epoch { *batch } else { k } as f64, *loss))
                .collect(),
            dashed: false,
        })
        .collect();
    save(
        &Figure {
            title: None,
            panels: vec![Panel::Lines {
                title: "Training loss at every logged batch".into(),
                x_label: if one_epoch { "batch" } else { "logged point" }.into(),
                y_label: "cross-entropy".into(),
                log_y: false,
                curves,
                note: None,
            }],
            columns: 1,
            panel_size: (700, 480),
        },
        dir,
        "loss",
    )
}

/// The largest value of the sigmoid's derivative on a fine grid of [-10, 10], and the largest
/// derivative of ReLU there, computed by autodiff.
fn derivative_maxima(device: &burn::tensor::Device) -> (f64, f64) {
    let grid: Vec<f32> = (0..=20_000).map(|i| -10.0 + i as f32 * 0.001).collect();
    let x = Tensor::<1>::from_floats(grid.as_slice(), device);
    let sigmoid_max: f32 = scratch::sigmoid_derivative(x.clone()).max().into_scalar();
    let tracked = x.autodiff().require_grad();
    let grads = burn::tensor::activation::relu(tracked.clone())
        .sum()
        .backward();
    let relu_max: f32 = tracked
        .grad(&grads)
        .map(|g| g.max().into_scalar())
        .unwrap_or(f32::NAN);
    (f64::from(sigmoid_max), f64::from(relu_max))
}
