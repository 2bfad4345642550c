//! Legends drawn by us rather than by plotters, so that their box is known before anything
//! is drawn: it goes into the corner of the plot that no series touches (measured against
//! the series' pixels), and below the plot when every corner is taken.

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{Ctx, SIZE_LEGEND, max_text_width};
use crate::Rgb;
use crate::color::rgb;
use crate::geometry::PixelRect;

/// How a legend entry shows its series.
#[derive(Debug, Clone, Copy)]
pub(super) enum Swatch {
    /// A short line, solid or dashed.
    Line { color: Rgb, dashed: bool },
    /// A filled dot.
    Dot { color: Rgb },
}

/// One labelled entry.
#[derive(Debug, Clone)]
pub(super) struct Entry {
    pub label: String,
    pub swatch: Swatch,
}

/// What the series occupy, in figure pixels: segments (a point is a segment of length
/// zero), each grown by `pad` pixels on every side.
#[derive(Debug, Default)]
pub(super) struct Obstacles {
    pub segments: Vec<((f64, f64), (f64, f64))>,
    pub pad: f64,
}

impl Obstacles {
    /// Dots of `radius` pixels at `pixels` (figure pixels), with 2 pixels to spare.
    pub fn dots(pixels: impl Iterator<Item = (i32, i32)>, radius: i32) -> Self {
        Self {
            segments: pixels
                .map(|(a, b)| {
                    let p = (f64::from(a), f64::from(b));
                    (p, p)
                })
                .collect(),
            pad: f64::from(radius) + 2.0,
        }
    }

    /// Whether any segment comes within `pad` of the rectangle.
    fn touch(&self, r: &PixelRect) -> bool {
        let (x0, y0) = (f64::from(r.x0) - self.pad, f64::from(r.y0) - self.pad);
        let (x1, y1) = (f64::from(r.x1) + self.pad, f64::from(r.y1) + self.pad);
        self.segments
            .iter()
            .any(|&(a, b)| super::clip::segment_in_box(a, b, (x0, y0), (x1, y1)).is_some())
    }
}

/// The measured size of a legend, laid out in `columns` columns.
#[derive(Debug, Clone, Copy)]
pub(super) struct Size {
    entry_w: f64,
    line_h: f64,
    margin: f64,
    icon: f64,
    columns: usize,
    rows: usize,
}

impl Size {
    fn width(&self) -> i32 {
        (self.columns as f64 * self.entry_w + 2.0 * self.margin).ceil() as i32
    }
    fn height(&self) -> i32 {
        (self.rows as f64 * self.line_h + 2.0 * self.margin).ceil() as i32
    }
    /// Height of a strip below the plot that holds the legend.
    pub fn strip_height(&self, ctx: &Ctx) -> i32 {
        self.height() + ctx.ipx(8.0, 2)
    }
}

/// Measures a one-column legend, or one with as many columns as fit into `max_width`.
pub(super) fn measure<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[Entry],
    max_width: Option<f64>,
    ctx: &Ctx,
) -> Size {
    let labels: Vec<String> = entries.iter().map(|e| e.label.clone()).collect();
    let text_w = f64::from(max_text_width(area, &labels, &ctx.font(SIZE_LEGEND)));
    let margin = ctx.px(8.0);
    let icon = ctx.px(28.0);
    let entry_w = icon + ctx.px(8.0) + text_w + ctx.px(14.0);
    let columns = match max_width {
        Some(w) => (((w - 2.0 * margin) / entry_w).floor() as usize).clamp(1, entries.len().max(1)),
        None => 1,
    };
    Size {
        entry_w,
        line_h: ctx.px(SIZE_LEGEND * 1.2),
        margin,
        icon,
        columns,
        rows: entries.len().div_ceil(columns),
    }
}

/// The first corner of `plot` (upper right, upper left, lower right, lower left, or the
/// `order` given) where a legend of `size` touches no obstacle.
pub(super) fn free_corner(
    plot: PixelRect,
    size: &Size,
    obstacles: &Obstacles,
    order: &[(bool, bool)],
    ctx: &Ctx,
) -> Option<PixelRect> {
    let inset = ctx.ipx(6.0, 2);
    let (w, h) = (size.width(), size.height());
    if w + 2 * inset > plot.x1 - plot.x0 || h + 2 * inset > plot.y1 - plot.y0 {
        return None;
    }
    order.iter().find_map(|&(right, top)| {
        let x0 = if right {
            plot.x1 - inset - w
        } else {
            plot.x0 + inset
        };
        let y0 = if top {
            plot.y0 + inset
        } else {
            plot.y1 - inset - h
        };
        let rect = PixelRect {
            x0,
            y0,
            x1: x0 + w,
            y1: y0 + h,
        };
        (!obstacles.touch(&rect)).then_some(rect)
    })
}

/// Corners tried for 2-D charts, in order of preference.
pub(super) const CORNERS: [(bool, bool); 4] =
    [(true, true), (false, true), (true, false), (false, false)];

/// The legend's box in the strip below a plot whose left edge is at `x0`, strip starting at `y0`.
pub(super) fn below(x0: i32, y0: i32, size: &Size, ctx: &Ctx) -> PixelRect {
    let y0 = y0 + ctx.ipx(4.0, 1);
    PixelRect {
        x0,
        y0,
        x1: x0 + size.width(),
        y1: y0 + size.height(),
    }
}

