//! The `network_json` fuzz target's inputs replayed on stable Rust: the seed corpus
//! (`fuzz/seeds/network_json/`) and every kept fuzzer input (`fuzz/regressions/network_json/`,
//! crashes and interesting corpus entries) go through the fuzz target's own oracle
//! (`fuzz/harness/network_json.rs`, included below): `parse_network`, `check_shapes`, a JSON
//! round trip and the worksheet, without a panic.

use std::fs;
use std::path::{Path, PathBuf};

use unfold_experiments::backprop::EXAMPLE_NETWORK;

#[path = "../../../fuzz/harness/network_json.rs"]
mod harness;

// The fuzz targets' allocation limit: replaying an input must not reserve more than the
// input could justify (a violation aborts the test binary with a message).
#[path = "../../../fuzz/harness/alloc_limit.rs"]
mod alloc_limit;

#[global_allocator]
static ALLOC: alloc_limit::Limited = alloc_limit::Limited;

use harness::Outcome;

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

const WORKED: Outcome = Outcome {
    accepted: true,
    worked: true,
};
const REJECTED: Outcome = Outcome {
    accepted: false,
    worked: false,
};

#[test]
fn seeds_pass_the_fuzz_oracle() {
    let expected = [
        ("deep.json", WORKED),
        ("example.json", WORKED),
        ("rejected.json", REJECTED),
        ("tiny.json", WORKED),
        ("wide.json", WORKED),
    ];
    let files = inputs("seeds/network_json");
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, expected.map(|(n, _)| n), "fuzz/seeds/network_json");
    for ((name, bytes), (_, outcome)) in files.iter().zip(expected) {
        let got = alloc_limit::within(bytes.len(), || harness::check(bytes));
        assert_eq!(got, outcome, "{name}");
    }
    let example = &files[1].1;
    assert_eq!(
        example,
        EXAMPLE_NETWORK.as_bytes(),
        "the example seed is assets/backprop-example.json"
    );
}

#[test]
fn kept_fuzzer_inputs_pass_the_fuzz_oracle() {
    let files = inputs("regressions/network_json");
    assert!(!files.is_empty(), "fuzz/regressions/network_json is empty");
    for (name, bytes) in &files {
        let outcome = alloc_limit::within(bytes.len(), || harness::check(bytes));
        eprintln!("{name}: {} bytes, {outcome:?}", bytes.len());
    }
}

#[test]
fn invalid_utf8_is_read_lossily_and_rejected() {
    let mut bytes = EXAMPLE_NETWORK.as_bytes().to_vec();
    bytes.insert(1, 0xff);
    assert_eq!(harness::check(&bytes), REJECTED);
}
