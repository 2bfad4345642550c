//! Drawing: one implementation, generic over the plotters backend, used for
//! both the bitmap (PNG) and the SVG output.

use std::cell::{Cell, RefCell};
use std::fmt::Display;

use plotters::coord::Shift;
use plotters::coord::cartesian::{Cartesian2d, Cartesian3d};
use plotters::element::ComposedElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::color::{rgb, tint};
use crate::font::FAMILY;
use crate::text::CrispText;
use crate::ticks::{Axis, Ticks, pad, padded_range};
use crate::{Figure, ImageTile, Panel, Rgb, Series2, Series3, VizError, class_color};

mod clip;
mod legend;
pub(crate) mod lines;
mod surface;

use crate::geometry::{PanelGeometry, PixelRect};

/// Largest image side in pixels, and largest pixel count, that we agree to draw.
const MAX_SIDE: u64 = 20_000;
const MAX_PIXELS: u64 = 120_000_000;

/// Colour of ordinary text.
const TEXT: RGBColor = RGBColor(34, 34, 34);
/// Colour of caller-supplied notes (red-ish, readable on white).
const NOTE: RGBColor = RGBColor(192, 36, 40);
/// Colour of the automatic "values not shown" notes.
const WARN: RGBColor = RGBColor(166, 84, 0);
/// Axis lines and plot frame.
const AXIS: RGBColor = RGBColor(110, 110, 110);
/// Nominal text sizes (plotters units; the em is size / 1.24 pixels) for a
/// 640x520 panel; scaled with the panel size.
const SIZE_FIGURE_TITLE: f64 = 31.0;
const SIZE_TITLE: f64 = 27.0;
const SIZE_AXIS: f64 = 19.5;
const SIZE_TICK: f64 = 16.5;
const SIZE_LEGEND: f64 = 17.5;
const SIZE_NOTE: f64 = 17.5;
/// Em (pixels) of a nominal size, before scaling.
const EM: f64 = 1.0 / 1.24;
/// Colour of tick labels.
const TICK_TEXT: RGBColor = RGBColor(68, 68, 68);
/// Major and minor grid lines.
const GRID_BOLD: RGBColor = RGBColor(222, 222, 222);
const GRID_LIGHT: RGBColor = RGBColor(240, 240, 240);

/// Pixel geometry of a figure, checked before anything is drawn.
pub(crate) struct Layout {
    /// Image width in pixels.
    pub width: u32,
    /// Image height in pixels.
    pub height: u32,
    columns: usize,
    rows: usize,
    title_height: u32,
    scale: f64,
}

impl Layout {
    /// Checks the figure and computes its size.
    pub fn new(figure: &Figure) -> Result<Layout, VizError> {
        let n = figure.panels.len();
        if n == 0 {
            return Err(VizError::InvalidFigure("it has no panels".into()));
        }
        let (pw, ph) = figure.panel_size;
        if pw < 120 || ph < 100 {
            return Err(VizError::InvalidFigure(format!(
                "panel size {pw}x{ph} is too small to be legible (minimum 120x100)"
            )));
        }
        let columns = figure.columns.clamp(1, n);
        let rows = n.div_ceil(columns);
        let scale = (f64::from(pw) / 640.0)
            .min(f64::from(ph) / 520.0)
            .clamp(0.4, 4.0);
        let has_title = figure
            .title
            .as_deref()
            .is_some_and(|t| !t.trim().is_empty());
        let title_height = if has_title {
            (48.0 * scale).round() as u32
        } else {
            0
        };
        let width = u64::from(pw) * columns as u64;
        let height = u64::from(ph) * rows as u64 + u64::from(title_height);
        if width > MAX_SIDE || height > MAX_SIDE || width * height > MAX_PIXELS {
            return Err(VizError::InvalidFigure(format!(
                "the image would be {width}x{height} pixels, more than this crate draws \
                 (at most {MAX_SIDE} per side and {MAX_PIXELS} in all)"
            )));
        }
        for (index, panel) in figure.panels.iter().enumerate() {
            check_panel(panel).map_err(|reason| VizError::InvalidPanel {
                index,
                title: panel.title().to_owned(),
                reason,
            })?;
        }
        Ok(Layout {
            // Both fit in u32: they are at most MAX_SIDE.
            width: width as u32,
            height: height as u32,
            columns,
            rows,
            title_height,
            scale,
        })
    }
}

/// Largest side of an image in a [`Panel::ImageGrid`].
const MAX_IMAGE_SIDE: u32 = 4096;

/// Structural checks that do not depend on the data values.
fn check_panel(panel: &Panel) -> Result<(), String> {
    if let Panel::ImageGrid { tiles, .. } = panel {
        for (i, tile) in tiles.iter().enumerate() {
            let image = &tile.image;
            let (w, h) = (image.width, image.height);
            if w == 0 || h == 0 || w > MAX_IMAGE_SIDE || h > MAX_IMAGE_SIDE {
                return Err(format!(
                    "image {i} is {w}x{h} pixels; each side must be within 1..={MAX_IMAGE_SIDE}"
                ));
            }
            if image.pixels.len() as u64 != u64::from(w) * u64::from(h) {
                return Err(format!(
                    "image {i} is {w}x{h} but has {} pixel values",
                    image.pixels.len()
                ));
            }
        }
    }
    if let Panel::Dots {
        x_range, y_range, ..
    } = panel
    {
        let ok =
            |r: &Option<(f32, f32)>| r.is_none_or(|(a, b)| a.is_finite() && b.is_finite() && a < b);
        if !ok(x_range) || !ok(y_range) {
            return Err(format!(
                "fixed dot ranges must be finite and increasing (x_range {x_range:?}, y_range {y_range:?})"
            ));
        }
    }
    if let Panel::Regions {
        x_range,
        y_range,
        cols,
        rows,
        classes,
        ..
    } = panel
    {
        if *cols == 0 || *rows == 0 {
            return Err(format!(
                "the region grid is {cols}x{rows}; both must be at least 1"
            ));
        }
        match cols.checked_mul(*rows) {
            Some(cells) if cells == classes.len() => {}
            _ => {
                return Err(format!(
                    "the region grid is {cols} columns x {rows} rows but has {} class entries",
                    classes.len()
                ));
            }
        }
        let finite = |r: &(f32, f32)| r.0.is_finite() && r.1.is_finite();
        if !finite(x_range) || !finite(y_range) {
            return Err(format!(
                "the region ranges must be finite (x_range {x_range:?}, y_range {y_range:?})"
            ));
        }
    }
    if let Some(grid) = surface_grid(panel) {
        surface::check(&grid)?;
    }
    Ok(())
}

