//! The image-grid panel: digits or garments with captions, wrong predictions highlighted.

use std::collections::HashSet;
use std::fs;
use std::path::PathBuf;

use unfold_viz::{Figure, GrayImage, ImageTile, Panel, VizError, save_figure};

/// A fresh directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let path =
            std::env::temp_dir().join(format!("unfold-viz-grid-{}-{name}", std::process::id()));
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

/// A 28x28 image with a filled square of ink whose size depends on `k`.
fn square(k: usize) -> GrayImage {
    let half = 4 + (k % 8) as i32;
    let pixels = (0..28 * 28)
        .map(|i: i32| {
            let (x, y) = (i % 28 - 14, i / 28 - 14);
            if x.abs() < half && y.abs() < half {
                255
            } else if x.abs() == half {
                128
            } else {
                0
            }
        })
        .collect();
    GrayImage {
        width: 28,
        height: 28,
        pixels,
    }
}

fn grid(tiles: Vec<ImageTile>, columns: usize) -> Figure {
    Figure {
        title: Some("Predictions".into()),
        panels: vec![Panel::ImageGrid {
            title: "Test images".into(),
            tiles,
            columns,
            note: Some("red: wrong".into()),
        }],
        columns: 1,
        panel_size: (640, 520),
    }
}

fn tiles(n: usize) -> Vec<ImageTile> {
    (0..n)
        .map(|k| ImageTile {
            image: square(k),
            caption: format!("true {}\npred {}", k % 10, (k + usize::from(k == 3)) % 10),
            highlight: k == 3,
        })
        .collect()
}

/// Decodes a PNG into (width, height, RGB bytes).
fn decode(path: &std::path::Path) -> (u32, u32, Vec<u8>) {
    let bytes = fs::read(path).unwrap();
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut pixels).unwrap();
    pixels.truncate(info.buffer_size());
    (info.width, info.height, pixels)
}

#[test]
fn image_grid_renders_images_captions_and_highlights() {
    let dir = TempDir::new("renders");
    let paths = save_figure(&grid(tiles(12), 6), &dir.0, "grid").unwrap();

    let (w, h, rgb) = decode(&paths[0]);
    assert_eq!((w, h), (640, 568), "one panel plus the figure title");
    let colours: HashSet<&[u8]> = rgb.chunks(3).collect();
    assert!(colours.contains(&[0u8, 0, 0][..]), "full ink is black");
    assert!(colours.contains(&[127u8, 127, 127][..]), "half ink is grey");
    let black = rgb.chunks(3).filter(|p| *p == [0, 0, 0]).count();
    // Twelve squares of (2 * half - 1)^2 ink pixels, each scaled by at least 2x2.
    assert!(black > 12 * 49 * 4, "{black} black pixels");
    let red = rgb.chunks(3).filter(|p| *p == [192, 36, 40]).count();
    assert!(
        red > 100,
        "the highlighted tile has a red frame and caption ({red})"
    );

    let svg = fs::read_to_string(&paths[1]).unwrap();
    assert_eq!(
        svg.matches("<image ").count(),
        12,
        "one embedded PNG per tile"
    );
    assert!(svg.contains("data:image/png;base64,iVBORw0KGgo"));
    assert!(svg.contains("true 3") && svg.contains("pred 4") && svg.contains("pred 0"));
    assert!(svg.trim_end().ends_with("</svg>"));
    assert!(
        svg.len() < 60_000,
        "images are embedded, not drawn pixel by pixel ({} bytes)",
        svg.len()
    );
}

#[test]
fn many_columns_tiny_cells_and_odd_sizes_do_not_panic() {
    let dir = TempDir::new("odd");
    let mut many = tiles(50);
    many.push(ImageTile {
        image: GrayImage {
            width: 1,
            height: 40,
            pixels: vec![200; 40],
        },
        caption: "a very long caption that cannot possibly fit under such a small image".into(),
        highlight: true,
    });
    for columns in [0, 1, 7, 51, 1000] {
        save_figure(&grid(many.clone(), columns), &dir.0, "many").unwrap();
    }
    // No images: an empty panel that says so.
    let paths = save_figure(&grid(Vec::new(), 4), &dir.0, "empty").unwrap();
    let svg = fs::read_to_string(&paths[1]).unwrap();
    assert!(svg.contains("no images to show"));
    // Captions are optional.
    let plain: Vec<ImageTile> = tiles(3)
        .into_iter()
        .map(|t| ImageTile {
            caption: String::new(),
            ..t
        })
        .collect();
    save_figure(&grid(plain, 3), &dir.0, "plain").unwrap();
}

#[test]
fn malformed_images_are_errors() {
    let dir = TempDir::new("malformed");
    for (image, needle) in [
        (
            GrayImage {
                width: 28,
                height: 28,
                pixels: vec![0; 783],
            },
            "783 pixel values",
        ),
        (
            GrayImage {
                width: 0,
                height: 28,
                pixels: vec![],
            },
            "0x28",
        ),
        (
            GrayImage {
                width: 100_000,
                height: 1,
                pixels: vec![0; 100_000],
            },
            "100000x1",
        ),
    ] {
        let mut t = tiles(2);
        t[1].image = image;
        let err = save_figure(&grid(t, 2), &dir.0, "bad").unwrap_err();
        assert!(
            matches!(err, VizError::InvalidPanel { index: 0, .. }),
            "{err:?}"
        );
        let msg = err.to_string();
        assert!(msg.contains("image 1") && msg.contains(needle), "{msg}");
    }
    assert_eq!(fs::read_dir(&dir.0).unwrap().count(), 0, "nothing written");
}
