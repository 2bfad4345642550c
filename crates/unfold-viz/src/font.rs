//! The bundled DejaVu Sans font, registered with plotters once per process.

use std::sync::OnceLock;

use ab_glyph::FontRef;
use plotters::style::{FontStyle, register_font};

use crate::VizError;

/// Font family written into every text style. plotters uses it as the lookup
/// key for the registered font, and the SVG backend copies it verbatim into
/// `font-family`, where it is a CSS list: viewers use DejaVu Sans when it is
/// installed and fall back to their sans-serif font otherwise.
pub(crate) const FAMILY: &str = "DejaVu Sans, sans-serif";

static REGULAR: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../assets/DejaVuSans-Bold.ttf");

/// Registers DejaVu Sans (regular and bold) with plotters under [`FAMILY`]
/// and under plain `sans-serif` (plotters' default family); later calls are free.
pub(crate) fn ensure_registered() -> Result<(), VizError> {
    static DONE: OnceLock<Result<(), &'static str>> = OnceLock::new();
    let result = DONE.get_or_init(|| {
        for family in [FAMILY, "sans-serif"] {
            register_font(family, FontStyle::Normal, REGULAR).map_err(|_| "DejaVuSans.ttf")?;
            register_font(family, FontStyle::Bold, BOLD).map_err(|_| "DejaVuSans-Bold.ttf")?;
        }
        Ok(())
    });
    (*result).map_err(VizError::Font)?;
    faces().map(|_| ())
}

/// The parsed faces (regular, bold) for drawing bitmap text ourselves.
pub(crate) fn faces() -> Result<&'static (FontRef<'static>, FontRef<'static>), VizError> {
    static FACES: OnceLock<Result<(FontRef<'static>, FontRef<'static>), &'static str>> =
        OnceLock::new();
    FACES
        .get_or_init(|| {
            let regular = FontRef::try_from_slice(REGULAR).map_err(|_| "DejaVuSans.ttf")?;
            let bold = FontRef::try_from_slice(BOLD).map_err(|_| "DejaVuSans-Bold.ttf")?;
            Ok((regular, bold))
        })
        .as_ref()
        .map_err(|name| VizError::Font(name))
}
