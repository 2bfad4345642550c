//! Notebook 004, task 2: a backpropagation worksheet for any small fully connected network.
//!
//! The notebook's network picture is missing, so the network comes as JSON ([`parse_network`]):
//!
//! ```json
//! {
//!   "input": [1.0, 2.0],
//!   "label": 1.0,
//!   "loss": "half_squared_error",
//!   "layers": [
//!     { "weights": [[0.5, -0.25], [1.0, -1.0], [-0.5, 0.75]], "biases": [0.5, 0.0, 0.0],
//!       "activation": "relu" },
//!     { "weights": [[1.0, 0.5, -1.5]], "biases": [0.25], "activation": "identity" }
//!   ]
//! }
//! ```
//!
//! `weights[i][j]` is the weight from unit `j` of the previous layer into unit `i` of this one
//! (`W` of `s = W·a + b`). Units are numbered as in the lecture: the inputs `1 … n₀`, then every
//! layer's units after them, so the example's hidden units are 3, 4, 5 and its output is 6.
//! [`Worksheet::compute`] writes out every pre-activation `sᵢ`, activation `aᵢ`, the loss,
//! every delta `δᵢ = ∂L/∂sᵢ` and every `∂L/∂wᵢⱼ`, each with its formula and value, in `f64`;
//! [`Worksheet::check_with_autodiff`] recomputes them with Burn's autodiff (deltas are the
//! gradients of the biases, `∂L/∂bᵢ = δᵢ`).
//!
//! `parse` reads and checks network files; `worksheet` works them by hand and checks the
//! result with autodiff.

mod parse;
mod worksheet;

use std::fmt;

use burn::tensor::{Device, Tensor, activation};
use serde::{Deserialize, Serialize};

pub use parse::parse_network;
pub use worksheet::{AUTODIFF_TOLERANCE, Entry, Kind, Worksheet};

/// The example network shipped in `assets/backprop-example.json`.
pub const EXAMPLE_NETWORK: &str = include_str!("../../../../assets/backprop-example.json");

/// At most this many layers.
pub const MAX_LAYERS: usize = 16;

/// The largest network file `unfold backprop --network` reads (networks within
/// [`MAX_LAYERS`] and [`MAX_UNITS`] take a few KiB as JSON).
pub const MAX_NETWORK_FILE_BYTES: u64 = 1 << 20;

/// At most this many units per layer (inputs included).
pub const MAX_UNITS: usize = 64;

/// What is wrong with a network file: which field, and what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkError {
    /// The field, as a path (`layers[1].weights[0][2]`), or `(document)`.
    pub field: String,
    /// What was expected and what was found.
    pub message: String,
}

impl fmt::Display for NetworkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for NetworkError {}

fn error(field: impl Into<String>, message: impl Into<String>) -> NetworkError {
    NetworkError {
        field: field.into(),
        message: message.into(),
    }
}

/// An activation function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Activation {
    /// `f(s) = s`.
    Identity,
    /// `f(s) = max(0, s)` (derivative 0 at 0, like PyTorch and Burn).
    Relu,
    /// `f(s) = 1 / (1 + e^−s)`.
    Sigmoid,
    /// `f(s) = tanh(s)`.
    Tanh,
}

impl Activation {
    const NAMES: [(&'static str, Activation); 4] = [
        ("identity", Activation::Identity),
        ("relu", Activation::Relu),
        ("sigmoid", Activation::Sigmoid),
        ("tanh", Activation::Tanh),
    ];

    fn apply(self, s: f64) -> f64 {
        match self {
            Activation::Identity => s,
            Activation::Relu => s.max(0.0),
            Activation::Sigmoid => 1.0 / (1.0 + (-s).exp()),
            Activation::Tanh => s.tanh(),
        }
    }

    fn derivative(self, s: f64) -> f64 {
        match self {
            Activation::Identity => 1.0,
            Activation::Relu => f64::from(u8::from(s > 0.0)),
            Activation::Sigmoid => {
                let a = self.apply(s);
                a * (1.0 - a)
            }
            Activation::Tanh => 1.0 - s.tanh().powi(2),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Activation::Identity => "id",
            Activation::Relu => "ReLU",
            Activation::Sigmoid => "σ",
            Activation::Tanh => "tanh",
        }
    }

    fn derivative_formula(self, s: &str) -> String {
        match self {
            Activation::Identity => "1".into(),
            Activation::Relu => format!("[{s} > 0]"),
            Activation::Sigmoid => format!("σ({s})(1 − σ({s}))"),
            Activation::Tanh => format!("(1 − tanh²({s}))"),
        }
    }

    fn tensor(self, s: Tensor<2>) -> Tensor<2> {
        match self {
            Activation::Identity => s,
            Activation::Relu => activation::relu(s),
            Activation::Sigmoid => activation::sigmoid(s),
            Activation::Tanh => activation::tanh(s),
        }
    }
}

/// The loss between the outputs `ŷ` and the label `y`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LossKind {
    /// `½ Σₖ (yₖ − ŷₖ)²` (notebook 004).
    HalfSquaredError,
    /// `Σₖ (yₖ − ŷₖ)²`.
    SquaredError,
    /// `(1/K) Σₖ (yₖ − ŷₖ)²` (PyTorch's `MSELoss`).
    Mse,
}