/// The grid of a [`Panel::Surface`].
fn surface_grid(panel: &Panel) -> Option<surface::SurfaceGrid<'_>> {
    match panel {
        Panel::Surface {
            x_range,
            y_range,
            cols,
            rows,
            z,
            z_range,
            ..
        } => Some(surface::SurfaceGrid {
            x_range: *x_range,
            y_range: *y_range,
            cols: *cols,
            rows: *rows,
            z,
            z_range: *z_range,
        }),
        _ => None,
    }
}

/// Draws the figure into an RGB buffer of `layout.width x layout.height`.
pub(crate) fn render_rgb(figure: &Figure, layout: &Layout) -> Result<Vec<u8>, VizError> {
    Ok(render_rgb_with(figure, layout, true)?.0)
}

/// [`render_rgb`], with or without the legends, and where each panel's plot and legend went.
pub(crate) fn render_rgb_with(
    figure: &Figure,
    layout: &Layout,
    legends: bool,
) -> Result<(Vec<u8>, Vec<PanelGeometry>), VizError> {
    let ctx = Ctx::new("PNG", layout.scale, legends);
    let len = layout.width as usize * layout.height as usize * 3;
    let mut buffer = vec![255u8; len];
    {
        let root = CrispText {
            inner: BitMapBackend::with_buffer(&mut buffer, (layout.width, layout.height)),
            raster: true,
        }
        .into_drawing_area();
        draw_figure(&root, figure, layout, &ctx)?;
        root.present().map_err(ctx.err())?;
    }
    Ok((buffer, ctx.geometry.into_inner()))
}

/// Draws the figure as an SVG document.
pub(crate) fn render_svg(figure: &Figure, layout: &Layout) -> Result<String, VizError> {
    let ctx = Ctx::new("SVG", layout.scale, true);
    let mut svg = String::new();
    {
        let root = CrispText {
            inner: SVGBackend::with_string(&mut svg, (layout.width, layout.height)),
            raster: false,
        }
        .into_drawing_area();
        draw_figure(&root, figure, layout, &ctx)?;
        root.present().map_err(ctx.err())?;
    }
    let embedded = ctx.embedded.into_inner();
    if !embedded.is_empty() {
        let end = svg.rfind("</svg>").ok_or_else(|| VizError::Draw {
            format: "SVG",
            message: "the SVG document has no closing tag".into(),
        })?;
        svg.insert_str(end, &embedded.concat());
    }
    Ok(svg)
}

/// What every drawing function needs: the output format (for errors) and the
/// scale of sizes relative to a 640x520 panel.
struct Ctx {
    format: &'static str,
    s: f64,
    /// SVG `<image>` elements to add on top of the drawing (images of a
    /// [`Panel::ImageGrid`] go into the SVG as embedded PNGs, not as one
    /// rectangle per pixel run).
    embedded: RefCell<Vec<String>>,
    /// Draw legends (an inspection leaves them out to see what they would cover).
    legends: bool,
    /// Index of the panel being drawn.
    panel: Cell<usize>,
    /// Plot and legend boxes of the panels drawn so far.
    geometry: RefCell<Vec<PanelGeometry>>,
}

impl Ctx {
    fn new(format: &'static str, s: f64, legends: bool) -> Ctx {
        Ctx {
            format,
            s,
            embedded: RefCell::new(Vec::new()),
            legends,
            panel: Cell::new(0),
            geometry: RefCell::new(Vec::new()),
        }
    }

    /// Records the plot area of the current panel.
    fn set_plot(&self, plot: PixelRect) {
        self.geometry.borrow_mut().push(PanelGeometry {
            panel: self.panel.get(),
            plot,
            legend: None,
        });
    }

    /// Records the legend box of the current panel (after its plot area).
    fn set_legend(&self, rect: PixelRect) {
        if let Some(last) = self.geometry.borrow_mut().last_mut()
            && last.panel == self.panel.get()
        {
            last.legend = Some(rect);
        }
    }

    /// Maps a plotters error to [`VizError::Draw`].
    fn err<E: Display>(&self) -> impl Fn(E) -> VizError + use<E> {
        let format = self.format;
        move |e| VizError::Draw {
            format,
            message: e.to_string(),
        }
    }

    /// A length given for a 640x520 panel, scaled to this figure.
    fn px(&self, v: f64) -> f64 {
        v * self.s
    }

    /// A scaled length in whole pixels, at least `min`.
    fn ipx(&self, v: f64, min: i32) -> i32 {
        (v * self.s).round().max(f64::from(min)) as i32
    }

    /// Regular text of nominal size `size` (scaled).
    fn font(&self, size: f64) -> TextStyle<'static> {
        TextStyle::from((FAMILY, self.px(size)).into_font()).color(&TEXT)
    }

    /// Bold text of nominal size `size` (scaled).
    fn bold(&self, size: f64) -> TextStyle<'static> {
        TextStyle::from((FAMILY, self.px(size), FontStyle::Bold).into_font()).color(&TEXT)
    }
}

