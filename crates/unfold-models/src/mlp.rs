//! A configurable multi-layer perceptron that exposes its hidden representations.

use burn::config::Config;
use burn::module::Module;
use burn::nn::{BatchNorm, BatchNormConfig, Initializer, Linear, LinearConfig};
use burn::tensor::activation::relu;
use burn::tensor::{Device, Tensor};
use serde::{Deserialize, Serialize};

use crate::linear::linear;
use crate::sigmoid::sigmoid;

/// The non-linearity applied after every hidden linear layer (never after the output layer).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Activation {
    /// No non-linearity: a stack of linear layers ("bread only").
    Identity,
    /// `max(0, x)`.
    Relu,
    /// `1 / (1 + e^-x)`.
    Sigmoid,
}

impl Activation {
    /// Applies the activation element-wise.
    pub fn apply<const D: usize>(self, x: Tensor<D>) -> Tensor<D> {
        match self {
            Activation::Identity => x,
            Activation::Relu => relu(x),
            Activation::Sigmoid => sigmoid(x),
        }
    }

    /// A short name (`identity`, `relu`, `sigmoid`).
    pub fn name(self) -> &'static str {
        match self {
            Activation::Identity => "identity",
            Activation::Relu => "relu",
            Activation::Sigmoid => "sigmoid",
        }
    }
}

/// How the weights and biases of every linear layer are initialized (notebook 001's
/// initialization study). Random draws use the device's generator (`device.seed(..)`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum LayerInit {
    /// Burn's default, the same as PyTorch's `nn.Linear`: Kaiming-uniform weights and biases
    /// in `U(-1/√fan_in, 1/√fan_in)`.
    Default,
    /// Every weight and bias 0.
    Zeros,
    /// Weights and biases uniform on `[low, high)`.
    Uniform {
        /// Lower bound.
        low: f64,
        /// Upper bound.
        high: f64,
    },
    /// Weights and biases normal with `mean` and `std`.
    Normal {
        /// Mean.
        mean: f64,
        /// Standard deviation.
        std: f64,
    },
    /// Xavier/Glorot-uniform weights (`gain` 1), zero biases (Xavier is defined for matrices
    /// only, so the biases are zeroed as `nn.init.zeros_` would).
    XavierUniform,
}

impl LayerInit {
    /// A short label for tables and legends.
    pub fn label(&self) -> String {
        match *self {
            LayerInit::Default => "default (Kaiming-uniform)".into(),
            LayerInit::Zeros => "zeros".into(),
            LayerInit::Uniform { low, high } => format!("uniform[{low}, {high}]"),
            LayerInit::Normal { mean, std } if mean == 0.0 && std == 1.0 => {
                "standard normal".into()
            }
            LayerInit::Normal { mean, std } => format!("normal({mean}, {std})"),
            LayerInit::XavierUniform => "Xavier-uniform".into(),
        }
    }

    /// Checks the parameters.
    pub fn validate(&self) -> Result<(), String> {
        match *self {
            LayerInit::Uniform { low, high }
                if !(low.is_finite() && high.is_finite() && low < high) =>
            {
                Err(format!(
                    "uniform initialization needs finite low < high, got [{low}, {high})"
                ))
            }
            LayerInit::Normal { mean, std }
                if !(mean.is_finite() && std.is_finite() && std >= 0.0) =>
            {
                Err(format!(
                    "normal initialization needs a finite mean and std ≥ 0, got ({mean}, {std})"
                ))
            }
            _ => Ok(()),
        }
    }

    /// Burn's initializers for (weight, bias), or `None` for Burn's default.
    fn initializers(&self) -> Option<(Initializer, Initializer)> {
        match *self {
            LayerInit::Default => None,
            LayerInit::Zeros => Some((Initializer::Zeros, Initializer::Zeros)),
            LayerInit::Uniform { low, high } => {
                let u = Initializer::Uniform {
                    min: low,
                    max: high,
                };
                Some((u.clone(), u))
            }
            LayerInit::Normal { mean, std } => {
                let n = Initializer::Normal { mean, std };
                Some((n.clone(), n))
            }
            LayerInit::XavierUniform => {
                Some((Initializer::XavierUniform { gain: 1.0 }, Initializer::Zeros))
            }
        }
    }
}

