//! An example of using unfold's crates in another Burn project: the 3-D spirals of notebook
//! 000 from `unfold-data`, the `DeepReLUModel` preset from `unfold-models`, and a short
//! training loop written here with Burn's own optimizer and loss.
//!
//! The binary `spiral-classifier` trains, reports the test accuracy and saves the model;
//! `predict` loads the saved files and classifies points given on the command line.

use burn::module::Module;
use burn::nn::loss::BinaryCrossEntropyLossConfig;
use burn::optim::{AdamConfig, GradientsParams};
use burn::tensor::{Device, Int, Tensor};
use unfold_data::{Spirals3dConfig, spirals_3d};
use unfold_models::{Mlp, MlpConfig, Spirals3dModel};

/// What training produced.
pub struct Trained {
    /// The trained network (without autodiff).
    pub model: Mlp,
    /// Its configuration, needed to load it again.
    pub config: MlpConfig,
    /// Accuracy on the 20% of the points held out.
    pub test_accuracy: f64,
}

/// The fraction of rows whose logit has the sign of the label (1 → positive).
pub fn accuracy(model: &Mlp, x: Tensor<2>, labels: Tensor<1, Int>) -> f64 {
    let n = labels.dims()[0];
    let predicted = model.forward(x).greater_elem(0.0).int().reshape([n]);
    let correct: i64 = predicted.equal(labels).int().sum().into_scalar();
    correct as f64 / n as f64
}

/// Trains the 3→16→16→2→1 ReLU network on the two spirals with full-batch Adam.
pub fn train(device: &Device, epochs: usize, seed: u64) -> Trained {
    let (train, test) = spirals_3d(&Spirals3dConfig::default(), seed).split(0.8, seed);
    let (train, test) = (train.to_device(device), test.to_device(device));
    let autodiff = device.clone().autodiff();
    autodiff.seed(seed);
    let config = Spirals3dModel::DeepRelu.config();
    let mut model = config.init(&autodiff);
    let mut optimizer = AdamConfig::new().with_epsilon(1e-8).init();
    let loss = BinaryCrossEntropyLossConfig::new()
        .with_logits(true)
        .init(&autodiff);
    let n = train.len();
    for _ in 0..epochs {
        let logits = model.forward(train.features.clone()).reshape([n]);
        let value = loss.forward(logits, train.labels.clone());
        let grads = GradientsParams::from_grads(value.backward(), &model);
        model = optimizer.step(0.01, model, grads);
    }
    let model = model.valid();
    let test_accuracy = accuracy(&model, test.features, test.labels);
    Trained {
        model,
        config,
        test_accuracy,
    }
}

/// The predicted spiral (0 or 1) of each `[x, y, z]` point.
pub fn predict(model: &Mlp, points: &[[f32; 3]], device: &Device) -> Vec<u8> {
    let flat: Vec<f32> = points.iter().flatten().copied().collect();
    let x = Tensor::<2>::from_data(
        burn::tensor::TensorData::new(flat, [points.len(), 3]),
        device,
    );
    let classes: Vec<i64> = model
        .forward(x)
        .greater_elem(0.0)
        .int()
        .into_data()
        .iter::<i64>()
        .collect();
    classes.into_iter().map(|c| c as u8).collect()
}
