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
use unfold_device::{Backend, SelectedDevice, list_devices, select_device};
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
    /// CPU threads for the flex and ndarray backends (default: one per logical CPU)
    #[arg(long, global = true, value_name = "N", env = unfold_device::threads::THREADS_ENV)]
    threads: Option<std::num::NonZeroUsize>,
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
    /// Notebook 001 (question 1): MNIST, logistic regression from scratch vs an MLP, with the
    /// initialization and optimizer studies.
    Mnist(CommonArgs),
    /// Notebook 002 (lab 2): layers from scratch vs Burn's, and a Gaussian surface fitted by
    /// random search vs Adam.
    BuildingBlocks(CommonArgs),
    /// Notebook 003: 2-D spirals, bread-only vs sandwich networks, embeddings, decision regions.
    Sandwich(SandwichArgs),
    /// Notebook 004 (task 3): Fashion-MNIST, sigmoid vs ReLU, and the vanishing gradients.
    Vanishing(CommonArgs),
    /// Notebooks 001 (question 2) and 004 (tasks 1, 2): multidimensional XOR, gradients by hand.
    Xor(CommonArgs),
    /// Notebook 004, task 2: every preactivation, activation, delta and dL/dw of a small
    /// network given as JSON, with formulas, checked against autodiff.
    Backprop(BackpropArgs),
    /// Run every experiment and write an HTML report linking all results.
    ReproduceAll(ReproduceArgs),
    /// Measure the benchmark workloads (W1-W6) and optionally write them as JSON.
    Bench(BenchArgs),
    /// Serve this machine's device to other machines' `--backend remote` runs (Burn's remote
    /// backend over WebSocket; 127.0.0.1 only unless --bind says otherwise).
    Serve(ServeArgs),
    /// Show or clear the cache of compiled GPU kernels and autotune results.
    Cache {
        #[command(subcommand)]
        cmd: CacheCommand,
    },
    /// Fetch, verify and locate the MNIST and Fashion-MNIST files.
    Data {
        #[command(subcommand)]
        cmd: data::DataCommand,
    },
}

/// Options shared by every experiment command.
#[derive(Debug, Args, Clone)]
struct CommonArgs {
    /// Backend to run on: ndarray, flex, wgpu, cuda, remote (a server started by `unfold
    /// serve`, see --remote), or auto (a device per experiment: the CPU for small models, a
    /// hardware GPU from 100,000 parameters). Default: the fastest compiled CPU backend for one
    /// experiment, auto for reproduce-all.
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
    /// Folder holding `mnist/` and `fashion-mnist/` (default: $UNFOLD_DATA, ./data, then
    /// Debian's /usr/share/datasets/fashion-mnist; see `unfold data where`).
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Save the trained models (spirals3d, sandwich) under `<out>/<experiment>/models/` as Burn
    /// records with their configuration, for `unfold_models::load_mlp`.
    #[arg(long)]
    save_model: bool,
    /// Go on with a long study (mnist, xor) that was interrupted: runs it already finished
    /// (saved under `<out>/<experiment>/runs/`) are reused, not trained again.
    #[arg(long)]
    resume: bool,
    #[command(flatten)]
    remote: RemoteArgs,
}

/// Where the servers of `--backend remote` are.
#[derive(Debug, Args, Clone, Default)]
struct RemoteArgs {
    /// With `--backend remote` (implied when given): the server started by `unfold serve`, as
    /// ws://HOST:PORT. Give several (repeat the flag or separate with commas) to spread a
    /// study's independent runs over them, one run per server at a time.
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "ws://HOST:PORT",
        env = "UNFOLD_REMOTE"
    )]
    remote: Vec<String>,
    /// The token the servers were started with (`unfold serve --token`).
    #[arg(
        long,
        value_name = "TOKEN",
        env = "UNFOLD_REMOTE_TOKEN",
        hide_env_values = true
    )]
    token: Option<String>,
}

