//! End-to-end tests: every panel kind renders to PNG and SVG, bad data is
//! skipped and reported, and failures are errors, not panics or stray files.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

use unfold_viz::{
    Curve, Dot, Figure, Panel, Series2, Series3, VizError, class_color, save_animation, save_figure,
};

/// A fresh directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let path =
            std::env::temp_dir().join(format!("unfold-viz-test-{}-{name}", std::process::id()));
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

fn figure(panel: Panel) -> Figure {
    Figure {
        title: None,
        panels: vec![panel],
        columns: 1,
        panel_size: (640, 520),
    }
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Renders, checks both files, and returns the SVG text.
fn render(figure: &Figure, name: &str) -> String {
    let dir = TempDir::new(name);
    let paths = save_figure(figure, &dir.0, name).expect("save_figure");
    assert_eq!(
        paths,
        vec![
            dir.0.join(format!("{name}.png")),
            dir.0.join(format!("{name}.svg"))
        ]
    );
    assert_eq!(
        names(&dir.0),
        vec![format!("{name}.png"), format!("{name}.svg")],
        "no temporary files left"
    );

    let png = fs::read(&paths[0]).expect("read png");
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "PNG signature");
    let decoder = png::Decoder::new(std::io::Cursor::new(&png));
    let mut reader = decoder.read_info().expect("PNG header");
    let mut pixels = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut pixels).expect("PNG data");
    assert_eq!((info.width, info.height), (640, 520));
    let bytes = &pixels[..info.buffer_size()];
    let distinct: HashSet<&[u8]> = bytes.chunks(3).collect();
    assert!(
        distinct.len() > 20,
        "PNG is (nearly) flat: {} colours",
        distinct.len()
    );

    let svg = fs::read_to_string(&paths[1]).expect("read svg");
    assert!(svg.starts_with("<svg"), "SVG document");
    assert!(svg.trim_end().ends_with("</svg>"), "complete SVG document");
    svg
}

fn blobs() -> Vec<Series2> {
    (0..3)
        .map(|k| Series2 {
            label: format!("class {k}"),
            color: class_color(k),
            points: (0..50)
                .map(|i| {
                    let t = i as f32 * 0.7 + k as f32;
                    [k as f32 * 2.0 + t.sin(), t.cos() - k as f32]
                })
                .collect(),
        })
        .collect()
}

#[test]
fn scatter2_renders() {
    let svg = render(
        &figure(Panel::Scatter2 {
            title: "Blobs & friends".into(),
            x_label: "x1".into(),
            y_label: "x2".into(),
            series: blobs(),
            note: None,
        }),
        "scatter2",
    );
    assert!(svg.contains("Blobs &amp; friends"));
    assert!(svg.contains("class 2"), "legend entry");
    assert!(svg.contains("<circle"));
}

#[test]
fn scatter3_renders() {
    let series = (0..2)
        .map(|k| Series3 {
            label: format!("arm {k}"),
            color: class_color(k),
            points: (0..100)
                .map(|i| {
                    let t = i as f32 * 0.1;
                    [t.cos() * t, t.sin() * t, t + k as f32]
                })
                .collect(),
        })
        .collect();
    let svg = render(
        &figure(Panel::Scatter3 {
            title: "Spiral 3D".into(),
            x_label: "x axis".into(),
            y_label: "y axis".into(),
            z_label: "z axis".into(),
            series,
            note: None,
        }),
        "scatter3",
    );
    for text in ["Spiral 3D", "x axis", "y axis", "z axis", "arm 1"] {
        assert!(svg.contains(text), "SVG lacks {text:?}");
    }
}

