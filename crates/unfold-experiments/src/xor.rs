//! Notebook 001 (question 2) and notebook 004 (tasks 1 and 2): the multidimensional XOR.
//!
//! - For `d = 2, 3, 4, 5` and a grid of hidden sizes, the notebook's `FFNet` (from-scratch
//!   linear layers, sigmoid hidden layer, weights from `torch.randn`) is trained as its `train`
//!   does: MSE, SGD (lr 0.02, momentum 0.9), each epoch `2^d` single examples drawn uniformly
//!   at random with replacement, 300 epochs; a fresh network and optimizer per run, several
//!   seeds per pair. A table says which pairs converge.
//! - `calc_gradients` (the gradients of a 2-2-1 `FFNet` by hand) is compared element-wise with
//!   autodiff at every step of the notebook's 100-epoch `train_and_compare`.
//! - Notebook 004 task 1: the least-squares linear fit of XOR (it cannot be exact) and the
//!   given two-layer ReLU network that solves it exactly, with the hidden space drawn.
//! - Notebook 004 task 2 (the backprop worksheet) is the `backprop` module and command; its
//!   example network is worked in the report.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use burn::module::Module;
use burn::optim::GradientsParams;
use burn::tensor::{Device, Tensor, TensorData};
use rand::RngExt;
use serde::{Deserialize, Serialize};
use unfold_data::{seeded_rng, xor_data};
use unfold_models::scratch::{mse, relu};
use unfold_models::{FFNet, Init, ScratchLinear, calc_gradients};
use unfold_train::{Batching, FitConfig, History, Loss, OptimizerConfig};
pub use unfold_train::{train_xor, train_xor_batched};
use unfold_viz::{Curve, Figure, Panel, class_color};

use crate::backprop;
use crate::plots::{class_series_2d, rows, save};
use crate::experiment::ExperimentOutcome;
use crate::results::{Metrics, Report, RunMetrics, number, percent};
use crate::legacy::{Started, begin, finish};
use crate::runs::{Checkpoints, spread};
use crate::{Profile, RunContext};

/// The experiment's name on the command line and in results.
pub const NAME: &str = "xor";

/// TEMPORARY marker for the registry until this experiment implements `Experiment`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Xor;

const CLASS_NAMES: [&str; 2] = ["XOR = 0", "XOR = 1"];

/// A rule giving hidden-layer sizes for an input dimension `d` (the notebook suggests
/// `1, 2, 3, …, d, d + const, const·d`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum HiddenRule {
    /// Every size `1, 2, …, d`.
    OneToD,
    /// `d + add`.
    DPlus {
        /// The constant added.
        add: usize,
    },
    /// `times · d`.
    DTimes {
        /// The factor.
        times: usize,
    },
    /// A fixed size.
    Fixed {
        /// The size.
        size: usize,
    },
}

/// The sorted, de-duplicated hidden sizes the rules give for dimension `d`.
pub fn hidden_sizes(rules: &[HiddenRule], d: usize) -> Vec<usize> {
    let mut sizes: Vec<usize> = rules
        .iter()
        .flat_map(|rule| match *rule {
            HiddenRule::OneToD => (1..=d).collect(),
            HiddenRule::DPlus { add } => vec![d + add],
            HiddenRule::DTimes { times } => vec![times * d],
            HiddenRule::Fixed { size } => vec![size],
        })
        .filter(|&h| h > 0)
        .collect();
    sizes.sort_unstable();
    sizes.dedup();
    sizes
}

/// How close hand-derived gradients must be to autodiff's, element by element:
/// `|hand − autodiff| ≤ abs + rel·|autodiff|`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Tolerance {
    /// Absolute part.
    pub abs: f64,
    /// Relative part.
    pub rel: f64,
}

impl Tolerance {
    /// Whether `value` is within tolerance of `reference`.
    pub fn accepts(&self, value: f64, reference: f64) -> bool {
        (value - reference).abs() <= self.abs + self.rel * reference.abs()
    }
}

/// Settings of the XOR experiment. [`Default`] is the notebooks'.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct XorConfig {
    /// Input dimensions (`2, 3, 4, 5`).
    pub dims: Vec<usize>,
    /// Hidden sizes per dimension: `1..=d`, `d + 2`, `2d`, `4d`.
    pub hidden: Vec<HiddenRule>,
    /// Independent runs (seeds) per (d, hidden) pair.
    pub seeds: usize,
    /// Epochs of `2^d` single-example steps (300).
    pub epochs: usize,
    /// SGD learning rate (0.02).
    pub learning_rate: f64,
    /// SGD momentum (0.9).
    pub momentum: f64,
    /// Evaluate the loss on all `2^d` points every this many epochs (and at the last one).
    pub log_every: usize,
    /// A run converges when its final MSE over all `2^d` points is below this.
    pub converged_below: f64,
    /// Epochs of the gradient check on a 2-2-1 network (`train_and_compare`: 100).
    pub compare_epochs: usize,
    /// Hand vs autodiff gradient tolerance.
    pub tolerance: Tolerance,
    /// Train all (hidden, seed) runs of a dimension as one batched computation (a leading
    /// "run" dimension, [`train_xor_batched`]): the same trajectories as separate runs up to
    /// floating-point rounding, with far fewer, larger steps.
    pub batched: bool,
}

impl Default for XorConfig {
    fn default() -> Self {
        Self {
            dims: vec![2, 3, 4, 5],
            hidden: vec![
                HiddenRule::OneToD,
                HiddenRule::DPlus { add: 2 },
                HiddenRule::DTimes { times: 2 },
                HiddenRule::DTimes { times: 4 },
            ],
            seeds: 5,
            epochs: 300,
            learning_rate: 0.02,
            momentum: 0.9,
            log_every: 5,
            converged_below: 0.05,
            compare_epochs: 100,
            tolerance: Tolerance {
                abs: 1e-5,
                rel: 1e-4,
            },
            batched: true,
        }
    }
}

impl XorConfig {
    /// The notebooks' settings (`full`) or a smaller grid of the same pipeline (`quick`).
    pub fn for_profile(profile: Profile) -> Self {
        match profile {
            Profile::Full => Self::default(),
            Profile::Quick => Self {
                dims: vec![2, 3],
                hidden: vec![
                    HiddenRule::Fixed { size: 1 },
                    HiddenRule::DTimes { times: 1 },
                    HiddenRule::DTimes { times: 2 },
                ],
                seeds: 2,
                log_every: 10,
                compare_epochs: 25,
                ..Self::default()
            },
        }
    }

