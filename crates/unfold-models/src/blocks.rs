//! Lab 2's building blocks: a sequential network assembled from the from-scratch layers of
//! [`crate::scratch`], the same network as a Burn [`Module`] with `layer1`/`layer2`
//! ([`TwoLayerNet`], the lab's `TorchNet`), a one-layer module that re-initializes itself from a
//! normal distribution ([`OneLayerNet`], the lab's `TorchNet1`), and an element-wise comparison
//! of two tensors ([`compare`], the lab's `torch.allclose`).
//!
//! Every random value is drawn on the host from a caller's seeded generator, so the same seed
//! gives the same parameters on every backend.

use burn::module::Module;
use burn::nn::{Linear, Relu};
use burn::tensor::{Device, Tensor, TensorData};
use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::scratch::{Init, ScratchLinear, relu, sigmoid};

/// Lab 2's `Linear(N_in, N_out)`: weight `[in, out]` standard normal (`torch.randn_like`),
/// bias uniform on [0, 1) (`torch.rand_like`), as its `init_params` draws them.
pub fn lab_linear<R: Rng + ?Sized>(
    d_input: usize,
    d_output: usize,
    rng: &mut R,
    device: &Device,
) -> ScratchLinear {
    ScratchLinear::new(
        d_input,
        d_output,
        Init::STANDARD_NORMAL,
        Init::UNIT_UNIFORM,
        rng,
        device,
    )
}

/// PyTorch's default initialization of `nn.Linear` for weights and biases alike:
/// uniform on `[-1/√fan_in, 1/√fan_in)` (Burn's `LinearConfig` default draws from the same
/// distribution, on the device).
pub fn torch_default_init(fan_in: usize) -> Init {
    let bound = 1.0 / (fan_in.max(1) as f32).sqrt();
    Init::Uniform {
        low: -bound,
        high: bound,
    }
}

/// One step of a from-scratch [`Net`].
#[derive(Debug)]
pub enum Layer {
    /// A fully connected layer, `y = x·W + b`.
    Linear(ScratchLinear),
    /// `max(0, x)`, element-wise.
    Relu,
    /// `1 / (1 + e^-x)`, element-wise.
    Sigmoid,
}

impl Layer {
    /// `[N, in] → [N, out]` (activations keep the shape).
    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        match self {
            Layer::Linear(linear) => linear.forward(x),
            Layer::Relu => relu(x),
            Layer::Sigmoid => sigmoid(x),
        }
    }

    /// `Linear(3→5)`, `ReLU` or `Sigmoid`.
    pub fn describe(&self) -> String {
        match self {
            Layer::Linear(l) => format!("Linear({}→{})", l.d_input(), l.d_output()),
            Layer::Relu => "ReLU".into(),
            Layer::Sigmoid => "Sigmoid".into(),
        }
    }

    /// Trainable values in this step.
    pub fn num_params(&self) -> usize {
        match self {
            Layer::Linear(l) => l.d_input() * l.d_output() + l.d_output(),
            Layer::Relu | Layer::Sigmoid => 0,
        }
    }
}

/// Lab 2's `Net`: a list of layers applied in order.
#[derive(Debug)]
pub struct Net {
    /// The layers, first to last.
    pub layers: Vec<Layer>,
}

impl Net {
    /// A network of `layers`.
    pub fn new(layers: Vec<Layer>) -> Self {
        Self { layers }
    }

    /// The lab's `[Linear(n_in, hidden), ReLU(), Linear(hidden, n_out)]`, every linear layer
    /// initialized as [`lab_linear`] does.
    pub fn two_layer<R: Rng + ?Sized>(
        d_input: usize,
        d_hidden: usize,
        d_output: usize,
        rng: &mut R,
        device: &Device,
    ) -> Self {
        let first = lab_linear(d_input, d_hidden, rng, device);
        let second = lab_linear(d_hidden, d_output, rng, device);
        Self::new(vec![
            Layer::Linear(first),
            Layer::Relu,
            Layer::Linear(second),
        ])
    }

    /// Runs `x` through every layer in order.
    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        self.layers.iter().fold(x, |x, layer| layer.forward(x))
    }

    /// `Linear(3→5) → ReLU → Linear(5→1)`.
    pub fn describe(&self) -> String {
        let steps: Vec<String> = self.layers.iter().map(Layer::describe).collect();
        steps.join(" → ")
    }

    /// Trainable values in all layers.
    pub fn num_params(&self) -> usize {
        self.layers.iter().map(Layer::num_params).sum()
    }
}

