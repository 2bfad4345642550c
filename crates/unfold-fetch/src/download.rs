//! Downloading with fallbacks, verification and atomic writes.

use std::fmt::Write as _;
use std::fs::{self, File};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use unfold_data::{DatasetKind, find_idx_file};

use crate::files::{MIRROR_ENV, RemoteFile, expected_files};
use crate::progress::Progress;
use crate::verify::verify_file;

/// Limits on one download.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchOptions {
    /// Longest wait to resolve the host and open the connection.
    pub connect_timeout: Duration,
    /// Longest wait for any single read (a stalled transfer fails after this).
    pub read_timeout: Duration,
    /// Longest time for one whole download, from connecting to the last byte.
    pub total_timeout: Duration,
    /// Largest response accepted, in bytes (the largest file, MNIST's training images, is
    /// about 9.9 MB compressed and 47 MB raw).
    pub max_bytes: u64,
}

impl Default for FetchOptions {
    /// 15 s to connect, 30 s per read, 10 minutes per file, at most 64 MiB.
    fn default() -> Self {
        FetchOptions {
            connect_timeout: Duration::from_secs(15),
            read_timeout: Duration::from_secs(30),
            total_timeout: Duration::from_secs(600),
            max_bytes: 64 << 20,
        }
    }
}

/// One failed try: the URL and what went wrong there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    /// The URL tried.
    pub url: String,
    /// What went wrong (HTTP status, network error, truncation, wrong content, …).
    pub problem: String,
}

/// Why a file could not be fetched.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FetchError {
    /// A local file-system operation failed.
    #[error("cannot {action} {path}: {source}")]
    Io {
        /// What was being done, e.g. "create folder".
        action: &'static str,
        /// The path it was done to.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// Every mirror failed; the file was not written.
    #[error("{}", all_failed(file, dir, attempts))]
    AllMirrorsFailed {
        /// Base name of the file.
        file: String,
        /// The folder it was meant for.
        dir: PathBuf,
        /// Each URL tried, in order, and what went wrong there.
        attempts: Vec<Attempt>,
    },
    /// The mirror list was empty.
    #[error("no mirror to fetch {file} from (the mirror list is empty)")]
    NoMirrors {
        /// Base name of the file.
        file: String,
    },
}

fn all_failed(file: &str, dir: &Path, attempts: &[Attempt]) -> String {
    let mut s = format!(
        "could not fetch {file} into {}; every mirror failed:",
        dir.display()
    );
    for a in attempts {
        let _ = write!(s, "\n  - {}: {}", a.url, a.problem);
    }
    let _ = write!(
        s,
        "\n{file} was not written (files fetched before it stay: each was verified). Check the \
         network connection and the URLs above, or set {MIRROR_ENV} to base URLs of another \
         mirror that holds mnist/ and fashion-mnist/."
    );
    s
}

/// What [`fetch_file`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileAction {
    /// The file was already there and verified; nothing was downloaded.
    AlreadyPresent,
    /// The file was downloaded (and verified) from this URL.
    Downloaded {
        /// Where it came from.
        url: String,
    },
}

/// The result of fetching one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileOutcome {
    /// Base name, e.g. `train-images-idx3-ubyte`.
    pub name: String,
    /// The verified file (the `.gz` as served, or raw when the server sent it decompressed).
    pub path: PathBuf,
    /// Whether it was downloaded.
    pub action: FileAction,
    /// Files removed on the way: a wrong copy that the download replaces or that would
    /// shadow it (a raw file is loaded before a `.gz`), with why.
    pub removed: Vec<(PathBuf, String)>,
}

fn agent(options: &FetchOptions) -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_connect(Some(options.connect_timeout))
        .timeout_per_read(Some(options.read_timeout))
        .timeout_global(Some(options.total_timeout))
        .http_status_as_error(false)
        .user_agent(format!(
            "unfold/{} (dataset fetch)",
            env!("CARGO_PKG_VERSION")
        ))
        .build()
        .into()
}

/// Streams `url` into `file`; checks the status, the size limit and the announced length.
fn download_to(
    agent: &ureq::Agent,
    url: &str,
    file: &mut File,
    options: &FetchOptions,
    progress: &mut dyn Progress,
) -> Result<(), String> {
    let mut response = agent.get(url).call().map_err(|e| e.to_string())?;
    let status = response.status();
    if !status.is_success() {
        return Err(format!("the server answered HTTP {status}"));
    }
    let announced = response.body().content_length();
    if let Some(n) = announced
        && n > options.max_bytes
    {
        return Err(format!(
            "the server announces {n} bytes, more than the {} accepted",
            options.max_bytes
        ));
    }
    progress.start(&unfold_guard::secrets::urls(url), announced);
    let mut reader = response
        .body_mut()
        .with_config()
        .limit(options.max_bytes)
        .reader();
    let mut buf = vec![0u8; 1 << 16];
    let mut received = 0u64;
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                return Err(format!(
                    "the transfer failed after {received} bytes{}: {e}",
                    announced.map_or(String::new(), |n| format!(" of {n}"))
                ));
            }
        };
        file.write_all(&buf[..n])
            .map_err(|e| format!("cannot write the temporary file: {e}"))?;
        received += n as u64;
        progress.advance(n as u64);
    }
    if let Some(n) = announced
        && received != n
    {
        return Err(format!(
            "truncated: the connection ended after {received} of the {n} announced bytes"
        ));
    }
    file.sync_all()
        .map_err(|e| format!("cannot flush the temporary file: {e}"))
}

