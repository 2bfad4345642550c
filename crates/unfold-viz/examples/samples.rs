//! Renders one sample figure per panel kind (and one combined figure).
//!
//! ```text
//! cargo run -p unfold-viz --release --example samples -- /tmp/viz-samples
//! ```

use std::path::PathBuf;

use unfold_viz::{
    Curve, Figure, GrayImage, ImageTile, Panel, Series2, Series3, VizError, class_color,
    save_figure,
};

/// Small deterministic generator (no `rand` dependency needed for samples).
struct Lcg(u64);

impl Lcg {
    fn uniform(&mut self) -> f32 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 40) as f32) / ((1u64 << 24) as f32)
    }
    fn normal(&mut self) -> f32 {
        let u = self.uniform().max(1e-7);
        let v = self.uniform();
        (-2.0 * u.ln()).sqrt() * (std::f32::consts::TAU * v).cos()
    }
}

fn circles(rng: &mut Lcg) -> Vec<Series2> {
    let mut inner = Vec::new();
    let mut outer = Vec::new();
    for _ in 0..200 {
        let a = rng.uniform() * std::f32::consts::TAU;
        let r = rng.uniform() * 2.0;
        inner.push([r * a.cos(), r * a.sin()]);
        let a = rng.uniform() * std::f32::consts::TAU;
        let r = 3.0 + rng.uniform() * 2.0;
        outer.push([r * a.cos(), r * a.sin()]);
    }
    vec![
        Series2 {
            label: "class 0 (inner)".into(),
            color: class_color(0),
            points: inner,
        },
        Series2 {
            label: "class 1 (outer)".into(),
            color: class_color(1),
            points: outer,
        },
    ]
}

fn scatter2(rng: &mut Lcg) -> Panel {
    let centres = [(-2.0, 1.0), (2.0, 2.0), (0.5, -2.0)];
    let series = centres
        .iter()
        .enumerate()
        .map(|(k, &(cx, cy))| Series2 {
            label: format!("cluster {k}"),
            color: class_color(k),
            points: (0..150)
                .map(|_| [cx + rng.normal() * 0.8, cy + rng.normal() * 0.8])
                .collect(),
        })
        .collect();
    Panel::Scatter2 {
        title: "Three Gaussian blobs".into(),
        x_label: "feature x₁".into(),
        y_label: "feature x₂".into(),
        series,
        note: None,
    }
}

fn scatter3(rng: &mut Lcg) -> Panel {
    let series = (0..3)
        .map(|k| {
            let offset = k as f32 * std::f32::consts::TAU / 3.0;
            Series3 {
                label: format!("arm {k}"),
                color: class_color(k),
                points: (0..200)
                    .map(|i| {
                        let t = i as f32 / 200.0 * 3.0;
                        let a = t * 2.0 + offset;
                        [
                            t * a.cos() + rng.normal() * 0.08,
                            t * a.sin() + rng.normal() * 0.08,
                            t * 0.8 + rng.normal() * 0.05,
                        ]
                    })
                    .collect(),
            }
        })
        .collect();
    Panel::Scatter3 {
        title: "Three-arm spiral in 3-D".into(),
        x_label: "x".into(),
        y_label: "y".into(),
        z_label: "height z".into(),
        series,
        note: None,
    }
}

fn lines(rng: &mut Lcg) -> Panel {
    let train: Vec<(f64, f64)> = (0..150)
        .map(|e| {
            let e = f64::from(e);
            (
                e,
                2.3 * (-e / 25.0).exp() + 0.02 + f64::from(rng.uniform()) * 0.01,
            )
        })
        .collect();
    let mut val: Vec<(f64, f64)> = (0..150)
        .map(|e| {
            let e = f64::from(e);
            (
                e,
                2.3 * (-e / 30.0).exp() + 0.08 + f64::from(rng.uniform()) * 0.03,
            )
        })
        .collect();
    for p in val.iter_mut().skip(120) {
        p.1 = f64::NAN;
    }
    Panel::Lines {
        title: "Training loss".into(),
        x_label: "epoch".into(),
        y_label: "cross-entropy loss".into(),
        log_y: true,
        curves: vec![
            Curve {
                label: "train".into(),
                color: class_color(0),
                points: train,
                dashed: false,
            },
            Curve {
                label: "validation".into(),
                color: class_color(1),
                points: val,
                dashed: true,
            },
        ],
        note: Some("diverged at epoch 120".into()),
    }
}