/// Configuration of an [`Mlp`]: layer widths from input to output, and the hidden activation.
#[derive(Config, Debug, PartialEq)]
pub struct MlpConfig {
    /// Widths from input to output, e.g. `[3, 3, 2, 1]` for a 3→3→2→1 network. At least two.
    pub widths: Vec<usize>,
    /// The non-linearity after each hidden layer.
    pub activation: Activation,
    /// Per-hidden-layer activations overriding `activation` (one per hidden layer), for
    /// networks that mix linear and non-linear layers (notebook 003's `MLPemb`).
    #[config(default = "None")]
    pub per_layer: Option<Vec<Activation>>,
    /// How the linear layers are initialized.
    #[config(default = "LayerInit::Default")]
    pub init: LayerInit,
    /// Batch normalization after every hidden linear layer, before its activation.
    #[config(default = false)]
    pub batch_norm: bool,
}

impl MlpConfig {
    /// Checks the widths: at least an input and an output, all at least 1.
    pub fn validate(&self) -> Result<(), String> {
        if self.widths.len() < 2 {
            return Err(format!(
                "an MLP needs at least an input and an output width, got {:?}",
                self.widths
            ));
        }
        if let Some(pos) = self.widths.iter().position(|&w| w == 0) {
            return Err(format!(
                "layer width {pos} is 0 in {:?}; widths must be ≥ 1",
                self.widths
            ));
        }
        if let Some(per_layer) = &self.per_layer
            && per_layer.len() != self.widths.len() - 2
        {
            return Err(format!(
                "{} per-layer activations given for {} hidden layers",
                per_layer.len(),
                self.widths.len() - 2
            ));
        }
        self.init.validate()
    }

    /// The activation after each hidden layer.
    pub fn hidden_activations(&self) -> Vec<Activation> {
        self.per_layer
            .clone()
            .unwrap_or_else(|| vec![self.activation; self.widths.len().saturating_sub(2)])
    }

    /// Builds the network on `device`, initialized as [`init`](Self::init) says (Burn's default
    /// is Kaiming-uniform, like PyTorch).
    ///
    /// # Panics
    /// If [`validate`](Self::validate) fails; validate user-supplied widths first.
    pub fn init(&self, device: &Device) -> Mlp {
        if let Err(e) = self.validate() {
            panic!("{e}");
        }
        let layers = self
            .widths
            .windows(2)
            .map(|w| {
                let linear = LinearConfig::new(w[0], w[1]);
                match self.init.initializers() {
                    None => linear.init(device),
                    Some((weight, bias)) => {
                        let mut layer = linear.with_initializer(weight).init(device);
                        layer.bias = Some(bias.init_with([w[1]], Some(w[0]), Some(w[1]), device));
                        layer
                    }
                }
            })
            .collect();
        let norms = if self.batch_norm {
            let hidden = &self.widths[1..self.widths.len() - 1];
            hidden
                .iter()
                .map(|&w| BatchNormConfig::new(w).init(device))
                .collect()
        } else {
            Vec::new()
        };
        Mlp {
            layers,
            norms,
            activations: self.hidden_activations(),
        }
    }

    /// A readable architecture string, e.g. `3→3 (relu)→2 (relu)→1`.
    pub fn describe(&self) -> String {
        let last = self.widths.len().saturating_sub(1);
        let activations = self.hidden_activations();
        self.widths
            .iter()
            .enumerate()
            .map(|(i, w)| {
                if i == 0 || i == last {
                    return w.to_string();
                }
                let activation = activations[i - 1];
                match (self.batch_norm, activation) {
                    (false, Activation::Identity) => w.to_string(),
                    (false, a) => format!("{w} ({})", a.name()),
                    (true, Activation::Identity) => format!("{w} (batchnorm)"),
                    (true, a) => format!("{w} (batchnorm, {})", a.name()),
                }
            })
            .collect::<Vec<_>>()
            .join("→")
    }
}

/// A multi-layer perceptron: linear layers with an activation between them.
#[derive(Module, Debug)]
pub struct Mlp {
    /// The linear layers, input to output. Burn stores each weight as `[in, out]`.
    pub layers: Vec<Linear>,
    /// Batch normalization after each hidden layer (empty when the network has none).
    pub norms: Vec<BatchNorm>,
    /// The activation after each hidden layer (one per hidden layer).
    #[module(skip)]
    pub activations: Vec<Activation>,
}

