//! A seeded mutation fuzzer for the IDX readers, run as an ordinary test on stable Rust: valid
//! image and label files (raw and gzip) are corrupted thousands of ways — flipped and
//! overwritten bytes, truncations, insertions, absurd header dimensions — and every result must
//! be `Ok` or a `DataError`, never a panic or an attempt to allocate what the header claims
//! before checking it against the file.

use std::path::PathBuf;

use rand::{Rng, RngExt};
use unfold_data::idx::{
    encode_idx_images, encode_idx_labels, gzip, read_idx_images, read_idx_labels,
};

struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn mutate(base: &[u8], rng: &mut impl Rng) -> Vec<u8> {
    let mut bytes = base.to_vec();
    for _ in 0..rng.random_range(1..4) {
        match rng.random_range(0..6) {
            0 if !bytes.is_empty() => {
                let i = rng.random_range(0..bytes.len());
                bytes[i] ^= 1 << rng.random_range(0..8);
            }
            1 if !bytes.is_empty() => {
                let i = rng.random_range(0..bytes.len());
                bytes[i] = rng.random();
            }
            2 => {
                let len = rng.random_range(0..=bytes.len());
                bytes.truncate(len);
            }
            3 => {
                let i = rng.random_range(0..=bytes.len());
                let extra: Vec<u8> = (0..rng.random_range(1..16)).map(|_| rng.random()).collect();
                bytes.splice(i..i, extra);
            }
            4 if bytes.len() >= 8 => {
                // A huge dimension in the header (the count, or a side).
                let dim = 4 * rng.random_range(1..=((bytes.len() - 4) / 4).min(3));
                let huge: u32 = rng.random_range(1u32 << 20..=u32::MAX);
                bytes[dim..dim + 4].copy_from_slice(&huge.to_be_bytes());
            }
            _ => {
                // The type and rank bytes of the magic number.
                if bytes.len() >= 4 {
                    bytes[2] = rng.random();
                    bytes[3] = rng.random_range(0..5);
                }
            }
        }
    }
    bytes
}

#[test]
fn corrupted_idx_files_are_errors_not_panics() {
    let dir = TempDir(std::env::temp_dir().join(format!("unfold-idx-fuzz-{}", std::process::id())));
    std::fs::create_dir_all(&dir.0).unwrap();
    let pixels: Vec<u8> = (0..5 * 4 * 3).map(|i| (i * 7) as u8).collect();
    let images = encode_idx_images(4, 3, &pixels).unwrap();
    let labels = encode_idx_labels(&[0, 1, 2, 3, 4]).unwrap();
    let bases = [
        (images.clone(), true),
        (gzip(&images), true),
        (labels.clone(), false),
        (gzip(&labels), false),
    ];
    let mut rng = unfold_data::seeded_rng(2026);
    let path = dir.0.join("case");
    let (mut ok, mut errors) = (0, 0);
    for case in 0..4000 {
        let (base, is_images) = &bases[case % bases.len()];
        let bytes = mutate(base, &mut rng);
        std::fs::write(&path, &bytes).unwrap();
        let result = std::panic::catch_unwind(|| {
            if *is_images {
                read_idx_images(&path).map(|_| ())
            } else {
                read_idx_labels(&path).map(|_| ())
            }
        });
        match result {
            Ok(Ok(())) => ok += 1,
            Ok(Err(e)) => {
                errors += 1;
                assert!(!e.to_string().is_empty());
            }
            Err(_) => panic!("case {case} panicked; input: {bytes:?}"),
        }
    }
    assert!(
        errors > 3000,
        "most mutations must be rejected ({ok} accepted)"
    );
}
