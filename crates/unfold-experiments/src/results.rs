//! The results contract shared by every experiment.
//!
//! `<out>/<experiment>/metrics.json` holds a [`Metrics`]: the top-level `schema_version`
//! ([`crate::schema`]), `experiment`, `status`
//! (`ok`, `diverged` or `failed`), `backend`, `device`, `profile`, `seed`, `wall_seconds`, a
//! `manifest` (unfold version, git commit, start and end times) and `runs`, an object keyed by
//! model or run name whose values are [`RunMetrics`]: final metrics and curves. Figures (PNG and
//! SVG) and `report.md` sit beside it. Every file is written atomically: to a temporary file in
//! the same folder, then renamed over the target, so a crash never leaves half a file.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use unfold_train::{History, LogPoint, RunStatus};

use crate::RunContext;

/// Errors while writing results.
#[derive(Debug, thiserror::Error)]
pub enum ResultsError {
    /// The output folder cannot be created or written.
    #[error("output directory {path} is not writable: {source}")]
    Unwritable {
        /// The folder.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A file could not be written.
    #[error("could not write {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// Metrics could not be serialized.
    #[error("could not serialize metrics: {0}")]
    Serialize(#[from] serde_json::Error),
}

/// Writes `bytes` to `path` atomically: a temporary file in the same folder, synced, then
/// renamed over `path` (`unfold_io::write_atomic`, the one helper every crate uses).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), ResultsError> {
    unfold_io::write_atomic(path, bytes).map_err(|source| ResultsError::Write {
        path: path.to_path_buf(),
        source,
    })
}

/// Creates `dir` (and parents) and checks that files can be written there, before any work
/// starts.
pub fn prepare_output_dir(dir: &Path) -> Result<(), ResultsError> {
    let unwritable = |source| ResultsError::Unwritable {
        path: dir.to_path_buf(),
        source,
    };
    fs::create_dir_all(dir).map_err(|e| {
        // "File exists" alone does not say which file is in the way.
        match dir.ancestors().find(|p| p.is_file()) {
            Some(file) => unwritable(std::io::Error::other(format!(
                "{} is a file, not a folder",
                file.display()
            ))),
            None => unwritable(e),
        }
    })?;
    // Unique per call: runs side by side (several seeds, sweep points) probe the same folder.
    static PROBES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = PROBES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let probe = dir.join(format!(".unfold-write-test-{}-{n}", std::process::id()));
    fs::write(&probe, b"ok").map_err(unwritable)?;
    fs::remove_file(&probe).map_err(unwritable)
}

/// Overall status of an experiment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Every run finished.
    Ok,
    /// At least one run diverged (its metrics say which); the others finished.
    Diverged,
    /// The experiment could not complete.
    Failed,
}

impl Status {
    /// `ok`, `diverged` or `failed`, as in `metrics.json`.
    pub fn name(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Diverged => "diverged",
            Status::Failed => "failed",
        }
    }
}

/// How one training run ended.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RunState {
    /// It trained to the end.
    #[default]
    Ok,
    /// Its loss stopped being finite (the epoch is in `diverged_at_epoch`).
    Diverged,
}

impl RunState {
    /// `ok` or `diverged`, as in `metrics.json`.
    pub fn name(self) -> &'static str {
        match self {
            RunState::Ok => "ok",
            RunState::Diverged => "diverged",
        }
    }
}

impl std::fmt::Display for RunState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.name())
    }
}

/// Where and when the results were made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// The unfold version.
    pub unfold_version: String,
    /// The git commit of the source tree, if known.
    pub git_commit: Option<String>,
    /// When the run started (RFC 3339, UTC).
    pub started: String,
    /// When the run ended (RFC 3339, UTC).
    pub finished: String,
    /// The command line, for rerunning, with secrets redacted
    /// ([`unfold_guard::secrets::command_line`]).
    pub command: String,
}

