//! [`Panel::Surface`](crate::Panel::Surface): a function of two variables sampled on a grid,
//! drawn as a 3-D surface coloured by height (matplotlib's `plot_surface` with `cm.coolwarm`).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{Ctx, axes3d, chart3d, count_note, header, notes};
use crate::VizError;
use crate::ticks::{Ticks, padded_range};

/// A point in plotters' 3-D coordinates: (x, height, y).
type Point3 = (f64, f64, f64);

/// The grid of a surface panel, as given by the caller.
pub(super) struct SurfaceGrid<'a> {
    pub x_range: (f32, f32),
    pub y_range: (f32, f32),
    pub cols: usize,
    pub rows: usize,
    pub z: &'a [f32],
    pub z_range: Option<(f32, f32)>,
}

/// Structural checks of a surface grid.
pub(super) fn check(grid: &SurfaceGrid) -> Result<(), String> {
    let (cols, rows) = (grid.cols, grid.rows);
    if cols < 2 || rows < 2 {
        return Err(format!(
            "the surface grid is {cols}x{rows} nodes; both must be at least 2"
        ));
    }
    match cols.checked_mul(rows) {
        Some(nodes) if nodes == grid.z.len() => {}
        _ => {
            return Err(format!(
                "the surface grid is {cols} columns x {rows} rows but has {} values",
                grid.z.len()
            ));
        }
    }
    let ok = |(a, b): (f32, f32)| a.is_finite() && b.is_finite() && a < b;
    if !ok(grid.x_range) || !ok(grid.y_range) || !grid.z_range.is_none_or(ok) {
        return Err(format!(
            "surface ranges must be finite and increasing (x_range {:?}, y_range {:?}, z_range {:?})",
            grid.x_range, grid.y_range, grid.z_range
        ));
    }
    Ok(())
}

/// matplotlib's `coolwarm` at five stops (blue, light blue, grey, salmon, red).
const COOLWARM: [(f64, f64, f64); 5] = [
    (59.0, 76.0, 192.0),
    (141.0, 176.0, 254.0),
    (221.0, 221.0, 221.0),
    (244.0, 154.0, 123.0),
    (180.0, 4.0, 38.0),
];

/// The cool-warm colour of `t` in [0, 1] (clamped), linearly interpolated between the stops.
pub(crate) fn coolwarm(t: f64) -> RGBColor {
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.5
    };
    let scaled = t * (COOLWARM.len() - 1) as f64;
    let i = (scaled.floor() as usize).min(COOLWARM.len() - 2);
    let f = scaled - i as f64;
    let (a, b) = (COOLWARM[i], COOLWARM[i + 1]);
    let mix = |p: f64, q: f64| (p + (q - p) * f).round().clamp(0.0, 255.0) as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// A colour darkened towards black by `amount` (for the cell edges).
fn darker(c: RGBColor, amount: f64) -> RGBColor {
    let f = |v: u8| (f64::from(v) * (1.0 - amount)).round() as u8;
    RGBColor(f(c.0), f(c.1), f(c.2))
}

