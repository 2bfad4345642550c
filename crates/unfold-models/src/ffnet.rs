//! Notebook 001's `FFNet`: input → hidden layer with sigmoid → output, built from
//! [`ScratchLinear`], and its gradients derived by hand ([`calc_gradients`]).

use burn::module::{Module, Param};
use burn::tensor::{Device, Tensor, TensorData};
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

/// Several [`FFNet`]s with the same input and output widths as one computation with a leading
/// "run" dimension `R`: each run's hidden layer is padded to the widest, `H`, with zero weights
/// and a constant mask that switches the padded units off, so padding changes neither a run's
/// outputs nor its gradients (they stay exactly 0 for the padding), and an element-wise
/// optimizer such as SGD updates every run exactly as it would update it alone.
#[derive(Module, Debug)]
pub struct BatchedFFNet {
    /// `[R, in, H]`.
    pub hidden_weight: Param<Tensor<3>>,
    /// `[R, 1, H]`.
    pub hidden_bias: Param<Tensor<3>>,
    /// `[R, H, out]`.
    pub output_weight: Param<Tensor<3>>,
    /// `[R, 1, out]`.
    pub output_bias: Param<Tensor<3>>,
    /// `[R, 1, H]`: 1 for a run's real hidden units, 0 for its padding (a constant).
    pub mask: Tensor<3>,
}

impl BatchedFFNet {
    /// Stacks `nets` (same input and output widths, at least one) on the first one's device.
    ///
    /// # Panics
    /// If `nets` is empty or their input or output widths differ.
    pub fn stack(nets: &[FFNet]) -> Self {
        let first = nets.first().expect("at least one network");
        let (d_in, d_out) = (first.d_input(), first.d_output());
        assert!(
            nets.iter()
                .all(|n| n.d_input() == d_in && n.d_output() == d_out),
            "networks of different input or output widths cannot be stacked"
        );
        let r = nets.len();
        let h = nets.iter().map(FFNet::hidden_size).max().unwrap_or(1);
        let device = first.hidden.weight.device();
        let host = |t: Tensor<2>| -> Vec<f32> { t.into_data().iter::<f32>().collect() };
        let host1 = |t: Tensor<1>| -> Vec<f32> { t.into_data().iter::<f32>().collect() };
        let mut w1 = vec![0.0; r * d_in * h];
        let mut b1 = vec![0.0; r * h];
        let mut w2 = vec![0.0; r * h * d_out];
        let mut b2 = vec![0.0; r * d_out];
        let mut mask = vec![0.0; r * h];
        for (k, net) in nets.iter().enumerate() {
            let hk = net.hidden_size();
            let (nw1, nb1) = (host(net.hidden.weight.val()), host1(net.hidden.bias.val()));
            let (nw2, nb2) = (host(net.output.weight.val()), host1(net.output.bias.val()));
            for i in 0..d_in {
                let row = k * d_in * h + i * h;
                w1[row..row + hk].copy_from_slice(&nw1[i * hk..(i + 1) * hk]);
            }
            b1[k * h..k * h + hk].copy_from_slice(&nb1);
            w2[k * h * d_out..k * h * d_out + hk * d_out].copy_from_slice(&nw2);
            b2[k * d_out..(k + 1) * d_out].copy_from_slice(&nb2);
            mask[k * h..k * h + hk].fill(1.0);
        }
        let param = |values: Vec<f32>, shape: [usize; 3]| {
            Param::from_tensor(Tensor::from_data(TensorData::new(values, shape), &device))
        };
        Self {
            hidden_weight: param(w1, [r, d_in, h]),
            hidden_bias: param(b1, [r, 1, h]),
            output_weight: param(w2, [r, h, d_out]),
            output_bias: param(b2, [r, 1, d_out]),
            mask: Tensor::from_data(TensorData::new(mask, [r, 1, h]), &device),
        }
    }

    /// Runs.
    pub fn runs(&self) -> usize {
        self.mask.dims()[0]
    }

    /// `[R, N, in] → [R, N, out]`: every run on its own batch.
    pub fn forward(&self, x: Tensor<3>) -> Tensor<3> {
        let z = x.matmul(self.hidden_weight.val()) + self.hidden_bias.val();
        let h = sigmoid(z) * self.mask.clone();
        h.matmul(self.output_weight.val()) + self.output_bias.val()
    }