impl Manifest {
    /// A manifest for a run that started at `started` and ends now.
    pub fn finish(started: String) -> Self {
        Self {
            unfold_version: env!("CARGO_PKG_VERSION").to_string(),
            git_commit: git_commit(),
            started,
            finished: crate::time::now_rfc3339(),
            command: unfold_guard::secrets::command_line(std::env::args()),
        }
    }
}

/// The git commit this unfold was built from (recorded by the crate's build script; `None`
/// for a build outside a git checkout). The folder unfold runs in plays no part.
pub fn git_commit() -> Option<String> {
    Some(env!("UNFOLD_GIT_COMMIT"))
        .filter(|commit| *commit != "unknown")
        .map(str::to_owned)
}

/// Per-epoch curves of a run, as parallel arrays (only finite values are meaningful; a
/// diverged run's last entry may be `null`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Curves {
    /// The logged epochs.
    pub epoch: Vec<usize>,
    /// Training loss at each logged epoch.
    pub train_loss: Vec<Option<f64>>,
    /// Training accuracy at each logged epoch.
    pub train_accuracy: Vec<Option<f64>>,
    /// Test loss at each logged epoch (empty without a test set).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub test_loss: Vec<Option<f64>>,
    /// Test accuracy at each logged epoch (empty without a test set).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub test_accuracy: Vec<Option<f64>>,
}

