//! Layers written from scratch, for the notebooks that ask students to build them by hand.
//!
//! Burn's [`burn::nn::Linear`] is what the rest of unfold uses; [`ScratchLinear`] exists because
//! notebooks 001, 002 and 004 ask for a linear layer written with plain tensor operations and a
//! visible initialization. It stores its weight the way Burn does (`[in, out]`, `y = x·W + b`),
//! draws its initial values on the host from a seeded generator (so the same seed gives the same
//! weights on every backend) and can be turned into Burn's layer with the same values
//! ([`ScratchLinear::to_burn`]) so tests can compare the two.

use burn::module::{Module, Param};
use burn::nn::Linear;
use burn::tensor::{Device, Tensor, TensorData};
use rand::{Rng, RngExt};
use rand_distr::StandardNormal;
use serde::{Deserialize, Serialize};

/// How a from-scratch parameter is initialized. Values are drawn on the host.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Init {
    /// Every value 0.
    Zeros,
    /// Every value `value`.
    Constant {
        /// The value.
        value: f32,
    },
    /// Normal with the given mean and standard deviation (`std = 1, mean = 0` is `torch.randn`).
    Normal {
        /// Mean.
        mean: f32,
        /// Standard deviation (≥ 0).
        std: f32,
    },
    /// Uniform on `[low, high)` (`0, 1` is `torch.rand`).
    Uniform {
        /// Lower bound (inclusive).
        low: f32,
        /// Upper bound (exclusive).
        high: f32,
    },
}

impl Init {
    /// The standard normal `N(0, 1)`.
    pub const STANDARD_NORMAL: Init = Init::Normal {
        mean: 0.0,
        std: 1.0,
    };
    /// The unit uniform `U[0, 1)`.
    pub const UNIT_UNIFORM: Init = Init::Uniform {
        low: 0.0,
        high: 1.0,
    };

    /// Draws `len` values.
    pub fn sample<R: Rng + ?Sized>(&self, len: usize, rng: &mut R) -> Vec<f32> {
        match *self {
            Init::Zeros => vec![0.0; len],
            Init::Constant { value } => vec![value; len],
            Init::Normal { mean, std } => (0..len)
                .map(|_| mean + std * rng.sample::<f32, _>(StandardNormal))
                .collect(),
            Init::Uniform { low, high } => (0..len)
                .map(|_| low + (high - low) * rng.random::<f32>())
                .collect(),
        }
    }

    /// Checks that the parameters are finite and ordered.
    pub fn validate(&self) -> Result<(), String> {
        match *self {
            Init::Zeros => Ok(()),
            Init::Constant { value } if value.is_finite() => Ok(()),
            Init::Normal { mean, std } if mean.is_finite() && std.is_finite() && std >= 0.0 => {
                Ok(())
            }
            Init::Uniform { low, high } if low.is_finite() && high.is_finite() && low < high => {
                Ok(())
            }
            other => Err(format!("invalid initialization {other:?}")),
        }
    }
}

/// A linear layer written with plain tensor operations: `y = x·W + b`, `W` of shape `[in, out]`.
#[derive(Module, Debug)]
pub struct ScratchLinear {
    /// The weight, `[in, out]`.
    pub weight: Param<Tensor<2>>,
    /// The bias, `[out]`.
    pub bias: Param<Tensor<1>>,
}

impl ScratchLinear {
    /// A layer `d_input → d_output` with values drawn from `weight_init` and `bias_init`.
    pub fn new<R: Rng + ?Sized>(
        d_input: usize,
        d_output: usize,
        weight_init: Init,
        bias_init: Init,
        rng: &mut R,
        device: &Device,
    ) -> Self {
        let weight = weight_init.sample(d_input * d_output, rng);
        let bias = bias_init.sample(d_output, rng);
        Self::from_values(d_input, d_output, weight, bias, device)
    }

    /// A layer with the given values: `weight` row-major `[in, out]`, `bias` `[out]`.
    ///
    /// # Panics
    /// If the lengths do not match the shape.
    pub fn from_values(
        d_input: usize,
        d_output: usize,
        weight: Vec<f32>,
        bias: Vec<f32>,
        device: &Device,
    ) -> Self {
        assert_eq!(weight.len(), d_input * d_output, "weight length");
        assert_eq!(bias.len(), d_output, "bias length");
        let weight = Tensor::from_data(TensorData::new(weight, [d_input, d_output]), device);
        let bias = Tensor::from_data(TensorData::new(bias, [d_output]), device);
        Self {
            weight: Param::from_tensor(weight),
            bias: Param::from_tensor(bias),
        }
    }

    /// `[N, in] → [N, out]`.
    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        x.matmul(self.weight.val()) + self.bias.val().unsqueeze::<2>()
    }

    /// Input width.
    pub fn d_input(&self) -> usize {
        self.weight.dims()[0]
    }

    /// Output width.
    pub fn d_output(&self) -> usize {
        self.weight.dims()[1]
    }

    /// Redraws every weight and bias from `init` (the lab's `reset_params`), keeping the shape
    /// and the device.
    pub fn reset_params<R: Rng + ?Sized>(&mut self, init: Init, rng: &mut R) {
        let device = self.weight.device();
        *self = Self::new(self.d_input(), self.d_output(), init, init, rng, &device);
    }

    /// Burn's [`Linear`] holding the same values (same `[in, out]` layout).
    pub fn to_burn(&self) -> Linear {
        Linear {
            weight: Param::from_tensor(self.weight.val()),
            bias: Some(Param::from_tensor(self.bias.val())),
        }
    }
}

