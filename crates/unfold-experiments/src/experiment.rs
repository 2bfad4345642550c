//! The shape every experiment shares.
//!
//! An experiment is data plus three short parts: a typed configuration (the notebook's
//! settings are `config(Profile::Full)`, with a `quick` variant for tests), a `run` that trains
//! and draws its figures, recording the results, and a `report` that is a pure function of
//! those results. Everything around them — checking settings, the results folder, the clock,
//! `metrics.json`, the setup sentence, the "your settings" box, the figure list with captions,
//! the terminal summary and the panic guard — is the runner's ([`crate::runner`]), the same for
//! all.

use std::path::PathBuf;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::results::{Metrics, Report, RunMetrics};
use crate::{Profile, RunContext};

/// What the command line and the report need to know about an experiment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExperimentInfo {
    /// The command name (`spirals3d`).
    pub name: &'static str,
    /// The notebook it reproduces (file in the seeds folder).
    pub notebook: &'static str,
    /// A one-line title.
    pub title: &'static str,
    /// The question the notebook asks.
    pub question: &'static str,
    /// The notebook's seed, used unless `--seed` is given.
    pub default_seed: u64,
    /// Trainable parameters of its largest model, which decides where `--backend auto` runs
    /// it (see `unfold_device::AUTO_GPU_MIN_PARAMS`).
    pub largest_model_params: usize,
    /// Whether it saves each finished run as a checkpoint, which `--resume` goes on from
    /// (`crate::checkpoints`); without them `--resume` has nothing to reuse.
    pub checkpoints: bool,
    /// Whether `--save-model` saves its trained models (`unfold_models::load_mlp` loads them).
    pub saves_models: bool,
}

/// One notebook as an experiment. Register it with one line in [`crate::registry`].
pub trait Experiment: Sync + Send + 'static {
    /// Its settings, as serde reads and writes them (`metrics.json` records them under
    /// `config`; `unfold config` prints them as TOML).
    type Config: Serialize + DeserializeOwned + Clone + Send + Sync;

    /// Name, notebook, title, question, seed and model size.
    fn info(&self) -> &'static ExperimentInfo;

    /// The settings of a profile: the notebook's for `Full`, a shorter run for `Quick`.
    fn config(&self, profile: Profile) -> Self::Config;

    /// One line per dotted key of the configuration (a key may describe a whole table or
    /// list): what it is. `unfold config` prints it with the notebook's value, and a test
    /// checks that every key is described.
    fn key_docs(&self) -> &'static [(&'static str, &'static str)];

    /// Checks what the key-wise checks of [`crate::settings::check_conventional`] cannot
    /// (ranges of other keys, relations between keys). An error is one line naming the key,
    /// its value and what is expected ([`crate::settings::bad_value`]).
    fn validate(&self, config: &Self::Config) -> Result<(), String>;

    /// Trains the models and draws the figures into `record.dir`, recording runs, extra
    /// results and figures (with captions) in `record`. Whatever the report needs goes into
    /// the record: the report sees nothing else.
    fn run(
        &self,
        config: &Self::Config,
        ctx: &RunContext,
        record: &mut RunRecord,
    ) -> anyhow::Result<()>;

    /// The report, from the results alone (the runner adds the setup sentence, the settings
    /// box and the figures). Every answer to a notebook question is computed from `metrics`.
    fn report(&self, config: &Self::Config, metrics: &Metrics) -> Report;
}

/// What a run records as it goes: its folder, its metrics, its figures in order.
#[derive(Debug)]
pub struct RunRecord {
    /// The experiment's results folder (`<out>/<experiment>/`), created and writable.
    pub dir: PathBuf,
    /// The metrics so far: runs and experiment-specific results.
    pub metrics: Metrics,
    figures: Vec<(PathBuf, String)>,
    order: Vec<String>,
    summary: Vec<String>,
}

impl RunRecord {
    pub(crate) fn new(dir: PathBuf, metrics: Metrics) -> Self {
        Self {
            dir,
            metrics,
            figures: Vec::new(),
            order: Vec::new(),
            summary: Vec::new(),
        }
    }

