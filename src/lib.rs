//! unfold: classic intro-to-deep-learning notebooks as reproducible, device-agnostic Burn
//! experiments with figures.
//!
//! This facade re-exports the workspace crates, each with one job:
//!
//! - [`data`]: seeded synthetic generators (3-D and 2-D spirals) and labelled point sets;
//! - [`models`]: device-agnostic Burn models exposing their hidden representations;
//! - [`device`]: run-time backend selection (`ndarray`, `flex`, `wgpu`, `cuda`);
//! - [`train`]: the shared training loop, optimizers with PyTorch's defaults, losses;
//! - [`viz`]: figures from plain numbers, to PNG and SVG;
//! - [`experiments`]: one module per notebook, the results contract and the report;
//! - [`bench`](mod@bench): the benchmark workloads behind `unfold bench` and `cargo bench`;
//! - [`cli`]: the `unfold` command line.
//!
//! Burn 0.22 tensors carry no backend type: everything takes a `&Device` and the backend is
//! chosen at run time.
#![warn(missing_docs)]

pub use unfold_bench as bench;
pub use unfold_cli as cli;
pub use unfold_data as data;
pub use unfold_device as device;
pub use unfold_experiments as experiments;
pub use unfold_models as models;
pub use unfold_train as train;
pub use unfold_viz as viz;

/// Burn itself, as unfold uses it.
pub use burn;
