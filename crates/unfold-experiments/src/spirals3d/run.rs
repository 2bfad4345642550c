//! Training notebook 000's models and drawing their figures.

use std::path::Path;

use serde_json::json;
use unfold_data::{LabeledPoints, spirals_3d};
use unfold_models::{Activation, Spirals3dModel};
use unfold_train::Loss;
use unfold_viz::{Figure, Panel};

use super::snapshots::Snapshots;
use super::{NAME, Spirals3dConfig};
use crate::RunContext;
use crate::experiment::RunRecord;
use crate::plots::{class_series_2d, class_series_3d, classes, first_2, first_3, rows, save};
use crate::results::{RunMetrics, RunState, percent};
use crate::runs::{NamedRuns, curves_figure, save_model, train_mlp_observed};

pub(super) const CLASS_NAMES: [&str; 2] = ["spiral 0", "spiral 1"];

/// What one trained model produced, on the host, for figures.
struct Trained {
    model: Spirals3dModel,
    metrics: RunMetrics,
    /// Predicted class of every point of the whole data set.
    predicted: Vec<u32>,
    /// Hidden representations of the whole data set, one per hidden layer.
    hidden: Vec<Vec<Vec<f32>>>,
    /// The 3-wide hidden layers during training, for the report's slider.
    snapshots: Snapshots,
}

/// Trains every model and records metrics and figures.
pub(super) fn run(
    config: &Spirals3dConfig,
    ctx: &RunContext,
    record: &mut RunRecord,
) -> anyhow::Result<()> {
    let data = spirals_3d(&config.data, ctx.seed);
    let (train, test) = data.split(config.train_fraction, ctx.seed);
    record.extra("train_points", train.len())?;
    record.extra("test_points", test.len())?;
    let dir = record.dir.clone();

    let png = save(
        &Figure {
            title: None,
            panels: vec![Panel::Scatter3 {
                // Short enough for the panel's width: the noise is what a student changes.
                title: format!(
                    "Two 3-D spirals: {} points, noise {}",
                    data.len(),
                    config.data.noise
                ),
                x_label: "x".into(),
                y_label: "y".into(),
                z_label: "z".into(),
                series: class_series_3d(&data.points_3d(), data.labels(), &CLASS_NAMES),
                note: None,
            }],
            columns: 1,
            panel_size: (760, 620),
        },
        &dir,
        "data",
    )?;
    record.figure(png, "The data: two intertwined 3-D spirals");

    let mut runs = Vec::new();
    for &model in &config.models {
        let t = train_one(model, config, ctx, &train, &test, &data)?;
        model_figures(&t, &data, &dir, record)?;
        record.add_run(model.name(), t.metrics.clone());
        runs.push((model.name(), t.metrics));
    }
    let named: Vec<(&str, &RunMetrics)> = runs.iter().map(|(n, m)| (*n, m)).collect();
    let png = curves_figure(&named as &NamedRuns, "BCE with logits", &dir)?;
    record.figure(
        png,
        "Loss and accuracy during training (solid: train, dashed: test)",
    );
    Ok(())
}

fn train_one(
    model: Spirals3dModel,
    config: &Spirals3dConfig,
    ctx: &RunContext,
    train: &LabeledPoints,
    test: &LabeledPoints,
    all: &LabeledPoints,
) -> anyhow::Result<Trained> {
    let device = &ctx.device;
    let net_config = config.net(model);
    let mut snapshots = Snapshots::new(all.to_device(device).features, config.epochs);
    let (net, mut metrics) = train_mlp_observed(
        &net_config,
        model.name(),
        &config.fit_config(ctx.seed),
        ctx,
        &train.to_device(device),
        &test.to_device(device),
        &mut snapshots,
    );
    snapshots.take(config.epochs, &net);
    snapshots.read_back();
    save_model(ctx, NAME, model.slug(), &net, &net_config, &mut metrics)?;
    let everything = all.to_device(device);
    let output = net.forward_hidden(everything.features);
    let predicted = classes(Loss::BceWithLogits.predict(output.logits));
    let hidden: Vec<Vec<Vec<f32>>> = output.hidden.into_iter().map(rows).collect();
    if net_config.hidden_activations().contains(&Activation::Relu) {
        // Points whose whole representation is 0 in a layer: every unit inactive. Many such
        // points pile up on one dot at the origin of the figures.
        let at_origin: Vec<f64> = hidden
            .iter()
            .map(|rep| {
                let zero = rep.iter().filter(|r| r.iter().all(|v| *v == 0.0)).count();
                zero as f64 / rep.len().max(1) as f64
            })
            .collect();
        metrics
            .extra
            .insert("hidden_fraction_at_origin".into(), json!(at_origin));
    }
    Ok(Trained {
        model,
        metrics,
        predicted,
        hidden,
        snapshots,
    })
}

