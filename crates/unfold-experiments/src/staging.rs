//! An experiment's results folder is replaced whole, or not at all.
//!
//! [`Staging::begin`] takes a lock beside `<out>/<experiment>/` (`<out>/.<experiment>.lock`),
//! so that a second process aiming at the same folder stops with a one-line message instead of
//! mixing its files in, and gives the run a staging folder beside it
//! (`<out>/.<experiment>.staging-<pid>/<experiment>/`) to write everything into.
//! [`Staging::commit`] swaps the staging folder in when the run succeeded: the folder then holds
//! the new run's files only. When the run fails (an error, a panic, a full disk), the staging
//! folder is removed and the earlier results stay as they were.
//!
//! The one exception is a study's checkpoints (`runs/`, see `crate::checkpoints`): they are the
//! journal `--resume` goes on from, so they are written straight into the real folder as each
//! run finishes (`checkpoint_dir`), survive a failure, and move into the new folder on
//! success.

use std::fs::{self, File, TryLockError};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::RunContext;
use crate::experiment::ExperimentOutcome;
use crate::results::{ResultsError, prepare_output_dir};

/// The folder of a study's checkpoints, inside an experiment's folder.
const CHECKPOINTS: &str = "runs";

/// A run in progress of one experiment, writing into its staging folder (see the module
/// documentation). Dropped without [`Staging::commit`], it removes the staging folder.
pub struct Staging {
    live: PathBuf,
    root: PathBuf,
    stage: PathBuf,
    committed: bool,
    // Held until the run is committed or abandoned; the OS releases it if the process dies.
    _lock: File,
}

impl Staging {
    /// Locks `<out>/<name>/` for this process and prepares its staging folder.
    ///
    /// # Errors
    /// When `out` cannot be written, or another process holds the lock.
    pub fn begin(out: &Path, name: &str) -> anyhow::Result<Self> {
        Self::begin_at(&out.join(name), name)
    }

    /// Locks the results folder `live` (`<parent>/<folder>/`, e.g. one seed's or one sweep
    /// point's) for this process and prepares its staging folder
    /// `<parent>/.<folder>.staging-<pid>/<name>/`, so that a context whose `out` is the
    /// staging root writes `out.join(name)` as experiments expect.
    ///
    /// # Errors
    /// When the parent cannot be written, or another process holds the lock.
    pub fn begin_at(live: &Path, name: &str) -> anyhow::Result<Self> {
        let out = live.parent().unwrap_or(Path::new("."));
        let folder = file_name(live);
        prepare_output_dir(out)?;
        let live = live.to_path_buf();
        let lock = lock(out, &folder, &live, ANOTHER_OUT)?;
        sweep_leftovers(out, &folder, &live);
        check_replaceable(&live)?;
        let root = out.join(format!(".{folder}.staging-{}", std::process::id()));
        let stage = root.join(name);
        let unwritable = |source| ResultsError::Unwritable {
            path: stage.clone(),
            source,
        };
        fs::create_dir_all(&stage).map_err(unwritable)?;
        Ok(Self {
            live,
            root,
            stage,
            committed: false,
            _lock: lock,
        })
    }

    /// `ctx` writing into the staging folder: its `out` is the staging root, so
    /// `ctx.out.join(name)` is the staging folder.
    pub fn context(&self, ctx: &RunContext) -> RunContext {
        let mut staged = ctx.clone();
        staged.out = self.root.clone();
        staged
    }

