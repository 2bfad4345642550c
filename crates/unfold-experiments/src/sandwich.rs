//! Notebook 003: three-class 2-D spirals, "bread only" vs "sandwich" networks, 2-D embeddings,
//! and the decision regions each network draws on the input plane.
//!
//! Trains `DeepLinear`, `MLP`, `MLPemb` and `MLPdeep` with cross-entropy and AdamW (lr 1e-3) on
//! shuffled mini-batches of 32 (`drop_last`) for 2000 epochs, logging every 10.

use std::path::{Path, PathBuf};

use burn::module::Module;
use burn::tensor::{Device, Tensor, TensorData};
use serde::{Deserialize, Serialize};
use unfold_data::{LabeledPoints, Spirals2dConfig, spirals_2d};
use unfold_models::{Mlp, SandwichModel};
use unfold_train::{Batching, FitConfig, Loss, OptimizerConfig, StepObserver, StepView};
use unfold_viz::{Dot, Figure, Panel, save_animation};

use crate::plots::{class_series_2d, classes, first_2, rows, save};
use crate::rainbow::{
    NOTEBOOK_PERMUTATION, Normalization, describe_permutation, dot_features, is_permutation,
};
use crate::experiment::ExperimentOutcome;
use crate::results::{Metrics, Report, RunMetrics, RunState, percent};
use crate::legacy::{Started, begin, finish};
use crate::runs::{curves_figure, results_table, save_model, spread, train_mlp_observed};
use crate::{Profile, RunContext};

/// The experiment's name on the command line and in results.
pub const NAME: &str = "sandwich";

/// TEMPORARY marker for the registry until this experiment implements `Experiment`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sandwich;

const CLASS_NAMES: [&str; 3] = ["arm 0", "arm 1", "arm 2"];

/// Settings of the sandwich experiment. [`Default`] is the notebook's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SandwichConfig {
    /// The data generator's parameters (1000 points per arm, 3 arms, angle noise 0.2).
    pub data: Spirals2dConfig,
    /// Fraction of the points used for training (0.8, as `random_split`).
    pub train_fraction: f64,
    /// Epochs (2000).
    pub epochs: usize,
    /// AdamW's learning rate (1e-3).
    pub learning_rate: f64,
    /// Mini-batch size (32, shuffled, last incomplete batch dropped).
    pub batch_size: usize,
    /// Log metrics every this many epochs (10).
    pub log_every: usize,
    /// Cells per side of the decision-region maps.
    pub region_resolution: usize,
    /// The models to train, in order.
    pub models: Vec<SandwichModel>,
    /// The rainbow sandwich's feature permutation `idx`: activation `idx[i]` of each 6-unit
    /// layer drives `x, y, R, G, B, s`\[i\] (the notebook's `[5, 4, 1, 2, 3, 0]`).
    pub rainbow_permutation: [usize; 6],
    /// How activations are normalized before they become dots (the notebook's default: none).
    pub rainbow_normalization: Normalization,
    /// Beyond the notebook: snapshot `MLPemb` every this many epochs for `mlpemb_training.gif`
    /// (its decision regions and last 2-D embedding as training goes on); 0 turns it off.
    pub animation_every: usize,
}

impl Default for SandwichConfig {
    fn default() -> Self {
        Self {
            data: Spirals2dConfig::default(),
            train_fraction: 0.8,
            epochs: 2000,
            learning_rate: 1e-3,
            batch_size: 32,
            log_every: 10,
            region_resolution: 200,
            models: SandwichModel::ALL.to_vec(),
            rainbow_permutation: NOTEBOOK_PERMUTATION,
            rainbow_normalization: Normalization::None,
            animation_every: 50,
        }
    }
}