impl LossKind {
    const NAMES: [(&'static str, LossKind); 3] = [
        ("half_squared_error", LossKind::HalfSquaredError),
        ("squared_error", LossKind::SquaredError),
        ("mse", LossKind::Mse),
    ];

    /// The factor `c` of `L = c · Σₖ (yₖ − ŷₖ)²` for `k` outputs.
    fn factor(self, k: usize) -> f64 {
        match self {
            LossKind::HalfSquaredError => 0.5,
            LossKind::SquaredError => 1.0,
            LossKind::Mse => 1.0 / k as f64,
        }
    }

    fn formula(self) -> &'static str {
        match self {
            LossKind::HalfSquaredError => "½ Σₖ (yₖ − ŷₖ)²",
            LossKind::SquaredError => "Σₖ (yₖ − ŷₖ)²",
            LossKind::Mse => "(1/K) Σₖ (yₖ − ŷₖ)²",
        }
    }
}

/// One fully connected layer: `s = W·a + b`, `a' = f(s)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Layer {
    /// `weights[i][j]`: from unit `j` of the previous layer into unit `i` of this one.
    pub weights: Vec<Vec<f64>>,
    /// One bias per unit.
    pub biases: Vec<f64>,
    /// The activation of every unit.
    pub activation: Activation,
}

/// A small network with, optionally, the input and label to work it on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Network {
    /// The layers, first to last.
    pub layers: Vec<Layer>,
    /// The loss.
    pub loss: LossKind,
    /// The input, if the file gives one.
    pub input: Option<Vec<f64>>,
    /// The label (one value per output), if the file gives one.
    pub label: Option<Vec<f64>>,
}

impl Network {
    /// Number of inputs.
    pub fn inputs(&self) -> usize {
        self.layers
            .first()
            .and_then(|l| l.weights.first())
            .map_or(0, Vec::len)
    }

    /// Number of outputs.
    pub fn outputs(&self) -> usize {
        self.layers.last().map_or(0, |l| l.biases.len())
    }

    /// Checks the shapes (what [`parse_network`] guarantees, for networks built in code): at
    /// least one layer, every layer with at least one unit, one bias per weight row, and rows
    /// as long as the previous layer is wide.
    pub fn check_shapes(&self) -> Result<(), NetworkError> {
        if self.layers.is_empty() {
            return Err(error("layers", "expected at least one layer"));
        }
        let mut width = self.inputs();
        if width == 0 {
            return Err(error("layers[0].weights", "expected at least one input"));
        }
        for (l, layer) in self.layers.iter().enumerate() {
            if layer.weights.is_empty() || layer.weights.len() != layer.biases.len() {
                return Err(error(
                    format!("layers[{l}]"),
                    format!(
                        "expected as many biases as weight rows (at least 1), found {} rows and {} biases",
                        layer.weights.len(),
                        layer.biases.len()
                    ),
                ));
            }
            if let Some(i) = layer.weights.iter().position(|row| row.len() != width) {
                return Err(error(
                    format!("layers[{l}].weights[{i}]"),
                    format!("expected {width} weights"),
                ));
            }
            width = layer.biases.len();
        }
        Ok(())
    }
}

/// The worksheet of the shipped example network, checked with autodiff on `device`.
pub fn example_worksheet(device: &Device) -> anyhow::Result<Worksheet> {
    let network = parse_network(EXAMPLE_NETWORK)
        .map_err(|e| anyhow::anyhow!("assets/backprop-example.json: {e}"))?;
    let (Some(input), Some(label)) = (network.input.clone(), network.label.clone()) else {
        anyhow::bail!("assets/backprop-example.json has no input or label");
    };
    let mut sheet = Worksheet::compute(&network, &input, &label)?;
    sheet.check_with_autodiff(device);
    Ok(sheet)
}
