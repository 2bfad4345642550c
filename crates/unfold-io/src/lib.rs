#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

use std::fs::File;
use std::io::{self, Write};
use std::path::Path;

/// A new temporary file in `dir`, hidden and named after `name` (so a leftover after a power
/// cut says what it was), removed when dropped unless persisted: for writers that stream into
/// it and only then choose the final name (`unfold-fetch` names a verified download after its
/// content). Sync it, then `persist` it to its final path in the same folder.
///
/// # Errors
/// When the folder is missing or not writable.
pub fn temporary_in(dir: &Path, name: &str) -> io::Result<tempfile::NamedTempFile> {
    let prefix = format!(".{name}.");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    // tempfile creates private (0600) files; results and data are meant to be shared like any
    // file the user writes, so ask for 0666 and let the umask narrow it, as `File::create` does.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    builder.tempfile_in(dir)
}

/// [`temporary_in`] the folder of `path`, named after its file.
fn temporary_beside(path: &Path) -> io::Result<tempfile::NamedTempFile> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    temporary_in(dir, &name)
}

/// Writes `bytes` to `path` atomically: a temporary file in the same folder is written,
/// synced and renamed over `path`. On failure `path` is left as it was and the temporary file
/// is removed.
///
/// # Errors
/// When the folder is not writable, the disk is full, or the rename fails.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = temporary_beside(path)?;
    file.write_all(bytes)?;
    file.as_file().sync_all()?;
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Like [`write_atomic`] for writers that take a path rather than bytes: `write` gets a fresh
/// temporary path in `path`'s folder (no file there yet), and what it writes there is synced
/// and renamed over `path`. On failure, whatever it wrote is removed and `path` is left as it
/// was.
///
/// # Errors
/// The error of `write`, or of syncing or renaming its file.
pub fn write_atomic_via_path(
    path: &Path,
    write: impl FnOnce(&Path) -> io::Result<()>,
) -> io::Result<()> {
    // The temporary path is reserved by creating the file, then freed for the writer; the
    // `TempPath` removes whatever is there if anything below fails.
    let tmp = temporary_beside(path)?.into_temp_path();
    std::fs::remove_file(&tmp)?;
    write(&tmp)?;
    File::open(&tmp)?.sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("unfold-io-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn replaces_the_file_and_leaves_no_temporary() {
        let dir = scratch("replace");
        let path = dir.join("a.json");
        write_atomic(&path, b"old").unwrap();
        write_atomic(&path, b"new").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        assert_eq!(entries(&dir), ["a.json"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_failed_writer_keeps_the_old_file_and_cleans_up() {
        let dir = scratch("fail");
        let path = dir.join("model.bin");
        write_atomic(&path, b"old").unwrap();
        let result = write_atomic_via_path(&path, |tmp| {
            std::fs::write(tmp, b"half")?;
            Err::<(), io::Error>(io::Error::other("interrupted"))
        });
        assert_eq!(result.unwrap_err().to_string(), "interrupted");
        assert_eq!(std::fs::read(&path).unwrap(), b"old");
        assert_eq!(entries(&dir), ["model.bin"]);
        write_atomic_via_path(&path, |tmp| std::fs::write(tmp, b"new")).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn written_files_get_the_permissions_of_a_plain_create() {
        use std::os::unix::fs::PermissionsExt;
        let dir = scratch("mode");
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        std::fs::write(dir.join("plain"), b"x").unwrap();
        write_atomic(&dir.join("atomic"), b"x").unwrap();
        write_atomic_via_path(&dir.join("via"), |tmp| std::fs::write(tmp, b"x")).unwrap();
        let plain = mode(&dir.join("plain"));
        assert_eq!(mode(&dir.join("atomic")), plain);
        assert_eq!(mode(&dir.join("via")), plain);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_missing_folder_is_an_error() {
        let dir = scratch("missing");
        let err = write_atomic(&dir.join("no/such/a.json"), b"x").unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
