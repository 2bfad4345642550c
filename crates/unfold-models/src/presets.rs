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
        self.with_hidden(self.notebook_hidden())
    }

    /// The notebook's hidden widths: none for `LinearModel`, `[3, 2]` for the two 3→3→2→1
    /// models, `[16, 16, 2]` for `DeepReLUModel`.
    pub fn notebook_hidden(self) -> &'static [usize] {
        match self {
            Spirals3dModel::Linear => &[],
            Spirals3dModel::LinearHidden | Spirals3dModel::ReluHidden => &[3, 2],
            Spirals3dModel::DeepRelu => &[16, 16, 2],
        }
    }

    /// The model with other hidden widths (ignored by `LinearModel`, which has none): 3 inputs,
    /// `hidden`, one logit; ReLU between layers for the ReLU models, nothing for the linear one.
    pub fn with_hidden(self, hidden: &[usize]) -> MlpConfig {
        let widths = |hidden: &[usize]| [&[3][..], hidden, &[1]].concat();
        match self {
            Spirals3dModel::Linear => MlpConfig::new(vec![3, 1], Activation::Identity),
            Spirals3dModel::LinearHidden => MlpConfig::new(widths(hidden), Activation::Identity),
            Spirals3dModel::ReluHidden | Spirals3dModel::DeepRelu => {
                MlpConfig::new(widths(hidden), Activation::Relu)
            }
        }
    }
}

/// The models of notebook 003 (2-D spirals, "the sandwich"), for `classes` output classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SandwichModel {
    /// `DeepLinear`: bread only, 2 → 10 → 10 → K with no activation.
    DeepLinear,
    /// `MLP`: the sandwich, 2 → 10 (ReLU) → 10 (ReLU) → K.
    Mlp,
    /// `MLPemb`: 2 → 10 (ReLU) → 2 → 10 (ReLU) → 2 → K, with 2-unit "thin bread" layers whose
    /// outputs are 2-D embeddings.
    MlpEmb,
    /// `MLPdeep`: five ReLU layers of 6 units, 2 → 6 → 6 → 6 → 6 → 6 → K (the rainbow sandwich).
    MlpDeep,
}

impl SandwichModel {
    /// All models, in notebook order.
    pub const ALL: [SandwichModel; 4] = [
        SandwichModel::DeepLinear,
        SandwichModel::Mlp,
        SandwichModel::MlpEmb,
        SandwichModel::MlpDeep,
    ];

    /// The notebook's class name.
    pub fn name(self) -> &'static str {
        match self {
            SandwichModel::DeepLinear => "DeepLinear",
            SandwichModel::Mlp => "MLP",
            SandwichModel::MlpEmb => "MLPemb",
            SandwichModel::MlpDeep => "MLPdeep",
        }
    }

    /// A file-name-friendly identifier.
    pub fn slug(self) -> &'static str {
        match self {
            SandwichModel::DeepLinear => "deep_linear",
            SandwichModel::Mlp => "mlp",
            SandwichModel::MlpEmb => "mlp_emb",
            SandwichModel::MlpDeep => "mlp_deep",
        }
    }

    /// The network configuration for `classes` classes.
    pub fn config(self, classes: usize) -> MlpConfig {
        match self {
            SandwichModel::DeepLinear => {
                MlpConfig::new(vec![2, 10, 10, classes], Activation::Identity)
            }
            SandwichModel::Mlp => MlpConfig::new(vec![2, 10, 10, classes], Activation::Relu),
            SandwichModel::MlpEmb => {
                MlpConfig::new(vec![2, 10, 2, 10, 2, classes], Activation::Relu).with_per_layer(
                    Some(vec![
                        Activation::Relu,
                        Activation::Identity,
                        Activation::Relu,
                        Activation::Identity,
                    ]),
                )
            }
            SandwichModel::MlpDeep => {
                MlpConfig::new(vec![2, 6, 6, 6, 6, 6, classes], Activation::Relu)
            }
        }
    }

    /// The notebook's hidden widths: `[10, 10]` for `DeepLinear` and `MLP`, `[6, 6, 6, 6, 6]`
    /// for `MLPdeep`, and for `MLPemb` its two 10-unit ReLU layers `[10, 10]` (each followed
    /// by a 2-unit embedding, see [`SandwichModel::with_hidden`]).
    pub fn notebook_hidden(self) -> &'static [usize] {
        match self {
            SandwichModel::DeepLinear | SandwichModel::Mlp | SandwichModel::MlpEmb => &[10, 10],
            SandwichModel::MlpDeep => &[6, 6, 6, 6, 6],
        }
    }

    /// The model for `classes` classes with other hidden widths: 2 inputs, `hidden`, `classes`
    /// logits; no activation for `DeepLinear`, ReLU for the others. For `MLPemb` every width is
    /// a ReLU layer followed by a 2-unit linear "thin bread" layer, so its embeddings stay 2-D
    /// (`[10, 10]` gives the notebook's 2 → 10 → 2 → 10 → 2 → K).
    pub fn with_hidden(self, classes: usize, hidden: &[usize]) -> MlpConfig {
        let widths = |hidden: &[usize]| [&[2][..], hidden, &[classes]].concat();
        match self {
            SandwichModel::DeepLinear => MlpConfig::new(widths(hidden), Activation::Identity),
            SandwichModel::Mlp | SandwichModel::MlpDeep => {
                MlpConfig::new(widths(hidden), Activation::Relu)
            }
            SandwichModel::MlpEmb => {
                let with_bottlenecks: Vec<usize> = hidden.iter().flat_map(|&h| [h, 2]).collect();
                let activations = hidden
                    .iter()
                    .flat_map(|_| [Activation::Relu, Activation::Identity])
                    .collect();
                MlpConfig::new(widths(&with_bottlenecks), Activation::Relu)
                    .with_per_layer(Some(activations))
            }
        }
    }
}

/// The networks of notebook 004's vanishing-gradient task: flatten → 784-512-1024-512-10
/// with sigmoid or ReLU between the linear layers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum VanishingModel {
    /// `ANN_sigmoid`.
    Sigmoid,
    /// `ANN_relu`.
    Relu,
}

impl VanishingModel {
    /// Both networks, in notebook order.
    pub const ALL: [VanishingModel; 2] = [VanishingModel::Sigmoid, VanishingModel::Relu];

    /// The notebook's class name (`ANN_sigmoid`, `ANN_relu`).
    pub fn name(self) -> &'static str {
        match self {
            VanishingModel::Sigmoid => "ANN_sigmoid",
            VanishingModel::Relu => "ANN_relu",
        }
    }

    /// The activation between the linear layers.
    pub fn activation(self) -> Activation {
        match self {
            VanishingModel::Sigmoid => Activation::Sigmoid,
            VanishingModel::Relu => Activation::Relu,
        }
    }

    /// The network configuration for `d_in` inputs and `d_out` classes.
    pub fn config(self, d_in: usize, d_out: usize) -> MlpConfig {
        MlpConfig::new(vec![d_in, 512, 1024, 512, d_out], self.activation())
    }
}
