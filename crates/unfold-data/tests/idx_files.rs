//! IDX files written by the tests: writer → reader round trips (raw and gzip), and every
//! kind of malformed file, each of which must be a clear error naming the file — never a
//! panic, never a silently shortened set.

use std::fs;
use std::path::{Path, PathBuf};

use unfold_data::idx::gzip;
use unfold_data::{
    DataError, ImageSet, encode_idx_images, encode_idx_labels, read_idx_images, read_idx_labels,
    write_idx_images, write_idx_labels,
};

/// A fresh directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let path =
            std::env::temp_dir().join(format!("unfold-data-idx-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&path);
        fs::create_dir_all(&path).expect("create test directory");
        TempDir(path)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// 7 images of 4x3 pixels with labels 0..=6.
fn fixture() -> ImageSet {
    let (n, rows, cols) = (7, 4, 3);
    let pixels = (0..n * rows * cols).map(|i| (i * 37 % 256) as u8).collect();
    let labels = (0..n).map(|i| i as u8).collect();
    ImageSet::new(rows, cols, pixels, labels).unwrap()
}

/// The error's message, which must name `path`.
fn message_naming(err: DataError, path: &Path) -> String {
    let text = err.to_string();
    assert!(
        text.contains(&path.display().to_string()),
        "error does not name {}: {text}",
        path.display()
    );
    eprintln!("{text}");
    text
}

fn images_error(path: &Path) -> String {
    let err = read_idx_images(path).expect_err("reading should fail");
    message_naming(err, path)
}

fn labels_error(path: &Path) -> String {
    let err = read_idx_labels(path).expect_err("reading should fail");
    message_naming(err, path)
}

#[test]
fn round_trip_raw_and_gzip() {
    let dir = TempDir::new("round-trip");
    let set = fixture();
    for (images, labels) in [
        ("img", "lbl"),
        ("img.gz", "lbl.gz"),
        // Compression is recognised by content, not by name.
        ("img.gz", "lbl-gzipped-without-suffix"),
    ] {
        let (images, labels) = (dir.path(images), dir.path(labels));
        set.write_idx(&images, &labels).unwrap();
        if labels.extension().is_none() && images.extension().is_some() {
            // Re-write the labels gzipped under a name without .gz.
            fs::write(&labels, gzip(&encode_idx_labels(set.labels()).unwrap())).unwrap();
        }
        let back = ImageSet::from_idx_files(&images, &labels).unwrap();
        assert_eq!(back, set);
        assert_eq!((back.rows(), back.cols(), back.len()), (4, 3, 7));
    }
    let raw = read_idx_images(&dir.path("img")).unwrap();
    assert_eq!((raw.count, raw.rows, raw.cols), (7, 4, 3));
    assert_eq!(raw.pixels, set.pixels());
    assert_eq!(
        fs::metadata(dir.path("img")).unwrap().len(),
        16 + 7 * 4 * 3,
        "raw file: 16-byte header, then the pixels"
    );
}

#[test]
fn empty_sets_round_trip() {
    let dir = TempDir::new("empty");
    let (images, labels) = (dir.path("i"), dir.path("l"));
    write_idx_images(&images, 28, 28, &[]).unwrap();
    write_idx_labels(&labels, &[]).unwrap();
    let set = ImageSet::from_idx_files(&images, &labels).unwrap();
    assert!(set.is_empty());
    assert_eq!((set.rows(), set.cols()), (28, 28));
}

#[test]
fn encoded_header_is_big_endian() {
    let bytes = encode_idx_images(2, 3, &[9; 12]).unwrap();
    assert_eq!(
        &bytes[..16],
        &[0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 3]
    );
    assert_eq!(
        &encode_idx_labels(&[1, 2]).unwrap(),
        &[0, 0, 8, 1, 0, 0, 0, 2, 1, 2]
    );
    assert!(encode_idx_images(2, 3, &[0; 13]).is_err());
    assert!(encode_idx_images(0, 3, &[]).is_err());
}

#[test]
fn swapped_files_are_named_by_kind() {
    let dir = TempDir::new("swapped");
    let set = fixture();
    let (images, labels) = (dir.path("images"), dir.path("labels"));
    set.write_idx(&images, &labels).unwrap();
    let msg = images_error(&labels);
    assert!(
        msg.contains("0x00000801") && msg.contains("label file"),
        "{msg}"
    );
    let msg = labels_error(&images);
    assert!(
        msg.contains("0x00000803") && msg.contains("image file"),
        "{msg}"
    );
}

#[test]
fn bad_magic_numbers() {
    let dir = TempDir::new("magic");
    let not_idx = dir.path("not-idx");
    fs::write(&not_idx, b"hello, world, this is not IDX").unwrap();
    let msg = images_error(&not_idx);
    assert!(msg.contains("not an IDX magic number"), "{msg}");

    let floats = dir.path("floats");
    let mut bytes = encode_idx_images(2, 2, &[0; 8]).unwrap();
    bytes[2] = 0x0d; // float data
    fs::write(&floats, &bytes).unwrap();
    let msg = images_error(&floats);
    assert!(msg.contains("data type 0x0d"), "{msg}");

    let four_dims = dir.path("four-dims");
    let mut bytes = encode_idx_images(2, 2, &[0; 8]).unwrap();
    bytes[3] = 4;
    fs::write(&four_dims, &bytes).unwrap();
    let msg = images_error(&four_dims);
    assert!(msg.contains("4 dimensions"), "{msg}");
}

#[test]
fn short_headers() {
    let dir = TempDir::new("short");
    for (name, bytes) in [
        ("empty", Vec::new()),
        ("three-bytes", vec![0, 0, 8]),
        ("half-header", vec![0, 0, 8, 3, 0, 0, 0, 1, 0, 0]),
    ] {
        let path = dir.path(name);
        fs::write(&path, &bytes).unwrap();
        let msg = images_error(&path);
        assert!(
            msg.contains("too short for an IDX header") || msg.contains("ends inside the header"),
            "{name}: {msg}"
        );
        let gz = dir.path(&format!("{name}.gz"));
        fs::write(&gz, gzip(&bytes)).unwrap();
        let msg = images_error(&gz);
        assert!(msg.contains("decompressed data"), "{name}.gz: {msg}");
    }
}

#[test]
fn empty_image_size_is_rejected() {
    let dir = TempDir::new("zero-rows");
    let path = dir.path("zero-rows");
    fs::write(&path, [0, 0, 8, 3, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 28]).unwrap();
    let msg = images_error(&path);
    assert!(msg.contains("0x28 pixels"), "{msg}");
}

#[test]
fn truncated_and_overlong_raw_files() {
    let dir = TempDir::new("length");
    let full = encode_idx_images(4, 3, fixture().pixels()).unwrap();

    let truncated = dir.path("truncated");
    fs::write(&truncated, &full[..full.len() - 5]).unwrap();
    let msg = images_error(&truncated);
    assert!(
        msg.contains("truncated") && msg.contains("5 bytes are missing"),
        "{msg}"
    );
    assert!(msg.contains("7 images of 4x3 pixels"), "{msg}");

    let long = dir.path("long");
    let mut bytes = full.clone();
    bytes.extend_from_slice(&[1, 2]);
    fs::write(&long, &bytes).unwrap();
    let msg = images_error(&long);
    assert!(
        msg.contains("too long") && msg.contains("2 bytes are left over"),
        "{msg}"
    );

    let labels = encode_idx_labels(&[1, 2, 3]).unwrap();
    let short_labels = dir.path("short-labels");
    fs::write(&short_labels, &labels[..labels.len() - 1]).unwrap();
    let msg = labels_error(&short_labels);
    assert!(
        msg.contains("truncated") && msg.contains("3 labels"),
        "{msg}"
    );
}

#[test]
fn truncated_corrupt_and_overlong_gzip_files() {
    let dir = TempDir::new("gzip");
    let full = encode_idx_images(4, 3, fixture().pixels()).unwrap();

    // Well-formed gzip of truncated data.
    let short_data = dir.path("short-data.gz");
    fs::write(&short_data, gzip(&full[..full.len() - 5])).unwrap();
    let msg = images_error(&short_data);
    assert!(
        msg.contains("truncated") && msg.contains("5 bytes are missing"),
        "{msg}"
    );

    // Well-formed gzip of data with trailing bytes.
    let long_data = dir.path("long-data.gz");
    let mut long = full.clone();
    long.push(0);
    fs::write(&long_data, gzip(&long)).unwrap();
    let msg = images_error(&long_data);
    assert!(msg.contains("trailing data"), "{msg}");

    // A gzip stream cut short.
    let compressed = gzip(&full);
    let cut = dir.path("cut.gz");
    fs::write(&cut, &compressed[..compressed.len() / 2]).unwrap();
    let msg = images_error(&cut);
    assert!(
        msg.contains("corrupt or truncated") || msg.contains("truncated"),
        "{msg}"
    );

    // Only the gzip trailer (CRC, length) missing: the data is complete, the stream is not.
    let no_trailer = dir.path("no-trailer.gz");
    fs::write(&no_trailer, &compressed[..compressed.len() - 8]).unwrap();
    let msg = images_error(&no_trailer);
    assert!(msg.contains("corrupt or truncated"), "{msg}");

    // A flipped byte in the CRC.
    let bad_crc = dir.path("bad-crc.gz");
    let mut bytes = compressed.clone();
    let at = bytes.len() - 6;
    bytes[at] ^= 0xff;
    fs::write(&bad_crc, &bytes).unwrap();
    let msg = images_error(&bad_crc);
    assert!(msg.contains("corrupt or truncated"), "{msg}");

    // Garbage after the gzip member.
    let garbage = dir.path("garbage.gz");
    let mut bytes = compressed.clone();
    bytes.extend_from_slice(b"garbage");
    fs::write(&garbage, &bytes).unwrap();
    let msg = images_error(&garbage);
    assert!(msg.contains("corrupt or truncated"), "{msg}");

    // Flipped bytes in the middle of the compressed data: an error of some kind, never
    // a panic; if the damage still decodes to the right length, the CRC catches it.
    for offset in [12, compressed.len() / 2, compressed.len() - 10] {
        let damaged = dir.path(&format!("damaged-{offset}.gz"));
        let mut bytes = compressed.clone();
        bytes[offset] ^= 0x55;
        fs::write(&damaged, &bytes).unwrap();
        images_error(&damaged);
    }
}

#[test]
fn absurd_dimensions_do_not_allocate_or_panic() {
    let dir = TempDir::new("absurd");
    let header = [
        0, 0, 8, 3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    ];
    for name in ["raw", "gz"] {
        let path = dir.path(name);
        let mut bytes = header.to_vec();
        bytes.extend_from_slice(&[0; 100]);
        let bytes = if name == "gz" { gzip(&bytes) } else { bytes };
        fs::write(&path, &bytes).unwrap();
        let msg = images_error(&path);
        assert!(
            msg.contains("too large") || msg.contains("truncated"),
            "{msg}"
        );
    }
    // Large but addressable: 2^32-1 labels announced, 3 present (refused from the header).
    let labels = dir.path("labels.gz");
    fs::write(
        &labels,
        gzip(&[0, 0, 8, 1, 0xff, 0xff, 0xff, 0xff, 1, 2, 3]),
    )
    .unwrap();
    let msg = labels_error(&labels);
    assert!(msg.contains("too large"), "{msg}");
}

#[test]
fn missing_file_is_an_io_error_naming_it() {
    let dir = TempDir::new("missing");
    let path = dir.path("nope");
    let err = read_idx_images(&path).unwrap_err();
    assert!(matches!(err, DataError::Io { .. }));
    message_naming(err, &path);
}

#[test]
fn images_and_labels_must_agree() {
    let dir = TempDir::new("mismatch");
    let set = fixture();
    let (images, labels) = (dir.path("images.gz"), dir.path("labels.gz"));
    write_idx_images(&images, 4, 3, set.pixels()).unwrap();
    write_idx_labels(&labels, &set.labels()[..6]).unwrap();
    let err = ImageSet::from_idx_files(&images, &labels).unwrap_err();
    assert!(matches!(err, DataError::Mismatch { .. }));
    let msg = message_naming(err, &images);
    assert!(msg.contains(&labels.display().to_string()), "{msg}");
    assert!(
        msg.contains("7 images") && msg.contains("6 labels"),
        "{msg}"
    );
}

#[test]
fn labels_must_be_digits() {
    let dir = TempDir::new("labels");
    let set = fixture();
    let (images, labels) = (dir.path("images"), dir.path("labels"));
    write_idx_images(&images, 4, 3, set.pixels()).unwrap();
    write_idx_labels(&labels, &[0, 1, 2, 3, 10, 5, 6]).unwrap();
    let err = ImageSet::from_idx_files(&images, &labels).unwrap_err();
    let msg = message_naming(err, &labels);
    assert!(msg.contains("label 10 at index 4"), "{msg}");

    assert!(ImageSet::new(1, 1, vec![0], vec![10]).is_err());
    assert!(ImageSet::new(1, 1, vec![0, 0], vec![1]).is_err());
    assert!(ImageSet::new(0, 1, vec![], vec![]).is_err());
}
