//! Notebook 003's figures, recorded with their captions in the notebook's order.

use std::path::{Path, PathBuf};

use unfold_data::LabeledPoints;
use unfold_models::SandwichModel;
use unfold_viz::{Dot, Figure, Panel, save_animation};

use super::SandwichConfig;
use super::rainbow::dot_features;
use super::run::{ANIMATION_RESOLUTION, PLANE, Trained};
use crate::experiment::RunRecord;
use crate::plots::{class_series_2d, first_2, save};
use crate::results::{RunMetrics, RunState, percent};
use crate::runs::curves_figure;

pub(super) const CLASS_NAMES: [&str; 3] = ["arm 0", "arm 1", "arm 2"];

/// `3` as `three` (up to twelve, the most arms the settings allow).
pub(super) fn count_word(n: usize) -> String {
    const WORDS: [&str; 13] = [
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
        "eleven", "twelve",
    ];
    WORDS
        .get(n)
        .map_or_else(|| n.to_string(), |w| w.to_string())
}

/// Draws every figure after the data's and records it with its caption, in the notebook's
/// order: predictions, regions, embeddings, the rainbow sandwich, the animation, the curves.
pub(super) fn record_all(
    trained: &[Trained],
    data: &LabeledPoints,
    config: &SandwichConfig,
    dir: &Path,
    record: &mut RunRecord,
) -> anyhow::Result<()> {
    if let Some(png) = comparison_figure(trained, data, dir)? {
        record.figure(
            png,
            "Bread only vs sandwich: predicted classes of every point",
        );
    }
    let png = regions_figure(trained, data, config.region_resolution, dir)?;
    record.figure(png, "Decision regions of each model over the input plane");
    if let Some(png) = embeddings_figure(trained, data, dir)? {
        record.figure(png, "MLPemb's 2-D embeddings, coloured by true class");
    }
    let captions = [
        "The rainbow sandwich: each ReLU layer of MLPdeep, its own scale per layer",
        "The rainbow sandwich with one common scale for all layers",
    ];
    for (png, caption) in rainbow_figures(trained, config, dir)?
        .into_iter()
        .zip(captions)
    {
        record.figure(png, caption);
    }
    if let Some(gif) = animation(trained, data, dir)? {
        record.figure(
            gif,
            "Animation: MLPemb's decision regions and last 2-D embedding as training goes on",
        );
    }
    let runs: Vec<(&str, &RunMetrics)> = trained
        .iter()
        .map(|t| (t.model.name(), &t.metrics))
        .collect();
    let png = curves_figure(&runs, "cross-entropy", dir)?;
    record.figure(
        png,
        "Loss and accuracy during training (solid: train, dashed: test)",
    );
    Ok(())
}

/// The animated GIF of `MLPemb`'s regions and embedding over training.
fn animation(
    trained: &[Trained],
    data: &LabeledPoints,
    dir: &Path,
) -> anyhow::Result<Option<PathBuf>> {
    let Some(emb) = find(trained, SandwichModel::MlpEmb).filter(|t| !t.frames.is_empty()) else {
        return Ok(None);
    };
    let series = class_series_2d(&data.points_2d(), data.labels(), &CLASS_NAMES);
    let frames: Vec<Figure> = emb
        .frames
        .iter()
        .map(|s| Figure {
            title: Some(format!(
                "MLPemb after {}",
                crate::results::count_of(s.epoch, "epoch")
            )),
            panels: vec![
                Panel::Regions {
                    title: "decision regions of the input plane".into(),
                    x_label: "x".into(),
                    y_label: "y".into(),
                    x_range: PLANE,
                    y_range: PLANE,
                    cols: ANIMATION_RESOLUTION,
                    rows: ANIMATION_RESOLUTION,
                    classes: s.regions.clone(),
                    series: series.clone(),
                    note: None,
                },
                Panel::Scatter2 {
                    title: "last 2-D embedding".into(),
                    x_label: "e1".into(),
                    y_label: "e2".into(),
                    series: class_series_2d(&s.embedding, data.labels(), &CLASS_NAMES),
                    note: None,
                },
            ],
            columns: 2,
            panel_size: (460, 440),
        })
        .collect();
    let gif = save_animation(&frames, dir, "mlpemb_training", 250)?;
    crate::views::write_frames(dir, "mlpemb_training", &frames)?;
    Ok(Some(gif))
}