fn finite(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

impl Curves {
    /// The curves of a training history.
    pub fn from_points(points: &[LogPoint]) -> Self {
        let has_test = points.iter().any(|p| p.test_loss.is_some());
        Self {
            epoch: points.iter().map(|p| p.epoch).collect(),
            train_loss: points.iter().map(|p| finite(p.train_loss)).collect(),
            train_accuracy: points.iter().map(|p| finite(p.train_accuracy)).collect(),
            test_loss: if has_test {
                points
                    .iter()
                    .map(|p| p.test_loss.and_then(finite))
                    .collect()
            } else {
                Vec::new()
            },
            test_accuracy: if has_test {
                points
                    .iter()
                    .map(|p| p.test_accuracy.and_then(finite))
                    .collect()
            } else {
                Vec::new()
            },
        }
    }
}

/// Final metrics and curves of one model or run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RunMetrics {
    /// `ok` or `diverged`.
    pub status: RunState,
    /// The epoch at which the run diverged, if it did.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub diverged_at_epoch: Option<usize>,
    /// Final training accuracy in [0, 1].
    pub train_accuracy: Option<f64>,
    /// Final test accuracy in [0, 1].
    pub test_accuracy: Option<f64>,
    /// Final training loss.
    pub final_loss: Option<f64>,
    /// Final test loss.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub final_test_loss: Option<f64>,
    /// Trainable parameters.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub parameters: Option<usize>,
    /// The architecture, human-readable.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub architecture: Option<String>,
    /// Optimizer steps taken.
    pub steps: usize,
    /// Seconds spent training.
    pub train_seconds: f64,
    /// Logged curves.
    pub curves: Curves,
    /// Experiment-specific values.
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

impl RunMetrics {
    /// Metrics from a training history.
    pub fn from_history(history: &History) -> Self {
        let last = history.last();
        let (status, diverged_at_epoch) = match &history.status {
            RunStatus::Ok => (RunState::Ok, None),
            RunStatus::Diverged { epoch, .. } => (RunState::Diverged, Some(*epoch)),
        };
        Self {
            status,
            diverged_at_epoch,
            train_accuracy: last.and_then(|p| finite(p.train_accuracy)),
            test_accuracy: last.and_then(|p| p.test_accuracy.and_then(finite)),
            final_loss: last.and_then(|p| finite(p.train_loss)),
            final_test_loss: last.and_then(|p| p.test_loss.and_then(finite)),
            steps: history.steps,
            train_seconds: history.seconds,
            curves: Curves::from_points(&history.points),
            ..Default::default()
        }
    }
}

/// The content of `metrics.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    /// The layout of this file ([`crate::schema::METRICS_SCHEMA_VERSION`] when written).
    #[serde(default = "crate::schema::unversioned")]
    pub schema_version: u32,
    /// The experiment's name (`spirals3d`, …).
    pub experiment: String,
    /// Overall status.
    pub status: Status,
    /// The backend name.
    pub backend: String,
    /// The device description.
    pub device: String,
    /// `full` or `quick`.
    pub profile: String,
    /// The seed.
    pub seed: u64,
    /// Wall-clock seconds for the whole experiment.
    pub wall_seconds: f64,
    /// Version, commit and times.
    pub manifest: Manifest,
    /// The configuration the experiment ran with (all of it: `unfold <experiment> --config
    /// metrics.json` runs it again).
    pub config: serde_json::Value,
    /// The keys of `config` (and `seed`) that differ from the notebook's:
    /// key → `{ "value", "notebook" }`.
    #[serde(default)]
    pub changed: serde_json::Map<String, serde_json::Value>,
    /// Results per model or run.
    pub runs: BTreeMap<String, RunMetrics>,
    /// Figures written, relative to the experiment folder (PNG; an SVG sits beside each).
    pub figures: Vec<String>,
    /// Each figure's caption, by file.
    #[serde(default)]
    pub captions: BTreeMap<String, String>,
    /// Experiment-specific results that belong to no single run (tables, checks such as lab
    /// 2's from-scratch layers against Burn's), as further top-level keys.
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

impl Metrics {
    /// Starts the metrics of an experiment run in `ctx`.
    pub fn new(experiment: &str, ctx: &RunContext, config: serde_json::Value) -> Self {
        Self {
            schema_version: crate::schema::METRICS_SCHEMA_VERSION,
            experiment: experiment.to_string(),
            status: Status::Ok,
            backend: ctx.backend.name().to_string(),
            device: unfold_guard::secrets::text(&ctx.device_description),
            profile: ctx.profile.name().to_string(),
            seed: ctx.seed,
            wall_seconds: 0.0,
            manifest: Manifest::finish(crate::time::now_rfc3339()),
            config,
            changed: serde_json::Map::new(),
            runs: BTreeMap::new(),
            figures: Vec::new(),
            captions: BTreeMap::new(),
            extra: BTreeMap::new(),
        }
    }

    /// Records an experiment-specific result under the top-level key `key`.
    pub fn extra_json(&mut self, key: &str, value: serde_json::Value) {
        self.extra.insert(key.to_string(), value);
    }

    /// Records a run; a diverged run makes the experiment's status `diverged`.
    pub fn add_run(&mut self, name: &str, run: RunMetrics) {
        if run.status == RunState::Diverged && self.status == Status::Ok {
            self.status = Status::Diverged;
        }
        self.runs.insert(name.to_string(), run);
    }

    /// Writes `metrics.json` into `dir` atomically, stamping the end time.
    pub fn write(&mut self, dir: &Path, wall_seconds: f64) -> Result<PathBuf, ResultsError> {
        self.wall_seconds = wall_seconds;
        self.manifest = Manifest::finish(self.manifest.started.clone());
        let path = dir.join("metrics.json");
        let mut text = serde_json::to_string_pretty(self)?;
        text.push('\n');
        write_atomic(&path, text.as_bytes())?;
        Ok(path)
    }
}

/// One block of a report.
#[derive(Debug, Clone, PartialEq)]
enum Block {
    Heading(String),
    Paragraph(String),
    Table(Vec<String>, Vec<Vec<String>>),
    Figure(String, String),
    Answer(String, String),
    /// Settings that differ from the notebook's: (key, value, notebook's value).
    Settings(Vec<(String, String, String)>),
}

/// A report under construction, rendered to Markdown (`report.md`) and to an HTML fragment
/// (the `reproduce-all` page). Text may use `**bold**`, `*italic*` and `` `code` ``.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Report {
    title: String,
    blocks: Vec<Block>,
}

