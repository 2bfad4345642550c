//! Training one notebook model: the steps every experiment shares.

use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};

use anyhow::Context;
use burn::module::{Module, ModuleVisitor, Param};
use burn::tensor::{Bool, Int, Tensor};
use unfold_data::{DatasetKind, DeviceData, ImageSet, Split};
use unfold_models::{Mlp, MlpConfig};
use unfold_train::{FitConfig, StepObserver, fit_observed};
use unfold_viz::Figure;

use crate::RunContext;
pub(crate) use crate::checkpoints::Checkpoints;
use crate::plots::{Metric, curves_panel, divergence_note, save};
use crate::results::{Curves, Report, RunMetrics, number, percent, prepare_output_dir};
use crate::runner::guarded;

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
    let net = seeded(&autodiff, ctx.seed, |device| config.init(device));
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

/// Builds a module with `init` on `device`, its random generator seeded with `seed`, and
/// draws every parameter right away (Burn initializes parameters lazily, at first use), with no
/// other thread drawing in between: so a run's initial weights depend on its seed alone even
/// while other runs start beside it.
pub fn seeded<M: Module>(
    device: &burn::tensor::Device,
    seed: u64,
    init: impl FnOnce(&burn::tensor::Device) -> M,
) -> M {
    struct DrawNow;
    impl ModuleVisitor for DrawNow {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            let _ = param.val();
        }
        fn visit_int<const D: usize>(&mut self, param: &Param<Tensor<D, Int>>) {
            let _ = param.val();
        }
        fn visit_bool<const D: usize>(&mut self, param: &Param<Tensor<D, Bool>>) {
            let _ = param.val();
        }
    }
    static DEVICE_RANDOM: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _only_us = DEVICE_RANDOM.lock().unwrap_or_else(|e| e.into_inner());
    device.seed(seed);
    let module = init(device);
    module.visit(&mut DrawNow);
    module
}

/// Runs independent `jobs` (the runs of a study) on the context's devices and returns their
/// results in job order.
///
/// With one GPU device they run in order on it, with `state` (what every job needs on the
/// device, such as the dataset already uploaded). On a CPU backend they train side by side,
/// sharing `state`: the CPU threads are split into lanes, one run per thread while there are
/// as many runs as threads and the leftover runs then sharing all threads (see `lane_plan`),
/// each lane with a thread pool of its own taking the next job as it finishes the last. On
/// these small matrices one run per core gets more done than every core on one run, and the
/// results are the same as in order, since every run's random draws come from its own seed. With workers (several `--remote`
/// servers), one thread per device takes the next job likewise, so each run stays on one
/// device; `prepare` builds a worker's state on its device once. `work` gets the context for
/// the job's device.
///
/// A job that fails — an error, or a panic such as a remote server dropping the connection —
/// stops the hand-out of further jobs; the jobs already running finish (and save whatever
/// they save, so `--resume` reuses them; such a study adds [`RESUMABLE`] to the error), and
/// the first failure is returned, naming the device.
pub fn spread<J, S, R>(
    ctx: &RunContext,
    jobs: &[J],
    state: S,
    prepare: impl Fn(&RunContext) -> anyhow::Result<S> + Sync,
    work: impl Fn(&RunContext, &S, &J) -> anyhow::Result<R> + Sync,
) -> anyhow::Result<Vec<R>>
where
    J: Sync,
    S: Send + Sync,
    R: Send,
{
    // Panics inside a job (a remote server dropping the connection surfaces as one) become
    // errors through `guarded`.
    let result = if !ctx.workers.is_empty() && jobs.len() > 1 {
        spread_over_devices(ctx, jobs, state, &prepare, &work)
    } else {
        on_this_device(ctx, jobs, &state, &work)
    };
    result.map_err(|error| error.context("a run of the study failed"))
}

/// What a study that saves each finished run (`--resume`) adds to [`spread`]'s error.
pub const RESUMABLE: &str =
    "stopped; the runs that finished are saved, and --resume goes on from them";

