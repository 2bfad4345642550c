//! `unfold sweep`: "what happens as this setting grows?"
//!
//! A sweep runs an experiment at every point of a grid of settings (the cartesian product of
//! `--set KEY=V1,V2,…` lists), each point an ordinary results folder
//! `<out>/sweep-<experiment>/<point>/` (with `seed-<s>/` folders under `--seeds`), spread over
//! the CPU lanes or `--remote` servers like a study's runs. It writes `sweep.json` (every
//! point's settings and headline metrics) and a page (`index.html`) with the headline metric
//! against the first swept key, every point's curves overlaid, and a table. Every point is
//! checked before the first one runs; `--resume` reuses the points that finished.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use unfold_viz::{Curve, Figure, Panel, class_color};

use crate::RunContext;
use crate::experiment::AnyExperiment;
use crate::plots::{file_name, save};
use crate::results::{Metrics, RunMetrics, Status, escape_html, prepare_output_dir, write_atomic};
use crate::seed_stats::{HEADLINE_METRICS, headline, seeds_of};
use crate::settings::{compact, parse_assignment, set_path, toml_inline};

/// The most points one sweep runs.
pub const MAX_POINTS: usize = 200;

/// One swept key and its values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Axis {
    /// The dotted key (`hidden`, `data.noise`).
    pub key: String,
    /// Its values, in the order given.
    pub values: Vec<Value>,
}

impl Axis {
    /// Reads `KEY=V1,V2,…`: each value is a TOML value as `--set` takes it; commas inside
    /// brackets or braces belong to one value (`hidden=[4,4],[8,8]` is two points).
    pub fn parse(assignment: &str) -> Result<Self, String> {
        let Some((key, list)) = assignment.split_once('=') else {
            return Err(format!(
                "--set takes KEY=V1,V2,… in a sweep (e.g. --set learning_rate=0.01,0.1), got '{assignment}'"
            ));
        };
        let key = key.trim();
        let mut values = Vec::new();
        for text in split_top_level(list) {
            if text.trim().is_empty() {
                return Err(format!(
                    "--set {assignment}: an empty value; give KEY=V1,V2,… with at least one value"
                ));
            }
            let (_, value) = parse_assignment(&format!("{key}={text}"))?;
            if values.contains(&value) {
                return Err(format!(
                    "--set {assignment}: the value {} is given twice",
                    compact(&value)
                ));
            }
            values.push(value);
        }
        Ok(Self {
            key: key.to_string(),
            values,
        })
    }
}