fn draw_figure<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    figure: &Figure,
    layout: &Layout,
    ctx: &Ctx,
) -> Result<(), VizError> {
    // A figure of dark panels only is dark all over: no white title bar or empty cell.
    let dark = !figure.panels.is_empty()
        && figure
            .panels
            .iter()
            .all(|p| matches!(p, Panel::Dots { dark: true, .. }));
    root.fill(if dark { &BLACK } else { &WHITE })
        .map_err(ctx.err())?;
    let (top, body) = root.split_vertically(layout.title_height);
    if let Some(title) = figure.title.as_deref().filter(|t| !t.trim().is_empty()) {
        let style = ctx
            .bold(SIZE_FIGURE_TITLE)
            .color(if dark { &WHITE } else { &TEXT })
            .pos(Pos::new(HPos::Center, VPos::Center));
        let (w, h) = top.dim_in_pixel();
        let text = fit_text(&top, title, &style, f64::from(w) - ctx.px(24.0));
        top.draw_text(
            &text,
            &style,
            (w as i32 / 2, h as i32 / 2 + ctx.ipx(6.0, 1)),
        )
        .map_err(ctx.err())?;
    }
    let cells = body.split_evenly((layout.rows, layout.columns));
    for (index, (panel, cell)) in figure.panels.iter().zip(cells.iter()).enumerate() {
        ctx.panel.set(index);
        match panel {
            Panel::Scatter2 {
                title,
                x_label,
                y_label,
                series,
                note,
            } => scatter2(cell, title, x_label, y_label, series, note.as_deref(), ctx)?,
            Panel::Scatter3 {
                title,
                x_label,
                y_label,
                z_label,
                series,
                note,
            } => scatter3(
                cell,
                title,
                [x_label, y_label, z_label],
                series,
                note.as_deref(),
                ctx,
            )?,
            Panel::Lines {
                title,
                x_label,
                y_label,
                log_y,
                curves,
                note,
            } => lines::lines(
                cell,
                title,
                x_label,
                y_label,
                *log_y,
                curves,
                note.as_deref(),
                ctx,
            )?,
            Panel::Regions {
                title,
                x_label,
                y_label,
                x_range,
                y_range,
                cols,
                rows,
                classes,
                series,
                note,
            } => regions(
                cell,
                title,
                x_label,
                y_label,
                RegionGrid {
                    x_range: *x_range,
                    y_range: *y_range,
                    cols: *cols,
                    rows: *rows,
                    classes,
                },
                series,
                note.as_deref(),
                ctx,
            )?,
            Panel::ImageGrid {
                title,
                tiles,
                columns,
                note,
            } => image_grid(cell, title, tiles, *columns, note.as_deref(), ctx)?,
            Panel::Dots {
                title,
                x_label,
                y_label,
                dots: points,
                dark,
                x_range,
                y_range,
                note,
            } => dots(
                cell,
                title,
                Labels {
                    x: x_label,
                    y: y_label,
                },
                points,
                *dark,
                (*x_range, *y_range),
                note.as_deref(),
                ctx,
            )?,
            Panel::Surface {
                title,
                x_label,
                y_label,
                z_label,
                note,
                ..
            } => surface::surface(
                cell,
                title,
                [x_label, y_label, z_label],
                &surface_grid(panel).expect("a surface panel"),
                note.as_deref(),
                ctx,
            )?,
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Text helpers
// ---------------------------------------------------------------------------

/// `text`, shortened with an ellipsis if it is wider than `max_width` pixels.
fn fit_text<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    style: &TextStyle,
    max_width: f64,
) -> String {
    let width = |t: &str| {
        area.estimate_text_size(t, style)
            .map(|(w, _)| f64::from(w))
            .unwrap_or(0.0)
    };
    if width(text) <= max_width {
        return text.to_owned();
    }
    let chars: Vec<char> = text.chars().collect();
    // Largest prefix that fits together with the ellipsis (binary search).
    let (mut lo, mut hi) = (0usize, chars.len());
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        let candidate: String = chars[..mid].iter().collect::<String>() + "…";
        if width(&candidate) <= max_width {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    chars[..lo].iter().collect::<String>().trim_end().to_owned() + "…"
}

/// Width in pixels of the widest of `texts`.
fn max_text_width<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    texts: &[String],
    style: &TextStyle,
) -> u32 {
    texts
        .iter()
        .filter_map(|t| area.estimate_text_size(t, style).ok())
        .map(|(w, _)| w)
        .max()
        .unwrap_or(0)
}

/// Notes shown under a panel title: the caller's note first, then warnings.
fn notes(note: Option<&str>, warnings: Vec<String>) -> Vec<(String, RGBColor)> {
    let mut out = Vec::new();
    if let Some(note) = note.map(str::trim).filter(|n| !n.is_empty()) {
        out.push((note.to_owned(), NOTE));
    }
    out.extend(warnings.into_iter().map(|w| (w, WARN)));
    out
}

/// "3 non-finite points not shown" (or nothing for zero).
fn count_note(count: usize, what: &str, plural: &str) -> Option<String> {
    match count {
        0 => None,
        1 => Some(format!("1 {what} not shown")),
        n => Some(format!("{n} {plural} not shown")),
    }
}

/// Draws the panel title and notes; returns the area left for the chart.
fn header<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    notes: &[(String, RGBColor)],
    ctx: &Ctx,
) -> Result<DrawingArea<DB, Shift>, VizError> {
    header_in(area, title, notes, TEXT, ctx)
}

/// [`header`] with the title in `title_color` (light text on dark panels).
fn header_in<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    notes: &[(String, RGBColor)],
    title_color: RGBColor,
    ctx: &Ctx,
) -> Result<DrawingArea<DB, Shift>, VizError> {
    let (w, _) = area.dim_in_pixel();
    let side = ctx.px(14.0);
    let max_width = f64::from(w) - 2.0 * side;
    // Top-anchored text spans about one em below its anchor (ascender to
    // descender, with the SVG convention of the baseline at 0.76 em).
    let mut y = ctx.px(12.0);
    if !title.trim().is_empty() {
        let style = ctx
            .bold(SIZE_TITLE)
            .color(&title_color)
            .pos(Pos::new(HPos::Center, VPos::Top));
        let text = fit_text(area, title, &style, max_width);
        area.draw_text(&text, &style, (w as i32 / 2, y as i32))
            .map_err(ctx.err())?;
        y += ctx.px(SIZE_TITLE * EM + 10.0);
    }
    for (note, color) in notes {
        let style = ctx
            .font(SIZE_NOTE)
            .color(color)
            .pos(Pos::new(HPos::Left, VPos::Top));
        let text = fit_text(area, note, &style, max_width);
        area.draw_text(&text, &style, (side as i32, y as i32))
            .map_err(ctx.err())?;
        y += ctx.px(SIZE_NOTE * EM + 6.0);
    }
    y += ctx.px(4.0);
    Ok(area.split_vertically(y.round() as i32).1)
}