fn accuracy() -> Panel {
    let curve = |k: f64| -> Vec<(f64, f64)> {
        (1..=20)
            .map(|e| (f64::from(e), 1.0 - 0.5 * (-f64::from(e) / k).exp()))
            .collect()
    };
    Panel::Lines {
        title: "Accuracy".into(),
        x_label: "epoch".into(),
        y_label: "accuracy".into(),
        log_y: false,
        curves: vec![
            Curve {
                label: "train".into(),
                color: class_color(2),
                points: curve(3.0),
                dashed: false,
            },
            Curve {
                label: "test".into(),
                color: class_color(3),
                points: curve(4.0),
                dashed: true,
            },
        ],
        note: None,
    }
}

fn regions(rng: &mut Lcg) -> Panel {
    let (cols, rows) = (120, 120);
    let (x0, x1, y0, y1) = (-6.0f32, 6.0f32, -6.0f32, 6.0f32);
    let mut classes = Vec::with_capacity(cols * rows);
    for r in 0..rows {
        for c in 0..cols {
            let x = x0 + (c as f32 + 0.5) * (x1 - x0) / cols as f32;
            let y = y0 + (r as f32 + 0.5) * (y1 - y0) / rows as f32;
            // A slightly wobbly circle, as a small network would learn it.
            let r2 = x * x + y * y + 0.8 * (1.7 * x).sin();
            classes.push(u32::from(r2 > 6.5));
        }
    }
    Panel::Regions {
        title: "Decision regions: circle data".into(),
        x_label: "x₁".into(),
        y_label: "x₂".into(),
        x_range: (x0, x1),
        y_range: (y0, y1),
        cols,
        rows,
        classes,
        series: circles(rng),
        note: None,
    }
}

/// Degenerate inputs: they must render (with notes), not panic.
/// Sixteen 28x28 "glyphs" (rings and bars of varying size) with captions, every
/// fifth one marked as a wrong prediction.
fn image_grid() -> Panel {
    let glyph = |k: usize| {
        let mut pixels = vec![0u8; 28 * 28];
        for y in 0..28 {
            for x in 0..28 {
                let (dx, dy) = (x as f32 - 13.5, y as f32 - 13.5);
                let ink = if k.is_multiple_of(2) {
                    let r = 6.0 + (k % 5) as f32;
                    1.0 - ((dx.hypot(dy) - r).abs() / 2.0)
                } else {
                    1.0 - ((dx - (k % 7) as f32 + 3.0).abs() / 2.0) - f32::from(dy.abs() > 9.0)
                };
                pixels[y * 28 + x] = (ink.clamp(0.0, 1.0) * 255.0) as u8;
            }
        }
        GrayImage {
            width: 28,
            height: 28,
            pixels,
        }
    };
    let tiles = (0..16)
        .map(|k| {
            let truth = k % 2;
            let wrong = k % 5 == 4;
            let predicted = if wrong { 1 - truth } else { truth };
            ImageTile {
                image: glyph(k),
                caption: format!(
                    "true {}\npred {}",
                    ["ring", "bar"][truth],
                    ["ring", "bar"][predicted]
                ),
                highlight: wrong,
            }
        })
        .collect();
    Panel::ImageGrid {
        title: "Test images".into(),
        tiles,
        columns: 8,
        note: Some("red: wrong prediction".into()),
    }
}

