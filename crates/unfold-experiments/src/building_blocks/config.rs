//! The settings of lab 2, with the lab's values as the `full` profile.

use serde::{Deserialize, Serialize};
use unfold_data::GaussianGridConfig;
use unfold_models::{Init, Tolerance};
use unfold_train::{OptimizerConfig, RegressionConfig};

use crate::Profile;
use crate::settings::bad_value;

/// Settings of the building-blocks experiment. [`Default`] is the lab's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BuildingBlocksConfig {
    /// The regression target: the density of N(0, 50·I) on 50 × 50 points over [-2, 2]².
    pub data: GaussianGridConfig,
    /// Hidden units of the regression network (25).
    pub hidden: usize,
    /// The random search stops once the MSE is below this (1e-5).
    pub search_threshold: f64,
    /// The random search draws at most this many networks (50).
    pub search_iterations: usize,
    /// Weights are redrawn uniformly from `[-scale, scale]` (0.025).
    pub search_weight_scale: f32,
    /// Biases are redrawn uniformly from `[-scale, scale]` (0.05).
    pub search_bias_scale: f32,
    /// Beyond the lab: full-batch Adam epochs from the untrained network.
    pub adam_epochs: usize,
    /// Adam's learning rate.
    pub adam_learning_rate: f64,
    /// Log Adam's loss every this many epochs.
    pub log_every: usize,
    /// Keep Adam's network from the logged epoch with the lowest loss (at this tiny loss scale
    /// Adam's loss spikes now and then), instead of the last one.
    pub adam_restore_best: bool,
    /// How close a from-scratch block's output must be to Burn's.
    pub tolerance: Tolerance,
}

/// One line per key, for `unfold config building-blocks`.
pub(super) const KEY_DOCS: &[(&str, &str)] = &[
    ("data.mean", "the Gaussian's mean [μx, μy]"),
    (
        "data.variance",
        "the Gaussian's variance σ² of each coordinate (> 0)",
    ),
    (
        "data.range",
        "the interval [low, high] both grid axes cover, ends included",
    ),
    ("data.points_per_axis", "grid points per axis (≥ 2)"),
    (
        "hidden",
        "hidden units of the 2→hidden→1 ReLU regression network",
    ),
    (
        "search_threshold",
        "the random search stops once the MSE is below this",
    ),
    (
        "search_iterations",
        "the random search draws at most this many networks",
    ),
    (
        "search_weight_scale",
        "the random search draws weights uniformly from [-scale, scale]",
    ),
    (
        "search_bias_scale",
        "the random search draws biases uniformly from [-scale, scale]",
    ),
    (
        "adam_epochs",
        "beyond the lab: full-batch Adam epochs from the untrained network",
    ),
    ("adam_learning_rate", "beyond the lab: Adam's learning rate"),
    ("log_every", "log Adam's loss every this many epochs"),
    (
        "adam_restore_best",
        "keep Adam's network from the logged epoch with the lowest loss instead of the last",
    ),
    (
        "tolerance.rtol",
        "relative tolerance: a from-scratch output matches Burn's when |Δ| ≤ atol + rtol·|Burn's|",
    ),
    ("tolerance.atol", "absolute tolerance of that comparison"),
];

impl Default for BuildingBlocksConfig {
    fn default() -> Self {
        Self {
            data: GaussianGridConfig::default(),
            hidden: 25,
            search_threshold: 1e-5,
            search_iterations: 50,
            search_weight_scale: 0.025,
            search_bias_scale: 0.05,
            adam_epochs: 10000,
            adam_learning_rate: 1e-2,
            log_every: 10,
            adam_restore_best: true,
            tolerance: Tolerance::default(),
        }
    }
}

impl BuildingBlocksConfig {
    /// The lab's settings (`full`) or a coarser grid and fewer Adam epochs (`quick`).
    pub fn for_profile(profile: Profile) -> Self {
        match profile {
            Profile::Full => Self::default(),
            Profile::Quick => Self {
                data: GaussianGridConfig {
                    points_per_axis: 20,
                    ..GaussianGridConfig::default()
                },
                adam_epochs: 800,
                ..Self::default()
            },
        }
    }

