//! The settings of notebook 004's task 3, with the notebook's `hyperparams` as the `full`
//! profile.

use serde::{Deserialize, Serialize};
use unfold_models::{MlpConfig, VanishingModel};
use unfold_train::{Batching, FitConfig, Loss, OptimizerConfig};

use super::RECORDED_LAYERS;
use crate::Profile;
use crate::settings::bad_value;

/// Fashion-MNIST's classes, the networks' output width.
const CLASSES: usize = 10;

/// Settings of the vanishing-gradient experiment. [`Default`] is the notebook's `hyperparams`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VanishingConfig {
    /// Pixel mean used for normalization (0.1307, the notebook's value).
    pub normalization_mean: f32,
    /// Pixel standard deviation used for normalization (0.3081).
    pub normalization_std: f32,
    /// Training batch size (64, shuffled).
    pub batch_size: usize,
    /// SGD learning rate (0.01).
    pub learning_rate: f64,
    /// SGD momentum (0.5, PyTorch's semantics: no dampening).
    pub momentum: f64,
    /// Epochs (1).
    pub epochs: usize,
    /// Use only the first this many training images (`None`: all 60,000).
    pub train_images: Option<usize>,
    /// Use only the first this many test images (`None`: all 10,000).
    pub test_images: Option<usize>,
    /// Record the batch loss every this many batches (100).
    pub log_every_batches: usize,
    /// Draw the gradient magnitudes on a logarithmic axis.
    pub log_scale: bool,
    /// The networks, in order.
    pub models: Vec<VanishingModel>,
    /// Hidden widths of both networks (`[512, 1024, 512]`: 784→512→1024→512→10); at least
    /// two, so that the first three linear layers exist to be recorded.
    pub hidden: Vec<usize>,
}

/// One line per key, for `unfold config vanishing`.
pub(super) const KEY_DOCS: &[(&str, &str)] = &[
    (
        "normalization_mean",
        "pixel mean subtracted before training (MNIST's 0.1307, as in the notebook)",
    ),
    (
        "normalization_std",
        "pixel standard deviation the images are divided by",
    ),
    (
        "batch_size",
        "training batch size (batches reshuffled every epoch)",
    ),
    ("learning_rate", "SGD's learning rate"),
    (
        "momentum",
        "SGD's momentum (PyTorch's semantics, no dampening)",
    ),
    ("epochs", "training epochs of each network"),
    (
        "train_images",
        "use only the first this many training images (not set: all 60,000)",
    ),
    (
        "test_images",
        "use only the first this many test images (not set: all 10,000)",
    ),
    (
        "log_every_batches",
        "record the batch loss every this many batches",
    ),
    (
        "log_scale",
        "draw the per-network gradient figure on a logarithmic axis",
    ),
    ("models", "networks to train, in order: Sigmoid, Relu"),
    (
        "hidden",
        "hidden widths of both networks (at least two: the first three linear layers are recorded)",
    ),
];

impl Default for VanishingConfig {
    fn default() -> Self {
        Self {
            normalization_mean: 0.1307,
            normalization_std: 0.3081,
            batch_size: 64,
            learning_rate: 0.01,
            momentum: 0.5,
            epochs: 1,
            train_images: None,
            test_images: None,
            log_every_batches: 100,
            log_scale: false,
            models: VanishingModel::ALL.to_vec(),
            hidden: vec![512, 1024, 512],
        }
    }
}

impl VanishingConfig {
    /// The notebook's settings (`full`) or one epoch over the first 6,400 training and 1,000
    /// test images (`quick`).
    pub fn for_profile(profile: Profile) -> Self {
        match profile {
            Profile::Full => Self::default(),
            Profile::Quick => Self {
                train_images: Some(6400),
                test_images: Some(1000),
                log_every_batches: 20,
                ..Self::default()
            },
        }
    }

    /// Checks every value, with a message naming the bad one.
    pub fn validate(&self) -> Result<(), String> {
        if !self.normalization_mean.is_finite() {
            return Err(bad_value(
                "normalization_mean",
                self.normalization_mean,
                "a finite number",
            ));
        }
        if !(self.normalization_std.is_finite() && self.normalization_std > 0.0) {
            return Err(bad_value(
                "normalization_std",
                self.normalization_std,
                "a finite number > 0",
            ));
        }
        if !(self.momentum.is_finite() && self.momentum >= 0.0) {
            return Err(bad_value("momentum", self.momentum, "a finite number ≥ 0"));
        }
        if self.log_every_batches == 0 {
            return Err(bad_value("log_every_batches", 0, "a whole number ≥ 1"));
        }
        for (key, limit) in [
            ("train_images", self.train_images),
            ("test_images", self.test_images),
        ] {
            if limit == Some(0) {
                return Err(bad_value(key, 0, "at least 1 image, or not set for all"));
            }
        }
        crate::runs::check_image_limits(self.train_images, self.test_images)?;
        if self.models.is_empty() {
            return Err(bad_value("models", "[]", "at least one network"));
        }
        if self.hidden.len() < RECORDED_LAYERS - 1 || self.hidden.contains(&0) {
            return Err(bad_value(
                "hidden",
                format!("{:?}", self.hidden),
                "two or more hidden widths, each ≥ 1",
            ));
        }
        self.fit_config(0).validate()
    }

    /// The network of `model` under these settings, for images of `inputs` pixels.
    pub fn net(&self, model: VanishingModel, inputs: usize) -> MlpConfig {
        let widths = std::iter::once(inputs)
            .chain(self.hidden.iter().copied())
            .chain(std::iter::once(CLASSES))
            .collect();
        MlpConfig::new(widths, model.activation())
    }

    pub(super) fn fit_config(&self, seed: u64) -> FitConfig {
        FitConfig {
            loss: Loss::CrossEntropy,
            optimizer: OptimizerConfig::sgd(self.learning_rate, self.momentum),
            epochs: self.epochs,
            batching: Batching::MiniBatch {
                size: self.batch_size,
                shuffle: true,
                drop_last: false,
            },
            log_every: 1,
            seed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notebook_defaults_build_the_notebooks_networks() {
        let c = VanishingConfig::default();
        assert!(c.validate().is_ok());
        for model in VanishingModel::ALL {
            assert_eq!(c.net(model, 784), model.config(784, CLASSES), "{model:?}");
        }
        assert!(
            VanishingConfig::for_profile(Profile::Quick)
                .validate()
                .is_ok()
        );
    }

    #[test]
    fn validation_names_the_key() {
        let bad = VanishingConfig {
            hidden: vec![512],
            ..Default::default()
        };
        assert!(bad.validate().unwrap_err().contains("'hidden' = [512]"));
        let bad = VanishingConfig {
            normalization_std: 0.0,
            ..Default::default()
        };
        assert!(bad.validate().unwrap_err().contains("'normalization_std'"));
        let bad = VanishingConfig {
            train_images: Some(0),
            ..Default::default()
        };
        assert!(bad.validate().unwrap_err().contains("'train_images' = 0"));
        let bad = VanishingConfig {
            log_every_batches: 0,
            ..Default::default()
        };
        assert!(bad.validate().unwrap_err().contains("'log_every_batches'"));
    }
}