/// A Burn [`Linear`] with values drawn on the host.
fn drawn_linear<R: Rng + ?Sized>(
    d_input: usize,
    d_output: usize,
    weight: Init,
    bias: Init,
    rng: &mut R,
    device: &Device,
) -> Linear {
    ScratchLinear::new(d_input, d_output, weight, bias, rng, device).to_burn()
}

/// Lab 2's `TorchNet`: `layer1`, ReLU, `layer2`, written as a Burn module.
#[derive(Module, Debug)]
pub struct TwoLayerNet {
    /// Input → hidden.
    pub layer1: Linear,
    /// The activation between the layers.
    pub relu: Relu,
    /// Hidden → output.
    pub layer2: Linear,
}

impl TwoLayerNet {
    /// `d_input → d_hidden → d_output` with PyTorch's default initialization
    /// ([`torch_default_init`]), drawn from `rng`.
    pub fn torch_default<R: Rng + ?Sized>(
        d_input: usize,
        d_hidden: usize,
        d_output: usize,
        rng: &mut R,
        device: &Device,
    ) -> Self {
        let init1 = torch_default_init(d_input);
        let init2 = torch_default_init(d_hidden);
        Self {
            layer1: drawn_linear(d_input, d_hidden, init1, init1, rng, device),
            relu: Relu::new(),
            layer2: drawn_linear(d_hidden, d_output, init2, init2, rng, device),
        }
    }

    /// The same network as a from-scratch `[Linear, ReLU, Linear]` [`Net`], holding its
    /// values ("load the parameters from our model into the PyTorch model").
    pub fn from_scratch(net: &Net) -> Result<Self, String> {
        match net.layers.as_slice() {
            [Layer::Linear(first), Layer::Relu, Layer::Linear(second)] => Ok(Self {
                layer1: first.to_burn(),
                relu: Relu::new(),
                layer2: second.to_burn(),
            }),
            _ => Err(format!(
                "expected Linear → ReLU → Linear, got {}",
                net.describe()
            )),
        }
    }

    /// `[N, in] → [N, out]`.
    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        self.layer2
            .forward(self.relu.forward(self.layer1.forward(x)))
    }

    /// Redraws every weight from `weight` and every bias from `bias` (lab 2's random search),
    /// keeping the shapes and the device.
    pub fn redraw<R: Rng + ?Sized>(&mut self, weight: Init, bias: Init, rng: &mut R) {
        for layer in [&mut self.layer1, &mut self.layer2] {
            let [d_input, d_output] = layer.weight.dims();
            let device = layer.weight.device();
            *layer = drawn_linear(d_input, d_output, weight, bias, rng, &device);
        }
    }

    /// `2→25→1` (widths of the layers).
    pub fn describe(&self) -> String {
        let [d_input, d_hidden] = self.layer1.weight.dims();
        let [_, d_output] = self.layer2.weight.dims();
        format!("{d_input}→{d_hidden}→{d_output} (ReLU)")
    }
}

/// Lab 2's `TorchNet1`: one linear layer and a ReLU, with `reset_params(mean, std)`.
#[derive(Module, Debug)]
pub struct OneLayerNet {
    /// The linear layer.
    pub layer: Linear,
    /// The activation.
    pub relu: Relu,
}

impl OneLayerNet {
    /// The mean [`new`](Self::new) resets the weights with.
    pub const DEFAULT_MEAN: f32 = 0.0;
    /// The standard deviation [`new`](Self::new) resets the weights with.
    pub const DEFAULT_STD: f32 = 0.02;

    /// `d_input → d_output`, initialized by `reset_params(0, 0.02)` as the lab's constructor
    /// does.
    pub fn new<R: Rng + ?Sized>(
        d_input: usize,
        d_output: usize,
        rng: &mut R,
        device: &Device,
    ) -> Self {
        let mut net = Self {
            layer: drawn_linear(d_input, d_output, Init::Zeros, Init::Zeros, rng, device),
            relu: Relu::new(),
        };
        net.reset_params(Self::DEFAULT_MEAN, Self::DEFAULT_STD, rng);
        net
    }