// ---------------------------------------------------------------------------
// 2-D charts: frame, mesh, legend, points
// ---------------------------------------------------------------------------

type Chart2d<'a, DB> = ChartContext<'a, DB, Cartesian2d<Axis, Axis>>;

/// Axis labels of a 2-D chart.
struct Labels<'t> {
    x: &'t str,
    y: &'t str,
}

/// How many labelled ticks fit along an axis of `pixels` length.
fn tick_budget(pixels: f64, spacing: f64, ctx: &Ctx) -> usize {
    (pixels / ctx.px(spacing)).floor().clamp(3.0, 10.0) as usize
}

/// Builds a 2-D chart whose label areas fit the tick labels and axis titles.
fn chart2d<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    x: &Ticks,
    y: &Ticks,
    labels: &Labels,
    ctx: &Ctx,
) -> Result<Chart2d<'a, DB>, VizError> {
    let tick_font = ctx.font(SIZE_TICK);
    // An axis title takes one em plus a gap to the tick labels.
    let desc = |label: &str| {
        if label.trim().is_empty() {
            ctx.px(4.0)
        } else {
            ctx.px(SIZE_AXIS * EM + 10.0)
        }
    };
    let tick_w = f64::from(max_text_width(area, y.labels(), &tick_font));
    // plotters puts tick labels two tick lengths away from the axis.
    let tick = f64::from(ctx.ipx(4.0, 2));
    let y_area = tick_w + 2.0 * tick + desc(labels.y);
    let x_area = ctx.px(SIZE_TICK * EM) + 2.0 * tick + desc(labels.x);
    ChartBuilder::on(area)
        .margin_top(ctx.px(4.0))
        .margin_right(ctx.px(24.0))
        .margin_bottom(ctx.px(10.0))
        .margin_left(ctx.px(12.0))
        .x_label_area_size(x_area.round() as i32)
        .y_label_area_size(y_area.round() as i32)
        .build_cartesian_2d(x.coord(), y.coord())
        .map_err(ctx.err())
}

/// Draws grid, axes, tick labels and axis titles. `on_colour` uses white grid
/// lines that stay visible on a painted background.
fn mesh<DB: DrawingBackend>(
    chart: &mut Chart2d<'_, DB>,
    x: &Ticks,
    y: &Ticks,
    labels: &Labels,
    on_colour: bool,
    ctx: &Ctx,
) -> Result<(), VizError> {
    let x_fmt = |v: &f64| x.label(*v);
    let y_fmt = |v: &f64| y.label(*v);
    let (bold, light): (ShapeStyle, ShapeStyle) = if on_colour {
        (WHITE.mix(0.55).stroke_width(1), TRANSPARENT.stroke_width(1))
    } else {
        (GRID_BOLD.stroke_width(1), GRID_LIGHT.stroke_width(1))
    };
    let mut mesh = chart.configure_mesh();
    mesh.x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .label_style(ctx.font(SIZE_TICK).color(&TICK_TEXT))
        .axis_desc_style(ctx.font(SIZE_AXIS))
        .bold_line_style(bold)
        .light_line_style(light)
        .axis_style(AXIS.stroke_width(1))
        .set_all_tick_mark_size(ctx.ipx(4.0, 2));
    if !labels.x.trim().is_empty() {
        mesh.x_desc(labels.x);
    }
    if !labels.y.trim().is_empty() {
        mesh.y_desc(labels.y);
    }
    mesh.draw().map_err(ctx.err())
}

/// A thin frame around the plotting area.
fn frame<DB: DrawingBackend, CT: CoordTranslate>(
    chart: &ChartContext<'_, DB, CT>,
    ctx: &Ctx,
) -> Result<(), VizError> {
    let area = chart.plotting_area().strip_coord_spec();
    let (w, h) = area.dim_in_pixel();
    area.draw(&Rectangle::new(
        [(0, 0), (w as i32 - 1, h as i32 - 1)],
        AXIS.stroke_width(1),
    ))
    .map_err(ctx.err())
}

/// Point radius (pixels) for a panel with `n` points in all.
fn point_radius(n: usize, ctx: &Ctx) -> i32 {
    let r = match n {
        0..=800 => 3.4,
        801..=3000 => 2.7,
        3001..=12_000 => 2.0,
        _ => 1.5,
    };
    ctx.ipx(r, 1)
}

/// See [`marker`].
type Marker<C, DB> = ComposedElement<C, DB, Circle<(i32, i32), i32>, Circle<(i32, i32), i32>>;

/// A point marker: a filled circle, with a thin white rim when `rim` is set
/// (keeps overlapping points apart and points visible on coloured regions).
fn marker<C, DB: DrawingBackend>(at: C, radius: i32, fill: RGBAColor, rim: bool) -> Marker<C, DB> {
    let rim = if rim { WHITE.mix(0.9) } else { TRANSPARENT };
    EmptyElement::at(at)
        + Circle::new((0, 0), radius, fill.filled())
        + Circle::new((0, 0), radius, rim.stroke_width(1))
}

/// Finite points of each series (as f64) and the number of skipped ones.
fn finite_series(series: &[Series2]) -> (Vec<Vec<(f64, f64)>>, usize) {
    let mut skipped = 0;
    let kept = series
        .iter()
        .map(|s| {
            s.points
                .iter()
                .filter(|p| {
                    let ok = p[0].is_finite() && p[1].is_finite();
                    skipped += usize::from(!ok);
                    ok
                })
                .map(|p| (f64::from(p[0]), f64::from(p[1])))
                .collect()
        })
        .collect();
    (kept, skipped)
}

/// Draws the points of each series.
fn draw_points<DB: DrawingBackend>(
    chart: &mut Chart2d<'_, DB>,
    series: &[Series2],
    points: &[Vec<(f64, f64)>],
    rim: bool,
    ctx: &Ctx,
) -> Result<(), VizError> {
    let (radius, alpha, rim) = point_style(points, rim, ctx);
    for (s, pts) in series.iter().zip(points) {
        let fill = rgb(s.color).mix(alpha);
        chart
            .draw_series(pts.iter().map(|&p| marker(p, radius, fill, rim)))
            .map_err(ctx.err())?;
    }
    Ok(())
}