#[test]
fn lines_render_linear_and_log() {
    for log_y in [false, true] {
        let curves = vec![
            Curve {
                label: "train".into(),
                color: class_color(0),
                points: (0..100)
                    .map(|e| (f64::from(e), 2.0 * (-f64::from(e) / 20.0).exp()))
                    .collect(),
                dashed: false,
            },
            Curve {
                label: "validation".into(),
                color: class_color(1),
                points: (0..100)
                    .map(|e| (f64::from(e), 2.2 * (-f64::from(e) / 25.0).exp()))
                    .collect(),
                dashed: true,
            },
        ];
        let svg = render(
            &figure(Panel::Lines {
                title: "Loss curves".into(),
                x_label: "epoch".into(),
                y_label: "loss".into(),
                log_y,
                curves,
                note: None,
            }),
            if log_y { "lines-log" } else { "lines" },
        );
        assert!(svg.contains("Loss curves") && svg.contains("validation"));
        assert!(svg.contains("<polyline"));
    }
}

#[test]
fn regions_render() {
    let (cols, rows) = (40, 30);
    let classes = (0..rows)
        .flat_map(|r| (0..cols).map(move |c| u32::from(c + r > 35)))
        .collect();
    let svg = render(
        &figure(Panel::Regions {
            title: "Decision regions".into(),
            x_label: "x1".into(),
            y_label: "x2".into(),
            x_range: (-1.0, 1.0),
            y_range: (-1.0, 1.0),
            cols,
            rows,
            classes,
            series: vec![Series2 {
                label: "data".into(),
                color: class_color(0),
                points: vec![[0.0, 0.0], [0.5, -0.5]],
            }],
            note: Some("grid 40x30".into()),
        }),
        "regions",
    );
    assert!(svg.contains("Decision regions") && svg.contains("grid 40x30"));
    // Runs of equal class are merged: far fewer rectangles than cells.
    assert!(svg.matches("<rect").count() < 200);
}

#[test]
fn figure_title_and_grid_layout() {
    let panel = |t: &str| Panel::Scatter2 {
        title: t.into(),
        x_label: String::new(),
        y_label: String::new(),
        series: blobs(),
        note: None,
    };
    let dir = TempDir::new("grid");
    let fig = Figure {
        title: Some("Overview".into()),
        panels: vec![panel("one"), panel("two"), panel("three")],
        columns: 2,
        panel_size: (320, 260),
    };
    let paths = save_figure(&fig, &dir.0, "grid").expect("save");
    let svg = fs::read_to_string(&paths[1]).expect("svg");
    for t in ["Overview", "one", "two", "three"] {
        assert!(svg.contains(t), "{t}");
    }
    let png = fs::read(&paths[0]).expect("png");
    let reader = png::Decoder::new(std::io::Cursor::new(&png))
        .read_info()
        .expect("header");
    let info = reader.info();
    assert_eq!(info.width, 640);
    assert!(info.height > 520, "two rows plus a title");
    // Saving again replaces the files atomically.
    save_figure(&fig, &dir.0, "grid").expect("save again");
    assert_eq!(names(&dir.0), vec!["grid.png", "grid.svg"]);
}

