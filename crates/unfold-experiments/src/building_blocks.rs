//! Lab 2 (notebook 002): a network's building blocks written from scratch and checked against
//! Burn's, and a first "training" of a 2→25→1 ReLU network to the 2-D Gaussian density by
//! random search — compared, beyond the lab, with the same network trained by Adam.
//!
//! The from-scratch `Linear` (weights N(0, 1), biases U[0, 1) as the lab draws them), ReLU,
//! sigmoid, the sequential 3→5→1 `Net` and the MSE are each compared element-wise with Burn's
//! counterpart holding the same values. The regression target is the density of N(0, 50·I) on
//! a 50 × 50 grid over [-2, 2]²; the random search redraws every weight from U(-0.025, 0.025)
//! and every bias from U(-0.05, 0.05) until the MSE is below 1e-5 or 50 draws are done, and
//! keeps the best draw.
//!
//! Random values come from host generators seeded with the run's seed: the blocks and the
//! lab's inputs from `seed`, the regression network's initial weights from `seed + 1` (the
//! untrained network and Adam's starting point are the same), the random search from
//! `seed + 2`. The same seed therefore gives the same numbers on every backend.

use std::path::{Path, PathBuf};
use std::time::Instant;

use burn::module::Module;
use burn::nn::loss::{MseLoss, Reduction};
use burn::nn::{Relu, Sigmoid};
use burn::tensor::{Device, Tensor};
use serde::{Deserialize, Serialize};
use unfold_data::{GaussianGridConfig, GridFunction, gaussian_grid, seeded_rng};
use unfold_models::blocks::{LinearValues, lab_linear, linear_values, matrix};
use unfold_models::scratch::{mse, relu, sigmoid};
use unfold_models::{Comparison, Init, Net, OneLayerNet, Tolerance, TwoLayerNet, compare};
use unfold_train::{
    History, OptimizerConfig, RegressionConfig, RegressionData, RegressionFit, fit_regression,
};
use unfold_viz::{Curve, Figure, Panel, class_color};

use crate::plots::{save, surface_panel};
use crate::experiment::ExperimentOutcome;
use crate::results::{Curves, Metrics, Report, RunMetrics, RunState};
use crate::legacy::{Started, begin, finish};
use crate::{Profile, RunContext};

/// The experiment's name on the command line and in results.
pub const NAME: &str = "building-blocks";

/// TEMPORARY marker for the registry until this experiment implements `Experiment`.
#[derive(Debug, Clone, Copy, Default)]
pub struct BuildingBlocks;

/// Settings of the building-blocks experiment. [`Default`] is the lab's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BuildingBlocksConfig {
    /// The regression target: the density of N(0, 50·I) on 50 × 50 points over [-2, 2]².
    pub data: GaussianGridConfig,
    /// Hidden units of the regression network (25).
    pub hidden: usize,
    /// The random search stops once the MSE is below this (1e-5).
    pub search_threshold: f64,
    /// The random search draws at most this many networks (50).
    pub search_iterations: usize,
    /// Weights are redrawn uniformly from `[-scale, scale]` (0.025).
    pub search_weight_scale: f32,
    /// Biases are redrawn uniformly from `[-scale, scale]` (0.05).
    pub search_bias_scale: f32,
    /// Beyond the lab: full-batch Adam epochs from the untrained network.
    pub adam_epochs: usize,
    /// Adam's learning rate.
    pub adam_learning_rate: f64,
    /// Log Adam's loss every this many epochs.
    pub log_every: usize,
    /// Keep Adam's network from the logged epoch with the lowest loss (at this tiny loss scale
    /// Adam's loss spikes now and then), instead of the last one.
    pub adam_restore_best: bool,
    /// How close a from-scratch block's output must be to Burn's.
    pub tolerance: Tolerance,
}

impl Default for BuildingBlocksConfig {
    fn default() -> Self {
        Self {
            data: GaussianGridConfig::default(),
            hidden: 25,
            search_threshold: 1e-5,
            search_iterations: 50,
            search_weight_scale: 0.025,
            search_bias_scale: 0.05,
            adam_epochs: 10000,
            adam_learning_rate: 1e-2,
            log_every: 10,
            adam_restore_best: true,
            tolerance: Tolerance::default(),
        }
    }
}

