//! `unfold compare`: results side by side.
//!
//! Two or more results folders of the same experiment(s) — an experiment's folder, or a
//! results root holding several — from different backends, settings, seeds or versions: a
//! table of what differs in their setup, every headline metric of every run with its
//! difference from the first folder (flagged beyond a relative tolerance), and a page with the
//! same table and the figures next to each other.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::results::{Metrics, escape_html, prepare_output_dir, write_atomic};
use crate::runner::{read_metrics, result_folders};
use crate::seed_stats::{HEADLINE_METRICS, headline, seeds_of};
use crate::settings::{changed_keys, toml_inline};

/// The default `--tolerance`: a relative difference above 1% is flagged.
pub const DEFAULT_TOLERANCE: f64 = 0.01;

/// One folder's results, by experiment.
#[derive(Debug)]
struct Side {
    label: String,
    path: PathBuf,
    experiments: BTreeMap<String, (PathBuf, Metrics)>,
}

/// What a comparison found.
#[derive(Debug)]
pub struct Comparison {
    /// One block of lines per experiment, for the terminal.
    pub lines: Vec<String>,
    /// Metrics that differ beyond the tolerance.
    pub flagged: usize,
    /// The page written.
    pub page: PathBuf,
}

fn side(label: String, path: &Path) -> anyhow::Result<Side> {
    let shown = path.display();
    if !path.is_dir() {
        anyhow::bail!("{shown} is not a results folder (no such folder)");
    }
    let folders = if path.join("metrics.json").is_file() {
        vec![path.to_path_buf()]
    } else {
        result_folders(path)
    };
    if folders.is_empty() {
        anyhow::bail!(
            "{shown} holds no results: neither a metrics.json nor experiment folders with one"
        );
    }
    let mut experiments: BTreeMap<String, (PathBuf, Metrics)> = BTreeMap::new();
    for folder in folders {
        let metrics = read_metrics(&folder.join("metrics.json"))?;
        if let Some((first, _)) = experiments.get(&metrics.experiment) {
            // A sweep's points (or any folder of several runs of one experiment): which one
            // to compare is the user's choice, not the folder order's.
            let kind = if path.join("sweep.json").is_file() {
                "a sweep"
            } else {
                "several results"
            };
            anyhow::bail!(
                "{shown} is {kind} of {}, not one result ({} and {} both hold it); \
                 compare its folders instead, e.g. `unfold compare {} {}`",
                metrics.experiment,
                first.display(),
                folder.display(),
                first.display(),
                folder.display()
            );
        }
        experiments.insert(metrics.experiment.clone(), (folder, metrics));
    }
    Ok(Side {
        label,
        path: path.to_path_buf(),
        experiments,
    })
}

/// Compares `dirs` and writes the page into `out`; bad folders fail before anything is
/// written.
pub fn compare(dirs: &[PathBuf], tolerance: f64, out: &Path) -> anyhow::Result<Comparison> {
    if dirs.len() < 2 {
        anyhow::bail!("compare needs at least two results folders");
    }
    if !(tolerance.is_finite() && tolerance >= 0.0) {
        anyhow::bail!("--tolerance {tolerance}: expected a relative difference ≥ 0 (0.01 = 1%)");
    }
    let sides: Vec<Side> = dirs
        .iter()
        .enumerate()
        .map(|(i, d)| side(label(i), d))
        .collect::<anyhow::Result<_>>()?;
    let names: BTreeSet<&String> = sides[0].experiments.keys().collect();
    for other in &sides[1..] {
        let theirs: BTreeSet<&String> = other.experiments.keys().collect();
        if theirs != names {
            anyhow::bail!(
                "{} holds {} but {} holds {}: compare folders of the same experiment(s)",
                sides[0].path.display(),
                join(&names),
                other.path.display(),
                join(&theirs)
            );
        }
    }
    prepare_output_dir(out)?;
    let mut lines = Vec::new();
    let mut flagged = 0;
    let mut body = String::new();
    body.push_str("<table><thead><tr><th></th><th>folder</th></tr></thead><tbody>\n");
    for s in &sides {
        body.push_str(&format!(
            "<tr><td><strong>{}</strong></td><td><code>{}</code></td></tr>\n",
            s.label,
            escape_html(&s.path.display().to_string())
        ));
        lines.push(format!("{}: {}", s.label, s.path.display()));
    }
    body.push_str("</tbody></table>\n");
    for name in names {
        let all: Vec<&Metrics> = sides.iter().map(|s| &s.experiments[name].1).collect();
        lines.push(String::new());
        lines.push(format!("== {name}"));
        body.push_str(&format!(
            "<section class=\"experiment\"><h2>{}</h2>\n",
            escape_html(name)
        ));
        let setup = setup_differences(&all);
        let mut header: Vec<String> = vec!["setting".into()];
        header.extend(sides.iter().map(|s| s.label.clone()));
        if setup.is_empty() {
            lines.push("same settings, seed, backend and profile".into());
            body.push_str("<p>Same settings, seed, backend and profile.</p>\n");
        } else {
            lines.extend(text_table(&header, &setup));
            body.push_str(&html_table(&header, &setup));
            // The version aside, only the seed changed: what differs below is chance.
            let only_seed = setup
                .iter()
                .all(|row| row[0] == "seed" || row[0] == "version");
            if only_seed && setup.iter().any(|row| row[0] == "seed") {
                let note = "Only the seed differs: the differences below are seed-to-seed \
                            variation, not the effect of a setting (`--seeds N` measures that \
                            spread, with intervals).";
                lines.push(note.replace('`', ""));
                let html = escape_html(note)
                    .replacen('`', "<code>", 1)
                    .replacen('`', "</code>", 1);
                body.push_str(&format!("<p class=\"meta\">{html}</p>\n"));
            }
        }
        let (rows, flags) = metric_rows(&all, tolerance);
        flagged += flags;
        let mut header: Vec<String> = vec!["run".into(), "metric".into()];
        header.extend(sides.iter().map(|s| s.label.clone()));
        header.extend(sides[1..].iter().map(|s| format!("{}−A", s.label)));
        header.push(String::new());
        lines.extend(text_table(&header, &rows));
        body.push_str(&html_table(&header, &rows));
        body.push_str(&figures_side_by_side(&sides, name, out)?);
        body.push_str("</section>\n");
    }
    lines.push(String::new());
    lines.push(if flagged == 0 {
        format!(
            "no metric differs by more than {}% (--tolerance {tolerance})",
            tolerance * 100.0
        )
    } else {
        format!(
            "{flagged} metric(s) differ by more than {}% (--tolerance {tolerance}), marked DIFFERS",
            tolerance * 100.0
        )
    });
    let page = out.join("index.html");
    body.insert_str(
        0,
        &format!(
            "<p class=\"meta\">Headline metrics of every run; a relative difference above {}% \
             from A is marked <strong>DIFFERS</strong>.</p>\n",
            tolerance * 100.0
        ),
    );
    write_atomic(
        &page,
        crate::index::page("unfold compare", &body).as_bytes(),
    )?;
    Ok(Comparison {
        lines,
        flagged,
        page,
    })
}