fn edge_cases() -> Vec<Panel> {
    vec![
        Panel::Scatter2 {
            title: "No series at all".into(),
            x_label: "x".into(),
            y_label: "y".into(),
            series: vec![],
            note: Some("nothing to show".into()),
        },
        Panel::Scatter2 {
            title: "Constant points and NaN".into(),
            x_label: "x".into(),
            y_label: "y".into(),
            series: vec![
                Series2 {
                    label: "constant".into(),
                    color: class_color(0),
                    points: vec![[2.0, 2.0]; 10],
                },
                Series2 {
                    label: "all NaN".into(),
                    color: class_color(1),
                    points: vec![[f32::NAN, 1.0]; 12],
                },
            ],
            note: None,
        },
        Panel::Lines {
            title: "Flat, single point, log of zeros".into(),
            x_label: "epoch".into(),
            y_label: "loss".into(),
            log_y: true,
            curves: vec![
                Curve {
                    label: "flat".into(),
                    color: class_color(0),
                    points: vec![(0.0, 0.5), (10.0, 0.5)],
                    dashed: false,
                },
                Curve {
                    label: "single".into(),
                    color: class_color(1),
                    points: vec![(5.0, 0.5)],
                    dashed: true,
                },
                Curve {
                    label: "zeros".into(),
                    color: class_color(2),
                    points: vec![(0.0, 0.0), (1.0, 0.0)],
                    dashed: false,
                },
            ],
            note: None,
        },
        Panel::Lines {
            title: "A very long panel title that cannot possibly fit into one panel".into(),
            x_label: "step".into(),
            y_label: "value".into(),
            log_y: false,
            curves: vec![Curve {
                label: "tiny values".into(),
                color: class_color(4),
                points: (0..30)
                    .map(|i| (f64::from(i) * 1000.0, 1e-6 * f64::from(i).sin()))
                    .collect(),
                dashed: false,
            }],
            note: Some("diverged at epoch 120".into()),
        },
        Panel::Scatter3 {
            title: "3-D: constant data".into(),
            x_label: "x".into(),
            y_label: "y".into(),
            z_label: "z".into(),
            series: vec![Series3 {
                label: "origin".into(),
                color: class_color(3),
                points: vec![[0.0; 3]; 4],
            }],
            note: None,
        },
        Panel::Regions {
            title: "Regions: 1x1 grid, empty range".into(),
            x_label: "x".into(),
            y_label: "y".into(),
            x_range: (1.0, 1.0),
            y_range: (2.0, -2.0),
            cols: 1,
            rows: 1,
            classes: vec![5],
            series: vec![Series2 {
                label: "p".into(),
                color: class_color(5),
                points: vec![[1.0, 0.0], [9.0, 9.0]],
            }],
            note: None,
        },
    ]
}

/// A tilted Gaussian bump on a 40 x 40 grid, as a surface.
fn surface() -> Panel {
    let n = 40;
    let at = |i: usize| -2.0 + 4.0 * i as f32 / (n - 1) as f32;
    let z = (0..n * n)
        .map(|k| {
            let (x, y) = (at(k % n), at(k / n));
            (-(x * x + y * y) / 2.0).exp() + 0.1 * x
        })
        .collect();
    Panel::Surface {
        title: "Surface: a tilted bump".into(),
        x_label: "x".into(),
        y_label: "y".into(),
        z_label: "f(x, y)".into(),
        x_range: (-2.0, 2.0),
        y_range: (-2.0, 2.0),
        cols: n,
        rows: n,
        z,
        z_range: None,
        note: None,
    }
}

fn main() -> Result<(), VizError> {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "/tmp/viz-samples".into()),
    );
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("cannot create {}: {e}", dir.display());
        std::process::exit(1);
    }
    let mut rng = Lcg(42);
    let single = |panel: Panel| Figure {
        title: None,
        panels: vec![panel],
        columns: 1,
        panel_size: (640, 520),
    };
    let figures = [
        ("scatter2", single(scatter2(&mut rng))),
        ("scatter3", single(scatter3(&mut rng))),
        ("lines", single(lines(&mut rng))),
        ("regions", single(regions(&mut rng))),
        ("surface", single(surface())),
        (
            "images",
            Figure {
                title: None,
                panels: vec![image_grid()],
                columns: 1,
                panel_size: (960, 420),
            },
        ),
        (
            "combined",
            Figure {
                title: Some("unfold-viz: all panel kinds".into()),
                panels: vec![
                    scatter2(&mut rng),
                    scatter3(&mut rng),
                    lines(&mut rng),
                    accuracy(),
                    regions(&mut rng),
                ],
                columns: 3,
                panel_size: (640, 520),
            },
        ),
        (
            "edge-cases",
            Figure {
                title: Some("Edge cases".into()),
                panels: edge_cases(),
                columns: 3,
                panel_size: (640, 520),
            },
        ),
    ];
    for (stem, figure) in &figures {
        for path in save_figure(figure, &dir, stem)? {
            println!("{}", path.display());
        }
    }
    Ok(())
}
