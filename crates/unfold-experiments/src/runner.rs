//! Runs an [`Experiment`]: what every experiment would otherwise repeat.
//!
//! [`run`] checks the settings (the experiment's own checks and the key-wise ones) before any
//! work, prepares `<out>/<experiment>/`, runs the experiment under the panic guard, writes
//! `metrics.json` (with the effective configuration and the keys that differ from the
//! notebook), builds the report from those metrics alone ([`build_report`], which `unfold
//! report` calls too) and returns the outcome with one terminal line per run.

use std::path::{Path, PathBuf};
use std::time::Instant;

use serde_json::Value;

use crate::experiment::{Experiment, ExperimentOutcome, RunRecord};
use crate::plots::file_name;
use crate::results::{Metrics, Report, RunMetrics, RunState, number, percent, prepare_output_dir};
use crate::settings::{SEED_KEY, changed_keys, check_conventional, compact, get_path};
use crate::{Profile, RunContext};

/// Reads a settings tree as `E`'s configuration; a wrong type is one line naming the key.
pub fn read_config<E: Experiment>(experiment: &E, tree: &Value) -> Result<E::Config, String> {
    let name = Experiment::info(experiment).name;
    serde_path_to_error::deserialize(tree).map_err(|error| {
        // The key-wise rules say what a setting must be (`epochs` ≥ 1) where serde only
        // knows its type (`epochs = -5`: "a whole number ≥ 0"), so they speak first.
        if let Err(rule) = check_conventional(tree) {
            return format!("{rule}; see `unfold config {name}`");
        }
        let key = error.path().to_string();
        let value = get_path(tree, &key)
            .map(|v| format!(" = {}", compact(v)))
            .unwrap_or_default();
        format!(
            "setting '{key}'{value}: {}; see `unfold config {name}`",
            in_plain_words(&error.inner().to_string())
        )
    })
}

/// serde's type names (`usize`, `f64`, `struct Spirals3dConfig`) in the words a user knows.
fn in_plain_words(message: &str) -> String {
    let mut plain = message.to_string();
    for (rust, words) in [
        ("expected usize", "expected a whole number ≥ 0"),
        ("expected u64", "expected a whole number ≥ 0"),
        ("expected u32", "expected a whole number ≥ 0"),
        ("expected i64", "expected a whole number"),
        ("expected f64", "expected a number"),
        ("expected f32", "expected a number"),
    ] {
        plain = plain.replace(rust, words);
    }
    if let Some(at) = plain.find("expected struct ") {
        plain.replace_range(at.., "expected a table of settings ({ key = value, … })");
    }
    plain
}

/// `E`'s checks and the key-wise ones ([`check_conventional`]).
pub fn validate<E: Experiment>(experiment: &E, config: &E::Config) -> Result<(), String> {
    let tree = serde_json::to_value(config).map_err(|e| e.to_string())?;
    check_conventional(&tree)?;
    experiment.validate(config)
}

/// [`validate`] as the error a run returns: `invalid <name> settings: …`.
pub(crate) fn checked<E: Experiment>(experiment: &E, config: &E::Config) -> anyhow::Result<()> {
    let name = Experiment::info(experiment).name;
    validate(experiment, config).map_err(|e| anyhow::anyhow!("invalid {name} settings: {e}"))
}

/// The keys of `config` (and the seed) that differ from the notebook's.
fn changed<E: Experiment>(
    experiment: &E,
    config: &E::Config,
    seed: u64,
) -> serde_json::Map<String, Value> {
    let effective = serde_json::to_value(config).unwrap_or(Value::Null);
    let notebook = serde_json::to_value(experiment.config(Profile::Full)).unwrap_or(Value::Null);
    let mut changed = changed_keys(&effective, &notebook);
    let default_seed = Experiment::info(experiment).default_seed;
    if seed != default_seed {
        changed.insert(
            SEED_KEY.into(),
            serde_json::json!({ "value": seed, "notebook": default_seed }),
        );
    }
    changed
}

/// Runs `experiment` with `config` in `ctx` and writes its results under
/// `<ctx.out>/<name>/`. Bad settings fail before anything is written; a panic inside the run
/// becomes an error that names the device and keeps the panic's location.
pub fn run<E: Experiment>(
    experiment: &E,
    config: &E::Config,
    ctx: &RunContext,
) -> anyhow::Result<ExperimentOutcome> {
    run_in(
        experiment,
        config,
        ctx,
        &ctx.out.join(Experiment::info(experiment).name),
    )
}

