//! The `idx` fuzz target's inputs replayed on stable Rust: the seed corpus (`fuzz/seeds/idx/`)
//! and every kept fuzzer input (`fuzz/regressions/idx/`, crashes and interesting corpus
//! entries) go through the fuzz target's own oracle (`fuzz/harness/idx.rs`, included below),
//! under the fuzz targets' allocation limit (`fuzz/harness/alloc_limit.rs`), and the file
//! readers must agree with the in-memory decoders on each of them.
//!
//! `cargo test --release -p unfold-data --test fuzz_regressions -- --ignored write_seeds`
//! rewrites the seed corpus from the encoders.

use std::fs;
use std::path::{Path, PathBuf};

use unfold_data::DataError;
use unfold_data::idx::{
    decode_idx_images, decode_idx_labels, encode_idx_images, encode_idx_labels, gzip,
    read_idx_images, read_idx_labels,
};

#[path = "../../../fuzz/harness/idx.rs"]
mod harness;

// The fuzz targets' allocation limit: replaying an input must not reserve more than the
// input could justify (a violation aborts the test binary with a message).
#[path = "../../../fuzz/harness/alloc_limit.rs"]
mod alloc_limit;

#[global_allocator]
static ALLOC: alloc_limit::Limited = alloc_limit::Limited;

fn fuzz_dir(sub: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz")
        .join(sub)
}

/// The files of `fuzz/<sub>`, sorted by name.
fn inputs(sub: &str) -> Vec<(String, Vec<u8>)> {
    let dir = fuzz_dir(sub);
    let mut files: Vec<(String, Vec<u8>)> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|entry| {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, fs::read(&path).unwrap())
        })
        .filter(|(name, _)| !name.starts_with('.') && name != "README.md")
        .collect();
    files.sort();
    files
}

/// The seed corpus: named files, each a valid image or label file, raw or gzip.
fn seeds() -> Vec<(&'static str, Vec<u8>)> {
    let pixels: Vec<u8> = (0..3 * 4 * 5).map(|i| (i * 37 % 256) as u8).collect();
    let images = encode_idx_images(4, 5, &pixels).unwrap();
    let one = encode_idx_images(2, 2, &[0, 255, 128, 7]).unwrap();
    let empty = encode_idx_images(1, 1, &[]).unwrap();
    let labels = encode_idx_labels(&[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]).unwrap();
    let no_labels = encode_idx_labels(&[]).unwrap();
    vec![
        ("images-3x4x5.idx", images.clone()),
        ("images-3x4x5.idx.gz", gzip(&images)),
        ("images-1x2x2.idx", one),
        ("images-0x1x1.idx", empty),
        ("labels-10.idx", labels.clone()),
        ("labels-10.idx.gz", gzip(&labels)),
        ("labels-0.idx", no_labels),
    ]
}

#[test]
#[ignore = "writes fuzz/seeds/idx; run by hand to regenerate the seed corpus"]
fn write_seeds() {
    let dir = fuzz_dir("seeds/idx");
    fs::create_dir_all(&dir).unwrap();
    for (name, bytes) in seeds() {
        fs::write(dir.join(name), bytes).unwrap();
    }
}

#[test]
fn seeds_are_valid_and_pass_the_fuzz_oracle() {
    let files = inputs("seeds/idx");
    let expected = seeds();
    assert_eq!(
        files.len(),
        expected.len(),
        "fuzz/seeds/idx has other files"
    );
    for (name, bytes) in &files {
        let (_, made) = expected.iter().find(|(n, _)| *n == name.as_str()).unwrap();
        if harness::is_gzip(bytes) {
            // Compressed bytes depend on the compressor; the content must match.
            assert!(name.ends_with(".gz"));
            let raw: Vec<u8> = expected
                .iter()
                .find(|(n, _)| Some(*n) == name.strip_suffix(".gz"))
                .unwrap()
                .1
                .clone();
            assert_eq!(decode_idx_images(bytes).ok(), decode_idx_images(&raw).ok());
            assert_eq!(decode_idx_labels(bytes).ok(), decode_idx_labels(&raw).ok());
        } else {
            assert_eq!(bytes, made, "{name} is not what the encoder writes");
        }
        alloc_limit::within(bytes.len(), || harness::check(bytes));
        let accepted = [harness::check_images(bytes), harness::check_labels(bytes)];
        let want = [name.starts_with("images"), name.starts_with("labels")];
        assert_eq!(accepted, want, "{name}: accepted as [images, labels]");
    }
}

#[test]
fn kept_fuzzer_inputs_pass_the_fuzz_oracle() {
    let files = inputs("regressions/idx");
    assert!(!files.is_empty(), "fuzz/regressions/idx is empty");
    for (name, bytes) in &files {
        eprintln!("{name}: {} bytes", bytes.len());
        alloc_limit::within(bytes.len(), || harness::check(bytes));
    }
}

/// The `idx` target's first finding: 19 bytes of gzip whose header declares 4,278,446,031
/// labels made the decoder reserve 64 MiB before any data arrived. It must be rejected — now
/// already by its header, more labels than the datasets hold — reserving no more than the
/// allocation limit allows (else the binary aborts).
#[test]
fn gzip_header_claiming_billions_of_labels_reserves_little() {
    let bytes = fs::read(fuzz_dir("regressions/idx/gzip-header-reserves-64mib")).unwrap();
    assert_eq!(bytes.len(), 19);
    let result = alloc_limit::within(bytes.len(), || decode_idx_labels(&bytes));
    match result {
        Err(DataError::InvalidIdx { reason, .. }) => {
            assert!(
                reason.contains("too large") || reason.contains("corrupt or truncated"),
                "{reason}"
            );
        }
        other => panic!("expected an InvalidIdx error, got {other:?}"),
    }
}

/// The same result, or the same reason for rejecting.
fn same<T: PartialEq + std::fmt::Debug>(
    file: Result<T, DataError>,
    memory: Result<T, DataError>,
    name: &str,
) {
    match (file, memory) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "{name}"),
        (
            Err(DataError::InvalidIdx { reason: a, .. }),
            Err(DataError::InvalidIdx { reason: b, .. }),
        ) => assert_eq!(a, b, "{name}"),
        (a, b) => panic!("{name}: the file reader gives {a:?}, the decoder {b:?}"),
    }
}

#[test]
fn file_readers_agree_with_the_decoders_on_every_kept_input() {
    let dir = std::env::temp_dir().join(format!("unfold-fuzz-regressions-{}", std::process::id()));
    fs::create_dir_all(&dir).unwrap();
    let path = dir.join("input");
    for (name, bytes) in inputs("seeds/idx")
        .into_iter()
        .chain(inputs("regressions/idx"))
    {
        fs::write(&path, &bytes).unwrap();
        same(
            alloc_limit::within(bytes.len(), || read_idx_images(&path)),
            alloc_limit::within(bytes.len(), || decode_idx_images(&bytes)),
            &name,
        );
        same(
            alloc_limit::within(bytes.len(), || read_idx_labels(&path)),
            alloc_limit::within(bytes.len(), || decode_idx_labels(&bytes)),
            &name,
        );
    }
    fs::remove_dir_all(&dir).unwrap();
}
