//! Reading a file whose path a user gave, without trusting it.
//!
//! [`read_bounded`] refuses what is not a regular file (`/dev/zero`, a FIFO, a directory) before
//! opening it, reads at most `limit` bytes (one more tells a longer file apart), and names the
//! file in every error, in one line. Callers state their limit next to what they read; the
//! limits are listed in the README's "Security" section.

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Why a file could not be read.
#[derive(Debug)]
pub enum BoundedReadError {
    /// It does not exist or cannot be opened or read.
    Io {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// It is a directory, a device, a FIFO or a socket.
    NotRegular {
        /// The file.
        path: PathBuf,
        /// What it is instead.
        kind: &'static str,
    },
    /// It is longer than the limit.
    TooLarge {
        /// The file.
        path: PathBuf,
        /// The most bytes read.
        limit: u64,
    },
    /// It is not UTF-8 text ([`read_bounded_text`]).
    NotText {
        /// The file.
        path: PathBuf,
    },
}

impl fmt::Display for BoundedReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io { path, source } => write!(f, "cannot read {}: {source}", path.display()),
            Self::NotRegular { path, kind } => write!(
                f,
                "{} is {kind}, not a regular file; give the path of a file",
                path.display()
            ),
            Self::TooLarge { path, limit } => write!(
                f,
                "{} is larger than the {} this kind of file may have; is it the right file?",
                path.display(),
                human_bytes(*limit)
            ),
            Self::NotText { path } => write!(f, "{} is not UTF-8 text", path.display()),
        }
    }
}

impl std::error::Error for BoundedReadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// `1 MiB`, `16 MiB`, `512 bytes`.
pub fn human_bytes(bytes: u64) -> String {
    const MIB: u64 = 1 << 20;
    const KIB: u64 = 1 << 10;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= KIB && bytes.is_multiple_of(KIB) {
        format!("{} KiB", bytes / KIB)
    } else {
        format!("{bytes} bytes")
    }
}

fn kind_of(file_type: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a FIFO";
        }
        if file_type.is_char_device() || file_type.is_block_device() {
            return "a device";
        }
        if file_type.is_socket() {
            return "a socket";
        }
    }
    if file_type.is_dir() {
        "a directory"
    } else {
        "not a regular file"
    }
}

/// The bytes of the regular file at `path`, at most `limit` of them.
///
/// # Errors
/// [`BoundedReadError`], naming `path`: missing or unreadable, not a regular file (checked
/// before opening, so a FIFO never blocks the read), or longer than `limit`.
pub fn read_bounded(path: &Path, limit: u64) -> Result<Vec<u8>, BoundedReadError> {
    let io = |source| BoundedReadError::Io {
        path: path.to_path_buf(),
        source,
    };
    let not_regular = |file_type| BoundedReadError::NotRegular {
        path: path.to_path_buf(),
        kind: kind_of(file_type),
    };
    let too_large = || BoundedReadError::TooLarge {
        path: path.to_path_buf(),
        limit,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if !meta.is_file() {
        return Err(not_regular(meta.file_type()));
    }
    if meta.len() > limit {
        return Err(too_large());
    }
    let file = std::fs::File::open(path).map_err(io)?;
    // The path may have been swapped between the check and the open: check what was opened.
    let opened = file.metadata().map_err(io)?;
    if !opened.is_file() {
        return Err(not_regular(opened.file_type()));
    }
    let mut bytes = Vec::with_capacity(opened.len().min(limit) as usize);
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > limit {
        return Err(too_large());
    }
    Ok(bytes)
}

/// [`read_bounded`] for UTF-8 text.
///
/// # Errors
/// As [`read_bounded`], and [`BoundedReadError::NotText`] for bytes that are not UTF-8.
pub fn read_bounded_text(path: &Path, limit: u64) -> Result<String, BoundedReadError> {
    String::from_utf8(read_bounded(path, limit)?).map_err(|_| BoundedReadError::NotText {
        path: path.to_path_buf(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("unfold-guard-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_small_regular_file_is_read_whole() {
        let dir = scratch("small");
        let path = dir.join("a.toml");
        std::fs::write(&path, "epochs = 3\n").unwrap();
        assert_eq!(read_bounded_text(&path, 64).unwrap(), "epochs = 3\n");
        assert_eq!(read_bounded(&path, 11).unwrap().len(), 11);
        let err = read_bounded(&path, 10).unwrap_err().to_string();
        assert!(err.contains("a.toml") && err.contains("10 bytes"), "{err}");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn devices_directories_and_missing_files_are_refused_by_name() {
        let dir = scratch("kinds");
        let err = read_bounded(&dir, 1 << 20).unwrap_err().to_string();
        assert!(err.contains("is a directory"), "{err}");
        #[cfg(unix)]
        {
            let err = read_bounded(Path::new("/dev/zero"), 1 << 20)
                .unwrap_err()
                .to_string();
            assert!(err.contains("/dev/zero is a device"), "{err}");
        }
        let err = read_bounded(&dir.join("nope.json"), 1)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("cannot read") && err.contains("nope.json"),
            "{err}"
        );
        std::fs::write(dir.join("bin"), [0xff, 0xfe]).unwrap();
        let err = read_bounded_text(&dir.join("bin"), 8)
            .unwrap_err()
            .to_string();
        assert!(err.contains("not UTF-8"), "{err}");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(human_bytes(16 << 20), "16 MiB");
        assert_eq!(human_bytes(4096), "4 KiB");
        assert_eq!(human_bytes(1000), "1000 bytes");
    }
}
