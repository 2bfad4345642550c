//! Figure building blocks shared by the experiments: class-coloured scatters, metric curves,
//! and reading tensors back to the host for plotting.

use std::path::{Path, PathBuf};

use anyhow::Context;
use burn::tensor::{Int, Tensor};
use unfold_data::{GridFunction, ImageSet};
use unfold_viz::{
    Curve, Figure, GrayImage, ImageTile, Panel, Series2, Series3, class_color, save_figure,
};

use crate::results::{Curves, RunMetrics, RunState};

/// Rows of a `[N, D]` tensor on the host.
pub fn rows(t: Tensor<2>) -> Vec<Vec<f32>> {
    let [_, d] = t.dims();
    let values: Vec<f32> = t.into_data().iter::<f32>().collect();
    values.chunks(d.max(1)).map(<[f32]>::to_vec).collect()
}

/// An integer `[N]` tensor of class indices on the host.
pub fn classes(t: Tensor<1, Int>) -> Vec<u32> {
    t.into_data()
        .iter::<i64>()
        .map(|v| u32::try_from(v).unwrap_or(0))
        .collect()
}

fn group_by_class<const D: usize>(
    points: &[[f32; D]],
    labels: &[u32],
) -> Vec<(u32, Vec<[f32; D]>)> {
    let classes = labels.iter().max().map_or(0, |m| *m as usize + 1);
    let mut groups: Vec<Vec<[f32; D]>> = vec![Vec::new(); classes];
    for (p, &l) in points.iter().zip(labels) {
        groups[l as usize].push(*p);
    }
    groups
        .into_iter()
        .enumerate()
        .map(|(c, g)| (c as u32, g))
        .collect()
}

/// One 2-D series per class, coloured and named by class.
pub fn class_series_2d(points: &[[f32; 2]], labels: &[u32], class_names: &[&str]) -> Vec<Series2> {
    group_by_class(points, labels)
        .into_iter()
        .map(|(c, points)| Series2 {
            label: class_name(class_names, c),
            color: class_color(c as usize),
            points,
        })
        .collect()
}

/// One 3-D series per class, coloured and named by class.
pub fn class_series_3d(points: &[[f32; 3]], labels: &[u32], class_names: &[&str]) -> Vec<Series3> {
    group_by_class(points, labels)
        .into_iter()
        .map(|(c, points)| Series3 {
            label: class_name(class_names, c),
            color: class_color(c as usize),
            points,
        })
        .collect()
}

fn class_name(names: &[&str], c: u32) -> String {
    names
        .get(c as usize)
        .map(|s| s.to_string())
        .unwrap_or_else(|| format!("class {c}"))
}

/// The first two columns of each row.
pub fn first_2(rows: &[Vec<f32>]) -> Vec<[f32; 2]> {
    rows.iter()
        .map(|r| {
            [
                r.first().copied().unwrap_or(0.0),
                r.get(1).copied().unwrap_or(0.0),
            ]
        })
        .collect()
}

/// The first three columns of each row.
pub fn first_3(rows: &[Vec<f32>]) -> Vec<[f32; 3]> {
    rows.iter()
        .map(|r| {
            [
                r.first().copied().unwrap_or(0.0),
                r.get(1).copied().unwrap_or(0.0),
                r.get(2).copied().unwrap_or(0.0),
            ]
        })
        .collect()
}

/// Image `i` of `set` as a captioned tile (highlighted tiles are drawn in red).
pub fn image_tile(set: &ImageSet, i: usize, caption: String, highlight: bool) -> ImageTile {
    ImageTile {
        image: GrayImage {
            width: set.cols() as u32,
            height: set.rows() as u32,
            pixels: set.image(i).to_vec(),
        },
        caption,
        highlight,
    }
}

/// One logged series of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Series {
    /// Training loss.
    TrainLoss,
    /// Held-out (test or validation) accuracy.
    HeldOutAccuracy,
}

impl Series {
    fn values(self, c: &Curves) -> &Vec<Option<f64>> {
        match self {
            Series::TrainLoss => &c.train_loss,
            Series::HeldOutAccuracy => &c.test_accuracy,
        }
    }

    fn is_accuracy(self) -> bool {
        matches!(self, Series::HeldOutAccuracy)
    }
}

/// A panel with one curve per run for one series (e.g. every run's validation accuracy,
/// as notebook 001's studies plot them); accuracies in percent, losses on a log scale.
pub fn series_panel(
    title: &str,
    runs: &[(&str, &Curves)],
    series: Series,
    y_label: &str,
    note: Option<String>,
) -> Panel {
    let scale = if series.is_accuracy() { 100.0 } else { 1.0 };
    let curves = runs
        .iter()
        .enumerate()
        .map(|(i, (name, c))| Curve {
            label: name.to_string(),
            color: class_color(i),
            points: c
                .epoch
                .iter()
                .zip(series.values(c))
                .filter_map(|(e, v)| v.map(|v| (*e as f64, v * scale)))
                .collect(),
            dashed: false,
        })
        .collect();
    Panel::Lines {
        title: title.to_string(),
        x_label: "epoch".into(),
        y_label: y_label.into(),
        log_y: !series.is_accuracy(),
        curves,
        note,
    }
}

/// Which logged metric a curves panel shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    /// Loss (log scale).
    Loss,
    /// Accuracy in percent.
    Accuracy,
}

/// A panel with one curve per run for a metric: training solid, test dashed.
pub fn curves_panel(
    title: &str,
    runs: &[(&str, &Curves)],
    metric: Metric,
    notes: Option<String>,
) -> Panel {
    curves_panel_held_out(title, runs, metric, "test", notes)
}