/// `max(0, x)` written with a comparison mask.
pub fn relu<const D: usize>(x: Tensor<D>) -> Tensor<D> {
    let positive = x.clone().greater_elem(0.0).float();
    x * positive
}

/// `1 / (1 + e^-x)`.
pub fn sigmoid<const D: usize>(x: Tensor<D>) -> Tensor<D> {
    x.neg().exp().add_scalar(1.0).recip()
}

/// The derivative of the sigmoid, `σ(x)·(1 − σ(x))`.
pub fn sigmoid_derivative<const D: usize>(x: Tensor<D>) -> Tensor<D> {
    let s = sigmoid(x);
    s.clone() * s.neg().add_scalar(1.0)
}

/// Mean squared error over every element, as a one-element tensor.
pub fn mse<const D: usize>(prediction: Tensor<D>, target: Tensor<D>) -> Tensor<1> {
    let diff = prediction - target;
    (diff.clone() * diff).mean()
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::nn::loss::{MseLoss, Reduction};
    use burn::tensor::Distribution;

    fn device() -> Device {
        Device::flex()
    }

    fn rng(seed: u64) -> unfold_data::SeededRng {
        unfold_data::seeded_rng(seed)
    }

    #[test]
    fn matches_burn_linear_with_the_same_values() {
        let device = device();
        let layer = ScratchLinear::new(
            3,
            4,
            Init::STANDARD_NORMAL,
            Init::UNIT_UNIFORM,
            &mut rng(1),
            &device,
        );
        let x = Tensor::<2>::random([2, 3], Distribution::Normal(0.0, 1.0), &device);
        let ours = layer.forward(x.clone());
        assert_eq!(ours.dims(), [2, 4]);
        ours.into_data()
            .assert_approx_eq::<f32>(&layer.to_burn().forward(x).into_data(), Default::default());
    }

    #[test]
    fn initialization_is_seeded_and_follows_the_distribution() {
        let device = device();
        let a = ScratchLinear::new(
            20,
            50,
            Init::STANDARD_NORMAL,
            Init::UNIT_UNIFORM,
            &mut rng(7),
            &device,
        );
        let b = ScratchLinear::new(
            20,
            50,
            Init::STANDARD_NORMAL,
            Init::UNIT_UNIFORM,
            &mut rng(7),
            &device,
        );
        let wa = a.weight.val().into_data().try_to_vec::<f32>().unwrap();
        assert_eq!(wa, b.weight.val().into_data().try_to_vec::<f32>().unwrap());
        let mean = wa.iter().sum::<f32>() / wa.len() as f32;
        let var = wa.iter().map(|v| (v - mean).powi(2)).sum::<f32>() / wa.len() as f32;
        assert!(mean.abs() < 0.15 && (var - 1.0).abs() < 0.2, "{mean} {var}");
        let bias = a.bias.val().into_data().try_to_vec::<f32>().unwrap();
        assert!(bias.iter().all(|&v| (0.0..1.0).contains(&v)));
    }

    #[test]
    fn reset_params_redraws_with_the_new_distribution() {
        let device = device();
        let mut layer = ScratchLinear::new(
            5,
            6,
            Init::STANDARD_NORMAL,
            Init::Zeros,
            &mut rng(3),
            &device,
        );
        layer.reset_params(
            Init::Normal {
                mean: 0.0,
                std: 0.02,
            },
            &mut rng(4),
        );
        let w = layer.weight.val().into_data().try_to_vec::<f32>().unwrap();
        assert!(w.iter().all(|v| v.abs() < 0.2));
        assert_eq!(layer.weight.dims(), [5, 6]);
        let b = layer.bias.val().into_data().try_to_vec::<f32>().unwrap();
        assert!(b.iter().any(|&v| v != 0.0));
    }

    #[test]
    fn activations_and_loss_match_burn() {
        let device = device();
        let x = Tensor::<2>::random([4, 7], Distribution::Normal(0.0, 3.0), &device);
        relu(x.clone()).into_data().assert_approx_eq::<f32>(
            &burn::tensor::activation::relu(x.clone()).into_data(),
            Default::default(),
        );
        sigmoid(x.clone()).into_data().assert_approx_eq::<f32>(
            &burn::tensor::activation::sigmoid(x.clone()).into_data(),
            Default::default(),
        );
        let y = Tensor::<2>::random([4, 7], Distribution::Normal(0.0, 1.0), &device);
        mse(x.clone(), y.clone())
            .into_data()
            .assert_approx_eq::<f32>(
                &MseLoss::new()
                    .forward(x, y, Reduction::Mean)
                    .reshape([1])
                    .into_data(),
                Default::default(),
            );
    }

    #[test]
    fn sigmoid_derivative_peaks_at_a_quarter() {
        let device = device();
        let x = Tensor::<1>::from_floats([-2.0, 0.0, 3.0], &device);
        let d = sigmoid_derivative(x)
            .into_data()
            .try_to_vec::<f32>()
            .unwrap();
        assert!((d[1] - 0.25).abs() < 1e-6);
        assert!(d[0] < 0.25 && d[2] < 0.25);
    }

    #[test]
    fn init_validation() {
        assert!(
            Init::Uniform {
                low: 1.0,
                high: 0.0
            }
            .validate()
            .is_err()
        );
        assert!(
            Init::Normal {
                mean: 0.0,
                std: f32::NAN
            }
            .validate()
            .is_err()
        );
        assert!(Init::STANDARD_NORMAL.validate().is_ok());
    }
}
