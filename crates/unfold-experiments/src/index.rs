//! The `reproduce-all` page: `<out>/index.html` linking every experiment's results, and the
//! run manifest `<out>/manifest.json`.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::Profile;
use crate::experiment::{ExperimentInfo, ExperimentOutcome};
use crate::results::{escape_html, git_commit, write_atomic};

/// How a failed experiment is reported: one line a user can act on, and the full chain of
/// causes for the page's details.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// One line: what went wrong and, where known, what to do.
    pub line: String,
    /// Every cause, outermost first.
    pub details: String,
}

impl Failure {
    /// Describes an experiment's error. A dataset that cannot be found becomes one line that
    /// says how to get it; other errors keep their message.
    pub fn from_error(error: &anyhow::Error) -> Self {
        // Errors may quote an address or a server's words: never a secret in the page.
        let details = unfold_guard::secrets::error(error.as_ref());
        let missing = error.chain().find_map(|cause| match cause.downcast_ref() {
            Some(unfold_data::DataError::NotFound { kind, looked }) => Some((*kind, looked.len())),
            _ => None,
        });
        let line = match missing {
            Some((kind, places)) => format!(
                "dataset missing: {kind} was not found in {places} place(s); get it with \
                 `unfold data fetch {}` or point --data-dir / ${} at it",
                kind.dir_name(),
                unfold_data::DATA_ENV
            ),
            None => details.lines().next().unwrap_or_default().to_string(),
        };
        Self { line, details }
    }
}

/// One experiment's entry on the page.
#[derive(Debug)]
pub struct Entry {
    /// Which experiment.
    pub info: ExperimentInfo,
    /// What it produced, or why it failed.
    pub outcome: Result<ExperimentOutcome, Failure>,
    /// Wall-clock seconds it took.
    pub seconds: f64,
    /// The backend it ran on.
    pub backend: String,
    /// Why `--backend auto` chose that backend (`None` for a fixed backend).
    pub backend_reason: Option<String>,
    /// When the experiment ran in an earlier reproduce-all whose results this one kept (the
    /// start of that run): `--only`/`--skip` reran the others. `None` for this run's own.
    pub earlier_run: Option<String>,
}

/// The run as a whole.
#[derive(Debug, Clone)]
pub struct RunSummary {
    /// The backend name.
    pub backend: String,
    /// The device description.
    pub device: String,
    /// The profile.
    pub profile: Profile,
    /// When the run started (RFC 3339).
    pub started: String,
    /// Wall-clock seconds for everything.
    pub wall_seconds: f64,
}

/// One experiment in `manifest.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct ManifestEntry {
    experiment: String,
    notebook: String,
    status: String,
    wall_seconds: f64,
    backend: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    backend_reason: Option<String>,
    /// Every cause of a failure, outermost first.
    error: Option<String>,
    /// The failure as one actionable line.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    error_line: Option<String>,
    /// Set when the entry was kept from an earlier run: when that run started.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    earlier_run: Option<String>,
}

/// The content of `<out>/manifest.json`: the run as a whole and each experiment's outcome;
/// with the experiments' `metrics.json` files, everything `index.html` shows.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct RunManifest {
    #[serde(default = "crate::schema::unversioned")]
    schema_version: u32,
    unfold_version: String,
    git_commit: Option<String>,
    backend: String,
    device: String,
    profile: Profile,
    started: String,
    finished: String,
    wall_seconds: f64,
    experiments: Vec<ManifestEntry>,
}

fn status_name(entry: &Entry) -> &'static str {
    match &entry.outcome {
        Ok(o) => o.status.name(),
        Err(_) => "failed",
    }
}