/// Radius, opacity and rim of the points of a scatter with these series.
fn point_style<P>(points: &[Vec<P>], rim: bool, ctx: &Ctx) -> (i32, f64, bool) {
    let total: usize = points.iter().map(Vec::len).sum();
    let alpha = if total > 3000 { 0.7 } else { 0.9 };
    (point_radius(total, ctx), alpha, rim || total <= 3000)
}

/// One dot entry per labelled series.
fn dot_entries<'a>(series: impl IntoIterator<Item = (&'a str, Rgb)>) -> Vec<legend::Entry> {
    legend::entries(
        series
            .into_iter()
            .map(|(label, color)| (label, legend::Swatch::Dot { color })),
    )
}

/// The points of a 2-D chart as legend obstacles (figure pixels).
fn point_obstacles<DB: DrawingBackend>(
    chart: &Chart2d<'_, DB>,
    points: &[Vec<(f64, f64)>],
    ctx: &Ctx,
) -> legend::Obstacles {
    let (radius, _, _) = point_style(points, false, ctx);
    legend::Obstacles::dots(
        points.iter().flatten().map(|p| chart.backend_coord(p)),
        radius,
    )
}

// ---------------------------------------------------------------------------
// Panels
// ---------------------------------------------------------------------------

fn scatter2<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    x_label: &str,
    y_label: &str,
    series: &[Series2],
    note: Option<&str>,
    ctx: &Ctx,
) -> Result<(), VizError> {
    let (points, skipped) = finite_series(series);
    let warnings = count_note(skipped, "non-finite point", "non-finite points")
        .into_iter()
        .collect();
    let body = header(area, title, &notes(note, warnings), ctx)?;
    let (w, h) = body.dim_in_pixel();
    let all = || points.iter().flatten();
    let (x0, x1) = padded_range(all().map(|p| p.0), 0.05);
    let (y0, y1) = padded_range(all().map(|p| p.1), 0.05);
    let x = Ticks::linear(x0, x1, tick_budget(f64::from(w), 90.0, ctx));
    let y = Ticks::linear(y0, y1, tick_budget(f64::from(h), 60.0, ctx));
    let labels = Labels {
        x: x_label,
        y: y_label,
    };
    let entries = dot_entries(series.iter().map(|s| (s.label.as_str(), s.color)));
    let placement = {
        let chart = chart2d(&body, &x, &y, &labels, ctx)?;
        let obstacles = point_obstacles(&chart, &points, ctx);
        legend::placement(&body, &chart, &entries, &obstacles, &legend::CORNERS, ctx)
    };
    let chart_area = legend::chart_area(&body, &placement, ctx);
    let mut chart = chart2d(&chart_area, &x, &y, &labels, ctx)?;
    let plot = legend::plot_rect(&chart);
    ctx.set_plot(plot);
    mesh(&mut chart, &x, &y, &labels, false, ctx)?;
    draw_points(&mut chart, series, &points, false, ctx)?;
    frame(&chart, ctx)?;
    legend::finish(&body, &chart_area, plot, &placement, &entries, ctx)
}

/// The grid part of a [`Panel::Regions`].
struct RegionGrid<'a> {
    x_range: (f32, f32),
    y_range: (f32, f32),
    cols: usize,
    rows: usize,
    classes: &'a [u32],
}

#[allow(clippy::too_many_arguments)]
fn regions<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    x_label: &str,
    y_label: &str,
    grid: RegionGrid,
    series: &[Series2],
    note: Option<&str>,
    ctx: &Ctx,
) -> Result<(), VizError> {
    // Axis extents; a zero-width range is widened, and then the grid covers
    // the widened range (keeping the caller's orientation otherwise).
    let extent = |(a, b): (f32, f32)| {
        let (a, b) = (f64::from(a), f64::from(b));
        let (lo, hi) = pad(a, b, 0.0);
        let grid_ends = if a == b { (lo, hi) } else { (a, b) };
        ((lo, hi), grid_ends)
    };
    let ((x0, x1), (gx0, gx1)) = extent(grid.x_range);
    let ((y0, y1), (gy0, gy1)) = extent(grid.y_range);

    let (mut points, skipped) = finite_series(series);
    let mut outside = 0;
    for pts in &mut points {
        pts.retain(|&(px, py)| {
            let inside = px >= x0 && px <= x1 && py >= y0 && py <= y1;
            outside += usize::from(!inside);
            inside
        });
    }
    let warnings = [
        count_note(skipped, "non-finite point", "non-finite points"),
        count_note(outside, "point outside the map", "points outside the map"),
    ]
    .into_iter()
    .flatten()
    .collect();
    let body = header(area, title, &notes(note, warnings), ctx)?;
    let (w, h) = body.dim_in_pixel();
    let x = Ticks::linear(x0, x1, tick_budget(f64::from(w), 90.0, ctx));
    let y = Ticks::linear(y0, y1, tick_budget(f64::from(h), 60.0, ctx));
    let labels = Labels {
        x: x_label,
        y: y_label,
    };
    let entries = dot_entries(series.iter().map(|s| (s.label.as_str(), s.color)));
    let placement = {
        let chart = chart2d(&body, &x, &y, &labels, ctx)?;
        let obstacles = point_obstacles(&chart, &points, ctx);
        legend::placement(&body, &chart, &entries, &obstacles, &legend::CORNERS, ctx)
    };
    let chart_area = legend::chart_area(&body, &placement, ctx);
    let mut chart = chart2d(&chart_area, &x, &y, &labels, ctx)?;
    let plot = legend::plot_rect(&chart);
    ctx.set_plot(plot);

    // Cells, merged into horizontal runs of one class (keeps the SVG small).
    // Cell edges are computed from the same formula on both sides, so
    // neighbouring cells share their edge exactly and leave no gaps.
    let cw = (gx1 - gx0) / grid.cols as f64;
    let rh = (gy1 - gy0) / grid.rows as f64;
    let mut cells = Vec::new();
    for (r, row) in grid.classes.chunks(grid.cols).enumerate() {
        let ya = gy0 + r as f64 * rh;
        let yb = gy0 + (r + 1) as f64 * rh;
        let mut start = 0;
        for c in 1..=row.len() {
            if c == row.len() || row[c] != row[start] {
                let xa = gx0 + start as f64 * cw;
                let xb = gx0 + c as f64 * cw;
                let color = tint(class_color(row[start] as usize), 0.26);
                cells.push(Rectangle::new([(xa, ya), (xb, yb)], color.filled()));
                start = c;
            }
        }
    }
    chart.draw_series(cells).map_err(ctx.err())?;
    mesh(&mut chart, &x, &y, &labels, true, ctx)?;
    draw_points(&mut chart, series, &points, true, ctx)?;
    frame(&chart, ctx)?;
    legend::finish(&body, &chart_area, plot, &placement, &entries, ctx)
}

