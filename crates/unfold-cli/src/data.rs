//! `unfold data`: fetch, verify and locate the MNIST and Fashion-MNIST files.
//!
//! - `unfold data fetch [mnist|fashion-mnist]…` downloads from the standard public mirrors
//!   (with fallbacks; `--mirror` or `UNFOLD_MIRROR` replace them), shows a progress bar,
//!   verifies every file's SHA-256 and writes atomically.
//! - `unfold data verify [--data-dir DIR]` checks the files that would be loaded.
//! - `unfold data where` shows where each dataset is found and every place looked.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Subcommand, ValueEnum};
use unfold_data::{DATA_ENV, DatasetKind, Split, load_from, survey};
use unfold_fetch::{
    BarProgress, FetchOptions, FileAction, MIRROR_ENV, fetch_dataset, fetch_root, mirrors,
    verify_dataset_dir,
};

/// A dataset named on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DatasetArg {
    /// Handwritten digits.
    Mnist,
    /// Zalando's garment images.
    FashionMnist,
}

impl From<DatasetArg> for DatasetKind {
    fn from(arg: DatasetArg) -> DatasetKind {
        match arg {
            DatasetArg::Mnist => DatasetKind::Mnist,
            DatasetArg::FashionMnist => DatasetKind::FashionMnist,
        }
    }
}

/// The `unfold data` subcommands.
#[derive(Debug, Subcommand)]
pub enum DataCommand {
    /// Download datasets from public mirrors, verify their SHA-256 digests, write atomically.
    Fetch {
        /// Datasets to fetch (default: both).
        #[arg(value_enum)]
        datasets: Vec<DatasetArg>,
        /// Data dir to download into (default: the per-user data dir, which unfold searches
        /// from any folder; see `unfold data where`); each dataset goes to its own folder
        /// inside (mnist/, fashion-mnist/).
        #[arg(long, value_name = "DIR", env = DATA_ENV)]
        data_dir: Option<PathBuf>,
        /// Base URL of a mirror holding mnist/ and fashion-mnist/ (repeatable; replaces the
        /// standard mirrors and $UNFOLD_MIRROR).
        #[arg(long = "mirror", value_name = "URL")]
        mirrors: Vec<String>,
        /// Longest silence allowed, in seconds: to connect, and between two reads of a
        /// download (default: 15 to connect, 30 per read). A server that stays silent longer
        /// is given up for the next mirror.
        #[arg(long, value_name = "SECS", env = "UNFOLD_FETCH_TIMEOUT", value_parser = seconds_parser)]
        timeout: Option<f64>,
        /// Longest time for one file, in seconds, from connecting to the last byte (raise it
        /// on a slow link: a live but slow transfer is cut off only here).
        #[arg(long, value_name = "SECS", env = "UNFOLD_FETCH_MAX_TIME", default_value_t = 600.0, value_parser = seconds_parser)]
        max_time: f64,
    },
    /// Check the dataset files: present, complete, and identical to the published ones.
    Verify {
        /// Datasets to check (default: every one that is found).
        #[arg(value_enum)]
        datasets: Vec<DatasetArg>,
        /// Data dir to check (default: where `unfold data where` finds each dataset).
        #[arg(long, value_name = "DIR", env = DATA_ENV)]
        data_dir: Option<PathBuf>,
    },
    /// Show where each dataset is found, and every place looked.
    Where {
        /// Datasets to look for (default: both).
        #[arg(value_enum)]
        datasets: Vec<DatasetArg>,
        /// Data dir to look in instead of the standard places.
        #[arg(long, value_name = "DIR", env = DATA_ENV)]
        data_dir: Option<PathBuf>,
    },
}

/// Runs a `unfold data` command, printing to standard output.
///
/// # Errors
///
/// When standard output cannot be written. Failures of the command itself (a dataset not
/// found, a download or a check that fails) are reported and give [`ExitCode::FAILURE`].
pub fn run(cmd: DataCommand) -> anyhow::Result<ExitCode> {
    run_to(cmd, &mut std::io::stdout().lock())
}

