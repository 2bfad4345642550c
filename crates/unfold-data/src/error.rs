//! The crate's error type.

use std::fmt::Write as _;
use std::path::PathBuf;

use crate::datasets::DatasetKind;
use crate::places::{Candidate, DATA_ENV};

/// Errors from building, reading, finding or uploading data.
///
/// Every error about a file names the file and says what is wrong with it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DataError {
    /// Feature rows and labels disagree in count or width.
    #[error("malformed point set: {0}")]
    Malformed(String),
    /// A generator parameter is out of range.
    #[error("invalid parameter: {0}")]
    InvalidParameter(String),
    /// Pixels and labels of an in-memory image set disagree, or a label is out of range.
    #[error("malformed image set: {0}")]
    MalformedImages(String),
    /// A file could not be opened, read or written.
    #[error("cannot {action} {path}: {source}")]
    Io {
        /// What was being done, e.g. "read".
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A file is not a valid IDX file of the expected kind (bad magic number, dimensions,
    /// length, compression or label values).
    #[error("invalid IDX file {path}: {reason}")]
    InvalidIdx {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// An image file and a label file that should belong together do not.
    #[error("{images} and {labels} do not belong together: {reason}")]
    Mismatch {
        /// The image file.
        images: PathBuf,
        /// The label file.
        labels: PathBuf,
        /// What disagrees.
        reason: String,
    },
    /// No folder with the dataset's files was found.
    #[error("{}", not_found_message(*kind, looked))]
    NotFound {
        /// The dataset that was looked for.
        kind: DatasetKind,
        /// Every place that was looked at, in order, with why it did not qualify.
        looked: Vec<Candidate>,
    },
}

fn not_found_message(kind: DatasetKind, looked: &[Candidate]) -> String {
    let mut s = format!("{kind} was not found. Looked in:");
    for c in looked {
        let why = c.problem.as_deref().unwrap_or("usable");
        let _ = write!(s, "\n  - {} ({}): {why}", c.dir.display(), c.source);
    }
    let _ = write!(
        s,
        "\nTo get it: run `unfold data fetch {}` (downloads and verifies it into \
         <data dir>/{}/, where the data dir is --data-dir, else ${DATA_ENV}, else your \
         per-user data dir, found from any folder), \
         or point --data-dir or {DATA_ENV} at a folder holding mnist/ and fashion-mnist/ \
         with the four IDX files each (raw or .gz).",
        kind.dir_name(),
        kind.dir_name(),
    );
    if kind == DatasetKind::FashionMnist {
        s.push_str(
            " On Debian or Ubuntu, `apt-get install dataset-fashion-mnist` installs it \
             where unfold finds it.",
        );
    }
    s
}