/// Splits at commas outside brackets, braces and quotes.
fn split_top_level(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut quoted, mut start) = (0i32, false, 0);
    for (i, c) in text.char_indices() {
        match c {
            '"' | '\'' => quoted = !quoted,
            '[' | '{' if !quoted => depth += 1,
            ']' | '}' if !quoted => depth -= 1,
            ',' if !quoted && depth == 0 => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

/// One point of the grid: its settings, its folder name and its full, checked settings tree.
#[derive(Debug, Clone)]
pub struct Point {
    /// The folder name (`hidden=8__data.noise=0.1`).
    pub name: String,
    /// The swept keys' values at this point, in axis order.
    pub settings: Vec<(String, Value)>,
    /// The experiment's settings at this point.
    pub tree: Value,
}

/// Every point of `axes` over the settings `base`, each checked by the experiment: an unknown
/// key, an empty list or a bad value fails here, before anything runs or is written.
pub fn plan(
    experiment: &dyn AnyExperiment,
    base: &Value,
    axes: &[Axis],
) -> Result<Vec<Point>, String> {
    let name = experiment.info().name;
    if axes.is_empty() {
        return Err(format!(
            "a sweep needs at least one --set KEY=V1,V2,… (see `unfold config {name}` for the keys)"
        ));
    }
    for (i, axis) in axes.iter().enumerate() {
        if axes[..i].iter().any(|a| a.key == axis.key) {
            return Err(format!("--set {}: the key is swept twice", axis.key));
        }
        if axis.key == crate::settings::SEED_KEY {
            return Err("a sweep over `seed`: use --seeds instead".into());
        }
    }
    let total: usize = axes.iter().map(|a| a.values.len()).product();
    if total > MAX_POINTS {
        return Err(format!(
            "the sweep has {total} points, at most {MAX_POINTS} in one command: sweep fewer values"
        ));
    }
    let mut points = vec![(Vec::new(), base.clone())];
    for axis in axes {
        let mut next = Vec::new();
        for (settings, tree) in &points {
            for value in &axis.values {
                let mut tree: Value = tree.clone();
                set_path(&mut tree, &axis.key, value.clone())
                    .map_err(|e| format!("{e}; see `unfold config {name}`"))?;
                let mut settings: Vec<(String, Value)> = settings.clone();
                settings.push((axis.key.clone(), value.clone()));
                next.push((settings, tree));
            }
        }
        points = next;
    }
    points
        .into_iter()
        .map(|(settings, tree)| {
            let tree = experiment.check_tree(&tree).map_err(|e| {
                format!("invalid {name} settings at {}: {e}", point_name(&settings))
            })?;
            Ok(Point {
                name: point_name(&settings),
                settings,
                tree,
            })
        })
        .collect()
}

/// `key=value` pairs joined by `__`, with characters a file name should not hold replaced.
fn point_name(settings: &[(String, Value)]) -> String {
    settings
        .iter()
        .map(|(key, value)| {
            let text: String = toml_inline(value)
                .chars()
                .filter(|c| !matches!(c, '[' | ']' | '{' | '}' | '"' | ' '))
                .map(|c| match c {
                    ',' => '-',
                    '/' | '\\' | ':' | '*' | '?' | '<' | '>' | '|' => '_',
                    other => other,
                })
                .collect();
            format!("{key}={text}")
        })
        .collect::<Vec<_>>()
        .join("__")
}

/// One point in `sweep.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PointSummary {
    /// Its folder under the sweep folder.
    pub dir: String,
    /// The swept keys' values.
    pub settings: Map<String, Value>,
    /// `ok`, `diverged` or `failed`.
    pub status: Status,
    /// Each run's headline metrics (with `_std`, `_min`, `_max`, `_ci95` under `--seeds`).
    pub runs: Map<String, Value>,
}

/// The `schema_version` of `sweep.json` this unfold writes and reads.
pub const SCHEMA_VERSION: u32 = 1;

/// The content of `sweep.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SweepSummary {
    /// The format of this file.
    pub schema_version: u32,
    /// The experiment swept.
    pub experiment: String,
    /// The profile the points ran with.
    pub profile: String,
    /// The backend.
    pub backend: String,
    /// The seeds (one, or several with `--seeds`).
    pub seeds: Vec<u64>,
    /// The swept keys and values.
    pub axes: Vec<Axis>,
    /// The headline metric the page plots.
    pub metric: String,
    /// Every point, in grid order.
    pub points: Vec<PointSummary>,
}

/// Where a sweep of `experiment` goes under `out`.
pub fn folder(out: &Path, experiment: &str) -> PathBuf {
    out.join(format!("sweep-{experiment}"))
}