/// [`run`], printing to `out` (progress bars and download lines still go to standard error).
///
/// # Errors
///
/// When `out` cannot be written.
pub fn run_to(cmd: DataCommand, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    match cmd {
        DataCommand::Fetch {
            datasets,
            data_dir,
            mirrors,
            timeout,
            max_time,
        } => {
            let mut options = FetchOptions {
                total_timeout: Duration::from_secs_f64(max_time),
                ..FetchOptions::default()
            };
            if let Some(secs) = timeout {
                options.connect_timeout = Duration::from_secs_f64(secs);
                options.read_timeout = Duration::from_secs_f64(secs);
            }
            fetch(
                &kinds(&datasets),
                explicit_data_dir(data_dir).as_deref(),
                &mirrors,
                &options,
                out,
            )
        }
        DataCommand::Verify { datasets, data_dir } => {
            verify(&datasets, explicit_data_dir(data_dir).as_deref(), out)
        }
        DataCommand::Where { datasets, data_dir } => where_(
            &kinds(&datasets),
            explicit_data_dir(data_dir).as_deref(),
            out,
        ),
    }
}

/// A deadline in seconds: positive, finite and at most a day (`--timeout`, `--remote-timeout`).
pub(crate) fn seconds_parser(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(secs) if secs.is_finite() && secs > 0.0 && secs <= 86_400.0 => Ok(secs),
        _ => Err(format!(
            "'{text}' is not a number of seconds between 0 and 86400 (e.g. 20 or 2.5)"
        )),
    }
}

/// `--data-dir` as the user gave it. Clap fills the option from `$UNFOLD_DATA` when the flag is
/// absent (so `--help` shows the variable); such a value is passed on as not given, so the
/// search keeps its order and its labels: `$UNFOLD_DATA`, `./data`, the per-user data dir.
pub(crate) fn explicit_data_dir(arg: Option<PathBuf>) -> Option<PathBuf> {
    arg.filter(|dir| std::env::var_os(DATA_ENV).as_deref() != Some(dir.as_os_str()))
}

/// The named datasets, or both when none is named.
fn kinds(datasets: &[DatasetArg]) -> Vec<DatasetKind> {
    if datasets.is_empty() {
        DatasetKind::ALL.to_vec()
    } else {
        let mut kinds: Vec<DatasetKind> = datasets.iter().map(|&d| d.into()).collect();
        kinds.dedup();
        kinds
    }
}