#[test]
fn non_finite_values_are_skipped_and_reported() {
    let svg = render(
        &figure(Panel::Scatter2 {
            title: "Scatter with holes".into(),
            x_label: "x".into(),
            y_label: "y".into(),
            series: vec![Series2 {
                label: "s".into(),
                color: class_color(0),
                points: vec![
                    [0.0, 0.0],
                    [f32::NAN, 1.0],
                    [1.0, f32::INFINITY],
                    [f32::NEG_INFINITY, 0.0],
                    [1.0, 1.0],
                ],
            }],
            note: Some("diverged at epoch 120".into()),
        }),
        "nan-scatter2",
    );
    assert!(
        svg.contains("3 non-finite points not shown"),
        "note missing"
    );
    // Two finite points (a filled disc and a white rim each) plus the legend disc.
    assert_eq!(svg.matches("<circle").count(), 2 * 2 + 1);
    assert!(svg.contains("diverged at epoch 120"));

    let svg = render(
        &figure(Panel::Scatter3 {
            title: "3D NaN".into(),
            x_label: "x".into(),
            y_label: "y".into(),
            z_label: "z".into(),
            series: vec![Series3 {
                label: "s".into(),
                color: class_color(1),
                points: vec![[0.0, 0.0, 0.0], [1.0, 2.0, f32::NAN], [1.0, 1.0, 1.0]],
            }],
            note: None,
        }),
        "nan-scatter3",
    );
    assert!(svg.contains("1 non-finite point not shown"));

    let svg = render(
        &figure(Panel::Lines {
            title: "Loss with NaN".into(),
            x_label: "epoch".into(),
            y_label: "loss".into(),
            log_y: true,
            curves: vec![Curve {
                label: "train".into(),
                color: class_color(0),
                points: vec![
                    (0.0, 1.0),
                    (1.0, 0.5),
                    (2.0, 0.0),
                    (3.0, -1.0),
                    (4.0, f64::NAN),
                    (5.0, f64::INFINITY),
                    (6.0, 0.1),
                ],
                dashed: false,
            }],
            note: None,
        }),
        "nan-lines",
    );
    assert!(svg.contains("2 non-finite and 2 non-positive values not shown (log scale)"));

    let svg = render(
        &figure(Panel::Lines {
            title: "Linear NaN".into(),
            x_label: "epoch".into(),
            y_label: "acc".into(),
            log_y: false,
            curves: vec![Curve {
                label: "acc".into(),
                color: class_color(0),
                points: vec![(0.0, 0.5), (1.0, f64::NAN), (2.0, 0.7), (f64::NAN, 0.8)],
                dashed: true,
            }],
            note: None,
        }),
        "nan-lines-linear",
    );
    assert!(svg.contains("2 non-finite values not shown"));

    let svg = render(
        &figure(Panel::Regions {
            title: "Regions NaN".into(),
            x_label: "x".into(),
            y_label: "y".into(),
            x_range: (0.0, 1.0),
            y_range: (0.0, 1.0),
            cols: 2,
            rows: 2,
            classes: vec![0, 1, 1, 0],
            series: vec![Series2 {
                label: "pts".into(),
                color: class_color(0),
                points: vec![[0.5, 0.5], [f32::NAN, 0.5], [5.0, 5.0]],
            }],
            note: None,
        }),
        "nan-regions",
    );
    assert!(svg.contains("1 non-finite point not shown"));
    assert!(svg.contains("1 point outside the map not shown"));
}

