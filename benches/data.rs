//! Data-loading benchmark: decoding MNIST's 60,000-image training set from its IDX files.
//!
//! `cargo bench --bench data [-- --repeats 5]`
//!
//! Reads the data dir from `UNFOLD_DATA`, else `../shared/data` next to the workspace; skips
//! (and says so) when MNIST is not there. Each workload runs once to warm the page cache,
//! then `repeats` timed runs; prints the median and the range in seconds.
//!
//! - D1: the training set from the `.gz` files as published (decompress, validate, labels).
//! - D2: the same from raw (decompressed) IDX files, written to a temporary folder first.
//! - D3: all 47 million pixels to `f32` with the notebooks' (0.1307, 0.3081) normalization.
//! - D4: the MNIST notebook's seeded 80/20 train/validation split.

use std::path::PathBuf;
use std::time::Instant;

use unfold::data::{DATA_ENV, DatasetKind, ImageSet, Normalization, Split, load_from, locate};

/// Median, minimum and maximum seconds of `repeats` timed runs of `f`, after one warm-up.
fn time<T>(repeats: usize, mut f: impl FnMut() -> T) -> (f64, f64, f64) {
    std::hint::black_box(f());
    let mut seconds: Vec<f64> = (0..repeats.max(1))
        .map(|_| {
            let started = Instant::now();
            std::hint::black_box(f());
            started.elapsed().as_secs_f64()
        })
        .collect();
    seconds.sort_by(f64::total_cmp);
    (
        seconds[seconds.len() / 2],
        seconds[0],
        seconds[seconds.len() - 1],
    )
}

fn report(name: &str, (median, min, max): (f64, f64, f64)) {
    println!("{name:<52} {median:>9.3} s   ({min:.3} – {max:.3})");
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let repeats: usize = args
        .iter()
        .position(|a| a == "--repeats")
        .and_then(|i| args.get(i + 1))
        .and_then(|r| r.parse().ok())
        .unwrap_or(5);
    let root = std::env::var_os(DATA_ENV)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data"));
    let dir = match locate(DatasetKind::Mnist, Some(&root)) {
        Ok(dir) => dir,
        Err(e) => {
            println!("skipped: {e}");
            return;
        }
    };
    println!("MNIST from {} — median of {repeats} runs", dir.display());
    println!("{:<52} {:>11}   (min – max)", "workload", "median");

    let load = || load_from(&dir, Split::Train).expect("load MNIST training set");
    let train: ImageSet = load();
    assert_eq!(train.len(), 60_000);
    report(
        "D1 decode train set, as found (.gz or raw)",
        time(repeats, load),
    );

    // Raw copies, to separate decompression from parsing and validation.
    let raw_dir = std::env::temp_dir().join(format!("unfold-bench-data-{}", std::process::id()));
    std::fs::create_dir_all(&raw_dir).expect("create temporary folder");
    train
        .write_idx(
            &raw_dir.join(Split::Train.images_file()),
            &raw_dir.join(Split::Train.labels_file()),
        )
        .expect("write raw IDX copies");
    report(
        "D2 decode train set, raw IDX",
        time(repeats, || {
            load_from(&raw_dir, Split::Train).expect("load raw copies")
        }),
    );
    let _ = std::fs::remove_dir_all(&raw_dir);

    report(
        "D3 train pixels to f32, MNIST normalization",
        time(repeats, || train.to_f32(Normalization::MNIST)),
    );
    report(
        "D4 seeded 80/20 train/validation split",
        time(repeats, || train.split(0.8, 42)),
    );
}