/// The output of [`Mlp::forward_hidden`].
#[derive(Debug, Clone)]
pub struct MlpOutput {
    /// The output layer's values (logits for classification), `[N, out]`.
    pub logits: Tensor<2>,
    /// The representation after each hidden layer and its activation: `hidden[i]` is the
    /// output of layer `i` (after the activation), `[N, widths[i + 1]]`.
    pub hidden: Vec<Tensor<2>>,
}

impl Mlp {
    /// Hidden layer `i`: linear, batch norm if any, activation.
    fn hidden_layer(&self, i: usize, x: Tensor<2>) -> Tensor<2> {
        let y = linear(&self.layers[i], x);
        let y = match self.norms.get(i) {
            Some(norm) => norm.forward(y),
            None => y,
        };
        self.activations[i].apply(y)
    }

    /// The logits for a batch `[N, in]`.
    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        let last = self.layers.len() - 1;
        let x = (0..last).fold(x, |x, i| self.hidden_layer(i, x));
        linear(&self.layers[last], x)
    }

    /// The logits together with every hidden representation.
    pub fn forward_hidden(&self, x: Tensor<2>) -> MlpOutput {
        let last = self.layers.len() - 1;
        let mut hidden = Vec::with_capacity(last);
        let mut x = x;
        for i in 0..last {
            x = self.hidden_layer(i, x);
            hidden.push(x.clone());
        }
        MlpOutput {
            logits: linear(&self.layers[last], x),
            hidden,
        }
    }

    /// The representation after hidden layer `layer` (0-based) and its activation, or `None`
    /// if the network has no such hidden layer.
    pub fn hidden_representation(&self, x: Tensor<2>, layer: usize) -> Option<Tensor<2>> {
        if layer + 1 >= self.layers.len() {
            return None;
        }
        Some((0..=layer).fold(x, |x, i| self.hidden_layer(i, x)))
    }

    /// Trainable parameters (weights, biases, batch-norm scales and shifts), as PyTorch counts
    /// them with `requires_grad`. Burn's `num_params` also counts batch norm's running
    /// statistics.
    pub fn trainable_params(&self) -> usize {
        let linear: usize = self
            .layers
            .iter()
            .map(|l| l.weight.num_params() + l.bias.as_ref().map_or(0, |b| b.num_params()))
            .sum();
        let norms: usize = self
            .norms
            .iter()
            .map(|n| n.gamma.num_params() + n.beta.num_params())
            .sum();
        linear + norms
    }

    /// Layer widths from input to output.
    pub fn widths(&self) -> Vec<usize> {
        let mut widths = vec![self.layers[0].weight.dims()[0]];
        widths.extend(self.layers.iter().map(|l| l.weight.dims()[1]));
        widths
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn device() -> Device {
        Device::flex()
    }

    #[test]
    fn shapes_and_parameter_count() {
        let config = MlpConfig::new(vec![3, 4, 2, 1], Activation::Relu);
        let model = config.init(&device());
        assert_eq!(model.widths(), vec![3, 4, 2, 1]);
        assert_eq!(model.num_params(), (3 * 4 + 4) + (4 * 2 + 2) + (2 + 1));
        assert_eq!(model.trainable_params(), model.num_params());
        let out = model.forward_hidden(Tensor::zeros([7, 3], &device()));
        assert_eq!(out.logits.dims(), [7, 1]);
        assert_eq!(out.hidden.len(), 2);
        assert_eq!(out.hidden[1].dims(), [7, 2]);
    }

    #[test]
    fn forward_and_hidden_agree() {
        let device = device();
        let model = MlpConfig::new(vec![3, 5, 2, 1], Activation::Relu).init(&device);
        let x = Tensor::<2>::random(
            [11, 3],
            burn::tensor::Distribution::Normal(0.0, 1.0),
            &device,
        );
        let out = model.forward_hidden(x.clone());
        out.logits
            .clone()
            .into_data()
            .assert_approx_eq::<f32>(&model.forward(x.clone()).into_data(), Default::default());
        let h1 = model.hidden_representation(x.clone(), 1).unwrap();
        h1.into_data()
            .assert_approx_eq::<f32>(&out.hidden[1].clone().into_data(), Default::default());
        // ReLU outputs are non-negative.
        let min: f32 = out.hidden[0].clone().min().into_scalar();
        assert!(min >= 0.0);
        assert!(model.hidden_representation(x, 2).is_none());
    }

    #[test]
    fn validation_rejects_bad_widths() {
        assert!(
            MlpConfig::new(vec![3], Activation::Relu)
                .validate()
                .is_err()
        );
        assert!(
            MlpConfig::new(vec![3, 0, 1], Activation::Relu)
                .validate()
                .is_err()
        );
        assert!(
            MlpConfig::new(vec![3, 1], Activation::Relu)
                .validate()
                .is_ok()
        );
    }

    fn values(t: Tensor<2>) -> Vec<f32> {
        t.into_data().try_to_vec().unwrap()
    }

    #[test]
    fn initialization_schemes() {
        let device = device();
        let config = |init| MlpConfig::new(vec![50, 40, 3], Activation::Relu).with_init(init);
        let zeros = config(LayerInit::Zeros).init(&device);
        assert!(
            values(zeros.layers[0].weight.val())
                .iter()
                .all(|&v| v == 0.0)
        );
        assert!(
            zeros.layers[1]
                .bias
                .as_ref()
                .unwrap()
                .val()
                .into_data()
                .try_to_vec::<f32>()
                .unwrap()
                .iter()
                .all(|&v| v == 0.0)
        );
        let uniform = config(LayerInit::Uniform {
            low: 0.0,
            high: 1.0,
        })
        .init(&device);
        let w = values(uniform.layers[0].weight.val());
        assert!(w.iter().all(|&v| (0.0..1.0).contains(&v)));
        assert!((w.iter().sum::<f32>() / w.len() as f32 - 0.5).abs() < 0.05);
        let normal = config(LayerInit::Normal {
            mean: 0.0,
            std: 1.0,
        })
        .init(&device);
        let w = values(normal.layers[0].weight.val());
        let var = w.iter().map(|v| v * v).sum::<f32>() / w.len() as f32;
        assert!((var - 1.0).abs() < 0.1, "{var}");
        let xavier = config(LayerInit::XavierUniform).init(&device);
        let w = values(xavier.layers[0].weight.val());
        let bound = (6.0f32 / (50.0 + 40.0)).sqrt();
        assert!(w.iter().all(|v| v.abs() <= bound));
        assert!(w.iter().any(|v| v.abs() > 0.8 * bound));
        let default = config(LayerInit::Default).init(&device);
        let w = values(default.layers[0].weight.val());
        assert!(w.iter().all(|v| v.abs() <= 1.0 / 50f32.sqrt() + 1e-6));
        assert!(
            LayerInit::Uniform {
                low: 1.0,
                high: 0.0
            }
            .validate()
            .is_err()
        );
        assert!(
            config(LayerInit::Normal {
                mean: 0.0,
                std: -1.0
            })
            .validate()
            .is_err()
        );
    }

    #[test]
    fn batch_norm_normalizes_in_training_and_uses_running_stats_in_eval() {
        let device = device();
        let autodiff = device.clone().autodiff();
        let config = MlpConfig::new(vec![4, 6, 2], Activation::Identity).with_batch_norm(true);
        assert_eq!(config.describe(), "4→6 (batchnorm)→2");
        let model = config.init(&autodiff);
        assert_eq!(model.norms.len(), 1);
        let x = Tensor::<2>::random(
            [64, 4],
            burn::tensor::Distribution::Normal(3.0, 2.0),
            &autodiff,
        );
        let h = model.hidden_representation(x.clone(), 0).unwrap();
        let mean: Vec<f32> = h.clone().mean_dim(0).into_data().try_to_vec().unwrap();
        assert!(mean.iter().all(|m| m.abs() < 1e-4), "{mean:?}");
        let _ = model.forward(x.clone());
        // Evaluation mode: running statistics, not the batch's.
        let eval = model.valid();
        let h_eval = eval.hidden_representation(x.inner(), 0).unwrap();
        let mean_eval: Vec<f32> = h_eval.mean_dim(0).into_data().try_to_vec().unwrap();
        assert!(mean_eval.iter().any(|m| m.abs() > 1e-3), "{mean_eval:?}");
        assert_eq!(
            eval.trainable_params(),
            (4 * 6 + 6) + 2 * 6 + (6 * 2 + 2),
            "gamma and beta are parameters, running stats are not"
        );
    }

    #[test]
    fn describes_architecture() {
        assert_eq!(
            MlpConfig::new(vec![3, 3, 2, 1], Activation::Relu).describe(),
            "3→3 (relu)→2 (relu)→1"
        );
        assert_eq!(
            MlpConfig::new(vec![3, 1], Activation::Identity).describe(),
            "3→1"
        );
    }
}
