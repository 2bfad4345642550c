//! Downloads MNIST and Fashion-MNIST for unfold: from the standard public mirrors, with
//! fallbacks, a progress display, SHA-256 verification and atomic writes.
//!
//! - **Verified.** Every file is checked against the SHA-256 digest and length of its
//!   *decompressed* IDX bytes ([`expected_files`]), which are the same whichever mirror
//!   served it and whether it came gzip-compressed or not.
//! - **Atomic.** A download goes to a hidden temporary file in the target folder, is
//!   verified there, and only then renamed into place. On any failure — HTTP error, timeout,
//!   connection dropped early, corrupt or wrong data — the temporary file is removed and
//!   the next mirror is tried; nothing partial is ever left behind.
//! - **Bounded.** Connecting, each read, and each whole download have time limits, and a
//!   response larger than [`FetchOptions::max_bytes`] is refused ([`FetchOptions`]).
//! - **Overridable.** [`mirrors`] honours `UNFOLD_MIRROR` (base URLs holding `mnist/` and
//!   `fashion-mnist/`), and every function takes the mirror list as a parameter, so tests
//!   serve files from a local HTTP server.
//!
//! ```no_run
//! use unfold_data::DatasetKind;
//! use unfold_fetch::{BarProgress, FetchOptions, fetch_dataset, fetch_root, mirrors};
//!
//! let kind = DatasetKind::Mnist;
//! let root = fetch_root(None); // $UNFOLD_DATA, else the per-user data dir
//! let outcomes = fetch_dataset(
//!     kind,
//!     &root,
//!     &mirrors(kind),
//!     &FetchOptions::default(),
//!     &mut BarProgress::new(),
//! )?;
//! assert_eq!(outcomes.len(), 4);
//! # Ok::<(), unfold_fetch::FetchError>(())
//! ```
#![warn(missing_docs)]

mod download;
mod files;
mod progress;
mod verify;

pub use download::{
    Attempt, FetchError, FetchOptions, FileAction, FileOutcome, fetch_dataset, fetch_file,
};
pub use files::{
    MIRROR_ENV, RemoteFile, default_mirrors, expected_file, expected_files, fetch_root, mirrors,
    mirrors_from_env,
};
pub use progress::{BarProgress, NoProgress, Progress};
pub use verify::{FileCheck, verify_dataset_dir, verify_file};
