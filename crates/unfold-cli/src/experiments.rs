//! The experiment commands, all driven by the registry: `unfold <experiment>`,
//! `reproduce-all`, `unfold config` and `unfold report`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::{ArgMatches, Args, FromArgMatches};
use serde_json::Value;
use unfold_experiments::results::{Manifest, Status, prepare_output_dir, write_atomic};
use unfold_experiments::settings::{ConfigListing, Overrides};
use unfold_experiments::{
    AnyExperiment, EXPERIMENTS, ExperimentInfo, ExperimentOutcome, Profile, index, registry,
    staging,
};

use crate::logging::say;
use crate::setup::{BackendChoice, RunArgs, Setup, experiment_parser, profile_parser};

/// Settings over the profile: files, then single keys.
#[derive(Debug, Args, Clone, Default)]
pub struct SettingsArgs {
    /// A settings file, TOML or JSON, applied over the profile (partial files are fine; a
    /// results `metrics.json` reruns those results). Repeat to layer several. See `unfold
    /// config <experiment>` for every key. A regular file of at most 16 MiB.
    #[arg(long = "config", value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// One setting, applied after the files: KEY=VALUE with a dotted KEY for nested settings
    /// and a TOML VALUE (`--set epochs=100 --set data.noise=0.1 --set 'hidden=[8,2]'`).
    /// Repeatable. With reproduce-all, `NAME.KEY` sets one experiment's key.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub sets: Vec<String>,
}

impl SettingsArgs {
    fn overrides(&self) -> anyhow::Result<Overrides> {
        let mut overrides = Overrides::none();
        for file in &self.files {
            overrides = overrides.file(file).map_err(anyhow::Error::msg)?;
        }
        for set in &self.sets {
            overrides = overrides.set(set).map_err(anyhow::Error::msg)?;
        }
        Ok(overrides)
    }
}

/// The options of an experiment command.
#[derive(Debug, Args, Clone)]
pub struct ExperimentArgs {
    #[command(flatten)]
    run: RunArgs,
    #[command(flatten)]
    settings: SettingsArgs,
}

/// `reproduce-all`'s options.
#[derive(Debug, Args, Clone)]
pub struct ReproduceArgs {
    #[command(flatten)]
    run: RunArgs,
    #[command(flatten)]
    settings: SettingsArgs,
    /// Run only these experiments (comma-separated).
    #[arg(long, value_delimiter = ',', value_parser = experiment_parser())]
    only: Vec<&'static str>,
    /// Skip these experiments (comma-separated).
    #[arg(long, value_delimiter = ',', value_parser = experiment_parser())]
    skip: Vec<&'static str>,
}

/// `unfold config`'s options.
#[derive(Debug, Args, Clone)]
pub struct ConfigArgs {
    /// The experiment.
    #[arg(value_parser = experiment_parser())]
    experiment: &'static str,
    /// The profile whose settings to print (default: full, or the profile recorded in a
    /// `--config metrics.json`).
    #[arg(long, value_parser = profile_parser())]
    profile: Option<Profile>,
    #[command(flatten)]
    settings: SettingsArgs,
}

/// `unfold report`'s options.
#[derive(Debug, Args, Clone)]
pub struct ReportArgs {
    /// A results folder (`results`, written by reproduce-all or by single experiments).
    #[arg(default_value = "results")]
    dir: PathBuf,
}

/// `unfold sweep`'s options.
#[derive(Debug, Args, Clone)]
pub struct SweepArgs {
    /// The experiment to sweep.
    #[arg(value_parser = experiment_parser())]
    experiment: &'static str,
    #[command(flatten)]
    run: RunArgs,
    /// A settings file, TOML or JSON, applied over the profile before the sweep (repeatable).
    #[arg(long = "config", value_name = "FILE")]
    files: Vec<PathBuf>,
    /// A swept key and its values: KEY=V1,V2,… (TOML values; commas inside brackets belong to
    /// one value: `--set 'hidden=[4,4],[8,8]'`). Repeat for a grid: every combination runs.
    #[arg(long = "set", value_name = "KEY=V1,V2,…", required = true)]
    sets: Vec<String>,
}