    /// Checks every value, with a message naming the bad one.
    pub fn validate(&self) -> Result<(), String> {
        if self.dims.is_empty() {
            return Err("at least one dimension is needed".into());
        }
        if let Some(d) = self.dims.iter().find(|d| !(1..=10).contains(*d)) {
            return Err(format!("dimensions must be in 1..=10, got {d}"));
        }
        for &d in &self.dims {
            let sizes = hidden_sizes(&self.hidden, d);
            if sizes.is_empty() {
                return Err(format!("the hidden rules give no size for d = {d}"));
            }
            if let Some(h) = sizes.iter().find(|h| **h > 4096) {
                return Err(format!("hidden size {h} for d = {d} is larger than 4096"));
            }
        }
        if self.seeds == 0 {
            return Err("seeds must be ≥ 1".into());
        }
        if self.compare_epochs == 0 {
            return Err("gradient-check epochs must be ≥ 1".into());
        }
        if !(self.converged_below.is_finite() && self.converged_below > 0.0) {
            return Err(format!(
                "convergence threshold must be finite and > 0, got {}",
                self.converged_below
            ));
        }
        let t = self.tolerance;
        if !(t.abs.is_finite() && t.abs >= 0.0 && t.rel.is_finite() && t.rel >= 0.0) {
            return Err(format!("tolerances must be finite and ≥ 0, got {t:?}"));
        }
        self.fit_config(0).validate()
    }

    /// The notebook's `train` as a [`FitConfig`]: MSE, SGD with momentum (PyTorch semantics),
    /// `2^d` single examples drawn with replacement per epoch.
    pub fn fit_config(&self, seed: u64) -> FitConfig {
        FitConfig {
            loss: Loss::Mse,
            optimizer: OptimizerConfig::sgd(self.learning_rate, self.momentum),
            epochs: self.epochs,
            batching: Batching::Sampled { size: 1 },
            log_every: self.log_every,
            seed,
        }
    }

    /// The (d, hidden) pairs of the grid, in order.
    pub fn grid(&self) -> Vec<(usize, usize)> {
        self.dims
            .iter()
            .flat_map(|&d| {
                hidden_sizes(&self.hidden, d)
                    .into_iter()
                    .map(move |h| (d, h))
            })
            .collect()
    }
}

/// The seed of one run: distinct for every (d, hidden, repetition), fixed by the base seed.
pub fn run_seed(base: u64, d: usize, hidden: usize, repetition: usize) -> u64 {
    base.wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add((d as u64) << 40 | (hidden as u64) << 16 | repetition as u64)
}

/// One cell of the convergence table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GridCell {
    /// Input dimension.
    pub d: usize,
    /// Hidden units.
    pub hidden: usize,
    /// Trainable parameters.
    pub parameters: usize,
    /// Runs.
    pub runs: usize,
    /// Runs whose final MSE is below the threshold.
    pub converged: usize,
    /// Runs that classify all `2^d` points right (output on the right side of 0.5).
    pub all_correct: usize,
    /// Final MSE of every run, in seed order (`None`: diverged).
    pub final_losses: Vec<Option<f64>>,
}

impl GridCell {
    /// Fraction of runs that converged.
    pub fn success_rate(&self) -> f64 {
        self.converged as f64 / self.runs.max(1) as f64
    }

    /// The median final loss of the finite runs.
    pub fn median_loss(&self) -> Option<f64> {
        let v: Vec<f64> = self.final_losses.iter().flatten().copied().collect();
        median(&v)
    }
}

fn median(values: &[f64]) -> Option<f64> {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let m = v.len() / 2;
    match v.len() {
        0 => None,
        n if n % 2 == 1 => Some(v[m]),
        _ => Some((v[m - 1] + v[m]) / 2.0),
    }
}

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
    /// MSE over the four points after the check's training.
    pub final_loss: f64,
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

/// A least-squares linear fit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinearFit {
    /// The optimal weights (the bias last, if fitted).
    pub weights: Vec<f64>,
    /// Predictions on the four points.
    pub predictions: Vec<f64>,
    /// Mean squared error at the optimum.
    pub mse: f64,
}

/// Solves the normal equations `XᵀX·w = Xᵀy` (Gaussian elimination with partial pivoting)
/// for the rows `x` and targets `y`. `None` if `XᵀX` is singular.
pub fn least_squares(x: &[Vec<f64>], y: &[f64]) -> Option<LinearFit> {
    let k = x.first()?.len();
    let mut a = vec![vec![0.0; k + 1]; k];
    for (row, &t) in x.iter().zip(y) {
        for i in 0..k {
            for j in 0..k {
                a[i][j] += row[i] * row[j];
            }
            a[i][k] += row[i] * t;
        }
    }
    for col in 0..k {
        let pivot = (col..k).max_by(|&p, &q| a[p][col].abs().total_cmp(&a[q][col].abs()))?;
        if a[pivot][col].abs() < 1e-12 {
            return None;
        }
        a.swap(col, pivot);
        let pivot_row = a[col].clone();
        for (r, row) in a.iter_mut().enumerate() {
            if r != col {
                let f = row[col] / pivot_row[col];
                for (v, p) in row.iter_mut().zip(&pivot_row).skip(col) {
                    *v -= f * p;
                }
            }
        }
    }
    let weights: Vec<f64> = (0..k).map(|i| a[i][k] / a[i][i]).collect();
    let predictions: Vec<f64> = x
        .iter()
        .map(|row| row.iter().zip(&weights).map(|(v, w)| v * w).sum())
        .collect();
    let mse = predictions
        .iter()
        .zip(y)
        .map(|(p, t)| (p - t).powi(2))
        .sum::<f64>()
        / y.len().max(1) as f64;
    Some(LinearFit {
        weights,
        predictions,
        mse,
    })
}

