//! The unfold notebooks as experiments.
//!
//! Each experiment is a folder (`spirals3d/`, `sandwich/`, …) implementing [`Experiment`]: a
//! serde configuration whose notebook values are the `full` [`Profile`] (with a `quick`
//! variant for tests), a `run` that generates or loads the data, trains the notebook's models
//! with the shared loop from `unfold-train` and draws the figures with `unfold-viz`, and a
//! `report` computed from the recorded results alone. The [`runner`] does what every
//! experiment shares and writes everything under the results contract ([`results`]):
//! `<out>/<experiment>/metrics.json`, figures as PNG and SVG, and `report.md`, each written
//! atomically. [`settings`] applies `--config` files and `--set` keys over a profile, and
//! [`registry`] is the one list of experiments.
//!
//! Experiments take a [`RunContext`] holding the Burn device; none names a backend.
#![warn(missing_docs)]

pub mod backprop;
pub mod building_blocks;
mod checkpoints;
pub mod compare;
mod context;
pub mod experiment;
pub mod index;
mod launch;
pub mod mnist;
mod plots;
pub mod registry;
pub mod results;
pub mod runner;
mod runs;
pub mod sandwich;
pub mod schema;
pub mod seed_stats;
pub mod seeds;
pub mod settings;
pub mod spirals3d;
pub mod staging;
pub mod sweep;
mod time;
pub mod vanishing;
pub mod views;
pub mod xor;

pub use context::{Profile, RunContext};
pub use experiment::{AnyExperiment, Experiment, ExperimentInfo, ExperimentOutcome, RunRecord};
pub use registry::{EXPERIMENTS, find};
pub use runner::panic_reason;
