//! Optimizers with PyTorch's defaults, built on Burn's.

use burn::optim::decay::WeightDecayConfig;
use burn::optim::{AdaGradConfig, AdamConfig, AdamWConfig, ModuleOptimizer, RmsPropConfig};
use serde::{Deserialize, Serialize};

use crate::one_pass::{AdamHyper, OnePassAdam, OnePassAdamW, OnePassSgd, SgdHyper};

/// An optimizer and its hyperparameters.
///
/// The constructors ([`adam`](Self::adam), [`adamw`](Self::adamw), [`sgd`](Self::sgd),
/// [`rmsprop`](Self::rmsprop), [`adagrad`](Self::adagrad)) use PyTorch's defaults, which the
/// notebooks rely on. Burn's own defaults differ (Adam ε 1e-5 vs 1e-8, AdamW weight decay 1e-4
/// vs 1e-2, SGD momentum dampening 0.1 vs 0, RMSProp momentum 0.9 vs 0, AdaGrad ε 1e-5 vs
/// 1e-10), so every value is passed explicitly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum OptimizerConfig {
    /// Adam (Kingma & Ba), L2 weight decay added to the gradient.
    Adam {
        /// Learning rate.
        lr: f64,
        /// Exponential decay of the first moment.
        beta1: f32,
        /// Exponential decay of the second moment.
        beta2: f32,
        /// Numerical-stability term.
        eps: f32,
        /// L2 penalty (0 for none).
        weight_decay: f32,
    },
    /// AdamW: Adam with decoupled weight decay.
    AdamW {
        /// Learning rate.
        lr: f64,
        /// Exponential decay of the first moment.
        beta1: f32,
        /// Exponential decay of the second moment.
        beta2: f32,
        /// Numerical-stability term.
        eps: f32,
        /// Decoupled weight decay.
        weight_decay: f32,
    },
    /// Stochastic gradient descent, optionally with (heavy-ball or Nesterov) momentum.
    Sgd {
        /// Learning rate.
        lr: f64,
        /// Momentum factor (0 for plain SGD).
        momentum: f64,
        /// Dampening of the momentum.
        dampening: f64,
        /// Nesterov momentum.
        nesterov: bool,
        /// L2 penalty (0 for none).
        weight_decay: f32,
    },
    /// RMSProp.
    RmsProp {
        /// Learning rate.
        lr: f64,
        /// Smoothing constant.
        alpha: f32,
        /// Numerical-stability term.
        eps: f32,
        /// Momentum factor.
        momentum: f32,
        /// L2 penalty (0 for none).
        weight_decay: f32,
    },
    /// AdaGrad: per-parameter step sizes from the accumulated squared gradients.
    AdaGrad {
        /// Learning rate.
        lr: f64,
        /// Learning-rate decay per step (`lr / (1 + (t - 1)·decay)`).
        lr_decay: f64,
        /// Numerical-stability term.
        eps: f32,
        /// L2 penalty (0 for none).
        weight_decay: f32,
    },
}

impl OptimizerConfig {
    /// `torch.optim.Adam(lr=lr)`.
    pub fn adam(lr: f64) -> Self {
        Self::Adam {
            lr,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            weight_decay: 0.0,
        }
    }

    /// `torch.optim.AdamW(lr=lr)`.
    pub fn adamw(lr: f64) -> Self {
        Self::AdamW {
            lr,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            weight_decay: 0.01,
        }
    }

    /// `torch.optim.SGD(lr=lr, momentum=momentum)`.
    pub fn sgd(lr: f64, momentum: f64) -> Self {
        Self::Sgd {
            lr,
            momentum,
            dampening: 0.0,
            nesterov: false,
            weight_decay: 0.0,
        }
    }

    /// `torch.optim.RMSprop(lr=lr)`.
    pub fn rmsprop(lr: f64) -> Self {
        Self::RmsProp {
            lr,
            alpha: 0.99,
            eps: 1e-8,
            momentum: 0.0,
            weight_decay: 0.0,
        }
    }

    /// `torch.optim.Adagrad(lr=lr)`.
    pub fn adagrad(lr: f64) -> Self {
        Self::AdaGrad {
            lr,
            lr_decay: 0.0,
            eps: 1e-10,
            weight_decay: 0.0,
        }
    }

    /// The learning rate.
    pub fn learning_rate(&self) -> f64 {
        match self {
            Self::Adam { lr, .. }
            | Self::AdamW { lr, .. }
            | Self::Sgd { lr, .. }
            | Self::RmsProp { lr, .. }
            | Self::AdaGrad { lr, .. } => *lr,
        }
    }

