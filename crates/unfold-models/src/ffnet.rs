//! Notebook 001's `FFNet`: input → hidden layer with sigmoid → output, built from
//! [`ScratchLinear`], and its gradients derived by hand ([`calc_gradients`]).

use burn::module::Module;
use burn::tensor::{Device, Tensor};
use rand::Rng;

use crate::scratch::{Init, ScratchLinear, sigmoid};

/// A feed-forward network with one sigmoid hidden layer: `ŷ = σ(x·W₁ + b₁)·W₂ + b₂`.
///
/// Its parameters, in the order Burn visits them (and [`calc_gradients`] flattens them):
/// `hidden.weight` `[in, hidden]`, `hidden.bias` `[hidden]`, `output.weight` `[hidden, out]`,
/// `output.bias` `[out]`. This is the order of PyTorch's `net.parameters()` for the notebook's
/// `FFNet`, except that PyTorch stores each weight transposed (`[out, in]`).
#[derive(Module, Debug)]
pub struct FFNet {
    /// Input → hidden.
    pub hidden: ScratchLinear,
    /// Hidden → output.
    pub output: ScratchLinear,
}

/// Every intermediate of a forward pass, for backpropagation by hand.
#[derive(Debug, Clone)]
pub struct FFNetForward {
    /// Hidden pre-activations `z₁ = x·W₁ + b₁`, `[N, hidden]`.
    pub preactivation: Tensor<2>,
    /// Hidden activations `h = σ(z₁)`, `[N, hidden]`.
    pub hidden: Tensor<2>,
    /// Outputs `ŷ = h·W₂ + b₂`, `[N, out]`.
    pub output: Tensor<2>,
}

impl FFNet {
    /// `d_input → hidden_size → d_output` with every weight and bias drawn from `init` (the
    /// notebook draws all of them with `torch.randn`: [`Init::STANDARD_NORMAL`]).
    pub fn new<R: Rng + ?Sized>(
        d_input: usize,
        hidden_size: usize,
        d_output: usize,
        init: Init,
        rng: &mut R,
        device: &Device,
    ) -> Self {
        Self {
            hidden: ScratchLinear::new(d_input, hidden_size, init, init, rng, device),
            output: ScratchLinear::new(hidden_size, d_output, init, init, rng, device),
        }
    }

    /// `[N, in] → [N, out]`.
    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        self.forward_parts(x).output
    }

    /// The forward pass with its intermediates.
    pub fn forward_parts(&self, x: Tensor<2>) -> FFNetForward {
        let preactivation = self.hidden.forward(x);
        let hidden = sigmoid(preactivation.clone());
        let output = self.output.forward(hidden.clone());
        FFNetForward {
            preactivation,
            hidden,
            output,
        }
    }

    /// Input width.
    pub fn d_input(&self) -> usize {
        self.hidden.d_input()
    }

    /// Hidden units.
    pub fn hidden_size(&self) -> usize {
        self.hidden.d_output()
    }

    /// Output width.
    pub fn d_output(&self) -> usize {
        self.output.d_output()
    }

    /// `in-hidden-out`, e.g. `2-2-1`.
    pub fn describe(&self) -> String {
        format!(
            "{}-{}-{} (sigmoid hidden)",
            self.d_input(),
            self.hidden_size(),
            self.d_output()
        )
    }

    /// Every parameter flattened into one vector, in parameter order (see [`FFNet`]).
    pub fn flat_parameters(&self) -> Tensor<1> {
        Tensor::cat(
            vec![
                flatten(self.hidden.weight.val()),
                self.hidden.bias.val(),
                flatten(self.output.weight.val()),
                self.output.bias.val(),
            ],
            0,
        )
    }

    /// The gradients autodiff computed for every parameter, flattened in parameter order
    /// (`None` if a parameter has no gradient in `grads`, e.g. the model is not on an autodiff
    /// device).
    pub fn flat_gradients(&self, grads: &burn::tensor::Gradients) -> Option<Tensor<1>> {
        Some(Tensor::cat(
            vec![
                flatten(self.hidden.weight.val().grad(grads)?),
                self.hidden.bias.val().grad(grads)?,
                flatten(self.output.weight.val().grad(grads)?),
                self.output.bias.val().grad(grads)?,
            ],
            0,
        ))
    }
}

fn flatten(t: Tensor<2>) -> Tensor<1> {
    let [rows, cols] = t.dims();
    t.reshape([rows * cols])
}