fn scatter3<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    axis_labels: [&str; 3],
    series: &[Series3],
    note: Option<&str>,
    ctx: &Ctx,
) -> Result<(), VizError> {
    // Finite points as (x, z, y): plotters' second axis is the vertical one,
    // and we want the caller's z to point up.
    let mut skipped = 0;
    let points: Vec<Vec<(f64, f64, f64)>> = series
        .iter()
        .map(|s| {
            s.points
                .iter()
                .filter(|p| {
                    let ok = p.iter().all(|v| v.is_finite());
                    skipped += usize::from(!ok);
                    ok
                })
                .map(|p| (f64::from(p[0]), f64::from(p[2]), f64::from(p[1])))
                .collect()
        })
        .collect();
    let warnings = count_note(skipped, "non-finite point", "non-finite points")
        .into_iter()
        .collect();
    let body = header(area, title, &notes(note, warnings), ctx)?;
    let all = || points.iter().flatten();
    let range = |f: fn(&(f64, f64, f64)) -> f64| padded_range(all().map(f), 0.04);
    let ((ax0, ax1), (av0, av1), (ad0, ad1)) = (range(|p| p.0), range(|p| p.1), range(|p| p.2));
    let x = Ticks::linear(ax0, ax1, 5);
    let v = Ticks::linear(av0, av1, 5);
    let d = Ticks::linear(ad0, ad1, 5);

    let entries = dot_entries(series.iter().map(|s| (s.label.as_str(), s.color)));
    let total: usize = points.iter().map(Vec::len).sum();
    let radius = point_radius(total, ctx);
    let placement = {
        let chart = chart3d(&body, [&x, &v, &d], ctx)?;
        let coord = chart.as_coord_spec();
        let obstacles =
            legend::Obstacles::dots(points.iter().flatten().map(|p| coord.translate(p)), radius);
        // The cube leaves the upper corners free; prefer the upper right.
        legend::placement(&body, &chart, &entries, &obstacles, &legend::CORNERS, ctx)
    };
    let chart_area = legend::chart_area(&body, &placement, ctx);
    let mut chart = chart3d(&chart_area, [&x, &v, &d], ctx)?;
    axes3d(&mut chart, [&x, &v, &d], axis_labels, ctx)?;
    let plot = legend::plot_rect(&chart);
    ctx.set_plot(plot);

    // All points in one pass, farthest first, so nearer points cover farther ones.
    let alpha = if total > 3000 { 0.75 } else { 0.92 };
    let rim = total <= 3000;
    let coord = chart.as_coord_spec();
    let mut ordered: Vec<(i32, (f64, f64, f64), Rgb)> = series
        .iter()
        .zip(&points)
        .flat_map(|(s, pts)| {
            pts.iter()
                .map(move |p| (coord.projected_depth(&p.0, &p.1, &p.2), *p, s.color))
        })
        .collect();
    ordered.sort_by_key(|(depth, _, _)| std::cmp::Reverse(*depth));
    chart
        .draw_series(
            ordered
                .into_iter()
                .map(|(_, p, c)| marker(p, radius, rgb(c).mix(alpha), rim)),
        )
        .map_err(ctx.err())?;
    legend::finish(&body, &chart_area, plot, &placement, &entries, ctx)
}

/// A 3-D chart over the axes `[x, v, d]` (v vertical) in `body`, with the fixed view;
/// nothing drawn yet ([`axes3d`] draws the axes).
fn chart3d<'a, DB: DrawingBackend>(
    body: &'a DrawingArea<DB, Shift>,
    [x, v, d]: [&Ticks; 3],
    ctx: &Ctx,
) -> Result<Chart3d<'a, DB>, VizError> {
    let mut chart = ChartBuilder::on(body)
        .margin(ctx.px(8.0))
        .build_cartesian_3d(x.coord(), v.coord(), d.coord())
        .map_err(ctx.err())?;
    chart.with_projection(|mut pb| {
        pb.yaw = VIEW_YAW;
        pb.pitch = VIEW_PITCH;
        pb.scale = 0.78;
        pb.into_matrix()
    });
    Ok(chart)
}

/// Draws the axis panels, grid and ticks of a 3-D chart, and writes the axis titles beside them.
fn axes3d<DB: DrawingBackend>(
    chart: &mut Chart3d<'_, DB>,
    [x, v, d]: [&Ticks; 3],
    axis_labels: [&str; 3],
    ctx: &Ctx,
) -> Result<(), VizError> {
    let x_fmt = |t: &f64| x.label(*t);
    let v_fmt = |t: &f64| v.label(*t);
    let d_fmt = |t: &f64| d.label(*t);
    chart
        .configure_axes()
        .label_style(ctx.font(SIZE_TICK - 1.0).color(&TICK_TEXT))
        .tick_size(ctx.ipx(4.0, 2))
        .x_formatter(&x_fmt)
        .y_formatter(&v_fmt)
        .z_formatter(&d_fmt)
        .axis_panel_style(RGBColor(246, 246, 249).filled())
        .bold_grid_style(RGBColor(214, 214, 220).stroke_width(1))
        .light_grid_style(RGBColor(234, 234, 238).stroke_width(1))
        .draw()
        .map_err(ctx.err())?;
    axis_titles_3d(&*chart, [x, v, d], axis_labels, ctx)
}

