//! The settings of notebook 000, with the notebook's values as the `full` profile.

use serde::{Deserialize, Serialize};
use unfold_models::{MlpConfig, Spirals3dModel};
use unfold_train::{Batching, FitConfig, Loss, OptimizerConfig};

use crate::Profile;
use crate::settings::bad_value;

/// Settings of the 3-D spirals experiment. [`Default`] is the notebook's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Spirals3dConfig {
    /// The data generator's parameters (500 points per class, noise 0.05).
    pub data: unfold_data::Spirals3dConfig,
    /// Fraction of the points used for training (0.8: `test_size=0.2`).
    pub train_fraction: f64,
    /// Full-batch epochs (2000).
    pub epochs: usize,
    /// Adam's learning rate (0.01).
    pub learning_rate: f64,
    /// Log metrics every this many epochs.
    pub log_every: usize,
    /// The models to train, in order.
    pub models: Vec<Spirals3dModel>,
    /// Hidden widths of `LinearHiddenModel` and `ReLUHiddenModel` (`[3, 2]`: 3→3→2→1).
    pub hidden: Vec<usize>,
    /// Hidden widths of `DeepReLUModel` (`[16, 16, 2]`).
    pub deep_hidden: Vec<usize>,
}

/// One line per key, for `unfold config spirals3d`.
pub(super) const KEY_DOCS: &[(&str, &str)] = &[
    ("data.points_per_class", "points in each of the two spirals"),
    (
        "data.noise",
        "standard deviation of the Gaussian noise on radius and height",
    ),
    ("train_fraction", "fraction of the points used for training"),
    ("epochs", "full-batch training epochs of every model"),
    ("learning_rate", "Adam's learning rate"),
    ("log_every", "log loss and accuracy every this many epochs"),
    (
        "models",
        "models to train, in order: Linear, LinearHidden, ReluHidden, DeepRelu",
    ),
    (
        "hidden",
        "hidden widths of LinearHiddenModel and ReLUHiddenModel (2- and 3-wide layers are drawn)",
    ),
    (
        "deep_hidden",
        "hidden widths of DeepReLUModel (its last layer is drawn when 2- or 3-wide)",
    ),
];

impl Default for Spirals3dConfig {
    fn default() -> Self {
        Self {
            data: unfold_data::Spirals3dConfig::default(),
            train_fraction: 0.8,
            epochs: 2000,
            learning_rate: 0.01,
            log_every: 10,
            models: Spirals3dModel::ALL.to_vec(),
            hidden: Spirals3dModel::ReluHidden.notebook_hidden().to_vec(),
            deep_hidden: Spirals3dModel::DeepRelu.notebook_hidden().to_vec(),
        }
    }
}

impl Spirals3dConfig {
    /// The notebook's settings (`full`) or a shorter run of the same pipeline (`quick`).
    pub fn for_profile(profile: Profile) -> Self {
        match profile {
            Profile::Full => Self::default(),
            Profile::Quick => Self {
                epochs: 600,
                log_every: 20,
                ..Self::default()
            },
        }
    }

    /// Checks every value, with a message naming the bad one.
    pub fn validate(&self) -> Result<(), String> {
        if self.data.points_per_class < 2 {
            return Err(bad_value(
                "data.points_per_class",
                self.data.points_per_class,
                "at least 2",
            ));
        }
        if !(self.data.noise.is_finite() && self.data.noise >= 0.0) {
            return Err(bad_value(
                "data.noise",
                self.data.noise,
                "a finite number ≥ 0",
            ));
        }
        if !(self.train_fraction > 0.0 && self.train_fraction < 1.0) {
            return Err(bad_value(
                "train_fraction",
                self.train_fraction,
                "a fraction strictly between 0 and 1",
            ));
        }
        if self.models.is_empty() {
            return Err(bad_value("models", "[]", "at least one model"));
        }
        for (key, widths) in [("hidden", &self.hidden), ("deep_hidden", &self.deep_hidden)] {
            if widths.is_empty() || widths.contains(&0) {
                return Err(bad_value(
                    key,
                    format!("{widths:?}"),
                    "one or more hidden widths, each ≥ 1",
                ));
            }
        }
        if self.log_every == 0 {
            return Err(bad_value("log_every", 0, "a whole number ≥ 1"));
        }
        self.fit_config(0).validate()
    }

    /// The network of `model` under these settings.
    pub fn net(&self, model: Spirals3dModel) -> MlpConfig {
        match model {
            Spirals3dModel::DeepRelu => model.with_hidden(&self.deep_hidden),
            other => other.with_hidden(&self.hidden),
        }
    }

    pub(super) fn fit_config(&self, seed: u64) -> FitConfig {
        FitConfig {
            loss: Loss::BceWithLogits,
            optimizer: OptimizerConfig::adam(self.learning_rate),
            epochs: self.epochs,
            batching: Batching::FullBatch,
            log_every: self.log_every,
            seed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notebook_defaults() {
        let c = Spirals3dConfig::default();
        assert_eq!(c.data.points_per_class, 500);
        assert_eq!(c.data.noise, 0.05);
        assert_eq!(c.epochs, 2000);
        assert_eq!(c.learning_rate, 0.01);
        assert!(c.validate().is_ok());
        assert!(Spirals3dConfig::for_profile(Profile::Quick).epochs < c.epochs);
        for model in Spirals3dModel::ALL {
            assert_eq!(c.net(model), model.config(), "{model:?}");
        }
    }

    #[test]
    fn validation_names_the_key() {
        let bad = Spirals3dConfig {
            train_fraction: 1.0,
            ..Default::default()
        };
        assert!(bad.validate().unwrap_err().contains("'train_fraction' = 1"));
        let bad = Spirals3dConfig {
            deep_hidden: vec![],
            ..Default::default()
        };
        assert!(bad.validate().unwrap_err().contains("'deep_hidden'"));
        let bad = Spirals3dConfig {
            epochs: 0,
            ..Default::default()
        };
        assert!(bad.validate().unwrap_err().contains("epochs"));
    }
}