/// Refuses a results folder whose `index.html` or `manifest.json` unfold did not write (a
/// page of the user's own in the folder given to `--out`), which writing the folder's page
/// would replace. A file counts as unfold's when its start says so (the page's
/// `<title>unfold: `, the manifest's `"unfold_version"`); only that start is read.
pub fn check_ours(out: &Path) -> anyhow::Result<()> {
    for (name, marker) in [
        ("index.html", "<title>unfold: "),
        ("manifest.json", "\"unfold_version\""),
    ] {
        let path = out.join(name);
        if path.symlink_metadata().is_ok() && !starts_with_marker(&path, marker) {
            anyhow::bail!(
                "{} was not written by unfold, and writing the folder's page would replace it; \
                 move it away or give another --out",
                path.display()
            );
        }
    }
    Ok(())
}

/// Whether `path` is a regular file whose first 4 KiB hold `marker`.
fn starts_with_marker(path: &Path, marker: &str) -> bool {
    use std::io::Read;
    if !path.symlink_metadata().is_ok_and(|m| m.is_file()) {
        return false;
    }
    let mut head = Vec::new();
    std::fs::File::open(path)
        .and_then(|file| file.take(4096).read_to_end(&mut head))
        .is_ok()
        && String::from_utf8_lossy(&head).contains(marker)
}

/// Writes `<out>/manifest.json` and `<out>/index.html` ([`check_ours`] first); returns the
/// page's path.
pub fn write(out: &Path, run: &RunSummary, entries: &[Entry]) -> anyhow::Result<PathBuf> {
    check_ours(out)?;
    let manifest = RunManifest {
        schema_version: crate::schema::MANIFEST_SCHEMA_VERSION,
        unfold_version: env!("CARGO_PKG_VERSION").into(),
        git_commit: git_commit(),
        backend: run.backend.clone(),
        device: unfold_guard::secrets::text(&run.device),
        profile: run.profile,
        started: run.started.clone(),
        finished: crate::time::now_rfc3339(),
        wall_seconds: run.wall_seconds,
        experiments: entries
            .iter()
            .map(|e| ManifestEntry {
                experiment: e.info.name.into(),
                notebook: e.info.notebook.into(),
                status: status_name(e).into(),
                wall_seconds: e.seconds,
                backend: e.backend.clone(),
                backend_reason: e.backend_reason.clone(),
                error: e.outcome.as_ref().err().map(|f| f.details.clone()),
                error_line: e.outcome.as_ref().err().map(|f| f.line.clone()),
                earlier_run: e.earlier_run.clone(),
            })
            .collect(),
    };
    let mut text = serde_json::to_string_pretty(&manifest)?;
    text.push('\n');
    write_atomic(&out.join("manifest.json"), text.as_bytes())?;

    let page = out.join("index.html");
    write_atomic(
        &page,
        render(run, &manifest.git_commit, entries, &more_pages(out)).as_bytes(),
    )?;
    Ok(page)
}

/// Reads `<out>/manifest.json`.
fn read_manifest(out: &Path) -> anyhow::Result<RunManifest> {
    let path = out.join("manifest.json");
    let tree = crate::settings::read_settings_file(&path).map_err(anyhow::Error::msg)?;
    crate::schema::check(&tree, crate::schema::MANIFEST_SCHEMA_VERSION, &path)
        .map_err(anyhow::Error::msg)?;
    serde_json::from_value(serde_json::Value::Object(tree))
        .map_err(|e| anyhow::anyhow!("{} is not an unfold run manifest: {e}", path.display()))
}

/// The page entry of one experiment the manifest records, its report rebuilt from its
/// `metrics.json` in `<out>/<experiment>/`.
fn recorded_entry(out: &Path, recorded: &ManifestEntry) -> anyhow::Result<Entry> {
    Ok(recorded_entry_and_results(out, recorded)?.0)
}

