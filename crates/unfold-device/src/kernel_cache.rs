//! The persistent cache of compiled GPU kernels and autotune results.
//!
//! The GPU backends (`wgpu`, `cuda`) compile every kernel the first time a process launches it
//! and autotune the big ones (matrix products, reductions): seconds to minutes before the first
//! training step, in every new process. CubeCL can keep both in a small database between runs;
//! [`enable`] turns that on and puts the database in a per-user folder ([`dir`]), so only the
//! first run on a machine pays. `unfold cache clear` ([`clear`]) empties it, e.g. after a
//! driver update or to measure a cold start.
//!
//! The folder is `$UNFOLD_KERNEL_CACHE` when set (`off` disables the cache), else
//! `$XDG_CACHE_HOME/unfold/kernels`, else `~/.cache/unfold/kernels`. A build without a GPU
//! backend has nothing to cache, and these functions do nothing.

use std::path::{Path, PathBuf};

/// The environment variable that moves the cache (a folder) or turns it off (`off`).
pub const ENV: &str = "UNFOLD_KERNEL_CACHE";

/// Where the cache lives: [`ENV`], else the per-user cache folder. `None` when the cache is
/// turned off (`UNFOLD_KERNEL_CACHE=off`).
pub fn dir() -> Option<PathBuf> {
    match std::env::var_os(ENV) {
        Some(value) if value.eq_ignore_ascii_case("off") => None,
        Some(value) if !value.is_empty() => Some(PathBuf::from(value)),
        _ => Some(user_cache_root().join("unfold").join("kernels")),
    }
}

fn user_cache_root() -> PathBuf {
    if let Some(xdg) = std::env::var_os("XDG_CACHE_HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(xdg);
    }
    if let Some(home) = std::env::var_os("HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(home).join(".cache");
    }
    std::env::temp_dir()
}

/// Whether this binary has a GPU backend whose kernels can be cached.
pub fn is_supported() -> bool {
    cfg!(any(feature = "wgpu", feature = "cuda"))
}

/// Turns the persistent kernel and autotune cache on, in `dir` (see [`dir`]); with `None`,
/// turns persistence off. Must run before any GPU device is opened; returns `false` when
/// CubeCL was already configured (a device was opened first) or the build has no GPU backend.
///
/// A `cubecl.toml` the user keeps in the working directory is still read; only the cache
/// location and the kernel cache switch are set here.
#[allow(unused_variables)]
pub fn enable(dir: Option<&Path>) -> bool {
    #[cfg(any(feature = "wgpu", feature = "cuda"))]
    {
        use burn::cubecl::config::{CubeClRuntimeConfig, RuntimeConfig, cache::CacheConfig};
        let mut config = CubeClRuntimeConfig::from_current_dir().override_from_env();
        match dir {
            Some(dir) => {
                if std::fs::create_dir_all(dir).is_err() {
                    // An unwritable folder costs a recompile, never a failure.
                    return false;
                }
                config.environment.path = CacheConfig::Directory(dir.to_path_buf());
                config.compilation.cache = true;
                config.autotune.disable_cache = false;
            }
            None => {
                config.compilation.cache = false;
                config.autotune.disable_cache = true;
            }
        }
        CubeClRuntimeConfig::try_set(config)
    }
    #[cfg(not(any(feature = "wgpu", feature = "cuda")))]
    false
}

/// What the cache holds: its files and their total size in bytes.
pub fn usage(dir: &Path) -> (usize, u64) {
    let mut files = 0;
    let mut bytes = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            match entry.metadata() {
                Ok(m) if m.is_dir() => stack.push(entry.path()),
                Ok(m) => {
                    files += 1;
                    bytes += m.len();
                }
                Err(_) => {}
            }
        }
    }
    (files, bytes)
}

/// Whether `name` is a file the cache writes: CubeCL's database `<environment>.db` and the
/// journal files beside it.
fn is_cache_file(name: &str) -> bool {
    [".db", ".db-wal", ".db-shm", ".db-tshm", ".db-journal"]
        .iter()
        .any(|suffix| name.ends_with(suffix))
}

/// Empties the cache folder (the folder itself stays). Returns the files and bytes removed.
///
/// Only a folder that holds nothing but the cache's own files is emptied: `$UNFOLD_KERNEL_CACHE`
/// may name any folder, and a folder of the user's (a home folder, say) must never lose a file
/// to `unfold cache clear`.
///
/// # Errors
/// When the folder holds anything else (named in the error; nothing is removed then), or a
/// file cannot be removed (permissions, or a running process holding it on a platform that
/// forbids that).
pub fn clear(dir: &Path) -> std::io::Result<(usize, u64)> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries.collect::<std::io::Result<Vec<_>>>()?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((0, 0)),
        Err(e) => return Err(e),
    };
    let mut files = Vec::new();
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !entry.file_type()?.is_file() || !is_cache_file(&name) {
            return Err(std::io::Error::other(format!(
                "it holds {name}, which the kernel cache did not write, so nothing was removed \
                 (does ${ENV} name a folder of your own? the cache keeps only <name>.db files)"
            )));
        }
        files.push((entry.path(), entry.metadata()?.len()));
    }
    let mut removed = (0, 0);
    for (path, bytes) in files {
        std::fs::remove_file(&path)?;
        removed = (removed.0 + 1, removed.1 + bytes);
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clear_empties_a_cache_folder_and_counts_what_it_removed() {
        let root = std::env::temp_dir().join(format!("unfold-kernel-cache-{}", std::process::id()));
        std::fs::create_dir_all(&root).unwrap();
        std::fs::write(root.join("default.db"), [0u8; 100]).unwrap();
        std::fs::write(root.join("default.db-wal"), [0u8; 10]).unwrap();
        assert_eq!(usage(&root), (2, 110));
        assert_eq!(clear(&root).unwrap(), (2, 110));
        assert_eq!(usage(&root), (0, 0));
        assert!(root.is_dir());
        std::fs::remove_dir_all(&root).unwrap();
        assert_eq!(clear(&root).unwrap(), (0, 0));
    }

    #[test]
    fn clear_refuses_a_folder_holding_anything_else_and_removes_nothing() {
        let root = std::env::temp_dir().join(format!("unfold-not-a-cache-{}", std::process::id()));
        for foreign in ["grades.csv", "Documents"] {
            std::fs::create_dir_all(&root).unwrap();
            std::fs::write(root.join("default.db"), [0u8; 100]).unwrap();
            if foreign.contains('.') {
                std::fs::write(root.join(foreign), b"mine").unwrap();
            } else {
                std::fs::create_dir_all(root.join(foreign)).unwrap();
            }
            let error = clear(&root).unwrap_err().to_string();
            assert!(error.contains(foreign) && error.contains(ENV), "{error}");
            assert!(root.join(foreign).exists() && root.join("default.db").is_file());
            std::fs::remove_dir_all(&root).unwrap();
        }
    }
}
