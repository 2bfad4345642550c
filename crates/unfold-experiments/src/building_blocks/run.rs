//! Part 2 of the lab and beyond: the Gaussian surface fitted by random search and by Adam, and
//! everything recorded in `metrics.json`.

use std::time::Instant;

use burn::module::Module;
use serde_json::json;
use unfold_data::{GridFunction, gaussian_grid, seeded_rng};
use unfold_models::TwoLayerNet;
use unfold_models::scratch::mse;
use unfold_train::{History, RegressionData, RegressionFit, fit_regression};

use super::blocks::{BlockCheck, check_blocks, check_mse};
use super::{BuildingBlocksConfig, figures};
use crate::RunContext;
use crate::experiment::RunRecord;
use crate::results::{Curves, RunMetrics, RunState};

/// Checks the blocks, fits the Gaussian by random search and by Adam, and records the checks,
/// the three networks as runs (untrained, random search, Adam) and the figures.
pub(super) fn run(
    config: &BuildingBlocksConfig,
    ctx: &RunContext,
    record: &mut RunRecord,
) -> anyhow::Result<()> {
    let blocks = check_blocks(&ctx.device, ctx.seed, config.tolerance);
    let reg = regression(config, ctx);
    let mut checks = blocks.checks.clone();
    checks.push(reg.mse_check.clone());

    let r2 = |mse: f64| 1.0 - mse / reg.variance;
    let base = |mse: f64, seconds: f64, steps: usize| {
        let mut m = RunMetrics {
            status: RunState::Ok,
            final_loss: Some(mse),
            parameters: Some(reg.parameters),
            architecture: Some(reg.architecture.clone()),
            steps,
            train_seconds: seconds,
            ..Default::default()
        };
        m.extra.insert("r_squared".into(), json!(r2(mse)));
        m
    };
    record.add_run("untrained", base(reg.untrained.1, 0.0, 0));
    let mut search = base(
        reg.search.best_loss(),
        reg.search.seconds,
        reg.search.losses.len(),
    );
    search.curves = Curves {
        epoch: (1..=reg.search.losses.len()).collect(),
        train_loss: reg
            .search
            .losses
            .iter()
            .map(|&l| Some(l).filter(|l| l.is_finite()))
            .collect(),
        train_accuracy: vec![None; reg.search.losses.len()],
        ..Default::default()
    };
    search
        .extra
        .insert("best_draw".into(), json!(reg.search.best.0));
    search.extra.insert(
        "reached_threshold".into(),
        json!(reg.search.best_loss() < config.search_threshold),
    );
    record.add_run("random_search", search);
    let mut adam = RunMetrics::from_history(&reg.history);
    adam.final_loss = Some(reg.adam.1);
    adam.parameters = Some(reg.parameters);
    adam.architecture = Some(reg.architecture.clone());
    adam.extra.insert("r_squared".into(), json!(r2(reg.adam.1)));
    adam.extra
        .insert("kept_epoch".into(), json!(reg.returned_epoch));
    adam.extra.insert(
        "last_epoch_loss".into(),
        json!(reg.history.last().map(|p| p.train_loss)),
    );
    adam.extra.insert(
        "epochs_to_beat_random_search".into(),
        json!(reg.adam_epochs_below(reg.search.best_loss())),
    );
    record.add_run("adam", adam);

    record.extra("equality_checks", &checks)?;
    record.extra(
        "reset_params",
        json!({
            "before_normal_0_0.02": blocks.reset_before,
            "after_normal_0_1": blocks.reset_after,
        }),
    )?;
    record.extra("net_description", &blocks.net_description)?;
    record.extra(
        "ground_truth",
        json!({
            "points": reg.truth.len(),
            "min": reg.truth.values().iter().copied().fold(f32::INFINITY, f32::min),
            "max": reg.truth.values().iter().copied().fold(f32::NEG_INFINITY, f32::max),
            "variance": reg.variance,
            "mean_square": reg.zero_mse(),
        }),
    )?;
    // The terminal shows the checks and the fits, as the lab prints them.
    for c in &checks {
        record.summary(format!(
            "{}: input {:?} → output {:?}; outputs identical: {} (max |Δ| {})",
            c.block,
            c.input_shape,
            c.comparison.shape,
            c.comparison.identical,
            super::report::sci(c.comparison.max_abs_diff)
        ));
    }
    record.summary(format!(
        "regression {} on {} points: MSE untrained {}, random search {} (best of {} draws), Adam {} (epoch {} of {})",
        reg.architecture,
        reg.truth.len(),
        super::report::sci(reg.untrained.1),
        super::report::sci(reg.search.best_loss()),
        reg.search.losses.len(),
        super::report::sci(reg.adam.1),
        reg.returned_epoch,
        config.adam_epochs
    ));
    let dir = record.dir.clone();
    figures::record_all(config, &reg, &dir, record)
}

/// The random search's record.
pub(super) struct Search {
    /// The MSE of every draw, in order.
    pub(super) losses: Vec<f64>,
    /// The best draw (1-based; 0 when the untrained network was already below the threshold
    /// and nothing was drawn) and its network.
    pub(super) best: (usize, TwoLayerNet),
    /// The best draw's MSE.
    pub(super) best_loss: f64,
    pub(super) seconds: f64,
}