/// [`recorded_entry`], with the results it was rebuilt from (`None` for a failure).
fn recorded_entry_and_results(
    out: &Path,
    recorded: &ManifestEntry,
) -> anyhow::Result<(Entry, Option<crate::results::Metrics>)> {
    let experiment = crate::registry::find(&recorded.experiment).map_err(anyhow::Error::msg)?;
    let outcome = match &recorded.error {
        Some(details) => Err(Failure {
            line: recorded
                .error_line
                .clone()
                .unwrap_or_else(|| details.lines().next().unwrap_or_default().to_string()),
            details: details.clone(),
        }),
        None => {
            let dir = out.join(&recorded.experiment);
            let metrics_path = dir.join("metrics.json");
            let metrics = crate::runner::read_metrics(&metrics_path)?;
            let report = experiment.rebuild_report(&metrics)?;
            Ok((
                ExperimentOutcome {
                    name: metrics.experiment.clone(),
                    status: metrics.status,
                    figures: metrics.figures.iter().map(|f| dir.join(f)).collect(),
                    dir,
                    metrics_path,
                    summary: Vec::new(),
                    wall_seconds: metrics.wall_seconds,
                    report,
                },
                metrics,
            ))
        }
    };
    let (outcome, metrics) = match outcome {
        Ok((outcome, metrics)) => (Ok(outcome), Some(metrics)),
        Err(failure) => (Err(failure), None),
    };
    let entry = Entry {
        info: *experiment.info(),
        outcome,
        seconds: recorded.wall_seconds,
        backend: recorded.backend.clone(),
        backend_reason: recorded.backend_reason.clone(),
        earlier_run: recorded.earlier_run.clone(),
    };
    Ok((entry, metrics))
}

/// Rebuilds `<out>/index.html` from `<out>/manifest.json` and the experiments' `metrics.json`
/// (their reports rebuilt from the recorded results), exactly as `reproduce-all` wrote it.
pub fn rebuild(out: &Path) -> anyhow::Result<PathBuf> {
    check_ours(out)?;
    let manifest = read_manifest(out)?;
    let run = RunSummary {
        backend: manifest.backend.clone(),
        device: manifest.device.clone(),
        profile: manifest.profile,
        started: manifest.started.clone(),
        wall_seconds: manifest.wall_seconds,
    };
    let entries = manifest
        .experiments
        .iter()
        .map(|recorded| recorded_entry(out, recorded))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let page = out.join("index.html");
    write_atomic(
        &page,
        render(&run, &manifest.git_commit, &entries, &more_pages(out)).as_bytes(),
    )?;
    Ok(page)
}

/// What an earlier reproduce-all left in `out` for the experiments this run leaves out
/// (`--only`/`--skip`), to list beside this run's, so that rerunning part of a folder keeps
/// its page whole. Entries of another profile, or whose results are gone or unreadable, are
/// left off; the returned lines say which and why. No earlier manifest gives nothing.
pub fn earlier_entries(
    out: &Path,
    profile: Profile,
    this_run: &[&str],
) -> (Vec<Entry>, Vec<String>) {
    if !out.join("manifest.json").is_file() {
        return (Vec::new(), Vec::new());
    }
    let manifest = match read_manifest(out) {
        Ok(manifest) => manifest,
        Err(e) => return (Vec::new(), vec![format!("earlier results not listed: {e}")]),
    };
    let others: Vec<&ManifestEntry> = manifest
        .experiments
        .iter()
        .filter(|r| !this_run.contains(&r.experiment.as_str()))
        .collect();
    if others.is_empty() {
        return (Vec::new(), Vec::new());
    }
    if manifest.profile != profile {
        let names: Vec<&str> = others.iter().map(|r| r.experiment.as_str()).collect();
        return (
            Vec::new(),
            vec![format!(
                "earlier results of {} not listed: they are of the {} profile, this run is {}",
                names.join(", "),
                manifest.profile,
                profile
            )],
        );
    }
    let mut entries = Vec::new();
    let mut dropped = Vec::new();
    for recorded in others {
        match recorded_entry_and_results(out, recorded) {
            Ok((mut entry, own)) => {
                // The folder's own results say when it ran, how long and where: it may have
                // been rerun on its own since that reproduce-all.
                match own {
                    Some(metrics) => {
                        if metrics.backend != entry.backend {
                            entry.backend_reason = None;
                        }
                        entry.earlier_run = Some(metrics.manifest.started);
                        entry.seconds = metrics.wall_seconds;
                        entry.backend = metrics.backend;
                    }
                    None => {
                        entry.earlier_run = entry.earlier_run.or(Some(manifest.started.clone()))
                    }
                }
                entries.push(entry);
            }
            Err(e) => dropped.push(format!(
                "earlier results of {} not listed: {e}",
                recorded.experiment
            )),
        }
    }
    (entries, dropped)
}