/// The gradient of the mean squared error `L = mean((ŷ − y)²)` of `net` on the batch `x`
/// (`[N, in]`) with targets `y` (`[N, out]`) with respect to every parameter, derived by hand
/// with the chain rule (no autodiff), flattened in parameter order (see [`FFNet`]).
///
/// With `e = ∂L/∂ŷ = 2(ŷ − y)/(N·out)`, the output layer `ŷ = h·W₂ + b₂` gives
/// `∂L/∂W₂ = hᵀ·e` and `∂L/∂b₂ = Σₙ e`; the error reaches the hidden pre-activations as
/// `δ = (e·W₂ᵀ) ⊙ σ'(z₁)` with `σ'(z) = σ(z)(1 − σ(z))`, and `z₁ = x·W₁ + b₁` gives
/// `∂L/∂W₁ = xᵀ·δ` and `∂L/∂b₁ = Σₙ δ`. The notebook asks for it on a 2-2-1 network and one
/// example at a time (`N = 1`); the formulas hold for any widths and batch.
pub fn calc_gradients(net: &FFNet, x: Tensor<2>, y: Tensor<2>) -> Tensor<1> {
    let [n, width] = y.dims();
    let parts = net.forward_parts(x.clone());
    let e = (parts.output - y).mul_scalar(2.0 / (n * width) as f64);
    let d_w2 = parts.hidden.clone().transpose().matmul(e.clone());
    let d_b2 = e.clone().sum_dim(0).reshape([width]);
    let sigma_prime = parts.hidden.clone() * parts.hidden.neg().add_scalar(1.0);
    let delta = e.matmul(net.output.weight.val().transpose()) * sigma_prime;
    let d_w1 = x.transpose().matmul(delta.clone());
    let d_b1 = delta.sum_dim(0).reshape([net.hidden_size()]);
    Tensor::cat(vec![flatten(d_w1), d_b1, flatten(d_w2), d_b2], 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scratch::mse;
    use burn::tensor::TensorData;
    use rand::SeedableRng;

    #[allow(deprecated)]
    fn device() -> Device {
        Device::ndarray()
    }

    fn net(seed: u64, sizes: [usize; 3], device: &Device) -> FFNet {
        let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
        FFNet::new(
            sizes[0],
            sizes[1],
            sizes[2],
            Init::STANDARD_NORMAL,
            &mut rng,
            device,
        )
    }

    #[test]
    fn shapes_and_parameter_count() {
        let device = device();
        let net = net(1, [5, 7, 1], &device);
        assert_eq!(net.num_params(), 5 * 7 + 7 + 7 + 1);
        assert_eq!(net.flat_parameters().dims(), [50]);
        assert_eq!(net.forward(Tensor::zeros([3, 5], &device)).dims(), [3, 1]);
        assert_eq!(net.describe(), "5-7-1 (sigmoid hidden)");
    }

    #[test]
    fn hand_gradients_match_autodiff_for_single_examples_and_batches() {
        let device = device().autodiff();
        for (seed, sizes, n) in [(1, [2, 2, 1], 1), (2, [3, 5, 2], 4), (3, [4, 1, 1], 3)] {
            let net = net(seed, sizes, &device);
            let x: Vec<f32> = (0..n * sizes[0]).map(|i| (i % 3) as f32 - 0.5).collect();
            let y: Vec<f32> = (0..n * sizes[2]).map(|i| (i % 2) as f32).collect();
            let x = Tensor::<2>::from_data(TensorData::new(x, [n, sizes[0]]), &device);
            let y = Tensor::<2>::from_data(TensorData::new(y, [n, sizes[2]]), &device);
            let loss = mse(net.forward(x.clone()), y.clone());
            let autodiff = net.flat_gradients(&loss.backward()).unwrap();
            let by_hand = calc_gradients(&net, x.detach(), y);
            assert_eq!(by_hand.dims(), [net.num_params()]);
            let a = autodiff.into_data().try_to_vec::<f32>().unwrap();
            let b = by_hand.into_data().try_to_vec::<f32>().unwrap();
            for (i, (a, b)) in a.iter().zip(&b).enumerate() {
                assert!(
                    (a - b).abs() <= 1e-5 + 1e-4 * a.abs(),
                    "{sizes:?} #{i}: {a} vs {b}"
                );
            }
        }
    }
}
