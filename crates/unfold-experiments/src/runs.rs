//! Training one notebook model: the steps every experiment shares.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use burn::module::Module;
use unfold_data::{DatasetKind, DeviceData, ImageSet, Split};
use unfold_models::{Mlp, MlpConfig};
use unfold_train::{FitConfig, StepObserver, fit_observed};
use unfold_viz::Figure;

use crate::RunContext;
use crate::plots::{Metric, curves_panel, divergence_note, file_name, save};
use crate::registry::ExperimentOutcome;
use crate::results::{Curves, Metrics, Report, RunMetrics, number, percent, prepare_output_dir};

/// Builds `config` on the context's device (autodiff on), seeded with the context's seed so its
/// initial weights do not depend on which models ran before, trains it with `fit_config`, and
/// returns the trained network in validation mode with its metrics (curves, final numbers,
/// parameter count, architecture).
pub fn train_mlp(
    config: &MlpConfig,
    name: &str,
    fit_config: &FitConfig,
    ctx: &RunContext,
    train: &DeviceData,
    test: &DeviceData,
) -> (Mlp, RunMetrics) {
    train_mlp_observed(config, name, fit_config, ctx, train, test, &mut ())
}

/// [`train_mlp`] with an observer that sees every step's gradients (see [`StepObserver`]).
pub fn train_mlp_observed(
    config: &MlpConfig,
    name: &str,
    fit_config: &FitConfig,
    ctx: &RunContext,
    train: &DeviceData,
    test: &DeviceData,
    observer: &mut dyn StepObserver<Mlp>,
) -> (Mlp, RunMetrics) {
    let autodiff = ctx.device.clone().autodiff();
    autodiff.seed(ctx.seed);
    let net = config.init(&autodiff);
    let parameters = net.trainable_params();
    let mut progress = ctx.progress();
    let (net, history) = fit_observed(
        net,
        train,
        Some(test),
        fit_config,
        name,
        progress.as_mut(),
        observer,
    );
    let mut metrics = RunMetrics::from_history(&history);
    metrics.parameters = Some(parameters);
    metrics.architecture = Some(config.describe());
    (net.valid(), metrics)
}

/// The finished runs of a long study, saved one file per run as each ends, so that an
/// interrupted study can go on where it stopped (`--resume`).
///
/// A file records the run's metrics with the experiment's configuration, seed and backend; a
/// file made under other settings is never reused.
pub struct Checkpoints {
    dir: PathBuf,
    resume: bool,
    fingerprint: serde_json::Value,
    /// How many runs were taken from an earlier invocation.
    pub resumed: usize,
}

impl Checkpoints {
    /// The checkpoints of `experiment` run with `config` in `ctx` (under
    /// `<out>/<experiment>/runs/`).
    pub fn new<C: serde::Serialize>(
        ctx: &RunContext,
        experiment: &str,
        config: &C,
    ) -> anyhow::Result<Self> {
        let dir = ctx.out.join(experiment).join("runs");
        prepare_output_dir(&dir)?;
        // A process killed while saving leaves its hidden temporary file (never a half
        // checkpoint, thanks to the rename); sweep them.
        for entry in std::fs::read_dir(&dir)?.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') && name.contains(".tmp-") {
                let _ = std::fs::remove_file(entry.path());
            }
        }
        Ok(Self {
            dir,
            resume: ctx.resume,
            // Through text, as it is stored: an f32 setting written as text reads back as a
            // different f64 than `to_value` makes of it.
            fingerprint: serde_json::from_str(&serde_json::to_string(&serde_json::json!({
                "config": config,
                "seed": ctx.seed,
                "backend": ctx.backend.name(),
            }))?)?,
            resumed: 0,
        })
    }

    fn path(&self, name: &str) -> PathBuf {
        let slug: String = name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '_'
                }
            })
            .collect();
        self.dir.join(format!("{slug}.json"))
    }

    /// The metrics of run `name` from an earlier invocation, when resuming and the file was
    /// made with the same settings.
    pub fn load(&mut self, name: &str) -> Option<RunMetrics> {
        if !self.resume {
            return None;
        }
        let text = std::fs::read_to_string(self.path(name)).ok()?;
        let saved: serde_json::Value = serde_json::from_str(&text).ok()?;
        if saved.get("settings") != Some(&self.fingerprint)
            || saved.get("run") != Some(&name.into())
        {
            return None;
        }
        let metrics = serde_json::from_value(saved.get("metrics")?.clone()).ok()?;
        self.resumed += 1;
        Some(metrics)
    }

    /// The metrics of every run in `names` when all of them were saved with the same settings
    /// (a group of runs that trains as one computation is reused whole or not at all).
    pub fn load_all(&mut self, names: &[String]) -> Option<Vec<RunMetrics>> {
        let resumed = self.resumed;
        let all = names
            .iter()
            .map(|n| self.load(n))
            .collect::<Option<Vec<_>>>();
        if all.is_none() {
            self.resumed = resumed;
        }
        all
    }

    /// Saves the finished run `name` atomically.
    pub fn save(&self, name: &str, metrics: &RunMetrics) -> anyhow::Result<()> {
        let value = serde_json::json!({
            "run": name,
            "settings": self.fingerprint,
            "metrics": metrics,
        });
        let mut text = serde_json::to_string_pretty(&value)?;
        text.push('\n');
        crate::results::write_atomic(&self.path(name), text.as_bytes())?;
        Ok(())
    }
}

