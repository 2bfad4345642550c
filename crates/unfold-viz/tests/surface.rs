//! The 3-D surface panel: a sampled function renders to PNG and SVG coloured by height, with
//! readable axes; bad values are reported and malformed grids are errors.

use std::fs;
use std::path::PathBuf;

use unfold_viz::{Figure, Panel, VizError, save_figure};

/// A fresh directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let path =
            std::env::temp_dir().join(format!("unfold-viz-surface-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&path);
        fs::create_dir_all(&path).expect("create test directory");
        TempDir(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// A bump `e^-(x²+y²)` on `n × n` nodes over [-2, 2]², row-major (x fastest).
fn bump(n: usize) -> Vec<f32> {
    let at = |i: usize| -2.0 + 4.0 * i as f32 / (n - 1) as f32;
    (0..n * n)
        .map(|k| {
            let (x, y) = (at(k % n), at(k / n));
            (-(x * x + y * y)).exp()
        })
        .collect()
}

fn surface(z: Vec<f32>, n: usize, z_range: Option<(f32, f32)>) -> Panel {
    Panel::Surface {
        title: "Gaussian bump".into(),
        x_label: "x axis".into(),
        y_label: "y axis".into(),
        z_label: "height".into(),
        x_range: (-2.0, 2.0),
        y_range: (-2.0, 2.0),
        cols: n,
        rows: n,
        z,
        z_range,
        note: None,
    }
}

fn figure(panels: Vec<Panel>) -> Figure {
    Figure {
        title: Some("Surfaces".into()),
        columns: panels.len(),
        panels,
        panel_size: (640, 520),
    }
}

/// Decoded RGB pixels of a PNG file.
fn pixels(path: &PathBuf) -> Vec<[u8; 3]> {
    let png = fs::read(path).expect("read png");
    let decoder = png::Decoder::new(std::io::Cursor::new(&png));
    let mut reader = decoder.read_info().expect("PNG header");
    let mut buffer = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buffer).expect("PNG data");
    buffer[..info.buffer_size()]
        .chunks(3)
        .map(|p| [p[0], p[1], p[2]])
        .collect()
}

#[test]
fn a_bump_renders_coloured_by_height_with_labelled_axes() {
    let dir = TempDir::new("bump");
    let n = 30;
    let paths =
        save_figure(&figure(vec![surface(bump(n), n, None)]), &dir.0, "bump").expect("save_figure");
    let px = pixels(&paths[0]);
    assert_eq!(px.len(), 640 * (520 + 48));
    // Cool-warm: a red top and blue flanks are both visible.
    let red = px
        .iter()
        .filter(|p| p[0] > 150 && p[1] < 80 && p[2] < 90)
        .count();
    let blue = px.iter().filter(|p| p[2] > 170 && p[0] < 120).count();
    assert!(red > 200, "red (high) pixels: {red}");
    assert!(blue > 2000, "blue (low) pixels: {blue}");

    let svg = fs::read_to_string(&paths[1]).expect("read svg");
    for text in ["Gaussian bump", "x axis", "y axis", "height", "Surfaces"] {
        assert!(svg.contains(text), "SVG lacks {text:?}");
    }
    let cells = (n - 1) * (n - 1);
    assert!(
        svg.matches("<polygon").count() >= cells,
        "one polygon per cell"
    );
    assert!(svg.trim_end().ends_with("</svg>"));
}

#[test]
fn non_finite_and_clipped_values_are_reported() {
    let dir = TempDir::new("bad-values");
    let n = 6;
    let mut z = bump(n);
    z[7] = f32::NAN;
    z[8] = f32::INFINITY;
    let flat = vec![0.5; n * n];
    let paths = save_figure(
        &figure(vec![
            surface(z, n, None),
            // A fixed range that cuts the bump's top off, and a constant surface.
            surface(bump(n), n, Some((0.0, 0.5))),
            surface(flat, n, None),
        ]),
        &dir.0,
        "bad",
    )
    .expect("save_figure");
    let svg = fs::read_to_string(&paths[1]).expect("read svg");
    assert!(svg.contains("2 non-finite values not shown"), "{svg:.300}");
    assert!(
        svg.contains("values outside the height range (clipped) not shown")
            || svg.contains("value outside the height range (clipped) not shown"),
        "clipping is reported"
    );
}

#[test]
fn malformed_surfaces_are_errors() {
    let dir = TempDir::new("malformed");
    for panel in [
        surface(vec![0.0; 8], 3, None),
        surface(vec![0.0; 1], 1, None),
        surface(bump(4), 4, Some((1.0, 0.0))),
    ] {
        let err = save_figure(&figure(vec![panel]), &dir.0, "f").expect_err("bad surface");
        assert!(
            matches!(err, VizError::InvalidPanel { index: 0, .. }),
            "{err:?}"
        );
    }
    assert!(fs::read_dir(&dir.0).unwrap().next().is_none(), "no files");
}