fn find(trained: &[Trained], model: SandwichModel) -> Option<&Trained> {
    trained.iter().find(|t| t.model == model)
}

fn diverged_note(t: &Trained) -> Option<String> {
    (t.metrics.status == RunState::Diverged).then(|| {
        format!(
            "diverged at epoch {}: predictions not meaningful",
            t.metrics.diverged_at_epoch.unwrap_or(0)
        )
    })
}

/// Bread only vs sandwich: the notebook's side-by-side predictions.
fn comparison_figure(
    trained: &[Trained],
    data: &LabeledPoints,
    dir: &Path,
) -> anyhow::Result<Option<PathBuf>> {
    let (Some(bread), Some(sandwich)) = (
        find(trained, SandwichModel::DeepLinear),
        find(trained, SandwichModel::Mlp),
    ) else {
        return Ok(None);
    };
    let points = data.points_2d();
    let panel = |title: String, t: &Trained| Panel::Scatter2 {
        title,
        x_label: "x".into(),
        y_label: "y".into(),
        series: class_series_2d(&points, &t.predicted, &CLASS_NAMES),
        note: diverged_note(t),
    };
    Ok(Some(save(
        &Figure {
            title: Some("Predicted classes: without ReLU it is not a sandwich".into()),
            panels: vec![
                panel(
                    format!(
                        "Bread only (DeepLinear), test {}",
                        percent(bread.metrics.test_accuracy)
                    ),
                    bread,
                ),
                panel(
                    format!(
                        "Sandwich (MLP), test {}",
                        percent(sandwich.metrics.test_accuracy)
                    ),
                    sandwich,
                ),
            ],
            columns: 2,
            panel_size: (620, 580),
        },
        dir,
        "bread_vs_sandwich",
    )?))
}

/// One decision-region map per model, with the points on top.
fn regions_figure(
    trained: &[Trained],
    data: &LabeledPoints,
    resolution: usize,
    dir: &Path,
) -> anyhow::Result<PathBuf> {
    let series = class_series_2d(&data.points_2d(), data.labels(), &CLASS_NAMES);
    let panels = trained
        .iter()
        .map(|t| Panel::Regions {
            title: format!(
                "{}: test accuracy {}",
                t.model.name(),
                percent(t.metrics.test_accuracy)
            ),
            x_label: "x".into(),
            y_label: "y".into(),
            x_range: PLANE,
            y_range: PLANE,
            cols: resolution,
            rows: resolution,
            classes: t.regions.clone(),
            series: series.clone(),
            note: diverged_note(t),
        })
        .collect();
    save(
        &Figure {
            title: Some("Decision regions of the input plane, with the true classes on top".into()),
            panels,
            columns: 2,
            panel_size: (600, 580),
        },
        dir,
        "regions",
    )
}

/// `MLPemb`'s first and last 2-D embeddings beside the input, coloured by true class.
fn embeddings_figure(
    trained: &[Trained],
    data: &LabeledPoints,
    dir: &Path,
) -> anyhow::Result<Option<PathBuf>> {
    let Some(emb) = find(trained, SandwichModel::MlpEmb) else {
        return Ok(None);
    };
    // Hidden layers of 2→10→2→10→2→K: [10-D ReLU, 2-D, 10-D ReLU, 2-D]; every second one is
    // a 2-D embedding.
    let embeddings: Vec<&Vec<Vec<f32>>> = emb.hidden.iter().skip(1).step_by(2).collect();
    let (Some(first), Some(last)) = (embeddings.first(), embeddings.last()) else {
        return Ok(None);
    };
    let panel = |title: &str, points: Vec<[f32; 2]>, x: &str, y: &str| Panel::Scatter2 {
        title: title.into(),
        x_label: x.into(),
        y_label: y.into(),
        series: class_series_2d(&points, data.labels(), &CLASS_NAMES),
        note: diverged_note(emb),
    };
    let mut panels = vec![panel("Original data points", data.points_2d(), "x", "y")];
    if embeddings.len() == 1 {
        panels.push(panel(
            "Lin+ReLU+Lin: 2-D embedding",
            first_2(first),
            "e1",
            "e2",
        ));
    } else {
        panels.push(panel(
            "Lin+ReLU+Lin: first 2-D embedding",
            first_2(first),
            "e1",
            "e2",
        ));
        panels.push(panel(
            "…+Lin+ReLU+Lin: last 2-D embedding",
            first_2(last),
            "e1",
            "e2",
        ));
    }
    Ok(Some(save(
        &Figure {
            title: Some(format!(
                "MLPemb: the data, transformed until it is linearly separable (test {})",
                percent(emb.metrics.test_accuracy)
            )),
            columns: panels.len(),
            panels,
            panel_size: (560, 540),
        },
        dir,
        "embeddings",
    )?))
}