/// What to do with the kernel cache.
#[derive(Debug, Subcommand, Clone, Copy)]
enum CacheCommand {
    /// Print where the cache is and how big it is.
    Where,
    /// Empty the cache: the next GPU run compiles and autotunes its kernels again.
    Clear,
}

/// Serve a local device to `--backend remote` clients.
#[derive(Debug, Args, Clone)]
struct ServeArgs {
    /// The backend whose device is served: cuda, wgpu, flex or ndarray (default: cuda, then a
    /// hardware wgpu adapter, then the fastest CPU backend).
    #[arg(long, short = 'b')]
    backend: Option<String>,
    /// Which of its devices (see `unfold info`); run one server per device to serve several.
    #[arg(long, default_value_t = 0)]
    device: usize,
    /// Where to listen, HOST:PORT (port 0 picks a free one). The default answers this machine
    /// only. Any other address is reachable from the network, and the protocol is unencrypted:
    /// give it together with --token, on a network you trust.
    #[arg(long, default_value = "127.0.0.1:3000", value_name = "HOST:PORT")]
    bind: String,
    /// A secret every client must present (their --token or $UNFOLD_REMOTE_TOKEN). It keeps
    /// stray clients out; it does not encrypt the traffic.
    #[arg(
        long,
        value_name = "TOKEN",
        env = "UNFOLD_REMOTE_TOKEN",
        hide_env_values = true
    )]
    token: Option<String>,
    /// Listen on a non-loopback --bind address without a token: anyone who reaches the port
    /// can use the device and read its tensors.
    #[arg(long)]
    insecure_no_token: bool,
}

#[derive(Debug, Args, Clone)]
struct SandwichArgs {
    #[command(flatten)]
    common: CommonArgs,
    /// The rainbow sandwich's feature permutation `idx`: which of the six activations drives
    /// x, y, R, G, B and size (default: the notebook's 5,4,1,2,3,0).
    #[arg(long, value_delimiter = ',', value_name = "I,I,I,I,I,I")]
    rainbow_permutation: Option<Vec<usize>>,
    /// How activations are normalized before they become dots: none (the notebook's),
    /// softmax, sigmoid or minmax.
    #[arg(long, value_name = "NORM")]
    rainbow_normalization: Option<String>,
    /// Snapshot MLPemb every this many epochs for the training animation (0: no animation).
    #[arg(long, value_name = "K")]
    animation_every: Option<usize>,
}

#[derive(Debug, Args, Clone)]
struct BackpropArgs {
    /// The network as JSON: layers (weights, biases, activation), loss, optionally input and
    /// label (see assets/backprop-example.json).
    #[arg(long)]
    network: PathBuf,
    /// The input, comma-separated (overrides the file's).
    #[arg(long, value_delimiter = ',', allow_hyphen_values = true)]
    input: Vec<f64>,
    /// The label, comma-separated, one value per output (overrides the file's).
    #[arg(long, value_delimiter = ',', allow_hyphen_values = true)]
    label: Vec<f64>,
    /// Backend for the autodiff check (default: the fastest compiled CPU backend).
    #[arg(long, short = 'b')]
    backend: Option<String>,
    /// Device index for GPU backends.
    #[arg(long, default_value_t = 0)]
    device: usize,
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

#[derive(Debug, Args, Clone)]
struct BenchArgs {
    /// Backends to measure, comma-separated (default: every compiled CPU backend; `remote` with
    /// --remote).
    #[arg(long, short = 'b', value_delimiter = ',')]
    backend: Vec<String>,
    /// Device index for GPU backends.
    #[arg(long, default_value_t = 0)]
    device: usize,
    #[command(flatten)]
    remote: RemoteArgs,
    /// Only these workloads, comma-separated (W1,W2,W3,W4,W5,W6).
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// Timed runs per workload, after one warm-up run.
    #[arg(long, default_value_t = 5)]
    repeats: usize,
    /// Shrink every workload to a few steps (a smoke test, not a measurement).
    #[arg(long)]
    quick: bool,
    /// Also write the results to this JSON file.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Where MNIST and Fashion-MNIST are (W3, W4 and W6 use them; W3 and W4 fall back to
    /// synthetic images of the same shape).
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
}

fn parse_profile(s: &str) -> Result<Profile, String> {
    s.parse()
}

/// Parses the process arguments and runs the command; the exit code says how it went.
pub fn main() -> ExitCode {
    quiet_window_system_probing();
    let cli = Cli::parse();
    // SAFETY: nothing has spawned a thread yet (argument parsing and the probing above are
    // single-threaded), so no other thread can touch the environment.
    if let Some(threads) = cli.threads
        && let Err(e) = unsafe { unfold_device::threads::set_cpu_threads(threads) }
    {
        eprintln!("error: {e}");
        return ExitCode::FAILURE;
    }
    // Before any device opens: compiled kernels and autotune results persist between runs.
    unfold_device::kernel_cache::enable(unfold_device::kernel_cache::dir().as_deref());
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
        Command::Sandwich(args) => sandwich(&args),
        Command::Mnist(args) => run_one(unfold_experiments::mnist::NAME, &args),
        Command::Vanishing(args) => run_one(unfold_experiments::vanishing::NAME, &args),
        Command::Xor(args) => run_one(unfold_experiments::xor::NAME, &args),
        Command::Backprop(args) => backprop(&args),
        Command::ReproduceAll(args) => reproduce_all(&args),
        Command::Bench(args) => bench(&args),
        Command::Serve(args) => serve(&args),
        Command::Cache { cmd } => cache(cmd),
        Command::Data { cmd } => data::run(cmd),
    }
}

