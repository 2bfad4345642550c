//! Where a rendered figure put its plots and legends, for checks of the layout (tests
//! assert that series stay inside their plot and that no legend covers them).

/// A rectangle in figure pixels: `x0..x1` by `y0..y1` (ends exclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PixelRect {
    /// Left edge.
    pub x0: i32,
    /// Top edge.
    pub y0: i32,
    /// Right edge (exclusive).
    pub x1: i32,
    /// Bottom edge (exclusive).
    pub y1: i32,
}

impl PixelRect {
    /// Whether the pixel `(x, y)` lies inside the rectangle grown by `grow` pixels.
    pub fn contains(&self, x: i32, y: i32, grow: i32) -> bool {
        x >= self.x0 - grow && x < self.x1 + grow && y >= self.y0 - grow && y < self.y1 + grow
    }
}

/// The layout of one panel: its plot area and, if it has one, its legend box.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PanelGeometry {
    /// Index of the panel in [`crate::Figure::panels`].
    pub panel: usize,
    /// The area inside the axes where series are drawn.
    pub plot: PixelRect,
    /// The legend's box, when the panel has a legend.
    pub legend: Option<PixelRect>,
}

/// A figure rendered for inspection: its pixels with the legends left out (so that what a
/// legend would hide stays visible) and where each panel's plot and legend are.
#[derive(Debug, Clone)]
pub struct Inspection {
    /// Image width in pixels.
    pub width: u32,
    /// Image height in pixels.
    pub height: u32,
    /// RGB bytes, row after row.
    pub rgb: Vec<u8>,
    /// One entry per panel that has axes, in panel order.
    pub panels: Vec<PanelGeometry>,
}
