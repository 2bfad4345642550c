//! Data for unfold: seeded synthetic generators, labelled point sets, functions sampled on a
//! grid (lab 2's Gaussian, [`gaussian_grid`]), and the MNIST and Fashion-MNIST image datasets.
//!
//! Every generator runs on the host with its own seeded random number generator and returns a
//! [`LabeledPoints`]: plain `f32` rows and class labels. The same seed therefore gives the same
//! data on every backend (Burn's device RNGs differ between backends), and the data can be
//! plotted without touching a tensor. [`LabeledPoints::to_device`] uploads it to any Burn
//! [`Device`] when training starts.
//!
//! ```
//! use unfold_data::{spirals_3d, Spirals3dConfig};
//!
//! let data = spirals_3d(&Spirals3dConfig::default(), 42);
//! assert_eq!(data.len(), 1000);
//! assert_eq!(data.dim(), 3);
//! let (train, test) = data.split(0.8, 42);
//! assert_eq!((train.len(), test.len()), (800, 200));
//! ```
//!
//! # Image datasets
//!
//! [`load`] finds MNIST or Fashion-MNIST (see [`locate`] for where it looks) and reads one
//! split from the standard IDX files, raw or `.gz`, checking everything: magic numbers,
//! dimensions, lengths, that images and labels agree, and that labels are `0..=9`. Each
//! problem is a [`DataError`] naming the file. The resulting [`ImageSet`] splits with a seed,
//! goes to a device whole ([`ImageSet::to_device`], [`ImageSet::to_device_flat`]), or feeds
//! Burn's data loader as a [`Dataset`](burn::data::dataset::Dataset) with [`ImageBatcher`].
//!
//! ```no_run
//! use unfold_data::{load, DatasetKind, Normalization, Split};
//!
//! let train = load(DatasetKind::Mnist, Split::Train, None)?;
//! assert_eq!(train.len(), 60_000);
//! let (train, validation) = train.split(0.8, 42);
//! # #[allow(deprecated)]
//! let device = unfold_data::Device::ndarray();
//! let on_device = train.to_device_flat(&device, Normalization::MNIST);
//! assert_eq!(on_device.features.dims(), [48_000, 784]);
//! # Ok::<(), unfold_data::DataError>(())
//! ```
#![warn(missing_docs)]

mod discovery;
mod error;
mod gaussian;
pub mod idx;
mod images;
mod points;
mod spirals;
mod xor;

pub use discovery::{
    Candidate, DATA_ENV, DEBIAN_FASHION_MNIST_DIR, DEFAULT_DATA_DIR, DatasetKind,
    FASHION_MNIST_CLASSES, IDX_FILES, MNIST_CLASSES, NUM_CLASSES, Source, Split, check_dataset_dir,
    find_idx_file, load, load_from, locate, locate_in, search_dirs, survey, survey_dirs,
};
pub use error::DataError;
pub use gaussian::{GaussianGridConfig, GridFunction, gaussian_grid, linspace};
pub use idx::{
    IdxImages, IdxLimits, encode_idx_images, encode_idx_labels, read_idx_images,
    read_idx_images_within, read_idx_labels, read_idx_labels_within, write_idx_images,
    write_idx_labels,
};
pub use images::{DeviceImages, ImageBatch, ImageBatcher, ImageItem, ImageSet, Normalization};
pub use points::{DeviceData, LabeledPoints};
pub use spirals::{Spirals2dConfig, Spirals3dConfig, spirals_2d, spirals_3d};
pub use xor::{MAX_XOR_DIM, xor_data};

/// The random number generator every unfold generator uses: small, fast, and stable across
/// platforms and releases for a given seed.
pub type SeededRng = rand::rngs::StdRng;

/// A [`SeededRng`] from a `u64` seed.
pub fn seeded_rng(seed: u64) -> SeededRng {
    use rand::SeedableRng;
    SeededRng::seed_from_u64(seed)
}

/// A seeded random permutation of `0..len`: the order every shuffle and split in unfold uses,
/// so point sets and image sets of the same length split the same way for the same seed.
pub fn seeded_permutation(len: usize, seed: u64) -> Vec<usize> {
    use rand::seq::SliceRandom;
    let mut order: Vec<usize> = (0..len).collect();
    order.shuffle(&mut seeded_rng(seed));
    order
}

/// A seeded `(train, rest)` partition of `0..len` with `round(train_fraction · len)` training
/// indices (like scikit-learn's `train_test_split` or PyTorch's `random_split`).
///
/// # Panics
/// If `train_fraction` is not within `[0, 1]`; callers validate user input first.
pub fn split_indices(len: usize, train_fraction: f64, seed: u64) -> (Vec<usize>, Vec<usize>) {
    assert!(
        (0.0..=1.0).contains(&train_fraction),
        "train fraction {train_fraction} is outside [0, 1]"
    );
    let mut order = seeded_permutation(len, seed);
    let rest = order.split_off((train_fraction * len as f64).round() as usize);
    (order, rest)
}

/// Burn's device type, re-exported so users of this crate need not name `burn` for it.
pub use burn::tensor::Device;
