//! Training notebook 003's models: each network, its predictions, hidden representations and
//! decision regions, and `MLPemb`'s snapshots for the animation.

use burn::module::Module;
use burn::tensor::{Device, Tensor, TensorData};
use unfold_data::{LabeledPoints, spirals_2d};
use unfold_models::{Mlp, SandwichModel};
use unfold_train::{Loss, StepObserver, StepView};
use unfold_viz::{Figure, Panel};

use super::figures::{self, CLASS_NAMES};
use super::{NAME, SandwichConfig};
use crate::RunContext;
use crate::experiment::RunRecord;
use crate::plots::{class_series_2d, classes, first_2, rows, save};
use crate::results::RunMetrics;
use crate::runs::{save_model, spread, train_mlp_observed};

/// The square of the input plane the maps cover.
pub(super) const PLANE: (f32, f32) = (-1.25, 1.25);

/// One trained network and what the figures need from it, on the host.
pub(super) struct Trained {
    pub(super) model: SandwichModel,
    pub(super) metrics: RunMetrics,
    /// Predicted class of every point.
    pub(super) predicted: Vec<u32>,
    /// Predicted class of every cell of the region map, row-major from the bottom row.
    pub(super) regions: Vec<u32>,
    /// Hidden representations of every point, one per hidden layer.
    pub(super) hidden: Vec<Vec<Vec<f32>>>,
    /// Snapshots during training (`MLPemb` only, when animated).
    pub(super) frames: Vec<Snapshot>,
}

/// Trains every model and records metrics and figures, in the notebook's order.
pub(super) fn run(
    config: &SandwichConfig,
    ctx: &RunContext,
    record: &mut RunRecord,
) -> anyhow::Result<()> {
    let data = spirals_2d(&config.data, ctx.seed);
    let (train, test) = data.split(config.train_fraction, ctx.seed);
    record.extra("train_points", train.len())?;
    record.extra("test_points", test.len())?;
    let dir = record.dir.clone();
    let png = save(
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
    )?;
    record.figure(
        png,
        format!(
            "The data: {} intertwined spiral arms",
            figures::count_word(config.data.classes)
        ),
    );

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
        record.add_run(t.model.name(), t.metrics.clone());
    }
    figures::record_all(&trained, &data, config, &dir, record)
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
    let net_config = config.net(model);
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
pub(super) const ANIMATION_RESOLUTION: usize = 80;

/// `MLPemb` as training goes on: its decision regions and its last 2-D embedding.
pub(super) struct Snapshot {
    pub(super) epoch: usize,
    pub(super) regions: Vec<u32>,
    pub(super) embedding: Vec<[f32; 2]>,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_covers_the_plane_bottom_up() {
        let grid = region_grid(4);
        assert_eq!(grid.len(), 32);
        assert!(grid[0] < 0.0 && grid[1] < 0.0, "first cell is bottom-left");
        assert!(grid[30] > 0.0 && grid[31] > 0.0, "last cell is top-right");
    }
}
