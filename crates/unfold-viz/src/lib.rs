#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

mod color;
mod draw;
mod error;
mod font;
mod geometry;
mod output;
mod text;
mod ticks;

use std::path::{Path, PathBuf};

pub use color::{Rgb, class_color};
pub use error::VizError;
pub use geometry::{Inspection, PanelGeometry, PixelRect};

/// One labelled set of 2-D points, drawn as small filled circles.
#[derive(Debug, Clone, PartialEq)]
pub struct Series2 {
    /// Legend text; an empty label gives the series no legend entry.
    pub label: String,
    /// Fill colour of the points.
    pub color: Rgb,
    /// The points as `[x, y]`; non-finite points are skipped and counted.
    pub points: Vec<[f32; 2]>,
}

/// One labelled set of 3-D points, drawn as small filled circles.
#[derive(Debug, Clone, PartialEq)]
pub struct Series3 {
    /// Legend text; an empty label gives the series no legend entry.
    pub label: String,
    /// Fill colour of the points.
    pub color: Rgb,
    /// The points as `[x, y, z]` (z is drawn as the vertical axis); points with
    /// any non-finite coordinate are skipped and counted.
    pub points: Vec<[f32; 3]>,
}

/// One labelled line of a [`Panel::Lines`] chart, e.g. a loss curve.
#[derive(Debug, Clone, PartialEq)]
pub struct Curve {
    /// Legend text; an empty label gives the curve no legend entry.
    pub label: String,
    /// Line colour.
    pub color: Rgb,
    /// The points as `(x, y)`, joined in the given order. A non-finite point
    /// (or a non-positive `y` on a log axis) is skipped and breaks the line.
    pub points: Vec<(f64, f64)>,
    /// Draw the line dashed (e.g. for validation or reference curves).
    pub dashed: bool,
}

/// A grey-scale image: one byte per pixel, row-major, 0 = background and 255 = full ink
/// (as in MNIST and Fashion-MNIST). [`Panel::ImageGrid`] draws ink dark on white.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrayImage {
    /// Width in pixels (at least 1).
    pub width: u32,
    /// Height in pixels (at least 1).
    pub height: u32,
    /// `width * height` intensities, row after row.
    pub pixels: Vec<u8>,
}

/// One image of a [`Panel::ImageGrid`], with the caption drawn under it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageTile {
    /// The image.
    pub image: GrayImage,
    /// Text under the image (may be empty); lines separated by `'\n'` are drawn one under
    /// the other, e.g. `"true 7\npred 1"`. A line too wide for its cell ends in an ellipsis.
    pub caption: String,
    /// Draw the caption and a frame in red, e.g. for a wrong prediction.
    pub highlight: bool,
}

/// One dot of a [`Panel::Dots`]: its own position, colour and size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dot {
    /// Horizontal position.
    pub x: f32,
    /// Vertical position.
    pub y: f32,
    /// Fill colour.
    pub color: Rgb,
    /// Radius in pixels at the nominal 640x520 panel size (scaled with the figure).
    pub radius: f32,
}

