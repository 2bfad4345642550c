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

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use crate::{DataError, ImageSet};

/// Environment variable naming a data dir.
pub const DATA_ENV: &str = "UNFOLD_DATA";
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
/// Number of classes of both datasets; labels are `0..=9`.
pub const NUM_CLASSES: usize = 10;

/// Class names of Fashion-MNIST, by label.
pub const FASHION_MNIST_CLASSES: [&str; NUM_CLASSES] = [
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
];
/// Class names of MNIST, by label: the digits.
pub const MNIST_CLASSES: [&str; NUM_CLASSES] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

/// One of the two 28x28 grey-scale, ten-class image datasets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DatasetKind {
    /// LeCun, Cortes and Burges' handwritten digits.
    Mnist,
    /// Zalando Research's garment images (same format and sizes as MNIST).
    FashionMnist,
}

impl DatasetKind {
    /// Both datasets.
    pub const ALL: [DatasetKind; 2] = [DatasetKind::Mnist, DatasetKind::FashionMnist];

    /// The dataset's folder in a data dir, and its name on the command line:
    /// `mnist` or `fashion-mnist`.
    pub fn dir_name(self) -> &'static str {
        match self {
            DatasetKind::Mnist => "mnist",
            DatasetKind::FashionMnist => "fashion-mnist",
        }
    }

    /// The dataset's name for people: `MNIST` or `Fashion-MNIST`.
    pub fn name(self) -> &'static str {
        match self {
            DatasetKind::Mnist => "MNIST",
            DatasetKind::FashionMnist => "Fashion-MNIST",
        }
    }

    /// The class names, by label.
    pub fn class_names(self) -> &'static [&'static str; NUM_CLASSES] {
        match self {
            DatasetKind::Mnist => &MNIST_CLASSES,
            DatasetKind::FashionMnist => &FASHION_MNIST_CLASSES,
        }
    }

    /// The name of class `label`, or `"?"` for a label outside `0..=9`.
    pub fn class_name(self, label: usize) -> &'static str {
        self.class_names().get(label).copied().unwrap_or("?")
    }
}

impl fmt::Display for DatasetKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for DatasetKind {
    type Err = String;

    /// Parses `mnist` or `fashion-mnist` (also `fashion_mnist`, `fashionmnist`, `fashion`),
    /// ignoring case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "mnist" => Ok(DatasetKind::Mnist),
            "fashion-mnist" | "fashion_mnist" | "fashionmnist" | "fashion" => {
                Ok(DatasetKind::FashionMnist)
            }
            other => Err(format!(
                "unknown dataset {other:?}; expected mnist or fashion-mnist"
            )),
        }
    }
}

/// The standard training or test part of a dataset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Split {
    /// The 60,000 training images (`train-*` files).
    Train,
    /// The 10,000 test images (`t10k-*` files).
    Test,
}

impl Split {
    /// Both splits.
    pub const ALL: [Split; 2] = [Split::Train, Split::Test];

    /// File-name prefix: `train` or `t10k`.
    pub fn prefix(self) -> &'static str {
        match self {
            Split::Train => "train",
            Split::Test => "t10k",
        }
    }

    /// Base name of the image file, e.g. `train-images-idx3-ubyte` (`.gz` may follow).
    pub fn images_file(self) -> &'static str {
        match self {
            Split::Train => "train-images-idx3-ubyte",
            Split::Test => "t10k-images-idx3-ubyte",
        }
    }

    /// Base name of the label file, e.g. `train-labels-idx1-ubyte` (`.gz` may follow).
    pub fn labels_file(self) -> &'static str {
        match self {
            Split::Train => "train-labels-idx1-ubyte",
            Split::Test => "t10k-labels-idx1-ubyte",
        }
    }

    /// Number of images in this split of MNIST and of Fashion-MNIST: 60,000 or 10,000.
    pub fn standard_len(self) -> usize {
        match self {
            Split::Train => 60_000,
            Split::Test => 10_000,
        }
    }
}

impl fmt::Display for Split {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Split::Train => "train",
            Split::Test => "test",
        })
    }
}

/// Base names of the four IDX files of a dataset folder (each may also be `.gz`).
pub const IDX_FILES: [&str; 4] = [
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
];

/// Why a folder was looked at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The caller's `--data-dir`.
    DataDirOption,
    /// The `UNFOLD_DATA` environment variable.
    EnvVar,
    /// `./data` in the working directory.
    WorkingDir,
    /// The per-user data dir ([`user_data_dir`]).
    UserDataDir,
    /// The folder of Debian's `dataset-fashion-mnist` package.
    Debian,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Source::DataDirOption => "from --data-dir",
            Source::EnvVar => "from $UNFOLD_DATA",
            Source::WorkingDir => "./data",
            Source::UserDataDir => "your data dir",
            Source::Debian => "Debian's dataset-fashion-mnist",
        })
    }
}

/// A folder that may hold a dataset's files, and why it does not (if it does not).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// Why it was looked at.
    pub source: Source,
    /// The dataset folder (the one that should hold the four IDX files).
    pub dir: PathBuf,
    /// `None` when the folder holds all four files; otherwise what is missing.
    pub problem: Option<String>,
}

impl Candidate {
    /// Whether the folder holds all four files (their contents are checked on loading).
    pub fn is_usable(&self) -> bool {
        self.problem.is_none()
    }
}

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