    /// Weights from the normal distribution `N(mean, std²)` (`nn.init.normal_`), biases 0
    /// (`nn.init.constant_(bias, 0)`).
    pub fn reset_params<R: Rng + ?Sized>(&mut self, mean: f32, std: f32, rng: &mut R) {
        let [d_input, d_output] = self.layer.weight.dims();
        let device = self.layer.weight.device();
        self.layer = drawn_linear(
            d_input,
            d_output,
            Init::Normal { mean, std },
            Init::Zeros,
            rng,
            &device,
        );
    }

    /// `[N, in] → [N, out]`.
    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        self.relu.forward(self.layer.forward(x))
    }
}

/// The weight (`[in, out]`, row-major) and bias of a Burn linear layer, on the host.
pub fn linear_values(layer: &Linear) -> LinearValues {
    let to_vec = |data: TensorData| data.iter::<f32>().collect::<Vec<f32>>();
    LinearValues {
        shape: layer.weight.dims(),
        weight: to_vec(layer.weight.val().into_data()),
        bias: layer
            .bias
            .as_ref()
            .map(|b| to_vec(b.val().into_data()))
            .unwrap_or_default(),
    }
}

/// A linear layer's values on the host, for printing and reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinearValues {
    /// `[in, out]`.
    pub shape: [usize; 2],
    /// The weight, row-major `[in, out]`.
    pub weight: Vec<f32>,
    /// The bias, `[out]` (empty without one).
    pub bias: Vec<f32>,
}

/// How close two tensors must be: `|a − b| ≤ atol + rtol·|b|` element-wise (the rule of
/// `torch.allclose`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Tolerance {
    /// Relative tolerance.
    pub rtol: f64,
    /// Absolute tolerance.
    pub atol: f64,
}

impl Default for Tolerance {
    /// `torch.allclose`'s `rtol = 1e-5`, with `atol = 1e-6` (PyTorch's 1e-8 is below the
    /// rounding error of `f32` sums of order 1).
    fn default() -> Self {
        Self {
            rtol: 1e-5,
            atol: 1e-6,
        }
    }
}

/// The outcome of [`compare`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// The shape of both tensors (empty when they differ).
    pub shape: Vec<usize>,
    /// Whether the shapes match and every element is within the tolerance.
    pub identical: bool,
    /// Largest `|a − b|` (infinite when the shapes differ or a value is not finite).
    pub max_abs_diff: f64,
    /// The tolerance used.
    pub tolerance: Tolerance,
}

/// Compares `ours` with `reference` element-wise within `tolerance`.
pub fn compare<const D: usize>(
    ours: Tensor<D>,
    reference: Tensor<D>,
    tolerance: Tolerance,
) -> Comparison {
    let (shape_a, shape_b) = (ours.dims(), reference.dims());
    if shape_a != shape_b {
        return Comparison {
            shape: Vec::new(),
            identical: false,
            max_abs_diff: f64::INFINITY,
            tolerance,
        };
    }
    let a: Vec<f32> = ours.into_data().iter::<f32>().collect();
    let b: Vec<f32> = reference.into_data().iter::<f32>().collect();
    let mut identical = true;
    let mut max_abs_diff = 0.0f64;
    for (&a, &b) in a.iter().zip(&b) {
        let (a, b) = (f64::from(a), f64::from(b));
        let diff = (a - b).abs();
        if !diff.is_finite() || diff > tolerance.atol + tolerance.rtol * b.abs() {
            identical = false;
        }
        max_abs_diff = if diff.is_finite() {
            max_abs_diff.max(diff)
        } else {
            f64::INFINITY
        };
    }
    Comparison {
        shape: shape_a.to_vec(),
        identical,
        max_abs_diff,
        tolerance,
    }
}