impl Report {
    /// A report with a title.
    pub fn new(title: &str) -> Self {
        Self {
            title: title.to_string(),
            blocks: Vec::new(),
        }
    }

    /// The title.
    pub fn title(&self) -> &str {
        &self.title
    }

    /// A paragraph.
    pub fn paragraph(&mut self, text: &str) -> &mut Self {
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        self.blocks.push(Block::Paragraph(text));
        self
    }

    /// A section heading.
    pub fn heading(&mut self, text: &str) -> &mut Self {
        self.blocks.push(Block::Heading(text.to_string()));
        self
    }

    /// A table.
    pub fn table(&mut self, header: &[&str], rows: &[Vec<String>]) -> &mut Self {
        self.blocks.push(Block::Table(
            header.iter().map(|h| h.to_string()).collect(),
            rows.to_vec(),
        ));
        self
    }

    /// A paragraph placed before the first section heading (after the introduction).
    pub fn before_sections(&mut self, text: &str) -> &mut Self {
        let at = self.first_section();
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        self.blocks.insert(at, Block::Paragraph(text));
        self
    }

    /// The "your settings" box, placed before the first section heading: every setting that
    /// differs from the notebook's, as (key, value, notebook's value).
    pub fn settings_box(&mut self, changed: Vec<(String, String, String)>) -> &mut Self {
        let at = self.first_section();
        self.blocks.insert(at, Block::Settings(changed));
        self
    }

    fn first_section(&self) -> usize {
        self.blocks
            .iter()
            .position(|b| matches!(b, Block::Heading(_)))
            .unwrap_or(self.blocks.len())
    }

    /// A figure in the experiment's folder, with a caption.
    pub fn figure(&mut self, caption: &str, file: &str) -> &mut Self {
        self.blocks
            .push(Block::Figure(caption.to_string(), file.to_string()));
        self
    }

    /// One of the questions the notebook asks the student, with the answer backed by the
    /// measured numbers (the `reproduce-all` page collects them).
    pub fn answer(&mut self, question: &str, answer: &str) -> &mut Self {
        let tidy = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
        self.blocks
            .push(Block::Answer(tidy(question), tidy(answer)));
        self
    }

    /// Appends `note` to the answer of `question` (the first block answering it), e.g. in
    /// how many seeds it holds.
    pub fn note_answer(&mut self, question: &str, note: &str) -> &mut Self {
        if let Some(Block::Answer(_, answer)) = self
            .blocks
            .iter_mut()
            .find(|b| matches!(b, Block::Answer(q, _) if q == question))
        {
            answer.push(' ');
            answer.push_str(note);
        }
        self
    }

    /// The notebook's questions and their answers, in report order.
    pub fn answers(&self) -> Vec<(&str, &str)> {
        self.blocks
            .iter()
            .filter_map(|b| match b {
                Block::Answer(q, a) => Some((q.as_str(), a.as_str())),
                _ => None,
            })
            .collect()
    }

    /// The report as Markdown.
    pub fn to_markdown(&self) -> String {
        let mut out = format!("# {}\n\n", self.title);
        for block in &self.blocks {
            match block {
                Block::Heading(h) => out.push_str(&format!("## {h}\n\n")),
                Block::Paragraph(p) => out.push_str(&format!("{p}\n\n")),
                Block::Table(header, rows) => {
                    out.push_str(&format!("| {} |\n", header.join(" | ")));
                    out.push_str(&format!("|{}\n", "---|".repeat(header.len())));
                    for row in rows {
                        out.push_str(&format!("| {} |\n", row.join(" | ")));
                    }
                    out.push('\n');
                }
                Block::Figure(caption, file) => {
                    out.push_str(&format!("![{caption}]({file})\n\n*{caption}*\n\n"))
                }
                Block::Answer(question, answer) => {
                    out.push_str(&format!("> **Q:** {question}\n>\n> **A:** {answer}\n\n"))
                }
                Block::Settings(changed) => {
                    out.push_str(
                        "**Your settings** differ from the notebook's; every number below was \
                         measured with them:\n\n| setting | yours | notebook |\n|---|---|---|\n",
                    );
                    for (key, value, notebook) in changed {
                        out.push_str(&format!("| `{key}` | `{value}` | `{notebook}` |\n"));
                    }
                    out.push('\n');
                }
            }
        }
        out
    }

