//! Part 1 of the lab: the from-scratch blocks, each checked against Burn's counterpart.

use burn::nn::loss::{MseLoss, Reduction};
use burn::nn::{Relu, Sigmoid};
use burn::tensor::{Device, Tensor};
use serde::Serialize;
use unfold_data::seeded_rng;
use unfold_models::blocks::{LinearValues, lab_linear, linear_values, matrix};
use unfold_models::scratch::{mse, relu, sigmoid};
use unfold_models::{Comparison, Init, Net, OneLayerNet, Tolerance, TwoLayerNet, compare};

/// One from-scratch block compared with Burn's counterpart.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BlockCheck {
    /// The from-scratch block.
    pub block: String,
    /// Burn's counterpart.
    pub reference: String,
    /// The input's shape.
    pub input_shape: Vec<usize>,
    /// The output shape, the largest difference and whether the outputs are identical.
    #[serde(flatten)]
    pub comparison: Comparison,
}

/// Part 1 of the lab: the blocks checked against Burn's, and `reset_params` before and after.
#[derive(Debug, Clone)]
pub struct Blocks {
    /// Linear, ReLU, sigmoid and the 3→5→1 net, each against Burn's counterpart.
    pub checks: Vec<BlockCheck>,
    /// The 3→5→1 net, `Linear(3→5) → ReLU → Linear(5→1)`.
    pub net_description: String,
    /// `OneLayerNet(2→1)` as built (weights N(0, 0.02), bias 0).
    pub reset_before: LinearValues,
    /// The same after `reset_params(0, 1)`.
    pub reset_after: LinearValues,
}

/// Our MSE against Burn's `MseLoss` (mean) on the same predictions and targets (lab task 3.1).
pub fn check_mse(prediction: Tensor<2>, target: Tensor<2>, tolerance: Tolerance) -> BlockCheck {
    let ours = mse(prediction.clone(), target.clone());
    let theirs = MseLoss::new().forward(prediction, target.clone(), Reduction::Mean);
    BlockCheck {
        block: "MSE".into(),
        reference: "burn::nn::loss::MseLoss (mean)".into(),
        input_shape: target.dims().to_vec(),
        comparison: compare(ours, theirs.reshape([1]), tolerance),
    }
}

/// Builds every block of part 1 on `device` from host values drawn with `seed` and compares
/// each with Burn's counterpart holding the same values, within `tolerance`.
pub fn check_blocks(device: &Device, seed: u64, tolerance: Tolerance) -> Blocks {
    let mut rng = seeded_rng(seed);
    // The lab's dummy input: 2 examples with 3 features, `2 * torch.rand(2, 3) - 1`.
    let uniform = Init::Uniform {
        low: -1.0,
        high: 1.0,
    };
    let x = matrix(uniform.sample(6, &mut rng), 2, 3, device);
    let check = |block: &str, reference: &str, input: &Tensor<2>, ours, theirs| BlockCheck {
        block: block.into(),
        reference: reference.into(),
        input_shape: input.dims().to_vec(),
        comparison: compare(ours, theirs, tolerance),
    };
    let layer = lab_linear(3, 4, &mut rng, device);
    let y = layer.forward(x.clone());
    let mut checks = vec![
        check(
            "Linear(3→4)",
            "burn::nn::Linear loaded with the same W and b",
            &x,
            y.clone(),
            layer.to_burn().forward(x.clone()),
        ),
        check(
            "ReLU",
            "burn::nn::Relu",
            &x,
            relu(x.clone()),
            Relu::new().forward(x.clone()),
        ),
        check(
            "Sigmoid",
            "burn::nn::Sigmoid",
            &y,
            sigmoid(y.clone()),
            Sigmoid::new().forward(y.clone()),
        ),
    ];
    let net = Net::two_layer(3, 5, 1, &mut rng, device);
    let burn_net = TwoLayerNet::from_scratch(&net).expect("Net::two_layer is Linear, ReLU, Linear");
    checks.push(check(
        &format!("Net: {}", net.describe()),
        "Burn module with layer1, ReLU, layer2 loaded with the same values",
        &x,
        net.forward(x.clone()),
        burn_net.forward(x.clone()),
    ));
    let mut one = OneLayerNet::new(2, 1, &mut rng, device);
    let reset_before = linear_values(&one.layer);
    one.reset_params(0.0, 1.0, &mut rng);
    let reset_after = linear_values(&one.layer);
    Blocks {
        checks,
        net_description: net.describe(),
        reset_before,
        reset_after,
    }
}
