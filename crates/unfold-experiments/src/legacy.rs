//! TEMPORARY: the pre-trait `begin`/`finish` pair, kept while experiments move to
//! [`crate::experiment::Experiment`]; removed when the last one has moved.
#![allow(dead_code, missing_docs)]

use std::path::PathBuf;
use std::time::Instant;

use crate::RunContext;
use crate::experiment::ExperimentOutcome;
use crate::plots::file_name;
use crate::results::{Metrics, Report, RunState, number, percent, prepare_output_dir};

/// Writes `metrics.json` (listing `figures`) and the report that `make_report` builds from the
/// final metrics, and returns the experiment's outcome with one summary line per run.
pub fn finish(
    name: &str,
    dir: PathBuf,
    started: Instant,
    mut metrics: Metrics,
    figures: Vec<PathBuf>,
    order: &[&str],
    make_report: impl FnOnce(&Metrics) -> Report,
) -> anyhow::Result<ExperimentOutcome> {
    metrics.figures = figures.iter().map(|p| file_name(p)).collect();
    let wall = started.elapsed().as_secs_f64();
    let metrics_path = metrics.write(&dir, wall)?;
    let report = make_report(&metrics);
    report.write(&dir)?;
    let width = order.iter().map(|n| n.len()).max().unwrap_or(0);
    let summary = order
        .iter()
        .filter_map(|n| metrics.runs.get(*n).map(|m| (n, m)))
        .map(|(n, m)| {
            format!(
                "{n:<width$}  train {:>6}  test {:>6}  loss {}{}",
                percent(m.train_accuracy),
                percent(m.test_accuracy),
                number(m.final_loss),
                if m.status == RunState::Diverged {
                    "  DIVERGED"
                } else {
                    ""
                }
            )
        })
        .collect();
    Ok(ExperimentOutcome {
        name: name.into(),
        status: metrics.status,
        dir,
        metrics_path,
        figures,
        summary,
        wall_seconds: wall,
        report,
    })
}

/// What every experiment run starts with: a writable `<out>/<name>/`, the clock, and its metrics.
pub struct Started {
    /// The experiment's results folder, created and checked writable.
    pub dir: PathBuf,
    /// When the run started.
    pub started: Instant,
    /// The metrics, with the configuration recorded.
    pub metrics: Metrics,
}

/// Checks the settings (`validation` is the config's own check) and the output folder before
/// any work, starts the clock and the metrics.
pub fn begin<C: serde::Serialize>(
    name: &str,
    ctx: &RunContext,
    config: &C,
    validation: Result<(), String>,
) -> anyhow::Result<Started> {
    validation.map_err(|e| anyhow::anyhow!("invalid {name} settings: {e}"))?;
    let started = Instant::now();
    let dir = ctx.out.join(name);
    prepare_output_dir(&dir)?;
    let metrics = Metrics::new(name, ctx, serde_json::to_value(config)?);
    Ok(Started {
        dir,
        started,
        metrics,
    })
}

