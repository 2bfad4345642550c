//! Bitmap text with correct glyph placement.
//!
//! plotters 0.3.7 rasterises `ab_glyph` text without the glyphs' left side
//! bearings, so letters drift ("cl uster"). [`CrispText`] wraps a backend,
//! passes every shape through unchanged and draws text itself: glyphs at
//! their true (sub-pixel) positions with kerning, at the same em size and
//! anchor conventions as plotters' SVG backend, so PNG and SVG agree. The
//! SVG output is wrapped too, for the measurements only.

use ab_glyph::{Font, FontRef, Glyph, PxScale, ScaleFont, point};
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind,
    FontStyle,
};

use crate::font::faces;

/// A drawing backend that measures text with [`crate::font`]'s faces and
/// delegates everything else to the wrapped backend. With `raster` set it
/// also draws the text itself (bitmap); without, text goes to the wrapped
/// backend (SVG keeps real `<text>`), but layout still uses our measurements
/// so that both formats are laid out identically.
pub(crate) struct CrispText<B> {
    /// The wrapped backend.
    pub inner: B,
    /// Rasterise text here instead of passing it on.
    pub raster: bool,
}

/// plotters' SVG backend writes `font-size = size / 1.24`; we use the same em.
const EM_PER_SIZE: f64 = 1.0 / 1.24;
/// x-height of DejaVu Sans in ems (OS/2 sxHeight 1120 / 2048), used for the
/// `0.5ex` baseline shifts that the SVG backend applies.
const X_HEIGHT: f32 = 1120.0 / 2048.0;
/// Baseline below the top for top-anchored text (the SVG backend's `dy=0.76em`).
const TOP_BASELINE: f32 = 0.76;

/// One line of text, laid out at the origin (baseline y = 0).
struct Line<'f> {
    font: &'f FontRef<'static>,
    glyphs: Vec<Glyph>,
    width: f32,
    em: f32,
}

fn layout<'f>(
    faces: &'f (FontRef<'static>, FontRef<'static>),
    text: &str,
    style: FontStyle,
    size: f64,
) -> Line<'f> {
    let font = match style {
        FontStyle::Bold => &faces.1,
        _ => &faces.0,
    };
    let em = (size * EM_PER_SIZE).max(0.0) as f32;
    let units = font.units_per_em().unwrap_or(2048.0);
    let scale = PxScale::from(em * font.height_unscaled() / units);
    let scaled = font.as_scaled(scale);
    let mut glyphs = Vec::with_capacity(text.len());
    let mut pen = 0.0f32;
    let mut previous = None;
    for c in text.chars().filter(|c| !c.is_control()) {
        let id = scaled.glyph_id(c);
        if let Some(prev) = previous {
            pen += scaled.kern(prev, id);
        }
        glyphs.push(id.with_scale_and_position(scale, point(pen, 0.0)));
        pen += scaled.h_advance(id);
        previous = Some(id);
    }
    Line {
        font,
        glyphs,
        width: pen,
        em,
    }
}

impl<B: DrawingBackend> DrawingBackend for CrispText<B> {
    type ErrorType = B::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.ensure_prepared()
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.present()
    }

    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_path(path, style)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.fill_polygon(vert, style)
    }

    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.blit_bitmap(pos, size, src)
    }

    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        let color = style.color();
        if !self.raster {
            return self.inner.draw_text(text, style, pos);
        }
        if color.alpha == 0.0 {
            return Ok(());
        }
        let faces = faces().map_err(|e| DrawingErrorKind::FontError(Box::new(e)))?;
        let line = layout(faces, text, style.style(), style.size());
        let anchor = style.anchor();
        let dx = match anchor.h_pos {
            HPos::Left => 0.0,
            HPos::Center => -line.width / 2.0,
            HPos::Right => -line.width,
        };
        let baseline = match anchor.v_pos {
            VPos::Top => TOP_BASELINE * line.em,
            VPos::Center => 0.5 * X_HEIGHT * line.em,
            VPos::Bottom => -0.5 * X_HEIGHT * line.em,
        };
        let transform = style.transform();
        let (w, h) = self.get_size();
        for glyph in line.glyphs {
            let mut glyph = glyph;
            glyph.position = point(glyph.position.x + dx, glyph.position.y + baseline);
            let Some(outline) = line.font.outline_glyph(glyph) else {
                continue; // e.g. a space
            };
            let bounds = outline.px_bounds();
            let mut result = Ok(());
            outline.draw(|gx, gy, coverage| {
                if result.is_err() || coverage <= 0.0 {
                    return;
                }
                let x = bounds.min.x as i32 + gx as i32;
                let y = bounds.min.y as i32 + gy as i32;
                let (tx, ty) = transform.transform(x, y);
                let (px, py) = (pos.0 + tx, pos.1 + ty);
                if px >= 0 && py >= 0 && (px as u32) < w && (py as u32) < h {
                    let alpha = color.alpha * f64::from(coverage.min(1.0));
                    result = self.inner.draw_pixel(
                        (px, py),
                        BackendColor {
                            alpha,
                            rgb: color.rgb,
                        },
                    );
                }
            });
            result?;
        }
        Ok(())
    }

    fn estimate_text_size<S: BackendTextStyle>(
        &self,
        text: &str,
        style: &S,
    ) -> Result<(u32, u32), DrawingErrorKind<Self::ErrorType>> {
        let faces = faces().map_err(|e| DrawingErrorKind::FontError(Box::new(e)))?;
        let line = layout(faces, text, style.style(), style.size());
        Ok((
            line.width.ceil().max(0.0) as u32,
            line.em.ceil().max(0.0) as u32,
        ))
    }
}