fn model_figures(
    t: &Trained,
    data: &LabeledPoints,
    dir: &Path,
    record: &mut RunRecord,
) -> anyhow::Result<()> {
    let name = t.model.name();
    let note = (t.metrics.status == RunState::Diverged).then(|| {
        format!(
            "diverged at epoch {}: predictions not meaningful",
            t.metrics.diverged_at_epoch.unwrap_or(0)
        )
    });
    let points = data.points_3d();
    let png = save(
        &Figure {
            title: Some(format!(
                "{name} ({}): test accuracy {}",
                t.metrics.architecture.as_deref().unwrap_or(""),
                percent(t.metrics.test_accuracy)
            )),
            panels: vec![
                Panel::Scatter3 {
                    title: "True classes".into(),
                    x_label: "x".into(),
                    y_label: "y".into(),
                    z_label: "z".into(),
                    series: class_series_3d(&points, data.labels(), &CLASS_NAMES),
                    note: None,
                },
                Panel::Scatter3 {
                    title: format!("Predicted by {name}"),
                    x_label: "x".into(),
                    y_label: "y".into(),
                    z_label: "z".into(),
                    series: class_series_3d(&points, &t.predicted, &CLASS_NAMES),
                    note: note.clone(),
                },
            ],
            columns: 2,
            panel_size: (680, 580),
        },
        dir,
        &format!("predictions_{}", t.model.slug()),
    )?;
    record.figure(
        png,
        format!("{name}: true classes (left) and predicted classes (right)"),
    );

    // Hidden representations: every 3-D or 2-D hidden layer (wider layers, such as the deep
    // model's 16-D ones, cannot be drawn).
    let mut panels = Vec::new();
    for (layer, rep) in t.hidden.iter().enumerate() {
        let width = rep.first().map_or(0, Vec::len);
        let what = format!("layer {} output ({width}-D)", layer + 1);
        for (colouring, labels) in [
            ("true", data.labels()),
            ("predicted", t.predicted.as_slice()),
        ] {
            let title = format!("{what}, {colouring} classes");
            let panel = match width {
                3 => Panel::Scatter3 {
                    title,
                    x_label: "h1".into(),
                    y_label: "h2".into(),
                    z_label: "h3".into(),
                    series: class_series_3d(&first_3(rep), labels, &CLASS_NAMES),
                    note: note.clone(),
                },
                2 => Panel::Scatter2 {
                    title,
                    x_label: "h1".into(),
                    y_label: "h2".into(),
                    series: class_series_2d(&first_2(rep), labels, &CLASS_NAMES),
                    note: note.clone(),
                },
                _ => continue,
            };
            panels.push(panel);
        }
    }
    if !panels.is_empty() {
        let stem = format!("hidden_{}", t.model.slug());
        let png = save(
            &Figure {
                title: Some(format!(
                    "{name}: hidden representations of all {} points",
                    data.len()
                )),
                panels,
                columns: 2,
                panel_size: (620, 540),
            },
            dir,
            &stem,
        )?;
        if t.snapshots.any_drawn() {
            // The page's view of this figure: a slider over training instead of the end.
            crate::views::write_frames(dir, &stem, &t.snapshots.figures(name, data.labels()))?;
        }
        record.figure(
            png,
            format!("{name}: hidden representations, coloured by true and by predicted class"),
        );
    }
    Ok(())
}
