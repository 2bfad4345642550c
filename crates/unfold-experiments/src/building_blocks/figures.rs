//! Lab 2's figures: the Gaussian, the untrained network, random search vs Adam.

use std::path::Path;

use unfold_viz::{Curve, Figure, Panel, class_color};

use super::BuildingBlocksConfig;
use super::report::sci;
use super::run::Regression;
use crate::experiment::RunRecord;
use crate::plots::{save, shared_heights, surface_panel};

/// Draws the ground truth, the untrained network's prediction, and random search vs Adam, and
/// records them with their captions.
pub(super) fn record_all(
    config: &BuildingBlocksConfig,
    reg: &Regression,
    dir: &Path,
    record: &mut RunRecord,
) -> anyhow::Result<()> {
    let single = |panel: Panel| Figure {
        title: None,
        panels: vec![panel],
        columns: 1,
        panel_size: (720, 600),
    };
    let png = save(
        &single(surface_panel(
            &format!(
                "Ground truth: N(0, {}·I) density on {} points",
                config.data.variance,
                reg.truth.len()
            ),
            &reg.truth,
            "density",
            None,
        )),
        dir,
        "ground_truth",
    )?;
    record.figure(png, "The ground truth: the Gaussian density on the grid");
    let png = save(
        &single(surface_panel(
            &format!(
                "Untrained {}: MSE {}",
                reg.architecture,
                sci(reg.untrained.1)
            ),
            &reg.untrained.0,
            "prediction",
            None,
        )),
        dir,
        "untrained",
    )?;
    record.figure(
        png,
        format!("The untrained {} network's prediction", reg.architecture),
    );

    let threshold = |from: f64, to: f64| Curve {
        label: format!("threshold {:e}", config.search_threshold),
        color: (120, 120, 120),
        points: vec![
            (from, config.search_threshold),
            (to, config.search_threshold),
        ],
        dashed: true,
    };
    let draws = reg.search.losses.len() as f64;
    let mut best_so_far = Vec::new();
    let mut best = f64::INFINITY;
    for (i, &l) in reg.search.losses.iter().enumerate() {
        best = best.min(l);
        best_so_far.push(((i + 1) as f64, best));
    }
    let search_panel = Panel::Lines {
        title: "Random search: MSE of each draw".into(),
        x_label: "draw".into(),
        y_label: "MSE".into(),
        log_y: true,
        curves: vec![
            Curve {
                label: "this draw".into(),
                color: class_color(0),
                points: reg
                    .search
                    .losses
                    .iter()
                    .enumerate()
                    .map(|(i, &l)| ((i + 1) as f64, l))
                    .collect(),
                dashed: false,
            },
            Curve {
                label: "best so far".into(),
                color: class_color(3),
                points: best_so_far,
                dashed: false,
            },
            threshold(1.0, draws.max(2.0)),
        ],
        note: None,
    };
    let epochs = reg.history.points.last().map_or(1, |p| p.epoch) as f64;
    let adam_panel = Panel::Lines {
        title: format!("Adam (lr {}): MSE per epoch", config.adam_learning_rate),
        x_label: "epoch".into(),
        y_label: "MSE".into(),
        log_y: true,
        curves: vec![
            Curve {
                label: "Adam".into(),
                color: class_color(2),
                points: reg
                    .history
                    .points
                    .iter()
                    .map(|p| (p.epoch as f64, p.train_loss))
                    .collect(),
                dashed: false,
            },
            Curve {
                label: "random search, best".into(),
                color: class_color(3),
                points: vec![
                    (1.0, reg.search.best_loss()),
                    (epochs, reg.search.best_loss()),
                ],
                dashed: true,
            },
            threshold(1.0, epochs),
        ],
        note: Some(if reg.history.diverged() {
            "Adam diverged".to_string()
        } else {
            format!(
                "network kept: epoch {} (lowest logged MSE)",
                reg.returned_epoch
            )
        })
        .filter(|_| config.adam_restore_best || reg.history.diverged()),
    };
    // Both predictions on one scale, so their heights compare.
    let heights = shared_heights(&[&reg.searched, &reg.adam.0]);
    let on_shared_scale = |mut panel: Panel| {
        if let Panel::Surface { z_range, .. } = &mut panel {
            *z_range = heights;
        }
        panel
    };
    let png = save(
        &Figure {
            title: Some(
                "Random search (the lab) vs gradient descent with Adam (beyond the lab)".into(),
            ),
            panels: vec![
                on_shared_scale(surface_panel(
                    &format!(
                        "Random search, best of {} draws: MSE {}",
                        reg.search.losses.len(),
                        sci(reg.search.best_loss())
                    ),
                    &reg.searched,
                    "prediction",
                    None,
                )),
                on_shared_scale(surface_panel(
                    &format!(
                        "Adam, epoch {} of {}: MSE {}",
                        reg.returned_epoch,
                        config.adam_epochs,
                        sci(reg.adam.1)
                    ),
                    &reg.adam.0,
                    "prediction",
                    None,
                )),
                search_panel,
                adam_panel,
            ],
            columns: 2,
            panel_size: (720, 600),
        },
        dir,
        "search_vs_adam",
    )?;
    record.figure(
        png,
        "Random search vs Adam: predicted surfaces (top) and loss curves (bottom)",
    );
    Ok(())
}