    /// A short name: `adam`, `adamw`, `sgd`, `rmsprop`, `adagrad`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Adam { .. } => "adam",
            Self::AdamW { .. } => "adamw",
            Self::Sgd { .. } => "sgd",
            Self::RmsProp { .. } => "rmsprop",
            Self::AdaGrad { .. } => "adagrad",
        }
    }

    /// Checks every hyperparameter, with a message naming the bad one.
    pub fn validate(&self) -> Result<(), String> {
        let lr = self.learning_rate();
        if !(lr.is_finite() && lr > 0.0) {
            return Err(format!("learning rate must be finite and > 0, got {lr}"));
        }
        let unit = |name: &str, v: f64| {
            if (0.0..1.0).contains(&v) {
                Ok(())
            } else {
                Err(format!("{name} must be in [0, 1), got {v}"))
            }
        };
        let non_negative = |name: &str, v: f64| {
            if v.is_finite() && v >= 0.0 {
                Ok(())
            } else {
                Err(format!("{name} must be finite and ≥ 0, got {v}"))
            }
        };
        match *self {
            Self::Adam {
                beta1,
                beta2,
                eps,
                weight_decay,
                ..
            }
            | Self::AdamW {
                beta1,
                beta2,
                eps,
                weight_decay,
                ..
            } => {
                unit("beta1", beta1.into())?;
                unit("beta2", beta2.into())?;
                non_negative("eps", eps.into())?;
                non_negative("weight decay", weight_decay.into())
            }
            Self::Sgd {
                momentum,
                dampening,
                weight_decay,
                ..
            } => {
                non_negative("momentum", momentum)?;
                unit("dampening", dampening)?;
                non_negative("weight decay", weight_decay.into())
            }
            Self::RmsProp {
                alpha,
                eps,
                momentum,
                weight_decay,
                ..
            } => {
                unit("alpha", alpha.into())?;
                non_negative("eps", eps.into())?;
                non_negative("momentum", momentum.into())?;
                non_negative("weight decay", weight_decay.into())
            }
            Self::AdaGrad {
                lr_decay,
                eps,
                weight_decay,
                ..
            } => {
                non_negative("learning-rate decay", lr_decay)?;
                non_negative("eps", eps.into())?;
                non_negative("weight decay", weight_decay.into())
            }
        }
    }

    /// Builds the optimizer with these exact hyperparameters: Burn's, or for Adam, AdamW and
    /// SGD the [one-pass](crate::OnePassAdam) version of Burn's, which gives the same numbers
    /// faster on the CPU backend `flex` and calls Burn's everywhere else.
    pub fn build(&self) -> ModuleOptimizer {
        match *self {
            Self::Adam {
                beta1,
                beta2,
                eps,
                weight_decay,
                ..
            } => {
                let hyper = AdamHyper {
                    beta_1: beta1,
                    beta_2: beta2,
                    epsilon: eps,
                    weight_decay: (weight_decay > 0.0).then_some(weight_decay),
                };
                let burn = AdamConfig::new()
                    .with_beta_1(beta1)
                    .with_beta_2(beta2)
                    .with_epsilon(eps)
                    .with_weight_decay(hyper.weight_decay.map(WeightDecayConfig::new))
                    .build();
                OnePassAdam::new(burn, hyper).into()
            }
            Self::AdamW {
                beta1,
                beta2,
                eps,
                weight_decay,
                ..
            } => {
                let hyper = AdamHyper {
                    beta_1: beta1,
                    beta_2: beta2,
                    epsilon: eps,
                    weight_decay: Some(weight_decay),
                };
                let burn = AdamWConfig::new()
                    .with_beta_1(beta1)
                    .with_beta_2(beta2)
                    .with_epsilon(eps)
                    .with_weight_decay(weight_decay)
                    .build();
                OnePassAdamW::new(burn, hyper).into()
            }
            Self::Sgd {
                momentum,
                dampening,
                nesterov,
                weight_decay,
                ..
            } => {
                let hyper = SgdHyper {
                    momentum: (momentum > 0.0).then_some((momentum, dampening, nesterov)),
                    weight_decay: (weight_decay > 0.0).then_some(weight_decay),
                };
                OnePassSgd::new(hyper).into()
            }
            Self::RmsProp {
                alpha,
                eps,
                momentum,
                weight_decay,
                ..
            } => RmsPropConfig::new()
                .with_alpha(alpha)
                .with_epsilon(eps)
                .with_momentum(momentum)
                .with_weight_decay(decay(weight_decay))
                .init(),
            Self::AdaGrad {
                lr_decay,
                eps,
                weight_decay,
                ..
            } => AdaGradConfig::new()
                .with_lr_decay(lr_decay)
                .with_epsilon(eps)
                .with_weight_decay(decay(weight_decay))
                .init(),
        }
    }
}

/// Burn's L2 weight-decay setting: none for a zero penalty.
fn decay(penalty: f32) -> Option<WeightDecayConfig> {
    (penalty > 0.0).then(|| WeightDecayConfig::new(penalty))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pytorch_defaults() {
        assert_eq!(OptimizerConfig::adam(0.01).learning_rate(), 0.01);
        match OptimizerConfig::adamw(1e-3) {
            OptimizerConfig::AdamW {
                eps, weight_decay, ..
            } => {
                assert_eq!(eps, 1e-8);
                assert_eq!(weight_decay, 0.01);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn validation_names_the_bad_value() {
        let err = OptimizerConfig::adam(-1.0).validate().unwrap_err();
        assert!(err.contains("learning rate"), "{err}");
        let err = OptimizerConfig::adam(f64::NAN).validate().unwrap_err();
        assert!(err.contains("finite"), "{err}");
        let mut sgd = OptimizerConfig::sgd(0.1, 0.9);
        if let OptimizerConfig::Sgd { dampening, .. } = &mut sgd {
            *dampening = 1.5;
        }
        assert!(sgd.validate().unwrap_err().contains("dampening"));
        assert!(OptimizerConfig::rmsprop(0.01).validate().is_ok());
        assert!(OptimizerConfig::adagrad(0.01).validate().is_ok());
        let mut adagrad = OptimizerConfig::adagrad(0.01);
        if let OptimizerConfig::AdaGrad { lr_decay, .. } = &mut adagrad {
            *lr_decay = -1.0;
        }
        assert!(adagrad.validate().unwrap_err().contains("decay"));
    }

    #[test]
    fn serde_round_trip() {
        let config = OptimizerConfig::sgd(0.02, 0.9);
        let text = serde_json::to_string(&config).unwrap();
        assert!(text.contains("\"kind\":\"sgd\""), "{text}");
        assert_eq!(
            serde_json::from_str::<OptimizerConfig>(&text).unwrap(),
            config
        );
    }
}