    /// The report body as an HTML fragment; figure paths are prefixed with `base` (the
    /// experiment folder relative to the page).
    pub fn to_html(&self, base: &str) -> String {
        let mut out = String::new();
        let mut figures = Vec::new();
        for block in &self.blocks {
            if !matches!(block, Block::Figure(..)) && !figures.is_empty() {
                out.push_str(&figure_grid(&figures, base));
                figures.clear();
            }
            match block {
                Block::Heading(h) => out.push_str(&format!("<h3>{}</h3>\n", inline_html(h))),
                Block::Paragraph(p) => out.push_str(&format!("<p>{}</p>\n", inline_html(p))),
                Block::Table(header, rows) => {
                    out.push_str("<table><thead><tr>");
                    for h in header {
                        out.push_str(&format!("<th>{}</th>", inline_html(h)));
                    }
                    out.push_str("</tr></thead><tbody>\n");
                    for row in rows {
                        out.push_str("<tr>");
                        for cell in row {
                            out.push_str(&format!("<td>{}</td>", inline_html(cell)));
                        }
                        out.push_str("</tr>\n");
                    }
                    out.push_str("</tbody></table>\n");
                }
                Block::Figure(caption, file) => figures.push((caption.clone(), file.clone())),
                Block::Answer(question, answer) => out.push_str(&format!(
                    "<div class=\"answer\"><p class=\"q\">{}</p><p class=\"a\">{}</p></div>\n",
                    inline_html(question),
                    inline_html(answer)
                )),
                Block::Settings(changed) => {
                    out.push_str(
                        "<div class=\"settings\"><p><strong>Your settings</strong> differ from the \
                         notebook's; every number here was measured with them.</p>\n<table><thead><tr>\
                         <th>setting</th><th>yours</th><th>notebook</th></tr></thead><tbody>\n",
                    );
                    for (key, value, notebook) in changed {
                        out.push_str(&format!(
                            "<tr><td><code>{}</code></td><td><code>{}</code></td><td><code>{}</code></td></tr>\n",
                            escape_html(key),
                            escape_html(value),
                            escape_html(notebook)
                        ));
                    }
                    out.push_str("</tbody></table></div>\n");
                }
            }
        }
        if !figures.is_empty() {
            out.push_str(&figure_grid(&figures, base));
        }
        out
    }

    /// Writes `report.md` into `dir` atomically.
    pub fn write(&self, dir: &Path) -> Result<PathBuf, ResultsError> {
        let path = dir.join("report.md");
        write_atomic(&path, self.to_markdown().as_bytes())?;
        Ok(path)
    }
}

fn figure_grid(figures: &[(String, String)], base: &str) -> String {
    let mut out = String::from("<div class=\"figures\">\n");
    for (caption, file) in figures {
        let src = format!("{base}/{file}");
        out.push_str(&format!(
            "<figure><a href=\"{src}\"><img src=\"{src}\" alt=\"{alt}\"></a><figcaption>{cap}</figcaption></figure>\n",
            src = escape_html(&src),
            alt = escape_html(caption),
            cap = inline_html(caption)
        ));
    }
    out.push_str("</div>\n");
    out
}