type Chart3d<'a, DB> = ChartContext<'a, DB, Cartesian3d<Axis, Axis, Axis>>;

/// The fixed 3-D view: yaw and pitch of plotters' projection (radians).
const VIEW_YAW: f64 = 0.62;
const VIEW_PITCH: f64 = 0.32;

/// Writes the three axis titles next to the edges on which plotters draws the
/// tick labels, pushed outwards from the centre of the cube.
///
/// Which edges carry the ticks depends only on the projection, which is fixed
/// ([`VIEW_YAW`], [`VIEW_PITCH`]); for this view they are the two front
/// bottom edges and the left vertical edge.
fn axis_titles_3d<DB: DrawingBackend>(
    chart: &ChartContext<'_, DB, Cartesian3d<Axis, Axis, Axis>>,
    [x, v, d]: [&Ticks; 3],
    [x_label, y_label, z_label]: [&str; 3],
    ctx: &Ctx,
) -> Result<(), VizError> {
    let coord = chart.as_coord_spec();
    let mid = |t: &Ticks| (t.lo + t.hi) / 2.0;
    let centre = coord.translate(&(mid(x), mid(v), mid(d)));
    let area = chart.plotting_area().strip_coord_spec();
    let base = area.get_base_pixel();
    let tick_w = [v.labels()]
        .iter()
        .map(|l| f64::from(max_text_width(&area, l, &ctx.font(SIZE_TICK - 1.0))))
        .fold(0.0, f64::max);
    let titles = [
        (x_label, (mid(x), v.lo, d.hi), false),
        (y_label, (x.hi, v.lo, mid(d)), false),
        (z_label, (x.lo, mid(v), d.hi), true),
    ];
    for (label, at, vertical) in titles {
        if label.trim().is_empty() {
            continue;
        }
        let p = coord.translate(&at);
        let (px, py) = if vertical {
            // Left of the tick labels, written bottom-to-top like a 2-D y axis.
            let gap = tick_w + ctx.px(4.0) * 2.0 + ctx.px(SIZE_AXIS * EM * 0.5 + 12.0);
            (f64::from(p.0) - gap, f64::from(p.1))
        } else {
            let (dx, dy) = (f64::from(p.0 - centre.0), f64::from(p.1 - centre.1));
            let len = dx.hypot(dy).max(1.0);
            let dist = ctx.px(46.0);
            (
                f64::from(p.0) + dx / len * dist,
                f64::from(p.1) + dy / len * dist,
            )
        };
        let mut style = ctx
            .font(SIZE_AXIS)
            .pos(Pos::new(HPos::Center, VPos::Center));
        if vertical {
            style = style.transform(FontTransform::Rotate270);
        }
        let text = fit_text(&area, label, &style, ctx.px(260.0));
        area.draw_text(
            &text,
            &style,
            (px.round() as i32 - base.0, py.round() as i32 - base.1),
        )
        .map_err(ctx.err())?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Image grids
// ---------------------------------------------------------------------------

/// Frame around an image that is not highlighted.
const IMAGE_FRAME: RGBColor = RGBColor(200, 200, 200);

fn image_grid<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    tiles: &[ImageTile],
    columns: usize,
    note: Option<&str>,
    ctx: &Ctx,
) -> Result<(), VizError> {
    let warnings = if tiles.is_empty() {
        vec!["no images to show".to_owned()]
    } else {
        Vec::new()
    };
    let body = header(area, title, &notes(note, warnings), ctx)?;
    if tiles.is_empty() {
        return Ok(());
    }
    let (w, h) = body.dim_in_pixel();
    let cols = columns.clamp(1, tiles.len());
    let rows = tiles.len().div_ceil(cols);
    let margin = ctx.px(10.0);
    let cell_w = (f64::from(w) - 2.0 * margin).max(1.0) / cols as f64;
    let cell_h = (f64::from(h) - margin).max(1.0) / rows as f64;
    let caption_font = ctx.font(SIZE_CAPTION);
    let line_h = ctx.px(SIZE_CAPTION * EM * 1.2);
    let caption_gap = ctx.px(4.0);
    let max_lines = tiles
        .iter()
        .map(|t| caption_lines(&t.caption).len())
        .max()
        .unwrap_or(0);
    let caption_h = if max_lines > 0 {
        max_lines as f64 * line_h + caption_gap
    } else {
        0.0
    };
    let pad = ctx.px(5.0);
    let max_w = tiles.iter().map(|t| t.image.width).max().unwrap_or(1);
    let max_h = tiles.iter().map(|t| t.image.height).max().unwrap_or(1);
    let fit = ((cell_w - 2.0 * pad) / f64::from(max_w))
        .min((cell_h - 2.0 * pad - caption_h) / f64::from(max_h))
        .max(0.05);
    // Whole-pixel scaling keeps pixels square, unless it would waste much space.
    let scale = if fit >= 2.0 && fit.floor() / fit >= 0.85 {
        fit.floor()
    } else {
        fit
    };
    let base = body.get_base_pixel();

    for (k, tile) in tiles.iter().enumerate() {
        let (r, c) = (k / cols, k % cols);
        let image = &tile.image;
        let (iw, ih) = (
            f64::from(image.width) * scale,
            f64::from(image.height) * scale,
        );
        let cx = margin + (c as f64 + 0.5) * cell_w;
        let x0 = cx - iw / 2.0;
        let y0 = r as f64 * cell_h + (cell_h - ih - caption_h) / 2.0;
        // Pixel edges come from one formula, so neighbours share them exactly.
        let at = |origin: f64, i: usize| (origin + i as f64 * scale).round() as i32;
        let width = image.width as usize;
        let (left, top) = (at(x0, 0), at(y0, 0));
        let (right, bottom) = (at(x0, width), at(y0, image.height as usize));
        if ctx.format == "SVG" {
            let png = gray_png(image, ctx)?;
            ctx.embedded.borrow_mut().push(format!(
                "<image x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" \
                 preserveAspectRatio=\"none\" image-rendering=\"optimizeSpeed\" \
                 style=\"image-rendering:crisp-edges;image-rendering:pixelated\" \
                 href=\"data:image/png;base64,{}\"/>\n",
                base.0 + left,
                base.1 + top,
                right - left,
                bottom - top,
                base64(&png)
            ));
        } else {
            for (y, row) in image.pixels.chunks(width).enumerate() {
                let mut start = 0;
                for x in 1..=row.len() {
                    if x < row.len() && row[x] == row[start] {
                        continue;
                    }
                    if row[start] != 0 {
                        let g = 255 - row[start];
                        body.draw(&Rectangle::new(
                            [(at(x0, start), at(y0, y)), (at(x0, x), at(y0, y + 1))],
                            RGBColor(g, g, g).filled(),
                        ))
                        .map_err(ctx.err())?;
                    }
                    start = x;
                }
            }
        }
        let (color, stroke) = if tile.highlight {
            (NOTE, ctx.ipx(2.0, 1))
        } else {
            (IMAGE_FRAME, 1)
        };
        for i in 0..stroke {
            body.draw(&Rectangle::new(
                [(left - 1 - i, top - 1 - i), (right + i, bottom + i)],
                color.stroke_width(1),
            ))
            .map_err(ctx.err())?;
        }
        let color = if tile.highlight { &NOTE } else { &TEXT };
        let style = caption_font
            .clone()
            .color(color)
            .pos(Pos::new(HPos::Center, VPos::Top));
        for (i, line) in caption_lines(&tile.caption).iter().enumerate() {
            let text = fit_text(&body, line, &style, cell_w - ctx.px(4.0));
            let y = f64::from(bottom + stroke) + caption_gap + i as f64 * line_h;
            body.draw_text(&text, &style, (cx.round() as i32, y.round() as i32))
                .map_err(ctx.err())?;
        }
    }
    Ok(())
}

/// Nominal text size of image captions.
const SIZE_CAPTION: f64 = 15.5;

/// The non-empty lines of a caption.
fn caption_lines(caption: &str) -> Vec<&str> {
    caption
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect()
}

/// The image as an 8-bit grey PNG, ink dark on white as in the bitmap output.
fn gray_png(image: &crate::GrayImage, ctx: &Ctx) -> Result<Vec<u8>, VizError> {
    let fail = |e: png::EncodingError| VizError::Draw {
        format: ctx.format,
        message: format!("encoding an embedded image: {e}"),
    };
    let inverted: Vec<u8> = image.pixels.iter().map(|&v| 255 - v).collect();
    let mut bytes = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut bytes, image.width, image.height);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().map_err(fail)?;
        writer.write_image_data(&inverted).map_err(fail)?;
        writer.finish().map_err(fail)?;
    }
    Ok(bytes)
}