/// [`curves_panel`] where the held-out set has another name (`validation`).
pub fn curves_panel_held_out(
    title: &str,
    runs: &[(&str, &Curves)],
    metric: Metric,
    held_out: &str,
    notes: Option<String>,
) -> Panel {
    let mut curves = Vec::new();
    for (i, (name, c)) in runs.iter().enumerate() {
        let (train, test, scale) = match metric {
            Metric::Loss => (&c.train_loss, &c.test_loss, 1.0),
            Metric::Accuracy => (&c.train_accuracy, &c.test_accuracy, 100.0),
        };
        let series = |values: &Vec<Option<f64>>| -> Vec<(f64, f64)> {
            c.epoch
                .iter()
                .zip(values)
                .filter_map(|(e, v)| v.map(|v| (*e as f64, v * scale)))
                .collect()
        };
        curves.push(Curve {
            label: format!("{name} (train)"),
            color: class_color(i),
            points: series(train),
            dashed: false,
        });
        if !test.is_empty() {
            curves.push(Curve {
                label: format!("{name} ({held_out})"),
                color: class_color(i),
                points: series(test),
                dashed: true,
            });
        }
    }
    let (y_label, log_y) = match metric {
        Metric::Loss => ("loss", true),
        Metric::Accuracy => ("accuracy (%)", false),
    };
    Panel::Lines {
        title: title.to_string(),
        x_label: "epoch".into(),
        y_label: y_label.into(),
        log_y,
        curves,
        note: notes,
    }
}

/// A 3-D surface panel of a function sampled on a grid (height on the vertical axis, fitted
/// to the values).
pub fn surface_panel(
    title: &str,
    grid: &GridFunction,
    z_label: &str,
    note: Option<String>,
) -> Panel {
    let ends = |v: &[f32]| {
        (
            v.first().copied().unwrap_or(0.0),
            v.last().copied().unwrap_or(1.0),
        )
    };
    Panel::Surface {
        title: title.to_string(),
        x_label: "x".into(),
        y_label: "y".into(),
        z_label: z_label.to_string(),
        x_range: ends(grid.xs()),
        y_range: ends(grid.ys()),
        cols: grid.xs().len(),
        rows: grid.ys().len(),
        z: grid.values().to_vec(),
        z_range: None,
        note,
    }
}

/// One height range for surfaces drawn side by side, so that equal heights look equal: the
/// values of every grid, padded a little. `None` (each panel fits its own) when a grid has
/// no finite value, or one grid spans more than ten times another (a diverged prediction
/// would flatten the others to nothing).
pub fn shared_heights(grids: &[&GridFunction]) -> Option<(f32, f32)> {
    let span = |g: &GridFunction| {
        let finite = g.values().iter().copied().filter(|v| v.is_finite());
        let lo = finite.clone().fold(f32::INFINITY, f32::min);
        let hi = finite.fold(f32::NEG_INFINITY, f32::max);
        (lo <= hi).then_some((lo, hi))
    };
    let spans: Vec<(f32, f32)> = grids.iter().map(|g| span(g)).collect::<Option<_>>()?;
    let widths = spans.iter().map(|s| s.1 - s.0);
    let narrowest = widths.clone().fold(f32::INFINITY, f32::min);
    let widest = widths.fold(0.0, f32::max);
    let lo = spans.iter().map(|s| s.0).fold(f32::INFINITY, f32::min);
    let hi = spans.iter().map(|s| s.1).fold(f32::NEG_INFINITY, f32::max);
    if widest > 10.0 * narrowest || hi <= lo {
        return None;
    }
    let pad = (hi - lo) * 0.04;
    Some((lo - pad, hi + pad))
}

/// Saves a figure as PNG and SVG in `dir`, with the data of its interactive view beside them
/// (`crate::views`), returning the PNG's path.
pub fn save(figure: &Figure, dir: &Path, stem: &str) -> anyhow::Result<PathBuf> {
    let paths = save_figure(figure, dir, stem).with_context(|| format!("drawing figure {stem}"))?;
    crate::views::write_figure(dir, stem, figure)?;
    paths
        .into_iter()
        .find(|p| p.extension().is_some_and(|e| e == "png"))
        .ok_or_else(|| anyhow::anyhow!("figure {stem} produced no PNG"))
}

/// The file name of a path, as text.
pub fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// A note naming the runs that diverged, for a curves panel.
pub fn divergence_note<'a>(
    runs: impl IntoIterator<Item = (&'a str, &'a RunMetrics)>,
) -> Option<String> {
    let diverged: Vec<String> = runs
        .into_iter()
        .filter(|(_, m)| m.status == RunState::Diverged)
        .map(|(name, m)| {
            format!(
                "{name} diverged at epoch {}",
                m.diverged_at_epoch.unwrap_or(0)
            )
        })
        .collect();
    (!diverged.is_empty()).then(|| diverged.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(scale: f64) -> GridFunction {
        GridFunction::sample(vec![0.0, 1.0], vec![0.0, 1.0], move |x, y| scale * (x + y))
    }

    #[test]
    fn surfaces_side_by_side_share_one_height_range_unless_one_is_off_scale() {
        let (lo, hi) = shared_heights(&[&grid(1.0), &grid(1.5)]).unwrap();
        // 0..3, padded by 4%.
        assert!(
            (lo + 0.12).abs() < 1e-6 && (hi - 3.12).abs() < 1e-6,
            "{lo}..{hi}"
        );
        assert_eq!(shared_heights(&[&grid(1.0), &grid(50.0)]), None);
        assert_eq!(shared_heights(&[&grid(1.0), &grid(f64::NAN)]), None);
    }
}
