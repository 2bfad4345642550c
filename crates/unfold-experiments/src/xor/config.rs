//! The settings of the XOR experiment, with the notebooks' values as the `full` profile.

use serde::{Deserialize, Serialize};
use unfold_train::{Batching, FitConfig, Loss, OptimizerConfig};

use crate::Profile;
use crate::settings::{bad_value, compact};

/// Largest input dimension: `2^d` points, each run taking `2^d` steps per epoch.
pub const MAX_DIM: usize = 10;
/// Largest hidden size a rule may give.
pub const MAX_HIDDEN: usize = 4096;

/// A rule giving hidden-layer sizes for an input dimension `d` (the notebook suggests
/// `1, 2, 3, …, d, d + const, const·d`). As a setting it is a table tagged by `kind`:
/// `{ kind = "one_to_d" }`, `{ kind = "d_plus", add = 2 }`, `{ kind = "d_times", times = 2 }`,
/// `{ kind = "fixed", size = 3 }`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum HiddenRule {
    /// Every size `1, 2, …, d`.
    OneToD,
    /// `d + add`.
    DPlus {
        /// The constant added.
        add: usize,
    },
    /// `times · d`.
    DTimes {
        /// The factor.
        times: usize,
    },
    /// A fixed size.
    Fixed {
        /// The size.
        size: usize,
    },
}

/// The sorted, de-duplicated hidden sizes the rules give for dimension `d`.
pub fn hidden_sizes(rules: &[HiddenRule], d: usize) -> Vec<usize> {
    let mut sizes: Vec<usize> = rules
        .iter()
        .flat_map(|rule| match *rule {
            HiddenRule::OneToD => (1..=d).collect(),
            HiddenRule::DPlus { add } => vec![d + add],
            HiddenRule::DTimes { times } => vec![times * d],
            HiddenRule::Fixed { size } => vec![size],
        })
        .filter(|&h| h > 0)
        .collect();
    sizes.sort_unstable();
    sizes.dedup();
    sizes
}