/// Orders page entries as the registry lists their experiments.
pub fn sort_entries(entries: &mut [Entry]) {
    let names = crate::registry::names();
    entries.sort_by_key(|e| names.iter().position(|n| *n == e.info.name));
}

/// Marks figures whose file is missing (a run moved or deleted) with a visible warning, and
/// records the count on `<body data-broken-images>` for the browser test. No network access.
/// A figure counts as missing when its load failed (`complete` with no pixels, or an `error`
/// later), never merely because it is still loading when the page's `load` event comes.
const IMAGE_CHECK: &str = r#"<script>
window.addEventListener("load", function () {
  var broken = 0;
  var images = document.querySelectorAll("img");
  var missing = function (img) {
    broken += 1;
    var warn = document.createElement("p");
    warn.className = "error";
    warn.textContent = "Figure missing: " + img.getAttribute("src");
    img.replaceWith(warn);
    document.body.setAttribute("data-broken-images", String(broken));
  };
  images.forEach(function (img) {
    if (img.complete && img.naturalWidth === 0) missing(img);
    else if (!img.complete) img.addEventListener("error", function () { missing(img); });
  });
  document.body.setAttribute("data-broken-images", String(broken));
  document.body.setAttribute("data-images", String(images.length));
});
</script>
"#;

const STYLE: &str = r#"
:root { --ink:#1d2330; --muted:#5b6475; --line:#e3e6ec; --accent:#3b6fd8; --ok:#1f8a4c; --warn:#b7791f; --bad:#c0392b; }
* { box-sizing: border-box; }
body { margin:0; font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color:var(--ink); background:#f6f7fb; }
header { background: linear-gradient(120deg,#22305a,#3b6fd8); color:white; padding:2.2rem 2rem 1.6rem; }
header h1 { margin:0 0 .3rem; font-size:2rem; letter-spacing:.01em; }
header p { margin:.2rem 0; opacity:.9; }
header code { background:rgba(255,255,255,.18); color:white; }
main { max-width:1180px; margin:0 auto; padding:1.5rem 1.2rem 4rem; }
nav.toc { background:white; border:1px solid var(--line); border-radius:10px; padding:.8rem 1.2rem; margin-bottom:1.5rem; }
nav.toc a { color:var(--accent); text-decoration:none; margin-right:1.2rem; }
section.experiment { background:white; border:1px solid var(--line); border-radius:12px; padding:1.4rem 1.6rem; margin:1.5rem 0; box-shadow:0 1px 3px rgba(20,30,60,.05); }
section.experiment h2 { margin:.1rem 0 .3rem; }
.meta { color:var(--muted); font-size:.92rem; }
.answer { border-left:4px solid var(--ok); background:#f1f8f4; border-radius:0 8px 8px 0; padding:.5rem .9rem; margin:.7rem 0; }
.answer .q { font-weight:600; margin:.1rem 0; } .answer .a { margin:.2rem 0; }
.settings { border-left:4px solid var(--warn); background:#fdf7ec; border-radius:0 8px 8px 0; padding:.5rem .9rem; margin:.7rem 0; }
.settings table { margin:.3rem 0; }
.question { border-left:4px solid var(--accent); padding:.4rem .9rem; background:#f2f5fd; border-radius:0 8px 8px 0; }
.badge { display:inline-block; padding:.1rem .6rem; border-radius:999px; font-size:.8rem; font-weight:600; color:white; vertical-align:middle; }
.badge.ok { background:var(--ok); } .badge.diverged { background:var(--warn); } .badge.failed { background:var(--bad); }
table { border-collapse:collapse; margin:.8rem 0; font-size:.95rem; }
th, td { border-bottom:1px solid var(--line); padding:.35rem .8rem; text-align:left; }
th { background:#f2f4f8; }
code { background:#f0f2f6; padding:.05rem .3rem; border-radius:4px; font-size:.92em; }
.figures { display:grid; grid-template-columns:repeat(auto-fill,minmax(340px,1fr)); gap:1rem; margin-top:.8rem; }
figure { margin:0; border:1px solid var(--line); border-radius:8px; padding:.5rem; background:white; }
figure img { width:100%; height:auto; display:block; }
.scroll { overflow-x:auto; max-width:100%; }
.figures.fill { grid-template-columns:repeat(auto-fit,minmax(340px,1fr)); }
.figures.wide { grid-template-columns:minmax(0,1fr); }
.figures.wide img { width:auto; max-width:100%; margin:0 auto; }
figcaption { color:var(--muted); font-size:.88rem; margin-top:.3rem; }
.glance table { width:100%; } .glance { background:white; border:1px solid var(--line); border-radius:12px; padding:1rem 1.4rem; }
p.error { color:var(--bad); font-weight:600; }
details summary { cursor:pointer; color:var(--muted); }
pre.error { background:#fdf0ee; color:var(--bad); padding:.8rem; border-radius:8px; white-space:pre-wrap; }
footer { color:var(--muted); font-size:.85rem; text-align:center; padding:2rem; }
@media (max-width:700px) {
  main { padding:1rem .5rem 3rem; } header { padding:1.4rem 1rem 1rem; } header h1 { font-size:1.5rem; }
  section.experiment { padding:1rem .8rem; }
  table { display:block; overflow-x:auto; max-width:100%; }
  .figures { grid-template-columns:minmax(0,1fr); }
}
"#;

/// A standalone page in the report's style (sweeps, comparisons): `body` under a header, with
/// the viewer for any figure whose view `body` loads.
pub fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{t}</title>\n<style>{STYLE}</style>\n{viewer}</head>\n<body>\n<header><h1>{t}</h1></header>\n\
         <main>\n{body}</main>\n<footer>Made by unfold.</footer>\n{IMAGE_CHECK}</body>\n</html>\n",
        t = escape_html(title),
        viewer = crate::views::page_head()
    )
}

/// The sweep and comparison pages under `out` (`sweep-*/index.html`, `compare/index.html`),
/// as (link, label), for the index's "More pages" list.
fn more_pages(out: &Path) -> Vec<(String, String)> {
    let mut pages: Vec<(String, String)> = std::fs::read_dir(out)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter_map(|e| {
                    let name = e.file_name().to_string_lossy().into_owned();
                    let label = if let Some(experiment) = name.strip_prefix("sweep-") {
                        format!("sweep of {experiment}")
                    } else if name == "compare" {
                        "comparison".to_string()
                    } else {
                        return None;
                    };
                    e.path()
                        .join("index.html")
                        .is_file()
                        .then(|| (format!("{name}/index.html"), label))
                })
                .collect()
        })
        .unwrap_or_default();
    pages.sort();
    pages
}

fn render(
    run: &RunSummary,
    commit: &Option<String>,
    entries: &[Entry],
    more: &[(String, String)],
) -> String {
    let mut html = String::new();
    html.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    html.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    // A folder holding part of the experiments (single runs, `--only`) says which.
    let title = if entries.len() >= crate::registry::names().len() {
        "every notebook, reproduced".to_string()
    } else {
        let names: Vec<&str> = entries.iter().map(|e| e.info.name).collect();
        format!("reproduced: {}", names.join(", "))
    };
    html.push_str(&format!("<title>unfold: {}</title>\n", escape_html(&title)));
    html.push_str(&format!("<style>{STYLE}</style>\n"));
    html.push_str(&crate::views::page_head());
    html.push_str("</head>\n<body>\n");
    let ours = || entries.iter().filter(|e| e.earlier_run.is_none());
    let ok = ours().filter(|e| e.outcome.is_ok()).count();
    let earlier = entries.len() - ours().count();
    let kept = if earlier == 0 {
        String::new()
    } else {
        format!(
            "<p>{} from earlier runs in this folder, which this run left out.</p>",
            crate::results::count_of(earlier, "more experiment"),
        )
    };
    html.push_str(&format!(
        "<header><h1>unfold — {}</h1>\
         <p>{ok} of {} experiments ran on <strong>{}</strong> ({}) with the <strong>{}</strong> profile \
         in {:.1} s.</p>{kept}<p>Started {} · unfold {}{}</p></header>\n<main>\n",
        escape_html(&title),
        ours().count(),
        escape_html(&run.backend),
        escape_html(&run.device),
        run.profile,
        run.wall_seconds,
        escape_html(&run.started),
        env!("CARGO_PKG_VERSION"),
        commit
            .as_ref()
            .map(|c| format!(" · commit <code>{}</code>", escape_html(&c[..c.len().min(12)])))
            .unwrap_or_default()
    ));
    html.push_str("<section class=\"glance\"><h2>At a glance</h2>\n<table><thead><tr><th>experiment</th><th>notebook</th><th>status</th><th>backend</th><th>time</th><th>figures</th><th>questions answered</th></tr></thead><tbody>\n");
    for e in entries {
        let status = status_name(e);
        let (figures, answers) = match &e.outcome {
            Ok(o) => (
                o.figures.len().to_string(),
                o.report.answers().len().to_string(),
            ),
            Err(_) => ("–".into(), "–".into()),
        };
        html.push_str(&format!(
            "<tr><td><a href=\"#{name}\">{name}</a></td><td><code>{notebook}</code></td><td><span class=\"badge {status}\">{status}</span></td><td title=\"{why}\">{backend}</td><td>{secs:.1} s{earlier}</td><td>{figures}</td><td>{answers}</td></tr>\n",
            earlier = if e.earlier_run.is_some() { " (earlier run)" } else { "" },
            name = e.info.name,
            notebook = escape_html(e.info.notebook),
            secs = e.seconds,
            backend = escape_html(&e.backend),
            why = escape_html(e.backend_reason.as_deref().unwrap_or("chosen with --backend")),
        ));
    }
    html.push_str("</tbody></table>");
    if !more.is_empty() {
        let links: Vec<String> = more
            .iter()
            .map(|(href, label)| {
                format!(
                    "<a href=\"{}\">{}</a>",
                    escape_html(href),
                    escape_html(label)
                )
            })
            .collect();
        html.push_str(&format!(
            "<p class=\"meta\">More pages: {}</p>",
            links.join(" · ")
        ));
    }
    html.push_str("</section>\n");
    for e in entries {
        let status = status_name(e);
        html.push_str(&format!(
            "<section class=\"experiment\" id=\"{name}\">\n<h2>{title} <span class=\"badge {status}\">{status}</span></h2>\n\
             <p class=\"meta\">Notebook <code>{notebook}</code> · <code>unfold {name}</code> · {secs:.1} s{earlier}</p>\n\
             <p class=\"question\">{question}</p>\n",
            earlier = e
                .earlier_run
                .as_ref()
                .map(|t| format!(" · from an earlier run, started {}", escape_html(t)))
                .unwrap_or_default(),
            name = e.info.name,
            title = escape_html(e.info.title),
            notebook = e.info.notebook,
            secs = e.seconds,
            question = escape_html(e.info.question),
        ));
        match &e.outcome {
            Ok(outcome) => {
                html.push_str(&outcome.report.to_html(e.info.name));
                html.push_str(&crate::views::script_tags(
                    e.info.name,
                    &outcome.dir,
                    &outcome.figures,
                ));
                html.push_str(&format!(
                    "<p class=\"meta\">Files: <a href=\"{0}/metrics.json\">metrics.json</a> · <a href=\"{0}/report.md\">report.md</a></p>\n",
                    e.info.name
                ));
            }
            Err(failure) => html.push_str(&format!(
                "<p class=\"error\">{}</p>\n<details><summary>Details</summary><pre class=\"error\">{}</pre></details>\n",
                escape_html(&failure.line),
                escape_html(&failure.details)
            )),
        }
        html.push_str("</section>\n");
    }
    html.push_str("</main>\n<footer>Made by unfold. Every figure is a PNG beside an SVG of the same name.</footer>\n");
    html.push_str(IMAGE_CHECK);
    html.push_str("</body>\n</html>\n");
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A folder whose manifest records a full-profile run: spirals3d failed, mnist's results
    /// are gone.
    fn folder_with_manifest(name: &str) -> PathBuf {
        let out = std::env::temp_dir().join(format!("unfold-index-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&out).unwrap();
        let failed = |experiment: &str| ManifestEntry {
            experiment: experiment.into(),
            notebook: "000".into(),
            status: "failed".into(),
            wall_seconds: 1.5,
            backend: "flex".into(),
            backend_reason: None,
            error: Some("it broke\nbecause".into()),
            error_line: Some("it broke".into()),
            earlier_run: None,
        };
        let mut gone = failed("mnist");
        gone.error = None;
        gone.error_line = None;
        gone.status = "ok".into();
        let manifest = RunManifest {
            schema_version: crate::schema::MANIFEST_SCHEMA_VERSION,
            unfold_version: "0".into(),
            git_commit: None,
            backend: "flex".into(),
            device: "cpu".into(),
            profile: Profile::Full,
            started: "2026-01-02T03:04:05Z".into(),
            finished: "2026-01-02T03:05:05Z".into(),
            wall_seconds: 60.0,
            experiments: vec![failed("spirals3d"), gone, failed("xor")],
        };
        std::fs::write(
            out.join("manifest.json"),
            serde_json::to_string(&manifest).unwrap(),
        )
        .unwrap();
        out
    }

    #[test]
    fn a_partial_rerun_keeps_the_earlier_entries_of_its_profile() {
        let out = folder_with_manifest("earlier");
        // Another profile: nothing is kept, and the line says why.
        let (entries, lines) = earlier_entries(&out, Profile::Quick, &["xor"]);
        assert!(entries.is_empty());
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(
            lines[0].contains("spirals3d, mnist") && lines[0].contains("full profile"),
            "{lines:?}"
        );
        // The same profile: the failure is kept (with the run it came from), the entry whose
        // results are gone is left off with a line, and the experiment rerun now is not taken.
        let (entries, lines) = earlier_entries(&out, Profile::Full, &["xor"]);
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].info.name, "spirals3d");
        assert_eq!(
            entries[0].earlier_run.as_deref(),
            Some("2026-01-02T03:04:05Z")
        );
        assert_eq!(entries[0].outcome.as_ref().unwrap_err().line, "it broke");
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(
            lines[0].starts_with("earlier results of mnist not listed"),
            "{lines:?}"
        );
        // A folder without a manifest keeps nothing and says nothing.
        let empty = out.join("none");
        assert_eq!(earlier_entries(&empty, Profile::Full, &[]).0.len(), 0);
        std::fs::remove_dir_all(&out).unwrap();
    }

    #[test]
    fn entries_follow_the_registry_order() {
        let out = folder_with_manifest("order");
        let (mut entries, _) = earlier_entries(&out, Profile::Full, &[]);
        let names = |e: &[Entry]| e.iter().map(|e| e.info.name).collect::<Vec<_>>();
        entries.reverse();
        assert_eq!(names(&entries), ["xor", "spirals3d"]);
        sort_entries(&mut entries);
        let registry = crate::registry::names();
        let position = |n: &str| registry.iter().position(|r| *r == n).unwrap();
        assert!(position(names(&entries)[0]) < position(names(&entries)[1]));
        std::fs::remove_dir_all(&out).unwrap();
    }
}