/// Builds a `[rows, cols]` tensor from row-major host values.
pub fn matrix(values: Vec<f32>, rows: usize, cols: usize, device: &Device) -> Tensor<2> {
    Tensor::from_data(TensorData::new(values, [rows, cols]), device)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn device() -> Device {
        Device::flex()
    }

    fn rng(seed: u64) -> unfold_data::SeededRng {
        unfold_data::seeded_rng(seed)
    }

    #[test]
    fn the_labs_3_5_1_net_matches_its_burn_module() {
        let device = device();
        let mut rng = rng(5);
        let net = Net::two_layer(3, 5, 1, &mut rng, &device);
        assert_eq!(net.describe(), "Linear(3→5) → ReLU → Linear(5→1)");
        assert_eq!(net.num_params(), 3 * 5 + 5 + 5 + 1);
        let x = matrix(
            Init::Uniform {
                low: -1.0,
                high: 1.0,
            }
            .sample(6, &mut rng),
            2,
            3,
            &device,
        );
        let ours = net.forward(x.clone());
        assert_eq!(ours.dims(), [2, 1]);
        let burn = TwoLayerNet::from_scratch(&net).unwrap();
        assert_eq!(burn.num_params(), net.num_params());
        let c = compare(ours, burn.forward(x), Tolerance::default());
        assert!(c.identical, "{c:?}");
        assert_eq!(c.shape, vec![2, 1]);
    }

    #[test]
    fn from_scratch_rejects_other_shapes() {
        let device = device();
        let net = Net::new(vec![
            Layer::Linear(lab_linear(2, 2, &mut rng(1), &device)),
            Layer::Sigmoid,
        ]);
        let err = TwoLayerNet::from_scratch(&net).unwrap_err();
        assert!(err.contains("Linear(2→2) → Sigmoid"), "{err}");
    }

    #[test]
    fn compare_reports_shape_and_value_mismatches() {
        let device = device();
        let a = matrix(vec![1.0, 2.0], 1, 2, &device);
        let b = matrix(vec![1.0, 2.1], 1, 2, &device);
        let c = compare(a.clone(), b, Tolerance::default());
        assert!(!c.identical);
        assert!((c.max_abs_diff - 0.1).abs() < 1e-6);
        let c = compare(a.clone(), a.clone().reshape([2, 1]), Tolerance::default());
        assert!(!c.identical && c.shape.is_empty());
        assert!(compare(a.clone(), a, Tolerance::default()).identical);
    }

    #[test]
    fn reset_params_draws_normal_weights_and_zero_biases() {
        let device = device();
        let mut rng = rng(9);
        let mut net = OneLayerNet::new(40, 50, &mut rng, &device);
        let small = linear_values(&net.layer);
        assert_eq!(small.shape, [40, 50]);
        assert!(small.bias.iter().all(|&b| b == 0.0));
        let std = |w: &[f32]| {
            let n = w.len() as f32;
            let mean = w.iter().sum::<f32>() / n;
            (w.iter().map(|v| (v - mean).powi(2)).sum::<f32>() / n).sqrt()
        };
        assert!((std(&small.weight) - 0.02).abs() < 0.002);
        net.reset_params(0.0, 1.0, &mut rng);
        let unit = linear_values(&net.layer);
        assert!((std(&unit.weight) - 1.0).abs() < 0.1);
        assert!(unit.bias.iter().all(|&b| b == 0.0));
        let y = net.forward(Tensor::<2>::ones([3, 40], &device));
        let y: Vec<f32> = y.into_data().iter::<f32>().collect();
        assert!(y.iter().all(|&v| v >= 0.0), "ReLU output");
    }

    #[test]
    fn torch_default_and_redraw_respect_their_bounds() {
        let device = device();
        let mut rng = rng(2);
        let mut net = TwoLayerNet::torch_default(2, 25, 1, &mut rng, &device);
        assert_eq!(net.describe(), "2→25→1 (ReLU)");
        let first = linear_values(&net.layer1);
        let bound = 1.0 / 2f32.sqrt();
        assert!(first.weight.iter().all(|v| v.abs() <= bound));
        assert!(first.weight.iter().any(|v| v.abs() > 0.5 * bound));
        net.redraw(
            Init::Uniform {
                low: -0.025,
                high: 0.025,
            },
            Init::Uniform {
                low: -0.05,
                high: 0.05,
            },
            &mut rng,
        );
        for layer in [&net.layer1, &net.layer2] {
            let v = linear_values(layer);
            assert!(v.weight.iter().all(|w| w.abs() <= 0.025));
            assert!(v.bias.iter().all(|b| b.abs() <= 0.05));
        }
        assert_eq!(linear_values(&net.layer2).shape, [25, 1]);
    }
}
