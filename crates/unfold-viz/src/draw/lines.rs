//! Line charts: curves cut to their axes, drawn without the joins that spike on noisy data,
//! and a legend placed where no curve runs.

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;

use super::legend::{self, Obstacles, Swatch};
use super::{Ctx, Labels, chart2d, clip, count_note, frame, header, mesh, notes, tick_budget};
use crate::color::rgb;
use crate::ticks::{Ticks, padded_range};
use crate::{Curve, VizError};

/// The drawable pieces of one curve.
type Runs = Vec<Vec<(f64, f64)>>;

/// Every curve split into runs of drawable points; y is log10(y) on a log axis. Also the
/// counts of non-finite and (on a log axis) non-positive values left out.
fn drawable_runs(curves: &[Curve], log_y: bool) -> (Vec<Runs>, usize, usize) {
    let mut non_finite = 0;
    let mut non_positive = 0;
    let runs = curves
        .iter()
        .map(|curve| {
            let mut runs = vec![Vec::new()];
            for &(px, py) in &curve.points {
                let y = if !(px.is_finite() && py.is_finite()) {
                    non_finite += 1;
                    None
                } else if log_y && py <= 0.0 {
                    non_positive += 1;
                    None
                } else if log_y {
                    Some(py.log10())
                } else {
                    Some(py)
                };
                match (y, runs.last_mut()) {
                    (Some(y), Some(run)) => run.push((px, y)),
                    (None, Some(run)) if !run.is_empty() => runs.push(Vec::new()),
                    _ => {}
                }
            }
            runs.retain(|r| !r.is_empty());
            runs
        })
        .collect();
    (runs, non_finite, non_positive)
}

/// The warnings for values left out.
fn left_out(non_finite: usize, non_positive: usize) -> Vec<String> {
    match (non_finite, non_positive) {
        (0, 0) => Vec::new(),
        (n, 0) => count_note(n, "non-finite value", "non-finite values")
            .into_iter()
            .collect(),
        (0, p) => vec![format!(
            "{p} value{} \u{2264} 0 not shown (log scale)",
            if p == 1 { "" } else { "s" }
        )],
        (n, p) => vec![format!(
            "{n} non-finite and {p} non-positive values not shown (log scale)"
        )],
    }
}

/// Pairs `(under, over)` of labelled curves that are drawn on top of each other over their
/// whole length: the same x values, and y values closer than a few thousandths of the
/// panel's y range (a line's width), so that `under` (drawn first) cannot be seen. A dashed
/// curve hides nothing: the one under it shows through its gaps.
pub(crate) fn coinciding(curves: &[Curve], log_y: bool) -> Vec<(usize, usize)> {
    coinciding_runs(curves, &drawable_runs(curves, log_y).0)
        .into_iter()
        .filter(|o| o.same == o.of)
        .map(|o| (o.under, o.over))
        .collect()
}

/// The share of its points at which a curve counts as mostly hidden under another: it shows
/// only in a few short stretches, which a reader would take for the other curve's.
const MOSTLY_HIDDEN: f64 = 0.9;

/// A curve drawn under another at `same` of its `of` points.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Overlap {
    under: usize,
    over: usize,
    same: usize,
    of: usize,
}

/// For each labelled curve, the topmost later solid curve on the same x values that covers
/// it at [`MOSTLY_HIDDEN`] of its points or more, over runs [`drawable_runs`] already made.
fn coinciding_runs(curves: &[Curve], runs: &[Runs]) -> Vec<Overlap> {
    let points: Vec<Vec<(f64, f64)>> = runs.iter().map(|r| r.concat()).collect();
    let (lo, hi) = padded_range(points.iter().flatten().map(|p| p.1), 0.06);
    let close = 0.004 * (hi - lo);
    let mut overlaps = Vec::new();
    for (under, a) in points.iter().enumerate() {
        if curves[under].label.is_empty() || a.len() < 2 {
            continue;
        }
        let covered = |b: &Vec<(f64, f64)>| {
            let same_x = b.len() == a.len() && a.iter().zip(b).all(|(p, q)| p.0 == q.0);
            let same = a
                .iter()
                .zip(b)
                .filter(|(p, q)| (p.1 - q.1).abs() <= close)
                .count();
            (same_x && same as f64 >= MOSTLY_HIDDEN * a.len() as f64).then_some(same)
        };
        let over = (under + 1..points.len())
            .rev()
            .filter(|&j| !curves[j].label.is_empty() && !curves[j].dashed)
            .find_map(|j| covered(&points[j]).map(|same| (j, same)));
        if let Some((over, same)) = over {
            overlaps.push(Overlap {
                under,
                over,
                same,
                of: a.len(),
            });
        }
    }
    overlaps
}

