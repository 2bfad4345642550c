//! The `unfold` command line.
//!
//! `unfold list` names the experiments, `unfold info` shows the compiled backends and the
//! devices each sees, `unfold <experiment>` runs one notebook, and `unfold reproduce-all` runs
//! them all and writes an HTML page that links every result. The experiment subcommands come
//! from the registry (`unfold_experiments::registry`); every one takes `--backend`,
//! `--device`, `--seed`, `--profile`, `--out`, `--config FILE` and `--set KEY=VALUE`.
//! `unfold config` prints an experiment's settings and `unfold report` rebuilds reports from
//! results.
#![warn(missing_docs)]

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};

mod data;
mod experiments;
mod logging;
mod setup;
use setup::{OneOf, RemoteArgs, open_device};
use unfold_device::{Backend, list_devices, select_device};

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
    /// CPU threads for the flex and ndarray backends (default: one per logical CPU; at most 4
    /// per logical CPU)
    #[arg(long, global = true, value_name = "N", env = unfold_device::threads::THREADS_ENV, value_parser = threads_parser)]
    #[allow(dead_code)] // read from the matches in `main`, before any thread starts
    threads: Option<std::num::NonZeroUsize>,
    /// Print only errors and what a command exists to show (a list, a table, a comparison):
    /// no progress, no per-experiment summaries, nothing for a run that went well
    #[arg(long, short = 'q', global = true, conflicts_with = "verbose")]
    #[allow(dead_code)] // read from the matches in `main`, before any work
    quiet: bool,
    /// More diagnostics on standard error (-v: unfold's and the libraries' warnings, -vv:
    /// more; RUST_LOG, e.g. RUST_LOG=wgpu_core=info, picks them precisely)
    #[arg(long, short = 'v', global = true, action = clap::ArgAction::Count)]
    #[allow(dead_code)] // read from the matches in `main`, before any work
    verbose: u8,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// List the experiments and the notebooks they reproduce.
    List,
    /// Show the compiled backends and the devices each one sees.
    Info,
    /// Notebook 004, task 2: every preactivation, activation, delta and dL/dw of a small
    /// network given as JSON, with formulas, checked against autodiff.
    Backprop(BackpropArgs),
    /// Run every experiment and write an HTML report linking all results.
    ReproduceAll(experiments::ReproduceArgs),
    /// Print an experiment's settings as TOML, every key with what it is and the notebook's
    /// value (with --config/--set: the settings a run would use).
    Config(experiments::ConfigArgs),
    /// Rebuild every report.md (and index.html) in a results folder from its metrics.json
    /// files, without training.
    Report(experiments::ReportArgs),
    /// Run an experiment at every point of a grid of settings (`--set KEY=V1,V2,…`, the
    /// cartesian product of the lists) and plot the headline metric against them.
    Sweep(experiments::SweepArgs),
    /// Put results folders of the same experiment(s) side by side: what differs in their
    /// setup, every headline metric with its differences, the figures next to each other.
    Compare(experiments::CompareArgs),
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
    /// Print a completion script for your shell (e.g. `unfold completions bash >
    /// ~/.local/share/bash-completion/completions/unfold`).
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
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
    /// The backend whose device is served (default: cuda, then a hardware wgpu adapter, then
    /// the fastest CPU backend).
    #[arg(long, short = 'b', value_parser = fixed_backend_parser())]
    backend: Option<Backend>,
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
struct BackpropArgs {
    /// The network as JSON: layers (weights, biases, activation), loss, optionally input and
    /// label (see assets/backprop-example.json); a regular file of at most 1 MiB.
    #[arg(long)]
    network: PathBuf,
    /// The input, comma-separated (overrides the file's).
    #[arg(long, value_delimiter = ',', allow_hyphen_values = true)]
    input: Vec<f64>,
    /// The label, comma-separated, one value per output (overrides the file's).
    #[arg(long, value_delimiter = ',', allow_hyphen_values = true)]
    label: Vec<f64>,
    /// Backend for the autodiff check (default: the fastest compiled CPU backend).
    #[arg(long, short = 'b', value_parser = fixed_backend_parser())]
    backend: Option<Backend>,
    /// Device index for GPU backends.
    #[arg(long, default_value_t = 0)]
    device: usize,
}

