//! The data of the report's interactive views, written beside each figure.
//!
//! A figure `<stem>.png` whose panels the page can redraw (curves, 3-D points, surfaces,
//! decision regions, 2-D points) gets `<stem>.view.js` in the results folder: one call
//! `unfoldView(document.currentScript, {…});` around a JSON object of its panels (and, for an
//! animation, its frames). A script file rather than a `.json` one because browsers refuse
//! to fetch files from `file://`, while they do load scripts; the page (`index.rs`) lists
//! the files that exist, so it stays a function of the results folder. Numbers are rounded
//! to four significant digits and large point clouds thinned, which keeps a full
//! `reproduce-all` within its size budget; the PNG/SVG keep every point.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use unfold_viz::{Curve, Figure, Panel, Rgb, Series2, Series3};

use crate::results::{ResultsError, escape_html, write_atomic};

/// Most points a point panel keeps (a fixed stride over each series, so the thinning is the
/// same on every run).
const MAX_POINTS: usize = 1500;
/// Most points a point panel of an animation keeps (it has one per frame).
pub(crate) const MAX_FRAME_POINTS: usize = 400;
/// Most points a curve keeps.
const MAX_CURVE_POINTS: usize = 1200;

/// The view file of the figure `<stem>.png` (or `.gif`).
pub fn view_file(dir: &Path, stem: &str) -> PathBuf {
    dir.join(format!("{stem}.view.js"))
}

/// The viewer (`assets/report.js`) and its style, for the page's `<head>`.
pub fn page_head() -> String {
    format!(
        "<style>{}</style>\n<script>{}</script>\n",
        include_str!("../assets/report.css"),
        include_str!("../assets/report.js")
    )
}

/// `<script>` tags loading the view of every figure of an experiment that has one; `base` is
/// the experiment's folder relative to the page (empty: the page's own folder).
pub fn script_tags(base: &str, dir: &Path, figures: &[PathBuf]) -> String {
    let under_base = |name: &str| {
        if base.is_empty() {
            name.to_string()
        } else {
            format!("{base}/{name}")
        }
    };
    let mut out = String::new();
    for figure in figures {
        let (Some(stem), Some(file)) = (figure.file_stem(), figure.file_name()) else {
            continue;
        };
        let stem = stem.to_string_lossy();
        if view_file(dir, &stem).is_file() {
            let _ = writeln!(
                out,
                "<script src=\"{}\" data-figure=\"{}\"></script>",
                escape_html(&under_base(&format!("{stem}.view.js"))),
                escape_html(&under_base(&file.to_string_lossy()))
            );
        }
    }
    out
}

/// Writes the view of a still figure; nothing when a panel cannot be redrawn in the page.
pub fn write_figure(dir: &Path, stem: &str, figure: &Figure) -> Result<(), ResultsError> {
    if let Some(panels) = panels_json(figure, MAX_POINTS) {
        write(
            dir,
            stem,
            &json!({ "columns": figure.columns, "panels": panels }),
        )?;
    }
    Ok(())
}

/// Writes the view of an animation: its frames, each labelled with its figure's title.
pub fn write_frames(dir: &Path, stem: &str, figures: &[Figure]) -> Result<(), ResultsError> {
    let frames: Option<Vec<Value>> = figures
        .iter()
        .map(|f| {
            panels_json(f, MAX_FRAME_POINTS).map(
                |panels| json!({ "label": f.title.clone().unwrap_or_default(), "panels": panels }),
            )
        })
        .collect();
    if let Some(frames) = frames.filter(|f| !f.is_empty()) {
        // Laid out as the figures are (the static figure's columns).
        let columns = figures.first().map_or(1, |f| f.columns);
        write(dir, stem, &json!({ "columns": columns, "frames": frames }))?;
    }
    Ok(())
}

fn write(dir: &Path, stem: &str, view: &Value) -> Result<(), ResultsError> {
    let text = format!("unfoldView(document.currentScript, {view});\n");
    write_atomic(&view_file(dir, stem), text.as_bytes())
}

/// Four significant digits: enough to read off a curve, a third of the bytes of an f64.
fn round(v: f64) -> Value {
    if !v.is_finite() {
        return Value::Null;
    }
    if v == 0.0 {
        return json!(0);
    }
    let digits = 3 - v.abs().log10().floor() as i32;
    let text = if digits > 0 {
        format!("{v:.*}", digits.min(12) as usize)
    } else {
        format!("{:.0}", v)
    };
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    };
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

fn color(c: Rgb) -> String {
    let mut s = String::from("#");
    for v in [c.0, c.1, c.2] {
        let _ = write!(s, "{v:02x}");
    }
    s
}

/// Every `step`-th item, so that at most `max` remain.
fn thin<T: Copy>(items: &[T], max: usize) -> Vec<T> {
    let step = items.len().div_ceil(max.max(1)).max(1);
    items.iter().step_by(step).copied().collect()
}

fn series3(series: &[Series3], max_points: usize) -> Vec<Value> {
    thinned_series(
        series.iter().map(|s| (&s.label, s.color, &s.points[..])),
        max_points,
    )
}

fn series2(series: &[Series2], max_points: usize) -> Vec<Value> {
    thinned_series(
        series.iter().map(|s| (&s.label, s.color, &s.points[..])),
        max_points,
    )
}

/// Point sets thinned to about `max_points` in all (each keeps its share), flattened.
fn thinned_series<'a, const N: usize>(
    series: impl Iterator<Item = (&'a String, Rgb, &'a [[f32; N]])> + Clone,
    max_points: usize,
) -> Vec<Value> {
    let total: usize = series.clone().map(|(_, _, points)| points.len()).sum();
    series
        .map(|(label, rgb, points)| {
            let keep = (points.len() * max_points / total.max(max_points)).max(1);
            let flat: Vec<Value> = thin(points, keep)
                .iter()
                .flatten()
                .map(|v| round(f64::from(*v)))
                .collect();
            json!({ "label": label, "color": color(rgb), "p": flat })
        })
        .collect()
}

