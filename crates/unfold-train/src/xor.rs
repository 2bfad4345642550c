//! Training the notebooks' from-scratch XOR network ([`FFNet`]) as notebook 001's `train`
//! does: one run at a time ([`train_xor`]) or many identical small runs as one batched
//! computation ([`train_xor_batched`]).

use burn::module::Module;
use burn::optim::GradientsParams;
use burn::tensor::{Device, Int, Tensor, TensorData};
use rand::RngExt;
use unfold_data::{LabeledPoints, seeded_rng};
use unfold_models::{BatchedFFNet, FFNet, Init};

use crate::{Batching, FitConfig, History, LogPoint, Loss, Progress, RunStatus, fit};

/// Trains a fresh `d → hidden → 1` [`FFNet`] (weights from `N(0, 1)`, drawn with `seed`) on
/// all `2^d` XOR points as the notebook's `train` does, with a fresh optimizer. The data
/// lives on `device`; the network on its autodiff twin. This is the single-example-step
/// workload (`d = 5, hidden = 10` for the benchmark).
pub fn train_xor(
    data: &LabeledPoints,
    hidden: usize,
    fit_config: &FitConfig,
    seed: u64,
    device: &Device,
    progress: &mut dyn Progress,
) -> (FFNet, History) {
    let autodiff = device.clone().autodiff();
    let mut rng = seeded_rng(seed);
    let net = FFNet::new(
        data.dim(),
        hidden,
        1,
        Init::STANDARD_NORMAL,
        &mut rng,
        &autodiff,
    );
    let name = format!("d={} hidden={hidden}", data.dim());
    fit(
        net,
        &data.to_device(device),
        None,
        fit_config,
        &name,
        progress,
    )
}

/// Trains one fresh `d → hidden → 1` [`FFNet`] per `(hidden, seed)` of `runs` on all `2^d`
/// points of `data`, all at once: the networks are stacked into a [`BatchedFFNet`] (a leading
/// "run" dimension) and every step takes one single-example step of every run. Each run draws
/// its weights and its examples from its own seed exactly as [`train_xor`] does, the loss is
/// the sum of the runs' losses (so each run gets its own gradient) and SGD is element-wise, so
/// every run follows the same trajectory as it would alone, up to floating-point rounding.
/// Returns each run's network and history, in order. `fit_config.seed` is not used: each
/// run's seed is given in `runs`.
///
/// # Panics
/// If `runs` is empty or `fit_config` is not valid or not single-example MSE training.
pub fn train_xor_batched(
    data: &LabeledPoints,
    runs: &[(usize, u64)],
    fit_config: &FitConfig,
    device: &Device,
    progress: &mut dyn Progress,
) -> Vec<(FFNet, History)> {
    if let Err(e) = fit_config.validate() {
        panic!("invalid training configuration: {e}");
    }
    assert_eq!(fit_config.loss, Loss::Mse, "batched XOR training uses MSE");
    assert_eq!(
        fit_config.batching,
        Batching::Sampled { size: 1 },
        "batched XOR training takes single-example steps"
    );
    let started = std::time::Instant::now();
    let (n, d, r) = (data.len(), data.dim(), runs.len());
    let autodiff = device.clone().autodiff();
    let nets: Vec<FFNet> = runs
        .iter()
        .map(|&(hidden, seed)| {
            FFNet::new(
                d,
                hidden,
                1,
                Init::STANDARD_NORMAL,
                &mut seeded_rng(seed),
                &autodiff,
            )
        })
        .collect();
    let mut model = BatchedFFNet::stack(&nets);
    let mut samplers: Vec<_> = runs.iter().map(|&(_, seed)| seeded_rng(seed)).collect();
    let on_device = data.to_device(device);
    let x_all = on_device.features;
    let y_all = on_device.labels.float();
    let x_eval = x_all.clone().unsqueeze::<3>().repeat_dim(0, r);
    let y_eval = y_all.clone().reshape([1, n, 1]).repeat_dim(0, r);
    let mut optim = fit_config.optimizer.build();
    let lr = fit_config.optimizer.learning_rate();
    let mut points: Vec<Vec<LogPoint>> = vec![Vec::new(); r];
    let mut status = vec![RunStatus::Ok; r];
    let mut steps = vec![0; r];
    let name = format!("d={d}, {r} runs batched");
    progress.start(&name, fit_config.epochs);
    for epoch in 1..=fit_config.epochs {
        // Step-major: entry `step·R + run` is the example `run` takes at `step`, drawn from the
        // run's own generator in the order `fit` draws them.
        let drawn: Vec<Vec<i64>> = samplers
            .iter_mut()
            .map(|rng| (0..n).map(|_| rng.random_range(0..n as i64)).collect())
            .collect();
        let index: Vec<i64> = (0..n)
            .flat_map(|step| drawn.iter().map(move |run| run[step]))
            .collect();
        let index = Tensor::<1, Int>::from_data(TensorData::new(index, [n * r]), device);
        let x_epoch = x_all.clone().select(0, index.clone()).reshape([n, r, 1, d]);
        let y_epoch = y_all.clone().select(0, index).reshape([n, r, 1, 1]);
        for step in 0..n {
            let x: Tensor<3> = x_epoch.clone().slice(step..step + 1).reshape([r, 1, d]);
            let y: Tensor<3> = y_epoch.clone().slice(step..step + 1).reshape([r, 1, 1]);
            let diff = model.forward(x) - y;
            let loss = (diff.clone() * diff).sum();
            let grads = GradientsParams::from_grads(loss.backward(), &model);
            model = optim.step(lr, model, grads);
        }
        for (k, s) in steps.iter_mut().enumerate() {
            if status[k] == RunStatus::Ok {
                *s += n;
            }
        }
        progress.epoch(epoch);
        if epoch == 1 || epoch % fit_config.log_every == 0 || epoch == fit_config.epochs {
            let out = model.valid().forward(x_eval.clone());
            let diff = out.clone() - y_eval.clone();
            let losses = (diff.clone() * diff).mean_dim(1).reshape([r]);
            let correct = out
                .greater_elem(0.5)
                .float()
                .equal(y_eval.clone())
                .float()
                .mean_dim(1)
                .reshape([r]);
            let losses: Vec<f32> = losses.into_data().iter::<f32>().collect();
            let correct: Vec<f32> = correct.into_data().iter::<f32>().collect();
            for k in 0..r {
                if status[k] != RunStatus::Ok {
                    continue;
                }
                let point = LogPoint {
                    epoch,
                    train_loss: f64::from(losses[k]),
                    train_accuracy: f64::from(correct[k]),
                    test_loss: None,
                    test_accuracy: None,
                };
                if k == 0 {
                    progress.logged(&point);
                }
                if !point.train_loss.is_finite() {
                    status[k] = RunStatus::Diverged {
                        epoch,
                        loss: point.train_loss.to_string(),
                    };
                }
                points[k].push(point);
            }
        }
    }
    progress.finish();
    let seconds = started.elapsed().as_secs_f64();
    let hidden: Vec<usize> = runs.iter().map(|&(h, _)| h).collect();
    model
        .valid()
        .unstack(&hidden)
        .into_iter()
        .zip(points.into_iter().zip(status).zip(steps))
        .map(|(net, ((points, status), steps))| {
            (
                net,
                History {
                    points,
                    status,
                    steps,
                    seconds,
                },
            )
        })
        .collect()
}