    /// Checks every value, with a message naming the bad one.
    pub fn validate(&self) -> Result<(), String> {
        let data = &self.data;
        if !(data.variance.is_finite() && data.variance > 0.0) {
            return Err(bad_value(
                "data.variance",
                data.variance,
                "a finite number > 0",
            ));
        }
        if !data.mean.iter().all(|m| m.is_finite()) {
            return Err(bad_value(
                "data.mean",
                format!("{:?}", data.mean),
                "two finite numbers",
            ));
        }
        let (lo, hi) = data.range;
        if !(lo.is_finite() && hi.is_finite() && lo < hi) {
            return Err(bad_value(
                "data.range",
                format!("[{lo}, {hi}]"),
                "[low, high] with finite low < high",
            ));
        }
        if data.points_per_axis < 2 {
            return Err(bad_value(
                "data.points_per_axis",
                data.points_per_axis,
                "at least 2",
            ));
        }
        if self.hidden == 0 {
            return Err(bad_value("hidden", 0, "a width ≥ 1"));
        }
        if !(self.search_threshold.is_finite() && self.search_threshold >= 0.0) {
            return Err(bad_value(
                "search_threshold",
                self.search_threshold,
                "a finite number ≥ 0",
            ));
        }
        if self.search_iterations == 0 {
            return Err(bad_value("search_iterations", 0, "a whole number ≥ 1"));
        }
        for (key, scale) in [
            ("search_weight_scale", self.search_weight_scale),
            ("search_bias_scale", self.search_bias_scale),
        ] {
            if !(scale.is_finite() && scale > 0.0) {
                return Err(bad_value(key, scale, "a finite number > 0"));
            }
        }
        if self.adam_epochs == 0 {
            return Err(bad_value("adam_epochs", 0, "a whole number ≥ 1"));
        }
        if !(self.adam_learning_rate.is_finite() && self.adam_learning_rate > 0.0) {
            return Err(bad_value(
                "adam_learning_rate",
                self.adam_learning_rate,
                "a finite number > 0",
            ));
        }
        if self.log_every == 0 {
            return Err(bad_value("log_every", 0, "a whole number ≥ 1"));
        }
        for (key, value) in [
            ("tolerance.rtol", self.tolerance.rtol),
            ("tolerance.atol", self.tolerance.atol),
        ] {
            if !(value.is_finite() && value >= 0.0) {
                return Err(bad_value(key, value, "a finite number ≥ 0"));
            }
        }
        // The libraries' own checks, in case they know more.
        data.validate()?;
        self.search_init(self.search_weight_scale).validate()?;
        self.search_init(self.search_bias_scale).validate()?;
        self.adam_config().validate()
    }

    /// The lab's `scale * (-2 * torch.rand(shape) + 1)`: uniform on `[-scale, scale]`.
    pub(super) fn search_init(&self, scale: f32) -> Init {
        Init::Uniform {
            low: -scale,
            high: scale,
        }
    }

    pub(super) fn adam_config(&self) -> RegressionConfig {
        RegressionConfig {
            optimizer: OptimizerConfig::adam(self.adam_learning_rate),
            epochs: self.adam_epochs,
            log_every: self.log_every,
            restore_best: self.adam_restore_best,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lab_defaults() {
        let c = BuildingBlocksConfig::default();
        assert_eq!(c.data.variance, 50.0);
        assert_eq!(c.data.points_per_axis, 50);
        assert_eq!(c.data.range, (-2.0, 2.0));
        assert_eq!(c.hidden, 25);
        assert_eq!(c.search_threshold, 1e-5);
        assert_eq!(c.search_iterations, 50);
        assert_eq!((c.search_weight_scale, c.search_bias_scale), (0.025, 0.05));
        assert!(c.validate().is_ok());
        let quick = BuildingBlocksConfig::for_profile(Profile::Quick);
        assert!(quick.adam_epochs < c.adam_epochs);
        assert!(quick.validate().is_ok());
    }

    #[test]
    fn validation_names_the_key() {
        let bad = |c: BuildingBlocksConfig| c.validate().unwrap_err();
        assert!(
            bad(BuildingBlocksConfig {
                search_iterations: 0,
                ..Default::default()
            })
            .contains("'search_iterations' = 0")
        );
        assert_eq!(
            bad(BuildingBlocksConfig {
                search_bias_scale: -1.0,
                ..Default::default()
            }),
            "setting 'search_bias_scale' = -1: expected a finite number > 0"
        );
        assert!(
            bad(BuildingBlocksConfig {
                adam_epochs: 0,
                ..Default::default()
            })
            .contains("'adam_epochs' = 0")
        );
        assert!(
            bad(BuildingBlocksConfig {
                data: GaussianGridConfig {
                    variance: -1.0,
                    ..Default::default()
                },
                ..Default::default()
            })
            .contains("'data.variance' = -1")
        );
        assert!(
            bad(BuildingBlocksConfig {
                data: GaussianGridConfig {
                    range: (1.0, -1.0),
                    ..Default::default()
                },
                ..Default::default()
            })
            .contains("'data.range' = [1, -1]")
        );
    }
}