/// Runs independent `jobs` (the runs of a study) on the context's devices and returns their
/// results in job order.
///
/// With one device they run in order on it, with `state` (what every job needs on the device,
/// such as the dataset already uploaded). With workers (several `--remote` servers), one thread
/// per device takes the next job as it finishes the last, so each run stays on one device;
/// `prepare` builds a worker's state on its device once. `work` gets the context for the
/// job's device.
///
/// A job that fails — an error, or a panic such as a remote server dropping the connection —
/// stops the hand-out of further jobs; the jobs already running finish (and save whatever
/// they save, so `--resume` reuses them), and the first failure is returned, naming the device.
pub fn spread<J, S, R>(
    ctx: &RunContext,
    jobs: &[J],
    state: S,
    prepare: impl Fn(&RunContext) -> anyhow::Result<S> + Sync,
    work: impl Fn(&RunContext, &S, &J) -> anyhow::Result<R> + Sync,
) -> anyhow::Result<Vec<R>>
where
    J: Sync,
    S: Send,
    R: Send,
{
    // Panics inside a job (a remote server dropping the connection surfaces as one) become
    // errors; keep them from printing a report each.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = if ctx.workers.is_empty() || jobs.len() <= 1 {
        jobs.iter()
            .map(|job| guarded(ctx, || work(ctx, &state, job)))
            .collect::<anyhow::Result<Vec<R>>>()
    } else {
        spread_over_devices(ctx, jobs, state, &prepare, &work)
    };
    std::panic::set_hook(hook);
    result.map_err(|error| {
        error.context(
            "a run of the study failed; the runs that finished are saved, and --resume goes on from them",
        )
    })
}

/// Runs `job`, turning an error or a panic into an error that names the device.
fn guarded<R>(ctx: &RunContext, job: impl FnOnce() -> anyhow::Result<R>) -> anyhow::Result<R> {
    let device = ctx.device_description.clone();
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(job)) {
        Ok(Ok(result)) => Ok(result),
        Ok(Err(error)) => Err(error.context(format!("on {device}"))),
        Err(panic) => {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "the backend panicked".into());
            Err(anyhow::anyhow!(panic_reason(ctx, &message)).context(format!("on {device}")))
        }
    }
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