fn backprop(args: &BackpropArgs) -> anyhow::Result<ExitCode> {
    use unfold_experiments::backprop::{Worksheet, parse_network};
    let path = args.network.display();
    let text = std::fs::read_to_string(&args.network)
        .map_err(|e| anyhow::anyhow!("cannot read {path}: {e}"))?;
    let network = parse_network(&text).map_err(|e| anyhow::anyhow!("{path}: {e}"))?;
    let pick = |given: &Vec<f64>, from_file: &Option<Vec<f64>>, what: &str| {
        if given.is_empty() {
            from_file.clone().ok_or_else(|| {
                anyhow::anyhow!("{path} gives no {what}; pass --{what} (comma-separated)")
            })
        } else {
            Ok(given.clone())
        }
    };
    let input = pick(&args.input, &network.input, "input")?;
    let label = pick(&args.label, &network.label, "label")?;
    let mut sheet =
        Worksheet::compute(&network, &input, &label).map_err(|e| anyhow::anyhow!("--{e}"))?;
    let backend = match &args.backend {
        Some(name) => name.parse()?,
        None => Backend::default_cpu()
            .ok_or_else(|| anyhow::anyhow!("no CPU backend compiled in; pass --backend"))?,
    };
    let selected = select_device(backend, args.device)?;
    sheet.check_with_autodiff(&selected.device);
    print!("{}", sheet.to_text());
    if sheet.agrees_with_autodiff() {
        println!("every value agrees with autodiff ({backend})");
        Ok(ExitCode::SUCCESS)
    } else {
        println!("MISMATCH: some values disagree with autodiff ({backend})");
        Ok(ExitCode::FAILURE)
    }
}