/// How `jobs` independent runs share `threads` CPU threads: rounds of `(runs, threads of each
/// lane)`, each round filling every lane to its end — one run per thread while there are at
/// least as many runs as threads, then the few left over with the threads shared among them.
/// `lane_plan(11, 2)` is `[(10, [1, 1]), (1, [2])]`; `lane_plan(3, 16)` is `[(3, [6, 5, 5])]`.
fn lane_plan(jobs: usize, threads: usize) -> Vec<(usize, Vec<NonZeroUsize>)> {
    let mut plan = Vec::new();
    let mut left = jobs;
    while left > 0 {
        let lanes = unfold_device::threads::split_threads(threads, left);
        let round = left - left % lanes.len();
        plan.push((round, lanes));
        left -= round;
    }
    plan
}

/// The jobs on the context's own device: on a CPU backend side by side in rounds of lanes
/// ([`lane_plan`]), each lane with a thread pool of its own; elsewhere one after the other.
fn on_this_device<J, S, R>(
    ctx: &RunContext,
    jobs: &[J],
    state: &S,
    work: &(impl Fn(&RunContext, &S, &J) -> anyhow::Result<R> + Sync),
) -> anyhow::Result<Vec<R>>
where
    J: Sync,
    S: Sync,
    R: Send,
{
    let in_order = |jobs: &[J]| -> anyhow::Result<Vec<R>> {
        jobs.iter()
            .map(|job| guarded(ctx, || work(ctx, state, job)))
            .collect()
    };
    // Inside a lane already (several seeds or sweep points side by side): the lanes hold
    // every thread, so this study's runs go in order.
    if !ctx.backend.is_cpu() || jobs.len() <= 1 || ctx.progress_group.is_some() {
        return in_order(jobs);
    }
    let mut results = Vec::with_capacity(jobs.len());
    let mut rest = jobs;
    for (round, lanes) in lane_plan(jobs.len(), unfold_device::threads::cpu_threads()) {
        let (now, later) = rest.split_at(round);
        // A lane whose threads cannot start is left out; with one lane the round runs in order
        // on every thread.
        let pools: Vec<_> = if lanes.len() > 1 {
            lanes
                .into_iter()
                .enumerate()
                .filter_map(|(lane, n)| unfold_device::threads::CpuPool::new(lane, n).ok())
                .collect()
        } else {
            Vec::new()
        };
        results.extend(if pools.len() > 1 {
            side_by_side(ctx, now, state, pools, work)?
        } else {
            in_order(now)?
        });
        rest = later;
    }
    Ok(results)
}

/// The jobs on the context's CPU device, side by side in `lanes`, all sharing `state`.
fn side_by_side<J, S, R>(
    ctx: &RunContext,
    jobs: &[J],
    state: &S,
    lanes: Vec<unfold_device::threads::CpuPool>,
    work: &(impl Fn(&RunContext, &S, &J) -> anyhow::Result<R> + Sync),
) -> anyhow::Result<Vec<R>>
where
    J: Sync,
    S: Sync,
    R: Send,
{
    let lane_ctx = RunContext {
        progress_group: Some(unfold_train::ProgressGroup::new()),
        ..ctx.clone()
    };
    let slots = lanes
        .into_iter()
        .map(|pool| (lane_ctx.clone(), pool))
        .collect();
    hand_out(jobs, slots, &|(ctx, pool): &mut (RunContext, _), job| {
        let ctx = &*ctx;
        pool.run(|| guarded(ctx, || work(ctx, state, job)))
    })
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
    let mut state = Some(state);
    let slots = ctx
        .devices()
        .iter()
        .enumerate()
        .map(|(slot, (device, description))| {
            let device_ctx = RunContext {
                progress: false,
                ..ctx.on_device(device, description)
            };
            (device_ctx, if slot == 0 { state.take() } else { None })
        })
        .collect();
    hand_out(jobs, slots, &|(ctx, state): &mut (
        RunContext,
        Option<S>,
    ),
                            job| {
        let ctx = &*ctx;
        guarded(ctx, || {
            if state.is_none() {
                *state = Some(prepare(ctx)?);
            }
            work(ctx, state.as_ref().expect("prepared above"), job)
        })
    })
}