fn label(i: usize) -> String {
    char::from(b'A' + (i % 26) as u8).to_string() + &"'".repeat(i / 26)
}

fn join(names: &BTreeSet<&String>) -> String {
    names
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Rows of what differs in the setup: backend, device, profile, seed(s), version and every
/// setting that is not the same in all folders.
fn setup_differences(all: &[&Metrics]) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    type Field = fn(&Metrics) -> String;
    let fields: [(&str, Field); 5] = [
        ("backend", |m| m.backend.clone()),
        ("device", |m| m.device.clone()),
        ("profile", |m| m.profile.clone()),
        ("seed", |m| match seeds_of(m) {
            Some(seeds) => format!("{} seeds from {}", seeds.len(), seeds[0]),
            None => m.seed.to_string(),
        }),
        ("version", |m| {
            format!(
                "{}{}",
                m.manifest.unfold_version,
                m.manifest
                    .git_commit
                    .as_ref()
                    .map(|c| format!(" ({})", &c[..c.len().min(10)]))
                    .unwrap_or_default()
            )
        }),
    ];
    for (name, field) in fields {
        let values: Vec<String> = all.iter().map(|m| field(m)).collect();
        if values.iter().any(|v| *v != values[0]) {
            let mut row = vec![name.to_string()];
            row.extend(values);
            rows.push(row);
        }
    }
    let mut keys = BTreeSet::new();
    for m in &all[1..] {
        keys.extend(changed_keys(&m.config, &all[0].config).keys().cloned());
    }
    for key in keys {
        let mut row = vec![format!("`{key}`")];
        row.extend(all.iter().map(|m| {
            crate::settings::get_path(&m.config, &key)
                .map(toml_inline)
                .unwrap_or_else(|| "not set".into())
        }));
        rows.push(row);
    }
    rows
}

