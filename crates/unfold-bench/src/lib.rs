//! The benchmark workloads of unfold, measured the same way by `unfold bench` and by
//! `cargo bench`.
//!
//! | id | workload | unit |
//! |---|---|---|
//! | W1 | notebook 000: 3-3-2-1 ReLU, 800 points, full batch, Adam | steps/s |
//! | W2 | notebook 003: 2-10-10-3 ReLU MLP, batches of 32, AdamW | steps/s |
//! | W3 | notebook 001: 784-400-400-10 MLP, batches of 128, Adam, one epoch over 48,000 images | images/s |
//! | W4 | notebook 004: 784-512-1024-512-10 sigmoid, batches of 64, SGD momentum, per-layer mean \|∂L/∂W\| recorded every batch | images/s |
//! | W5 | notebook 001's XOR FFNet, d = 5, 10 hidden, single-example SGD with momentum | steps/s |
//! | W6 | decoding MNIST's 60,000-image training IDX file | s |
//!
//! Every workload runs once to warm up (kernel compilation and autotuning on GPU backends, the
//! page cache for W6), then `repeats` timed runs. A timed run ends by reading its last loss back
//! to the host, which waits for every queued kernel, so the clock measures finished work.
//! Training data lives on the device before the clock starts; batches are slices of it.
#![warn(missing_docs)]

mod workloads;

use serde::{Deserialize, Serialize};

pub use workloads::{Trainer, Workload, run_workload, trainer, xor_steps};

/// How long to measure.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BenchSettings {
    /// Timed runs after the warm-up (≥ 1).
    pub repeats: usize,
    /// Shrink every workload (fewer steps) for smoke tests; rates stay comparable only
    /// roughly, since per-run overheads weigh more.
    pub quick: bool,
}

impl Default for BenchSettings {
    fn default() -> Self {
        Self {
            repeats: 5,
            quick: false,
        }
    }
}

/// The result of one workload on one backend.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Measurement {
    /// `W1` … `W6`.
    pub id: String,
    /// What ran.
    pub workload: String,
    /// The backend name.
    pub backend: String,
    /// The device description.
    pub device: String,
    /// `steps/s`, `images/s` or `s`.
    pub unit: String,
    /// Median over the timed runs.
    pub median: f64,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
    /// Every timed run's value.
    pub values: Vec<f64>,
    /// Seconds of the warm-up run (kernel compilation shows here).
    pub warmup_seconds: f64,
    /// Remarks, e.g. that synthetic data stood in for a missing dataset.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub note: Option<String>,
}

impl Measurement {
    /// `(max − min) / median`, in percent.
    pub fn spread_percent(&self) -> f64 {
        if self.median == 0.0 {
            0.0
        } else {
            (self.max - self.min) / self.median * 100.0
        }
    }
}

/// Median, minimum and maximum of `values` (which must not be empty).
pub fn summarize(values: &[f64]) -> (f64, f64, f64) {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    let median = if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    };
    (median, sorted[0], sorted[n - 1])
}

/// The layout of the benchmark report [`BenchReport`] this unfold writes: it grows only when
/// existing keys change meaning or shape.
pub const BENCH_SCHEMA_VERSION: u32 = 1;

fn unversioned() -> u32 {
    1
}

/// A benchmark report as written by `unfold bench --json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BenchReport {
    /// The layout of this file ([`BENCH_SCHEMA_VERSION`] when written; 1 for reports written
    /// before it was recorded).
    #[serde(default = "unversioned")]
    pub schema_version: u32,
    /// unfold's version.
    pub unfold_version: String,
    /// The git commit, when known.
    pub git_commit: Option<String>,
    /// When the run started (RFC 3339, UTC).
    pub date: String,
    /// Logical CPUs of the host.
    pub host_cpus: usize,
    /// Threads the CPU backends used (`--threads`; 0 in reports written before it was recorded).
    #[serde(default)]
    pub cpu_threads: usize,
    /// The settings.
    pub settings: BenchSettings,
    /// Every measurement.
    pub results: Vec<Measurement>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_and_range() {
        assert_eq!(summarize(&[3.0, 1.0, 2.0]), (2.0, 1.0, 3.0));
        assert_eq!(summarize(&[4.0, 1.0, 2.0, 3.0]), (2.5, 1.0, 4.0));
    }
}