#[derive(Debug, Args, Clone)]
struct BenchArgs {
    /// Backends to measure, comma-separated (default: every compiled CPU backend; `remote` with
    /// --remote).
    #[arg(long, short = 'b', value_delimiter = ',', value_parser = fixed_backend_parser())]
    backend: Vec<Backend>,
    /// Device index for GPU backends.
    #[arg(long, default_value_t = 0)]
    device: usize,
    #[command(flatten)]
    remote: RemoteArgs,
    /// Only these workloads, comma-separated.
    #[arg(long, value_delimiter = ',', value_parser = workload_parser())]
    only: Vec<unfold_bench::Workload>,
    /// Timed runs per workload, after one warm-up run.
    #[arg(long, default_value_t = 5)]
    repeats: usize,
    /// Shrink every workload to a few steps (a smoke test, not a measurement).
    #[arg(long)]
    quick: bool,
    /// The experiments' profile names for the same choice: `quick` is --quick, `full` (the
    /// default) measures.
    #[arg(long, value_parser = setup::profile_parser(), conflicts_with = "quick")]
    profile: Option<unfold_experiments::Profile>,
    /// Also write the results to this JSON file.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Where MNIST and Fashion-MNIST are (W3, W4 and W6 use them; W3 and W4 fall back to
    /// synthetic images of the same shape).
    #[arg(long, value_name = "DIR", env = unfold_data::DATA_ENV)]
    data_dir: Option<PathBuf>,
}

/// A backend that is not `auto` (`serve`, `bench`, `backprop`).
fn fixed_backend_parser() -> impl clap::builder::TypedValueParser<Value = Backend> {
    use clap::builder::TypedValueParser;
    OneOf::new("backend", Backend::ALL.map(Backend::name))
        .map(|name| name.parse::<Backend>().expect("a listed backend"))
}

/// A benchmark workload id (`W1` … `W6`).
fn workload_parser() -> impl clap::builder::TypedValueParser<Value = unfold_bench::Workload> {
    use clap::builder::TypedValueParser;
    OneOf::new(
        "workload",
        unfold_bench::Workload::ALL.map(unfold_bench::Workload::id),
    )
    .map(|id| unfold_bench::Workload::parse(id).expect("a listed workload"))
}

/// The command line: the fixed subcommands and one per registered experiment.
pub fn command() -> clap::Command {
    // The experiments first in `--help`, in notebook order, then the tools.
    let fixed = Cli::command();
    let tools: Vec<String> = fixed
        .get_subcommands()
        .map(|c| c.get_name().to_string())
        .collect();
    let with_order = tools.iter().enumerate().fold(fixed, |cmd, (i, name)| {
        cmd.mut_subcommand(name, |c| c.display_order(100 + i))
    });
    with_order.subcommands(
        experiments::subcommands()
            .into_iter()
            .enumerate()
            .map(|(i, c)| c.display_order(i)),
    )
}

/// Parses the process arguments and runs the command; the exit code says how it went.
pub fn main() -> ExitCode {
    end_quietly_on_a_closed_pipe();
    quiet_window_system_probing();
    empty_data_env_is_unset();
    // Every message below is scrubbed of the secrets given here (and in the environment).
    unfold_guard::secrets::remember_from(std::env::args());
    let matches = match command().try_get_matches() {
        Ok(matches) => matches,
        Err(e) => usage_error(e),
    };
    // `--threads` is global: its value sits in the innermost subcommand's matches.
    let mut innermost = &matches;
    while let Some((_, sub)) = innermost.subcommand() {
        innermost = sub;
    }
    // `-q`/`-v` are global too; every subcommand has them.
    let flag = |name: &str| innermost.try_get_one::<bool>(name).ok().flatten() == Some(&true);
    let verbose = innermost.try_get_one::<u8>("verbose").ok().flatten();
    let serving = matches.subcommand_name() == Some("serve");
    logging::init(verbose.copied().unwrap_or(0), flag("quiet"), serving);
    tracing::debug!(
        version = env!("CARGO_PKG_VERSION"),
        commit = unfold_experiments::results::git_commit().as_deref(),
        "unfold starting"
    );
    // SAFETY: nothing has spawned a thread yet (argument parsing and the probing above are
    // single-threaded), so no other thread can touch the environment.
    if let Ok(Some(threads)) = innermost.try_get_one::<std::num::NonZeroUsize>("threads")
        && let Err(e) = unsafe { unfold_device::threads::set_cpu_threads(*threads) }
    {
        eprintln!("error: {}", unfold_guard::secrets::text(&e));
        return ExitCode::FAILURE;
    }
    // Before any device opens: compiled kernels and autotune results persist between runs.
    unfold_device::kernel_cache::enable(unfold_device::kernel_cache::dir().as_deref());
    // The command runs on a thread of the CPU backends' pool (see `on_cpu_pool`).
    let result = unfold_device::threads::on_cpu_pool(|| {
        let experiment = matches
            .subcommand()
            .and_then(|(name, sub)| experiments::run_subcommand(name, sub));
        experiment.unwrap_or_else(|| match Cli::from_arg_matches(&matches) {
            Ok(cli) => dispatch(cli),
            Err(e) => e.exit(),
        })
    });
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", one_line(&e));
            ExitCode::FAILURE
        }
    }
}