/// Notebook 004, task 1: what the linear fits and the given ReLU network do with XOR.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Task1 {
    /// `g₁(x) = x·w` (the notebook's linear network, no bias).
    pub linear: LinearFit,
    /// `x·w + b`.
    pub linear_with_bias: LinearFit,
    /// Hidden coordinates `max(0, W₁x + b)` of the four points.
    pub hidden: Vec<[f32; 2]>,
    /// The ReLU network's outputs on the four points.
    pub outputs: Vec<f32>,
    /// The largest `|output − label|`.
    pub max_error: f32,
}

/// `W₁ = [[1, 1], [1, 1]]`, `b = [0, −1]`, `W₂ = [1, −2]`: the two layers of notebook 004's
/// ReLU network (stored `[in, out]`; `W₁` is symmetric, so its transpose is itself).
pub fn relu_xor_network(device: &Device) -> (ScratchLinear, ScratchLinear) {
    (
        ScratchLinear::from_values(2, 2, vec![1.0, 1.0, 1.0, 1.0], vec![0.0, -1.0], device),
        ScratchLinear::from_values(2, 1, vec![1.0, -2.0], vec![0.0], device),
    )
}

/// Computes task 1 on `device`.
pub fn task1(device: &Device) -> Task1 {
    let data = xor_data(2).expect("d = 2 is valid");
    let x: Vec<Vec<f64>> = (0..data.len())
        .map(|i| data.row(i).iter().map(|v| f64::from(*v)).collect())
        .collect();
    let y: Vec<f64> = data.labels().iter().map(|l| f64::from(*l)).collect();
    let with_bias: Vec<Vec<f64>> = x
        .iter()
        .map(|r| r.iter().copied().chain([1.0]).collect())
        .collect();
    let linear = least_squares(&x, &y).expect("XᵀX is invertible for XOR");
    let linear_with_bias = least_squares(&with_bias, &y).expect("XᵀX is invertible for XOR");
    let (first, second) = relu_xor_network(device);
    let hidden = relu(first.forward(data.to_device(device).features));
    let outputs: Vec<f32> = second
        .forward(hidden.clone())
        .into_data()
        .iter::<f32>()
        .collect();
    let max_error = outputs
        .iter()
        .zip(data.labels())
        .map(|(o, l)| (o - *l as f32).abs())
        .fold(0.0, f32::max);
    Task1 {
        linear,
        linear_with_bias,
        // `+ 0.0` turns the −0 that ReLU's mask leaves into 0.
        hidden: crate::plots::first_2(&rows(hidden.add_scalar(0.0))),
        outputs,
        max_error,
    }
}

/// Runs the experiment: the (d, hidden) grid, the gradient check, task 1 and the worked
/// backprop example; writes metrics, figures and report under `<ctx.out>/xor/`.
pub fn run(config: &XorConfig, ctx: &RunContext) -> anyhow::Result<ExperimentOutcome> {
    let Started {
        dir,
        started,
        mut metrics,
    } = begin(NAME, ctx, config, config.validate())?;
    // One job per dimension: its runs train as one computation (or one after another), are
    // saved as they finish (`--resume` reuses a dimension whose runs are all saved), and with
    // several devices the dimensions spread over them.
    let plans: Vec<DimensionPlan> = config
        .dims
        .iter()
        .map(|&d| DimensionPlan::new(config, ctx.seed, d))
        .collect();
    let mut checkpoints = Checkpoints::new(ctx, NAME, config)?;
    let mut finished: BTreeMap<usize, Vec<RunMetrics>> = BTreeMap::new();
    for plan in &plans {
        if let Some(saved) = checkpoints.load_all(&plan.run_names()) {
            println!("  · d={} — resumed from an earlier run", plan.d);
            finished.insert(plan.d, saved);
        }
    }
    let jobs: Vec<&DimensionPlan> = plans
        .iter()
        .filter(|p| !finished.contains_key(&p.d))
        .collect();
    let trained = spread(
        ctx,
        &jobs,
        (),
        |_| Ok(()),
        |ctx, _, plan| {
            let runs = train_dimension(config, ctx, plan)?;
            for (name, m) in plan.run_names().iter().zip(&runs) {
                checkpoints.save(name, m)?;
            }
            Ok(runs)
        },
    )?;
    for (plan, runs) in jobs.iter().zip(trained) {
        finished.insert(plan.d, runs);
    }
    if checkpoints.resumed > 0 {
        metrics.extra.insert(
            "resumed_runs".into(),
            serde_json::json!(checkpoints.resumed),
        );
    }

    let mut cells = Vec::new();
    let mut curves: BTreeMap<usize, Vec<(usize, RunMetrics)>> = BTreeMap::new();
    for plan in &plans {
        let d = plan.d;
        let runs = &finished[&d];
        for &hidden in &plan.sizes {
            let mut cell = GridCell {
                d,
                hidden,
                parameters: d * hidden + 2 * hidden + 1,
                runs: 0,
                converged: 0,
                all_correct: 0,
                final_losses: Vec::new(),
            };
            for (&(_, rep, _), m) in plan
                .runs
                .iter()
                .zip(runs)
                .filter(|((h, _, _), _)| *h == hidden)
            {
                let converged = m.final_loss.is_some_and(|l| l < config.converged_below);
                cell.runs += 1;
                cell.converged += usize::from(converged);
                cell.all_correct += usize::from(m.train_accuracy == Some(1.0));
                cell.final_losses.push(m.final_loss);
                metrics.add_run(&run_name(d, hidden, rep), m.clone());
                curves.entry(d).or_default().push((hidden, m.clone()));
            }
            cells.push(cell);
        }
    }

    let check = train_and_compare(config, config.compare_epochs, ctx.seed, &ctx.device);
    let task1 = task1(&ctx.device);
    let worksheet = backprop::example_worksheet(&ctx.device)?;
    metrics.extra_json("grid", serde_json::to_value(&cells)?);
    metrics.extra_json("gradient_check", serde_json::to_value(&check)?);
    metrics.extra_json("task1", serde_json::to_value(&task1)?);
    metrics.extra_json("backprop_example", worksheet.to_json());

    let figures = vec![
        loss_curves_figure(config, &curves, &dir)?,
        success_figure(config, &cells, &dir)?,
        gradient_check_figure(&check, &dir)?,
        task1_figure(&task1, &ctx.device, &dir)?,
    ];
    let mut outcome = finish(NAME, dir, started, metrics, figures, &[], |metrics| {
        report(config, metrics, &cells, &check, &task1, &worksheet)
    })?;
    outcome.summary = summary(config, &cells, &check, &task1);
    Ok(outcome)
}