/// `unfold compare`'s options.
#[derive(Debug, Args, Clone)]
pub struct CompareArgs {
    /// Two or more results folders: an experiment's folder (`results/spirals3d`) or a results
    /// root holding the same experiments.
    #[arg(required = true, num_args = 2.., value_name = "DIR")]
    dirs: Vec<PathBuf>,
    /// Where to write the comparison page.
    #[arg(long, default_value = "results/compare")]
    out: PathBuf,
    /// Flag a metric whose relative difference from the first folder exceeds this (0.01 = 1%).
    #[arg(long, default_value_t = unfold_experiments::compare::DEFAULT_TOLERANCE)]
    tolerance: f64,
}

/// One clap subcommand per registered experiment.
pub fn subcommands() -> Vec<clap::Command> {
    EXPERIMENTS
        .iter()
        .map(|e| {
            let info = e.info();
            ExperimentArgs::augment_args(clap::Command::new(info.name))
                .about(format!("{} (notebook {})", info.title, info.notebook))
        })
        .collect()
}

/// Runs the experiment subcommand `name` when it is one.
pub fn run_subcommand(name: &str, matches: &ArgMatches) -> Option<anyhow::Result<ExitCode>> {
    let experiment = registry::find(name).ok()?;
    Some(
        ExperimentArgs::from_arg_matches(matches)
            .map_err(anyhow::Error::from)
            .and_then(|args| run_one(experiment, &args)),
    )
}

/// The run's seed: `--seed`, else the settings' (`--set seed=N` or a recorded run's), else
/// the notebook's. A `--seed` that contradicts `--set seed` is refused rather than silently
/// winning: which of the two counts is not obvious from the command.
fn run_seed(
    flag: Option<u64>,
    overrides: &Overrides,
    from_settings: Option<u64>,
    notebook: u64,
) -> anyhow::Result<u64> {
    if let (Some(flag), Some(set)) = (flag, overrides.seed_set())
        && flag != set
    {
        anyhow::bail!(
            "--seed {flag} and --set seed={set} disagree: give the seed once (either one works)"
        );
    }
    Ok(flag.or(from_settings).unwrap_or(notebook))
}

/// The settings of `experiment` for a run: the profile's, with the overrides applied and
/// checked; and the seed they set.
fn effective(
    experiment: &dyn AnyExperiment,
    profile: Profile,
    overrides: &Overrides,
) -> anyhow::Result<(Value, Option<u64>)> {
    let name = experiment.info().name;
    let (tree, seed) = overrides
        .apply(name, &experiment.config_tree(profile))
        .map_err(anyhow::Error::msg)?;
    let tree = experiment
        .check_tree(&tree)
        .map_err(|e| anyhow::anyhow!("invalid {name} settings: {e}"))?;
    Ok((tree, seed))
}