impl Search {
    pub(super) fn best_loss(&self) -> f64 {
        self.best_loss
    }
}

/// The lab's random search, starting from `untrained` (whose MSE is `initial`): while the MSE is
/// above the threshold and fewer than the maximum draws are done, redraw every weight and
/// bias; keep the best draw.
fn random_search(
    untrained: &TwoLayerNet,
    initial: f64,
    data: &RegressionData,
    config: &BuildingBlocksConfig,
    seed: u64,
) -> Search {
    let started = Instant::now();
    let mut rng = seeded_rng(seed);
    let mut net = untrained.clone();
    let mut loss = initial;
    let mut losses = Vec::new();
    let mut best: Option<(usize, TwoLayerNet)> = None;
    while loss > config.search_threshold && losses.len() < config.search_iterations {
        net.redraw(
            config.search_init(config.search_weight_scale),
            config.search_init(config.search_bias_scale),
            &mut rng,
        );
        loss = data.mse(&net);
        losses.push(loss);
        let better = best.as_ref().is_none_or(|(i, _)| loss < losses[i - 1]);
        if better {
            best = Some((losses.len(), net.clone()));
        }
    }
    let best = best.unwrap_or((0, net));
    Search {
        best_loss: best.0.checked_sub(1).map_or(initial, |i| losses[i]),
        best,
        losses,
        seconds: started.elapsed().as_secs_f64(),
    }
}

/// A network's predictions on the grid, on the host.
fn predict(net: &TwoLayerNet, data: &RegressionData, grid: &GridFunction) -> GridFunction {
    let values: Vec<f32> = net
        .forward(data.inputs.clone())
        .into_data()
        .iter::<f32>()
        .collect();
    grid.with_values(values)
}

/// Part 2 of the lab and beyond: the Gaussian, the untrained network, random search, Adam.
pub(super) struct Regression {
    pub(super) truth: GridFunction,
    /// Variance of the ground truth over the grid (the MSE of predicting its mean).
    pub(super) variance: f64,
    pub(super) untrained: (GridFunction, f64),
    pub(super) search: Search,
    pub(super) searched: GridFunction,
    pub(super) adam: (GridFunction, f64),
    pub(super) history: History,
    /// The epoch whose network is shown as Adam's.
    pub(super) returned_epoch: usize,
    pub(super) parameters: usize,
    pub(super) architecture: String,
    pub(super) mse_check: BlockCheck,
}

impl Regression {
    /// The first logged Adam epoch with an MSE below `loss`.
    pub(super) fn adam_epochs_below(&self, loss: f64) -> Option<usize> {
        self.history
            .points
            .iter()
            .find(|p| p.train_loss < loss)
            .map(|p| p.epoch)
    }

    /// The MSE of predicting 0 everywhere: the mean square of the ground truth.
    pub(super) fn zero_mse(&self) -> f64 {
        let values = self.truth.values();
        values.iter().map(|&v| f64::from(v).powi(2)).sum::<f64>() / values.len() as f64
    }
}

fn regression(config: &BuildingBlocksConfig, ctx: &RunContext) -> Regression {
    let device = &ctx.device;
    let truth = gaussian_grid(&config.data);
    let n = truth.len() as f64;
    let mean = truth.values().iter().map(|&v| f64::from(v)).sum::<f64>() / n;
    let variance = truth
        .values()
        .iter()
        .map(|&v| (f64::from(v) - mean).powi(2))
        .sum::<f64>()
        / n;
    let (inputs, targets) = truth.to_device(device);
    let data = RegressionData { inputs, targets };

    let init_seed = ctx.seed.wrapping_add(1);
    let untrained =
        TwoLayerNet::torch_default(2, config.hidden, 1, &mut seeded_rng(init_seed), device);
    let prediction = untrained.forward(data.inputs.clone());
    // The lab's task 3.1: our MSE against Burn's `MseLoss` on the untrained predictions.
    let mse_check = check_mse(prediction.clone(), data.targets.clone(), config.tolerance);
    let untrained_mse = f64::from(mse(prediction, data.targets.clone()).into_scalar::<f32>());
    let untrained_grid = predict(&untrained, &data, &truth);

    let search = random_search(
        &untrained,
        untrained_mse,
        &data,
        config,
        ctx.seed.wrapping_add(2),
    );
    let searched = predict(&search.best.1, &data, &truth);

    let autodiff = device.clone().autodiff();
    let start =
        TwoLayerNet::torch_default(2, config.hidden, 1, &mut seeded_rng(init_seed), &autodiff);
    let mut progress = ctx.progress();
    let (
        trained,
        RegressionFit {
            history,
            returned_epoch,
        },
    ) = fit_regression(
        start,
        &data,
        &config.adam_config(),
        "Adam",
        progress.as_mut(),
    );
    let trained = trained.valid();
    let adam_mse = data.mse(&trained);
    let adam_grid = predict(&trained, &data, &truth);

    Regression {
        variance,
        untrained: (untrained_grid, untrained_mse),
        searched,
        search,
        adam: (adam_grid, adam_mse),
        history,
        returned_epoch,
        parameters: untrained.num_params(),
        architecture: untrained.describe(),
        mse_check,
        truth,
    }
}