/// [`run`] into the results folder `dir` (a sweep's point, one seed of several) with the seed
/// `ctx.seed`.
pub fn run_in<E: Experiment>(
    experiment: &E,
    config: &E::Config,
    ctx: &RunContext,
    dir: &Path,
) -> anyhow::Result<ExperimentOutcome> {
    let name = Experiment::info(experiment).name;
    checked(experiment, config)?;
    let started = Instant::now();
    // Everything is written into a staging folder, swapped in whole on success
    // (`crate::staging`); a second process aiming at the same folder is refused.
    let staging = crate::staging::Staging::begin_at(dir, name)?;
    let ctx = &staging.context(ctx);
    let dir = ctx.out.join(name);
    prepare_output_dir(&dir)?;
    let mut metrics = Metrics::new(name, ctx, serde_json::to_value(config)?);
    metrics.changed = changed(experiment, config, ctx.seed);
    let mut record = RunRecord::new(dir, metrics);
    // A panic (a bug, or a remote server that dropped the connection) names the experiment
    // and the device; an error passes as it is.
    match unfold_device::panics::catch_panic(|| experiment.run(config, ctx, &mut record)) {
        Ok(result) => result?,
        Err(panic) => {
            return Err(
                panic_error(ctx, panic).context(format!("{name} on {}", ctx.device_description))
            );
        }
    }

    let own_summary = record.take_summary();
    let (dir, mut metrics, figures, order) = record.into_parts();
    metrics.figures = figures.iter().map(|(p, _)| file_name(p)).collect();
    metrics.captions = figures
        .iter()
        .map(|(p, caption)| (file_name(p), caption.clone()))
        .collect();
    let wall = started.elapsed().as_secs_f64();
    let metrics_path = metrics.write(&dir, wall)?;
    let report = build_report(experiment, config, &metrics);
    report.write(&dir)?;
    staging.commit(ExperimentOutcome {
        name: name.into(),
        status: metrics.status,
        dir,
        metrics_path,
        figures: figures.into_iter().map(|(p, _)| p).collect(),
        summary: if own_summary.is_empty() {
            summary(&metrics, &order)
        } else {
            own_summary
        },
        wall_seconds: wall,
        report,
    })
}