#[test]
fn empty_and_constant_data_do_not_panic() {
    let empty = Series2 {
        label: "empty".into(),
        color: class_color(0),
        points: vec![],
    };
    let constant = Series2 {
        label: "constant".into(),
        color: class_color(1),
        points: vec![[2.0, 2.0]; 10],
    };
    let all_nan = Series2 {
        label: String::new(),
        color: class_color(2),
        points: vec![[f32::NAN, f32::NAN]; 4],
    };
    let panels = vec![
        Panel::Scatter2 {
            title: "No series".into(),
            x_label: "x".into(),
            y_label: "y".into(),
            series: vec![],
            note: None,
        },
        Panel::Scatter2 {
            title: "Empty and constant".into(),
            x_label: "x".into(),
            y_label: "y".into(),
            series: vec![empty.clone(), constant.clone(), all_nan],
            note: None,
        },
        Panel::Scatter3 {
            title: "3D constant".into(),
            x_label: "x".into(),
            y_label: "y".into(),
            z_label: "z".into(),
            series: vec![
                Series3 {
                    label: "c".into(),
                    color: class_color(0),
                    points: vec![[0.0, 0.0, 0.0]; 5],
                },
                Series3 {
                    label: "e".into(),
                    color: class_color(1),
                    points: vec![],
                },
            ],
            note: None,
        },
        Panel::Scatter3 {
            title: "3D nothing".into(),
            x_label: String::new(),
            y_label: String::new(),
            z_label: String::new(),
            series: vec![],
            note: None,
        },
        Panel::Lines {
            title: "No curves".into(),
            x_label: "x".into(),
            y_label: "y".into(),
            log_y: true,
            curves: vec![],
            note: None,
        },
        Panel::Lines {
            title: "Flat and single".into(),
            x_label: "x".into(),
            y_label: "y".into(),
            log_y: false,
            curves: vec![
                Curve {
                    label: "flat".into(),
                    color: class_color(0),
                    points: vec![(0.0, 1.0), (1.0, 1.0), (2.0, 1.0)],
                    dashed: false,
                },
                Curve {
                    label: "single".into(),
                    color: class_color(1),
                    points: vec![(1.0, 1.0)],
                    dashed: true,
                },
                Curve {
                    label: "empty".into(),
                    color: class_color(2),
                    points: vec![],
                    dashed: false,
                },
            ],
            note: None,
        },
        Panel::Lines {
            title: "Log of zeros".into(),
            x_label: "x".into(),
            y_label: "y".into(),
            log_y: true,
            curves: vec![Curve {
                label: "zeros".into(),
                color: class_color(0),
                points: vec![(0.0, 0.0), (1.0, 0.0)],
                dashed: false,
            }],
            note: None,
        },
        Panel::Lines {
            title: "Log flat".into(),
            x_label: "x".into(),
            y_label: "y".into(),
            log_y: true,
            curves: vec![Curve {
                label: "flat".into(),
                color: class_color(0),
                points: vec![(0.0, 1e-3), (5.0, 1e-3)],
                dashed: false,
            }],
            note: None,
        },
        Panel::Regions {
            title: "Degenerate regions".into(),
            x_label: "x".into(),
            y_label: "y".into(),
            x_range: (1.0, 1.0),
            y_range: (2.0, -2.0),
            cols: 1,
            rows: 1,
            classes: vec![7],
            series: vec![empty, constant],
            note: None,
        },
    ];
    let dir = TempDir::new("degenerate");
    for (i, panel) in panels.into_iter().enumerate() {
        let title = panel.title().to_owned();
        let paths = save_figure(&figure(panel), &dir.0, &format!("p{i}"))
            .unwrap_or_else(|e| panic!("panel {title:?} failed: {e}"));
        let svg = fs::read_to_string(&paths[1]).expect("svg");
        assert!(svg.contains(&title), "{title}");
    }
}

#[test]
fn extreme_values_do_not_panic() {
    let curves = vec![Curve {
        label: "huge".into(),
        color: class_color(0),
        points: vec![
            (0.0, f64::MAX),
            (1.0, -f64::MAX),
            (2.0, 1e-300),
            (1e300, 0.0),
        ],
        dashed: false,
    }];
    let dir = TempDir::new("extreme");
    for log_y in [false, true] {
        let fig = figure(Panel::Lines {
            title: "Extreme".into(),
            x_label: "x".into(),
            y_label: "y".into(),
            log_y,
            curves: curves.clone(),
            note: None,
        });
        save_figure(&fig, &dir.0, &format!("extreme-{log_y}")).expect("extreme values render");
    }
    let fig = figure(Panel::Scatter2 {
        title: "Tiny spread".into(),
        x_label: "x".into(),
        y_label: "y".into(),
        series: vec![Series2 {
            label: "tiny".into(),
            color: class_color(3),
            points: vec![[1.0, 1e-30], [1.0 + f32::EPSILON, 2e-30], [f32::MAX, f32::MIN]],
        }],
        note: Some("a very long note that goes on and on and on and on and on and on and on and on and on and on and on".into()),
    });
    save_figure(&fig, &dir.0, "tiny").expect("tiny spread renders");
}