/// One line naming the curves hidden under others, wholly or mostly, if any.
pub(crate) fn hidden_note(curves: &[Curve], log_y: bool) -> Option<String> {
    note_for(
        curves,
        &coinciding_runs(curves, &drawable_runs(curves, log_y).0),
    )
}

/// The note naming the curves of `overlaps`, if any: those hidden over their whole length
/// by name, those mostly hidden grouped by the curve on top (short enough for a panel).
fn note_for(curves: &[Curve], overlaps: &[Overlap]) -> Option<String> {
    let label = |i: usize| curves[i].label.as_str();
    let whole: Vec<String> = overlaps
        .iter()
        .filter(|o| o.same == o.of)
        .map(|o| format!("{} under {}", label(o.under), label(o.over)))
        .collect();
    let mut mostly: Vec<(usize, Vec<&str>)> = Vec::new();
    for o in overlaps.iter().filter(|o| o.same < o.of) {
        match mostly.iter_mut().find(|(over, _)| *over == o.over) {
            Some((_, under)) => under.push(label(o.under)),
            None => mostly.push((o.over, vec![label(o.under)])),
        }
    }
    let mut parts = Vec::new();
    match whole.as_slice() {
        [] => {}
        [one] => parts.push(format!("{one} (the same values)")),
        many => parts.push(format!(
            "same values, drawn over each other: {}",
            many.join("; ")
        )),
    }
    for (over, under) in mostly {
        parts.push(format!(
            "mostly hidden under {}: {}",
            label(over),
            under.join(", ")
        ));
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// Drops points that land on the same pixel as the one before (they make zero-length
/// pieces, which plotters' wide-line rasterizer turns into spikes).
fn distinct_pixels(
    chart: &super::Chart2d<'_, impl DrawingBackend>,
    run: &[(f64, f64)],
) -> Vec<(f64, f64)> {
    let mut out: Vec<(f64, f64)> = Vec::with_capacity(run.len());
    let mut last = None;
    for &p in run {
        let px = chart.backend_coord(&p);
        if last != Some(px) {
            out.push(p);
            last = Some(px);
        }
    }
    if out.len() == 1 && run.len() > 1 {
        out.push(run[run.len() - 1]);
    }
    out
}

#[allow(clippy::too_many_arguments)]
pub(super) fn lines<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    x_label: &str,
    y_label: &str,
    log_y: bool,
    curves: &[Curve],
    note: Option<&str>,
    ctx: &Ctx,
) -> Result<(), VizError> {
    let (runs, non_finite, non_positive) = drawable_runs(curves, log_y);
    let mut lines = notes(note, left_out(non_finite, non_positive));
    lines.extend(
        // The runs drawn below, not made a second time.
        note_for(curves, &coinciding_runs(curves, &runs))
            .into_iter()
            .map(|n| (n, super::NOTE)),
    );
    let body = header(area, title, &lines, ctx)?;
    let (w, h) = body.dim_in_pixel();
    let all = || runs.iter().flatten().flatten();
    let (x0, x1) = padded_range(all().map(|p| p.0), 0.02);
    let (y0, y1) = padded_range(all().map(|p| p.1), 0.06);
    let x_budget = tick_budget(f64::from(w), 90.0, ctx);
    let x = if all().all(|p| p.0.fract() == 0.0) {
        Ticks::whole(x0, x1, x_budget)
    } else {
        Ticks::linear(x0, x1, x_budget)
    };
    let y_budget = tick_budget(f64::from(h), 55.0, ctx);
    let y = if log_y {
        Ticks::log10(y0, y1, y_budget)
    } else {
        Ticks::linear(y0, y1, y_budget)
    };
    let labels = Labels {
        x: x_label,
        y: y_label,
    };
    // Every run cut to the axes: nothing is drawn outside the plot.
    let (lo, hi) = ((x.lo, y.lo), (x.hi, y.hi));
    let pieces: Vec<Runs> = runs
        .iter()
        .map(|runs| {
            runs.iter()
                .flat_map(|run| clip::polyline_in_box(run, lo, hi))
                .collect()
        })
        .collect();
    let width = ctx.ipx(2.2, 1) as u32;
    let dot = ctx.ipx(3.2, 2);
    let with_markers = |curve: usize| {
        runs[curve].iter().map(Vec::len).sum::<usize>() <= 40
            || runs[curve].iter().any(|r| r.len() == 1)
    };
    let entries = legend::entries(curves.iter().map(|c| {
        (
            c.label.as_str(),
            Swatch::Line {
                color: c.color,
                dashed: c.dashed,
            },
        )
    }));
    let obstacles = |chart: &super::Chart2d<'_, DB>| {
        let px = |p: &(f64, f64)| {
            let (a, b) = chart.backend_coord(p);
            (f64::from(a), f64::from(b))
        };
        let mut segments = Vec::new();
        for piece in pieces.iter().flatten() {
            segments.push((px(&piece[0]), px(&piece[0])));
            segments.extend(piece.windows(2).map(|s| (px(&s[0]), px(&s[1]))));
        }
        let markers = (0..curves.len()).any(with_markers);
        Obstacles {
            segments,
            pad: f64::from(width) / 2.0 + if markers { f64::from(dot) } else { 0.0 } + 2.0,
        }
    };
    let placement = {
        let chart = chart2d(&body, &x, &y, &labels, ctx)?;
        legend::placement(
            &body,
            &chart,
            &entries,
            &obstacles(&chart),
            &legend::CORNERS,
            ctx,
        )
    };
    let chart_area = legend::chart_area(&body, &placement, ctx);
    let mut chart = chart2d(&chart_area, &x, &y, &labels, ctx)?;
    let plot = legend::plot_rect(&chart);
    ctx.set_plot(plot);
    mesh(&mut chart, &x, &y, &labels, false, ctx)?;

    let dash = ctx.ipx(8.0, 3);
    let gap = ctx.ipx(5.0, 2);
    let inside = |p: &&(f64, f64)| p.0 >= lo.0 && p.0 <= hi.0 && p.1 >= lo.1 && p.1 <= hi.1;
    for (i, curve) in curves.iter().enumerate() {
        let style = rgb(curve.color).stroke_width(width);
        for piece in &pieces[i] {
            let piece = distinct_pixels(&chart, piece);
            let plot_area = chart.plotting_area();
            if curve.dashed {
                plot_area
                    .draw(&DashedPathElement::new(
                        piece.iter().copied(),
                        dash,
                        gap,
                        style,
                    ))
                    .map_err(ctx.err())?;
            } else if ctx.format == "SVG" {
                plot_area
                    .draw(&PathElement::new(piece, style))
                    .map_err(ctx.err())?;
            } else {
                // Segment by segment: the raster joins of a wide polyline overshoot at the
                // sharp turns of noisy curves.
                for pair in piece.windows(2) {
                    plot_area
                        .draw(&PathElement::new(pair.to_vec(), style))
                        .map_err(ctx.err())?;
                }
            }
        }
        // Markers when the curve is short (or a run is a lone point), so single
        // evaluations are visible.
        if with_markers(i) {
            let fill = rgb(curve.color).filled();
            chart
                .draw_series(
                    runs[i]
                        .iter()
                        .flatten()
                        .filter(inside)
                        .map(|&p| Circle::new(p, dot, fill)),
                )
                .map_err(ctx.err())?;
        }
    }
    frame(&chart, ctx)?;
    legend::finish(&body, &chart_area, plot, &placement, &entries, ctx)
}