/// Escapes text for HTML.
pub fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Escapes text and turns `**bold**`, `*italic*` and `` `code` `` into HTML.
fn inline_html(s: &str) -> String {
    let s = escape_html(s);
    let mut out = String::new();
    let mut rest = s.as_str();
    let markers = [("**", "strong"), ("`", "code"), ("*", "em")];
    'outer: while !rest.is_empty() {
        let next = markers
            .iter()
            .filter_map(|(m, tag)| rest.find(m).map(|i| (i, *m, *tag)))
            .min_by_key(|(i, m, _)| (*i, usize::MAX - m.len()));
        if let Some((i, m, tag)) = next
            && let Some(end) = rest[i + m.len()..].find(m)
        {
            out.push_str(&rest[..i]);
            let inner = &rest[i + m.len()..i + m.len() + end];
            out.push_str(&format!("<{tag}>{inner}</{tag}>"));
            rest = &rest[i + 2 * m.len() + end..];
            continue 'outer;
        }
        out.push_str(rest);
        break;
    }
    out
}

/// `1 epoch`, `2 epochs`: a count with its noun, plural unless it is one (`what` is the
/// singular, e.g. `"full-batch epoch"`).
pub fn count_of(n: usize, what: &str) -> String {
    match n {
        1 => format!("1 {what}"),
        n => format!("{n} {what}s"),
    }
}

/// Formats an optional fraction as a percentage with one decimal (`—` when missing).
pub fn percent(v: Option<f64>) -> String {
    v.map(|v| format!("{:.1}%", 100.0 * v))
        .unwrap_or_else(|| "—".into())
}

/// Formats an optional number with four significant decimals (`—` when missing).
pub fn number(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.4}")).unwrap_or_else(|| "—".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_and_leaves_no_temp_files() {
        let dir = std::env::temp_dir().join(format!("unfold-results-test-{}", std::process::id()));
        prepare_output_dir(&dir).unwrap();
        let path = dir.join("a.json");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        let names: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn unwritable_output_is_a_clear_error() {
        let file = std::env::temp_dir().join(format!("unfold-not-a-dir-{}", std::process::id()));
        fs::write(&file, b"x").unwrap();
        for dir in [file.join("sub"), file.clone()] {
            let err = prepare_output_dir(&dir).unwrap_err().to_string();
            assert!(
                err.contains("not writable") && err.contains("is a file, not a folder"),
                "{err}"
            );
        }
        fs::remove_file(&file).unwrap();
    }

    #[test]
    fn curves_hide_non_finite_values() {
        let points = vec![
            LogPoint {
                epoch: 1,
                train_loss: 0.5,
                train_accuracy: 0.7,
                test_loss: None,
                test_accuracy: None,
            },
            LogPoint {
                epoch: 2,
                train_loss: f64::NAN,
                train_accuracy: 0.5,
                test_loss: None,
                test_accuracy: None,
            },
        ];
        let curves = Curves::from_points(&points);
        assert_eq!(curves.train_loss, vec![Some(0.5), None]);
        assert!(curves.test_loss.is_empty());
        let json = serde_json::to_string(&curves).unwrap();
        assert!(json.contains("null") && !json.contains("NaN"), "{json}");
    }

    #[test]
    fn report_renders_markdown_and_html() {
        let mut report = Report::new("T");
        report
            .paragraph("**Bold** and `code` and *it* <x>")
            .table(&["a", "b"], &[vec!["1".into(), "2".into()]])
            .figure("A figure", "f.png")
            .answer("Is it  linear?", "No: 63.5% vs 100%.");
        let md = report.to_markdown();
        assert!(
            md.contains("> **Q:** Is it linear?\n>\n> **A:** No: 63.5% vs 100%."),
            "{md}"
        );
        assert_eq!(
            report.answers(),
            vec![("Is it linear?", "No: 63.5% vs 100%.")]
        );
        assert!(md.contains("| a | b |\n|---|---|\n| 1 | 2 |"), "{md}");
        assert!(md.contains("![A figure](f.png)"));
        let html = report.to_html("exp");
        assert!(
            html.contains("<strong>Bold</strong> and <code>code</code> and <em>it</em> &lt;x&gt;"),
            "{html}"
        );
        assert!(html.contains("src=\"exp/f.png\""), "{html}");
    }
}
