//! A configurable multi-layer perceptron that exposes its hidden representations.

use burn::config::Config;
use burn::module::Module;
use burn::nn::{Linear, LinearConfig};
use burn::tensor::activation::{relu, sigmoid};
use burn::tensor::{Device, Tensor};
use serde::{Deserialize, Serialize};

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
        Ok(())
    }

    /// The activation after each hidden layer.
    pub fn hidden_activations(&self) -> Vec<Activation> {
        self.per_layer
            .clone()
            .unwrap_or_else(|| vec![self.activation; self.widths.len().saturating_sub(2)])
    }

    /// Builds the network on `device` with Burn's default (Kaiming-uniform, PyTorch-like)
    /// initialization.
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
            .map(|w| LinearConfig::new(w[0], w[1]).init(device))
            .collect();
        Mlp {
            layers,
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
                let activation = if i == 0 || i == last {
                    Activation::Identity
                } else {
                    activations[i - 1]
                };
                if activation == Activation::Identity {
                    w.to_string()
                } else {
                    format!("{w} ({})", activation.name())
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
    /// The logits for a batch `[N, in]`.
    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        let last = self.layers.len() - 1;
        self.layers.iter().enumerate().fold(x, |x, (i, layer)| {
            let y = layer.forward(x);
            if i < last {
                self.activations[i].apply(y)
            } else {
                y
            }
        })
    }

    /// The logits together with every hidden representation.
    pub fn forward_hidden(&self, x: Tensor<2>) -> MlpOutput {
        let last = self.layers.len() - 1;
        let mut hidden = Vec::with_capacity(last);
        let mut x = x;
        for (i, layer) in self.layers.iter().enumerate() {
            let y = layer.forward(x);
            if i < last {
                let a = self.activations[i].apply(y);
                hidden.push(a.clone());
                x = a;
            } else {
                return MlpOutput { logits: y, hidden };
            }
        }
        unreachable!("an Mlp has at least one layer")
    }

    /// The representation after hidden layer `layer` (0-based) and its activation, or `None`
    /// if the network has no such hidden layer.
    pub fn hidden_representation(&self, x: Tensor<2>, layer: usize) -> Option<Tensor<2>> {
        if layer + 1 >= self.layers.len() {
            return None;
        }
        let mut x = x;
        for (l, activation) in self.layers[..=layer].iter().zip(&self.activations) {
            x = activation.apply(l.forward(x));
        }
        Some(x)
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

    #[allow(deprecated)]
    fn device() -> Device {
        Device::ndarray()
    }

    #[test]
    fn shapes_and_parameter_count() {
        let config = MlpConfig::new(vec![3, 4, 2, 1], Activation::Relu);
        let model = config.init(&device());
        assert_eq!(model.widths(), vec![3, 4, 2, 1]);
        assert_eq!(model.num_params(), (3 * 4 + 4) + (4 * 2 + 2) + (2 + 1));
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