/// The runs of one input dimension: every (hidden size, repetition) pair with its seed.
struct DimensionPlan {
    d: usize,
    sizes: Vec<usize>,
    /// (hidden, repetition, seed) per run.
    runs: Vec<(usize, usize, u64)>,
}

impl DimensionPlan {
    fn new(config: &XorConfig, base_seed: u64, d: usize) -> Self {
        let sizes = hidden_sizes(&config.hidden, d);
        let runs = sizes
            .iter()
            .flat_map(|&h| {
                (0..config.seeds).map(move |rep| (h, rep, run_seed(base_seed, d, h, rep)))
            })
            .collect();
        Self { d, sizes, runs }
    }

    fn run_names(&self) -> Vec<String> {
        self.runs
            .iter()
            .map(|&(h, rep, _)| run_name(self.d, h, rep))
            .collect()
    }
}

/// A run's name in the metrics: `d3-h6-s0`.
fn run_name(d: usize, hidden: usize, repetition: usize) -> String {
    format!("d{d}-h{hidden}-s{repetition}")
}

/// Trains every run of one dimension on the context's device; the metrics come in the plan's
/// run order, each with its grid coordinates and whether it converged.
fn train_dimension(
    config: &XorConfig,
    ctx: &RunContext,
    plan: &DimensionPlan,
) -> anyhow::Result<Vec<RunMetrics>> {
    let d = plan.d;
    let data = xor_data(d)?;
    // Every run shares the epochs and learning rate; only its seed differs.
    let fit_config = config.fit_config(ctx.seed);
    let trained: Vec<(FFNet, History)> = if config.batched {
        let mut progress = ctx.progress();
        let pairs: Vec<(usize, u64)> = plan.runs.iter().map(|&(h, _, seed)| (h, seed)).collect();
        train_xor_batched(&data, &pairs, &fit_config, &ctx.device, progress.as_mut())
    } else {
        plan.runs
            .iter()
            .map(|&(h, _, seed)| {
                let mut progress = ctx.progress();
                let fit_config = FitConfig {
                    seed,
                    ..fit_config.clone()
                };
                train_xor(&data, h, &fit_config, seed, &ctx.device, progress.as_mut())
            })
            .collect()
    };
    Ok(plan
        .runs
        .iter()
        .zip(&trained)
        .map(|(&(hidden, rep, seed), (net, history))| {
            let mut m = RunMetrics::from_history(history);
            m.parameters = Some(net.num_params());
            m.architecture = Some(net.describe());
            let converged = m.final_loss.is_some_and(|l| l < config.converged_below);
            for (key, value) in [
                ("d", serde_json::json!(d)),
                ("hidden", serde_json::json!(hidden)),
                ("repetition", serde_json::json!(rep)),
                ("seed", serde_json::json!(seed)),
                ("converged", serde_json::json!(converged)),
            ] {
                m.extra.insert(key.into(), value);
            }
            m
        })
        .collect())
}

fn summary(
    config: &XorConfig,
    cells: &[GridCell],
    check: &GradientCheck,
    t: &Task1,
) -> Vec<String> {
    let mut lines: Vec<String> = config
        .dims
        .iter()
        .map(|&d| {
            let per: Vec<String> = cells
                .iter()
                .filter(|c| c.d == d)
                .map(|c| format!("h{}:{}/{}", c.hidden, c.converged, c.runs))
                .collect();
            format!(
                "d={d} converged (MSE < {}) per hidden size: {}",
                config.converged_below,
                per.join(" ")
            )
        })
        .collect();
    lines.push(format!(
        "gradient check: {} steps × {} parameters, max |hand − autodiff| = {:.2e} ({})",
        check.steps,
        check.parameters,
        check.max_abs_diff,
        if check.passed() { "passed" } else { "FAILED" }
    ));
    lines.push(format!(
        "least-squares linear fit of XOR: w = [{:.4}, {:.4}], MSE {:.4}; with bias MSE {:.4}",
        t.linear.weights[0], t.linear.weights[1], t.linear.mse, t.linear_with_bias.mse
    ));
    let hidden: Vec<String> = t
        .hidden
        .iter()
        .map(|h| format!("({}, {})", h[0], h[1]))
        .collect();
    lines.push(format!(
        "ReLU network: hidden coordinates of (0,0) (0,1) (1,0) (1,1) = {}; outputs {:?}",
        hidden.join(" "),
        t.outputs
    ));
    lines
}

fn loss_curves_figure(
    config: &XorConfig,
    curves: &BTreeMap<usize, Vec<(usize, RunMetrics)>>,
    dir: &Path,
) -> anyhow::Result<PathBuf> {
    let panels: Vec<Panel> = curves
        .iter()
        .map(|(&d, runs)| {
            let sizes = hidden_sizes(&config.hidden, d);
            let mut labelled = Vec::new();
            let lines = runs
                .iter()
                .map(|(hidden, m)| {
                    let colour = sizes.iter().position(|h| h == hidden).unwrap_or(0);
                    let label = if labelled.contains(hidden) {
                        String::new()
                    } else {
                        labelled.push(*hidden);
                        format!("hidden {hidden}")
                    };
                    Curve {
                        label,
                        color: class_color(colour),
                        points: m
                            .curves
                            .epoch
                            .iter()
                            .zip(&m.curves.train_loss)
                            .filter_map(|(e, l)| l.map(|l| (*e as f64, l)))
                            .collect(),
                        dashed: false,
                    }
                })
                .collect();
            Panel::Lines {
                title: format!("d = {d}: MSE on all {} points", 1usize << d),
                x_label: "epoch".into(),
                y_label: "MSE".into(),
                log_y: true,
                curves: lines,
                note: None,
            }
        })
        .collect();
    let columns = panels.len().clamp(1, 2);
    save(
        &Figure {
            title: Some(format!(
                "XOR: loss curves per input dimension, {} seeds per hidden size",
                config.seeds
            )),
            panels,
            columns,
            panel_size: (640, 500),
        },
        dir,
        "loss_curves",
    )
}

