//! The MNIST-like datasets: their names and files, where they are looked for, and loading.
//!
//! A *data dir* holds one folder per dataset, `mnist/` and `fashion-mnist/`, each with the
//! four standard IDX files, raw or gzip-compressed:
//!
//! ```text
//! <data dir>/mnist/train-images-idx3-ubyte.gz
//! <data dir>/mnist/train-labels-idx1-ubyte.gz
//! <data dir>/mnist/t10k-images-idx3-ubyte.gz
//! <data dir>/mnist/t10k-labels-idx1-ubyte.gz
//! <data dir>/fashion-mnist/…
//! ```
//!
//! [`locate`] looks, in this order, in the `--data-dir` given by the caller (and then only
//! there: an explicit choice is never silently replaced), in the data dir named by the
//! `UNFOLD_DATA` environment variable, in `./data`, in the per-user data dir
//! ([`user_data_dir`]: where `unfold data fetch` downloads by default, so data fetched once is
//! found from any folder), and — for Fashion-MNIST — in `/usr/share/datasets/fashion-mnist`, where Debian's `dataset-fashion-mnist` package puts
//! the four files. A data dir whose own name is the dataset's folder name (e.g.
//! `--data-dir /somewhere/mnist`) is accepted as the dataset folder itself.

use std::path::{Path, PathBuf};

use crate::datasets::{DatasetKind, IDX_FILES, Split};
use crate::places::{Candidate, DATA_ENV, Source};
use crate::{DataError, ImageSet};

/// The data dir looked in after `UNFOLD_DATA`, relative to the working directory.
pub const DEFAULT_DATA_DIR: &str = "data";
/// The per-user data dir: the platform's data folder followed by `unfold`
/// (`$XDG_DATA_HOME/unfold` or `~/.local/share/unfold` on Linux,
/// `~/Library/Application Support/unfold` on macOS, `%APPDATA%\unfold` on Windows); `None`
/// when the platform has none (no home folder).
pub fn user_data_dir() -> Option<PathBuf> {
    dirs::data_dir().map(|dir| dir.join("unfold"))
}

/// Where Debian's `dataset-fashion-mnist` package installs the Fashion-MNIST files.
pub const DEBIAN_FASHION_MNIST_DIR: &str = "/usr/share/datasets/fashion-mnist";

/// The file `dir/name`, or else `dir/name.gz`, whichever exists first (raw files load
/// faster, so they win).
pub fn find_idx_file(dir: &Path, name: &str) -> Option<PathBuf> {
    let raw = dir.join(name);
    if raw.is_file() {
        return Some(raw);
    }
    let gz = dir.join(format!("{name}.gz"));
    gz.is_file().then_some(gz)
}

/// Dataset folders for a data dir: `<root>/<dataset>`, and the root itself when its name is
/// the dataset's folder name.
fn dataset_dirs(root: &Path, kind: DatasetKind) -> Vec<PathBuf> {
    let mut dirs = vec![root.join(kind.dir_name())];
    if root.file_name().is_some_and(|n| n == kind.dir_name()) {
        dirs.push(root.to_owned());
    }
    dirs
}

/// The folders [`locate`] looks at for `kind`, in order, without checking them.
///
/// With `data_dir` given, only that data dir. Otherwise `$UNFOLD_DATA` (when set and not
/// empty), `./data` (made absolute), the per-user data dir ([`user_data_dir`]), and for
/// Fashion-MNIST Debian's folder.
pub fn search_dirs(kind: DatasetKind, data_dir: Option<&Path>) -> Vec<(Source, PathBuf)> {
    if let Some(root) = data_dir {
        return dataset_dirs(root, kind)
            .into_iter()
            .map(|d| (Source::DataDirOption, d))
            .collect();
    }
    let mut dirs = Vec::new();
    if let Some(env) = std::env::var_os(DATA_ENV).filter(|v| !v.is_empty()) {
        dirs.extend(
            dataset_dirs(Path::new(&env), kind)
                .into_iter()
                .map(|d| (Source::EnvVar, d)),
        );
    }
    let working = std::env::current_dir()
        .map(|cwd| cwd.join(DEFAULT_DATA_DIR))
        .unwrap_or_else(|_| PathBuf::from(DEFAULT_DATA_DIR));
    dirs.push((Source::WorkingDir, working.join(kind.dir_name())));
    if let Some(user) = user_data_dir() {
        dirs.push((Source::UserDataDir, user.join(kind.dir_name())));
    }
    if kind == DatasetKind::FashionMnist {
        dirs.push((Source::Debian, PathBuf::from(DEBIAN_FASHION_MNIST_DIR)));
    }
    dirs
}

