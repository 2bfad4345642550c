//! Where a dataset may be: the places [`crate::locate`] looks in, and what it found there.

use std::fmt;
use std::path::PathBuf;

/// Environment variable naming a data dir.
pub const DATA_ENV: &str = "UNFOLD_DATA";

/// Why a folder was looked at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The caller's `--data-dir`.
    DataDirOption,
    /// The `UNFOLD_DATA` environment variable.
    EnvVar,
    /// `./data` in the working directory.
    WorkingDir,
    /// The per-user data dir ([`crate::user_data_dir`]).
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
