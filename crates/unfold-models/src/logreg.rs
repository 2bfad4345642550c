//! Multiclass logistic regression written from scratch (notebook 001, question 1).
//!
//! The notebook asks for `W` and `b` as plain tensors, the softmax cross-entropy loss and its
//! gradients written by hand, and plain gradient descent, so this model is not a Burn
//! `Module` and never touches autodiff: [`SoftmaxRegression::loss_and_gradients`] is the
//! chain rule written out, and a test checks it against Burn's autodiff.

use burn::tensor::activation::{log_softmax, softmax};
use burn::tensor::{Device, Int, Tensor};

/// `p(c | x) = softmax(x·W + b)`, with `W` `[d, C]` and `b` `[C]` as plain tensors.
#[derive(Debug, Clone)]
pub struct SoftmaxRegression {
    /// Weights, `[d, C]`.
    pub weight: Tensor<2>,
    /// Biases, `[C]`.
    pub bias: Tensor<1>,
}

/// The loss of a batch and its gradients with respect to `W` and `b`.
#[derive(Debug, Clone)]
pub struct SoftmaxGradients {
    /// Mean cross-entropy of the batch (one element).
    pub loss: Tensor<1>,
    /// `∂L/∂W = Xᵀ (P − Y) / N`, `[d, C]`.
    pub weight: Tensor<2>,
    /// `∂L/∂b = mean over the batch of (P − Y)`, `[C]`.
    pub bias: Tensor<1>,
}

impl SoftmaxGradients {
    /// The Euclidean norm of all gradients together (one element, on the device).
    pub fn norm(&self) -> Tensor<1> {
        let w = self.weight.clone().powi_scalar(2).sum();
        let b = self.bias.clone().powi_scalar(2).sum();
        (w + b).sqrt()
    }
}

impl SoftmaxRegression {
    /// A model with every weight and bias 0 (the loss is convex, so the start does not matter
    /// for where gradient descent ends up; 0 makes runs reproducible on every backend).
    pub fn zeros(features: usize, classes: usize, device: &Device) -> Self {
        Self {
            weight: Tensor::zeros([features, classes], device),
            bias: Tensor::zeros([classes], device),
        }
    }

    /// Input features `d`.
    pub fn features(&self) -> usize {
        self.weight.dims()[0]
    }

    /// Classes `C`.
    pub fn classes(&self) -> usize {
        self.weight.dims()[1]
    }

    /// Parameters: `d·C + C` (7,850 for MNIST).
    pub fn num_params(&self) -> usize {
        self.features() * self.classes() + self.classes()
    }

    /// The logits `x·W + b` for a batch `[N, d]`.
    pub fn logits(&self, x: Tensor<2>) -> Tensor<2> {
        x.matmul(self.weight.clone()) + self.bias.clone().unsqueeze::<2>()
    }

    /// The mean softmax cross-entropy of a batch and its gradients, by hand:
    /// with `P = softmax(XW + b)` and `Y` the one-hot labels,
    /// `L = −mean log P[y]`, `∂L/∂Z = (P − Y)/N`, `∂L/∂W = Xᵀ ∂L/∂Z`, `∂L/∂b = Σₙ ∂L/∂Z`.
    pub fn loss_and_gradients(&self, x: Tensor<2>, labels: Tensor<1, Int>) -> SoftmaxGradients {
        let [n, _] = x.dims();
        let logits = self.logits(x.clone());
        let one_hot = labels.one_hot(self.classes()).float();
        let loss = (log_softmax(logits.clone(), 1) * one_hot.clone())
            .sum()
            .neg()
            .div_scalar(n as f32);
        let dz = (softmax(logits, 1) - one_hot).div_scalar(n as f32);
        SoftmaxGradients {
            loss,
            weight: x.transpose().matmul(dz.clone()),
            bias: dz.sum_dim(0).reshape([self.classes()]),
        }
    }

    /// One gradient-descent step: `W ← W − η ∂L/∂W`, `b ← b − η ∂L/∂b`.
    pub fn step(self, gradients: &SoftmaxGradients, learning_rate: f64) -> Self {
        let lr = learning_rate as f32;
        Self {
            weight: self.weight - gradients.weight.clone().mul_scalar(lr),
            bias: self.bias - gradients.bias.clone().mul_scalar(lr),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::nn::loss::CrossEntropyLossConfig;
    use burn::tensor::{Distribution, TensorData};

    fn device() -> Device {
        Device::flex()
    }

    #[test]
    fn hand_gradients_match_autodiff() {
        let device = device();
        device.seed(11);
        let x = Tensor::<2>::random([17, 6], Distribution::Normal(0.0, 1.0), &device);
        let labels = Tensor::<1, Int>::from_data(
            TensorData::new((0..17).map(|i| (i * 7 % 4) as i64).collect(), [17]),
            &device,
        );
        let model = SoftmaxRegression {
            weight: Tensor::random([6, 4], Distribution::Normal(0.0, 0.5), &device),
            bias: Tensor::random([4], Distribution::Normal(0.0, 0.5), &device),
        };
        let ours = model.loss_and_gradients(x.clone(), labels.clone());

        let w = model.weight.clone().autodiff().require_grad();
        let b = model.bias.clone().autodiff().require_grad();
        let logits = x.autodiff().matmul(w.clone()) + b.clone().unsqueeze::<2>();
        let loss = CrossEntropyLossConfig::new()
            .init(&logits.device())
            .forward(logits, labels);
        let grads = loss.backward();
        let tolerance = burn::tensor::Tolerance::<f32>::absolute(1e-5);
        ours.loss
            .into_data()
            .assert_approx_eq::<f32>(&loss.inner().into_data(), tolerance);
        ours.weight
            .into_data()
            .assert_approx_eq::<f32>(&w.grad(&grads).unwrap().into_data(), tolerance);
        ours.bias
            .into_data()
            .assert_approx_eq::<f32>(&b.grad(&grads).unwrap().into_data(), tolerance);
    }

    #[test]
    fn gradient_descent_lowers_the_loss_and_counts_parameters() {
        let device = device();
        device.seed(12);
        let x = Tensor::<2>::random([40, 3], Distribution::Normal(0.0, 1.0), &device);
        // Labels from a linear rule, so the data is separable.
        let labels = x
            .clone()
            .slice([0..40, 0..1])
            .greater_elem(0.0)
            .int()
            .reshape([40]);
        let mut model = SoftmaxRegression::zeros(3, 2, &device);
        assert_eq!(model.num_params(), 8);
        let first: f32 = model
            .loss_and_gradients(x.clone(), labels.clone())
            .loss
            .into_scalar();
        assert!((first - 2f32.ln()).abs() < 1e-6, "uniform start: ln 2");
        for _ in 0..50 {
            let g = model.loss_and_gradients(x.clone(), labels.clone());
            model = model.step(&g, 0.5);
        }
        let g = model.loss_and_gradients(x, labels);
        let last: f32 = g.loss.clone().into_scalar();
        assert!(last < 0.3 * first, "{first} → {last}");
        let norm: f32 = g.norm().into_scalar();
        assert!(norm.is_finite() && norm > 0.0);
    }
}
