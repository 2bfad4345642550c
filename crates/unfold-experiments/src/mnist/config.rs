//! The settings of notebook 001's question 1, with the notebook's values as the `full`
//! profile.

use serde::{Deserialize, Serialize};
use unfold_models::{Activation, LayerInit, MlpConfig};
use unfold_train::{
    Batching, EarlyStopping, FitConfig, GradientDescentConfig, Loss, OptimizerConfig,
};

use crate::Profile;
use crate::settings::{bad_value, toml_inline};

/// Pixels per MNIST image (28×28): the input width of every model.
pub const INPUTS: usize = 784;
/// Digit classes: the output width of every model.
pub const CLASSES: usize = 10;

/// Settings of the from-scratch logistic regression: the notebook's
/// `logistic_regression(train_loader, val_loader, epochs=20, lr=0.1, tol=1e-6)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogisticSettings {
    /// Gradient-descent step size (0.1).
    pub learning_rate: f64,
    /// Epochs (20).
    pub epochs: usize,
    /// Stop when an epoch's mean gradient norm falls below this (1e-6).
    pub tolerance: f64,
}

/// Settings of the MNIST experiment. [`Default`] is the notebook's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MnistConfig {
    /// Fraction of the training images used for training; the rest validate (0.8).
    pub train_fraction: f64,
    /// Use only the first this many training images (`None`: all 60,000).
    pub train_images: Option<usize>,
    /// Use only the first this many test images (`None`: all 10,000).
    pub test_images: Option<usize>,
    /// Mini-batch size for every model (128, training batches reshuffled every epoch).
    pub batch_size: usize,
    /// The from-scratch logistic regression.
    pub logistic: LogisticSettings,
    /// The MLP's hidden widths (`[400, 400]`: 784→400→400→10, ReLU after each hidden layer).
    pub hidden: Vec<usize>,
    /// MLP epochs (20).
    pub epochs: usize,
    /// The baseline optimizer (Adam with PyTorch's defaults, lr 1e-3).
    pub baseline_optimizer: OptimizerConfig,
    /// The initialization study; the first entry is the baseline (Burn's default, which is
    /// PyTorch's Kaiming-uniform).
    pub initializations: Vec<LayerInit>,
    /// The optimizers compared with the baseline, each at PyTorch's default learning rate
    /// (SGD 1e-3, RMSProp 1e-2, Adagrad 1e-2).
    pub optimizers: Vec<OptimizerConfig>,
    /// The early-stopping rule evaluated on the baseline MLP's validation accuracy.
    pub early_stopping: EarlyStopping,
    /// Run the reflection pair (best initialization × worst optimizer, worst × best).
    pub reflection: bool,
    /// Train the baseline MLP with batch normalization after each hidden layer too.
    pub batch_norm: bool,
    /// Misclassified test digits shown for the logistic regression.
    pub misclassified_shown: usize,
}

/// One line per key, for `unfold config mnist`.
pub(super) const KEY_DOCS: &[(&str, &str)] = &[
    (
        "train_fraction",
        "fraction of the training images used for training; the rest validate",
    ),
    (
        "train_images",
        "use only the first this many training images (not set: all 60,000)",
    ),
    (
        "test_images",
        "use only the first this many test images (not set: all 10,000)",
    ),
    (
        "batch_size",
        "mini-batch size of every model (training batches reshuffled every epoch)",
    ),
    (
        "logistic.learning_rate",
        "gradient-descent step size of the from-scratch logistic regression",
    ),
    ("logistic.epochs", "epochs of the logistic regression"),
    (
        "logistic.tolerance",
        "stop the logistic regression once an epoch's mean gradient norm falls below this",
    ),
    (
        "hidden",
        "the MLP's hidden widths (784 inputs and 10 outputs around them, ReLU after each)",
    ),
    ("epochs", "training epochs of every MLP"),
    (
        "baseline_optimizer",
        "the baseline MLP's optimizer: { kind = \"adam\" | \"adamw\" | \"sgd\" | \"rmsprop\" | \"adagrad\", lr = …, and that optimizer's other hyperparameters }",
    ),
    (
        "initializations",
        "the initialization study, the first being the baseline's: kind = \"default\" | \"zeros\" | \"uniform\" (low, high) | \"normal\" (mean, std) | \"xavier_uniform\"",
    ),
    (
        "optimizers",
        "the optimizers compared with the baseline's (same form as baseline_optimizer)",
    ),
    (
        "early_stopping.patience",
        "early-stopping rule: epochs without improvement before stopping",
    ),
    (
        "early_stopping.min_delta",
        "early-stopping rule: the smallest change that counts as an improvement",
    ),
    (
        "early_stopping.maximize",
        "early-stopping rule: true when larger is better (validation accuracy)",
    ),
    (
        "reflection",
        "also train best initialization × worst optimizer and worst × best",
    ),
    (
        "batch_norm",
        "also train the baseline MLP with batch normalization after each hidden layer",
    ),
    (
        "misclassified_shown",
        "misclassified test digits drawn for the logistic regression",
    ),
];