fn is_gzip(path: &Path) -> bool {
    let mut magic = [0u8; 2];
    File::open(path)
        .and_then(|mut f| f.read_exact(&mut magic))
        .is_ok_and(|()| magic == [0x1f, 0x8b])
}

/// Makes sure `dir` holds a verified copy of `expected`: keeps a verified one that is already
/// there, else downloads `<mirror>/<name>.gz` from each mirror in turn until one verifies.
///
/// Each download goes to a hidden temporary file in `dir`, is checked against the expected
/// decompressed length and SHA-256, and only then renamed to `<name>.gz` (or `<name>` if the
/// server sent it decompressed). A wrong copy that is already there is replaced (or removed
/// if it would shadow the new one); see [`FileOutcome::removed`].
///
/// # Errors
///
/// [`FetchError::AllMirrorsFailed`] listing each URL and what failed there (nothing is
/// written then); [`FetchError::NoMirrors`]; [`FetchError::Io`] when `dir` cannot be
/// created or the verified file cannot be moved into place.
pub fn fetch_file(
    dir: &Path,
    expected: &RemoteFile,
    mirrors: &[String],
    options: &FetchOptions,
    progress: &mut dyn Progress,
) -> Result<FileOutcome, FetchError> {
    let name = expected.name.as_str();
    fs::create_dir_all(dir).map_err(|source| FetchError::Io {
        action: "create folder",
        path: dir.to_owned(),
        source,
    })?;
    let mut wrong_copy = None;
    if let Some(existing) = find_idx_file(dir, name) {
        match verify_file(&existing, expected) {
            Ok(()) => {
                progress.message(&format!(
                    "{} is already there and verified",
                    existing.display()
                ));
                return Ok(FileOutcome {
                    name: name.to_owned(),
                    path: existing,
                    action: FileAction::AlreadyPresent,
                    removed: Vec::new(),
                });
            }
            Err(problem) => {
                progress.message(&format!(
                    "{} is wrong ({problem}); fetching it again",
                    existing.display()
                ));
                wrong_copy = Some((existing, problem));
            }
        }
    }
    if mirrors.is_empty() {
        return Err(FetchError::NoMirrors {
            file: name.to_owned(),
        });
    }

    let agent = agent(options);
    let mut attempts = Vec::new();
    for base in mirrors {
        let url = format!("{}/{name}.gz", base.trim_end_matches('/'));
        // What is shown and recorded: a mirror's `user:password@` never leaves this function.
        let shown = unfold_guard::secrets::urls(&url);
        // A temporary file beside the targets (removed when dropped), named once verified.
        let mut temp = unfold_io::temporary_in(dir, &format!("{name}.part")).map_err(|source| {
            FetchError::Io {
                action: "create a temporary file in",
                path: dir.to_owned(),
                source,
            }
        })?;
        let result = download_to(&agent, &url, temp.as_file_mut(), options, progress)
            .and_then(|()| {
                verify_file(temp.path(), expected).map_err(|p| format!("wrong content: {p}"))
            })
            .map_err(|problem| unfold_guard::secrets::text(&problem));
        progress.finish(&shown, result.as_ref().map(|_| ()).map_err(String::as_str));
        if let Err(problem) = result {
            attempts.push(Attempt {
                url: shown,
                problem,
            });
            continue; // `temp` is removed here.
        }
        let gzip = is_gzip(temp.path());
        let (target, other) = if gzip {
            (dir.join(format!("{name}.gz")), dir.join(name))
        } else {
            (dir.join(name), dir.join(format!("{name}.gz")))
        };
        temp.persist(&target).map_err(|e| FetchError::Io {
            action: "move the verified download into place as",
            path: target.clone(),
            source: e.error,
        })?;
        if let Ok(d) = File::open(dir) {
            // Best effort: make the rename durable.
            let _ = d.sync_all();
        }
        let mut removed = Vec::new();
        if other.is_file() {
            let why = match &wrong_copy {
                Some((path, problem)) if *path == other => problem.clone(),
                _ => format!("superseded by the verified {}", target.display()),
            };
            fs::remove_file(&other).map_err(|source| FetchError::Io {
                action: "remove the superseded file",
                path: other.clone(),
                source,
            })?;
            removed.push((other, why));
        }
        if let Some((path, problem)) = wrong_copy
            && path == target
        {
            removed.push((path, format!("replaced: {problem}")));
        }
        return Ok(FileOutcome {
            name: name.to_owned(),
            path: target,
            action: FileAction::Downloaded { url: shown },
            removed,
        });
    }
    Err(FetchError::AllMirrorsFailed {
        file: name.to_owned(),
        dir: dir.to_owned(),
        attempts,
    })
}

/// Fetches the four files of `kind` into `<root>/<mnist|fashion-mnist>/` with
/// [`fetch_file`], trying `mirrors` (base URLs for this dataset) in order for each.
///
/// # Errors
///
/// The first file that cannot be fetched stops it, with [`fetch_file`]'s error; files
/// fetched before stay (they are verified).
pub fn fetch_dataset(
    kind: DatasetKind,
    root: &Path,
    mirrors: &[String],
    options: &FetchOptions,
    progress: &mut dyn Progress,
) -> Result<Vec<FileOutcome>, FetchError> {
    let dir = root.join(kind.dir_name());
    let existed = dir.exists();
    let fetched: Result<Vec<FileOutcome>, FetchError> = expected_files(kind)
        .iter()
        .map(|file| fetch_file(&dir, file, mirrors, options, progress))
        .collect();
    if fetched.is_err() && !existed {
        // A first fetch that wrote no file leaves no folder; `remove_dir` only removes it empty.
        let _ = fs::remove_dir(&dir);
    }
    fetched
}