/// What keeps `dir` from being a dataset folder, if anything: it is missing, not a folder,
/// or lacks some of the four IDX files.
pub fn check_dataset_dir(dir: &Path) -> Option<String> {
    if !dir.exists() {
        return Some("does not exist".into());
    }
    if !dir.is_dir() {
        return Some("is not a folder".into());
    }
    let missing: Vec<String> = IDX_FILES
        .iter()
        .filter(|name| find_idx_file(dir, name).is_none())
        .map(|name| format!("{name}[.gz]"))
        .collect();
    match missing.len() {
        0 => None,
        4 => Some("holds none of the four IDX files".into()),
        _ => Some(format!("lacks {}", missing.join(", "))),
    }
}

/// Every folder [`locate`] looks at for `kind`, in order, each checked.
pub fn survey(kind: DatasetKind, data_dir: Option<&Path>) -> Vec<Candidate> {
    survey_dirs(search_dirs(kind, data_dir))
}

/// Checks the given folders, in order.
pub fn survey_dirs(dirs: Vec<(Source, PathBuf)>) -> Vec<Candidate> {
    dirs.into_iter()
        .map(|(source, dir)| {
            let problem = check_dataset_dir(&dir);
            Candidate {
                source,
                dir,
                problem,
            }
        })
        .collect()
}

/// The folder holding `kind`'s four IDX files: the first usable one of [`survey`].
///
/// # Errors
///
/// [`DataError::NotFound`] when no folder qualifies; its message lists every folder looked
/// at, why it did not qualify, and how to get the data.
pub fn locate(kind: DatasetKind, data_dir: Option<&Path>) -> Result<PathBuf, DataError> {
    locate_in(kind, survey(kind, data_dir))
}

/// The first usable folder of `candidates` (from [`survey`] or [`survey_dirs`]).
///
/// # Errors
///
/// [`DataError::NotFound`] listing all candidates when none is usable.
pub fn locate_in(kind: DatasetKind, candidates: Vec<Candidate>) -> Result<PathBuf, DataError> {
    match candidates.iter().find(|c| c.is_usable()) {
        Some(c) => Ok(c.dir.clone()),
        None => Err(DataError::NotFound {
            kind,
            looked: candidates,
        }),
    }
}

/// Loads one split of `kind`, found with [`locate`], fully validated (see
/// [`ImageSet::from_idx_files`]).
///
/// # Errors
///
/// [`DataError::NotFound`] when the dataset is nowhere to be found, otherwise the errors of
/// [`load_from`].
pub fn load(
    kind: DatasetKind,
    split: Split,
    data_dir: Option<&Path>,
) -> Result<ImageSet, DataError> {
    load_from(&locate(kind, data_dir)?, split)
}

/// Loads one split from a dataset folder (one holding the four IDX files).
///
/// # Errors
///
/// [`DataError::Io`] when a file is missing or unreadable; otherwise the errors of
/// [`ImageSet::from_idx_files`].
pub fn load_from(dataset_dir: &Path, split: Split) -> Result<ImageSet, DataError> {
    let images = required_file(dataset_dir, split.images_file())?;
    let labels = required_file(dataset_dir, split.labels_file())?;
    // A header declaring more than the split holds is refused before its data is inflated.
    ImageSet::from_idx_files_within(&images, &labels, crate::IdxLimits::split(split))
}

fn required_file(dir: &Path, name: &str) -> Result<PathBuf, DataError> {
    find_idx_file(dir, name).ok_or_else(|| DataError::Io {
        action: "find",
        path: dir.join(name),
        source: std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "neither it nor its .gz form exists",
        ),
    })
}