impl SandwichConfig {
    /// The notebook's settings (`full`) or the same pipeline on less data and fewer epochs
    /// (`quick`).
    pub fn for_profile(profile: Profile) -> Self {
        match profile {
            Profile::Full => Self::default(),
            Profile::Quick => Self {
                data: Spirals2dConfig {
                    points_per_class: 300,
                    ..Spirals2dConfig::default()
                },
                epochs: 150,
                log_every: 10,
                region_resolution: 100,
                animation_every: 15,
                ..Self::default()
            },
        }
    }

    /// Checks every value, with a message naming the bad one.
    pub fn validate(&self) -> Result<(), String> {
        if self.data.points_per_class < 2 {
            return Err("points per class must be ≥ 2".into());
        }
        if !(2..=12).contains(&self.data.classes) {
            return Err(format!(
                "classes must be in 2..=12, got {}",
                self.data.classes
            ));
        }
        if !(self.data.angle_noise.is_finite() && self.data.angle_noise >= 0.0) {
            return Err(format!(
                "angle noise must be finite and ≥ 0, got {}",
                self.data.angle_noise
            ));
        }
        if !(self.train_fraction > 0.0 && self.train_fraction < 1.0) {
            return Err(format!(
                "train fraction must be in (0, 1), got {}",
                self.train_fraction
            ));
        }
        if !(2..=2000).contains(&self.region_resolution) {
            return Err(format!(
                "region resolution must be in 2..=2000, got {}",
                self.region_resolution
            ));
        }
        if self.models.is_empty() {
            return Err("at least one model is needed".into());
        }
        if !is_permutation(self.rainbow_permutation) {
            return Err(format!(
                "the rainbow permutation {:?} must use each of 0..6 once",
                self.rainbow_permutation
            ));
        }
        let train_points =
            (self.data.points_per_class * self.data.classes) as f64 * self.train_fraction;
        if (self.batch_size as f64) > train_points {
            return Err(format!(
                "batch size {} is larger than the {} training points (drop_last would leave no batch)",
                self.batch_size, train_points as usize
            ));
        }
        self.fit_config(0).validate()
    }

    fn fit_config(&self, seed: u64) -> FitConfig {
        FitConfig {
            loss: Loss::CrossEntropy,
            optimizer: OptimizerConfig::adamw(self.learning_rate),
            epochs: self.epochs,
            batching: Batching::MiniBatch {
                size: self.batch_size,
                shuffle: true,
                drop_last: true,
            },
            log_every: self.log_every,
            seed,
        }
    }
}

/// The square of the input plane the maps cover.
const PLANE: (f32, f32) = (-1.25, 1.25);

struct Trained {
    model: SandwichModel,
    metrics: RunMetrics,
    /// Predicted class of every point.
    predicted: Vec<u32>,
    /// Predicted class of every cell of the region map, row-major from the bottom row.
    regions: Vec<u32>,
    /// Hidden representations of every point, one per hidden layer.
    hidden: Vec<Vec<Vec<f32>>>,
    /// Snapshots during training (`MLPemb` only, when animated).
    frames: Vec<Snapshot>,
}

