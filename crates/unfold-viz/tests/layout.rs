//! Layout checks on rendered pixels: every series stays inside its plot area, and no legend
//! box covers a series. The figures are drawn from fixed data shaped like the experiments'
//! hard cases (noisy per-batch gradients, curves that fill every corner, dense clouds).

use unfold_viz::{
    Curve, Figure, Inspection, Panel, Series2, Series3, class_color, coinciding_curves,
    hidden_curves_note, inspect,
};

/// Pixels farther than this outside a plot area count as drawn outside it (a line of width
/// 2.2 px or a marker centred on the edge reaches a little beyond).
const TOLERANCE: i32 = 4;

/// Series colours are saturated; text, axes and grid are grey.
fn is_series_pixel(rgb: &[u8]) -> bool {
    let max = rgb.iter().max().copied().unwrap_or(0);
    let min = rgb.iter().min().copied().unwrap_or(0);
    max - min > 60
}

/// Asserts the two layout rules and returns how many series pixels were checked.
fn check(figure: &Figure) -> Inspection {
    let seen = inspect(figure).expect("render");
    assert!(!seen.panels.is_empty(), "no panel geometry recorded");
    let mut outside = Vec::new();
    let mut covered = Vec::new();
    for (i, px) in seen.rgb.chunks(3).enumerate() {
        if !is_series_pixel(px) {
            continue;
        }
        let (x, y) = (
            (i % seen.width as usize) as i32,
            (i / seen.width as usize) as i32,
        );
        if !seen.panels.iter().any(|p| p.plot.contains(x, y, TOLERANCE)) {
            outside.push((x, y));
        }
        if seen
            .panels
            .iter()
            .filter_map(|p| p.legend)
            .any(|l| l.contains(x, y, 0))
        {
            covered.push((x, y));
        }
    }
    assert!(
        outside.is_empty(),
        "{} series pixels outside every plot area, e.g. {:?}",
        outside.len(),
        &outside[..outside.len().min(5)]
    );
    assert!(
        covered.is_empty(),
        "{} series pixels under a legend, e.g. {:?}",
        covered.len(),
        &covered[..covered.len().min(5)]
    );
    seen
}

/// A deterministic noisy sequence in (0, 1): per-batch gradient magnitudes jump like this.
fn noise(n: usize, seed: u64) -> Vec<f64> {
    let mut state = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
    (0..n)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            ((state >> 33) as f64 / f64::from(1u32 << 31)).clamp(1e-3, 1.0)
        })
        .collect()
}

fn curve(label: &str, color: usize, ys: &[f64], dashed: bool) -> Curve {
    Curve {
        label: label.into(),
        color: class_color(color),
        points: ys.iter().enumerate().map(|(i, y)| (i as f64, *y)).collect(),
        dashed,
    }
}

fn lines(title: &str, log_y: bool, curves: Vec<Curve>) -> Panel {
    Panel::Lines {
        title: title.into(),
        x_label: "batch".into(),
        y_label: "value".into(),
        log_y,
        curves,
        note: None,
    }
}

#[test]
fn noisy_curves_stay_inside_their_axes() {
    // Like vanishing's gradients: ~940 noisy points per curve, spikes of several decades.
    let make = |log_y: bool| {
        let curves = (0..3)
            .map(|l| {
                let ys: Vec<f64> = noise(940, l as u64 + 1)
                    .iter()
                    .enumerate()
                    .map(|(i, v)| v.powi(6) * 1e-3 * (1.0 + i as f64 / 300.0))
                    .collect();
                curve(&format!("linear{}", l + 1), l, &ys, false)
            })
            .collect();
        lines("per batch", log_y, curves)
    };
    let figure = Figure {
        title: Some("Gradient magnitudes".into()),
        panels: vec![make(false), make(true), make(true)],
        columns: 3,
        panel_size: (520, 460),
    };
    let seen = check(&figure);
    assert_eq!(seen.panels.len(), 3);
}

#[test]
fn a_legend_leaves_the_plot_when_every_corner_holds_a_curve() {
    // Like spirals3d's accuracy: one curve along the top, one along the bottom, and a fast
    // rise on the left.
    let n = 200;
    let top: Vec<f64> = (0..n).map(|_| 100.0).collect();
    let bottom: Vec<f64> = (0..n).map(|_| 50.0).collect();
    // (It meets the top line at point 40: joined sooner, the top line would be mostly
    // hidden and named in a note.)
    let rise: Vec<f64> = (0..n)
        .map(|i| (50.0 + i as f64 * 1.25).min(100.0))
        .collect();
    let mut curves = vec![
        curve("top (train)", 0, &top, false),
        curve("bottom (train)", 1, &bottom, false),
        curve("rise (train)", 3, &rise, false),
        curve("rise (test)", 3, &rise, true),
    ];
    curves.extend((4..8).map(|c| {
        let level = 70.0 + 2.0 * c as f64;
        curve(&format!("middle {c}"), 2, &[level; 200], c % 2 == 0)
    }));
    let figure = Figure {
        title: None,
        panels: vec![lines("Accuracy", false, curves)],
        columns: 1,
        panel_size: (640, 520),
    };
    let seen = check(&figure);
    let panel = seen.panels[0];
    let legend = panel.legend.expect("a legend");
    assert!(
        legend.y0 >= panel.plot.y1,
        "the legend {legend:?} should sit below the plot {:?}",
        panel.plot
    );
}