impl Default for MnistConfig {
    fn default() -> Self {
        Self {
            train_fraction: 0.8,
            train_images: None,
            test_images: None,
            batch_size: 128,
            logistic: LogisticSettings {
                learning_rate: 0.1,
                epochs: 20,
                tolerance: 1e-6,
            },
            hidden: vec![400, 400],
            epochs: 20,
            baseline_optimizer: OptimizerConfig::adam(1e-3),
            initializations: vec![
                LayerInit::Default,
                LayerInit::Zeros,
                LayerInit::Uniform {
                    low: 0.0,
                    high: 1.0,
                },
                LayerInit::Normal {
                    mean: 0.0,
                    std: 1.0,
                },
                LayerInit::XavierUniform,
            ],
            optimizers: vec![
                OptimizerConfig::sgd(1e-3, 0.0),
                OptimizerConfig::rmsprop(1e-2),
                OptimizerConfig::adagrad(1e-2),
            ],
            early_stopping: EarlyStopping {
                patience: 3,
                min_delta: 0.001,
                maximize: true,
            },
            reflection: true,
            batch_norm: true,
            misclassified_shown: 12,
        }
    }
}

impl MnistConfig {
    /// The notebook's settings (`full`) or the same studies on 3,000 training and 1,000 test
    /// images for 3 epochs (`quick`).
    pub fn for_profile(profile: Profile) -> Self {
        match profile {
            Profile::Full => Self::default(),
            Profile::Quick => Self {
                train_images: Some(3000),
                test_images: Some(1000),
                logistic: LogisticSettings {
                    epochs: 3,
                    ..Self::default().logistic
                },
                epochs: 3,
                ..Self::default()
            },
        }
    }

    /// Checks every value, with a message naming the bad one.
    pub fn validate(&self) -> Result<(), String> {
        if !(self.train_fraction > 0.0 && self.train_fraction < 1.0) {
            return Err(bad_value(
                "train_fraction",
                self.train_fraction,
                "a fraction strictly between 0 and 1",
            ));
        }
        if let Some(n) = self.train_images.filter(|n| *n < 10) {
            return Err(bad_value(
                "train_images",
                n,
                "at least 10 images, or not set for all",
            ));
        }
        if self.test_images == Some(0) {
            return Err(bad_value(
                "test_images",
                0,
                "at least 1 image, or not set for all",
            ));
        }
        crate::runs::check_image_limits(self.train_images, self.test_images)?;
        if self.hidden.is_empty() || self.hidden.contains(&0) {
            return Err(bad_value(
                "hidden",
                format!("{:?}", self.hidden),
                "one or more hidden widths, each ≥ 1",
            ));
        }
        if !(self.logistic.tolerance.is_finite() && self.logistic.tolerance >= 0.0) {
            return Err(bad_value(
                "logistic.tolerance",
                self.logistic.tolerance,
                "a finite number ≥ 0",
            ));
        }
        if self.initializations.is_empty() {
            return Err(bad_value(
                "initializations",
                "[]",
                "at least one initialization",
            ));
        }
        for (i, init) in self.initializations.iter().enumerate() {
            init.validate().map_err(|e| {
                bad_value(
                    &format!("initializations[{i}]"),
                    entry(init),
                    &format!("valid parameters ({e})"),
                )
            })?;
        }
        let optimizers =
            std::iter::once(("baseline_optimizer".to_string(), &self.baseline_optimizer)).chain(
                self.optimizers
                    .iter()
                    .enumerate()
                    .map(|(i, o)| (format!("optimizers[{i}]"), o)),
            );
        for (key, optimizer) in optimizers {
            optimizer.validate().map_err(|e| {
                bad_value(
                    &key,
                    entry(optimizer),
                    &format!("valid hyperparameters ({e})"),
                )
            })?;
        }
        if self.early_stopping.patience == 0 {
            return Err(bad_value(
                "early_stopping.patience",
                0,
                "a whole number ≥ 1",
            ));
        }
        if !(self.early_stopping.min_delta.is_finite() && self.early_stopping.min_delta >= 0.0) {
            return Err(bad_value(
                "early_stopping.min_delta",
                self.early_stopping.min_delta,
                "a finite number ≥ 0",
            ));
        }
        self.net().validate()?;
        self.logistic_config(0).validate()?;
        self.fit_config(self.baseline_optimizer.clone(), 0)
            .validate()
    }

