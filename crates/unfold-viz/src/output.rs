//! Turning rendered figures into files: PNG encoding and atomic writes.

use std::path::Path;

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

/// Writes `bytes` to `path` atomically (`unfold_io::write_atomic`: a temporary file in the
/// same folder, synced, renamed over `path`); on failure `path` is left as it was and no
/// temporary file remains.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), VizError> {
    unfold_io::write_atomic(path, bytes).map_err(|source| VizError::Io {
        action: "write",
        path: path.to_owned(),
        source,
    })
}