/// One chart of a [`Figure`].
#[derive(Debug, Clone, PartialEq)]
pub enum Panel {
    /// 2-D scatter plot, one colour + legend entry per series.
    Scatter2 {
        /// Panel title.
        title: String,
        /// Horizontal axis label.
        x_label: String,
        /// Vertical axis label.
        y_label: String,
        /// The point sets.
        series: Vec<Series2>,
        /// Optional remark drawn in red-ish text under the panel title.
        note: Option<String>,
    },
    /// 3-D scatter (plotters' cartesian 3d with a fixed pleasant view angle, axes labelled), legend.
    Scatter3 {
        /// Panel title.
        title: String,
        /// Label of the x axis (horizontal, running to the right).
        x_label: String,
        /// Label of the y axis (horizontal, running into the picture).
        y_label: String,
        /// Label of the z axis (vertical).
        z_label: String,
        /// The point sets.
        series: Vec<Series3>,
        /// Optional remark drawn in red-ish text under the panel title.
        note: Option<String>,
    },
    /// Line chart (e.g. loss or accuracy curves); `log_y` uses a log10 y axis (skip values <= 0 there, counting them like non-finite ones).
    Lines {
        /// Panel title.
        title: String,
        /// Horizontal axis label.
        x_label: String,
        /// Vertical axis label.
        y_label: String,
        /// Use a base-10 logarithmic y axis.
        log_y: bool,
        /// The curves.
        curves: Vec<Curve>,
        /// Optional remark drawn in red-ish text under the panel title.
        note: Option<String>,
    },
    /// Decision-region map of a 2-D input plane (as TensorFlow Playground shows): a `cols` x `rows` grid of class indices
    /// covering x_range × y_range (row 0 at y_range.0), painted with light tints of class_color(class), with the scatter series drawn on top.
    ///
    /// `classes` is row-major: the class of column `c`, row `r` is
    /// `classes[r * cols + c]`, and it paints the cell
    /// `[x0 + c·w, x0 + (c+1)·w] × [y0 + r·h, y0 + (r+1)·h]` with
    /// `w = (x1 - x0) / cols`, `h = (y1 - y0) / rows`; sampling the model at cell
    /// centres gives an exact picture. `classes.len()` must equal `cols * rows`.
    Regions {
        /// Panel title.
        title: String,
        /// Horizontal axis label.
        x_label: String,
        /// Vertical axis label.
        y_label: String,
        /// Horizontal extent of the grid (and of the plot).
        x_range: (f32, f32),
        /// Vertical extent of the grid (and of the plot).
        y_range: (f32, f32),
        /// Number of grid columns (along x).
        cols: usize,
        /// Number of grid rows (along y).
        rows: usize,
        /// Row-major class index per grid cell, `cols * rows` entries.
        classes: Vec<u32>,
        /// Points drawn on top of the regions (usually the data, coloured by class).
        series: Vec<Series2>,
        /// Optional remark drawn in red-ish text under the panel title.
        note: Option<String>,
    },
    /// A grid of small grey-scale images with captions, e.g. digits or garments with their
    /// true and predicted labels; highlighted tiles (wrong predictions) get a red frame and
    /// caption. Images are scaled uniformly to fill the cells (by a whole factor where that
    /// loses little space, so pixels stay square). The PNG draws the pixels; the SVG embeds
    /// each image as a small PNG drawn with crisp edges, which keeps the file small.
    ImageGrid {
        /// Panel title.
        title: String,
        /// The images, laid out row by row.
        tiles: Vec<ImageTile>,
        /// Images per row (>= 1; clamped to the number of images).
        columns: usize,
        /// Optional remark drawn in red-ish text under the panel title.
        note: Option<String>,
    },
    /// Dots that each carry their own colour and size (notebook 003's "rainbow sandwich"),
    /// optionally on a dark background and with fixed axis ranges (to compare panels).
    Dots {
        /// Panel title.
        title: String,
        /// Horizontal axis label.
        x_label: String,
        /// Vertical axis label.
        y_label: String,
        /// The dots, drawn in order (later ones on top).
        dots: Vec<Dot>,
        /// Black background with light text and axes.
        dark: bool,
        /// Fixed horizontal range; `None` fits the dots.
        x_range: Option<(f32, f32)>,
        /// Fixed vertical range; `None` fits the dots.
        y_range: Option<(f32, f32)>,
        /// Optional remark drawn in red-ish text under the panel title.
        note: Option<String>,
    },
    /// A function of two variables sampled on a regular grid, drawn as a 3-D surface
    /// (matplotlib's `plot_surface`): every grid cell a quadrilateral coloured by its height
    /// with a cool-warm map (blue low, red high), drawn back to front, with the view and axes
    /// of [`Panel::Scatter3`] (z up).
    ///
    /// `z` is row-major over the nodes: the node of column `c`, row `r` is
    /// `(x0 + c·(x1 − x0)/(cols − 1), y0 + r·(y1 − y0)/(rows − 1))` with height
    /// `z[r * cols + c]` — the order of `np.meshgrid(xs, ys)` raveled. A cell with a
    /// non-finite corner is left out (and counted in a note).
    Surface {
        /// Panel title.
        title: String,
        /// Label of the x axis.
        x_label: String,
        /// Label of the y axis.
        y_label: String,
        /// Label of the vertical axis (the height).
        z_label: String,
        /// Extent of the grid along x (first and last column).
        x_range: (f32, f32),
        /// Extent of the grid along y (first and last row).
        y_range: (f32, f32),
        /// Nodes along x (≥ 2).
        cols: usize,
        /// Nodes along y (≥ 2).
        rows: usize,
        /// Height at every node, `cols * rows` values, row after row.
        z: Vec<f32>,
        /// Fixed height range, e.g. to compare panels (values outside are clipped and
        /// counted); `None` fits the data. Colours span this range.
        z_range: Option<(f32, f32)>,
        /// Optional remark drawn in red-ish text under the panel title.
        note: Option<String>,
    },
}

impl Panel {
    /// The panel's title.
    pub fn title(&self) -> &str {
        match self {
            Panel::Scatter2 { title, .. }
            | Panel::Scatter3 { title, .. }
            | Panel::Lines { title, .. }
            | Panel::Regions { title, .. }
            | Panel::ImageGrid { title, .. }
            | Panel::Dots { title, .. }
            | Panel::Surface { title, .. } => title,
        }
    }
}

/// Pairs `(under, over)` of a [`Panel::Lines`] chart's labelled curves that lie on top of
/// each other over their whole length (the same x values, y values within a line's width of
/// the panel's range; `over` solid, since a dashed curve shows the one under it), so that
/// `under`, drawn first, cannot be seen.
pub fn coinciding_curves(curves: &[Curve], log_y: bool) -> Vec<(usize, usize)> {
    draw::lines::coinciding(curves, log_y)
}