pub(super) fn surface<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    axis_labels: [&str; 3],
    grid: &SurfaceGrid,
    note: Option<&str>,
    ctx: &Ctx,
) -> Result<(), VizError> {
    let (cols, rows) = (grid.cols, grid.rows);
    let finite = || grid.z.iter().copied().filter(|v| v.is_finite());
    let (z_lo, z_hi) = match grid.z_range {
        Some((a, b)) => (f64::from(a), f64::from(b)),
        None => padded_range(finite().map(f64::from), 0.04),
    };
    let skipped = grid.z.len() - finite().count();
    let clipped = finite()
        .filter(|&v| f64::from(v) < z_lo || f64::from(v) > z_hi)
        .count();
    let warnings = count_note(skipped, "non-finite value", "non-finite values")
        .into_iter()
        .chain(count_note(
            clipped,
            "value outside the height range (clipped)",
            "values outside the height range (clipped)",
        ))
        .collect();
    let body = header(area, title, &notes(note, warnings), ctx)?;

    let x = Ticks::linear(f64::from(grid.x_range.0), f64::from(grid.x_range.1), 5);
    let v = Ticks::linear(z_lo, z_hi, 5);
    let d = Ticks::linear(f64::from(grid.y_range.0), f64::from(grid.y_range.1), 5);
    let mut chart = chart3d(&body, [&x, &v, &d], ctx)?;
    axes3d(&mut chart, [&x, &v, &d], axis_labels, ctx)?;
    ctx.set_plot(super::legend::plot_rect(&chart));

    // Node (c, r) in plotters' coordinates: (x, height, y), the height clamped to the axis.
    let step = |(lo, hi): (f32, f32), n: usize, i: usize| {
        f64::from(lo) + (f64::from(hi) - f64::from(lo)) * i as f64 / (n - 1) as f64
    };
    let node = |c: usize, r: usize| -> Option<Point3> {
        let z = f64::from(grid.z[r * cols + c]);
        z.is_finite().then(|| {
            (
                step(grid.x_range, cols, c),
                z.clamp(z_lo, z_hi),
                step(grid.y_range, rows, r),
            )
        })
    };
    // Every cell with four finite corners, coloured by its mean height, farthest first.
    let coord = chart.as_coord_spec();
    let mut cells: Vec<(i32, [Point3; 4], RGBColor)> = Vec::new();
    for r in 0..rows - 1 {
        for c in 0..cols - 1 {
            let corners = [
                node(c, r),
                node(c + 1, r),
                node(c + 1, r + 1),
                node(c, r + 1),
            ];
            let Some(corners) = corners.into_iter().collect::<Option<Vec<_>>>() else {
                continue;
            };
            let corners = [corners[0], corners[1], corners[2], corners[3]];
            let mean = |f: fn(&Point3) -> f64| corners.iter().map(f).sum::<f64>() / 4.0;
            let centre = (mean(|p| p.0), mean(|p| p.1), mean(|p| p.2));
            let depth = coord.projected_depth(&centre.0, &centre.1, &centre.2);
            let color = coolwarm((centre.1 - z_lo) / (z_hi - z_lo));
            cells.push((depth, corners, color));
        }
    }
    cells.sort_by_key(|(depth, _, _)| std::cmp::Reverse(*depth));
    let edge_width = ctx.ipx(0.8, 1) as u32;
    let plot = chart.plotting_area();
    for (_, corners, color) in cells {
        plot.draw(&Polygon::new(corners.to_vec(), color.filled()))
            .map_err(ctx.err())?;
        // A thin, slightly darker outline closes the seams between cells and shows the mesh.
        let mut outline = corners.to_vec();
        outline.push(corners[0]);
        plot.draw(&PathElement::new(
            outline,
            darker(color, 0.12).stroke_width(edge_width),
        ))
        .map_err(ctx.err())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coolwarm_runs_from_blue_through_grey_to_red() {
        assert_eq!(coolwarm(0.0), RGBColor(59, 76, 192));
        assert_eq!(coolwarm(0.5), RGBColor(221, 221, 221));
        assert_eq!(coolwarm(1.0), RGBColor(180, 4, 38));
        assert_eq!(coolwarm(7.0), coolwarm(1.0));
        assert_eq!(coolwarm(f64::NAN), coolwarm(0.5));
    }

    #[test]
    fn checks_name_the_problem() {
        let z = [0.0f32; 6];
        let grid = |cols, rows, z_range| SurfaceGrid {
            x_range: (-1.0, 1.0),
            y_range: (-1.0, 1.0),
            cols,
            rows,
            z: &z,
            z_range,
        };
        assert!(check(&grid(3, 2, None)).is_ok());
        assert!(check(&grid(6, 1, None)).unwrap_err().contains("at least 2"));
        assert!(
            check(&grid(2, 2, None))
                .unwrap_err()
                .contains("has 6 values")
        );
        assert!(
            check(&grid(3, 2, Some((1.0, 1.0))))
                .unwrap_err()
                .contains("increasing")
        );
    }
}