fn curve(c: &Curve) -> Value {
    let points = thin(&c.points, MAX_CURVE_POINTS);
    json!({
        "label": c.label,
        "color": color(c.color),
        "dashed": c.dashed,
        "x": points.iter().map(|p| round(p.0)).collect::<Vec<_>>(),
        "y": points.iter().map(|p| round(p.1)).collect::<Vec<_>>(),
    })
}

/// The panels as JSON, or `None` when one of them has no interactive counterpart.
fn panels_json(figure: &Figure, max_points: usize) -> Option<Vec<Value>> {
    figure
        .panels
        .iter()
        .map(|p| panel_json(p, max_points))
        .collect()
}

fn panel_json(panel: &Panel, max_points: usize) -> Option<Value> {
    Some(match panel {
        Panel::Lines {
            title,
            x_label,
            y_label,
            log_y,
            curves,
            note,
        } => {
            // Curves hidden under others are named, as on the PNG; the legend reveals them.
            let mut notes: Vec<String> = note.iter().cloned().collect();
            notes.extend(
                unfold_viz::hidden_curves_note(curves, *log_y).map(|hidden| {
                    format!("{hidden} — click a legend entry to hide the curve on top")
                }),
            );
            let note = (!notes.is_empty()).then(|| notes.join(" · "));
            json!({
                "type": "lines", "title": title, "x_label": x_label, "y_label": y_label,
                "log_y": log_y, "note": note, "series": curves.iter().map(curve).collect::<Vec<_>>(),
            })
        }
        Panel::Scatter3 {
            title,
            x_label,
            y_label,
            z_label,
            series,
            note,
        } => json!({
            "type": "points3d", "title": title, "labels": [x_label, y_label, z_label],
            "note": note, "series": series3(series, max_points),
        }),
        Panel::Scatter2 {
            title,
            x_label,
            y_label,
            series,
            note,
        } => json!({
            "type": "points2d", "title": title, "labels": [x_label, y_label],
            "note": note, "series": series2(series, max_points),
        }),
        Panel::Regions {
            title,
            x_label,
            y_label,
            x_range,
            y_range,
            cols,
            rows,
            classes,
            series,
            note,
        } => json!({
            "type": "regions", "title": title, "labels": [x_label, y_label],
            "x_range": [x_range.0, x_range.1], "y_range": [y_range.0, y_range.1],
            "cols": cols, "rows": rows, "note": note,
            "classes": classes.iter().map(|c| char::from_digit(c % 36, 36).unwrap_or('0')).collect::<String>(),
            "palette": (0..8).map(|c| color(unfold_viz::class_color(c))).collect::<Vec<_>>(),
            "series": series2(series, max_points),
        }),
        Panel::Surface {
            title,
            x_label,
            y_label,
            z_label,
            x_range,
            y_range,
            cols,
            rows,
            z,
            z_range,
            note,
        } => json!({
            "type": "surface", "title": title, "labels": [x_label, y_label, z_label],
            "x_range": [x_range.0, x_range.1], "y_range": [y_range.0, y_range.1],
            "cols": cols, "rows": rows, "note": note,
            "z": z.iter().map(|v| round(f64::from(*v))).collect::<Vec<_>>(),
            "z_range": z_range.map(|(a, b)| [a, b]),
        }),
        Panel::ImageGrid { .. } | Panel::Dots { .. } => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_keep_four_significant_digits() {
        assert_eq!(round(0.123456), json!(0.1235));
        assert_eq!(round(98765.4), json!(98765));
        assert_eq!(round(-1.5e-5), json!(-0.000015));
        assert_eq!(round(f64::NAN), Value::Null);
    }

    #[test]
    fn a_figure_of_curves_gets_a_view_and_the_page_loads_it() {
        let dir = std::env::temp_dir().join(format!("unfold-views-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let figure = Figure {
            title: None,
            panels: vec![Panel::Lines {
                title: "loss".into(),
                x_label: "epoch".into(),
                y_label: "loss".into(),
                log_y: true,
                curves: vec![Curve {
                    label: "train".into(),
                    color: (0, 114, 178),
                    points: vec![(1.0, 0.5), (2.0, 0.25)],
                    dashed: false,
                }],
                note: None,
            }],
            columns: 1,
            panel_size: (640, 520),
        };
        write_figure(&dir, "curves", &figure).unwrap();
        let text = std::fs::read_to_string(view_file(&dir, "curves")).unwrap();
        let json = text
            .strip_prefix("unfoldView(document.currentScript, ")
            .and_then(|t| t.strip_suffix(");\n"))
            .expect("one call around the data");
        let view: Value = serde_json::from_str(json).unwrap();
        assert_eq!(view["panels"][0]["type"], "lines");
        assert_eq!(view["panels"][0]["series"][0]["y"], json!([0.5, 0.25]));
        let figures = [dir.join("curves.png"), dir.join("other.png")];
        let tags = script_tags("exp", &dir, &figures);
        assert_eq!(
            tags,
            "<script src=\"exp/curves.view.js\" data-figure=\"exp/curves.png\"></script>\n"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn thinning_keeps_at_most_the_maximum() {
        let items: Vec<u32> = (0..1000).collect();
        assert!(thin(&items, 300).len() <= 300);
        assert_eq!(thin(&items, 5000).len(), 1000);
    }
}