/// The rainbow sandwich: every ReLU layer of `MLPdeep` as dots whose position, colour and size
/// are its six activations, on black; once with each layer's own scale and once with one
/// scale for all layers.
fn rainbow_figures(
    trained: &[Trained],
    config: &SandwichConfig,
    dir: &Path,
) -> anyhow::Result<Vec<PathBuf>> {
    let Some(deep) = find(trained, SandwichModel::MlpDeep) else {
        return Ok(Vec::new());
    };
    let idx = config.rainbow_permutation;
    // (layer number, dots) of every 6-unit layer.
    let layers: Vec<(usize, Vec<Dot>)> = deep
        .hidden
        .iter()
        .enumerate()
        .filter(|(_, rep)| rep.first().is_some_and(|r| r.len() == 6))
        .map(|(layer, rep)| {
            let dots = dot_features(rep, config.rainbow_normalization, idx)
                .into_iter()
                .map(|d| Dot {
                    x: d.x,
                    y: d.y,
                    color: (
                        (d.rgb[0] * 255.0).round() as u8,
                        (d.rgb[1] * 255.0).round() as u8,
                        (d.rgb[2] * 255.0).round() as u8,
                    ),
                    // matplotlib's marker area (points²) as a radius in pixels.
                    radius: (d.area.sqrt() * 0.45).clamp(1.0, 40.0),
                })
                .collect();
            (layer + 1, dots)
        })
        .collect();
    if layers.is_empty() {
        return Ok(Vec::new());
    }
    let extent = |pick: fn(&Dot) -> f32| {
        let values = layers
            .iter()
            .flat_map(|(_, dots)| dots)
            .map(pick)
            .filter(|v| v.is_finite());
        let (lo, hi) = values.fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
        let margin = ((hi - lo) * 0.05).max(1e-3);
        (lo.is_finite() && hi.is_finite()).then_some((lo - margin, hi + margin))
    };
    let common = (extent(|d| d.x), extent(|d| d.y));
    // Which unit drives what, in plain words (the notebook prints `describe_permutation`).
    let mapping = format!(
        "x, y = units {}, {} · colour R, G, B = units {}, {}, {} · size = unit {}",
        idx[0], idx[1], idx[2], idx[3], idx[4], idx[5]
    );
    let normalization = match config.rainbow_normalization.name() {
        "none" => String::new(),
        name => format!(" · {name}-normalized"),
    };
    let mut figures = Vec::new();
    for (fixed, stem) in [(false, "rainbow"), (true, "rainbow_fixed_scale")] {
        let panels = layers
            .iter()
            .map(|(layer, dots)| Panel::Dots {
                title: format!("ReLU layer {layer} of {}", layers.len()),
                x_label: format!("unit {}", idx[0]),
                y_label: format!("unit {}", idx[1]),
                dots: dots.clone(),
                dark: true,
                x_range: if fixed { common.0 } else { None },
                y_range: if fixed { common.1 } else { None },
                note: diverged_note(deep),
            })
            .collect();
        figures.push(save(
            &Figure {
                title: Some(format!(
                    "Rainbow sandwich of MLPdeep: {mapping}{normalization}{}",
                    if fixed { " · one scale" } else { "" }
                )),
                panels,
                // Rows of three: a strip of five would leave each layer a sliver on the page.
                columns: layers.len().min(3),
                panel_size: (520, 540),
            },
            dir,
            stem,
        )?);
    }
    Ok(figures)
}
