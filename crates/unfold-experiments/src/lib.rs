//! The unfold notebooks as experiments.
//!
//! Each experiment is data plus a short `run` function: a serde configuration whose defaults
//! are the notebook's settings (the `full` [`Profile`]) with a `quick` variant for tests, and a
//! `run` that generates or loads the data, trains the notebook's models with the shared loop
//! from `unfold-train`, draws the figures with `unfold-viz`, and writes everything under the
//! results contract ([`results`]): `<out>/<experiment>/metrics.json`, figures as PNG and SVG,
//! and `report.md`, each written atomically.
//!
//! Experiments take a [`RunContext`] holding the Burn device; none names a backend.
#![warn(missing_docs)]

pub mod backprop;
pub mod building_blocks;
mod context;
pub mod index;
pub mod mnist;
mod plots;
pub mod rainbow;
pub mod registry;
pub mod results;
mod runs;
pub mod sandwich;
pub mod spirals3d;
mod time;
pub mod vanishing;
pub mod xor;

pub use context::{Profile, RunContext};
pub use registry::{EXPERIMENTS, ExperimentInfo, ExperimentOutcome, find, run};
pub use runs::panic_reason;
