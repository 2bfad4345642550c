//! Checking files against the expected length and SHA-256 of their decompressed content.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use flate2::bufread::MultiGzDecoder;
use sha2::{Digest, Sha256};
use unfold_data::{DatasetKind, find_idx_file};

use crate::files::{RemoteFile, expected_files};

/// Checks that the file at `path` (raw or gzip) decompresses to exactly the expected bytes:
/// the expected length and SHA-256.
///
/// # Errors
///
/// A sentence saying what is wrong: unreadable, corrupt gzip data, wrong length, or a
/// different digest.
pub fn verify_file(path: &Path, expected: &RemoteFile) -> Result<(), String> {
    let file = File::open(path).map_err(|e| format!("cannot open it: {e}"))?;
    let mut buffered = BufReader::with_capacity(1 << 16, file);
    let head = buffered
        .fill_buf()
        .map_err(|e| format!("cannot read it: {e}"))?;
    let gzip = head.starts_with(&[0x1f, 0x8b]);
    let reader: Box<dyn Read> = if gzip {
        Box::new(MultiGzDecoder::new(buffered))
    } else {
        Box::new(buffered)
    };
    // One byte more than expected is enough to tell that it is too long.
    let mut limited = reader.take(expected.size + 1);
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut total = 0u64;
    loop {
        match limited.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                hasher.update(&buf[..n]);
                total += n as u64;
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) if gzip => return Err(format!("its gzip data is corrupt or truncated ({e})")),
            Err(e) => return Err(format!("cannot read it: {e}")),
        }
    }
    let what = if gzip { "decompressed, it is" } else { "it is" };
    if total > expected.size {
        return Err(format!(
            "{what} longer than the expected {} bytes",
            expected.size
        ));
    }
    if total < expected.size {
        return Err(format!(
            "{what} {total} bytes long, not the expected {} bytes",
            expected.size
        ));
    }
    let digest = hex(&hasher.finalize());
    if digest != expected.sha256 {
        let of = if gzip {
            " (of the decompressed data)"
        } else {
            ""
        };
        return Err(format!(
            "its SHA-256{of} is {digest}, not the expected {}",
            expected.sha256
        ));
    }
    Ok(())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The result of checking one of a dataset's files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileCheck {
    /// Base name, e.g. `train-images-idx3-ubyte`.
    pub name: String,
    /// The file that was checked (`None` when neither it nor its `.gz` form exists).
    pub path: Option<PathBuf>,
    /// `None` when the file is right; otherwise what is wrong.
    pub problem: Option<String>,
}

impl FileCheck {
    /// Whether the file is there and right.
    pub fn is_ok(&self) -> bool {
        self.problem.is_none()
    }
}

/// Checks the four files of `kind` in the dataset folder `dir` (the file each would be
/// loaded from: raw before `.gz`) against their expected length and digest.
pub fn verify_dataset_dir(kind: DatasetKind, dir: &Path) -> Vec<FileCheck> {
    expected_files(kind)
        .into_iter()
        .map(|expected| match find_idx_file(dir, &expected.name) {
            None => FileCheck {
                problem: Some(format!(
                    "missing: neither {0} nor {0}.gz exists in {1}",
                    expected.name,
                    dir.display()
                )),
                name: expected.name,
                path: None,
            },
            Some(path) => FileCheck {
                problem: verify_file(&path, &expected).err(),
                name: expected.name,
                path: Some(path),
            },
        })
        .collect()
}