fn cache(cmd: CacheCommand) -> anyhow::Result<ExitCode> {
    use unfold_device::kernel_cache;
    let Some(dir) = kernel_cache::dir() else {
        println!(
            "the kernel cache is off (${}=off): every process compiles its kernels",
            kernel_cache::ENV
        );
        return Ok(ExitCode::SUCCESS);
    };
    if !kernel_cache::is_supported() {
        println!("this build has no GPU backend, so there are no kernels to cache");
    }
    let mib = |bytes: u64| bytes as f64 / (1024.0 * 1024.0);
    match cmd {
        CacheCommand::Where => {
            let (files, bytes) = kernel_cache::usage(&dir);
            println!(
                "{} — {files} file(s), {:.1} MiB (move it with ${})",
                dir.display(),
                mib(bytes),
                kernel_cache::ENV
            );
        }
        CacheCommand::Clear => {
            let (files, bytes) = kernel_cache::clear(&dir)
                .map_err(|e| anyhow::anyhow!("cannot clear {}: {e}", dir.display()))?;
            println!(
                "cleared {}: removed {files} file(s), {:.1} MiB",
                dir.display(),
                mib(bytes)
            );
        }
    }
    Ok(ExitCode::SUCCESS)
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
        if backend == Backend::Remote {
            println!(
                "  {:<8} the device of a server started by `unfold serve`: --backend remote --remote ws://HOST:PORT",
                backend.name()
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

fn bench(args: &BenchArgs) -> anyhow::Result<ExitCode> {
    use unfold_bench::{BenchReport, BenchSettings, Workload, run_workload};
    if args.repeats == 0 {
        anyhow::bail!("--repeats must be ≥ 1");
    }
    let workloads: Vec<Workload> = if args.only.is_empty() {
        Workload::ALL.to_vec()
    } else {
        args.only
            .iter()
            .map(|w| Workload::parse(w))
            .collect::<Result<_, _>>()
            .map_err(anyhow::Error::msg)?
    };
    let backends: Vec<Backend> = if args.backend.is_empty() && !args.remote.remote.is_empty() {
        vec![Backend::Remote]
    } else if args.backend.is_empty() {
        Backend::compiled()
            .into_iter()
            .filter(|b| b.is_cpu())
            .collect()
    } else {
        args.backend
            .iter()
            .map(|b| b.parse())
            .collect::<Result<_, _>>()?
    };
    if let Some(path) = &args.json
        && let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty())
    {
        unfold_experiments::results::prepare_output_dir(parent)?;
    }
    let settings = BenchSettings {
        repeats: args.repeats,
        quick: args.quick,
    };
    let date = unfold_experiments::results::Manifest::finish(String::new()).finished;
    let mut results = Vec::new();
    println!(
        "{:<4} {:<66} {:<8} {:>12} {:>10} {:>8}",
        "id", "workload", "backend", "median", "unit", "spread"
    );
    let host_done = std::cell::Cell::new(false);
    for backend in backends {
        let selected = match open_device(backend, args.device, &args.remote) {
            Ok(s) => s,
            Err(e) => {
                println!("{backend}: skipped ({e:#})");
                continue;
            }
        };
        for &w in &workloads {
            // Host-only workloads are measured once, not per backend.
            if !w.uses_device() && host_done.replace(true) {
                continue;
            }
            match run_workload(w, &selected, &settings, args.data_dir.as_deref()) {
                Ok(m) => {
                    println!(
                        "{:<4} {:<66} {:<8} {:>12.3} {:>10} {:>7.1}%{}",
                        m.id,
                        m.workload,
                        m.backend,
                        m.median,
                        m.unit,
                        m.spread_percent(),
                        m.note
                            .as_ref()
                            .map(|n| format!("  ({n})"))
                            .unwrap_or_default()
                    );
                    results.push(m);
                }
                Err(e) => println!("{:<4} skipped: {e:#}", w.id()),
            }
        }
    }
    if let Some(path) = &args.json {
        let report = BenchReport {
            unfold_version: env!("CARGO_PKG_VERSION").into(),
            git_commit: unfold_experiments::results::git_commit(),
            date,
            host_cpus: std::thread::available_parallelism().map_or(1, |n| n.get()),
            cpu_threads: unfold_device::threads::cpu_threads(),
            settings,
            results,
        };
        let mut text = serde_json::to_string_pretty(&report)?;
        text.push('\n');
        unfold_experiments::results::write_atomic(path, text.as_bytes())?;
        println!("wrote {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// `--backend`: a fixed backend, or `auto` (a device per experiment, by model size).
#[derive(Debug, Clone, Copy, PartialEq)]
enum BackendChoice {
    Fixed(Backend),
    Auto,
}

/// The backend asked for; without `--backend`, `remote` when `--remote` names a server, else
/// `default` (`auto` for reproduce-all, the fastest CPU backend for one experiment).
fn resolve_backend(args: &CommonArgs, default: BackendChoice) -> anyhow::Result<BackendChoice> {
    let choice = match args.backend.as_deref().map(str::trim) {
        Some(name) if name.eq_ignore_ascii_case("auto") => BackendChoice::Auto,
        Some(name) => BackendChoice::Fixed(name.parse()?),
        None if !args.remote.remote.is_empty() => BackendChoice::Fixed(Backend::Remote),
        None => default,
    };
    if !args.remote.remote.is_empty() && choice != BackendChoice::Fixed(Backend::Remote) {
        eprintln!("unfold: --remote/$UNFOLD_REMOTE is ignored: the backend is not `remote`");
    }
    Ok(choice)
}

/// Opens `backend`'s device `index`; for `remote`, connects to the first `--remote` server.
fn open_device(
    backend: Backend,
    index: usize,
    remote: &RemoteArgs,
) -> anyhow::Result<SelectedDevice> {
    #[cfg(feature = "remote")]
    if backend == Backend::Remote {
        let Some(first) = remote.remote.first() else {
            anyhow::bail!(
                "--backend remote needs --remote ws://HOST:PORT (a server started with `unfold serve`)"
            );
        };
        return Ok(unfold_device::remote::connect(
            first,
            remote.token.as_deref(),
            index,
        )?);
    }
    let _ = remote;
    Ok(select_device(backend, index)?)
}

/// With several `--remote` servers, the devices of all but the first: a study's independent
/// runs go to them too, one run per server at a time.
fn extra_workers(
    choice: BackendChoice,
    index: usize,
    remote: &RemoteArgs,
) -> anyhow::Result<Vec<SelectedDevice>> {
    #[cfg(feature = "remote")]
    if choice == BackendChoice::Fixed(Backend::Remote) {
        let workers = remote
            .remote
            .iter()
            .skip(1)
            .map(|address| {
                unfold_device::remote::connect(address, remote.token.as_deref(), index)
                    .map_err(anyhow::Error::from)
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        for worker in &workers {
            eprintln!("unfold: also running on {}", worker.description);
        }
        return Ok(workers);
    }
    let _ = (choice, index, remote);
    Ok(Vec::new())
}

fn serve(args: &ServeArgs) -> anyhow::Result<ExitCode> {
    #[cfg(not(feature = "remote"))]
    {
        let _ = args;
        anyhow::bail!(
            "this binary was built without the remote backend; rebuild with `cargo build --release --features remote`"
        );
    }
    #[cfg(feature = "remote")]
    {
        use std::io::Write;
        use unfold_device::remote::{ServeOptions, bind};
        let backend = match args.backend.as_deref() {
            Some(name) => name.parse()?,
            // The fastest device this machine has: cuda, then a hardware wgpu adapter, then
            // the CPU.
            None => {
                unfold_device::choose_auto(usize::MAX, args.device)?
                    .selected
                    .backend
            }
        };
        let server = bind(&ServeOptions {
            backend,
            index: args.device,
            bind: args.bind.clone(),
            token: args.token.clone(),
            allow_open: args.insecure_no_token,
        })?;
        let url = server.url();
        println!(
            "unfold serve: {} — {} — listening on {url}",
            server.selected.backend, server.selected.description
        );
        println!(
            "  clients: unfold <experiment> --backend remote --remote {}{}",
            if server.address.ip().is_unspecified() {
                format!("ws://THIS-HOST:{}", server.address.port())
            } else {
                url.clone()
            },
            if args.token.as_deref().is_some_and(|t| !t.is_empty()) {
                " --token TOKEN"
            } else {
                ""
            }
        );
        if !server.address.ip().is_loopback() {
            println!(
                "  warning: reachable from the network; the traffic (tensors, token) is not encrypted"
            );
        }
        println!("  Ctrl+C stops the server");
        std::io::stdout().flush()?;
        server.serve()?;
        Ok(ExitCode::SUCCESS)
    }
}

fn cpu_default() -> anyhow::Result<BackendChoice> {
    Backend::default_cpu()
        .map(BackendChoice::Fixed)
        .ok_or_else(|| anyhow::anyhow!("no CPU backend compiled in; pass --backend wgpu or cuda"))
}

/// The device for `info` under `choice`, with the reason when `auto` chose it. Devices already
/// opened are reused (`cache`), so `reproduce-all` probes each backend once.
fn device_for(
    choice: BackendChoice,
    info: &unfold_experiments::ExperimentInfo,
    index: usize,
    remote: &RemoteArgs,
    cache: &mut Vec<SelectedDevice>,
) -> anyhow::Result<(SelectedDevice, Option<String>)> {
    let cached = |backend: Backend, cache: &mut Vec<SelectedDevice>| -> anyhow::Result<_> {
        if let Some(d) = cache.iter().find(|d| d.backend == backend) {
            return Ok(d.clone());
        }
        let d = open_device(backend, index, remote)?;
        cache.push(d.clone());
        Ok(d)
    };
    match choice {
        BackendChoice::Fixed(backend) => Ok((cached(backend, cache)?, None)),
        BackendChoice::Auto => {
            // Small models never need the GPU probe.
            if info.largest_model_params < unfold_device::AUTO_GPU_MIN_PARAMS
                && let Some(cpu) = Backend::default_cpu()
            {
                let reason = format!(
                    "largest model {} parameters: launch-bound, faster on the CPU (GPU from {})",
                    info.largest_model_params,
                    unfold_device::AUTO_GPU_MIN_PARAMS
                );
                return Ok((cached(cpu, cache)?, Some(reason)));
            }
            let choice = unfold_device::choose_auto(info.largest_model_params, index)?;
            if !cache.iter().any(|d| d.backend == choice.selected.backend) {
                cache.push(choice.selected.clone());
            }
            Ok((choice.selected, Some(choice.reason)))
        }
    }
}

fn context(
    args: &CommonArgs,
    info: &unfold_experiments::ExperimentInfo,
) -> anyhow::Result<RunContext> {
    let choice = resolve_backend(args, cpu_default()?)?;
    let (selected, reason) = device_for(choice, info, args.device, &args.remote, &mut Vec::new())?;
    let workers = extra_workers(choice, args.device, &args.remote)?;
    eprintln!(
        "unfold: backend {} — {}",
        selected.backend, selected.description
    );
    if let Some(reason) = reason {
        eprintln!("unfold: auto chose {}: {reason}", selected.backend);
    }
    Ok(RunContext::new(
        &selected,
        args.seed.unwrap_or(info.default_seed),
        args.profile,
        args.out.clone(),
    )
    .with_data_dir(args.data_dir.clone())
    .with_save_models(args.save_model)
    .with_resume(args.resume)
    .with_workers(workers))
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

fn sandwich(args: &SandwichArgs) -> anyhow::Result<ExitCode> {
    use unfold_experiments::sandwich::{NAME, SandwichConfig, run};
    let info = unfold_experiments::find(NAME).map_err(anyhow::Error::msg)?;
    let mut config = SandwichConfig::for_profile(args.common.profile);
    if let Some(p) = &args.rainbow_permutation {
        config.rainbow_permutation = p.as_slice().try_into().map_err(|_| {
            anyhow::anyhow!("--rainbow-permutation takes six indices, got {}", p.len())
        })?;
    }
    if let Some(n) = &args.rainbow_normalization {
        config.rainbow_normalization = n.parse().map_err(anyhow::Error::msg)?;
    }
    if let Some(k) = args.animation_every {
        config.animation_every = k;
    }
    let ctx = context(&args.common, info)?;
    println!("{} ({}), profile {}", info.name, info.notebook, ctx.profile);
    let outcome =
        unfold_device::quiet_catch_unwind(|| run(&config, &ctx)).unwrap_or_else(|panic| {
            Err(
                anyhow::anyhow!(unfold_experiments::panic_reason(&ctx, &panic))
                    .context(format!("{NAME} on {}", ctx.device_description)),
            )
        })?;
    print_outcome(&outcome);
    Ok(ExitCode::SUCCESS)
}

/// Runs experiment `name`, turning a panic inside it (a bug, or a remote server that dropped
/// the connection) into an error naming the device.
fn run_guarded(name: &str, ctx: &RunContext) -> anyhow::Result<ExperimentOutcome> {
    unfold_device::quiet_catch_unwind(|| unfold_experiments::run(name, ctx)).unwrap_or_else(
        |panic| {
            Err(
                anyhow::anyhow!(unfold_experiments::panic_reason(ctx, &panic))
                    .context(format!("{name} on {}", ctx.device_description)),
            )
        },
    )
}

fn run_one(name: &str, args: &CommonArgs) -> anyhow::Result<ExitCode> {
    let info = unfold_experiments::find(name).map_err(anyhow::Error::msg)?;
    let ctx = context(args, info)?;
    println!("{} ({}), profile {}", info.name, info.notebook, ctx.profile);
    let outcome = run_guarded(name, &ctx)?;
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
    let choice = resolve_backend(&args.common, BackendChoice::Auto)?;
    let mut devices: Vec<SelectedDevice> = Vec::new();
    if let BackendChoice::Fixed(backend) = choice {
        let device = open_device(backend, args.common.device, &args.common.remote)?;
        eprintln!("unfold: backend {} — {}", backend, device.description);
        devices.push(device);
    }
    let workers = extra_workers(choice, args.common.device, &args.common.remote)?;
    unfold_experiments::results::prepare_output_dir(&args.common.out)?;

    let started = Instant::now();
    let started_at = unfold_experiments::results::Manifest::finish(String::new()).finished;
    let mut entries = Vec::new();
    let total = selected.len();
    for (i, info) in selected.iter().enumerate() {
        println!("[{}/{total}] {} ({})", i + 1, info.name, info.notebook);
        let (device, backend_reason) = match device_for(
            choice,
            info,
            args.common.device,
            &args.common.remote,
            &mut devices,
        ) {
            Ok(d) => d,
            Err(e) => {
                let failure = index::Failure::from_error(&e);
                println!("  FAILED: {}", failure.line);
                entries.push(index::Entry {
                    info: **info,
                    outcome: Err(failure),
                    seconds: 0.0,
                    backend: "none".into(),
                    backend_reason: None,
                });
                continue;
            }
        };
        if let Some(reason) = &backend_reason {
            println!(
                "  auto → {} ({}): {reason}",
                device.backend, device.description
            );
        }
        let ctx = RunContext::new(
            &device,
            args.common.seed.unwrap_or(info.default_seed),
            args.common.profile,
            args.common.out.clone(),
        )
        .with_data_dir(args.common.data_dir.clone())
        .with_save_models(args.common.save_model)
        .with_resume(args.common.resume)
        .with_workers(workers.clone());
        let t = Instant::now();
        let result = run_guarded(info.name, &ctx);
        let outcome = result.map_err(|e| index::Failure::from_error(&e));
        match &outcome {
            Ok(outcome) => print_outcome(outcome),
            Err(failure) => println!(
                "  FAILED after {:.1}s: {}",
                t.elapsed().as_secs_f64(),
                failure.line
            ),
        }
        entries.push(index::Entry {
            info: **info,
            outcome,
            seconds: t.elapsed().as_secs_f64(),
            backend: device.backend.name().into(),
            backend_reason,
        });
    }
    let page = index::write(
        &args.common.out,
        &index::RunSummary {
            backend: match choice {
                BackendChoice::Fixed(b) => b.name().into(),
                BackendChoice::Auto => "auto".into(),
            },
            device: devices
                .iter()
                .chain(&workers)
                .map(|d| d.description.clone())
                .collect::<Vec<_>>()
                .join(" + "),
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