    /// Records a trained model or run; a diverged one makes the experiment `diverged`. The
    /// terminal summary lists runs in the order they were added.
    pub fn add_run(&mut self, name: &str, run: RunMetrics) {
        if !self.order.iter().any(|n| n == name) {
            self.order.push(name.to_string());
        }
        self.metrics.add_run(name, run);
    }

    /// Records an experiment-specific result under the top-level key `key` of `metrics.json`.
    pub fn extra(&mut self, key: &str, value: impl Serialize) -> anyhow::Result<()> {
        self.metrics.extra_json(key, serde_json::to_value(value)?);
        Ok(())
    }

    /// Records a figure (a PNG in the results folder with an SVG beside it) and its caption.
    pub fn figure(&mut self, png: PathBuf, caption: impl Into<String>) {
        self.figures.push((png, caption.into()));
    }

    /// Adds a terminal line of the experiment's own. When any are given, they replace the
    /// one line per run (for an experiment with many runs, such as a grid of them).
    pub fn summary(&mut self, line: impl Into<String>) {
        self.summary.push(line.into());
    }

    /// The lines given with [`summary`](Self::summary), taken out of the record.
    pub(crate) fn take_summary(&mut self) -> Vec<String> {
        std::mem::take(&mut self.summary)
    }

    /// The runs in the order they were added.
    pub fn order(&self) -> &[String] {
        &self.order
    }

    pub(crate) fn into_parts(self) -> (PathBuf, Metrics, Vec<(PathBuf, String)>, Vec<String>) {
        (self.dir, self.metrics, self.figures, self.order)
    }
}

/// What running an experiment produced.
#[derive(Debug, Clone)]
pub struct ExperimentOutcome {
    /// The experiment's name.
    pub name: String,
    /// Overall status.
    pub status: crate::results::Status,
    /// Its results folder.
    pub dir: PathBuf,
    /// Its `metrics.json`.
    pub metrics_path: PathBuf,
    /// Its figures (PNG paths; an SVG sits beside each).
    pub figures: Vec<PathBuf>,
    /// Key numbers, one line each, for the terminal.
    pub summary: Vec<String>,
    /// Wall-clock seconds.
    pub wall_seconds: f64,
    /// The report (also written as `report.md`).
    pub report: Report,
}

/// An experiment behind a trait object, its configuration as a JSON tree: what the registry
/// lists and the command line drives. Every [`Experiment`] is one (the runner implements it
/// for them).
pub trait AnyExperiment: Sync {
    /// Name, notebook, title, question, seed and model size.
    fn info(&self) -> &'static ExperimentInfo;

    /// The settings of a profile as a tree.
    fn config_tree(&self, profile: Profile) -> Value;

    /// One line per key (see [`Experiment::key_docs`]).
    fn key_docs(&self) -> &'static [(&'static str, &'static str)];

    /// Reads `tree` as this experiment's settings and checks them; returns them as the
    /// canonical tree (as `metrics.json` records it). Errors are one line naming the key.
    fn check_tree(&self, tree: &Value) -> Result<Value, String>;

    /// Runs with the settings `tree` into `<ctx.out>/<name>/` (see [`run_tree_in`](Self::run_tree_in)).
    fn run_tree(&self, tree: &Value, ctx: &RunContext) -> anyhow::Result<ExperimentOutcome> {
        self.run_tree_in(tree, ctx, &ctx.out.join(self.info().name))
    }

    /// Runs with the settings `tree` into the results folder `dir`, under the runner: one
    /// seed (`runner::run_in`), or every seed of `ctx.seeds` with a combined result
    /// (`seeds::run`).
    fn run_tree_in(
        &self,
        tree: &Value,
        ctx: &RunContext,
        dir: &std::path::Path,
    ) -> anyhow::Result<ExperimentOutcome>;

    /// The report of recorded results (`metrics.json`), as the run wrote it.
    fn rebuild_report(&self, metrics: &Metrics) -> anyhow::Result<Report>;
}
