//! The `unfold` command line.
//!
//! `unfold list` names the experiments, `unfold info` shows the compiled backends and the
//! devices each sees, `unfold <experiment>` runs one notebook, and `unfold reproduce-all` runs
//! them all and writes an HTML page that links every result. Every experiment command takes
//! `--backend`, `--device`, `--seed`, `--profile` and `--out`.
#![warn(missing_docs)]

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Args, Parser, Subcommand};

mod data;
use unfold_device::{Backend, list_devices, select_device};
use unfold_experiments::results::Status;
use unfold_experiments::{EXPERIMENTS, ExperimentOutcome, Profile, RunContext, index};

/// Reproducible, device-agnostic deep-learning notebooks with figures.
#[derive(Debug, Parser)]
#[command(
    name = "unfold",
    version,
    about = "Classic deep-learning notebooks as reproducible, device-agnostic experiments with figures",
    long_about = None,
    propagate_version = true
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// List the experiments and the notebooks they reproduce.
    List,
    /// Show the compiled backends and the devices each one sees.
    Info,
    /// Notebook 000: two 3-D spirals, linear vs ReLU layers unfolding the manifold.
    Spirals3d(CommonArgs),
    /// Notebook 002 (lab 2): layers from scratch vs Burn's, and a Gaussian surface fitted by
    /// random search vs Adam.
    BuildingBlocks(CommonArgs),
    /// Notebook 003: 2-D spirals, bread-only vs sandwich networks, embeddings, decision regions.
    Sandwich(CommonArgs),
    /// Run every experiment and write an HTML report linking all results.
    ReproduceAll(ReproduceArgs),
    /// Fetch, verify and locate the MNIST and Fashion-MNIST files.
    Data {
        #[command(subcommand)]
        cmd: data::DataCommand,
    },
}

/// Options shared by every experiment command.
#[derive(Debug, Args, Clone)]
struct CommonArgs {
    /// Backend to run on: ndarray, flex, wgpu or cuda (default: the fastest compiled CPU backend).
    #[arg(long, short = 'b')]
    backend: Option<String>,
    /// Device index for GPU backends (see `unfold info`).
    #[arg(long, default_value_t = 0)]
    device: usize,
    /// Seed for data, splits, initialization and shuffling (default: the notebook's seed).
    #[arg(long)]
    seed: Option<u64>,
    /// `full` = the notebook's exact settings; `quick` = the same pipeline shrunk for smoke tests.
    #[arg(long, default_value = "full", value_parser = parse_profile)]
    profile: Profile,
    /// Results folder; each experiment writes to `<out>/<experiment>/`.
    #[arg(long, default_value = "results")]
    out: PathBuf,
}

#[derive(Debug, Args, Clone)]
struct ReproduceArgs {
    #[command(flatten)]
    common: CommonArgs,
    /// Run only these experiments (comma-separated names).
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// Skip these experiments (comma-separated names).
    #[arg(long, value_delimiter = ',')]
    skip: Vec<String>,
}

fn parse_profile(s: &str) -> Result<Profile, String> {
    s.parse()
}