/// One row per run and headline metric: each folder's value, the differences from A, and a
/// flag beyond the tolerance.
fn metric_rows(all: &[&Metrics], tolerance: f64) -> (Vec<Vec<String>>, usize) {
    let runs: BTreeSet<&String> = all.iter().flat_map(|m| m.runs.keys()).collect();
    let mut rows = Vec::new();
    let mut flagged = 0;
    for run in runs {
        for metric in HEADLINE_METRICS {
            let values: Vec<Option<f64>> = all
                .iter()
                .map(|m| m.runs.get(run).and_then(|r| headline(r, metric)))
                .collect();
            if values.iter().all(Option::is_none) {
                continue;
            }
            let show = |v: Option<f64>| match v {
                None => "–".to_string(),
                Some(v) if metric.contains("accuracy") => format!("{:.2}%", v * 100.0),
                Some(v) => format!("{v:.6}"),
            };
            let mut row = vec![format!("`{run}`"), metric.replace('_', " ")];
            row.extend(values.iter().map(|v| show(*v)));
            let mut differs = false;
            for v in &values[1..] {
                row.push(match (values[0], v) {
                    (Some(a), Some(b)) => {
                        let scale = a.abs().max(b.abs());
                        if scale > 0.0 && (b - a).abs() / scale > tolerance {
                            differs = true;
                        }
                        if a == *b {
                            // "+0.00e0" would read as a rounded difference.
                            "same".into()
                        } else if metric.contains("accuracy") {
                            format!("{:+.2} pts", (b - a) * 100.0)
                        } else {
                            format!("{:+.2e}", b - a)
                        }
                    }
                    (None, None) => "–".into(),
                    _ => {
                        differs = true;
                        "missing".into()
                    }
                });
            }
            if differs {
                flagged += 1;
            }
            row.push(if differs {
                "DIFFERS".into()
            } else {
                String::new()
            });
            rows.push(row);
        }
    }
    (rows, flagged)
}

fn text_table(header: &[String], rows: &[Vec<String>]) -> Vec<String> {
    let plain = |s: &str| s.replace('`', "");
    let widths: Vec<usize> = (0..header.len())
        .map(|c| {
            std::iter::once(&header[c])
                .chain(rows.iter().map(|r| &r[c]))
                .map(|s| plain(s).chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: &[String]| {
        cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{:<w$}", plain(c), w = *w))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    };
    std::iter::once(line(header))
        .chain(rows.iter().map(|r| line(r)))
        .collect()
}

fn html_table(header: &[String], rows: &[Vec<String>]) -> String {
    let cell = |s: &str| {
        let text = escape_html(s);
        match text.strip_prefix('`').and_then(|t| t.strip_suffix('`')) {
            Some(code) => format!("<code>{code}</code>"),
            None if text == "DIFFERS" => "<strong class=\"error\">DIFFERS</strong>".into(),
            None => text,
        }
    };
    let mut html = String::from("<table><thead><tr>");
    for h in header {
        html.push_str(&format!("<th>{}</th>", cell(h)));
    }
    html.push_str("</tr></thead><tbody>\n");
    for row in rows {
        html.push_str("<tr>");
        for c in row {
            html.push_str(&format!("<td>{}</td>", cell(c)));
        }
        html.push_str("</tr>\n");
    }
    html.push_str("</tbody></table>\n");
    html
}

/// Every figure the folders share, one row per figure with each folder's copy (copied beside
/// the page, so it stays whole when the folders move).
fn figures_side_by_side(sides: &[Side], name: &str, out: &Path) -> anyhow::Result<String> {
    let first = &sides[0].experiments[name].1;
    let shared: Vec<&String> = first
        .figures
        .iter()
        .filter(|f| {
            sides
                .iter()
                .all(|s| s.experiments[name].1.figures.contains(f))
        })
        .collect();
    let mut html = String::new();
    for figure in shared {
        html.push_str(&format!(
            "<h3>{}</h3>\n<div class=\"figures fill\">\n",
            escape_html(first.captions.get(figure).unwrap_or(figure))
        ));
        for s in sides {
            let source = s.experiments[name].0.join(figure);
            let copy = format!("{name}/{}/{figure}", s.label);
            let target = out.join(&copy);
            if let Some(parent) = target.parent() {
                prepare_output_dir(parent)?;
            }
            let bytes = read_figure(&source)?;
            write_atomic(&target, &bytes)?;
            html.push_str(&format!(
                "<figure><a href=\"{c}\"><img src=\"{c}\" alt=\"{l}\"></a><figcaption>{l}</figcaption></figure>\n",
                c = escape_html(&copy),
                l = s.label
            ));
        }
        html.push_str("</div>\n");
    }
    Ok(html)
}

/// The largest figure a comparison copies.
const MAX_FIGURE_BYTES: u64 = 64 * 1024 * 1024;

fn read_figure(path: &Path) -> anyhow::Result<Vec<u8>> {
    let meta = std::fs::metadata(path)
        .map_err(|e| anyhow::anyhow!("cannot read figure {}: {e}", path.display()))?;
    if !meta.is_file() || meta.len() > MAX_FIGURE_BYTES {
        anyhow::bail!(
            "{} is not a figure file of at most {} MiB",
            path.display(),
            MAX_FIGURE_BYTES >> 20
        );
    }
    std::fs::read(path).map_err(|e| anyhow::anyhow!("cannot read figure {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_run_a_b_c() {
        assert_eq!(
            (label(0), label(1), label(2)),
            ("A".into(), "B".into(), "C".into())
        );
    }

    #[test]
    fn tables_line_up() {
        let header = vec!["run".to_string(), "value".to_string()];
        let rows = vec![vec!["`long name`".to_string(), "1".to_string()]];
        assert_eq!(
            text_table(&header, &rows),
            vec!["run        value", "long name  1"]
        );
    }
}