fn success_figure(config: &XorConfig, cells: &[GridCell], dir: &Path) -> anyhow::Result<PathBuf> {
    let curves = config
        .dims
        .iter()
        .enumerate()
        .map(|(i, &d)| Curve {
            label: format!("d = {d}"),
            color: class_color(i),
            points: cells
                .iter()
                .filter(|c| c.d == d)
                .map(|c| (c.hidden as f64, 100.0 * c.success_rate()))
                .collect(),
            dashed: false,
        })
        .collect();
    save(
        &Figure {
            title: None,
            panels: vec![Panel::Lines {
                title: format!(
                    "MSE < {} after {} epochs, {} seeds each",
                    config.converged_below, config.epochs, config.seeds
                ),
                x_label: "hidden units".into(),
                y_label: "converged runs (%)".into(),
                log_y: false,
                curves,
                note: None,
            }],
            columns: 1,
            panel_size: (720, 520),
        },
        dir,
        "convergence",
    )
}

fn gradient_check_figure(check: &GradientCheck, dir: &Path) -> anyhow::Result<PathBuf> {
    let points = check
        .per_step_max_diff
        .iter()
        .enumerate()
        .map(|(i, v)| ((i + 1) as f64, *v))
        .collect();
    let tolerance = check.tolerance.abs;
    let span = (1.0, check.steps as f64);
    save(
        &Figure {
            title: None,
            panels: vec![Panel::Lines {
                title: format!("calc_gradients vs autodiff (2-2-1), {} steps", check.steps),
                x_label: "step".into(),
                y_label: "max |hand − autodiff|".into(),
                log_y: true,
                curves: vec![
                    Curve {
                        label: "max over the 9 parameters".into(),
                        color: class_color(0),
                        points,
                        dashed: false,
                    },
                    Curve {
                        label: format!("absolute tolerance {tolerance:e}"),
                        color: class_color(1),
                        points: vec![(span.0, tolerance), (span.1, tolerance)],
                        dashed: true,
                    },
                ],
                note: (check.max_abs_diff == 0.0)
                    .then(|| "every difference is exactly 0 (not drawn on a log axis)".into()),
            }],
            columns: 1,
            panel_size: (760, 480),
        },
        dir,
        "gradient_check",
    )
}

fn task1_figure(t: &Task1, device: &Device, dir: &Path) -> anyhow::Result<PathBuf> {
    let data = xor_data(2)?;
    let (first, second) = relu_xor_network(device);
    let cells = 120;
    // Each panel: the class the network (or its linear readout) gives at every cell centre.
    let regions = |x_range: (f32, f32), y_range: (f32, f32), hidden_space: bool| {
        let mut grid = Vec::with_capacity(cells * cells * 2);
        for r in 0..cells {
            for c in 0..cells {
                let at = |range: (f32, f32), i: usize| {
                    range.0 + (range.1 - range.0) * (i as f32 + 0.5) / cells as f32
                };
                grid.push(at(x_range, c));
                grid.push(at(y_range, r));
            }
        }
        let points = Tensor::<2>::from_data(TensorData::new(grid, [cells * cells, 2]), device);
        let hidden = if hidden_space {
            points
        } else {
            relu(first.forward(points))
        };
        let out: Vec<f32> = second.forward(hidden).into_data().iter::<f32>().collect();
        out.iter()
            .map(|v| u32::from(*v > 0.5))
            .collect::<Vec<u32>>()
    };
    let input_range = (-0.5, 1.5);
    let hidden_x = (-0.5, 2.5);
    let hidden_y = (-0.5, 1.5);
    save(
        &Figure {
            title: Some(
                "Notebook 004, task 1: W1 = [[1,1],[1,1]], b = [0,−1], W2 = [1,−2] with ReLU solves XOR"
                    .into(),
            ),
            panels: vec![
                Panel::Regions {
                    title: "Input space: the network's output > 0.5".into(),
                    x_label: "x1".into(),
                    y_label: "x2".into(),
                    x_range: input_range,
                    y_range: input_range,
                    cols: cells,
                    rows: cells,
                    classes: regions(input_range, input_range, false),
                    series: class_series_2d(&data.points_2d(), data.labels(), &CLASS_NAMES),
                    note: None,
                },
                Panel::Regions {
                    title: "Hidden space h = max(0, W1·x + b), readout h1 − 2·h2 > 0.5".into(),
                    x_label: "h1".into(),
                    y_label: "h2".into(),
                    x_range: hidden_x,
                    y_range: hidden_y,
                    cols: cells,
                    rows: cells,
                    classes: regions(hidden_x, hidden_y, true),
                    series: class_series_2d(&t.hidden, data.labels(), &CLASS_NAMES),
                    note: Some(
                        "(0,1) and (1,0) both land on (1, 0); one straight line separates the classes"
                            .into(),
                    ),
                },
            ],
            columns: 2,
            panel_size: (600, 540),
        },
        dir,
        "relu_solution",
    )
}