/// Runs the experiment: trains every model, writes metrics, figures and report under
/// `<ctx.out>/sandwich/`.
pub fn run(config: &SandwichConfig, ctx: &RunContext) -> anyhow::Result<ExperimentOutcome> {
    let Started {
        dir,
        started,
        mut metrics,
    } = begin(NAME, ctx, config, config.validate())?;
    let data = spirals_2d(&config.data, ctx.seed);
    let (train, test) = data.split(config.train_fraction, ctx.seed);
    let mut figures = vec![save(
        &Figure {
            title: None,
            panels: vec![Panel::Scatter2 {
                title: format!(
                    "{} spiral arms, {} points each (angle noise {})",
                    config.data.classes, config.data.points_per_class, config.data.angle_noise
                ),
                x_label: "x".into(),
                y_label: "y".into(),
                series: class_series_2d(&data.points_2d(), data.labels(), &CLASS_NAMES),
                note: None,
            }],
            columns: 1,
            panel_size: (640, 600),
        },
        &dir,
        "data",
    )?];

    let grid = region_grid(config.region_resolution);
    // The networks are independent runs: side by side on the CPU, over the servers with
    // several `--remote`, else one after the other.
    let trained = spread(
        ctx,
        &config.models,
        (),
        |_| Ok(()),
        |ctx, _, &model| train_one(model, config, ctx, &train, &test, &data, &grid),
    )?;
    for t in &trained {
        metrics.add_run(t.model.name(), t.metrics.clone());
    }

    figures.extend(comparison_figure(&trained, &data, &dir)?);
    figures.push(regions_figure(
        &trained,
        &data,
        config.region_resolution,
        &dir,
    )?);
    if let Some(path) = embeddings_figure(&trained, &data, &dir)? {
        figures.push(path);
    }
    figures.extend(rainbow_figures(&trained, config, &dir)?);
    if let Some(gif) = animation(&trained, &data, &dir)? {
        figures.push(gif);
    }
    let runs: Vec<(&str, &RunMetrics)> = trained
        .iter()
        .map(|t| (t.model.name(), &t.metrics))
        .collect();
    figures.push(curves_figure(&runs, "cross-entropy", &dir)?);
    let order: Vec<&str> = runs.iter().map(|(n, _)| *n).collect();
    finish(NAME, dir, started, metrics, figures, &order, |metrics| {
        report(config, metrics, &trained, &train, &test)
    })
}

/// Cell centres of a `resolution × resolution` map of [`PLANE`], row-major from the bottom.
fn region_grid(resolution: usize) -> Vec<f32> {
    let step = (PLANE.1 - PLANE.0) / resolution as f32;
    let mut grid = Vec::with_capacity(resolution * resolution * 2);
    for row in 0..resolution {
        for col in 0..resolution {
            grid.push(PLANE.0 + (col as f32 + 0.5) * step);
            grid.push(PLANE.0 + (row as f32 + 0.5) * step);
        }
    }
    grid
}

fn train_one(
    model: SandwichModel,
    config: &SandwichConfig,
    ctx: &RunContext,
    train: &LabeledPoints,
    test: &LabeledPoints,
    all: &LabeledPoints,
    grid: &[f32],
) -> anyhow::Result<Trained> {
    let device: &Device = &ctx.device;
    let net_config = model.config(config.data.classes);
    let animate = model == SandwichModel::MlpEmb && config.animation_every > 0;
    let mut snapshots = Snapshots {
        every: config.animation_every.max(1),
        grid: grid_tensor(&region_grid(ANIMATION_RESOLUTION), device),
        points: all.to_device(device).features,
        frames: Vec::new(),
    };
    let observer: &mut dyn StepObserver<Mlp> = if animate { &mut snapshots } else { &mut () };
    let (net, mut metrics) = train_mlp_observed(
        &net_config,
        model.name(),
        &config.fit_config(ctx.seed),
        ctx,
        &train.to_device(device),
        &test.to_device(device),
        observer,
    );
    if animate {
        snapshots.take(config.epochs, &net);
    }
    save_model(ctx, NAME, model.slug(), &net, &net_config, &mut metrics)?;
    let output = net.forward_hidden(all.to_device(device).features);
    let predicted = classes(Loss::CrossEntropy.predict(output.logits));
    let hidden = output.hidden.into_iter().map(rows).collect();
    let regions = predict_grid(&net, grid, device);
    Ok(Trained {
        model,
        metrics,
        predicted,
        regions,
        hidden,
        frames: snapshots.frames,
    })
}

fn grid_tensor(grid: &[f32], device: &Device) -> Tensor<2> {
    let n = grid.len() / 2;
    Tensor::<2>::from_data(TensorData::new(grid.to_vec(), [n, 2]), device)
}

fn predict_grid(net: &Mlp, grid: &[f32], device: &Device) -> Vec<u32> {
    classes(Loss::CrossEntropy.predict(net.forward(grid_tensor(grid, device))))
}