    /// The runs as separate networks again, with the given hidden sizes (the padding dropped).
    ///
    /// # Panics
    /// If `hidden_sizes` does not have one size per run, each at most the padded width.
    pub fn unstack(&self, hidden_sizes: &[usize]) -> Vec<FFNet> {
        let [r, d_in, h] = self.hidden_weight.dims();
        let d_out = self.output_weight.dims()[2];
        assert_eq!(hidden_sizes.len(), r, "one hidden size per run");
        let device = self.mask.device();
        let host = |t: Tensor<3>| -> Vec<f32> { t.into_data().iter::<f32>().collect() };
        let (w1, b1) = (host(self.hidden_weight.val()), host(self.hidden_bias.val()));
        let (w2, b2) = (host(self.output_weight.val()), host(self.output_bias.val()));
        hidden_sizes
            .iter()
            .enumerate()
            .map(|(k, &hk)| {
                assert!(hk <= h, "hidden size {hk} is wider than the padding {h}");
                let weight1: Vec<f32> = (0..d_in)
                    .flat_map(|i| {
                        let row = k * d_in * h + i * h;
                        w1[row..row + hk].to_vec()
                    })
                    .collect();
                let bias1 = b1[k * h..k * h + hk].to_vec();
                let weight2 = w2[k * h * d_out..k * h * d_out + hk * d_out].to_vec();
                let bias2 = b2[k * d_out..(k + 1) * d_out].to_vec();
                FFNet {
                    hidden: ScratchLinear::from_values(d_in, hk, weight1, bias1, &device),
                    output: ScratchLinear::from_values(hk, d_out, weight2, bias2, &device),
                }
            })
            .collect()
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

    fn device() -> Device {
        Device::flex()
    }

    fn net(seed: u64, sizes: [usize; 3], device: &Device) -> FFNet {
        let mut rng = unfold_data::seeded_rng(seed);
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
    fn batched_networks_give_each_run_its_own_outputs_and_gradients() {
        let device = device().autodiff();
        let nets: Vec<FFNet> = [1, 4, 2]
            .iter()
            .enumerate()
            .map(|(i, &h)| net(10 + i as u64, [3, h, 1], &device))
            .collect();
        let batched = BatchedFFNet::stack(&nets);
        assert_eq!(batched.runs(), 3);
        assert_eq!(batched.hidden_weight.dims(), [3, 3, 4]);
        let x: Vec<f32> = (0..3 * 2 * 3).map(|i| ((i * 7) % 5) as f32 / 4.0).collect();
        let x = Tensor::<3>::from_data(TensorData::new(x, [3, 2, 3]), &device);
        let y = Tensor::<3>::from_data(
            TensorData::new(vec![1.0f32, 0.0, 0.0, 1.0, 1.0, 1.0], [3, 2, 1]),
            &device,
        );
        let out = batched.forward(x.clone());
        let diff = out.clone() - y.clone();
        let grads = (diff.clone() * diff).sum().backward();
        let w1_grad: Vec<f32> = batched
            .hidden_weight
            .val()
            .grad(&grads)
            .unwrap()
            .into_data()
            .iter::<f32>()
            .collect();
        for (k, net) in nets.iter().enumerate() {
            let xk: Tensor<2> = x.clone().slice(k..k + 1).reshape([2, 3]);
            let yk: Tensor<2> = y.clone().slice(k..k + 1).reshape([2, 1]);
            let alone = net.forward(xk.clone());
            let together: Tensor<2> = out.clone().slice(k..k + 1).reshape([2, 1]);
            alone
                .clone()
                .into_data()
                .assert_approx_eq::<f32>(&together.into_data(), Default::default());
            // Gradient of the summed squared error = 2·N·(gradient of the mean).
            let hand = calc_gradients(&net.valid(), xk, yk).mul_scalar(2.0);
            let hand: Vec<f32> = hand.into_data().iter::<f32>().collect();
            let hk = net.hidden_size();
            for i in 0..3 {
                for j in 0..4 {
                    let g = w1_grad[k * 12 + i * 4 + j];
                    if j < hk {
                        assert!((g - hand[i * hk + j]).abs() < 1e-5, "run {k} w1[{i}][{j}]");
                    } else {
                        assert_eq!(g, 0.0, "padding of run {k} gets no gradient");
                    }
                }
            }
        }
        let back = batched.valid().unstack(&[1, 4, 2]);
        for (a, b) in back.iter().zip(&nets) {
            a.flat_parameters()
                .into_data()
                .assert_eq(&b.valid().flat_parameters().into_data(), true);
        }
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
