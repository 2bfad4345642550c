//! The notebooks' named models as [`MlpConfig`] presets.

use serde::{Deserialize, Serialize};

use crate::{Activation, MlpConfig};

/// The models of notebook 000 (3-D spirals), in the order the notebook builds them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Spirals3dModel {
    /// `LinearModel`: one linear layer, 3 → 1.
    Linear,
    /// `LinearHiddenModel`: 3 → 3 → 2 → 1 with no activation (still a linear map).
    LinearHidden,
    /// `ReLUHiddenModel`: 3 → 3 (ReLU) → 2 (ReLU) → 1.
    ReluHidden,
    /// The notebook's optional deeper model: 3 → 16 → 16 → 2 → 1 with ReLU, whose last hidden
    /// layer is 2-D so it can be drawn.
    DeepRelu,
}

impl Spirals3dModel {
    /// All models, in notebook order.
    pub const ALL: [Spirals3dModel; 4] = [
        Spirals3dModel::Linear,
        Spirals3dModel::LinearHidden,
        Spirals3dModel::ReluHidden,
        Spirals3dModel::DeepRelu,
    ];

    /// The notebook's class name (`LinearModel`, `LinearHiddenModel`, `ReLUHiddenModel`,
    /// `DeepReLUModel`).
    pub fn name(self) -> &'static str {
        match self {
            Spirals3dModel::Linear => "LinearModel",
            Spirals3dModel::LinearHidden => "LinearHiddenModel",
            Spirals3dModel::ReluHidden => "ReLUHiddenModel",
            Spirals3dModel::DeepRelu => "DeepReLUModel",
        }
    }

    /// A file-name-friendly identifier (`linear`, `linear_hidden`, `relu_hidden`, `deep_relu`).
    pub fn slug(self) -> &'static str {
        match self {
            Spirals3dModel::Linear => "linear",
            Spirals3dModel::LinearHidden => "linear_hidden",
            Spirals3dModel::ReluHidden => "relu_hidden",
            Spirals3dModel::DeepRelu => "deep_relu",
        }
    }

    /// The network configuration.
    pub fn config(self) -> MlpConfig {
        match self {
            Spirals3dModel::Linear => MlpConfig::new(vec![3, 1], Activation::Identity),
            Spirals3dModel::LinearHidden => MlpConfig::new(vec![3, 3, 2, 1], Activation::Identity),
            Spirals3dModel::ReluHidden => MlpConfig::new(vec![3, 3, 2, 1], Activation::Relu),
            Spirals3dModel::DeepRelu => MlpConfig::new(vec![3, 16, 16, 2, 1], Activation::Relu),
        }
    }
}