/// Draws the legend into `rect` (figure pixels) on `area`, unless the context hides legends.
pub(super) fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    rect: PixelRect,
    size: &Size,
    entries: &[Entry],
    ctx: &Ctx,
) -> Result<(), crate::VizError> {
    ctx.set_legend(rect);
    if !ctx.legends {
        return Ok(());
    }
    let base = area.get_base_pixel();
    let at = |x: f64, y: f64| ((x.round() as i32) - base.0, (y.round() as i32) - base.1);
    let (x0, y0) = (f64::from(rect.x0), f64::from(rect.y0));
    let corners = [
        at(x0, y0),
        at(f64::from(rect.x1) - 1.0, f64::from(rect.y1) - 1.0),
    ];
    area.draw(&Rectangle::new(corners, WHITE.filled()))
        .map_err(ctx.err())?;
    area.draw(&Rectangle::new(
        corners,
        RGBColor(190, 190, 190).stroke_width(1),
    ))
    .map_err(ctx.err())?;
    let font = ctx
        .font(SIZE_LEGEND)
        .pos(Pos::new(HPos::Left, VPos::Center));
    let width = ctx.ipx(2.2, 1) as u32;
    for (i, entry) in entries.iter().enumerate() {
        let (col, row) = (i % size.columns, i / size.columns);
        let left = x0 + size.margin + col as f64 * size.entry_w;
        let mid = y0 + size.margin + (row as f64 + 0.5) * size.line_h;
        let (a, b) = (at(left, mid), at(left + size.icon, mid));
        match entry.swatch {
            Swatch::Line { color, dashed } => {
                let style = rgb(color).stroke_width(width);
                if dashed {
                    area.draw(&DashedPathElement::new(
                        vec![a, b],
                        ctx.ipx(8.0, 3),
                        ctx.ipx(5.0, 2),
                        style,
                    ))
                } else {
                    area.draw(&PathElement::new(vec![a, b], style))
                }
            }
            Swatch::Dot { color } => area.draw(&Circle::new(
                at(left + size.icon / 2.0, mid),
                ctx.ipx(4.5, 2),
                rgb(color).filled(),
            )),
        }
        .map_err(ctx.err())?;
        area.draw_text(&entry.label, &font, at(left + size.icon + ctx.px(8.0), mid))
            .map_err(ctx.err())?;
    }
    Ok(())
}

/// The plot area of a chart, in figure pixels.
pub(super) fn plot_rect<DB: DrawingBackend, CT: CoordTranslate>(
    chart: &ChartContext<'_, DB, CT>,
) -> PixelRect {
    let (xs, ys) = chart.plotting_area().get_pixel_range();
    PixelRect {
        x0: xs.start,
        y0: ys.start,
        x1: xs.end,
        y1: ys.end,
    }
}

/// Where a panel's legend goes.
pub(super) enum Placement {
    /// No entry has a label.
    Nothing,
    /// Inside the plot, in a corner no series touches.
    Corner(PixelRect, Size),
    /// In a strip below the plot (every corner is taken).
    Below(Size),
}

/// Decides where the legend of a chart built on `body` goes: the first free corner of
/// `corners`, else below the plot.
pub(super) fn placement<DB: DrawingBackend, CT: CoordTranslate>(
    body: &DrawingArea<DB, Shift>,
    chart: &ChartContext<'_, DB, CT>,
    entries: &[Entry],
    obstacles: &Obstacles,
    corners: &[(bool, bool)],
    ctx: &Ctx,
) -> Placement {
    if entries.is_empty() {
        return Placement::Nothing;
    }
    let plot = plot_rect(chart);
    let size = measure(body, entries, None, ctx);
    match free_corner(plot, &size, obstacles, corners, ctx) {
        Some(rect) => Placement::Corner(rect, size),
        None => Placement::Below(measure(
            body,
            entries,
            Some(f64::from(plot.x1 - plot.x0)),
            ctx,
        )),
    }
}

/// The part of `body` left for the chart: all of it, or all but the legend's strip.
pub(super) fn chart_area<DB: DrawingBackend>(
    body: &DrawingArea<DB, Shift>,
    placement: &Placement,
    ctx: &Ctx,
) -> DrawingArea<DB, Shift> {
    match placement {
        Placement::Below(size) => {
            let (_, h) = body.dim_in_pixel();
            body.split_vertically(h as i32 - size.strip_height(ctx)).0
        }
        _ => body.clone(),
    }
}

/// Draws the legend where `placement` put it; `plot` is the final plot area and `chart_area`
/// the area the chart was built on (the strip starts below it).
pub(super) fn finish<DB: DrawingBackend>(
    body: &DrawingArea<DB, Shift>,
    chart_area: &DrawingArea<DB, Shift>,
    plot: PixelRect,
    placement: &Placement,
    entries: &[Entry],
    ctx: &Ctx,
) -> Result<(), crate::VizError> {
    match placement {
        Placement::Nothing => Ok(()),
        Placement::Corner(rect, size) => draw(body, *rect, size, entries, ctx),
        Placement::Below(size) => {
            let (_, ys) = chart_area.get_pixel_range();
            draw(body, below(plot.x0, ys.end, size, ctx), size, entries, ctx)
        }
    }
}

/// Entries for the labelled items: `(label, swatch)` pairs with an empty label dropped.
pub(super) fn entries<'a>(items: impl IntoIterator<Item = (&'a str, Swatch)>) -> Vec<Entry> {
    items
        .into_iter()
        .filter(|(label, _)| !label.trim().is_empty())
        .map(|(label, swatch)| Entry {
            label: label.to_owned(),
            swatch,
        })
        .collect()
}