/// The hidden rules in words: `1…d, d + 2, 2d, 4d`.
fn describe_rules(rules: &[HiddenRule]) -> String {
    rules
        .iter()
        .map(|rule| match *rule {
            HiddenRule::OneToD => "1…d".to_string(),
            HiddenRule::DPlus { add } => format!("d + {add}"),
            HiddenRule::DTimes { times: 1 } => "d".to_string(),
            HiddenRule::DTimes { times } => format!("{times}d"),
            HiddenRule::Fixed { size } => size.to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The smallest hidden size of dimension `d` whose success rate is at least `rate`.
fn smallest_hidden(cells: &[GridCell], d: usize, rate: f64) -> Option<&GridCell> {
    cells
        .iter()
        .filter(|c| c.d == d && c.converged > 0 && c.success_rate() >= rate)
        .min_by_key(|c| c.hidden)
}

fn report(
    config: &XorConfig,
    metrics: &Metrics,
    cells: &[GridCell],
    check: &GradientCheck,
    t: &Task1,
    worksheet: &backprop::Worksheet,
) -> Report {
    let mut r = Report::new("Multidimensional XOR, a linear layer from scratch, backprop by hand");
    r.paragraph(
        "Notebook 001 (question 2) trains a feed-forward network `FFNet` (a from-scratch linear layer, \
         a sigmoid hidden layer, a linear output) on the parity of d bits, `XOR(b) = Σ bᵢ mod 2`, and \
         asks how many hidden units it takes; then it derives the gradients by hand. Notebook 004 \
         (tasks 1 and 2) shows why XOR needs a hidden layer and works backpropagation through a small \
         network on paper.",
    );
    r.paragraph(&format!(
        "Setup (as the notebook): all 2^d points of d = {:?}, weights and biases drawn from N(0, 1) \
         (`torch.randn`), MSE loss, SGD (lr {}, momentum {}), each epoch 2^d single examples drawn \
         uniformly at random with replacement, {} epochs, a fresh network and optimizer per run, {} \
         seeds per (d, hidden) pair. A run *converges* when its final MSE over all 2^d points is below \
         {} (the notebook's \"loss getting close to 0\"; it printed the loss of the last single example \
         instead). {} Backend `{}` ({}), seed {}, profile `{}`.",
        config.dims,
        config.learning_rate,
        config.momentum,
        config.epochs,
        config.seeds,
        config.converged_below,
        if config.batched {
            "All runs of a dimension were trained side by side as one batched computation (a \
             leading \"run\" dimension; each run keeps its own weights, examples and gradients, so it \
             follows the trajectory it would follow alone, up to floating-point rounding)."
        } else {
            "Each run was trained on its own."
        },
        metrics.backend,
        metrics.device,
        metrics.seed,
        metrics.profile
    ));

    r.heading("Which networks converge");
    let rows: Vec<Vec<String>> = cells
        .iter()
        .map(|c| {
            let min = c
                .final_losses
                .iter()
                .flatten()
                .copied()
                .min_by(f64::total_cmp);
            vec![
                c.d.to_string(),
                c.hidden.to_string(),
                c.parameters.to_string(),
                format!("{}/{}", c.converged, c.runs),
                percent(Some(c.success_rate())),
                format!("{}/{}", c.all_correct, c.runs),
                number(c.median_loss()),
                number(min),
            ]
        })
        .collect();
    r.table(
        &[
            "d",
            "hidden",
            "parameters",
            "converged",
            "success rate",
            "all points right",
            "median final MSE",
            "best final MSE",
        ],
        &rows,
    );

    let converging_dims: Vec<usize> = config
        .dims
        .iter()
        .copied()
        .filter(|&d| cells.iter().any(|c| c.d == d && c.converged > 0))
        .collect();
    let failing_dims: Vec<usize> = config
        .dims
        .iter()
        .copied()
        .filter(|d| !converging_dims.contains(d))
        .collect();
    let q1 = if converging_dims.is_empty() {
        "None: no run reached the threshold in any dimension.".to_string()
    } else {
        let per: Vec<String> = converging_dims
            .iter()
            .map(|&d| {
                let best = cells
                    .iter()
                    .filter(|c| c.d == d)
                    .max_by(|a, b| a.success_rate().total_cmp(&b.success_rate()))
                    .expect("d has cells");
                format!(
                    "d = {d} (best: {} hidden units, {}/{} runs)",
                    best.hidden, best.converged, best.runs
                )
            })
            .collect();
        let rest = if failing_dims.is_empty() {
            String::new()
        } else {
            let dims: Vec<String> = failing_dims.iter().map(|d| d.to_string()).collect();
            format!(" No run converged for d = {}.", dims.join(", "))
        };
        format!(
            "At least one run reached MSE < {} for {}.{rest}",
            config.converged_below,
            per.join(", ")
        )
    };
    r.answer(
        "For which dimensions were you able to reach a model that converges (loss value getting close to 0)?",
        &q1,
    );

    let q2: Vec<String> = config
        .dims
        .iter()
        .map(|&d| {
            match (
                smallest_hidden(cells, d, 0.0),
                smallest_hidden(cells, d, 0.99),
            ) {
                (Some(any), Some(all)) if any.hidden == all.hidden => {
                    format!("d = {d}: {} hidden units, every run converged", any.hidden)
                }
                (Some(any), Some(all)) => format!(
                    "d = {d}: {} hidden units converge sometimes ({}/{}), {} every time",
                    any.hidden, any.converged, any.runs, all.hidden
                ),
                (Some(any), None) => format!(
                    "d = {d}: from {} hidden units some runs converge ({}/{}), no size every time",
                    any.hidden, any.converged, any.runs
                ),
                (None, _) => format!("d = {d}: no size tried converged"),
            }
        })
        .collect();
    r.answer(
        "What is the number of hidden neurons in that network and how did you find it?",
        &format!(
            "{}. Found by a grid search: for each d, hidden sizes {} ({}) trained from {} random \
             initializations each, counting the runs whose final MSE is below {}; the table gives every rate.",
            q2.join("; "),
            config
                .dims
                .iter()
                .map(|&d| format!("{:?}", hidden_sizes(&config.hidden, d)))
                .collect::<Vec<_>>()
                .join(", "),
            describe_rules(&config.hidden),
            config.seeds,
            config.converged_below
        ),
    );

    let minimal: Vec<String> = config
        .dims
        .iter()
        .filter_map(|&d| {
            cells
                .iter()
                .find(|c| c.d == d && c.hidden == d)
                .map(|c| format!("d = {d}: {}", percent(Some(c.success_rate()))))
        })
        .collect();
    let widest: Vec<String> = config
        .dims
        .iter()
        .filter_map(|&d| {
            cells
                .iter()
                .filter(|c| c.d == d)
                .max_by_key(|c| c.hidden)
                .map(|c| {
                    format!(
                        "d = {d} with {} units: {}",
                        c.hidden,
                        percent(Some(c.success_rate()))
                    )
                })
        })
        .collect();
    let pooled: Vec<(usize, f64)> = config
        .dims
        .iter()
        .map(|&d| {
            let (ok, all) = cells
                .iter()
                .filter(|c| c.d == d)
                .fold((0, 0), |(ok, all), c| (ok + c.converged, all + c.runs));
            (d, ok as f64 / all.max(1) as f64)
        })
        .collect();
    let falls = pooled.windows(2).all(|w| w[1].1 <= w[0].1);
    let wider_helps = config.dims.iter().all(|&d| {
        let of_d: Vec<&GridCell> = cells.iter().filter(|c| c.d == d).collect();
        let widest = of_d
            .iter()
            .max_by_key(|c| c.hidden)
            .map(|c| c.success_rate());
        widest.is_some_and(|w| of_d.iter().all(|c| c.success_rate() <= w))
    });
    let stuck: Vec<f64> = cells
        .iter()
        .flat_map(|c| c.final_losses.iter().flatten().copied())
        .filter(|l| *l >= config.converged_below)
        .collect();
    let stuck_text = match median(&stuck) {
        Some(m) if (0.15..=0.35).contains(&m) => format!(
            " The {} runs that did not converge ended at a median MSE of {m:.3}, close to 0.25, the MSE of \
             answering ½ everywhere: they stalled on a plateau rather than slowly approaching 0.",
            stuck.len()
        ),
        Some(m) => format!(
            " The {} runs that did not converge ended at a median MSE of {m:.3}.",
            stuck.len()
        ),
        None => " Every run converged.".into(),
    };
    r.answer(
        "What results did you expect and how does it differ from the results you achieved?",
        &format!(
            "Expected: d hidden units are enough to *represent* the parity of d bits (unit k can fire \
             when at least k bits are set, and the output adds them with alternating signs), and the \
             universal approximation theorem promises that some width works, so every d should be \
             learnable with about d units. Achieved: being representable is not the same as being found \
             by SGD in {} epochs from a random N(0, 1) start. With exactly d hidden units the success \
             rate was {}; the widest networks reached {}. Pooled over the hidden sizes tried, the success \
             rate was {}, which {} as d grows.{} The theorem says suitable weights exist; it says nothing \
             about how often gradient descent finds them.{}",
            config.epochs,
            if minimal.is_empty() {
                "not measured".into()
            } else {
                minimal.join(", ")
            },
            widest.join(", "),
            pooled
                .iter()
                .map(|(d, p)| format!("d = {d}: {}", percent(Some(*p))))
                .collect::<Vec<_>>()
                .join(", "),
            if falls { "falls" } else { "does not simply fall" },
            stuck_text,
            if wider_helps {
                " Here, in every dimension, the widest network converged at least as often as any \
                 narrower one: extra units make good weights easier to find."
            } else {
                ""
            }
        ),
    );

    r.heading("Gradients by hand");
    r.paragraph(&format!(
        "`calc_gradients` differentiates the MSE of a 2-2-1 `FFNet` by the chain rule: with \
         e = 2(ŷ − y), ∂L/∂W2 = hᵀe, ∂L/∂b2 = e, δ = (e·W2ᵀ) ⊙ σ(z1)(1 − σ(z1)), ∂L/∂W1 = xᵀδ, \
         ∂L/∂b1 = δ, flattened in parameter order (W1 as [in, hidden], b1, W2, b2). At every one of \
         the {} steps of `train_and_compare` ({} epochs of 4 single examples, SGD with momentum) \
         each of the {} gradients was compared with autodiff's, element by element, with tolerance \
         |hand − autodiff| ≤ {:e} + {:e}·|autodiff|: {} failures, largest difference {:.3e} (largest \
         gradient {:.3}). The notebook's own test (rounding the *sum* of signed differences) would \
         have failed at {} steps; summing lets errors of opposite sign cancel, which is why this \
         check compares each element. Final MSE of the checked network: {:.4}.",
        check.steps,
        config.compare_epochs,
        check.parameters,
        check.tolerance.abs,
        check.tolerance.rel,
        check.failures,
        check.max_abs_diff,
        check.max_abs_gradient,
        check.notebook_check_failures,
        check.final_loss
    ));

    r.heading("Why XOR needs a hidden layer (notebook 004, task 1)");
    let fmt = |v: &[f64]| {
        v.iter()
            .map(|x| format!("{:.4}", x + 0.0).replace("-0.0000", "0.0000"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    r.paragraph(&format!(
        "The best linear fit g1(x) = x·w solves the normal equations XᵀX·w = Xᵀy with XᵀX = [[2, 1], \
         [1, 2]] and Xᵀy = [1, 1]: w = [{}], predictions [{}] on (0,0), (0,1), (1,0), (1,1), MSE {:.4} \
         (= 1/3). Adding a bias gives w, b = [{}], predictions [{}], MSE {:.4} (= 1/4): the least-squares \
         optimum itself is not exact, so no linear model is. (A sigmoid on top is monotone: its output \
         is above ½ exactly where x·w + b > 0, a half-plane, and no half-plane holds (0,1) and (1,0) \
         without (0,0) or (1,1).)",
        fmt(&t.linear.weights),
        fmt(&t.linear.predictions),
        t.linear.mse,
        fmt(&t.linear_with_bias.weights),
        fmt(&t.linear_with_bias.predictions),
        t.linear_with_bias.mse,
    ));
    let xs = ["(0,0)", "(0,1)", "(1,0)", "(1,1)"];
    let rows: Vec<Vec<String>> = xs
        .iter()
        .enumerate()
        .map(|(i, x)| {
            vec![
                x.to_string(),
                format!("({}, {})", t.hidden[i][0], t.hidden[i][1]),
                format!("{}", t.outputs[i]),
                format!("{}", i % 3 != 0),
            ]
        })
        .collect();
    r.table(&["x", "h = max(0, W1·x + b)", "ŷ = W2ᵀh", "XOR"], &rows);
    r.paragraph(&format!(
        "With W1 = [[1, 1], [1, 1]], b = [0, −1] and W2 = [1, −2], the hidden layer maps (0,1) and \
         (1,0) to the same point (1, 0) and (1,1) to (2, 1); in that space the line h1 − 2·h2 = ½ \
         separates the classes, and the output is exactly XOR (largest error {}).",
        t.max_error
    ));

    r.heading("Backpropagation worksheet (notebook 004, task 2)");
    r.paragraph(
        "The notebook's network picture is missing, so `unfold backprop --network FILE` works any small \
         network given as JSON. The shipped example (`assets/backprop-example.json`: 2 inputs, 3 ReLU \
         hidden units, one identity output, L = ½(y − ŷ)², y = 1) gives:",
    );
    r.table(
        &["quantity", "formula", "value", "autodiff"],
        &worksheet.table_rows(),
    );

    r.heading("Figures");
    for file in &metrics.figures {
        let caption = match file.trim_end_matches(".png") {
            "loss_curves" => "MSE on all 2^d points during training, one colour per hidden size",
            "convergence" => "Share of runs that converge, per hidden size and dimension",
            "gradient_check" => "Largest hand-vs-autodiff gradient difference at every step",
            "relu_solution" => "The ReLU network's decision regions in input and hidden space",
            other => other,
        };
        r.figure(caption, file);
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[allow(deprecated)]
    fn device() -> Device {
        Device::ndarray()
    }

    #[test]
    fn notebook_defaults_and_grid() {
        let c = XorConfig::default();
        assert_eq!(c.dims, vec![2, 3, 4, 5]);
        assert_eq!((c.epochs, c.learning_rate, c.momentum), (300, 0.02, 0.9));
        assert_eq!(c.compare_epochs, 100);
        assert!(c.validate().is_ok());
        assert_eq!(hidden_sizes(&c.hidden, 2), vec![1, 2, 4, 8]);
        assert_eq!(hidden_sizes(&c.hidden, 5), vec![1, 2, 3, 4, 5, 7, 10, 20]);
        assert_eq!(c.grid().len(), 4 + 6 + 7 + 8);
        assert!(XorConfig::for_profile(Profile::Quick).validate().is_ok());
    }

    #[test]
    fn validation_names_the_bad_value() {
        let bad = XorConfig {
            dims: vec![0],
            ..Default::default()
        };
        assert!(bad.validate().unwrap_err().contains("dimensions"));
        let bad = XorConfig {
            seeds: 0,
            ..Default::default()
        };
        assert!(bad.validate().unwrap_err().contains("seeds"));
        let bad = XorConfig {
            hidden: vec![],
            ..Default::default()
        };
        assert!(bad.validate().unwrap_err().contains("hidden"));
        let bad = XorConfig {
            learning_rate: -1.0,
            ..Default::default()
        };
        assert!(bad.validate().unwrap_err().contains("learning rate"));
    }

    #[test]
    fn run_seeds_are_distinct() {
        let c = XorConfig::default();
        let mut seeds: Vec<u64> = c
            .grid()
            .iter()
            .flat_map(|&(d, h)| (0..c.seeds).map(move |r| run_seed(7, d, h, r)))
            .collect();
        let n = seeds.len();
        seeds.sort_unstable();
        seeds.dedup();
        assert_eq!(seeds.len(), n);
    }

    #[test]
    fn least_squares_of_xor_is_a_third_and_a_quarter() {
        let t = task1(&device());
        assert!((t.linear.weights[0] - 1.0 / 3.0).abs() < 1e-12);
        assert!((t.linear.weights[1] - 1.0 / 3.0).abs() < 1e-12);
        assert!((t.linear.mse - 1.0 / 3.0).abs() < 1e-12);
        assert!((t.linear_with_bias.mse - 0.25).abs() < 1e-12);
        assert!(
            t.linear_with_bias.weights[..2]
                .iter()
                .all(|w| w.abs() < 1e-12)
        );
        assert_eq!(
            t.hidden,
            vec![[0.0, 0.0], [1.0, 0.0], [1.0, 0.0], [2.0, 1.0]]
        );
        assert_eq!(t.outputs, vec![0.0, 1.0, 1.0, 0.0]);
        assert_eq!(t.max_error, 0.0);
    }

    #[test]
    fn least_squares_recovers_an_exact_line_and_rejects_singular_systems() {
        let x = vec![vec![1.0, 1.0], vec![2.0, 1.0], vec![3.0, 1.0]];
        let fit = least_squares(&x, &[3.0, 5.0, 7.0]).unwrap();
        assert!((fit.weights[0] - 2.0).abs() < 1e-12 && (fit.weights[1] - 1.0).abs() < 1e-12);
        assert!(fit.mse < 1e-20);
        assert!(least_squares(&[vec![1.0, 2.0], vec![2.0, 4.0]], &[1.0, 2.0]).is_none());
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

    #[test]
    fn batched_runs_follow_the_same_trajectories_as_separate_runs() {
        let device = device();
        let config = XorConfig {
            epochs: 12,
            log_every: 4,
            ..XorConfig::default()
        };
        for d in [2, 3] {
            let data = xor_data(d).unwrap();
            let runs: Vec<(usize, u64)> = [1, d, 2 * d]
                .iter()
                .flat_map(|&h| (0..2).map(move |rep| (h, run_seed(5, d, h, rep))))
                .collect();
            let batched = train_xor_batched(
                &data,
                &runs,
                &config.fit_config(0),
                &device,
                &mut unfold_train::NoProgress,
            );
            assert_eq!(batched.len(), runs.len());
            for (&(h, seed), (net, history)) in runs.iter().zip(&batched) {
                let fit_config = FitConfig {
                    seed,
                    ..config.fit_config(0)
                };
                let (alone, alone_history) = train_xor(
                    &data,
                    h,
                    &fit_config,
                    seed,
                    &device,
                    &mut unfold_train::NoProgress,
                );
                assert_eq!(history.steps, alone_history.steps);
                assert_eq!(history.status, alone_history.status);
                let epochs: Vec<usize> = history.points.iter().map(|p| p.epoch).collect();
                assert_eq!(epochs, vec![1, 4, 8, 12]);
                for (a, b) in history.points.iter().zip(&alone_history.points) {
                    assert!(
                        (a.train_loss - b.train_loss).abs() < 1e-5,
                        "d {d} h {h}: {} vs {}",
                        a.train_loss,
                        b.train_loss
                    );
                    assert_eq!(a.train_accuracy, b.train_accuracy);
                }
                let a: Vec<f32> = net.flat_parameters().into_data().iter::<f32>().collect();
                let b: Vec<f32> = alone
                    .valid()
                    .flat_parameters()
                    .into_data()
                    .iter::<f32>()
                    .collect();
                for (x, y) in a.iter().zip(&b) {
                    assert!((x - y).abs() < 1e-4, "d {d} h {h}: {x} vs {y}");
                }
            }
        }
    }

    #[test]
    fn success_rate_and_median() {
        let cell = GridCell {
            d: 2,
            hidden: 2,
            parameters: 9,
            runs: 4,
            converged: 1,
            all_correct: 1,
            final_losses: vec![Some(0.3), None, Some(0.01), Some(0.2)],
        };
        assert_eq!(cell.success_rate(), 0.25);
        assert_eq!(cell.median_loss(), Some(0.2));
    }
}