/// Standard base64 (RFC 4648, with padding).
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Dots with their own colour and size
// ---------------------------------------------------------------------------

/// Background, text and grid colours of a dark panel.
const DARK_BACKGROUND: RGBColor = RGBColor(0, 0, 0);
const DARK_TEXT: RGBColor = RGBColor(235, 235, 235);
const DARK_GRID: RGBColor = RGBColor(60, 60, 60);

/// An optional fixed axis range.
type FixedRange = Option<(f32, f32)>;

#[allow(clippy::too_many_arguments)]
fn dots<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    labels: Labels,
    points: &[crate::Dot],
    dark: bool,
    (x_range, y_range): (FixedRange, FixedRange),
    note: Option<&str>,
    ctx: &Ctx,
) -> Result<(), VizError> {
    let (ink, grid) = if dark {
        area.fill(&DARK_BACKGROUND).map_err(ctx.err())?;
        (DARK_TEXT, DARK_GRID)
    } else {
        (TEXT, GRID_BOLD)
    };
    let finite: Vec<&crate::Dot> = points
        .iter()
        .filter(|d| d.x.is_finite() && d.y.is_finite() && d.radius.is_finite())
        .collect();
    let skipped = points.len() - finite.len();
    let warnings = count_note(skipped, "non-finite dot", "non-finite dots")
        .into_iter()
        .collect();
    let body = header_in(area, title, &notes(note, warnings), ink, ctx)?;
    let range = |fixed: Option<(f32, f32)>, values: Vec<f64>| match fixed {
        Some((a, b)) => (f64::from(a), f64::from(b)),
        None => padded_range(values, 0.05),
    };
    let (x0, x1) = range(x_range, finite.iter().map(|d| f64::from(d.x)).collect());
    let (y0, y1) = range(y_range, finite.iter().map(|d| f64::from(d.y)).collect());
    let label_style = ctx.font(SIZE_TICK).color(&ink);
    let axis_style = ctx.font(SIZE_AXIS).color(&ink);
    let mut chart = ChartBuilder::on(&body)
        .margin(ctx.ipx(10.0, 2))
        .x_label_area_size(ctx.ipx(52.0, 10))
        .y_label_area_size(ctx.ipx(64.0, 10))
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(ctx.err())?;
    ctx.set_plot(legend::plot_rect(&chart));
    chart
        .configure_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(grid.stroke_width(1))
        .axis_style(ink.stroke_width(1))
        .label_style(label_style)
        .axis_desc_style(axis_style)
        .x_desc(labels.x)
        .y_desc(labels.y)
        .x_labels(6)
        .y_labels(6)
        .draw()
        .map_err(ctx.err())?;
    let inside = |d: &&&crate::Dot| {
        let (x, y) = (f64::from(d.x), f64::from(d.y));
        x >= x0 && x <= x1 && y >= y0 && y <= y1
    };
    chart
        .draw_series(finite.iter().filter(inside).map(|d| {
            let (r, g, b) = d.color;
            let radius = (f64::from(d.radius.max(0.0)) * ctx.s).round().max(1.0) as i32;
            Circle::new(
                (f64::from(d.x), f64::from(d.y)),
                radius,
                RGBColor(r, g, b).filled(),
            )
        }))
        .map_err(ctx.err())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::base64;

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        for (input, expected) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(input.as_bytes()), expected);
        }
    }
}
