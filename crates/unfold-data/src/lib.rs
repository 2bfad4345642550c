//! Data for unfold: seeded synthetic generators and labelled point sets.
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
#![warn(missing_docs)]

mod points;
mod spirals;

pub use points::{DataError, DeviceData, LabeledPoints};
pub use spirals::{Spirals2dConfig, Spirals3dConfig, spirals_2d, spirals_3d};

/// The random number generator every unfold generator uses: small, fast, and stable across
/// platforms and releases for a given seed.
pub type SeededRng = rand::rngs::StdRng;

/// A [`SeededRng`] from a `u64` seed.
pub fn seeded_rng(seed: u64) -> SeededRng {
    use rand::SeedableRng;
    SeededRng::seed_from_u64(seed)
}

/// Burn's device type, re-exported so users of this crate need not name `burn` for it.
pub use burn::tensor::Device;
