//! Notebook 001's figures: the logistic regression's mistakes, its curves beside the MLP's,
//! and one figure per study.

use std::path::{Path, PathBuf};

use unfold_viz::{Figure, Panel};

use super::run::{Mistake, MnistData};
use super::{LOGISTIC, MnistConfig};
use crate::plots::{
    Metric, Series, curves_panel_held_out, divergence_note, image_tile, save, series_panel,
};
use crate::results::{Curves, RunMetrics};

pub(super) fn misclassified_figure(
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

pub(super) fn mlp_vs_logistic_figure(
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
pub(super) fn study_figure(
    title: &str,
    runs: &[(&str, &RunMetrics)],
    dir: &Path,
    stem: &str,
) -> anyhow::Result<PathBuf> {
    let curves: Vec<(&str, &Curves)> = runs.iter().map(|(n, m)| (*n, &m.curves)).collect();
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
