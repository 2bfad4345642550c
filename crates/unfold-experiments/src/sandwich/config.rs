//! The settings of notebook 003, with the notebook's values as the `full` profile.

use serde::{Deserialize, Serialize};
use unfold_data::Spirals2dConfig;
use unfold_models::{MlpConfig, SandwichModel};
use unfold_train::{Batching, FitConfig, Loss, OptimizerConfig};

use super::rainbow::{NOTEBOOK_PERMUTATION, Normalization, is_permutation};
use crate::Profile;
use crate::settings::bad_value;

/// Settings of the sandwich experiment. [`Default`] is the notebook's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SandwichConfig {
    /// The data generator's parameters (1000 points per arm, 3 arms, angle noise 0.2).
    pub data: Spirals2dConfig,
    /// Fraction of the points used for training (0.8, as `random_split`).
    pub train_fraction: f64,
    /// Epochs (2000).
    pub epochs: usize,
    /// AdamW's learning rate (1e-3).
    pub learning_rate: f64,
    /// Mini-batch size (32, shuffled, last incomplete batch dropped).
    pub batch_size: usize,
    /// Log metrics every this many epochs (10).
    pub log_every: usize,
    /// Cells per side of the decision-region maps.
    pub region_resolution: usize,
    /// The models to train, in order.
    pub models: Vec<SandwichModel>,
    /// Hidden widths of `DeepLinear` and `MLP` (`[10, 10]`: 2→10→10→K).
    pub hidden: Vec<usize>,
    /// Widths of `MLPemb`'s ReLU layers, each followed by a 2-unit embedding (`[10, 10]`:
    /// 2→10→2→10→2→K).
    pub emb_hidden: Vec<usize>,
    /// Hidden widths of `MLPdeep` (`[6, 6, 6, 6, 6]`); its 6-unit layers are drawn as the
    /// rainbow sandwich.
    pub deep_hidden: Vec<usize>,
    /// The rainbow sandwich's feature permutation `idx`: activation `idx[i]` of each 6-unit
    /// layer drives `x, y, R, G, B, s`\[i\] (the notebook's `[5, 4, 1, 2, 3, 0]`).
    pub rainbow_permutation: [usize; 6],
    /// How activations are normalized before they become dots (the notebook's default: none).
    pub rainbow_normalization: Normalization,
    /// Beyond the notebook: snapshot `MLPemb` every this many epochs for `mlpemb_training.gif`
    /// (its decision regions and last 2-D embedding as training goes on); 0 turns it off.
    pub animation_every: usize,
}

/// One line per key, for `unfold config sandwich`.
pub(super) const KEY_DOCS: &[(&str, &str)] = &[
    ("data.points_per_class", "points in each spiral arm"),
    ("data.classes", "number of spiral arms (classes), 2 to 12"),
    (
        "data.angle_noise",
        "standard deviation of the Gaussian noise on each point's angle",
    ),
    ("train_fraction", "fraction of the points used for training"),
    ("epochs", "training epochs of every model"),
    ("learning_rate", "AdamW's learning rate"),
    (
        "batch_size",
        "mini-batch size (shuffled, last incomplete batch dropped)",
    ),
    ("log_every", "log loss and accuracy every this many epochs"),
    (
        "region_resolution",
        "cells per side of the decision-region maps, 2 to 2000",
    ),
    (
        "models",
        "models to train, in order: DeepLinear, Mlp, MlpEmb, MlpDeep",
    ),
    (
        "hidden",
        "hidden widths of DeepLinear (no activation) and MLP (ReLU)",
    ),
    (
        "emb_hidden",
        "widths of MLPemb's ReLU layers, each followed by a 2-unit embedding that is drawn",
    ),
    (
        "deep_hidden",
        "hidden widths of MLPdeep (ReLU); its 6-unit layers are drawn as the rainbow sandwich",
    ),
    (
        "rainbow_permutation",
        "activation idx[i] of a 6-unit layer drives x, y, R, G, B, size [i]; each of 0..6 once",
    ),
    (
        "rainbow_normalization",
        "activations before they become dots: none, softmax, sigmoid or minmax",
    ),
    (
        "animation_every",
        "beyond the notebook: a frame of mlpemb_training.gif every this many epochs (0: none)",
    ),
];

impl Default for SandwichConfig {
    fn default() -> Self {
        Self {
            data: Spirals2dConfig::default(),
            train_fraction: 0.8,
            epochs: 2000,
            learning_rate: 1e-3,
            batch_size: 32,
            log_every: 10,
            region_resolution: 200,
            models: SandwichModel::ALL.to_vec(),
            hidden: SandwichModel::Mlp.notebook_hidden().to_vec(),
            emb_hidden: SandwichModel::MlpEmb.notebook_hidden().to_vec(),
            deep_hidden: SandwichModel::MlpDeep.notebook_hidden().to_vec(),
            rainbow_permutation: NOTEBOOK_PERMUTATION,
            rainbow_normalization: Normalization::None,
            animation_every: 50,
        }
    }
}