#[test]
fn a_legend_takes_a_free_corner_when_there_is_one() {
    // Falling losses leave the upper right empty.
    let fall = |k: f64| -> Vec<f64> { (0..100).map(|i| (-(i as f64) / k).exp()).collect() };
    let figure = Figure {
        title: None,
        panels: vec![lines(
            "Loss",
            true,
            vec![
                curve("fast", 0, &fall(10.0), false),
                curve("slow", 1, &fall(40.0), true),
            ],
        )],
        columns: 1,
        panel_size: (640, 520),
    };
    let seen = check(&figure);
    let panel = seen.panels[0];
    let legend = panel.legend.expect("a legend");
    assert!(panel.plot.contains(legend.x0, legend.y0, 0));
    assert!(
        legend.x0 > (panel.plot.x0 + panel.plot.x1) / 2,
        "upper right expected"
    );
}

#[test]
fn scatter_legends_cover_no_point() {
    // A dense disk of two classes in 2-D, and two spirals in 3-D.
    let u = noise(1200, 7);
    let disk: Vec<[f32; 2]> = u
        .chunks(2)
        .map(|p| {
            let (r, a) = (p[0].sqrt(), p[1] * std::f64::consts::TAU);
            [(r * a.cos()) as f32, (r * a.sin()) as f32]
        })
        .collect();
    let (inner, outer): (Vec<[f32; 2]>, Vec<[f32; 2]>) =
        disk.iter().partition(|p| p[0].hypot(p[1]) < 0.6);
    let spiral = |phase: f32| -> Vec<[f32; 3]> {
        (0..300)
            .map(|i| {
                let t = i as f32 / 30.0;
                [t.cos() * t + phase, t.sin() * t, t - 5.0]
            })
            .collect()
    };
    let figure = Figure {
        title: None,
        panels: vec![
            Panel::Scatter2 {
                title: "disk".into(),
                x_label: "x".into(),
                y_label: "y".into(),
                series: vec![
                    Series2 {
                        label: "inner".into(),
                        color: class_color(0),
                        points: inner,
                    },
                    Series2 {
                        label: "outer".into(),
                        color: class_color(1),
                        points: outer,
                    },
                ],
                note: None,
            },
            Panel::Scatter3 {
                title: "spirals".into(),
                x_label: "x".into(),
                y_label: "y".into(),
                z_label: "z".into(),
                series: vec![
                    Series3 {
                        label: "class 0".into(),
                        color: class_color(0),
                        points: spiral(0.0),
                    },
                    Series3 {
                        label: "class 1".into(),
                        color: class_color(1),
                        points: spiral(0.5),
                    },
                ],
                note: None,
            },
        ],
        columns: 2,
        panel_size: (640, 520),
    };
    let seen = check(&figure);
    assert!(seen.panels.iter().all(|p| p.legend.is_some()));
}

#[test]
fn curves_drawn_on_top_of_each_other_are_found() {
    let ys = [1.0, 0.5, 0.25, 0.125];
    let mut close = ys.to_vec();
    close[2] += 1e-5;
    let curves = vec![
        curve("Linear", 0, &ys, false),
        curve("LinearHidden", 1, &close, false),
        curve("ReLU", 2, &[1.0, 0.4, 0.2, 0.1], false),
        curve("", 3, &ys, true),
    ];
    // Linear is under LinearHidden; the unlabelled reference line names nothing.
    assert_eq!(coinciding_curves(&curves, false), [(0, 1)]);
    assert_eq!(coinciding_curves(&curves, true), [(0, 1)]);
    assert!(coinciding_curves(&curves[1..3], false).is_empty());
    assert_eq!(
        hidden_curves_note(&curves, false).as_deref(),
        Some("Linear under LinearHidden (the same values)")
    );
    // A curve covered at nine points in ten or more is named as mostly hidden; below that,
    // not at all. Neither counts as coinciding.
    let base: Vec<f64> = (0..20).map(|i| 1.0 / f64::from(i + 1)).collect();
    let mut two_off = base.clone();
    two_off[5] += 0.3;
    two_off[6] += 0.3;
    let mostly = vec![
        curve("Linear", 0, &base, false),
        curve("LinearHidden", 1, &two_off, false),
    ];
    assert!(coinciding_curves(&mostly, false).is_empty());
    assert_eq!(
        hidden_curves_note(&mostly, false).as_deref(),
        Some("mostly hidden under LinearHidden: Linear")
    );
    let mut three_off = two_off.clone();
    three_off[7] += 0.3;
    let apart = vec![
        curve("Linear", 0, &base, false),
        curve("LinearHidden", 1, &three_off, false),
    ];
    assert_eq!(hidden_curves_note(&apart, false), None);
    // A dashed curve on top leaves the one under it visible.
    let mut dashed = curves.clone();
    dashed[1].dashed = true;
    assert!(coinciding_curves(&dashed, false).is_empty());
    // The chart renders with its note.
    let figure = Figure {
        title: None,
        panels: vec![lines("coinciding", false, curves)],
        columns: 1,
        panel_size: (640, 520),
    };
    inspect(&figure).expect("render");
}