/// Parses the process arguments and runs the command; the exit code says how it went.
pub fn main() -> ExitCode {
    quiet_window_system_probing();
    let cli = Cli::parse();
    match dispatch(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Mesa's Vulkan drivers print "XDG_RUNTIME_DIR is invalid or not set" on every device open
/// when the variable is missing (headless servers, containers, CI). Point it at a private
/// folder so `wgpu` runs quietly. Called first thing in `main`, before any thread exists.
fn quiet_window_system_probing() {
    #[cfg(unix)]
    if Backend::Wgpu.is_compiled() && std::env::var_os("XDG_RUNTIME_DIR").is_none() {
        use std::os::unix::fs::DirBuilderExt;
        let dir = std::env::temp_dir().join("unfold-xdg-runtime");
        let ready = std::fs::DirBuilder::new().mode(0o700).create(&dir).is_ok() || dir.is_dir();
        if ready {
            // SAFETY: called at the start of `main`, before any other thread is spawned, so no
            // other code can be reading the environment concurrently.
            unsafe { std::env::set_var("XDG_RUNTIME_DIR", &dir) };
        }
    }
}

fn dispatch(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::List => {
            list();
            Ok(ExitCode::SUCCESS)
        }
        Command::Info => {
            info();
            Ok(ExitCode::SUCCESS)
        }
        Command::Spirals3d(args) => run_one(unfold_experiments::spirals3d::NAME, &args),
        Command::BuildingBlocks(args) => run_one(unfold_experiments::building_blocks::NAME, &args),
        Command::Sandwich(args) => run_one(unfold_experiments::sandwich::NAME, &args),
        Command::ReproduceAll(args) => reproduce_all(&args),
        Command::Data { cmd } => data::run(cmd),
    }
}

fn list() {
    println!("{:<14} {:<28} title", "experiment", "notebook");
    for e in EXPERIMENTS {
        println!("{:<14} {:<28} {}", e.name, e.notebook, e.title);
    }
}

fn info() {
    println!("unfold {}", env!("CARGO_PKG_VERSION"));
    let compiled: Vec<&str> = Backend::compiled().iter().map(|b| b.name()).collect();
    println!("compiled backends: {}", compiled.join(", "));
    for backend in Backend::ALL {
        if !backend.is_compiled() {
            println!(
                "  {:<8} not compiled (build with `--features {}`)",
                backend.name(),
                backend.cargo_feature()
            );
            continue;
        }
        match list_devices(backend) {
            Ok(devices) => {
                for (i, (_, description)) in devices.iter().enumerate() {
                    println!("  {:<8} device {i}: {description}", backend.name());
                }
            }
            Err(reason) => println!("  {:<8} no usable device: {reason}", backend.name()),
        }
    }
}

fn resolve_backend(args: &CommonArgs) -> anyhow::Result<Backend> {
    match &args.backend {
        Some(name) => Ok(name.parse()?),
        None => Backend::default_cpu().ok_or_else(|| {
            anyhow::anyhow!("no CPU backend compiled in; pass --backend wgpu or cuda")
        }),
    }
}

fn context(args: &CommonArgs, default_seed: u64) -> anyhow::Result<RunContext> {
    let backend = resolve_backend(args)?;
    let selected = select_device(backend, args.device)?;
    eprintln!("unfold: backend {} — {}", backend, selected.description);
    Ok(RunContext::new(
        &selected,
        args.seed.unwrap_or(default_seed),
        args.profile,
        args.out.clone(),
    ))
}

fn print_outcome(outcome: &ExperimentOutcome) {
    for line in &outcome.summary {
        println!("  {line}");
    }
    println!(
        "  {} in {:.1}s → {}",
        match outcome.status {
            Status::Ok => "done",
            Status::Diverged => "done, with diverged runs",
            Status::Failed => "failed",
        },
        outcome.wall_seconds,
        outcome.dir.display()
    );
}

fn run_one(name: &str, args: &CommonArgs) -> anyhow::Result<ExitCode> {
    let info = unfold_experiments::find(name).map_err(anyhow::Error::msg)?;
    let ctx = context(args, info.default_seed)?;
    println!("{} ({}), profile {}", info.name, info.notebook, ctx.profile);
    let outcome = unfold_experiments::run(name, &ctx)?;
    print_outcome(&outcome);
    Ok(ExitCode::SUCCESS)
}

fn reproduce_all(args: &ReproduceArgs) -> anyhow::Result<ExitCode> {
    for name in args.only.iter().chain(&args.skip) {
        unfold_experiments::find(name).map_err(anyhow::Error::msg)?;
    }
    let selected: Vec<_> = EXPERIMENTS
        .iter()
        .filter(|e| args.only.is_empty() || args.only.iter().any(|o| o == e.name))
        .filter(|e| !args.skip.iter().any(|s| s == e.name))
        .collect();
    if selected.is_empty() {
        anyhow::bail!("--only/--skip leave no experiment to run");
    }
    let backend = resolve_backend(&args.common)?;
    let device = select_device(backend, args.common.device)?;
    eprintln!("unfold: backend {} — {}", backend, device.description);
    unfold_experiments::results::prepare_output_dir(&args.common.out)?;

    let started = Instant::now();
    let started_at = unfold_experiments::results::Manifest::finish(String::new()).finished;
    let mut entries = Vec::new();
    let total = selected.len();
    for (i, info) in selected.iter().enumerate() {
        println!("[{}/{total}] {} ({})", i + 1, info.name, info.notebook);
        let ctx = RunContext::new(
            &device,
            args.common.seed.unwrap_or(info.default_seed),
            args.common.profile,
            args.common.out.clone(),
        );
        let t = Instant::now();
        let result = unfold_device::quiet_catch_unwind(|| unfold_experiments::run(info.name, &ctx))
            .unwrap_or_else(|panic| Err(anyhow::anyhow!("internal error (panic): {panic}")));
        match &result {
            Ok(outcome) => print_outcome(outcome),
            Err(e) => println!("  FAILED after {:.1}s: {e:#}", t.elapsed().as_secs_f64()),
        }
        entries.push(index::Entry {
            info: **info,
            outcome: result.map_err(|e| format!("{e:#}")),
            seconds: t.elapsed().as_secs_f64(),
        });
    }
    let page = index::write(
        &args.common.out,
        &index::RunSummary {
            backend: backend.name().into(),
            device: device.description.clone(),
            profile: args.common.profile,
            started: started_at,
            wall_seconds: started.elapsed().as_secs_f64(),
        },
        &entries,
    )?;
    let failed = entries.iter().filter(|e| e.outcome.is_err()).count();
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