impl SandwichConfig {
    /// The notebook's settings (`full`) or the same pipeline on less data and fewer epochs
    /// (`quick`).
    pub fn for_profile(profile: Profile) -> Self {
        match profile {
            Profile::Full => Self::default(),
            Profile::Quick => Self {
                data: Spirals2dConfig {
                    points_per_class: 300,
                    ..Spirals2dConfig::default()
                },
                epochs: 150,
                log_every: 10,
                region_resolution: 100,
                animation_every: 15,
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
        if !(2..=12).contains(&self.data.classes) {
            return Err(bad_value("data.classes", self.data.classes, "2 to 12"));
        }
        if !(self.data.angle_noise.is_finite() && self.data.angle_noise >= 0.0) {
            return Err(bad_value(
                "data.angle_noise",
                self.data.angle_noise,
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
        if !(2..=2000).contains(&self.region_resolution) {
            return Err(bad_value(
                "region_resolution",
                self.region_resolution,
                "2 to 2000",
            ));
        }
        if self.models.is_empty() {
            return Err(bad_value("models", "[]", "at least one model"));
        }
        for (key, widths) in [
            ("hidden", &self.hidden),
            ("emb_hidden", &self.emb_hidden),
            ("deep_hidden", &self.deep_hidden),
        ] {
            if widths.is_empty() || widths.contains(&0) {
                return Err(bad_value(
                    key,
                    format!("{widths:?}"),
                    "one or more hidden widths, each ≥ 1",
                ));
            }
        }
        if !is_permutation(self.rainbow_permutation) {
            return Err(bad_value(
                "rainbow_permutation",
                format!("{:?}", self.rainbow_permutation),
                "a permutation using each of 0..6 once",
            ));
        }
        if self.batch_size == 0 {
            return Err(bad_value("batch_size", 0, "a whole number ≥ 1"));
        }
        let train_points =
            (self.data.points_per_class * self.data.classes) as f64 * self.train_fraction;
        if (self.batch_size as f64) > train_points {
            return Err(bad_value(
                "batch_size",
                self.batch_size,
                &format!(
                    "at most the {} training points (drop_last would leave no batch)",
                    train_points as usize
                ),
            ));
        }
        if self.epochs == 0 {
            return Err(bad_value("epochs", 0, "a whole number ≥ 1"));
        }
        if self.log_every == 0 {
            return Err(bad_value("log_every", 0, "a whole number ≥ 1"));
        }
        self.fit_config(0).validate()
    }

    /// The network of `model` under these settings.
    pub fn net(&self, model: SandwichModel) -> MlpConfig {
        let hidden = match model {
            SandwichModel::DeepLinear | SandwichModel::Mlp => &self.hidden,
            SandwichModel::MlpEmb => &self.emb_hidden,
            SandwichModel::MlpDeep => &self.deep_hidden,
        };
        model.with_hidden(self.data.classes, hidden)
    }

    pub(super) fn fit_config(&self, seed: u64) -> FitConfig {
        FitConfig {
            loss: Loss::CrossEntropy,
            optimizer: OptimizerConfig::adamw(self.learning_rate),
            epochs: self.epochs,
            batching: Batching::MiniBatch {
                size: self.batch_size,
                shuffle: true,
                drop_last: true,
            },
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
        let c = SandwichConfig::default();
        assert_eq!(c.data.points_per_class, 1000);
        assert_eq!(c.data.classes, 3);
        assert_eq!(c.data.angle_noise, 0.2);
        assert_eq!((c.epochs, c.batch_size, c.log_every), (2000, 32, 10));
        assert_eq!(c.learning_rate, 1e-3);
        assert!(c.validate().is_ok());
        assert!(
            SandwichConfig::for_profile(Profile::Quick)
                .validate()
                .is_ok()
        );
        // The width keys' defaults are the notebook's networks, layer for layer.
        for model in SandwichModel::ALL {
            assert_eq!(c.net(model), model.config(3), "{model:?}");
        }
    }

    #[test]
    fn embeddings_stay_two_dimensional() {
        let c = SandwichConfig {
            emb_hidden: vec![16, 8, 4],
            ..Default::default()
        };
        let net = c.net(SandwichModel::MlpEmb);
        assert_eq!(net.widths, vec![2, 16, 2, 8, 2, 4, 2, 3]);
        assert!(net.validate().is_ok());
    }

    #[test]
    fn validation_names_the_key() {
        let error = |c: SandwichConfig| c.validate().unwrap_err();
        assert!(
            error(SandwichConfig {
                batch_size: 0,
                ..Default::default()
            })
            .contains("'batch_size' = 0")
        );
        assert!(
            error(SandwichConfig {
                batch_size: 100_000,
                ..Default::default()
            })
            .contains("'batch_size' = 100000: expected at most the 2400 training points")
        );
        let mut bad = SandwichConfig::default();
        bad.data.classes = 1;
        assert!(error(bad).contains("'data.classes' = 1"));
        let bad = SandwichConfig {
            rainbow_permutation: [0, 0, 1, 2, 3, 4],
            ..Default::default()
        };
        assert_eq!(
            error(bad),
            "setting 'rainbow_permutation' = [0, 0, 1, 2, 3, 4]: expected a permutation using \
             each of 0..6 once"
        );
        assert!(
            error(SandwichConfig {
                emb_hidden: vec![],
                ..Default::default()
            })
            .contains("'emb_hidden'")
        );
    }
}
