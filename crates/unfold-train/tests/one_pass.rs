//! `OptimizerConfig::build`'s Adam, AdamW and SGD, which step each parameter in one pass on
//! `flex`, against Burn's own optimizers built with the same settings: the same parameters
//! bit for bit after every step, and optimizer states that load from one into the other.
#![cfg(feature = "flex")]
use burn::optim::decay::WeightDecayConfig;
use burn::optim::momentum::MomentumConfig;
use burn::optim::{AdamConfig, AdamWConfig, ModuleOptimizer, SgdConfig};
use burn::tensor::Int;
use burn::tensor::{Device, Tensor, TensorData};
use unfold_models::{Activation, Mlp, MlpConfig};
use unfold_train::{Loss, OptimizerConfig, train_step};

fn device() -> Device {
    Device::flex()
}

/// Burn's optimizer for `config`, built as unfold built it before the one-pass steps.
fn burn_optimizer(config: &OptimizerConfig) -> ModuleOptimizer {
    let decay = |penalty: f32| (penalty > 0.0).then(|| WeightDecayConfig::new(penalty));
    match *config {
        OptimizerConfig::Adam {
            beta1,
            beta2,
            eps,
            weight_decay,
            ..
        } => AdamConfig::new()
            .with_beta_1(beta1)
            .with_beta_2(beta2)
            .with_epsilon(eps)
            .with_weight_decay(decay(weight_decay))
            .init(),
        OptimizerConfig::AdamW {
            beta1,
            beta2,
            eps,
            weight_decay,
            ..
        } => AdamWConfig::new()
            .with_beta_1(beta1)
            .with_beta_2(beta2)
            .with_epsilon(eps)
            .with_weight_decay(weight_decay)
            .init(),
        OptimizerConfig::Sgd {
            momentum,
            dampening,
            nesterov,
            weight_decay,
            ..
        } => SgdConfig::new()
            .with_momentum((momentum > 0.0).then_some(MomentumConfig {
                momentum,
                dampening,
                nesterov,
            }))
            .with_weight_decay(decay(weight_decay))
            .init(),
        _ => unreachable!("only Adam, AdamW and SGD have one-pass steps"),
    }
}

/// A network whose first weight (130 × 150) spans two of the pool's chunks. Tests share
/// `flex`'s generator, so each builds one and trains clones of it.
fn network() -> Mlp {
    let device = device();
    device.seed(7);
    MlpConfig::new(vec![130, 150, 3], Activation::Relu).init(&device.autodiff())
}

/// The `step`-th batch: 32 examples with fixed, varied features and labels.
fn batch(step: usize) -> (Tensor<2>, Tensor<1, Int>) {
    let device = device().autodiff();
    let features: Vec<f32> = (0..32 * 130)
        .map(|i| ((i * 7 + step * 13) as f32 * 0.37).sin())
        .collect();
    let labels: Vec<i64> = (0..32).map(|i| ((i + step) % 3) as i64).collect();
    (
        Tensor::<1>::from_data(TensorData::from(features.as_slice()), &device).reshape([32, 130]),
        Tensor::from_data(TensorData::from(labels.as_slice()), &device),
    )
}

/// Every parameter's bits, layer by layer.
fn bits(model: &Mlp) -> Vec<u32> {
    let mut out = Vec::new();
    for layer in &model.layers {
        let mut values = layer
            .weight
            .val()
            .into_data()
            .try_to_vec::<f32>()
            .expect("f32 values");
        if let Some(bias) = &layer.bias {
            values.extend(
                bias.val()
                    .into_data()
                    .try_to_vec::<f32>()
                    .expect("f32 values"),
            );
        }
        out.extend(values.iter().map(|v| v.to_bits()));
    }
    out
}

/// Where two parameter lists first differ (`None` when they are the same bit for bit).
fn first_difference(a: &Mlp, b: &Mlp) -> Option<usize> {
    let (a, b) = (bits(a), bits(b));
    assert_eq!(a.len(), b.len());
    a.iter().zip(&b).position(|(x, y)| x != y)
}

fn train(model: Mlp, optim: &mut ModuleOptimizer, lr: f64, steps: std::ops::Range<usize>) -> Mlp {
    steps.fold(model, |model, step| {
        train_step(model, optim, lr, Loss::CrossEntropy, batch(step), &mut ()).0
    })
}

fn configs() -> Vec<OptimizerConfig> {
    let mut adam_l2 = OptimizerConfig::adam(1e-2);
    if let OptimizerConfig::Adam { weight_decay, .. } = &mut adam_l2 {
        *weight_decay = 0.05;
    }
    let mut adamw_plain = OptimizerConfig::adamw(1e-2);
    if let OptimizerConfig::AdamW { weight_decay, .. } = &mut adamw_plain {
        *weight_decay = 0.0;
    }
    let mut sgd_all = OptimizerConfig::sgd(0.05, 0.9);
    if let OptimizerConfig::Sgd {
        dampening,
        weight_decay,
        ..
    } = &mut sgd_all
    {
        *dampening = 0.1;
        *weight_decay = 0.01;
    }
    let mut nesterov = OptimizerConfig::sgd(0.05, 0.5);
    if let OptimizerConfig::Sgd { nesterov: n, .. } = &mut nesterov {
        *n = true;
    }
    vec![
        OptimizerConfig::adam(1e-2),
        adam_l2,
        OptimizerConfig::adamw(1e-2),
        adamw_plain,
        OptimizerConfig::sgd(0.05, 0.0),
        OptimizerConfig::sgd(0.05, 0.9),
        sgd_all,
        nesterov,
    ]
}

#[test]
fn one_pass_steps_equal_burns_bit_for_bit() {
    let start = network();
    for config in configs() {
        let lr = config.learning_rate();
        let ours = train(start.clone(), &mut config.build(), lr, 0..5);
        let burns = train(start.clone(), &mut burn_optimizer(&config), lr, 0..5);
        assert_eq!(first_difference(&ours, &burns), None, "{config:?}");
        assert!(
            first_difference(&ours, &start).is_some(),
            "{config:?}: the steps changed nothing"
        );
    }
}

/// A checkpoint's optimizer state written by either optimizer resumes in the other with
/// the same numbers: the states are Burn's, under Burn's names.
#[test]
fn optimizer_states_are_interchangeable_with_burns() {
    let start = network();
    for config in configs() {
        let lr = config.learning_rate();
        let mut ours = config.build();
        let mut burns = burn_optimizer(&config);
        let model_ours = train(start.clone(), &mut ours, lr, 0..3);
        let model_burns = train(start.clone(), &mut burns, lr, 0..3);
        let mut ours_resumed_in_burn = burn_optimizer(&config).load_record(ours.to_record());
        let mut burns_resumed_in_ours = config.build().load_record(burns.to_record());
        let a = train(model_ours.clone(), &mut ours_resumed_in_burn, lr, 3..6);
        let b = train(model_burns.clone(), &mut burns_resumed_in_ours, lr, 3..6);
        let reference = train(model_burns, &mut burns, lr, 3..6);
        assert_eq!(
            first_difference(&a, &reference),
            None,
            "{config:?}: ours → Burn's"
        );
        assert_eq!(
            first_difference(&b, &reference),
            None,
            "{config:?}: Burn's → ours"
        );
    }
}
