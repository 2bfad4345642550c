#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

mod datasets;
mod discovery;
mod error;
mod gaussian;
pub mod idx;
mod images;
mod places;
mod points;
mod rng;
mod spirals;
mod xor;

pub use datasets::{
    DatasetKind, FASHION_MNIST_CLASSES, IDX_FILES, MNIST_CLASSES, NUM_CLASSES, Split,
};
pub use discovery::{
    DEBIAN_FASHION_MNIST_DIR, DEFAULT_DATA_DIR, check_dataset_dir, find_idx_file, load, load_from,
    locate, locate_in, search_dirs, survey, survey_dirs, user_data_dir,
};
pub use error::DataError;
pub use gaussian::{GaussianGridConfig, GridFunction, gaussian_grid, linspace};
pub use idx::{
    IdxImages, IdxLimits, encode_idx_images, encode_idx_labels, read_idx_images,
    read_idx_images_within, read_idx_labels, read_idx_labels_within, write_idx_images,
    write_idx_labels,
};
pub use images::{DeviceImages, ImageBatch, ImageBatcher, ImageItem, ImageSet, Normalization};
pub use places::{Candidate, DATA_ENV, Source};
pub use points::{DeviceData, LabeledPoints};
pub use rng::{SeededRng, seeded_permutation, seeded_rng, split_indices};
pub use spirals::{Spirals2dConfig, Spirals3dConfig, spirals_2d, spirals_3d};
pub use xor::{MAX_XOR_DIM, xor_data};

/// Burn's device type, re-exported so users of this crate need not name `burn` for it.
pub use burn::tensor::Device;