/// Cells per side of the animation's region maps (coarser than the final figure's).
const ANIMATION_RESOLUTION: usize = 80;

/// `MLPemb` as training goes on: its decision regions and its last 2-D embedding.
struct Snapshot {
    epoch: usize,
    regions: Vec<u32>,
    embedding: Vec<[f32; 2]>,
}

/// Takes a [`Snapshot`] at the start of every `every`-th epoch (the weights as the previous
/// epoch left them), reading back only then.
struct Snapshots {
    every: usize,
    grid: Tensor<2>,
    points: Tensor<2>,
    frames: Vec<Snapshot>,
}

impl Snapshots {
    fn take(&mut self, epoch: usize, net: &Mlp) {
        let regions = classes(Loss::CrossEntropy.predict(net.forward(self.grid.clone())));
        let hidden = net.forward_hidden(self.points.clone()).hidden;
        let embedding = hidden
            .last()
            .map(|h| first_2(&rows(h.clone())))
            .unwrap_or_default();
        self.frames.push(Snapshot {
            epoch,
            regions,
            embedding,
        });
    }
}

impl StepObserver<Mlp> for Snapshots {
    fn after_backward(&mut self, view: &StepView<'_, Mlp>) {
        if view.batch == 0 && (view.epoch - 1).is_multiple_of(self.every) {
            self.take(view.epoch - 1, &view.model.valid());
        }
    }
}

/// The animated GIF of `MLPemb`'s regions and embedding over training.
fn animation(
    trained: &[Trained],
    data: &LabeledPoints,
    dir: &Path,
) -> anyhow::Result<Option<PathBuf>> {
    let Some(emb) = find(trained, SandwichModel::MlpEmb).filter(|t| !t.frames.is_empty()) else {
        return Ok(None);
    };
    let series = class_series_2d(&data.points_2d(), data.labels(), &CLASS_NAMES);
    let frames: Vec<Figure> = emb
        .frames
        .iter()
        .map(|s| Figure {
            title: Some(format!("MLPemb after {} epochs", s.epoch)),
            panels: vec![
                Panel::Regions {
                    title: "decision regions of the input plane".into(),
                    x_label: "x".into(),
                    y_label: "y".into(),
                    x_range: PLANE,
                    y_range: PLANE,
                    cols: ANIMATION_RESOLUTION,
                    rows: ANIMATION_RESOLUTION,
                    classes: s.regions.clone(),
                    series: series.clone(),
                    note: None,
                },
                Panel::Scatter2 {
                    title: "last 2-D embedding".into(),
                    x_label: "e1".into(),
                    y_label: "e2".into(),
                    series: class_series_2d(&s.embedding, data.labels(), &CLASS_NAMES),
                    note: None,
                },
            ],
            columns: 2,
            panel_size: (460, 440),
        })
        .collect();
    Ok(Some(save_animation(&frames, dir, "mlpemb_training", 250)?))
}

fn find(trained: &[Trained], model: SandwichModel) -> Option<&Trained> {
    trained.iter().find(|t| t.model == model)
}

fn diverged_note(t: &Trained) -> Option<String> {
    (t.metrics.status == RunState::Diverged).then(|| {
        format!(
            "diverged at epoch {}: predictions not meaningful",
            t.metrics.diverged_at_epoch.unwrap_or(0)
        )
    })
}

