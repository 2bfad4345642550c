//! Turning rendered figures into files: PNG encoding and atomic writes.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::VizError;

/// Refuses stems that would not name a plain file inside the target directory.
pub(crate) fn validate_stem(stem: &str) -> Result<(), VizError> {
    let reason = if stem.is_empty() {
        Some("it is empty")
    } else if stem == "." || stem == ".." {
        Some("it is a directory reference")
    } else if stem.contains(['/', '\\']) {
        Some("it contains a path separator")
    } else if stem.contains('\0') {
        Some("it contains a NUL character")
    } else {
        None
    };
    match reason {
        Some(reason) => Err(VizError::InvalidStem {
            stem: stem.to_owned(),
            reason: reason.to_owned(),
        }),
        None => Ok(()),
    }
}

/// Encodes a tightly packed 8-bit RGB buffer as PNG bytes.
pub(crate) fn encode_png(
    rgb: &[u8],
    width: u32,
    height: u32,
    path: &Path,
) -> Result<Vec<u8>, VizError> {
    let fail = |message: String| VizError::Encode {
        path: path.to_owned(),
        message,
    };
    let mut bytes = Vec::with_capacity(rgb.len() / 8);
    {
        let mut encoder = png::Encoder::new(&mut bytes, width, height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.set_compression(png::Compression::Default);
        let mut writer = encoder.write_header().map_err(|e| fail(e.to_string()))?;
        writer
            .write_image_data(rgb)
            .map_err(|e| fail(e.to_string()))?;
        writer.finish().map_err(|e| fail(e.to_string()))?;
    }
    Ok(bytes)
}

/// Name of the temporary sibling used while writing `path`: hidden, and unique
/// per process and call so concurrent writers never share one.
fn temp_path(path: &Path) -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "figure".to_owned());
    path.with_file_name(format!(".{name}.tmp-{}-{n}", std::process::id()))
}

/// Writes `bytes` to `path` atomically: a temporary file in the same directory
/// is written, flushed to disk and renamed over `path`. On failure the
/// temporary file is removed and `path` is left as it was.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), VizError> {
    let tmp = temp_path(path);
    let result = write_then_rename(&tmp, path, bytes);
    if result.is_err() {
        // Best effort: the file may never have been created.
        let _ = fs::remove_file(&tmp);
    }
    result
}

fn write_then_rename(tmp: &Path, path: &Path, bytes: &[u8]) -> Result<(), VizError> {
    let io = |action: &'static str, at: &Path| {
        let at = at.to_owned();
        move |source| VizError::Io {
            action,
            path: at,
            source,
        }
    };
    let mut file = File::create(tmp).map_err(io("create temporary file", tmp))?;
    file.write_all(bytes)
        .map_err(io("write temporary file", tmp))?;
    file.sync_all().map_err(io("flush temporary file", tmp))?;
    drop(file);
    fs::rename(tmp, path).map_err(io("move temporary file into place as", path))?;
    Ok(())
}
