//! The notebook's `train_and_compare`: gradients by hand (`calc_gradients`) against autodiff.

use burn::module::Module;
use burn::optim::GradientsParams;
use burn::tensor::Device;
use rand::RngExt;
use serde::{Deserialize, Deserializer, Serialize};
use unfold_data::{seeded_rng, xor_data};
use unfold_models::scratch::mse;
use unfold_models::{FFNet, Init, calc_gradients};
use unfold_train::OptimizerConfig;

use super::{Tolerance, XorConfig};

/// What the gradient check found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GradientCheck {
    /// Optimizer steps checked (every step of `train_and_compare`).
    pub steps: usize,
    /// Parameters compared per step.
    pub parameters: usize,
    /// Largest `|hand − autodiff|` over every parameter of every step.
    pub max_abs_diff: f64,
    /// Largest gradient magnitude seen, for scale.
    pub max_abs_gradient: f64,
    /// Element comparisons outside the tolerance.
    pub failures: usize,
    /// The tolerance used.
    pub tolerance: Tolerance,
    /// Steps at which the notebook's own check (`round(Σ(autodiff − hand)) == 0`) fails.
    pub notebook_check_failures: usize,
    /// `max |hand − autodiff|` at every step.
    pub per_step_max_diff: Vec<f64>,
    /// MSE over the four points after the check's training (NaN, `null` in JSON, if it
    /// diverged).
    #[serde(deserialize_with = "nan_if_null")]
    pub final_loss: f64,
}

/// A number that JSON may hold as `null` (serde_json writes NaN so).
fn nan_if_null<'de, D: Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(deserializer)?.unwrap_or(f64::NAN))
}

impl GradientCheck {
    /// Whether every element was within tolerance.
    pub fn passed(&self) -> bool {
        self.failures == 0
    }
}

/// The notebook's `train_and_compare`: trains a fresh 2-2-1 [`FFNet`] on the 2-D XOR for
/// `epochs` epochs of 4 single-example steps (SGD lr/momentum from `config`), and at every
/// step compares [`calc_gradients`] with autodiff's gradients element by element.
pub fn train_and_compare(
    config: &XorConfig,
    epochs: usize,
    seed: u64,
    device: &Device,
) -> GradientCheck {
    let data = xor_data(2).expect("d = 2 is valid");
    let on_device = data.to_device(device);
    let x_all = on_device.features;
    let y_all = on_device.labels.float().reshape([data.len(), 1]);
    let autodiff = device.clone().autodiff();
    let mut rng = seeded_rng(seed);
    let mut net = FFNet::new(2, 2, 1, Init::STANDARD_NORMAL, &mut rng, &autodiff);
    let parameters = net.num_params();
    let optimizer = OptimizerConfig::sgd(config.learning_rate, config.momentum);
    let mut optim = optimizer.build();
    let tolerance = config.tolerance;
    let mut check = GradientCheck {
        steps: 0,
        parameters,
        max_abs_diff: 0.0,
        max_abs_gradient: 0.0,
        failures: 0,
        tolerance,
        notebook_check_failures: 0,
        per_step_max_diff: Vec::new(),
        final_loss: f64::NAN,
    };
    for _ in 0..epochs {
        for _ in 0..data.len() {
            let i = rng.random_range(0..data.len());
            let x = x_all.clone().slice(i..i + 1);
            let y = y_all.clone().slice(i..i + 1);
            let loss = mse(net.forward(x.clone()), y.clone());
            let grads = loss.backward();
            let autodiff_grads = net
                .flat_gradients(&grads)
                .expect("parameters have gradients");
            let by_hand = calc_gradients(&net.valid(), x, y);
            let a: Vec<f32> = autodiff_grads.into_data().iter::<f32>().collect();
            let h: Vec<f32> = by_hand.into_data().iter::<f32>().collect();
            let mut step_max = 0.0f64;
            let mut signed_sum = 0.0f64;
            for (&a, &h) in a.iter().zip(&h) {
                let (a, h) = (f64::from(a), f64::from(h));
                step_max = step_max.max((a - h).abs());
                check.max_abs_gradient = check.max_abs_gradient.max(a.abs());
                signed_sum += a - h;
                if !tolerance.accepts(h, a) {
                    check.failures += 1;
                }
            }
            if signed_sum.round() != 0.0 {
                check.notebook_check_failures += 1;
            }
            check.max_abs_diff = check.max_abs_diff.max(step_max);
            check.per_step_max_diff.push(step_max);
            check.steps += 1;
            let grads = GradientsParams::from_grads(grads, &net);
            net = optim.step(optimizer.learning_rate(), net, grads);
        }
    }
    let final_loss: f32 = mse(net.valid().forward(x_all.clone()), y_all).into_scalar();
    check.final_loss = f64::from(final_loss);
    check
}

#[cfg(test)]
mod tests {
    use super::*;

    fn device() -> Device {
        Device::flex()
    }

    #[test]
    fn hand_gradients_match_autodiff_at_every_step() {
        let config = XorConfig::default();
        let check = train_and_compare(&config, 10, 3, &device());
        assert_eq!(check.steps, 40);
        assert_eq!(check.parameters, 9);
        assert!(check.passed(), "{check:?}");
        assert!(check.max_abs_diff < 1e-5, "{}", check.max_abs_diff);
        assert!(check.max_abs_gradient > 1e-3, "gradients are not all ~0");
    }
}