/// Hands `jobs` out to one thread per slot, each taking the next job as it finishes the last
/// (`run` gets the thread's slot and the job), and returns the results in job order. A failed
/// job stops the hand-out; the jobs already running finish, and the first failure in job
/// order is returned.
fn hand_out<J, W, R>(
    jobs: &[J],
    slots: Vec<W>,
    run: &(impl Fn(&mut W, &J) -> anyhow::Result<R> + Sync),
) -> anyhow::Result<Vec<R>>
where
    J: Sync,
    W: Send,
    R: Send,
{
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let results: Mutex<Vec<Option<R>>> = Mutex::new((0..jobs.len()).map(|_| None).collect());
    let failures: Mutex<Vec<(usize, anyhow::Error)>> = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for mut slot in slots {
            let (next, stop, results, failures) = (&next, &stop, &results, &failures);
            scope.spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    let job = next.fetch_add(1, Ordering::SeqCst);
                    if job >= jobs.len() {
                        return;
                    }
                    match run(&mut slot, &jobs[job]) {
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

/// `train_images` and `test_images` (MNIST's and Fashion-MNIST's "use only the first N")
/// ask for no more images than the split holds: more would silently mean all of them, and
/// the report would claim the larger number.
pub(crate) fn check_image_limits(
    train_images: Option<usize>,
    test_images: Option<usize>,
) -> Result<(), String> {
    for (key, limit, split) in [
        ("train_images", train_images, Split::Train),
        ("test_images", test_images, Split::Test),
    ] {
        let most = split.standard_len();
        if let Some(n) = limit.filter(|n| *n > most) {
            return Err(crate::settings::bad_value(
                key,
                n,
                &format!("at most {most} (the {split} split's size), or not set for all"),
            ));
        }
    }
    Ok(())
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

/// The answer to a question about the run `name` when that run diverged: its numbers say
/// nothing, and a report must not read them as a result. `None` when it did not diverge.
pub fn diverged_answer(metrics: &crate::results::Metrics, name: &str) -> Option<String> {
    let run = metrics.runs.get(name)?;
    (run.status == crate::results::RunState::Diverged).then(|| {
        format!(
            "`{name}` diverged at epoch {} under these settings (its loss stopped being a \
             finite number), so its numbers say nothing about the question.",
            run.diverged_at_epoch.unwrap_or(0)
        )
    })
}

/// The recorded runs called `names`, in that order (a name without a run is left out).
pub fn runs_in_order<'a>(
    metrics: &'a crate::results::Metrics,
    names: impl IntoIterator<Item = &'a str>,
) -> Vec<(&'a str, &'a RunMetrics)> {
    names
        .into_iter()
        .filter_map(|name| metrics.runs.get(name).map(|run| (name, run)))
        .collect()
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
                crate::seed_stats::mean_pm_std(m, "train_accuracy")
                    .unwrap_or_else(|| percent(m.train_accuracy)),
                crate::seed_stats::mean_pm_std(m, "test_accuracy")
                    .unwrap_or_else(|| percent(m.test_accuracy)),
                crate::seed_stats::mean_pm_std(m, "final_loss")
                    .unwrap_or_else(|| number(m.final_loss)),
                m.status.to_string(),
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

#[cfg(test)]
mod tests {
    use unfold_data::{Spirals2dConfig, spirals_2d};
    use unfold_device::threads::CpuPool;
    use unfold_device::{Backend, select_device};
    use unfold_models::{Activation, LayerInit};
    use unfold_train::{Batching, Loss, OptimizerConfig};

    use super::*;
    use crate::Profile;

    fn context() -> RunContext {
        let selected = select_device(Backend::Flex, 0).unwrap();
        let mut ctx = RunContext::new(&selected, 7, Profile::Quick, std::env::temp_dir());
        ctx.progress = false;
        ctx
    }

    #[test]
    fn lane_plans_keep_every_lane_busy_to_the_end_of_its_round() {
        let plan = |jobs, threads| -> Vec<(usize, Vec<usize>)> {
            lane_plan(jobs, threads)
                .into_iter()
                .map(|(round, lanes)| (round, lanes.iter().map(|n| n.get()).collect()))
                .collect()
        };
        assert_eq!(plan(11, 2), [(10, vec![1, 1]), (1, vec![2])]);
        assert_eq!(plan(4, 2), [(4, vec![1, 1])]);
        assert_eq!(plan(3, 16), [(3, vec![6, 5, 5])]);
        assert_eq!(plan(7, 3), [(6, vec![1, 1, 1]), (1, vec![3])]);
        assert_eq!(plan(5, 1), [(5, vec![1])]);
        assert_eq!(plan(0, 4), []);
    }

    #[test]
    fn runs_side_by_side_train_exactly_as_in_order() {
        let ctx = context();
        let points = spirals_2d(&Spirals2dConfig::default(), 3);
        let data = points.to_device(&ctx.device);
        // Inits that draw from the device's generator, so interleaved draws would show.
        let inits = [
            LayerInit::Default,
            LayerInit::XavierUniform,
            LayerInit::Normal {
                mean: 0.0,
                std: 0.5,
            },
            LayerInit::Uniform {
                low: -0.5,
                high: 0.5,
            },
        ];
        let fit = FitConfig {
            loss: Loss::CrossEntropy,
            optimizer: OptimizerConfig::adam(1e-2),
            epochs: 3,
            batching: Batching::MiniBatch {
                size: 32,
                shuffle: true,
                drop_last: false,
            },
            log_every: 1,
            seed: 7,
        };
        let work = |ctx: &RunContext, data: &DeviceData, init: &LayerInit| {
            let config = MlpConfig::new(vec![2, 16, 16, 3], Activation::Relu).with_init(*init);
            let (_, metrics) = train_mlp(&config, "run", &fit, ctx, data, data);
            anyhow::Ok(metrics.curves.train_loss)
        };
        let in_order: Vec<_> = inits
            .iter()
            .map(|init| work(&ctx, &data, init).unwrap())
            .collect();
        let lanes = (0..2)
            .map(|lane| CpuPool::new(lane, NonZeroUsize::MIN).unwrap())
            .collect();
        let beside = side_by_side(&ctx, &inits, &data, lanes, &work).unwrap();
        assert_eq!(beside, in_order);
        assert_ne!(in_order[0], in_order[1], "the inits differ");
    }

    #[test]
    fn a_failed_run_side_by_side_is_the_error() {
        let ctx = context();
        let jobs: Vec<usize> = (0..20).collect();
        let lanes = (0..2)
            .map(|lane| CpuPool::new(lane, NonZeroUsize::MIN).unwrap())
            .collect();
        let outcome = side_by_side(&ctx, &jobs, &(), lanes, &|_, _, job: &usize| {
            if *job == 3 {
                panic!("job three broke");
            }
            anyhow::Ok(*job)
        });
        let error = format!("{:#}", outcome.unwrap_err());
        assert!(error.contains("job three broke"), "{error}");

        // And without failures every result comes back in job order.
        let lanes = (0..3)
            .map(|lane| CpuPool::new(lane, NonZeroUsize::MIN).unwrap())
            .collect();
        let squares = side_by_side(&ctx, &jobs, &(), lanes, &|_, _, job: &usize| {
            anyhow::Ok(job * job)
        });
        assert_eq!(
            squares.unwrap(),
            jobs.iter().map(|j| j * j).collect::<Vec<_>>()
        );
    }
}