    /// The MLP under these settings (before the study's initialization and batch norm).
    pub fn net(&self) -> MlpConfig {
        let widths = std::iter::once(INPUTS)
            .chain(self.hidden.iter().copied())
            .chain(std::iter::once(CLASSES))
            .collect();
        MlpConfig::new(widths, Activation::Relu)
    }

    /// The optimizer study's optimizers: the baseline's first, then the others.
    pub(super) fn optimizer_study(&self) -> Vec<OptimizerConfig> {
        std::iter::once(&self.baseline_optimizer)
            .chain(&self.optimizers)
            .cloned()
            .collect()
    }

    pub(super) fn logistic_config(&self, seed: u64) -> GradientDescentConfig {
        GradientDescentConfig {
            learning_rate: self.logistic.learning_rate,
            epochs: self.logistic.epochs,
            batch_size: self.batch_size,
            tolerance: self.logistic.tolerance,
            seed,
        }
    }

    pub(super) fn fit_config(&self, optimizer: OptimizerConfig, seed: u64) -> FitConfig {
        FitConfig {
            loss: Loss::CrossEntropy,
            optimizer,
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

/// A list entry on one line, as `unfold config` shows it.
fn entry(value: &impl Serialize) -> String {
    serde_json::to_value(value)
        .map(|v| toml_inline(&v))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notebook_defaults_build_the_notebooks_mlp() {
        let c = MnistConfig::default();
        assert!(c.validate().is_ok());
        assert_eq!(
            c.net(),
            MlpConfig::new(vec![784, 400, 400, 10], Activation::Relu)
        );
        assert_eq!(c.optimizer_study().len(), 4);
        let quick = MnistConfig::for_profile(Profile::Quick);
        assert!(quick.validate().is_ok());
        assert!(quick.epochs < c.epochs);
    }

    #[test]
    fn validation_names_the_key() {
        let bad = MnistConfig {
            hidden: vec![],
            ..Default::default()
        };
        assert!(bad.validate().unwrap_err().contains("'hidden' = []"));
        let bad = MnistConfig {
            train_images: Some(5),
            ..Default::default()
        };
        assert!(bad.validate().unwrap_err().contains("'train_images' = 5"));
        for (train_images, test_images, error) in [
            (
                Some(70_000),
                None,
                "'train_images' = 70000: expected at most 60000",
            ),
            (
                None,
                Some(10_001),
                "'test_images' = 10001: expected at most 10000",
            ),
        ] {
            let bad = MnistConfig {
                train_images,
                test_images,
                ..Default::default()
            };
            assert!(bad.validate().unwrap_err().contains(error));
        }
        let all = MnistConfig {
            train_images: Some(60_000),
            test_images: Some(10_000),
            ..Default::default()
        };
        assert!(all.validate().is_ok());
        let mut bad = MnistConfig::default();
        bad.initializations[2] = LayerInit::Uniform {
            low: 1.0,
            high: 0.0,
        };
        let error = bad.validate().unwrap_err();
        assert!(
            error.starts_with("setting 'initializations[2]' = {") && error.contains("low < high"),
            "{error}"
        );
        let mut bad = MnistConfig::default();
        bad.optimizers[0] = OptimizerConfig::sgd(1e-3, -1.0);
        assert!(bad.validate().unwrap_err().contains("'optimizers[0]'"));
        let bad = MnistConfig {
            early_stopping: EarlyStopping {
                patience: 0,
                ..MnistConfig::default().early_stopping
            },
            ..Default::default()
        };
        assert!(
            bad.validate()
                .unwrap_err()
                .contains("'early_stopping.patience' = 0")
        );
    }
}