    /// Swaps the staging folder in as `<out>/<name>/` and points `outcome`'s paths there.
    ///
    /// # Errors
    /// When a rename fails; the earlier folder is then put back.
    pub fn commit(mut self, mut outcome: ExperimentOutcome) -> anyhow::Result<ExperimentOutcome> {
        let old = self.live.with_file_name(format!(
            ".{}.old-{}",
            file_name(&self.live),
            std::process::id()
        ));
        let had_old = self.live.exists();
        let failed = |source, path: &Path| ResultsError::Write {
            path: path.to_path_buf(),
            source,
        };
        if had_old {
            fs::rename(&self.live, &old).map_err(|e| failed(e, &self.live))?;
        }
        if let Err(e) = fs::rename(&self.stage, &self.live) {
            if had_old {
                let _ = fs::rename(&old, &self.live);
            }
            return Err(failed(e, &self.live).into());
        }
        self.committed = true;
        if had_old {
            // The checkpoints were written into the earlier folder (see the module docs).
            carry_checkpoints(&old, &self.live);
            let _ = fs::remove_dir_all(&old);
        }
        let _ = fs::remove_dir_all(&self.root);
        let relocate = |path: &Path| match path.strip_prefix(&self.stage) {
            Ok(inside) => self.live.join(inside),
            Err(_) => path.to_path_buf(),
        };
        outcome.dir = relocate(&outcome.dir);
        outcome.metrics_path = relocate(&outcome.metrics_path);
        outcome.figures = outcome.figures.iter().map(|p| relocate(p)).collect();
        Ok(outcome)
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if self.committed {
            return;
        }
        let _ = fs::remove_dir_all(&self.root);
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// What a run refused by [`lock`] can do besides waiting.
pub const ANOTHER_OUT: &str = "or pass another --out";

/// Takes `<out>/.<name>.lock` for writing `live`, recording this process's id in it; the lock
/// lasts as long as the returned file is open (and ends with the process). `reproduce-all`
/// takes one for the whole results folder (its `index.html` and `manifest.json`), and
/// `unfold report` takes each folder's lock while it rewrites that folder's report.
///
/// # Errors
/// When another process holds it (a one-line message naming `live`, then "wait for it to
/// finish, `alternative`"), or `out` is unwritable.
pub fn lock(out: &Path, name: &str, live: &Path, alternative: &str) -> anyhow::Result<File> {
    let path = out.join(format!(".{name}.lock"));
    let unwritable = |source| ResultsError::Unwritable {
        path: out.to_path_buf(),
        source,
    };
    let mut file = File::options()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(unwritable)?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            let holder = unfold_guard::read_bounded_text(&path, 64)
                .ok()
                .map(|pid| pid.trim().to_string())
                .filter(|pid| !pid.is_empty())
                .map_or_else(String::new, |pid| format!(" (process {pid})"));
            anyhow::bail!(
                "another unfold process{holder} is writing {}; wait for it to finish, {alternative}",
                live.display()
            );
        }
        Err(TryLockError::Error(e)) => return Err(unwritable(e).into()),
    }
    file.set_len(0).map_err(unwritable)?;
    write!(file, "{}", std::process::id()).map_err(unwritable)?;
    Ok(file)
}

/// Refuses, before any work, to replace `live` when it is not a folder unfold wrote: a file,
/// or a folder holding files of the user's. A commit replaces the folder whole, so those
/// would be deleted. unfold's own folders hold a `metrics.json` with what it names (the
/// report, the figures and their SVG and view files, saved models, checkpoints, each seed's
/// folder), or (after a first run that failed) only checkpoints, possibly per seed.
fn check_replaceable(live: &Path) -> anyhow::Result<()> {
    let Ok(meta) = fs::symlink_metadata(live) else {
        return Ok(());
    };
    if !meta.is_dir() {
        anyhow::bail!(
            "{} exists and is not a results folder; move it away, {ANOTHER_OUT}",
            live.display()
        );
    }
    let foreign = if live.join("metrics.json").is_file() {
        foreign_in_results(live, 0)
    } else {
        foreign_entry(live, 0)
    };
    if let Some(foreign) = foreign {
        anyhow::bail!(
            "{} holds files unfold did not write (e.g. {}), and a run replaces the folder whole; \
             move them away, {ANOTHER_OUT}",
            live.display(),
            foreign.display()
        );
    }
    Ok(())
}

/// Whether `name` is unfold's own lock file, or a staging or set-aside folder a run left.
fn is_our_leftover(name: &str) -> bool {
    name.starts_with('.')
        && (name.ends_with(".lock") || name.contains(".staging-") || name.contains(".old-"))
}

/// The first entry of the results folder `dir` (it has a `metrics.json`) that the run which
/// wrote it did not: anything but the results, the report, the figures the results list
/// (with their `.svg` and `.view.js`), the `models/` and checkpoint folders, each seed's
/// folder, and unfold's lock and staging leftovers. A `metrics.json` that cannot be read
/// names nothing, so nothing counts as foreign (as before it was checked).
fn foreign_in_results(dir: &Path, depth: usize) -> Option<PathBuf> {
    const DEEPEST: usize = 2;
    let metrics = unfold_guard::read_bounded_text(&dir.join("metrics.json"), 64 << 20).ok()?;
    let metrics: serde_json::Value = serde_json::from_str(&metrics).ok()?;
    let mut ours: Vec<String> = vec!["metrics.json".into(), "report.md".into()];
    for figure in metrics["figures"].as_array().into_iter().flatten() {
        let Some(figure) = figure.as_str() else {
            continue;
        };
        let stem = figure.rsplit_once('.').map_or(figure, |(stem, _)| stem);
        ours.extend([
            figure.to_string(),
            format!("{stem}.svg"),
            format!("{stem}.view.js"),
        ]);
    }
    for entry in fs::read_dir(dir).ok()?.take(10_000) {
        let Ok(entry) = entry else {
            return Some(dir.to_path_buf());
        };
        let name = entry.file_name().to_string_lossy().into_owned();
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if is_our_leftover(&name)
            || ours.contains(&name)
            || (is_dir && (name == CHECKPOINTS || name == "models"))
        {
            continue;
        }
        if is_dir && name.starts_with("seed-") && depth < DEEPEST {
            let seed = entry.path();
            let inside = if seed.join("metrics.json").is_file() {
                foreign_in_results(&seed, depth + 1)
            } else {
                foreign_entry(&seed, depth + 1)
            };
            match inside {
                Some(foreign) => return Some(foreign),
                None => continue,
            }
        }
        return Some(entry.path());
    }
    None
}