/// The hidden rules in words: `1…d, d + 2, 2d, 4d`.
pub(super) fn describe_rules(rules: &[HiddenRule]) -> String {
    rules
        .iter()
        .map(|rule| match *rule {
            HiddenRule::OneToD => "1…d".to_string(),
            HiddenRule::DPlus { add } => format!("d + {add}"),
            HiddenRule::DTimes { times: 1 } => "d".to_string(),
            HiddenRule::DTimes { times } => format!("{times}d"),
            HiddenRule::Fixed { size } => size.to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// How close hand-derived gradients must be to autodiff's, element by element:
/// `|hand − autodiff| ≤ abs + rel·|autodiff|`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Tolerance {
    /// Absolute part.
    pub abs: f64,
    /// Relative part.
    pub rel: f64,
}

impl Tolerance {
    /// Whether `value` is within tolerance of `reference`.
    pub fn accepts(&self, value: f64, reference: f64) -> bool {
        (value - reference).abs() <= self.abs + self.rel * reference.abs()
    }
}

/// Settings of the XOR experiment. [`Default`] is the notebooks'.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct XorConfig {
    /// Input dimensions (`2, 3, 4, 5`).
    pub dims: Vec<usize>,
    /// Hidden sizes per dimension: `1..=d`, `d + 2`, `2d`, `4d`.
    pub hidden: Vec<HiddenRule>,
    /// Independent runs (seeds) per (d, hidden) pair.
    pub seeds: usize,
    /// Epochs of `2^d` single-example steps (300).
    pub epochs: usize,
    /// SGD learning rate (0.02).
    pub learning_rate: f64,
    /// SGD momentum (0.9).
    pub momentum: f64,
    /// Evaluate the loss on all `2^d` points every this many epochs (and at the last one).
    pub log_every: usize,
    /// A run converges when its final MSE over all `2^d` points is below this.
    pub converged_below: f64,
    /// Epochs of the gradient check on a 2-2-1 network (`train_and_compare`: 100).
    pub compare_epochs: usize,
    /// Hand vs autodiff gradient tolerance.
    pub tolerance: Tolerance,
    /// Train all (hidden, seed) runs of a dimension as one batched computation (a leading
    /// "run" dimension, [`super::train_xor_batched`]): the same trajectories as separate runs
    /// up to floating-point rounding, with far fewer, larger steps.
    pub batched: bool,
}

/// One line per key, for `unfold config xor`.
pub(super) const KEY_DOCS: &[(&str, &str)] = &[
    (
        "dims",
        "input dimensions d to try, each 1 to 10 (all 2^d bit patterns, label = parity)",
    ),
    (
        "hidden",
        "rules giving the hidden sizes tried for each d, tables tagged by kind: \
         { kind = \"one_to_d\" } (1, 2, …, d), { kind = \"d_plus\", add = 2 } (d + 2), \
         { kind = \"d_times\", times = 2 } (2d), { kind = \"fixed\", size = 3 } (3); e.g. \
         --set 'hidden=[{ kind = \"fixed\", size = 3 }]'",
    ),
    (
        "seeds",
        "independent runs (fresh random initializations) per (d, hidden) pair",
    ),
    (
        "epochs",
        "training epochs of every run, each 2^d single examples drawn with replacement",
    ),
    ("learning_rate", "SGD's learning rate"),
    ("momentum", "SGD's momentum (PyTorch semantics), in [0, 1)"),
    (
        "log_every",
        "evaluate the MSE on all 2^d points every this many epochs (and at the last)",
    ),
    (
        "converged_below",
        "a run converges when its final MSE over all 2^d points is below this",
    ),
    (
        "compare_epochs",
        "epochs of the hand-vs-autodiff gradient check on a 2-2-1 network (4 steps each)",
    ),
    (
        "tolerance.abs",
        "gradient check: absolute part of the allowed |hand − autodiff| per element",
    ),
    (
        "tolerance.rel",
        "gradient check: relative part (times |autodiff|) of the allowed difference",
    ),
    (
        "batched",
        "train all runs of a dimension side by side as one computation (same results up to rounding)",
    ),
];

impl Default for XorConfig {
    fn default() -> Self {
        Self {
            dims: vec![2, 3, 4, 5],
            hidden: vec![
                HiddenRule::OneToD,
                HiddenRule::DPlus { add: 2 },
                HiddenRule::DTimes { times: 2 },
                HiddenRule::DTimes { times: 4 },
            ],
            seeds: 5,
            epochs: 300,
            learning_rate: 0.02,
            momentum: 0.9,
            log_every: 5,
            converged_below: 0.05,
            compare_epochs: 100,
            tolerance: Tolerance {
                abs: 1e-5,
                rel: 1e-4,
            },
            batched: true,
        }
    }
}

impl XorConfig {
    /// The notebooks' settings (`full`) or a smaller grid of the same pipeline (`quick`).
    pub fn for_profile(profile: Profile) -> Self {
        match profile {
            Profile::Full => Self::default(),
            Profile::Quick => Self {
                dims: vec![2, 3],
                hidden: vec![
                    HiddenRule::Fixed { size: 1 },
                    HiddenRule::DTimes { times: 1 },
                    HiddenRule::DTimes { times: 2 },
                ],
                seeds: 2,
                log_every: 10,
                compare_epochs: 25,
                ..Self::default()
            },
        }
    }

    /// Checks every value, with a one-line message naming the key.
    pub fn validate(&self) -> Result<(), String> {
        let dims = format!("{:?}", self.dims);
        if self.dims.is_empty() {
            return Err(bad_value("dims", dims, "at least one input dimension"));
        }
        if self.dims.iter().any(|d| !(1..=MAX_DIM).contains(d)) {
            return Err(bad_value(
                "dims",
                dims,
                &format!("dimensions from 1 to {MAX_DIM}"),
            ));
        }
        let rules = || compact(&serde_json::to_value(&self.hidden).unwrap_or_default());
        if self.hidden.iter().any(|rule| {
            matches!(
                rule,
                HiddenRule::Fixed { size: 0 } | HiddenRule::DTimes { times: 0 }
            )
        }) {
            return Err(bad_value(
                "hidden",
                rules(),
                "rules whose size and times are ≥ 1",
            ));
        }
        for &d in &self.dims {
            let sizes = hidden_sizes(&self.hidden, d);
            if sizes.is_empty() {
                return Err(bad_value(
                    "hidden",
                    rules(),
                    &format!("rules that give at least one hidden size for d = {d}"),
                ));
            }
            if let Some(h) = sizes.iter().find(|h| **h > MAX_HIDDEN) {
                return Err(bad_value(
                    "hidden",
                    rules(),
                    &format!("sizes up to {MAX_HIDDEN} (d = {d} gives {h})"),
                ));
            }
        }
        if self.seeds == 0 {
            return Err(bad_value("seeds", 0, "a whole number ≥ 1"));
        }
        if !(self.momentum.is_finite() && (0.0..1.0).contains(&self.momentum)) {
            return Err(bad_value("momentum", self.momentum, "a number in [0, 1)"));
        }
        if self.log_every == 0 {
            return Err(bad_value("log_every", 0, "a whole number ≥ 1"));
        }
        if !(self.converged_below.is_finite() && self.converged_below > 0.0) {
            return Err(bad_value(
                "converged_below",
                self.converged_below,
                "a finite number > 0",
            ));
        }
        if self.compare_epochs == 0 {
            return Err(bad_value("compare_epochs", 0, "a whole number ≥ 1"));
        }
        for (key, value) in [
            ("tolerance.abs", self.tolerance.abs),
            ("tolerance.rel", self.tolerance.rel),
        ] {
            if !(value.is_finite() && value >= 0.0) {
                return Err(bad_value(key, value, "a finite number ≥ 0"));
            }
        }
        self.fit_config(0).validate()
    }

    /// The notebook's `train` as a [`FitConfig`]: MSE, SGD with momentum (PyTorch semantics),
    /// `2^d` single examples drawn with replacement per epoch.
    pub fn fit_config(&self, seed: u64) -> FitConfig {
        FitConfig {
            loss: Loss::Mse,
            optimizer: OptimizerConfig::sgd(self.learning_rate, self.momentum),
            epochs: self.epochs,
            batching: Batching::Sampled { size: 1 },
            log_every: self.log_every,
            seed,
        }
    }

    /// The (d, hidden) pairs of the grid, in order.
    pub fn grid(&self) -> Vec<(usize, usize)> {
        self.dims
            .iter()
            .flat_map(|&d| {
                hidden_sizes(&self.hidden, d)
                    .into_iter()
                    .map(move |h| (d, h))
            })
            .collect()
    }
}

/// The seed of one run: distinct for every (d, hidden, repetition), fixed by the base seed.
pub fn run_seed(base: u64, d: usize, hidden: usize, repetition: usize) -> u64 {
    base.wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add((d as u64) << 40 | (hidden as u64) << 16 | repetition as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notebook_defaults_and_grid() {
        let c = XorConfig::default();
        assert_eq!(c.dims, vec![2, 3, 4, 5]);
        assert_eq!((c.epochs, c.learning_rate, c.momentum), (300, 0.02, 0.9));
        assert_eq!(c.compare_epochs, 100);
        assert!(c.validate().is_ok());
        assert_eq!(hidden_sizes(&c.hidden, 2), vec![1, 2, 4, 8]);
        assert_eq!(hidden_sizes(&c.hidden, 5), vec![1, 2, 3, 4, 5, 7, 10, 20]);
        assert_eq!(c.grid().len(), 4 + 6 + 7 + 8);
        assert_eq!(describe_rules(&c.hidden), "1…d, d + 2, 2d, 4d");
        assert!(XorConfig::for_profile(Profile::Quick).validate().is_ok());
    }

    #[test]
    fn hidden_rules_read_as_kind_tagged_tables() {
        // What `--set 'hidden=[{ kind = "fixed", size = 3 }]'` hands serde, as KEY_DOCS says.
        let rules: Vec<HiddenRule> = serde_json::from_value(serde_json::json!([
            { "kind": "one_to_d" },
            { "kind": "d_plus", "add": 2 },
            { "kind": "d_times", "times": 2 },
            { "kind": "fixed", "size": 3 },
        ]))
        .unwrap();
        assert_eq!(
            rules,
            vec![
                HiddenRule::OneToD,
                HiddenRule::DPlus { add: 2 },
                HiddenRule::DTimes { times: 2 },
                HiddenRule::Fixed { size: 3 },
            ]
        );
    }

    #[test]
    fn validation_names_the_key() {
        let error = |c: XorConfig| c.validate().unwrap_err();
        let base = XorConfig::default;
        let e = error(XorConfig {
            dims: vec![0],
            ..base()
        });
        assert!(e.contains("'dims' = [0]"), "{e}");
        let e = error(XorConfig { seeds: 0, ..base() });
        assert!(e.contains("'seeds' = 0"), "{e}");
        let e = error(XorConfig {
            hidden: vec![],
            ..base()
        });
        assert!(e.contains("'hidden' = []"), "{e}");
        let e = error(XorConfig {
            hidden: vec![HiddenRule::Fixed { size: 0 }],
            ..base()
        });
        assert!(e.contains("'hidden'") && e.contains("≥ 1"), "{e}");
        let e = error(XorConfig {
            momentum: 1.0,
            ..base()
        });
        assert!(e.contains("'momentum' = 1"), "{e}");
        let e = error(XorConfig {
            tolerance: Tolerance {
                abs: -1.0,
                rel: 0.0,
            },
            ..base()
        });
        assert!(e.contains("'tolerance.abs' = -1"), "{e}");
        let e = error(XorConfig {
            learning_rate: -1.0,
            ..base()
        });
        assert!(e.contains("learning rate"), "{e}");
    }

    #[test]
    fn run_seeds_are_distinct() {
        let c = XorConfig::default();
        let mut seeds: Vec<u64> = c
            .grid()
            .iter()
            .flat_map(|&(d, h)| (0..c.seeds).map(move |r| run_seed(7, d, h, r)))
            .collect();
        let n = seeds.len();
        seeds.sort_unstable();
        seeds.dedup();
        assert_eq!(seeds.len(), n);
    }
}