/// Runs every point (reusing finished ones with `resume`), then writes `sweep.json`, the
/// figures and the page; returns the page's path.
pub fn run(
    experiment: &dyn AnyExperiment,
    axes: &[Axis],
    points: &[Point],
    ctx: &RunContext,
    resume: bool,
) -> anyhow::Result<PathBuf> {
    let name = experiment.info().name;
    let dir = folder(&ctx.out, name);
    prepare_output_dir(&dir)?;
    let seeds = if ctx.several_seeds() {
        ctx.seeds.clone()
    } else {
        vec![ctx.seed]
    };
    let finished = |point: &Point| -> Option<Metrics> {
        let metrics =
            crate::runner::read_metrics(&dir.join(&point.name).join("metrics.json")).ok()?;
        let same_seeds = seeds_of(&metrics).unwrap_or_else(|| vec![metrics.seed]) == seeds;
        (metrics.config == point.tree && same_seeds && metrics.status != Status::Failed)
            .then_some(metrics)
    };
    let todo: Vec<&Point> = points
        .iter()
        .filter(|p| !(resume && finished(p).is_some()))
        .collect();
    if todo.len() < points.len() && unfold_train::terminal_progress() {
        eprintln!(
            "unfold: --resume: {} of {} points already finished, reused",
            points.len() - todo.len(),
            points.len()
        );
    }
    crate::runs::spread(
        ctx,
        &todo,
        (),
        |_| Ok(()),
        |lane, _, point| {
            // Points train side by side: each run's bar and line name its point.
            let label = point
                .settings
                .iter()
                .map(|(key, value)| format!("{key}={value}"))
                .collect::<Vec<_>>()
                .join(" ");
            let line = format!("unfold: sweep point {label}");
            match &lane.progress_group {
                Some(group) => group.println(&line),
                None if unfold_train::terminal_progress() => eprintln!("{line}"),
                None => {}
            }
            let lane = RunContext {
                progress_label: Some(label),
                ..lane.clone()
            };
            experiment.run_tree_in(&point.tree, &lane, &dir.join(&point.name))
        },
    )?;
    let results = read_points(&dir, points)?;
    let metric = headline_metric(results.iter().map(|(_, m)| m));
    let summary = SweepSummary {
        schema_version: SCHEMA_VERSION,
        experiment: name.into(),
        profile: ctx.profile.name().into(),
        backend: ctx.backend.name().into(),
        seeds: seeds.clone(),
        axes: axes.to_vec(),
        metric: metric.into(),
        points: results
            .iter()
            .map(|(point, metrics)| PointSummary {
                dir: point.name.clone(),
                settings: point.settings.iter().cloned().collect(),
                status: metrics.status,
                runs: metrics
                    .runs
                    .iter()
                    .map(|(run, m)| (run.clone(), headline_json(m)))
                    .collect(),
            })
            .collect(),
    };
    let mut text = serde_json::to_string_pretty(&summary)?;
    text.push('\n');
    write_atomic(&dir.join("sweep.json"), text.as_bytes())?;
    write_page(&summary, &results, &dir)
}

/// Each point with its results, read back from its folder under `dir`.
fn read_points<'p>(dir: &Path, points: &'p [Point]) -> anyhow::Result<Vec<(&'p Point, Metrics)>> {
    points
        .iter()
        .map(|p| {
            let metrics = crate::runner::read_metrics(&dir.join(&p.name).join("metrics.json"))?;
            Ok((p, metrics))
        })
        .collect()
}

/// The figures and the page of a sweep whose points' results are `results`; returns the
/// page's path.
fn write_page(
    summary: &SweepSummary,
    results: &[(&Point, Metrics)],
    dir: &Path,
) -> anyhow::Result<PathBuf> {
    let figures = vec![
        metric_figure(summary, dir)?,
        curves_figure(summary, results, dir)?,
    ];
    let page = dir.join("index.html");
    write_atomic(&page, render(summary, &figures).as_bytes())?;
    Ok(page)
}

/// Rebuilds a sweep's figures and page (`unfold report`) from its `sweep.json` and its
/// points' `metrics.json`, without training; returns the page's path.
pub fn rebuild(dir: &Path) -> anyhow::Result<PathBuf> {
    let path = dir.join("sweep.json");
    let tree = crate::settings::read_settings_file(&path).map_err(anyhow::Error::msg)?;
    crate::schema::check(&tree, SCHEMA_VERSION, &path).map_err(anyhow::Error::msg)?;
    let summary: SweepSummary = serde_json::from_value(Value::Object(tree))
        .map_err(|e| anyhow::anyhow!("{} is not an unfold sweep summary: {e}", path.display()))?;
    let points: Vec<Point> = summary
        .points
        .iter()
        .map(|p| Point {
            name: p.dir.clone(),
            settings: p.settings.clone().into_iter().collect(),
            tree: Value::Null,
        })
        .collect();
    let results = read_points(dir, &points)?;
    write_page(&summary, &results, dir)
}

/// Whether `dir` is a sweep's folder (it holds a `sweep.json`).
pub fn is_sweep(dir: &Path) -> bool {
    dir.join("sweep.json").is_file()
}

/// Test accuracy where runs have it, else training accuracy, else the final loss.
fn headline_metric<'a>(metrics: impl Iterator<Item = &'a Metrics> + Clone) -> &'static str {
    let any = |pick: fn(&RunMetrics) -> Option<f64>| {
        metrics
            .clone()
            .any(|m| m.runs.values().any(|r| pick(r).is_some()))
    };
    if any(|r| r.test_accuracy) {
        "test_accuracy"
    } else if any(|r| r.train_accuracy) {
        "train_accuracy"
    } else {
        "final_loss"
    }
}