/// The first entry under `dir` that is neither a checkpoint folder, nor unfold's lock or
/// staging leftovers, nor a folder holding only those.
fn foreign_entry(dir: &Path, depth: usize) -> Option<PathBuf> {
    const DEEPEST: usize = 3;
    const MOST_ENTRIES: usize = 10_000;
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(_) => return Some(dir.to_path_buf()),
    };
    for entry in entries.take(MOST_ENTRIES) {
        let Ok(entry) = entry else {
            return Some(dir.to_path_buf());
        };
        let name = entry.file_name().to_string_lossy().into_owned();
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if is_our_leftover(&name) || (is_dir && name == CHECKPOINTS) {
            continue;
        }
        if !is_dir || depth == DEEPEST {
            return Some(entry.path());
        }
        if let Some(foreign) = foreign_entry(&entry.path(), depth + 1) {
            return Some(foreign);
        }
    }
    None
}

/// Removes what a killed process left beside `live`: staging folders, and an earlier folder
/// set aside by a commit that did not finish (put back when the new one never arrived).
fn sweep_leftovers(out: &Path, name: &str, live: &Path) {
    let Ok(entries) = fs::read_dir(out) else {
        return;
    };
    let staging = format!(".{name}.staging-");
    let old = format!(".{name}.old-");
    for entry in entries.flatten() {
        let entry_name = entry.file_name().to_string_lossy().into_owned();
        if entry_name.starts_with(&staging) {
            let _ = fs::remove_dir_all(entry.path());
        } else if entry_name.starts_with(&old) {
            if live.exists() {
                let _ = fs::remove_dir_all(entry.path());
            } else {
                let _ = fs::rename(entry.path(), live);
            }
        }
    }
}

/// Where the checkpoints of `experiment` go when its context writes to `out`: the real
/// folder's `runs/`, also while `out` is a staging root (see the module documentation), or a
/// staging root inside another one (one seed of several, staged inside the combined folder).
pub(crate) fn checkpoint_dir(out: &Path, experiment: &str) -> PathBuf {
    live_path(&out.join(experiment)).join(CHECKPOINTS)
}

/// `path` with every staging folder replaced by the folder it stands for: a staging root
/// `.<folder>.staging-<pid>` and the experiment folder inside it become `<folder>`.
fn live_path(path: &Path) -> PathBuf {
    let mut live = PathBuf::new();
    let mut parts = path.components();
    while let Some(part) = parts.next() {
        let text = part.as_os_str().to_string_lossy();
        let folder = text.strip_prefix('.').and_then(|rest| {
            let (folder, pid) = rest.rsplit_once(".staging-")?;
            pid.bytes().all(|b| b.is_ascii_digit()).then_some(folder)
        });
        match folder {
            Some(folder) => {
                live.push(folder);
                parts.next();
            }
            None => live.push(part),
        }
    }
    live
}