#[test]
fn missing_or_unwritable_directory_is_an_error() {
    let fig = figure(Panel::Scatter2 {
        title: "t".into(),
        x_label: "x".into(),
        y_label: "y".into(),
        series: blobs(),
        note: None,
    });

    let dir = TempDir::new("unwritable");
    let missing = dir.0.join("does-not-exist");
    let err = save_figure(&fig, &missing, "fig").expect_err("missing directory");
    assert!(matches!(err, VizError::Io { .. }), "{err:?}");
    assert!(
        err.to_string().contains("does-not-exist"),
        "error names the path: {err}"
    );
    assert!(!missing.exists());

    // A regular file where the directory should be.
    let file = dir.0.join("a-file");
    fs::write(&file, b"x").expect("write file");
    let err = save_figure(&fig, &file, "fig").expect_err("file as directory");
    assert!(matches!(err, VizError::Io { .. }), "{err:?}");

    // A read-only directory (meaningless when running as root, which may write anyway).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let ro = dir.0.join("read-only");
        fs::create_dir(&ro).expect("mkdir");
        fs::set_permissions(&ro, fs::Permissions::from_mode(0o555)).expect("chmod");
        let probe = ro.join("probe");
        let can_write_anyway = fs::write(&probe, b"").is_ok();
        let _ = fs::remove_file(&probe);
        if !can_write_anyway {
            let err = save_figure(&fig, &ro, "fig").expect_err("read-only directory");
            assert!(matches!(err, VizError::Io { .. }), "{err:?}");
            assert!(names(&ro).is_empty(), "left files behind: {:?}", names(&ro));
        }
        fs::set_permissions(&ro, fs::Permissions::from_mode(0o755)).expect("chmod back");
    }
    // The final rename fails (a directory is in the way): the temporary file
    // must be cleaned up and the error must name the target.
    let blocked = dir.0.join("blocked");
    fs::create_dir_all(blocked.join("fig.png").join("inside")).expect("mkdir");
    let err = save_figure(&fig, &blocked, "fig").expect_err("rename onto a directory");
    assert!(matches!(err, VizError::Io { .. }), "{err:?}");
    assert!(err.to_string().contains("fig.png"), "{err}");
    assert_eq!(
        names(&blocked),
        vec!["fig.png"],
        "temporary file left behind"
    );

    assert_eq!(names(&dir.0), vec!["a-file", "blocked", "read-only"]);
}

#[test]
fn malformed_figures_are_errors() {
    let dir = TempDir::new("malformed");
    let empty = Figure {
        title: Some("nothing".into()),
        panels: vec![],
        columns: 1,
        panel_size: (640, 520),
    };
    assert!(matches!(
        save_figure(&empty, &dir.0, "f"),
        Err(VizError::InvalidFigure(_))
    ));

    let regions = |cols, rows, classes: Vec<u32>, x_range| {
        figure(Panel::Regions {
            title: "bad grid".into(),
            x_label: "x".into(),
            y_label: "y".into(),
            x_range,
            y_range: (0.0, 1.0),
            cols,
            rows,
            classes,
            series: vec![],
            note: None,
        })
    };
    for fig in [
        regions(3, 3, vec![0; 8], (0.0, 1.0)),
        regions(0, 3, vec![], (0.0, 1.0)),
        regions(usize::MAX, 2, vec![], (0.0, 1.0)),
        regions(1, 1, vec![0], (f32::NAN, 1.0)),
    ] {
        let err = save_figure(&fig, &dir.0, "f").expect_err("bad grid");
        assert!(
            matches!(err, VizError::InvalidPanel { index: 0, .. }),
            "{err:?}"
        );
        assert!(err.to_string().contains("bad grid"), "{err}");
    }

    let mut tiny = regions(1, 1, vec![0], (0.0, 1.0));
    tiny.panel_size = (0, 0);
    assert!(matches!(
        save_figure(&tiny, &dir.0, "f"),
        Err(VizError::InvalidFigure(_))
    ));
    let mut huge = regions(1, 1, vec![0], (0.0, 1.0));
    huge.panel_size = (u32::MAX, u32::MAX);
    assert!(matches!(
        save_figure(&huge, &dir.0, "f"),
        Err(VizError::InvalidFigure(_))
    ));

    let ok = regions(1, 1, vec![0], (0.0, 1.0));
    for stem in ["", "a/b", "..", "a\\b"] {
        assert!(
            matches!(
                save_figure(&ok, &dir.0, stem),
                Err(VizError::InvalidStem { .. })
            ),
            "stem {stem:?}"
        );
    }
    // Zero columns are treated as one.
    let mut zero_cols = ok.clone();
    zero_cols.columns = 0;
    save_figure(&zero_cols, &dir.0, "zero-cols").expect("columns 0 means 1");
    assert_eq!(names(&dir.0), vec!["zero-cols.png", "zero-cols.svg"]);
}