impl BuildingBlocksConfig {
    /// The lab's settings (`full`) or a coarser grid and fewer Adam epochs (`quick`).
    pub fn for_profile(profile: Profile) -> Self {
        match profile {
            Profile::Full => Self::default(),
            Profile::Quick => Self {
                data: GaussianGridConfig {
                    points_per_axis: 20,
                    ..GaussianGridConfig::default()
                },
                adam_epochs: 800,
                ..Self::default()
            },
        }
    }

    /// Checks every value, with a message naming the bad one.
    pub fn validate(&self) -> Result<(), String> {
        self.data.validate()?;
        if self.hidden == 0 {
            return Err("hidden units must be ≥ 1".into());
        }
        if !(self.search_threshold.is_finite() && self.search_threshold >= 0.0) {
            return Err(format!(
                "search threshold must be finite and ≥ 0, got {}",
                self.search_threshold
            ));
        }
        if self.search_iterations == 0 {
            return Err("search iterations must be ≥ 1".into());
        }
        self.search_init(self.search_weight_scale)
            .validate()
            .map_err(|e| format!("search weight scale: {e}"))?;
        self.search_init(self.search_bias_scale)
            .validate()
            .map_err(|e| format!("search bias scale: {e}"))?;
        let t = self.tolerance;
        if !(t.rtol.is_finite() && t.rtol >= 0.0 && t.atol.is_finite() && t.atol >= 0.0) {
            return Err(format!("tolerances must be finite and ≥ 0, got {t:?}"));
        }
        self.adam_config().validate()
    }

    /// The lab's `scale * (-2 * torch.rand(shape) + 1)`: uniform on `[-scale, scale]`.
    fn search_init(&self, scale: f32) -> Init {
        Init::Uniform {
            low: -scale,
            high: scale,
        }
    }

    fn adam_config(&self) -> RegressionConfig {
        RegressionConfig {
            optimizer: OptimizerConfig::adam(self.adam_learning_rate),
            epochs: self.adam_epochs,
            log_every: self.log_every,
            restore_best: self.adam_restore_best,
        }
    }
}

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

/// The random search's record.
struct Search {
    /// The MSE of every draw, in order.
    losses: Vec<f64>,
    /// The best draw (1-based; 0 when the untrained network was already below the threshold
    /// and nothing was drawn) and its network.
    best: (usize, TwoLayerNet),
    /// The best draw's MSE.
    best_loss: f64,
    seconds: f64,
}