/// Bread only vs sandwich: the notebook's side-by-side predictions.
fn comparison_figure(
    trained: &[Trained],
    data: &LabeledPoints,
    dir: &Path,
) -> anyhow::Result<Option<PathBuf>> {
    let (Some(bread), Some(sandwich)) = (
        find(trained, SandwichModel::DeepLinear),
        find(trained, SandwichModel::Mlp),
    ) else {
        return Ok(None);
    };
    let points = data.points_2d();
    let panel = |title: String, t: &Trained| Panel::Scatter2 {
        title,
        x_label: "x".into(),
        y_label: "y".into(),
        series: class_series_2d(&points, &t.predicted, &CLASS_NAMES),
        note: diverged_note(t),
    };
    Ok(Some(save(
        &Figure {
            title: Some("Predicted classes: without ReLU it is not a sandwich".into()),
            panels: vec![
                panel(
                    format!(
                        "Bread only (DeepLinear), test {}",
                        percent(bread.metrics.test_accuracy)
                    ),
                    bread,
                ),
                panel(
                    format!(
                        "Sandwich (MLP), test {}",
                        percent(sandwich.metrics.test_accuracy)
                    ),
                    sandwich,
                ),
            ],
            columns: 2,
            panel_size: (620, 580),
        },
        dir,
        "bread_vs_sandwich",
    )?))
}

/// One decision-region map per model, with the points on top.
fn regions_figure(
    trained: &[Trained],
    data: &LabeledPoints,
    resolution: usize,
    dir: &Path,
) -> anyhow::Result<PathBuf> {
    let series = class_series_2d(&data.points_2d(), data.labels(), &CLASS_NAMES);
    let panels = trained
        .iter()
        .map(|t| Panel::Regions {
            title: format!(
                "{}: test accuracy {}",
                t.model.name(),
                percent(t.metrics.test_accuracy)
            ),
            x_label: "x".into(),
            y_label: "y".into(),
            x_range: PLANE,
            y_range: PLANE,
            cols: resolution,
            rows: resolution,
            classes: t.regions.clone(),
            series: series.clone(),
            note: diverged_note(t),
        })
        .collect();
    save(
        &Figure {
            title: Some("Decision regions of the input plane, with the true classes on top".into()),
            panels,
            columns: 2,
            panel_size: (600, 580),
        },
        dir,
        "regions",
    )
}

/// `MLPemb`'s first and last 2-D embeddings beside the input, coloured by true class.
fn embeddings_figure(
    trained: &[Trained],
    data: &LabeledPoints,
    dir: &Path,
) -> anyhow::Result<Option<PathBuf>> {
    let Some(emb) = find(trained, SandwichModel::MlpEmb) else {
        return Ok(None);
    };
    // Hidden layers of 2→10→2→10→2→K: [10-D ReLU, 2-D, 10-D ReLU, 2-D].
    let (Some(first), Some(last)) = (emb.hidden.get(1), emb.hidden.get(3)) else {
        return Ok(None);
    };
    let panel = |title: &str, points: Vec<[f32; 2]>, x: &str, y: &str| Panel::Scatter2 {
        title: title.into(),
        x_label: x.into(),
        y_label: y.into(),
        series: class_series_2d(&points, data.labels(), &CLASS_NAMES),
        note: diverged_note(emb),
    };
    Ok(Some(save(
        &Figure {
            title: Some(format!(
                "MLPemb: the data, transformed until it is linearly separable (test {})",
                percent(emb.metrics.test_accuracy)
            )),
            panels: vec![
                panel("Original data points", data.points_2d(), "x", "y"),
                panel(
                    "Lin+ReLU+Lin: first 2-D embedding",
                    first_2(first),
                    "e1",
                    "e2",
                ),
                panel(
                    "…+Lin+ReLU+Lin: last 2-D embedding",
                    first_2(last),
                    "e1",
                    "e2",
                ),
            ],
            columns: 3,
            panel_size: (560, 540),
        },
        dir,
        "embeddings",
    )?))
}