/// Moves the checkpoints of the folder `old` replaced (its `runs/`, and each seed folder's)
/// into the new folder `live`, where it has none of its own.
fn carry_checkpoints(old: &Path, live: &Path) {
    let folders = fs::read_dir(old)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.file_name())
        .filter(|name| live.join(name).is_dir());
    for inner in std::iter::once(PathBuf::new()).chain(folders.map(PathBuf::from)) {
        let (from, to) = (old.join(&inner), live.join(&inner));
        if from.join(CHECKPOINTS).is_dir() && !to.join(CHECKPOINTS).exists() {
            let _ = fs::rename(from.join(CHECKPOINTS), to.join(CHECKPOINTS));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("unfold-staging-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn an_abandoned_run_leaves_the_earlier_files_and_a_second_taker_is_refused() {
        let out = scratch("abandon");
        fs::create_dir_all(out.join("exp/runs")).unwrap();
        fs::write(out.join("exp/metrics.json"), "earlier").unwrap();
        {
            let staging = Staging::begin(&out, "exp").unwrap();
            assert_eq!(checkpoint_dir(&staging.root, "exp"), out.join("exp/runs"));
            fs::write(staging.stage.join("metrics.json"), "half").unwrap();
            let err = Staging::begin(&out, "exp").err().unwrap().to_string();
            assert!(
                err.contains("another unfold process") && err.contains("exp"),
                "{err}"
            );
        }
        assert_eq!(
            fs::read_to_string(out.join("exp/metrics.json")).unwrap(),
            "earlier"
        );
        let mut names: Vec<String> = fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, [".exp.lock", "exp"]);
        fs::remove_dir_all(out).unwrap();
    }

    #[test]
    fn a_folder_unfold_did_not_write_is_refused_before_any_work_and_kept() {
        let out = scratch("foreign");
        fs::create_dir_all(out.join("exp/notes")).unwrap();
        fs::write(out.join("exp/notes/precious.txt"), "mine").unwrap();
        let err = Staging::begin(&out, "exp").err().unwrap().to_string();
        assert!(
            err.contains("did not write") && err.contains("precious.txt") && err.contains("--out"),
            "{err}"
        );
        assert_eq!(
            fs::read_to_string(out.join("exp/notes/precious.txt")).unwrap(),
            "mine"
        );
        fs::write(out.join("file"), "mine").unwrap();
        let err = Staging::begin(&out, "file").err().unwrap().to_string();
        assert!(err.contains("not a results folder"), "{err}");
        // Ours: empty, checkpoints only (also per seed), or results with what they list.
        fs::create_dir_all(out.join("empty")).unwrap();
        fs::create_dir_all(out.join("failed/seed-1/runs")).unwrap();
        fs::write(out.join("failed/seed-1/runs/a.json"), "{}").unwrap();
        let results = |dir: &Path| {
            fs::create_dir_all(dir.join("models")).unwrap();
            fs::create_dir_all(dir.join("runs")).unwrap();
            fs::write(dir.join("models/m.json"), "{}").unwrap();
            fs::write(
                dir.join("metrics.json"),
                r#"{"figures": ["curves.png", "a.gif"]}"#,
            )
            .unwrap();
            for file in [
                "report.md",
                "curves.png",
                "curves.svg",
                "curves.view.js",
                "a.gif",
            ] {
                fs::write(dir.join(file), "ours").unwrap();
            }
        };
        results(&out.join("done"));
        results(&out.join("done/seed-7"));
        for name in ["empty", "failed", "done", "new"] {
            Staging::begin(&out, name).unwrap();
        }
        // A file of the user's beside the results, also in a seed's folder, is refused.
        for notes in ["done/lesson-notes.md", "done/seed-7/notes.txt"] {
            fs::write(out.join(notes), "mine").unwrap();
            let err = Staging::begin(&out, "done").err().unwrap().to_string();
            assert!(
                err.contains("did not write") && err.contains(notes),
                "{err}"
            );
            fs::remove_file(out.join(notes)).unwrap();
        }
        fs::remove_dir_all(out).unwrap();
    }

    #[test]
    fn a_seed_staged_inside_its_combined_folder_keeps_its_checkpoints_in_the_real_folder() {
        let out = scratch("nested");
        fs::create_dir_all(out.join("exp/seed-1/runs")).unwrap();
        fs::write(out.join("exp/seed-1/runs/a.json"), "kept").unwrap();
        fs::write(out.join("exp/metrics.json"), "earlier").unwrap();
        let combined = Staging::begin(&out, "exp").unwrap();
        let seed = Staging::begin_at(&combined.stage.join("seed-1"), "exp").unwrap();
        assert_eq!(
            checkpoint_dir(&seed.root, "exp"),
            out.join("exp/seed-1/runs")
        );
        fs::write(seed.stage.join("metrics.json"), "seed").unwrap();
        seed.commit(outcome()).unwrap();
        fs::write(combined.stage.join("metrics.json"), "new").unwrap();
        combined.commit(outcome()).unwrap();
        assert_eq!(
            fs::read_to_string(out.join("exp/metrics.json")).unwrap(),
            "new"
        );
        assert_eq!(
            fs::read_to_string(out.join("exp/seed-1/runs/a.json")).unwrap(),
            "kept"
        );
        fs::remove_dir_all(out).unwrap();
    }

    fn outcome() -> ExperimentOutcome {
        ExperimentOutcome {
            name: "exp".into(),
            status: crate::results::Status::Ok,
            dir: PathBuf::new(),
            metrics_path: PathBuf::new(),
            figures: Vec::new(),
            summary: Vec::new(),
            wall_seconds: 0.0,
            report: crate::results::Report::default(),
        }
    }
}