impl Search {
    fn best_loss(&self) -> f64 {
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
struct Regression {
    truth: GridFunction,
    /// Variance of the ground truth over the grid (the MSE of predicting its mean).
    variance: f64,
    untrained: (GridFunction, f64),
    search: Search,
    searched: GridFunction,
    adam: (GridFunction, f64),
    history: History,
    /// The epoch whose network is shown as Adam's.
    returned_epoch: usize,
    parameters: usize,
    architecture: String,
    mse_check: BlockCheck,
}

impl Regression {
    /// The first logged Adam epoch with an MSE below `loss`.
    fn adam_epochs_below(&self, loss: f64) -> Option<usize> {
        self.history
            .points
            .iter()
            .find(|p| p.train_loss < loss)
            .map(|p| p.epoch)
    }

    /// The MSE of predicting 0 everywhere: the mean square of the ground truth.
    fn zero_mse(&self) -> f64 {
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

/// Runs the experiment: checks the blocks, fits the Gaussian by random search and by Adam, and
/// writes metrics, figures and report under `<ctx.out>/building-blocks/`.
pub fn run(config: &BuildingBlocksConfig, ctx: &RunContext) -> anyhow::Result<ExperimentOutcome> {
    let Started {
        dir,
        started,
        mut metrics,
    } = begin(NAME, ctx, config, config.validate())?;
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
        m.extra
            .insert("r_squared".into(), serde_json::json!(r2(mse)));
        m
    };
    metrics.add_run("untrained", base(reg.untrained.1, 0.0, 0));
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
        .insert("best_draw".into(), serde_json::json!(reg.search.best.0));
    search.extra.insert(
        "reached_threshold".into(),
        serde_json::json!(reg.search.best_loss() < config.search_threshold),
    );
    metrics.add_run("random_search", search);
    let mut adam = RunMetrics::from_history(&reg.history);
    adam.final_loss = Some(reg.adam.1);
    adam.parameters = Some(reg.parameters);
    adam.architecture = Some(reg.architecture.clone());
    adam.extra
        .insert("r_squared".into(), serde_json::json!(r2(reg.adam.1)));
    adam.extra
        .insert("kept_epoch".into(), serde_json::json!(reg.returned_epoch));
    adam.extra.insert(
        "last_epoch_loss".into(),
        serde_json::json!(reg.history.last().map(|p| p.train_loss)),
    );
    adam.extra.insert(
        "epochs_to_beat_random_search".into(),
        serde_json::json!(reg.adam_epochs_below(reg.search.best_loss())),
    );
    metrics.add_run("adam", adam);

    metrics
        .extra
        .insert("equality_checks".into(), serde_json::to_value(&checks)?);
    metrics.extra.insert(
        "reset_params".into(),
        serde_json::json!({
            "before_normal_0_0.02": blocks.reset_before,
            "after_normal_0_1": blocks.reset_after,
        }),
    );
    metrics.extra.insert(
        "ground_truth".into(),
        serde_json::json!({
            "points": reg.truth.len(),
            "min": reg.truth.values().iter().copied().fold(f32::INFINITY, f32::min),
            "max": reg.truth.values().iter().copied().fold(f32::NEG_INFINITY, f32::max),
            "variance": reg.variance,
        }),
    );

    let figures = figures(config, &reg, &dir)?;
    let summary = summary(config, &blocks, &checks, &reg);
    let mut outcome = finish(NAME, dir, started, metrics, figures, &[], |metrics| {
        report(config, metrics, &blocks, &checks, &reg)
    })?;
    outcome.summary = summary;
    Ok(outcome)
}

/// `1.234e-5`.
fn sci(v: f64) -> String {
    format!("{v:.3e}")
}

/// `1e-5`: the shortest exact scientific form, for settings.
fn sci_short(v: f64) -> String {
    format!("{v:e}")
}

/// R² = 1 − MSE / variance, three decimals (scientific when huge).
fn r_squared(mse: f64, variance: f64) -> String {
    let r2 = 1.0 - mse / variance;
    if r2.abs() < 1e3 {
        format!("{r2:.3}")
    } else {
        format!("{r2:.2e}")
    }
}

fn values(v: &[f32]) -> String {
    let items: Vec<String> = v.iter().map(|x| format!("{x:.4}")).collect();
    format!("[{}]", items.join(", "))
}

fn summary(
    config: &BuildingBlocksConfig,
    blocks: &Blocks,
    checks: &[BlockCheck],
    reg: &Regression,
) -> Vec<String> {
    let mut lines: Vec<String> = checks
        .iter()
        .map(|c| {
            format!(
                "{}: input {:?} → output {:?}; outputs identical: {} (max |Δ| {})",
                c.block,
                c.input_shape,
                c.comparison.shape,
                c.comparison.identical,
                sci(c.comparison.max_abs_diff)
            )
        })
        .collect();
    lines.push(format!(
        "OneLayerNet(2→1) reset_params(0, 0.02): weight {} bias {}; reset_params(0, 1): weight {} bias {}",
        values(&blocks.reset_before.weight),
        values(&blocks.reset_before.bias),
        values(&blocks.reset_after.weight),
        values(&blocks.reset_after.bias),
    ));
    lines.push(format!(
        "regression {} on {} points: MSE untrained {}, random search {} (best of {} draws), Adam {} (epoch {} of {})",
        reg.architecture,
        reg.truth.len(),
        sci(reg.untrained.1),
        sci(reg.search.best_loss()),
        reg.search.losses.len(),
        sci(reg.adam.1),
        reg.returned_epoch,
        config.adam_epochs
    ));
    lines
}

fn figures(
    config: &BuildingBlocksConfig,
    reg: &Regression,
    dir: &Path,
) -> anyhow::Result<Vec<PathBuf>> {
    let single = |panel: Panel| Figure {
        title: None,
        panels: vec![panel],
        columns: 1,
        panel_size: (720, 600),
    };
    let mut figures = vec![
        save(
            &single(surface_panel(
                &format!(
                    "Ground truth: N(0, {}·I) density on {} points",
                    config.data.variance,
                    reg.truth.len()
                ),
                &reg.truth,
                "density",
                None,
            )),
            dir,
            "ground_truth",
        )?,
        save(
            &single(surface_panel(
                &format!(
                    "Untrained {}: MSE {}",
                    reg.architecture,
                    sci(reg.untrained.1)
                ),
                &reg.untrained.0,
                "prediction",
                None,
            )),
            dir,
            "untrained",
        )?,
    ];

    let threshold = |from: f64, to: f64| Curve {
        label: format!("threshold {:e}", config.search_threshold),
        color: (120, 120, 120),
        points: vec![
            (from, config.search_threshold),
            (to, config.search_threshold),
        ],
        dashed: true,
    };
    let draws = reg.search.losses.len() as f64;
    let mut best_so_far = Vec::new();
    let mut best = f64::INFINITY;
    for (i, &l) in reg.search.losses.iter().enumerate() {
        best = best.min(l);
        best_so_far.push(((i + 1) as f64, best));
    }
    let search_panel = Panel::Lines {
        title: "Random search: MSE of each draw".into(),
        x_label: "draw".into(),
        y_label: "MSE".into(),
        log_y: true,
        curves: vec![
            Curve {
                label: "this draw".into(),
                color: class_color(0),
                points: reg
                    .search
                    .losses
                    .iter()
                    .enumerate()
                    .map(|(i, &l)| ((i + 1) as f64, l))
                    .collect(),
                dashed: false,
            },
            Curve {
                label: "best so far".into(),
                color: class_color(3),
                points: best_so_far,
                dashed: false,
            },
            threshold(1.0, draws.max(2.0)),
        ],
        note: None,
    };
    let epochs = reg.history.points.last().map_or(1, |p| p.epoch) as f64;
    let adam_panel = Panel::Lines {
        title: format!("Adam (lr {}): MSE per epoch", config.adam_learning_rate),
        x_label: "epoch".into(),
        y_label: "MSE".into(),
        log_y: true,
        curves: vec![
            Curve {
                label: "Adam".into(),
                color: class_color(2),
                points: reg
                    .history
                    .points
                    .iter()
                    .map(|p| (p.epoch as f64, p.train_loss))
                    .collect(),
                dashed: false,
            },
            Curve {
                label: "random search, best".into(),
                color: class_color(3),
                points: vec![
                    (1.0, reg.search.best_loss()),
                    (epochs, reg.search.best_loss()),
                ],
                dashed: true,
            },
            threshold(1.0, epochs),
        ],
        note: Some(if reg.history.diverged() {
            "Adam diverged".to_string()
        } else {
            format!(
                "network kept: epoch {} (lowest logged MSE)",
                reg.returned_epoch
            )
        })
        .filter(|_| config.adam_restore_best || reg.history.diverged()),
    };
    figures.push(save(
        &Figure {
            title: Some(
                "Random search (the lab) vs gradient descent with Adam (beyond the lab)".into(),
            ),
            panels: vec![
                surface_panel(
                    &format!(
                        "Random search, best of {} draws: MSE {}",
                        reg.search.losses.len(),
                        sci(reg.search.best_loss())
                    ),
                    &reg.searched,
                    "prediction",
                    None,
                ),
                surface_panel(
                    &format!(
                        "Adam, epoch {} of {}: MSE {}",
                        reg.returned_epoch,
                        config.adam_epochs,
                        sci(reg.adam.1)
                    ),
                    &reg.adam.0,
                    "prediction",
                    None,
                ),
                search_panel,
                adam_panel,
            ],
            columns: 2,
            panel_size: (720, 600),
        },
        dir,
        "search_vs_adam",
    )?);
    Ok(figures)
}

fn report(
    config: &BuildingBlocksConfig,
    metrics: &Metrics,
    blocks: &Blocks,
    checks: &[BlockCheck],
    reg: &Regression,
) -> Report {
    let mut r = Report::new(
        "Building blocks: layers from scratch vs Burn's, and the Gaussian surface (lab 2)",
    );
    r.paragraph(
        "A linear layer, ReLU, sigmoid, a sequential network and the mean squared error, written with \
         plain tensor operations and checked against Burn's own; then a 2→25→1 ReLU network asked to \
         approximate a 2-D Gaussian density, first untrained, then \"trained\" by the lab's random search, \
         and (beyond the lab) by gradient descent with Adam.",
    );
    let t = config.tolerance;
    r.paragraph(&format!(
        "Setup (as the lab): from-scratch weights N(0, 1) and biases U[0, 1), a dummy input of 2 examples \
         with 3 features drawn from U(-1, 1); the density of N(0, {}·I) on {} × {} points over [{}, {}]²; \
         the regression network initialized as PyTorch's `nn.Linear` (U(±1/√fan_in)); random search \
         redrawing weights from U(±{}) and biases from U(±{}) until the MSE is below {} or {} draws; Adam \
         (lr {}) for {} full-batch epochs from the same untrained network. Outputs count as identical when \
         |ours − Burn's| ≤ {} + {}·|Burn's| element-wise (the rule of `torch.allclose`). Backend `{}` ({}), \
         seed {}, profile `{}`.",
        config.data.variance,
        config.data.points_per_axis,
        config.data.points_per_axis,
        config.data.range.0,
        config.data.range.1,
        config.search_weight_scale,
        config.search_bias_scale,
        sci_short(config.search_threshold),
        config.search_iterations,
        config.adam_learning_rate,
        config.adam_epochs,
        sci_short(t.atol),
        sci_short(t.rtol),
        metrics.backend,
        metrics.device,
        metrics.seed,
        metrics.profile
    ));

    r.heading("From scratch vs Burn");
    let rows: Vec<Vec<String>> = checks
        .iter()
        .map(|c| {
            vec![
                format!("`{}`", c.block),
                c.reference.clone(),
                format!("{:?}", c.input_shape),
                format!("{:?}", c.comparison.shape),
                sci(c.comparison.max_abs_diff),
                c.comparison.identical.to_string(),
            ]
        })
        .collect();
    r.table(
        &[
            "block",
            "Burn counterpart",
            "input",
            "output",
            "max |Δ|",
            "outputs identical",
        ],
        &rows,
    );
    let shape_of = |block: &str| {
        checks
            .iter()
            .find(|c| c.block.starts_with(block))
            .map(|c| format!("{:?}", c.comparison.shape))
            .unwrap_or_default()
    };
    r.answer(
        "Q1.1: What does W_ij represent exactly?",
        "The weight of the connection from input feature i to output unit j: output j adds \
         W_ij · x_i, so W_ij is how strongly (and with which sign) feature i drives unit j. With \
         W of shape [N_in, N_out], row i holds everything feature i sends out and column j everything \
         unit j receives.",
    );
    r.answer(
        "Q1.3: A batch of 2 examples with 3 features goes through a linear layer with 4 units. What is the \
         dimension of the output?",
        &format!(
            "[2, 4]: one row per example, one column per unit ([2, 3] · [3, 4] + [4] broadcast). Measured: {}.",
            shape_of("Linear(3→4)")
        ),
    );
    r.answer(
        "Q1.8: What is the shape of the output of the sigmoid for an input of shape [batch size, N_out]?",
        &format!(
            "The same, [batch size, N_out]: activations act element-wise. Measured on the linear layer's \
             output: sigmoid of [2, 4] is {}; ReLU of the [2, 3] input is {}.",
            shape_of("Sigmoid"),
            shape_of("ReLU")
        ),
    );
    r.answer(
        "Q1.10: Depict the computational graph of the 3-5-1 network. What do the dimensions of the output \
         correspond to?",
        &format!(
            "x [2, 3] → Linear (W1 [3, 5], b1 [5]) → [2, 5] → ReLU → [2, 5] → Linear (W2 [5, 1], b2 [1]) → \
             y [2, 1] ({}, {} parameters). The output has one row per example of the batch (2) and one \
             column per output feature (1). Measured: {}.",
            blocks.net_description,
            3 * 5 + 5 + 5 + 1,
            shape_of("Net")
        ),
    );
    r.answer(
        "Task 1.12: reset the parameters of TorchNet1(2, 1) with mean 0 and standard deviation 1 and \
         print them.",
        &format!(
            "`OneLayerNet::new` resets itself with N(0, 0.02): weight {} (shape [2, 1], Burn's [in, out]), \
             bias {}. After `reset_params(0, 1)`: weight {}, bias {} — the weights grow by about 50×, the \
             bias stays 0 (`nn.init.constant_`).",
            values(&blocks.reset_before.weight),
            values(&blocks.reset_before.bias),
            values(&blocks.reset_after.weight),
            values(&blocks.reset_after.bias)
        ),
    );

    r.heading("Approximating the Gaussian");
    let run_row = |name: &str, how: &str, mse: f64, work: String, seconds: f64| {
        vec![
            name.to_string(),
            how.to_string(),
            sci(mse),
            r_squared(mse, reg.variance),
            work,
            format!("{seconds:.2}"),
        ]
    };
    r.table(
        &["network", "how", "MSE", "R²", "work", "seconds"],
        &[
            run_row(
                "untrained",
                "PyTorch's default initialization",
                reg.untrained.1,
                "—".into(),
                0.0,
            ),
            run_row(
                "random search",
                "best of the redrawn networks",
                reg.search.best_loss(),
                format!(
                    "{} draws (best: draw {})",
                    reg.search.losses.len(),
                    reg.search.best.0
                ),
                reg.search.seconds,
            ),
            run_row(
                "Adam",
                "full-batch gradient descent on the MSE",
                reg.adam.1,
                format!("{} epochs", reg.history.steps),
                reg.history.seconds,
            ),
        ],
    );
    let lo = reg
        .truth
        .values()
        .iter()
        .copied()
        .fold(f32::INFINITY, f32::min);
    let hi = reg
        .truth
        .values()
        .iter()
        .copied()
        .fold(f32::NEG_INFINITY, f32::max);
    r.paragraph(&format!(
        "With σ² = {} the density is nearly flat over [{}, {}]²: it ranges from {} at the corners to {} \
         at the centre, so its variance over the grid is only {}. A network that predicts the mean \
         everywhere reaches that MSE (R² = 0); R² = 1 − MSE/variance says how much of the bump's shape a \
         network captures, and a negative R² is worse than that constant.",
        config.data.variance,
        config.data.range.0,
        config.data.range.1,
        sci(f64::from(lo)),
        sci(f64::from(hi)),
        sci(reg.variance)
    ));
    r.answer(
        "Q2.1: What should be the number of features of the input and output layer for this problem?",
        &format!(
            "2 inputs (the coordinates x and y of a grid point) and 1 output (the density there): the \
             network is {}, evaluated on all {} grid points at once as a [{}, 2] batch giving [{}, 1].",
            reg.architecture,
            reg.truth.len(),
            reg.truth.len(),
            reg.truth.len()
        ),
    );
    let reached = reg.search.best_loss() < config.search_threshold;
    let zero = reg.zero_mse();
    r.answer(
        "How does the untrained network do, and does random search help?",
        &format!(
            "Untrained, the network's outputs are of the order of its random weights, far from a density \
             of about {}: MSE {}. The lab's random search draws small weights, so its networks output \
             values near 0: its best draw (draw {} of {}) has MSE {}{} — {:.0}× better than the untrained \
             network, but about what predicting 0 everywhere gives: {} (the mean square of the density). \
             It is far worse than predicting the density's mean (R² = {}). As the lab says, the \
             result is not a good fit: a random draw has no reason to produce the bump, and its surface is \
             a tilted, folded plane around 0.",
            sci(f64::from(hi)),
            sci(reg.untrained.1),
            reg.search.best.0,
            reg.search.losses.len(),
            sci(reg.search.best_loss()),
            if reached {
                format!(
                    ", below the threshold {} that stopped the search",
                    sci_short(config.search_threshold)
                )
            } else {
                format!(
                    ", never below the threshold {}",
                    sci_short(config.search_threshold)
                )
            },
            reg.untrained.1 / reg.search.best_loss(),
            sci(zero),
            r_squared(reg.search.best_loss(), reg.variance)
        ),
    );
    let below_threshold = reg.adam_epochs_below(config.search_threshold);
    let below_search = reg.adam_epochs_below(reg.search.best_loss());
    let epochs_text = |e: Option<usize>| {
        e.map_or("never, within the logged epochs".to_string(), |e| {
            format!("by epoch {e}")
        })
    };
    let last = reg.history.last().map_or(f64::NAN, |p| p.train_loss);
    let adam_r2 = 1.0 - reg.adam.1 / reg.variance;
    let shape = if adam_r2 > 0.8 {
        "its surface has the bump's shape, which no random draw has"
    } else if adam_r2 > 0.0 {
        "its surface shows part of the bump's shape, which no random draw has"
    } else {
        "it has not captured the bump's shape yet: more epochs are needed"
    };
    let threshold_text = if zero < config.search_threshold {
        format!(
            "To the lab's threshold, not necessarily: predicting 0 everywhere already has MSE {} (the \
             mean square of the density), below the threshold {}, so a random draw whose output is close \
             to 0 passes it",
            sci(zero),
            sci_short(config.search_threshold)
        )
    } else {
        format!(
            "The threshold {} is below the MSE of predicting 0 everywhere ({}), so a draw has to produce \
             something of the right height to pass it",
            sci_short(config.search_threshold),
            sci(zero)
        )
    };
    let spikes = if config.adam_restore_best && last != reg.adam.1 {
        format!(
            " At this tiny scale Adam's loss spikes now and then (see the curve), so the network kept is the \
             one with the lowest logged loss; the last epoch's MSE was {}.",
            sci(last)
        )
    } else {
        String::new()
    };
    r.answer(
        "Beyond the lab: do learning rules \"converge much faster\" than random search?",
        &format!(
            "{threshold_text}; the search made {} draws (forward passes only). Adam, from the same untrained \
             network (lr {}), got below the threshold {} and below the best random draw {}. But it does not \
             stop there: its MSE is {} at epoch {} (R² = {}), {:.0}× below the best random draw, after {:.2} s \
             in all; {shape}.{spikes} Each step moves every weight in the direction that lowers the loss \
             instead of starting afresh.",
            reg.search.losses.len(),
            config.adam_learning_rate,
            epochs_text(below_threshold),
            epochs_text(below_search),
            sci(reg.adam.1),
            reg.returned_epoch,
            r_squared(reg.adam.1, reg.variance),
            reg.search.best_loss() / reg.adam.1,
            reg.history.seconds,
        ),
    );

    r.heading("Figures");
    for file in &metrics.figures {
        let stem = file.trim_end_matches(".png");
        let caption = match stem {
            "ground_truth" => "The ground truth: the Gaussian density on the grid".to_string(),
            "untrained" => format!("The untrained {} network's prediction", reg.architecture),
            "search_vs_adam" => {
                "Random search vs Adam: predicted surfaces (top) and loss curves (bottom)"
                    .to_string()
            }
            other => other.to_string(),
        };
        r.figure(&caption, file);
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lab_defaults() {
        let c = BuildingBlocksConfig::default();
        assert_eq!(c.data.variance, 50.0);
        assert_eq!(c.data.points_per_axis, 50);
        assert_eq!(c.data.range, (-2.0, 2.0));
        assert_eq!(c.hidden, 25);
        assert_eq!(c.search_threshold, 1e-5);
        assert_eq!(c.search_iterations, 50);
        assert_eq!((c.search_weight_scale, c.search_bias_scale), (0.025, 0.05));
        assert!(c.validate().is_ok());
        let quick = BuildingBlocksConfig::for_profile(Profile::Quick);
        assert!(quick.adam_epochs < c.adam_epochs);
        assert!(quick.validate().is_ok());
    }

    #[test]
    fn validation_rejects_bad_values() {
        let bad = |c: BuildingBlocksConfig| c.validate().unwrap_err();
        assert!(
            bad(BuildingBlocksConfig {
                search_iterations: 0,
                ..Default::default()
            })
            .contains("search iterations")
        );
        assert!(
            bad(BuildingBlocksConfig {
                search_bias_scale: -1.0,
                ..Default::default()
            })
            .contains("bias scale")
        );
        assert!(
            bad(BuildingBlocksConfig {
                adam_epochs: 0,
                ..Default::default()
            })
            .contains("epochs")
        );
        assert!(
            bad(BuildingBlocksConfig {
                data: GaussianGridConfig {
                    variance: -1.0,
                    ..Default::default()
                },
                ..Default::default()
            })
            .contains("variance")
        );
    }
}
