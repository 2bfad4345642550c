//! The XOR experiment's figures.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use burn::tensor::{Device, Tensor, TensorData};
use unfold_data::xor_data;
use unfold_models::scratch::relu;
use unfold_viz::{Curve, Figure, Panel, class_color};

use super::{GradientCheck, GridCell, Task1, XorConfig, hidden_sizes, relu_xor_network};
use crate::plots::{class_series_2d, save};
use crate::results::RunMetrics;

const CLASS_NAMES: [&str; 2] = ["XOR = 0", "XOR = 1"];

/// MSE on all `2^d` points during training: one panel per dimension, one colour per hidden
/// size.
pub(super) fn loss_curves(
    config: &XorConfig,
    curves: &BTreeMap<usize, Vec<(usize, RunMetrics)>>,
    dir: &Path,
) -> anyhow::Result<PathBuf> {
    let panels: Vec<Panel> = curves
        .iter()
        .map(|(&d, runs)| {
            let sizes = hidden_sizes(&config.hidden, d);
            let mut labelled = Vec::new();
            let lines = runs
                .iter()
                .map(|(hidden, m)| {
                    let colour = sizes.iter().position(|h| h == hidden).unwrap_or(0);
                    let label = if labelled.contains(hidden) {
                        String::new()
                    } else {
                        labelled.push(*hidden);
                        format!("hidden {hidden}")
                    };
                    Curve {
                        label,
                        color: class_color(colour),
                        points: m
                            .curves
                            .epoch
                            .iter()
                            .zip(&m.curves.train_loss)
                            .filter_map(|(e, l)| l.map(|l| (*e as f64, l)))
                            .collect(),
                        dashed: false,
                    }
                })
                .collect();
            Panel::Lines {
                title: format!("d = {d}: MSE on all {} points", 1usize << d),
                x_label: "epoch".into(),
                y_label: "MSE".into(),
                log_y: true,
                curves: lines,
                note: None,
            }
        })
        .collect();
    let columns = panels.len().clamp(1, 2);
    save(
        &Figure {
            title: Some(format!(
                "XOR: loss curves per input dimension, {} seeds per hidden size",
                config.seeds
            )),
            panels,
            columns,
            panel_size: (640, 500),
        },
        dir,
        "loss_curves",
    )
}

/// The share of converged runs against the hidden size, one curve per dimension.
pub(super) fn convergence(
    config: &XorConfig,
    cells: &[GridCell],
    dir: &Path,
) -> anyhow::Result<PathBuf> {
    let curves = config
        .dims
        .iter()
        .enumerate()
        .map(|(i, &d)| Curve {
            label: format!("d = {d}"),
            color: class_color(i),
            points: cells
                .iter()
                .filter(|c| c.d == d)
                .map(|c| (c.hidden as f64, 100.0 * c.success_rate()))
                .collect(),
            dashed: false,
        })
        .collect();
    save(
        &Figure {
            title: None,
            panels: vec![Panel::Lines {
                title: format!(
                    "MSE < {} after {}, {} seeds each",
                    config.converged_below,
                    crate::results::count_of(config.epochs, "epoch"),
                    config.seeds
                ),
                x_label: "hidden units".into(),
                y_label: "converged runs (%)".into(),
                log_y: false,
                curves,
                note: None,
            }],
            columns: 1,
            panel_size: (720, 520),
        },
        dir,
        "convergence",
    )
}

/// The largest hand-vs-autodiff difference at every step of the gradient check.
pub(super) fn gradient_check(check: &GradientCheck, dir: &Path) -> anyhow::Result<PathBuf> {
    let points = check
        .per_step_max_diff
        .iter()
        .enumerate()
        .map(|(i, v)| ((i + 1) as f64, *v))
        .collect();
    let tolerance = check.tolerance.abs;
    let span = (1.0, check.steps as f64);
    save(
        &Figure {
            title: None,
            panels: vec![Panel::Lines {
                title: format!("calc_gradients vs autodiff (2-2-1), {} steps", check.steps),
                x_label: "step".into(),
                y_label: "max |hand − autodiff|".into(),
                log_y: true,
                curves: vec![
                    Curve {
                        label: format!("max over the {} parameters", check.parameters),
                        color: class_color(0),
                        points,
                        dashed: false,
                    },
                    Curve {
                        label: format!("absolute tolerance {tolerance:e}"),
                        color: class_color(1),
                        points: vec![(span.0, tolerance), (span.1, tolerance)],
                        dashed: true,
                    },
                ],
                note: (check.max_abs_diff == 0.0)
                    .then(|| "every difference is exactly 0 (not drawn on a log axis)".into()),
            }],
            columns: 1,
            panel_size: (760, 480),
        },
        dir,
        "gradient_check",
    )
}

/// Notebook 004's ReLU network: its decision regions in input and in hidden space.
pub(super) fn relu_solution(t: &Task1, device: &Device, dir: &Path) -> anyhow::Result<PathBuf> {
    let data = xor_data(2)?;
    let (first, second) = relu_xor_network(device);
    let cells = 120;
    // Each panel: the class the network (or its linear readout) gives at every cell centre.
    let regions = |x_range: (f32, f32), y_range: (f32, f32), hidden_space: bool| {
        let mut grid = Vec::with_capacity(cells * cells * 2);
        for r in 0..cells {
            for c in 0..cells {
                let at = |range: (f32, f32), i: usize| {
                    range.0 + (range.1 - range.0) * (i as f32 + 0.5) / cells as f32
                };
                grid.push(at(x_range, c));
                grid.push(at(y_range, r));
            }
        }
        let points = Tensor::<2>::from_data(TensorData::new(grid, [cells * cells, 2]), device);
        let hidden = if hidden_space {
            points
        } else {
            relu(first.forward(points))
        };
        let out: Vec<f32> = second.forward(hidden).into_data().iter::<f32>().collect();
        out.iter()
            .map(|v| u32::from(*v > 0.5))
            .collect::<Vec<u32>>()
    };
    let input_range = (-0.5, 1.5);
    let hidden_x = (-0.5, 2.5);
    let hidden_y = (-0.5, 1.5);
    save(
        &Figure {
            title: Some(
                "Notebook 004, task 1: W1 = [[1,1],[1,1]], b = [0,−1], W2 = [1,−2] with ReLU solves XOR"
                    .into(),
            ),
            panels: vec![
                Panel::Regions {
                    title: "Input space: the network's output > 0.5".into(),
                    x_label: "x1".into(),
                    y_label: "x2".into(),
                    x_range: input_range,
                    y_range: input_range,
                    cols: cells,
                    rows: cells,
                    classes: regions(input_range, input_range, false),
                    series: class_series_2d(&data.points_2d(), data.labels(), &CLASS_NAMES),
                    note: None,
                },
                Panel::Regions {
                    title: "Hidden space h = max(0, W1·x + b), readout h1 − 2·h2 > 0.5".into(),
                    x_label: "h1".into(),
                    y_label: "h2".into(),
                    x_range: hidden_x,
                    y_range: hidden_y,
                    cols: cells,
                    rows: cells,
                    classes: regions(hidden_x, hidden_y, true),
                    series: class_series_2d(&t.hidden, data.labels(), &CLASS_NAMES),
                    note: Some(
                        "(0,1) and (1,0) both land on (1, 0); one straight line separates the classes"
                            .into(),
                    ),
                },
            ],
            columns: 2,
            panel_size: (600, 540),
        },
        dir,
        "relu_solution",
    )
}