#[test]
fn dots_on_a_dark_panel_with_fixed_ranges() {
    let dir = std::env::temp_dir().join(format!("unfold-viz-dots-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let dots: Vec<Dot> = (0..50)
        .map(|i| Dot {
            x: i as f32 / 10.0,
            y: (i as f32 / 7.0).sin(),
            color: (200, (i * 5) as u8, 40),
            radius: 1.0 + (i % 7) as f32,
        })
        .chain([Dot {
            x: f32::NAN,
            y: 0.0,
            color: (0, 0, 0),
            radius: 3.0,
        }])
        .collect();
    let figure = Figure {
        title: Some("Rainbow".into()),
        panels: vec![Panel::Dots {
            title: "relu1".into(),
            x_label: "a".into(),
            y_label: "b".into(),
            dots,
            dark: true,
            x_range: Some((-1.0, 6.0)),
            y_range: Some((-1.5, 1.5)),
            note: None,
        }],
        columns: 1,
        panel_size: (640, 520),
    };
    let paths = save_figure(&figure, &dir, "dots").unwrap();
    let svg = std::fs::read_to_string(&paths[1]).unwrap();
    assert!(svg.contains("relu1"));
    assert!(
        svg.contains("1 non-finite dot not shown"),
        "note for the NaN dot"
    );
    let bad = Figure {
        panels: vec![Panel::Dots {
            title: "bad".into(),
            x_label: String::new(),
            y_label: String::new(),
            dots: Vec::new(),
            dark: false,
            x_range: Some((1.0, 1.0)),
            y_range: None,
            note: None,
        }],
        ..figure
    };
    assert!(
        save_figure(&bad, &dir, "bad").is_err(),
        "an empty fixed range is an error"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn animation_is_a_looping_gif_with_one_frame_per_figure() {
    let dir = TempDir::new("animation");
    let frame = |k: f64| {
        figure(Panel::Lines {
            title: format!("frame {k}"),
            x_label: "x".into(),
            y_label: "y".into(),
            log_y: false,
            curves: vec![Curve {
                label: "line".into(),
                color: class_color(0),
                points: (0..20).map(|i| (i as f64, k * i as f64)).collect(),
                dashed: false,
            }],
            note: None,
        })
    };
    let frames: Vec<Figure> = (1..=3).map(|k| frame(k as f64)).collect();
    let path = save_animation(&frames, &dir.0, "anim", 200).unwrap();
    assert_eq!(names(&dir.0), vec!["anim.gif".to_string()]);
    let mut decoder = gif::DecodeOptions::new()
        .read_info(fs::File::open(&path).unwrap())
        .unwrap();
    let mut delays = Vec::new();
    while let Some(frame) = decoder.read_next_frame().unwrap() {
        delays.push(frame.delay);
    }
    assert_eq!(
        delays,
        vec![20, 20, 60],
        "200 ms frames, the last held longer"
    );

    let mut wider = frame(4.0);
    wider.panel_size = (700, 520);
    let err = save_animation(&[frame(1.0), wider], &dir.0, "bad", 100).unwrap_err();
    assert!(err.to_string().contains("frame 1"), "{err}");
    assert!(save_animation(&[], &dir.0, "none", 100).is_err());
    assert_eq!(
        names(&dir.0),
        vec!["anim.gif".to_string()],
        "nothing half-written"
    );
}