/// The rainbow sandwich: every ReLU layer of `MLPdeep` as dots whose position, colour and size
/// are its six activations, on black; once with each layer's own scale and once with one
/// scale for all layers.
fn rainbow_figures(
    trained: &[Trained],
    config: &SandwichConfig,
    dir: &Path,
) -> anyhow::Result<Vec<PathBuf>> {
    let Some(deep) = find(trained, SandwichModel::MlpDeep) else {
        return Ok(Vec::new());
    };
    let idx = config.rainbow_permutation;
    let layers: Vec<Vec<Dot>> = deep
        .hidden
        .iter()
        .filter(|rep| rep.first().is_some_and(|r| r.len() == 6))
        .map(|rep| {
            dot_features(rep, config.rainbow_normalization, idx)
                .into_iter()
                .map(|d| Dot {
                    x: d.x,
                    y: d.y,
                    color: (
                        (d.rgb[0] * 255.0).round() as u8,
                        (d.rgb[1] * 255.0).round() as u8,
                        (d.rgb[2] * 255.0).round() as u8,
                    ),
                    // matplotlib's marker area (points²) as a radius in pixels.
                    radius: (d.area.sqrt() * 0.45).clamp(1.0, 40.0),
                })
                .collect()
        })
        .collect();
    if layers.is_empty() {
        return Ok(Vec::new());
    }
    let extent = |pick: fn(&Dot) -> f32| {
        let values = layers.iter().flatten().map(pick).filter(|v| v.is_finite());
        let (lo, hi) = values.fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
        let margin = ((hi - lo) * 0.05).max(1e-3);
        (lo.is_finite() && hi.is_finite()).then_some((lo - margin, hi + margin))
    };
    let common = (extent(|d| d.x), extent(|d| d.y));
    let mapping = describe_permutation(idx);
    let mut figures = Vec::new();
    for (fixed, stem) in [(false, "rainbow"), (true, "rainbow_fixed_scale")] {
        let panels = layers
            .iter()
            .enumerate()
            .map(|(i, dots)| Panel::Dots {
                title: format!("relu{}", i + 1),
                x_label: format!("activation {}", idx[0]),
                y_label: format!("activation {}", idx[1]),
                dots: dots.clone(),
                dark: true,
                x_range: if fixed { common.0 } else { None },
                y_range: if fixed { common.1 } else { None },
                note: diverged_note(deep),
            })
            .collect();
        figures.push(save(
            &Figure {
                title: Some(format!(
                    "Rainbow sandwich: MLPdeep's ReLU layers as (x, y, R, G, B, size) — idx {idx:?} = {mapping}, \
                     normalization {}{}",
                    normalization_name(config.rainbow_normalization),
                    if fixed { ", common scale" } else { "" }
                )),
                panels,
                columns: layers.len(),
                panel_size: (520, 540),
            },
            dir,
            stem,
        )?);
    }
    Ok(figures)
}

fn normalization_name(n: Normalization) -> &'static str {
    match n {
        Normalization::None => "none",
        Normalization::Softmax => "softmax",
        Normalization::Sigmoid => "sigmoid",
        Normalization::MinMax => "minmax",
    }
}