/// A run's headline metrics, with their seed statistics when it has them.
fn headline_json(run: &RunMetrics) -> Value {
    let mut out = Map::new();
    out.insert("status".into(), json!(run.status));
    for metric in HEADLINE_METRICS {
        if let Some(v) = headline(run, metric) {
            out.insert(metric.into(), json!(v));
            for suffix in ["std", "min", "max", "ci95"] {
                let key = format!("{metric}_{suffix}");
                if let Some(stat) = run.extra.get(&key) {
                    out.insert(key, stat.clone());
                }
            }
        }
    }
    Value::Object(out)
}

/// The value plotted along x: the first swept key's value when it is a number, else the
/// point's position in its list.
fn x_of(summary: &SweepSummary, value: &Value) -> f64 {
    value.as_f64().unwrap_or_else(|| {
        summary.axes[0]
            .values
            .iter()
            .position(|v| v == value)
            .unwrap_or(0) as f64
    })
}

/// Curves drawn at most, per figure.
const SHOWN_CURVES: usize = 12;

/// A point's settings for a legend: only the keys that take several values (a key given one
/// value is the same at every point and says nothing), or every key when none varies.
fn legend_settings<'a>(
    summary: &SweepSummary,
    settings: impl IntoIterator<Item = (&'a String, &'a Value)> + Clone,
    leave_out: Option<&str>,
) -> Vec<String> {
    let varies = |key: &str| {
        summary
            .axes
            .iter()
            .any(|a| a.key == key && a.values.len() > 1)
    };
    let shown = |all: bool| -> Vec<String> {
        settings
            .clone()
            .into_iter()
            .filter(|(k, _)| Some(k.as_str()) != leave_out && (all || varies(k)))
            .map(|(k, v)| format!("{k}={}", toml_inline(v)))
            .collect()
    };
    let varying = shown(false);
    if varying.is_empty() && leave_out.is_none() {
        shown(true)
    } else {
        varying
    }
}

/// The headline metric against the first swept key: one line per run (and per value of the
/// other keys), with the seeds' lowest and highest values dashed under `--seeds`.
fn metric_figure(summary: &SweepSummary, dir: &Path) -> anyhow::Result<PathBuf> {
    let first = &summary.axes[0].key;
    let scale = if summary.metric.contains("accuracy") {
        100.0
    } else {
        1.0
    };
    // Group points by the values of the other keys.
    // (label, [(x, mean, lowest and highest seed)]).
    type Line = (String, Vec<(f64, f64, Option<(f64, f64)>)>);
    let mut lines: Vec<Line> = Vec::new();
    for point in &summary.points {
        let x = x_of(summary, &point.settings[first]);
        let others = legend_settings(summary, &point.settings, Some(first));
        for (run, values) in &point.runs {
            let Some(y) = values.get(&summary.metric).and_then(Value::as_f64) else {
                continue;
            };
            let band = values
                .get(format!("{}_min", summary.metric))
                .and_then(Value::as_f64)
                .zip(
                    values
                        .get(format!("{}_max", summary.metric))
                        .and_then(Value::as_f64),
                );
            let label = if others.is_empty() {
                run.clone()
            } else {
                format!("{run}, {}", others.join(", "))
            };
            match lines.iter_mut().find(|(l, _)| *l == label) {
                Some((_, points)) => points.push((x, y, band)),
                None => lines.push((label, vec![(x, y, band)])),
            }
        }
    }
    let mut curves = Vec::new();
    for (i, (label, points)) in lines.iter().take(SHOWN_CURVES).enumerate() {
        let color = class_color(i);
        curves.push(Curve {
            label: label.clone(),
            color,
            points: points.iter().map(|(x, y, _)| (*x, y * scale)).collect(),
            dashed: false,
        });
        if points.iter().any(|(_, _, band)| band.is_some()) {
            for edge in [0, 1] {
                curves.push(Curve {
                    label: String::new(),
                    color,
                    points: points
                        .iter()
                        .filter_map(|(x, _, band)| {
                            band.map(|(lo, hi)| (*x, if edge == 0 { lo } else { hi } * scale))
                        })
                        .collect(),
                    dashed: true,
                });
            }
        }
    }
    let numeric = summary.axes[0].values.iter().all(Value::is_number);
    let metric_label = summary.metric.replace('_', " ");
    let path = save(
        &Figure {
            title: Some(format!(
                "{}: {metric_label} against {first}{}",
                summary.experiment,
                if summary.seeds.len() > 1 {
                    format!(
                        " (mean of {} seeds; dashed: lowest and highest)",
                        summary.seeds.len()
                    )
                } else {
                    String::new()
                }
            )),
            panels: vec![Panel::Lines {
                title: metric_label.clone(),
                x_label: if numeric {
                    first.clone()
                } else {
                    format!("{first} (position in the list; see the table)")
                },
                y_label: if scale > 1.0 {
                    format!("{metric_label} (%)")
                } else {
                    metric_label
                },
                log_y: !summary.metric.contains("accuracy"),
                curves,
                note: (lines.len() > SHOWN_CURVES)
                    .then(|| format!("{} of {} lines drawn", SHOWN_CURVES, lines.len())),
            }],
            columns: 1,
            panel_size: (900, 560),
        },
        dir,
        "sweep",
    )?;
    Ok(path)
}

