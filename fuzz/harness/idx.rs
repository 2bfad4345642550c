//! The oracle of the `idx` fuzz target, shared with the stable regression test
//! `crates/unfold-data/tests/fuzz_regressions.rs` (which includes this file by path).
//!
//! Any bytes are decoded both as an IDX image file and as an IDX label file. Each decoder must
//! return either data that is consistent with itself and encodes back to the same file, or an
//! [`DataError::InvalidIdx`] naming [`IN_MEMORY`] with a reason — never panic, and never
//! allocate what a header claims before the data is there (the fuzzer's `-malloc_limit_mb`
//! catches that).

use unfold_data::DataError;
use unfold_data::idx::{
    IN_MEMORY, decode_idx_images, decode_idx_labels, encode_idx_images, encode_idx_labels,
};

/// Whether `data` starts like a gzip stream (as the decoders decide).
pub fn is_gzip(data: &[u8]) -> bool {
    data.starts_with(&[0x1f, 0x8b])
}

/// Checks both decoders on `data`; panics on any broken property.
pub fn check(data: &[u8]) {
    check_images(data);
    check_labels(data);
}

/// Decodes `data` as an image file and checks the result; returns whether it was accepted.
pub fn check_images(data: &[u8]) -> bool {
    match decode_idx_images(data) {
        Ok(images) => {
            assert!(images.rows > 0 && images.cols > 0, "accepted empty images");
            let expected = images
                .count
                .checked_mul(images.rows)
                .and_then(|n| n.checked_mul(images.cols));
            assert_eq!(
                expected,
                Some(images.pixels.len()),
                "pixel count disagrees with the header"
            );
            let encoded = encode_idx_images(images.rows, images.cols, &images.pixels)
                .expect("accepted images must encode");
            if is_gzip(data) {
                let again = decode_idx_images(&encoded).expect("re-encoded images must decode");
                assert_eq!(again, images, "images change on a round trip");
            } else {
                assert!(
                    encoded == data,
                    "raw image file does not encode back to itself"
                );
            }
            true
        }
        Err(e) => {
            check_error(e);
            false
        }
    }
}

/// Decodes `data` as a label file and checks the result; returns whether it was accepted.
pub fn check_labels(data: &[u8]) -> bool {
    match decode_idx_labels(data) {
        Ok(labels) => {
            let encoded = encode_idx_labels(&labels).expect("accepted labels must encode");
            if is_gzip(data) {
                let again = decode_idx_labels(&encoded).expect("re-encoded labels must decode");
                assert_eq!(again, labels, "labels change on a round trip");
            } else {
                assert!(
                    encoded == data,
                    "raw label file does not encode back to itself"
                );
            }
            true
        }
        Err(e) => {
            check_error(e);
            false
        }
    }
}

/// A decoder's error must be an invalid-IDX error naming the in-memory source, with a reason.
fn check_error(e: DataError) {
    match e {
        DataError::InvalidIdx {
            ref path,
            ref reason,
        } => {
            assert_eq!(
                path.to_str(),
                Some(IN_MEMORY),
                "error names the wrong source"
            );
            assert!(!reason.is_empty(), "error without a reason");
            assert!(e.to_string().contains(reason.as_str()));
        }
        other => panic!("unexpected error kind from in-memory bytes: {other:?}"),
    }
}