fn report(
    config: &SandwichConfig,
    metrics: &Metrics,
    trained: &[Trained],
    train: &LabeledPoints,
    test: &LabeledPoints,
) -> Report {
    let mut r = Report::new("2-D spirals: a neural net is a sandwich (notebook 003)");
    r.paragraph(
        "`Linear` layers are bread, `ReLU` layers are what goes between. Without the filling, a stack of \
         bread is no sandwich: any number of linear layers is still one linear map. Linear layers rotate \
         and stretch the data, ReLU layers squash it, and the network learns how much of each to do until \
         the classes are linearly separable.",
    );
    r.paragraph(&format!(
        "Setup (as the notebook): {} spiral arms of {} points, angle noise {}, {} training / {} test \
         points, cross-entropy, AdamW (lr {}), shuffled batches of {} with `drop_last`, {} epochs. Test \
         metrics are computed on the whole test set (the notebook reports its last batch). Backend `{}` \
         ({}), seed {}, profile `{}`.",
        config.data.classes,
        config.data.points_per_class,
        config.data.angle_noise,
        train.len(),
        test.len(),
        config.learning_rate,
        config.batch_size,
        config.epochs,
        metrics.backend,
        metrics.device,
        metrics.seed,
        metrics.profile
    ));
    r.heading("Results");
    let runs: Vec<(&str, &RunMetrics)> = trained
        .iter()
        .map(|t| (t.model.name(), &t.metrics))
        .collect();
    results_table(&mut r, &runs);
    r.heading("Questions");
    let acc = |m| find(trained, m).and_then(|t| t.metrics.test_accuracy);
    if let (Some(bread), Some(sandwich)) = (acc(SandwichModel::DeepLinear), acc(SandwichModel::Mlp))
    {
        r.answer(
            "Does depth without non-linearity help?",
            &format!(
            "No. `DeepLinear` has three layers but no ReLU, so it \
             is one linear map and can only cut the plane into {} regions by straight lines through a common \
             structure: it reaches {} test accuracy, where chance is {}. The same layers with ReLU between \
             them (`MLP`) reach {}.",
            config.data.classes,
            percent(Some(bread)),
            percent(Some(1.0 / config.data.classes as f64)),
            percent(Some(sandwich))
        ),
        );
    }
    if let Some(emb) = acc(SandwichModel::MlpEmb) {
        r.answer(
            "What do the hidden layers do to the data?",
            &format!(
            "`MLPemb` squeezes its hidden layers through 2-unit \
             \"thin bread\" layers so they can be drawn. Its first embedding already stretches the arms apart; \
             in the last one each arm lies in its own wedge, separable by straight lines, which is all the final \
             linear layer can do. Test accuracy {}.",
            percent(Some(emb))
        ),
        );
    }
    r.heading("Figures");
    for file in &metrics.figures {
        let caption = match file.trim_end_matches(".png") {
            "data" => "The data: three intertwined spiral arms",
            "bread_vs_sandwich" => "Bread only vs sandwich: predicted classes of every point",
            "regions" => "Decision regions of each model over the input plane",
            "embeddings" => "MLPemb's 2-D embeddings, coloured by true class",
            "rainbow" => {
                "The rainbow sandwich: each ReLU layer of MLPdeep, its own scale per layer"
            }
            "rainbow_fixed_scale" => "The rainbow sandwich with one common scale for all layers",
            "curves" => "Loss and accuracy during training (solid: train, dashed: test)",
            "mlpemb_training.gif" => {
                "Animation: MLPemb's decision regions and last 2-D embedding as training goes on"
            }
            other => other,
        };
        r.figure(caption, file);
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notebook_defaults() {
        let c = SandwichConfig::default();
        assert_eq!(c.data.points_per_class, 1000);
        assert_eq!(c.data.classes, 3);
        assert_eq!(c.data.angle_noise, 0.2);
        assert_eq!((c.epochs, c.batch_size, c.log_every), (2000, 32, 10));
        assert_eq!(c.learning_rate, 1e-3);
        assert!(c.validate().is_ok());
        assert!(
            SandwichConfig::for_profile(Profile::Quick)
                .validate()
                .is_ok()
        );
    }

    #[test]
    fn validation_rejects_bad_values() {
        let bad = SandwichConfig {
            batch_size: 0,
            ..Default::default()
        };
        assert!(bad.validate().unwrap_err().contains("batch size"));
        let bad = SandwichConfig {
            batch_size: 100_000,
            ..Default::default()
        };
        assert!(bad.validate().unwrap_err().contains("larger than"));
        let mut bad = SandwichConfig::default();
        bad.data.classes = 1;
        assert!(bad.validate().unwrap_err().contains("classes"));
    }

    #[test]
    fn grid_covers_the_plane_bottom_up() {
        let grid = region_grid(4);
        assert_eq!(grid.len(), 32);
        assert!(grid[0] < 0.0 && grid[1] < 0.0, "first cell is bottom-left");
        assert!(grid[30] > 0.0 && grid[31] > 0.0, "last cell is top-right");
    }
}