/// Every point's training curve overlaid, one panel per run (the first four runs): held-out
/// accuracy where there is one, else the training loss. Under `--seeds`, the mean curve.
fn curves_figure(
    summary: &SweepSummary,
    results: &[(&Point, Metrics)],
    dir: &Path,
) -> anyhow::Result<PathBuf> {
    let runs: Vec<&String> = results[0]
        .1
        .runs
        .iter()
        .filter(|(_, r)| !r.curves.epoch.is_empty())
        .map(|(n, _)| n)
        .take(4)
        .collect();
    let panels: Vec<Panel> = runs
        .iter()
        .map(|run| {
            let use_test = results.iter().any(|(_, m)| {
                m.runs
                    .get(*run)
                    .is_some_and(|r| !r.curves.test_accuracy.is_empty())
            });
            let curves = results
                .iter()
                .take(SHOWN_CURVES)
                .enumerate()
                .filter_map(|(i, (point, m))| {
                    let r = m.runs.get(*run)?;
                    let values = if use_test {
                        &r.curves.test_accuracy
                    } else {
                        &r.curves.train_loss
                    };
                    let scale = if use_test { 100.0 } else { 1.0 };
                    Some(Curve {
                        label: legend_settings(
                            summary,
                            point.settings.iter().map(|(k, v)| (k, v)),
                            None,
                        )
                        .join(", "),
                        color: class_color(i),
                        points: r
                            .curves
                            .epoch
                            .iter()
                            .zip(values)
                            .filter_map(|(e, v)| v.map(|v| (*e as f64, v * scale)))
                            .collect(),
                        dashed: false,
                    })
                })
                .collect();
            Panel::Lines {
                title: run.to_string(),
                x_label: "epoch".into(),
                y_label: if use_test {
                    "test accuracy (%)".into()
                } else {
                    "training loss".into()
                },
                log_y: !use_test,
                curves,
                note: None,
            }
        })
        .collect();
    let columns = panels.len().clamp(1, 2);
    save(
        &Figure {
            title: Some(format!(
                "{}: training curves at every point",
                summary.experiment
            )),
            panels,
            columns,
            panel_size: (640, 480),
        },
        dir,
        "sweep_curves",
    )
}