fn spread_over_devices<J, S, R>(
    ctx: &RunContext,
    jobs: &[J],
    state: S,
    prepare: &(impl Fn(&RunContext) -> anyhow::Result<S> + Sync),
    work: &(impl Fn(&RunContext, &S, &J) -> anyhow::Result<R> + Sync),
) -> anyhow::Result<Vec<R>>
where
    J: Sync,
    S: Send,
    R: Send,
{
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let results: Mutex<Vec<Option<R>>> = Mutex::new((0..jobs.len()).map(|_| None).collect());
    let failures: Mutex<Vec<(usize, anyhow::Error)>> = Mutex::new(Vec::new());
    let devices = ctx.devices();
    let mut state = Some(state);
    std::thread::scope(|scope| {
        for (slot, (device, description)) in devices.iter().enumerate() {
            let device_ctx = RunContext {
                progress: false,
                ..ctx.on_device(device, description)
            };
            let own_state = if slot == 0 { state.take() } else { None };
            let (next, stop, results, failures) = (&next, &stop, &results, &failures);
            scope.spawn(move || {
                let mut state = own_state;
                while !stop.load(Ordering::SeqCst) {
                    let job = next.fetch_add(1, Ordering::SeqCst);
                    if job >= jobs.len() {
                        return;
                    }
                    let outcome = guarded(&device_ctx, || {
                        if state.is_none() {
                            state = Some(prepare(&device_ctx)?);
                        }
                        let state = state.as_ref().expect("prepared above");
                        work(&device_ctx, state, &jobs[job])
                    });
                    match outcome {
                        Ok(result) => {
                            results.lock().unwrap_or_else(|e| e.into_inner())[job] = Some(result)
                        }
                        Err(error) => {
                            stop.store(true, Ordering::SeqCst);
                            failures
                                .lock()
                                .unwrap_or_else(|e| e.into_inner())
                                .push((job, error));
                            return;
                        }
                    }
                }
            });
        }
    });
    let mut failures = failures.into_inner().unwrap_or_else(|e| e.into_inner());
    failures.sort_by_key(|(job, _)| *job);
    if let Some((_, error)) = failures.into_iter().next() {
        return Err(error);
    }
    results
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_iter()
        .map(|r| r.ok_or_else(|| anyhow::anyhow!("a run of the study was not run")))
        .collect()
}

/// With `--save-model`, saves `net` (built from `config`) as
/// `<out>/<experiment>/models/<stem>.bpk` + `.json` and records the path in `metrics` under
/// `saved_model`; does nothing otherwise.
pub fn save_model(
    ctx: &RunContext,
    experiment: &str,
    stem: &str,
    net: &Mlp,
    config: &MlpConfig,
    metrics: &mut RunMetrics,
) -> anyhow::Result<()> {
    if !ctx.save_models {
        return Ok(());
    }
    let dir = ctx.out.join(experiment).join("models");
    prepare_output_dir(&dir)?;
    unfold_models::save_mlp(net, config, &dir.join(stem))?;
    metrics.extra.insert(
        "saved_model".into(),
        serde_json::json!(format!("models/{stem}.bpk")),
    );
    Ok(())
}

/// One split of a dataset, found through `--data-dir` or the usual places, cut to its first
/// `limit` images when a limit is given. A missing dataset gives the error that lists where
/// it looked and how to fetch it.
pub fn load_images(
    ctx: &RunContext,
    kind: DatasetKind,
    split: Split,
    limit: Option<usize>,
) -> anyhow::Result<ImageSet> {
    let set = unfold_data::load(kind, split, ctx.data_dir.as_deref())
        .with_context(|| format!("loading the {kind} {split} set"))?;
    Ok(match limit {
        Some(n) => set.head(n),
        None => set,
    })
}

/// The runs of an experiment by name, in the order they were trained.
pub type NamedRuns<'a> = [(&'a str, &'a RunMetrics)];

/// Draws the loss (log scale) and accuracy curves of every run into `<dir>/curves.png|svg`.
pub fn curves_figure(runs: &NamedRuns, loss_name: &str, dir: &Path) -> anyhow::Result<PathBuf> {
    let curves: Vec<(&str, &Curves)> = runs.iter().map(|(n, m)| (*n, &m.curves)).collect();
    save(
        &Figure {
            title: Some("Training curves (solid: train, dashed: test)".into()),
            panels: vec![
                curves_panel(
                    &format!("Loss ({loss_name})"),
                    &curves,
                    Metric::Loss,
                    divergence_note(runs.iter().copied()),
                ),
                curves_panel("Accuracy", &curves, Metric::Accuracy, None),
            ],
            columns: 2,
            panel_size: (700, 520),
        },
        dir,
        "curves",
    )
}

/// The report's results table: model, architecture, parameters, accuracies, loss, status.
pub fn results_table(report: &mut Report, runs: &NamedRuns) {
    let rows: Vec<Vec<String>> = runs
        .iter()
        .map(|(name, m)| {
            vec![
                format!("`{name}`"),
                m.architecture.clone().unwrap_or_default(),
                m.parameters.map(|p| p.to_string()).unwrap_or_default(),
                percent(m.train_accuracy),
                percent(m.test_accuracy),
                number(m.final_loss),
                m.status.clone(),
            ]
        })
        .collect();
    report.table(
        &[
            "model",
            "architecture",
            "parameters",
            "train accuracy",
            "test accuracy",
            "final loss",
            "status",
        ],
        &rows,
    );
}

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
                if m.status == "diverged" {
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
