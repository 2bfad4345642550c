//! The real MNIST and Fashion-MNIST files, from the data dir named by `UNFOLD_DATA` (which
//! `.ci/run` points at `../shared/data`). Without `UNFOLD_DATA` these tests say so and pass;
//! with it set, the data must be there and be right.

use std::path::PathBuf;
use std::time::Instant;

use unfold_data::{DATA_ENV, DatasetKind, Split, load, locate};

fn data_dir() -> Option<PathBuf> {
    let dir = std::env::var_os(DATA_ENV).filter(|v| !v.is_empty())?;
    Some(PathBuf::from(dir))
}

/// MNIST's label histograms: training and test set.
const MNIST_TRAIN_COUNTS: [usize; 10] =
    [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949];
const MNIST_TEST_COUNTS: [usize; 10] = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009];

#[test]
fn mnist_has_the_known_sizes_and_label_histograms() {
    let Some(dir) = data_dir() else {
        eprintln!("skipped: {DATA_ENV} is not set");
        return;
    };
    let started = Instant::now();
    let train = load(DatasetKind::Mnist, Split::Train, Some(&dir)).unwrap();
    eprintln!("MNIST train loaded in {:.2?}", started.elapsed());
    let test = load(DatasetKind::Mnist, Split::Test, Some(&dir)).unwrap();
    assert_eq!((train.len(), test.len()), (60_000, 10_000));
    assert_eq!((train.rows(), train.cols()), (28, 28));
    assert_eq!((test.rows(), test.cols()), (28, 28));
    assert_eq!(train.class_counts(), MNIST_TRAIN_COUNTS);
    assert_eq!(test.class_counts(), MNIST_TEST_COUNTS);
    // The statistics behind the notebooks' Normalize((0.1307,), (0.3081,)).
    let (mean, std) = train.pixel_mean_std();
    assert!((mean - 0.1307).abs() < 1e-4, "mean {mean}");
    assert!((std - 0.3081).abs() < 1e-4, "std {std}");
    // The 80/20 train/validation split of the MNIST notebook.
    let (fit, validation) = train.split(0.8, 42);
    assert_eq!((fit.len(), validation.len()), (48_000, 12_000));
}

#[test]
fn fashion_mnist_is_balanced() {
    let Some(dir) = data_dir() else {
        eprintln!("skipped: {DATA_ENV} is not set");
        return;
    };
    let found = locate(DatasetKind::FashionMnist, Some(&dir)).unwrap();
    assert!(found.ends_with("fashion-mnist"), "{}", found.display());
    let train = load(DatasetKind::FashionMnist, Split::Train, Some(&dir)).unwrap();
    let test = load(DatasetKind::FashionMnist, Split::Test, Some(&dir)).unwrap();
    assert_eq!((train.len(), test.len()), (60_000, 10_000));
    assert_eq!(train.class_counts(), [6_000; 10]);
    assert_eq!(test.class_counts(), [1_000; 10]);
}