/// The sweep page: the figures and a table of every point.
fn render(summary: &SweepSummary, figures: &[PathBuf]) -> String {
    let keys: Vec<&str> = summary.axes.iter().map(|a| a.key.as_str()).collect();
    // Every run any point has, in the order they first appear: a setting can change which
    // runs a point trains (mnist's optimizer study follows the best initialization).
    let mut runs: Vec<&String> = Vec::new();
    for run in summary.points.iter().flat_map(|p| p.runs.keys()) {
        if !runs.contains(&run) {
            runs.push(run);
        }
    }
    let cell = |values: &Value| -> String {
        let Some(mean) = values.get(&summary.metric).and_then(Value::as_f64) else {
            return "–".into();
        };
        let show = |v: f64| {
            if summary.metric.contains("accuracy") {
                format!("{:.1}%", v * 100.0)
            } else {
                format!("{v:.4}")
            }
        };
        match values
            .get(format!("{}_ci95", summary.metric))
            .and_then(|v| serde_json::from_value::<[f64; 2]>(v.clone()).ok())
        {
            Some([lo, hi]) => format!("{} <small>[{}, {}]</small>", show(mean), show(lo), show(hi)),
            None => show(mean),
        }
    };
    let mut body = String::new();
    body.push_str(&format!(
        "<p class=\"meta\">{} points · profile <code>{}</code> · backend <code>{}</code> · {} · table: {}{}</p>\n",
        summary.points.len(),
        escape_html(&summary.profile),
        escape_html(&summary.backend),
        if summary.seeds.len() > 1 {
            format!("{} seeds", summary.seeds.len())
        } else {
            format!("seed {}", summary.seeds[0])
        },
        escape_html(&summary.metric.replace('_', " ")),
        if summary.seeds.len() > 1 { " (mean [95% interval])" } else { "" }
    ));
    // Two figures of many series each: one per row, at their own size.
    body.push_str("<div class=\"figures wide\">\n");
    for figure in figures {
        let file = escape_html(&file_name(figure));
        body.push_str(&format!(
            "<figure><a href=\"{file}\"><img src=\"{file}\" alt=\"{file}\"></a></figure>\n"
        ));
    }
    body.push_str("</div>\n");
    // The figures' views, so the page's viewer redraws them as on the reproduce-all page.
    if let Some(dir) = figures.first().and_then(|f| f.parent()) {
        body.push_str(&crate::views::script_tags("", dir, figures));
    }
    // Many runs make a wide table: it scrolls inside the page rather than past it.
    body.push_str("<div class=\"scroll\"><table><thead><tr>");
    for key in &keys {
        body.push_str(&format!("<th><code>{}</code></th>", escape_html(key)));
    }
    for run in &runs {
        body.push_str(&format!("<th>{}</th>", escape_html(run)));
    }
    body.push_str("<th>status</th><th>results</th></tr></thead><tbody>\n");
    for point in &summary.points {
        body.push_str("<tr>");
        for key in &keys {
            let value = point
                .settings
                .get(*key)
                .map(toml_inline)
                .unwrap_or_default();
            body.push_str(&format!("<td><code>{}</code></td>", escape_html(&value)));
        }
        for run in &runs {
            body.push_str(&format!(
                "<td>{}</td>",
                point.runs.get(*run).map(cell).unwrap_or_else(|| "–".into())
            ));
        }
        body.push_str(&format!(
            "<td><span class=\"badge {s}\">{s}</span></td><td><a href=\"{d}/report.md\">report</a> · <a href=\"{d}/metrics.json\">metrics</a></td></tr>\n",
            s = point.status.name(),
            d = escape_html(&point.dir)
        ));
    }
    body.push_str("</tbody></table></div>\n<p class=\"meta\">Every point is an ordinary results folder; <code>sweep.json</code> holds these numbers.</p>\n");
    crate::index::page(
        &format!(
            "unfold sweep: {} over {}",
            summary.experiment,
            keys.join(", ")
        ),
        &body,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_split_outside_brackets() {
        let axis = Axis::parse("hidden=[4,4],[8,8]").unwrap();
        assert_eq!(axis.values, vec![json!([4, 4]), json!([8, 8])]);
        let axis = Axis::parse("learning_rate=0.01, 0.1,1").unwrap();
        assert_eq!(axis.values.len(), 3);
        for bad in ["lr", "noise=", "noise=0.1,,0.2", "noise=0.1,0.1"] {
            let error = Axis::parse(bad).unwrap_err();
            assert!(!error.contains('\n'), "{bad}: {error}");
        }
    }

    #[test]
    fn point_names_are_file_names() {
        let name = point_name(&[
            ("hidden".into(), json!([4, 4])),
            ("data.noise".into(), json!(0.1)),
            ("activation".into(), json!("relu")),
        ]);
        assert_eq!(name, "hidden=4-4__data.noise=0.1__activation=relu");
    }
}