fn exit(ok: bool) -> ExitCode {
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn fetch(
    kinds: &[DatasetKind],
    data_dir: Option<&Path>,
    cli_mirrors: &[String],
    options: &FetchOptions,
    out: &mut dyn Write,
) -> anyhow::Result<ExitCode> {
    for mirror in cli_mirrors {
        if !(mirror.starts_with("http://") || mirror.starts_with("https://")) {
            anyhow::bail!(
                "--mirror {}: expected an http:// or https:// base URL",
                unfold_guard::secrets::text(mirror)
            );
        }
    }
    let root = fetch_root(data_dir);
    let mut ok = true;
    for &kind in kinds {
        let bases = if cli_mirrors.is_empty() {
            mirrors(kind)
        } else {
            cli_mirrors
                .iter()
                .map(|m| format!("{}/{}", m.trim_end_matches('/'), kind.dir_name()))
                .collect()
        };
        let dir = root.join(kind.dir_name());
        writeln!(out, "{kind} → {}", dir.display())?;
        match fetch_dataset(kind, &root, &bases, options, &mut BarProgress::new()) {
            Ok(outcomes) => {
                for o in &outcomes {
                    let what = match &o.action {
                        FileAction::AlreadyPresent => "already there, verified".to_owned(),
                        FileAction::Downloaded { url } => format!("downloaded from {url}"),
                    };
                    writeln!(out, "  {}: {what}", o.path.display())?;
                    for (path, why) in &o.removed {
                        writeln!(out, "  removed {} ({why})", path.display())?;
                    }
                }
                writeln!(out, "  {kind} is ready (SHA-256 verified).")?;
            }
            Err(e) => {
                ok = false;
                writeln!(out, "  FAILED: {e}")?;
            }
        }
    }
    if data_dir.is_none() && std::env::var_os(DATA_ENV).is_none() {
        writeln!(
            out,
            "unfold finds data in {} from any folder.",
            root.display()
        )?;
    }
    if !ok && cli_mirrors.is_empty() && std::env::var_os(MIRROR_ENV).is_none() {
        writeln!(
            out,
            "Offline? Copy the .gz files from another machine into the folders above, or \
             serve them and pass --mirror URL."
        )?;
    }
    Ok(exit(ok))
}

fn verify(
    datasets: &[DatasetArg],
    data_dir: Option<&Path>,
    out: &mut dyn Write,
) -> anyhow::Result<ExitCode> {
    let explicit = !datasets.is_empty();
    let mut ok = true;
    let mut found_any = false;
    for kind in kinds(datasets) {
        let candidates = survey(kind, data_dir);
        let fetch_command = format!(
            "unfold data fetch {}{}",
            kind.dir_name(),
            data_dir.map_or(String::new(), |d| format!(" --data-dir {}", d.display()))
        );
        let Some(found) = candidates.iter().find(|c| c.is_usable()) else {
            writeln!(out, "{kind}: not found")?;
            for c in &candidates {
                let why = c.problem.as_deref().unwrap_or("");
                writeln!(out, "  {} ({}) — {why}", c.dir.display(), c.source)?;
            }
            writeln!(out, "  Fix: `{fetch_command}` gets it.")?;
            if explicit {
                ok = false;
            }
            continue;
        };
        found_any = true;
        writeln!(out, "{kind} in {} ({})", found.dir.display(), found.source)?;
        let checks = verify_dataset_dir(kind, &found.dir);
        for c in &checks {
            let shown = c
                .path
                .as_ref()
                .and_then(|p| p.file_name())
                .map_or(c.name.clone(), |n| n.to_string_lossy().into_owned());
            match &c.problem {
                None => writeln!(out, "  ok     {shown}")?,
                Some(problem) => writeln!(out, "  WRONG  {shown}: {problem}")?,
            }
        }
        let digests_ok = checks.iter().all(|c| c.is_ok());
        ok &= digests_ok;
        // The loader's own checks, and what the experiments will see.
        for split in Split::ALL {
            match load_from(&found.dir, split) {
                Ok(set) => writeln!(
                    out,
                    "  {split}: {} images of {}x{}, classes {:?}",
                    set.len(),
                    set.rows(),
                    set.cols(),
                    set.class_counts()
                )?,
                Err(e) => {
                    ok = false;
                    writeln!(out, "  {split}: cannot be loaded: {e}")?;
                }
            }
        }
        if !digests_ok {
            writeln!(out, "  Fix: `{fetch_command}` replaces wrong files.")?;
        }
    }
    if !found_any {
        ok = false;
        writeln!(
            out,
            "No dataset found. `unfold data fetch` downloads both into {} (or \
             --data-dir / ${DATA_ENV}), where unfold finds them from any folder.",
            fetch_root(None).display()
        )?;
    }
    Ok(exit(ok))
}

fn where_(
    kinds: &[DatasetKind],
    data_dir: Option<&Path>,
    out: &mut dyn Write,
) -> anyhow::Result<ExitCode> {
    let mut ok = true;
    for &kind in kinds {
        let candidates = survey(kind, data_dir);
        let chosen = candidates.iter().position(|c| c.is_usable());
        match chosen {
            Some(i) => writeln!(out, "{kind}: {}", candidates[i].dir.display())?,
            None => {
                ok = false;
                writeln!(
                    out,
                    "{kind}: not found (`unfold data fetch {}` gets it)",
                    kind.dir_name()
                )?;
            }
        }
        for (i, c) in candidates.iter().enumerate() {
            let status = match (&c.problem, Some(i) == chosen) {
                (None, true) => "← used".to_owned(),
                (None, false) => "— also complete, not used".to_owned(),
                (Some(problem), _) => format!("— {problem}"),
            };
            writeln!(out, "  {} ({}) {status}", c.dir.display(), c.source)?;
        }
    }
    Ok(exit(ok))
}
