//! The crate's error type.

use std::path::PathBuf;

/// Everything that can go wrong while rendering or saving a figure.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VizError {
    /// The figure as a whole cannot be drawn (no panels, zero or huge size, …).
    #[error("invalid figure: {0}")]
    InvalidFigure(String),
    /// One panel is malformed (e.g. a region grid of the wrong length).
    #[error("invalid panel {index} ({title:?}): {reason}")]
    InvalidPanel {
        /// Position of the panel in [`crate::Figure::panels`].
        index: usize,
        /// The panel's title, to find it in the caller's code.
        title: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The file stem is not a plain file name.
    #[error("invalid file stem {stem:?}: {reason}")]
    InvalidStem {
        /// The stem as given.
        stem: String,
        /// Why it was refused.
        reason: String,
    },
    /// A bundled font could not be parsed (a build problem, not a data problem).
    #[error("the bundled font {0} could not be loaded")]
    Font(&'static str),
    /// plotters reported an error while drawing.
    #[error("drawing the {format} image failed: {message}")]
    Draw {
        /// `"PNG"` or `"SVG"`.
        format: &'static str,
        /// plotters' description of the failure.
        message: String,
    },
    /// The rendered pixels could not be encoded as PNG.
    #[error("encoding the PNG image for {path} failed: {message}")]
    Encode {
        /// The file the image was meant for.
        path: PathBuf,
        /// The encoder's description of the failure.
        message: String,
    },
    /// A file-system operation failed.
    #[error("cannot {action} {path}: {source}")]
    Io {
        /// What was being done, e.g. "create temporary file".
        action: &'static str,
        /// The path it was done to.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
}