fn run_one(experiment: &dyn AnyExperiment, args: &ExperimentArgs) -> anyhow::Result<ExitCode> {
    let info = experiment.info();
    // Settings first: bad ones never open a device or write a file.
    let overrides = args.settings.overrides()?;
    let profile = args
        .run
        .profile
        .or(overrides.recorded_profile())
        .unwrap_or(Profile::Full);
    let (tree, seed) = effective(experiment, profile, &overrides)?;
    let seed = run_seed(args.run.seed, &overrides, seed, info.default_seed)?;
    if args.run.resume && !info.checkpoints {
        does_nothing(
            "--resume",
            info,
            "it saves no checkpoints to go on from",
            |i| i.checkpoints,
            "; a sweep's finished points are reused by `unfold sweep --resume`",
        );
    }
    if args.run.save_model && !info.saves_models {
        does_nothing(
            "--save-model",
            info,
            "it keeps no model to load later",
            |i| i.saves_models,
            "",
        );
    }
    // A combined result given with --config reruns with its seeds, unless --seeds says else.
    let mut run_args = args.run.clone();
    if run_args.seeds.is_none() {
        run_args.seeds = overrides
            .recorded_seeds()
            .map(unfold_experiments::seeds::SeedChoice::List);
    }
    let mut setup = Setup::new(&run_args, Setup::cpu_default()?)?;
    let (ctx, reason) = setup.context(&run_args, info, seed, profile)?;
    if let Some(reason) = &reason
        && !crate::logging::quiet()
    {
        eprintln!(
            "unfold: auto chose {} — {}: {reason}",
            ctx.backend, ctx.device_description
        );
    }
    say!("{} ({}), profile {}", info.name, info.notebook, ctx.profile);
    let started = Instant::now();
    let started_at = Manifest::finish(String::new()).finished;
    let outcome = experiment.run_tree(&tree, &ctx)?;
    print_outcome(&outcome);
    // The folder's page lists this run beside what earlier runs left there, as
    // `reproduce-all --only` does; the results are already written whole, so a page that
    // cannot be written is a warning, not a failure.
    let entry = index::Entry {
        info: *info,
        seconds: outcome.wall_seconds,
        outcome: Ok(outcome),
        backend: ctx.backend.name().to_string(),
        backend_reason: reason,
        earlier_run: None,
    };
    let summary = setup.run_summary(profile, started_at, started);
    let page = staging::lock(
        &args.run.out,
        "reproduce-all",
        &args.run.out,
        staging::ANOTHER_OUT,
    )
    .and_then(|_whole_folder| write_page(&args.run.out, &summary, vec![entry], true));
    match page {
        Ok(page) => say!("  page: {}", page.display()),
        Err(e) => eprintln!("unfold: the results are written, but not the folder's page: {e:#}"),
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes `<out>/manifest.json` and `<out>/index.html` for `entries`, this run's experiments;
/// with `keep_earlier`, the page also lists what earlier runs left in `out` for the others.
fn write_page(
    out: &Path,
    summary: &index::RunSummary,
    mut entries: Vec<index::Entry>,
    keep_earlier: bool,
) -> anyhow::Result<PathBuf> {
    if keep_earlier {
        let ran: Vec<&str> = entries.iter().map(|e| e.info.name).collect();
        let (earlier, dropped) = index::earlier_entries(out, summary.profile, &ran);
        for line in dropped {
            say!("  {line}");
        }
        if !earlier.is_empty() {
            let names: Vec<&str> = earlier.iter().map(|e| e.info.name).collect();
            say!(
                "  the page also lists the earlier results of {}",
                names.join(", ")
            );
        }
        entries.extend(earlier);
        index::sort_entries(&mut entries);
    }
    index::write(out, summary, &entries)
}

/// Warns that `flag` does nothing for this experiment (`why`), naming those it works for.
fn does_nothing(
    flag: &str,
    info: &ExperimentInfo,
    why: &str,
    works_for: fn(&ExperimentInfo) -> bool,
    more: &str,
) {
    let those: Vec<&str> = registry::infos()
        .filter(|i| works_for(i))
        .map(|i| i.name)
        .collect();
    eprintln!(
        "unfold: {flag} does nothing for {}: {why} (only {} do{more})",
        info.name,
        those.join(" and ")
    );
}

/// The summary lines, and the closing line (printed even under `--quiet` when the experiment
/// did not simply succeed).
fn print_outcome(outcome: &ExperimentOutcome) {
    for line in &outcome.summary {
        say!("  {line}");
    }
    if crate::logging::quiet() && outcome.status == Status::Ok {
        return;
    }
    let (status, note) = match outcome.status {
        Status::Ok => ("done", ""),
        Status::Diverged => ("done", ", with diverged runs"),
        Status::Failed => ("failed", ""),
    };
    println!(
        "  {status} in {:.1}s{note} → {}",
        outcome.wall_seconds,
        outcome.dir.display()
    );
}

/// `reproduce-all`: every selected experiment with its settings, then the page.
pub fn reproduce_all(args: &ReproduceArgs) -> anyhow::Result<ExitCode> {
    let selected: Vec<&dyn AnyExperiment> = EXPERIMENTS
        .iter()
        .copied()
        .filter(|e| args.only.is_empty() || args.only.contains(&e.info().name))
        .filter(|e| !args.skip.contains(&e.info().name))
        .collect();
    if selected.is_empty() {
        anyhow::bail!("--only/--skip leave no experiment to run");
    }
    // Every experiment's settings are checked before the first one starts.
    let overrides = args.settings.overrides()?;
    let names = registry::names();
    let has_key = |experiment: &dyn AnyExperiment, key: &str| {
        key == unfold_experiments::settings::SEED_KEY
            || unfold_experiments::settings::get_path(&experiment.config_tree(Profile::Full), key)
                .is_some()
    };
    let mut known_keys: Vec<String> = EXPERIMENTS
        .iter()
        .flat_map(|e| unfold_experiments::settings::leaf_keys(&e.config_tree(Profile::Full)))
        .collect();
    known_keys.push(unfold_experiments::settings::SEED_KEY.to_string());
    let known_keys: Vec<&str> = known_keys.iter().map(String::as_str).collect();
    overrides
        .check_global_keys(
            &names,
            |name, key| registry::find(name).is_ok_and(|e| has_key(e, key)),
            &known_keys,
        )
        .map_err(anyhow::Error::msg)?;
    let profile = args.run.profile.unwrap_or(Profile::Full);
    let mut plans = Vec::new();
    for &experiment in &selected {
        let info = experiment.info();
        let mine = overrides.for_experiment(info.name, &names, |key| has_key(experiment, key));
        let (tree, seed) = effective(experiment, profile, &mine).map_err(|e| {
            if !overrides.has_plain_keys(&names) {
                return e;
            }
            // A plain key reaches every experiment that has one of that name, wanted or not.
            anyhow::anyhow!(
                "{e:#} (in reproduce-all, a key without an experiment's name applies to every \
                 experiment that has it: write '{}.KEY' to set it for {} alone, or skip it with \
                 --skip {})",
                info.name,
                info.name,
                info.name
            )
        })?;
        let seed = run_seed(args.run.seed, &mine, seed, info.default_seed)?;
        plans.push((experiment, tree, seed));
    }
    let mut setup = Setup::new(&args.run, BackendChoice::Auto)?;
    prepare_output_dir(&args.run.out)?;
    // The page is written last: a page of the user's own there stops the run before it starts.
    index::check_ours(&args.run.out)?;
    // One reproduce-all per results folder: its page and manifest are written last, whole.
    let _whole_folder = staging::lock(
        &args.run.out,
        "reproduce-all",
        &args.run.out,
        staging::ANOTHER_OUT,
    )?;

    let started = Instant::now();
    let started_at = Manifest::finish(String::new()).finished;
    let mut entries = Vec::new();
    let total = plans.len();
    for (i, (experiment, tree, seed)) in plans.into_iter().enumerate() {
        let info = experiment.info();
        say!("[{}/{total}] {} ({})", i + 1, info.name, info.notebook);
        let t = Instant::now();
        let (backend, backend_reason, outcome) = match setup.context(&args.run, info, seed, profile)
        {
            Ok((ctx, reason)) => {
                if let Some(reason) = &reason {
                    say!(
                        "  auto → {} ({}): {reason}",
                        ctx.backend,
                        ctx.device_description
                    );
                }
                let outcome = experiment.run_tree(&tree, &ctx);
                (ctx.backend.name().to_string(), reason, outcome)
            }
            Err(e) => ("none".into(), None, Err(e)),
        };
        let outcome = outcome.map_err(|e| index::Failure::from_error(&e));
        match &outcome {
            Ok(outcome) => print_outcome(outcome),
            Err(failure) => println!(
                "  FAILED after {:.1}s: {}",
                t.elapsed().as_secs_f64(),
                failure.line
            ),
        }
        entries.push(index::Entry {
            info: *info,
            outcome,
            seconds: t.elapsed().as_secs_f64(),
            backend,
            backend_reason,
            earlier_run: None,
        });
    }
    // A partial rerun (`--only`/`--skip`) keeps the folder's other results on the page.
    let partial = !args.only.is_empty() || !args.skip.is_empty();
    let summary = setup.run_summary(profile, started_at, started);
    let failed = entries.iter().filter(|e| e.outcome.is_err()).count();
    let page = write_page(&args.run.out, &summary, entries, partial)?;
    if failed == 0 && crate::logging::quiet() {
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{} of {total} experiments succeeded in {:.1}s; report: {}",
        total - failed,
        started.elapsed().as_secs_f64(),
        page.display()
    );
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// `unfold sweep`: every point checked first, then run, then `sweep.json` and the page.
pub fn sweep(args: &SweepArgs) -> anyhow::Result<ExitCode> {
    use unfold_experiments::sweep;
    let experiment = registry::find(args.experiment).map_err(anyhow::Error::msg)?;
    let info = experiment.info();
    let mut overrides = Overrides::none();
    for file in &args.files {
        overrides = overrides.file(file).map_err(anyhow::Error::msg)?;
    }
    let axes = args
        .sets
        .iter()
        .map(|set| sweep::Axis::parse(set))
        .collect::<Result<Vec<_>, _>>()
        .map_err(anyhow::Error::msg)?;
    let profile = args
        .run
        .profile
        .or(overrides.recorded_profile())
        .unwrap_or(Profile::Full);
    let (base, seed) = effective(experiment, profile, &overrides)?;
    let points = sweep::plan(experiment, &base, &axes).map_err(anyhow::Error::msg)?;
    let seed = run_seed(args.run.seed, &overrides, seed, info.default_seed)?;
    let mut setup = Setup::new(&args.run, Setup::cpu_default()?)?;
    let (ctx, reason) = setup.context(&args.run, info, seed, profile)?;
    if let Some(reason) = reason {
        eprintln!(
            "unfold: auto chose {} — {}: {reason}",
            ctx.backend, ctx.device_description
        );
    }
    say!(
        "sweep {} ({}), profile {}: {} point(s)",
        info.name,
        info.notebook,
        ctx.profile,
        points.len()
    );
    let started = Instant::now();
    let page = sweep::run(experiment, &axes, &points, &ctx, args.run.resume)?;
    if args.run.out.join("manifest.json").is_file() {
        // The page links the sweep; a reproduce-all writing this folder now links it itself.
        let page_lock = staging::lock(
            &args.run.out,
            "reproduce-all",
            &args.run.out,
            "its page will link the sweep",
        );
        match page_lock {
            Ok(_page) => {
                index::rebuild(&args.run.out)?;
            }
            Err(e) => say!(
                "  results page not rebuilt: {}",
                unfold_guard::secrets::error(e.as_ref())
            ),
        }
    }
    say!(
        "  {} point(s) in {:.1}s → {}",
        points.len(),
        started.elapsed().as_secs_f64(),
        page.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// `unfold compare`: the table on the terminal, the page under `--out`.
pub fn compare(args: &CompareArgs) -> anyhow::Result<ExitCode> {
    let comparison = unfold_experiments::compare::compare(&args.dirs, args.tolerance, &args.out)?;
    for line in &comparison.lines {
        println!("{line}");
    }
    println!("page: {}", comparison.page.display());
    Ok(ExitCode::SUCCESS)
}

/// `unfold config`: the effective settings as commented TOML.
pub fn config(args: &ConfigArgs) -> anyhow::Result<ExitCode> {
    let experiment = registry::find(args.experiment).map_err(anyhow::Error::msg)?;
    let info = experiment.info();
    let overrides = args.settings.overrides()?;
    let profile = args
        .profile
        .or(overrides.recorded_profile())
        .unwrap_or(Profile::Full);
    let (tree, seed) = effective(experiment, profile, &overrides)?;
    let notebook = experiment.config_tree(Profile::Full);
    let listing = ConfigListing {
        experiment: info.name,
        profile: profile.name(),
        values: &tree,
        notebook: &notebook,
        seed: (seed.unwrap_or(info.default_seed), info.default_seed),
        docs: experiment.key_docs(),
    };
    print!("{}", listing.to_toml());
    Ok(ExitCode::SUCCESS)
}

/// What `unfold report` suggests when a run is writing the folder it rebuilds.
const AGAIN: &str = "then run unfold report again";

/// `unfold report`: every report (and the page, where reproduce-all wrote one) rebuilt from
/// the recorded results, without a device and without training.
pub fn report(args: &ReportArgs) -> anyhow::Result<ExitCode> {
    let dir = &args.dir;
    if !dir.is_dir() {
        let why = if dir.exists() {
            "not a folder"
        } else {
            "no such folder"
        };
        anyhow::bail!("{} is not a results folder ({why})", dir.display());
    }
    // A sweep's folder, or sweeps inside the folder: their points' reports and their pages.
    let sweeps: Vec<PathBuf> = if unfold_experiments::sweep::is_sweep(dir) {
        vec![dir.clone()]
    } else {
        let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| unfold_experiments::sweep::is_sweep(p))
                    .collect()
            })
            .unwrap_or_default();
        found.sort();
        found
    };
    for sweep in &sweeps {
        for point in unfold_experiments::runner::result_folders(sweep) {
            rebuild_folder(&point)?;
        }
        let page = unfold_experiments::sweep::rebuild(sweep)?;
        say!("rebuilt {}", page.display());
    }
    if unfold_experiments::sweep::is_sweep(dir) {
        return Ok(ExitCode::SUCCESS);
    }
    // One experiment's folder (as `compare` takes), or a folder of them.
    let (parent, folders) = if dir.join("metrics.json").is_file() {
        let parent = match dir.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        (parent, vec![dir.clone()])
    } else {
        (dir.clone(), unfold_experiments::runner::result_folders(dir))
    };
    let manifest = dir.join("manifest.json");
    if folders.is_empty() && !manifest.is_file() && sweeps.is_empty() {
        anyhow::bail!(
            "{} holds no results (no <experiment>/metrics.json); run an experiment or reproduce-all first",
            dir.display()
        );
    }
    for folder in &folders {
        // Held while this folder's reports are rewritten: a run writing it is never mixed in.
        let name = folder.file_name().map(|n| n.to_string_lossy().into_owned());
        let _folder = staging::lock(&parent, &name.unwrap_or_default(), folder, AGAIN)?;
        rebuild_folder(folder)?;
        say!("rebuilt {}", folder.join("report.md").display());
    }
    if manifest.is_file() {
        let _page = staging::lock(dir, "reproduce-all", dir, AGAIN)?;
        let page = index::rebuild(dir)?;
        say!("rebuilt {}", page.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// Rebuilds the report of one results folder, and first those of its seeds' folders (a
/// combined result of several seeds holds each seed's own results folder).
fn rebuild_folder(folder: &Path) -> anyhow::Result<()> {
    for seed_folder in unfold_experiments::runner::result_folders(folder) {
        rebuild_one(&seed_folder.join("metrics.json"))?;
    }
    rebuild_one(&folder.join("metrics.json"))
}

fn rebuild_one(metrics_path: &Path) -> anyhow::Result<()> {
    let metrics = unfold_experiments::runner::read_metrics(metrics_path)?;
    let experiment = registry::find(&metrics.experiment).map_err(anyhow::Error::msg)?;
    let report = experiment.rebuild_report(&metrics)?;
    let dir = metrics_path.parent().unwrap_or(Path::new("."));
    write_atomic(&dir.join("report.md"), report.to_markdown().as_bytes())?;
    Ok(())
}