/// The report of `metrics`: the experiment's own, with the setup sentence and the settings
/// box before its first section, and the figures with their captions at the end.
pub fn build_report<E: Experiment>(
    experiment: &E,
    config: &E::Config,
    metrics: &Metrics,
) -> Report {
    let mut report = experiment.report(config, metrics);
    let seeds = crate::seed_stats::seeds_of(metrics);
    report.before_sections(&match &seeds {
        Some(seeds) => format!(
            "Run on backend `{}` ({}), profile `{}`, {} seeds ({}): every number is the mean \
             over them unless said otherwise.",
            metrics.backend,
            metrics.device,
            metrics.profile,
            seeds.len(),
            seeds
                .iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        None => format!(
            "Run on backend `{}` ({}), seed {}, profile `{}`.",
            metrics.backend, metrics.device, metrics.seed, metrics.profile
        ),
    });
    if !metrics.changed.is_empty() {
        report.settings_box(
            metrics
                .changed
                .iter()
                .map(|(key, change)| {
                    let show = |v: Option<&Value>| match v {
                        None | Some(Value::Null) => "not set".to_string(),
                        Some(v) => crate::settings::toml_inline(v),
                    };
                    (
                        key.clone(),
                        show(change.get("value")),
                        show(change.get("notebook")),
                    )
                })
                .collect(),
        );
    }
    let diverged: Vec<String> = metrics
        .runs
        .iter()
        .filter(|(_, run)| run.status == RunState::Diverged)
        .map(|(name, _)| format!("`{name}`"))
        .collect();
    if !diverged.is_empty() {
        // The answers are written for runs that trained; say plainly when some did not.
        report.before_sections(&format!(
            "**{} of {} runs diverged** ({}): the loss became NaN or infinite and training \
             stopped. Where an answer below quotes their numbers, it describes a broken run, \
             not the network the notebook asks about; a smaller learning rate usually avoids it.",
            diverged.len(),
            metrics.runs.len(),
            diverged.join(", ")
        ));
    }
    if let Some(seeds) = &seeds {
        crate::seed_stats::annotate(&mut report, metrics, seeds);
    }
    if !metrics.figures.is_empty() {
        report.heading("Figures");
        for file in &metrics.figures {
            let caption = metrics
                .captions
                .get(file)
                .cloned()
                .unwrap_or_else(|| file.trim_end_matches(".png").replace('_', " "));
            report.figure(&caption, file);
        }
    }
    report
}

/// The report of recorded results, exactly as the run built it.
pub fn rebuild_report<E: Experiment>(experiment: &E, metrics: &Metrics) -> anyhow::Result<Report> {
    let config = read_config(experiment, &metrics.config).map_err(|e| {
        anyhow::anyhow!(
            "the recorded settings of {} do not fit this unfold: {e}",
            metrics.experiment
        )
    })?;
    Ok(build_report(experiment, &config, metrics))
}

/// One terminal line per run, in training order, with the numbers the run has.
fn summary(metrics: &Metrics, order: &[String]) -> Vec<String> {
    let width = order.iter().map(String::len).max().unwrap_or(0);
    order
        .iter()
        .filter_map(|n| metrics.runs.get(n).map(|m| (n, m)))
        .map(|(name, m)| summary_line(name, m, width))
        .collect()
}

fn summary_line(name: &str, m: &RunMetrics, width: usize) -> String {
    let mut line = format!("{name:<width$}");
    if m.train_accuracy.is_some() {
        line.push_str(&format!("  train {:>6}", percent(m.train_accuracy)));
    }
    if m.test_accuracy.is_some() {
        line.push_str(&format!("  test {:>6}", percent(m.test_accuracy)));
    }
    match m.final_loss {
        // Regression losses (building-blocks) sit far below what four decimals show.
        Some(loss) if loss != 0.0 && loss.abs() < 1e-3 => {
            line.push_str(&format!("  loss {loss:.3e}"))
        }
        Some(_) => line.push_str(&format!("  loss {}", number(m.final_loss))),
        None => {}
    }
    if m.status == RunState::Diverged {
        line.push_str("  DIVERGED");
    }
    line
}

/// Runs `job`, turning an error or a panic into an error that names the device; a panic
/// keeps its location (and backtrace, with `RUST_BACKTRACE`) as the innermost cause.
pub(crate) fn guarded<R>(
    ctx: &RunContext,
    job: impl FnOnce() -> anyhow::Result<R>,
) -> anyhow::Result<R> {
    unfold_device::panics::catch_panic(job)
        .unwrap_or_else(|panic| Err(panic_error(ctx, panic)))
        .map_err(|e| e.context(format!("on {}", ctx.device_description)))
}

/// A caught panic as an error: one line saying why, the location and backtrace beneath.
fn panic_error(ctx: &RunContext, panic: unfold_device::panics::CaughtPanic) -> anyhow::Error {
    let reason = panic_reason(ctx, &panic.message);
    anyhow::Error::new(panic).context(reason)
}

/// One line saying why a run panicked; on a remote device, a broken connection is named as such.
pub fn panic_reason(ctx: &RunContext, message: &str) -> String {
    let first = message.lines().next().unwrap_or_default().trim();
    let lost = [
        "RecvError",
        "Service call failed",
        "channel closed",
        "Connection",
        "Error while reading data",
        "Failed to read tensor",
    ]
    .iter()
    .any(|s| message.contains(s));
    if ctx.backend == unfold_device::Backend::Remote && lost {
        "the connection to the server was lost (is `unfold serve` still running there?)".into()
    } else {
        format!("the run failed: {first}")
    }
}

/// `<out>/<experiment>/metrics.json` read back (for `unfold report` and reruns).
pub fn read_metrics(path: &Path) -> anyhow::Result<Metrics> {
    let tree = crate::settings::read_settings_file(path).map_err(anyhow::Error::msg)?;
    crate::schema::check(&tree, crate::schema::METRICS_SCHEMA_VERSION, path)
        .map_err(anyhow::Error::msg)?;
    serde_json::from_value(Value::Object(tree))
        .map_err(|e| anyhow::anyhow!("{} is not an unfold metrics.json: {e}", path.display()))
}

/// The experiment folders under a results folder that hold a `metrics.json`.
pub fn result_folders(out: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(out)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                // Not a staging folder or one set aside mid-swap (`crate::staging`).
                .filter(|p| {
                    !p.file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with('.'))
                })
                .filter(|p| p.join("metrics.json").is_file())
                .collect()
        })
        .unwrap_or_default();
    dirs.sort();
    dirs
}