/// `--threads` (and `$UNFOLD_THREADS`): a whole number of threads, at least one.
fn threads_parser(text: &str) -> Result<std::num::NonZeroUsize, String> {
    text.trim()
        .parse()
        .map_err(|_| format!("'{text}' is not a number of threads: a whole number ≥ 1, e.g. 2"))
}

/// An error as one line: every cause, outermost first, secrets redacted. A caught panic's
/// location (`panicked at src/…`) says nothing a user can act on: it goes to the log, which
/// `-v` shows, instead.
fn one_line(error: &anyhow::Error) -> String {
    use unfold_device::panics::CaughtPanic;
    let mut line = String::new();
    for cause in error.chain() {
        if let Some(panic) = cause.downcast_ref::<CaughtPanic>() {
            tracing::warn!("{}", unfold_guard::secrets::text(&panic.details()));
            continue;
        }
        let words = cause.to_string();
        if !line.contains(&words) {
            if !line.is_empty() {
                line.push_str(": ");
            }
            line.push_str(&words);
        }
    }
    unfold_guard::secrets::text(&line)
}

/// Output piped into a reader that stops early (`unfold list | head -1`) ends the process
/// silently, as it does for any Unix tool: Rust ignores SIGPIPE, so every `println!` after
/// the reader left would panic instead. Results are written atomically, so nothing is left
/// half-written.
fn end_quietly_on_a_closed_pipe() {
    // SAFETY: called first thing in `main`, before any thread exists; SIG_DFL is a valid
    // disposition for SIGPIPE.
    #[cfg(unix)]
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// Help and version print as clap prints them; a usage error is one line (clap's message and
/// tip, without the usage block) and exit code 2.
fn usage_error(e: clap::Error) -> ! {
    use clap::error::ErrorKind;
    if matches!(
        e.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        e.exit()
    }
    let line = usage_line(&e.render().to_string());
    eprintln!("{}", unfold_guard::secrets::text(&line));
    std::process::exit(e.exit_code())
}

/// clap's message on one line: its lines joined with "; ", except that a line ending in a
/// colon leads into the next ("not provided: --set <KEY=V1,V2,…>"); no usage block, no
/// pointer to `--help`.
fn usage_line(text: &str) -> String {
    let mut line = String::new();
    for part in text
        .lines()
        .map(str::trim)
        .take_while(|l| !l.starts_with("Usage:"))
        .filter(|l| !l.is_empty() && !l.starts_with("For more information"))
    {
        if !line.is_empty() {
            line.push_str(if line.ends_with(':') { " " } else { "; " });
        }
        line.push_str(part);
    }
    line
}

/// An empty `$UNFOLD_DATA` has always meant "not set" to the data search; clap, which binds it
/// to `--data-dir`, would refuse it as an empty path. Called first thing in `main`, before any
/// thread exists.
fn empty_data_env_is_unset() {
    if std::env::var_os(unfold_data::DATA_ENV).is_some_and(|v| v.is_empty()) {
        // SAFETY: called at the start of `main`, before any other thread is spawned, so no
        // other code can be reading the environment concurrently.
        unsafe { std::env::remove_var(unfold_data::DATA_ENV) };
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
        Command::Backprop(args) => backprop(&args),
        Command::ReproduceAll(args) => experiments::reproduce_all(&args),
        Command::Config(args) => experiments::config(&args),
        Command::Report(args) => experiments::report(&args),
        Command::Sweep(args) => experiments::sweep(&args),
        Command::Compare(args) => experiments::compare(&args),
        Command::Bench(args) => bench(&args),
        Command::Serve(args) => serve(&args),
        Command::Cache { cmd } => cache(cmd),
        Command::Data { cmd } => data::run(cmd),
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut command(), "unfold", &mut std::io::stdout());
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn backprop(args: &BackpropArgs) -> anyhow::Result<ExitCode> {
    use unfold_experiments::backprop::{Worksheet, parse_network};
    let path = args.network.display();
    let text = unfold_guard::read_bounded_text(
        &args.network,
        unfold_experiments::backprop::MAX_NETWORK_FILE_BYTES,
    )?;
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
    let backend = match args.backend {
        Some(backend) => backend,
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

/// Each experiment on two lines, its name and title, then its notebook below the title: the
/// notebook names are too long for a column of their own.
fn list() {
    let width = unfold_experiments::registry::infos()
        .map(|e| e.name.len())
        .max()
        .unwrap_or(0);
    for e in unfold_experiments::registry::infos() {
        println!("{:<width$}  {}", e.name, e.title);
        println!("{:<width$}  notebook {}", "", e.notebook);
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
        if let Some(compiler) = backend.kernel_compiler() {
            println!("  {:<8} kernels compiled by {compiler}", backend.name());
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
    let data_dir = data::explicit_data_dir(args.data_dir.clone());
    let workloads: Vec<Workload> = if args.only.is_empty() {
        Workload::ALL.to_vec()
    } else {
        args.only.clone()
    };
    let backends: Vec<Backend> = if args.backend.is_empty() && !args.remote.remote.is_empty() {
        vec![Backend::Remote]
    } else if args.backend.is_empty() {
        Backend::compiled()
            .into_iter()
            .filter(|b| b.is_cpu())
            .collect()
    } else {
        args.backend.clone()
    };
    if let Some(path) = &args.json
        && let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty())
    {
        unfold_experiments::results::prepare_output_dir(parent)?;
    }
    let settings = BenchSettings {
        repeats: args.repeats,
        quick: args.quick || args.profile == Some(unfold_experiments::Profile::Quick),
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
                println!("{backend}: skipped ({})", unfold_guard::secrets::error(&e));
                continue;
            }
        };
        for &w in &workloads {
            // Host-only workloads are measured once, not per backend.
            if !w.uses_device() && host_done.replace(true) {
                continue;
            }
            match run_workload(w, &selected, &settings, data_dir.as_deref()) {
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
                Err(e) => println!(
                    "{:<4} skipped: {}",
                    w.id(),
                    unfold_guard::secrets::error(e.as_ref())
                ),
            }
        }
    }
    if let Some(path) = &args.json {
        let report = BenchReport {
            schema_version: unfold_bench::BENCH_SCHEMA_VERSION,
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
        logging::say!("wrote {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
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
        let backend = match args.backend {
            Some(backend) => backend,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_is_one_line_without_a_panic_location_or_a_secret() {
        let panic = unfold_device::panics::catch_panic(|| panic!("boom")).unwrap_err();
        let error = anyhow::Error::new(panic)
            .context("the connection to the server was lost")
            .context("on ws://alice:s3cret@gpu:3000 (device 0)")
            .context("a run of the study failed");
        let line = one_line(&error);
        assert_eq!(
            line,
            "a run of the study failed: on ws://[redacted]@gpu:3000 (device 0): the connection \
             to the server was lost"
        );
    }

    #[test]
    fn a_usage_error_is_one_line_and_a_colon_leads_into_what_follows() {
        let error = clap::Command::new("unfold")
            .arg(clap::Arg::new("set").long("set").required(true))
            .try_get_matches_from(["unfold"])
            .unwrap_err();
        let line = usage_line(&error.render().to_string());
        assert_eq!(
            line,
            "error: the following required arguments were not provided: --set <set>"
        );
    }

    #[test]
    fn a_thread_count_is_a_whole_number_of_at_least_one() {
        assert_eq!(threads_parser("2").unwrap().get(), 2);
        for bad in ["0", "-1", "two", ""] {
            assert!(threads_parser(bad).unwrap_err().contains("≥ 1"), "{bad}");
        }
    }
}