/// The note a [`Panel::Lines`] chart shows under its title for the curves hidden under
/// others: wholly ([`coinciding_curves`]) or at nine points in ten or more, where the few
/// that differ would pass for the covering curve ("mostly hidden under LinearHiddenModel:
/// LinearModel"). `None` when no curve is hidden; an interactive view shows the same words.
pub fn hidden_curves_note(curves: &[Curve], log_y: bool) -> Option<String> {
    draw::lines::hidden_note(curves, log_y)
}

/// A grid of panels, rendered by [`save_figure`].
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// Optional overall title drawn above the panels.
    pub title: Option<String>,
    /// The charts, laid out row by row.
    pub panels: Vec<Panel>,
    /// Panels per row (>= 1); rows follow from the panel count.
    pub columns: usize,
    /// Size of one panel in pixels (e.g. (640, 520)).
    pub panel_size: (u32, u32),
}

/// Renders `frames` as an animated GIF `<dir>/<stem>.gif` (looping, `frame_delay_ms` per
/// frame, the last frame held three times as long), written atomically; returns its path.
///
/// # Errors
///
/// [`VizError`] when there are no frames, the frames differ in size, a frame is malformed,
/// or the file cannot be written.
pub fn save_animation(
    frames: &[Figure],
    dir: &Path,
    stem: &str,
    frame_delay_ms: u32,
) -> Result<PathBuf, VizError> {
    output::validate_stem(stem)?;
    font::ensure_registered()?;
    let path = dir.join(format!("{stem}.gif"));
    let fail = |message: String| VizError::Encode {
        path: path.clone(),
        message,
    };
    let first = frames
        .first()
        .ok_or_else(|| fail("an animation needs at least one frame".into()))?;
    let size = draw::Layout::new(first)?;
    let (width, height) = (size.width, size.height);
    let (w16, h16) = (
        u16::try_from(width).map_err(|_| fail(format!("{width} px is too wide for a GIF")))?,
        u16::try_from(height).map_err(|_| fail(format!("{height} px is too tall for a GIF")))?,
    );
    let mut bytes = Vec::new();
    {
        let mut encoder =
            gif::Encoder::new(&mut bytes, w16, h16, &[]).map_err(|e| fail(e.to_string()))?;
        encoder
            .set_repeat(gif::Repeat::Infinite)
            .map_err(|e| fail(e.to_string()))?;
        for (i, figure) in frames.iter().enumerate() {
            let layout = draw::Layout::new(figure)?;
            if (layout.width, layout.height) != (width, height) {
                return Err(fail(format!(
                    "frame {i} is {}x{} px, the first is {width}x{height}",
                    layout.width, layout.height
                )));
            }
            let rgb = draw::render_rgb(figure, &layout)?;
            let mut frame = gif::Frame::from_rgb_speed(w16, h16, &rgb, 10);
            let hold = if i + 1 == frames.len() { 3 } else { 1 };
            frame.delay = u16::try_from(frame_delay_ms * hold / 10).unwrap_or(u16::MAX);
            encoder
                .write_frame(&frame)
                .map_err(|e| fail(e.to_string()))?;
        }
    }
    output::write_atomic(&path, &bytes)?;
    Ok(path)
}

/// Renders the figure to `<dir>/<stem>.png` and `<dir>/<stem>.svg` (atomically), returning both paths.
///
/// Both images are drawn in memory before anything is written; each file is
/// then written to a hidden temporary file in `dir` and renamed into place.
/// `dir` must already exist. The returned paths are in the order PNG, SVG.
///
/// # Errors
///
/// [`VizError`] when the figure is malformed (no panels, a zero panel size, a
/// region grid whose size does not match `cols * rows`, …), when `stem` is not
/// a plain file name, when drawing or PNG encoding fails, or when a file cannot
/// be written (the error names the path). No temporary file is left behind.
pub fn save_figure(figure: &Figure, dir: &Path, stem: &str) -> Result<Vec<PathBuf>, VizError> {
    output::validate_stem(stem)?;
    let layout = draw::Layout::new(figure)?;
    font::ensure_registered()?;

    let png_path = dir.join(format!("{stem}.png"));
    let svg_path = dir.join(format!("{stem}.svg"));

    let rgb = draw::render_rgb(figure, &layout)?;
    let png = output::encode_png(&rgb, layout.width, layout.height, &png_path)?;
    let svg = draw::render_svg(figure, &layout)?;

    output::write_atomic(&png_path, &png)?;
    output::write_atomic(&svg_path, svg.as_bytes())?;
    Ok(vec![png_path, svg_path])
}

/// Renders the figure as [`save_figure`]'s PNG would show it, but with the legends left out,
/// and reports where each panel's plot area and legend box are: what a layout check needs
/// (series pixels outside their plot, or under a legend).
///
/// # Errors
///
/// [`VizError`] when the figure is malformed or drawing fails.
pub fn inspect(figure: &Figure) -> Result<Inspection, VizError> {
    let layout = draw::Layout::new(figure)?;
    font::ensure_registered()?;
    let (rgb, panels) = draw::render_rgb_with(figure, &layout, false)?;
    Ok(Inspection {
        width: layout.width,
        height: layout.height,
        rgb,
        panels,
    })
}
