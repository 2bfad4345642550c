//! Notebook 000: two intertwined 3-D spirals, and how linear and ReLU layers transform them.
//!
//! Trains `LinearModel`, `LinearHiddenModel`, `ReLUHiddenModel` and a deeper ReLU model with
//! BCE-with-logits and Adam (lr 0.01) for 2000 full-batch epochs, then draws the data, each
//! model's predictions beside the true classes, and each hidden representation coloured by the
//! true and by the predicted class.

use std::path::{Path, PathBuf};

use burn::tensor::Device;
use serde::{Deserialize, Serialize};
use unfold_data::{LabeledPoints, spirals_3d};
use unfold_models::{Activation, Spirals3dModel};
use unfold_train::{Batching, FitConfig, Loss, OptimizerConfig};
use unfold_viz::{Figure, Panel};

use crate::plots::{class_series_2d, class_series_3d, classes, first_2, first_3, rows, save};
use crate::registry::ExperimentOutcome;
use crate::results::{Metrics, Report, RunMetrics, percent};
use crate::runs::{Started, begin, curves_figure, finish, results_table, save_model, train_mlp};
use crate::{Profile, RunContext};

/// The experiment's name on the command line and in results.
pub const NAME: &str = "spirals3d";

const CLASS_NAMES: [&str; 2] = ["spiral 0", "spiral 1"];

/// Settings of the 3-D spirals experiment. [`Default`] is the notebook's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Spirals3dConfig {
    /// The data generator's parameters (500 points per class, noise 0.05).
    pub data: unfold_data::Spirals3dConfig,
    /// Fraction of the points used for training (0.8: `test_size=0.2`).
    pub train_fraction: f64,
    /// Full-batch epochs (2000).
    pub epochs: usize,
    /// Adam's learning rate (0.01).
    pub learning_rate: f64,
    /// Log metrics every this many epochs.
    pub log_every: usize,
    /// The models to train, in order.
    pub models: Vec<Spirals3dModel>,
}

impl Default for Spirals3dConfig {
    fn default() -> Self {
        Self {
            data: unfold_data::Spirals3dConfig::default(),
            train_fraction: 0.8,
            epochs: 2000,
            learning_rate: 0.01,
            log_every: 10,
            models: Spirals3dModel::ALL.to_vec(),
        }
    }
}

impl Spirals3dConfig {
    /// The notebook's settings (`full`) or a shorter run of the same pipeline (`quick`).
    pub fn for_profile(profile: Profile) -> Self {
        match profile {
            Profile::Full => Self::default(),
            Profile::Quick => Self {
                epochs: 600,
                log_every: 20,
                ..Self::default()
            },
        }
    }

    /// Checks every value, with a message naming the bad one.
    pub fn validate(&self) -> Result<(), String> {
        if self.data.points_per_class < 2 {
            return Err("points per class must be ≥ 2".into());
        }
        if !(self.data.noise.is_finite() && self.data.noise >= 0.0) {
            return Err(format!(
                "noise must be finite and ≥ 0, got {}",
                self.data.noise
            ));
        }
        if !(self.train_fraction > 0.0 && self.train_fraction < 1.0) {
            return Err(format!(
                "train fraction must be in (0, 1), got {}",
                self.train_fraction
            ));
        }
        if self.models.is_empty() {
            return Err("at least one model is needed".into());
        }
        self.fit_config(0).validate()
    }

    fn fit_config(&self, seed: u64) -> FitConfig {
        FitConfig {
            loss: Loss::BceWithLogits,
            optimizer: OptimizerConfig::adam(self.learning_rate),
            epochs: self.epochs,
            batching: Batching::FullBatch,
            log_every: self.log_every,
            seed,
        }
    }
}

/// What one trained model produced, on the host, for figures and metrics.
struct Trained {
    model: Spirals3dModel,
    metrics: RunMetrics,
    /// Predicted class of every point of the whole data set.
    predicted: Vec<u32>,
    /// Hidden representations of the whole data set, one per hidden layer.
    hidden: Vec<Vec<Vec<f32>>>,
}

/// Runs the experiment: trains every model, writes metrics, figures and report under
/// `<ctx.out>/spirals3d/`.
pub fn run(config: &Spirals3dConfig, ctx: &RunContext) -> anyhow::Result<ExperimentOutcome> {
    let Started {
        dir,
        started,
        mut metrics,
    } = begin(NAME, ctx, config, config.validate())?;
    let data = spirals_3d(&config.data, ctx.seed);
    let (train, test) = data.split(config.train_fraction, ctx.seed);
    let mut figures = Vec::new();

    figures.push(save(
        &Figure {
            title: None,
            panels: vec![Panel::Scatter3 {
                title: format!(
                    "Two intertwined 3-D spirals ({} points, noise {})",
                    data.len(),
                    config.data.noise
                ),
                x_label: "x".into(),
                y_label: "y".into(),
                z_label: "z".into(),
                series: class_series_3d(&data.points_3d(), data.labels(), &CLASS_NAMES),
                note: None,
            }],
            columns: 1,
            panel_size: (760, 620),
        },
        &dir,
        "data",
    )?);

    let mut trained = Vec::new();
    for &model in &config.models {
        let t = train_one(model, config, ctx, &train, &test, &data)?;
        figures.extend(model_figures(&t, &data, &dir)?);
        metrics.add_run(model.name(), t.metrics.clone());
        trained.push(t);
    }

    let runs: Vec<(&str, &RunMetrics)> = trained
        .iter()
        .map(|t| (t.model.name(), &t.metrics))
        .collect();
    figures.push(curves_figure(&runs, "BCE with logits", &dir)?);
    let order: Vec<&str> = runs.iter().map(|(n, _)| *n).collect();
    finish(NAME, dir, started, metrics, figures, &order, |metrics| {
        report(config, metrics, &trained, &train, &test)
    })
}

fn train_one(
    model: Spirals3dModel,
    config: &Spirals3dConfig,
    ctx: &RunContext,
    train: &LabeledPoints,
    test: &LabeledPoints,
    all: &LabeledPoints,
) -> anyhow::Result<Trained> {
    let device: &Device = &ctx.device;
    let net_config = model.config();
    let (net, mut metrics) = train_mlp(
        &net_config,
        model.name(),
        &config.fit_config(ctx.seed),
        ctx,
        &train.to_device(device),
        &test.to_device(device),
    );
    save_model(ctx, NAME, model.slug(), &net, &net_config, &mut metrics)?;
    let everything = all.to_device(device);
    let output = net.forward_hidden(everything.features);
    let predicted = classes(Loss::BceWithLogits.predict(output.logits));
    let hidden: Vec<Vec<Vec<f32>>> = output.hidden.into_iter().map(rows).collect();
    if net_config.hidden_activations().contains(&Activation::Relu) {
        // Points whose whole representation is 0 in a layer: every unit inactive. Many such
        // points pile up on one dot at the origin of the figures.
        let at_origin: Vec<f64> = hidden
            .iter()
            .map(|rep| {
                let zero = rep.iter().filter(|r| r.iter().all(|v| *v == 0.0)).count();
                zero as f64 / rep.len().max(1) as f64
            })
            .collect();
        metrics.extra.insert(
            "hidden_fraction_at_origin".into(),
            serde_json::json!(at_origin),
        );
    }
    Ok(Trained {
        model,
        metrics,
        predicted,
        hidden,
    })
}

fn model_figures(t: &Trained, data: &LabeledPoints, dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let name = t.model.name();
    let mut figures = Vec::new();
    let diverged = t.metrics.status == "diverged";
    let note = diverged.then(|| {
        format!(
            "diverged at epoch {}: predictions not meaningful",
            t.metrics.diverged_at_epoch.unwrap_or(0)
        )
    });
    let points = data.points_3d();
    figures.push(save(
        &Figure {
            title: Some(format!(
                "{name} ({}): test accuracy {}",
                t.metrics.architecture.as_deref().unwrap_or(""),
                percent(t.metrics.test_accuracy)
            )),
            panels: vec![
                Panel::Scatter3 {
                    title: "True classes".into(),
                    x_label: "x".into(),
                    y_label: "y".into(),
                    z_label: "z".into(),
                    series: class_series_3d(&points, data.labels(), &CLASS_NAMES),
                    note: None,
                },
                Panel::Scatter3 {
                    title: format!("Predicted by {name}"),
                    x_label: "x".into(),
                    y_label: "y".into(),
                    z_label: "z".into(),
                    series: class_series_3d(&points, &t.predicted, &CLASS_NAMES),
                    note: note.clone(),
                },
            ],
            columns: 2,
            panel_size: (680, 580),
        },
        dir,
        &format!("predictions_{}", t.model.slug()),
    )?);

    // Hidden representations: every 3-D or 2-D hidden layer (the deep model's 16-D layers are
    // skipped: only its last, 2-D, hidden layer can be drawn).
    let mut panels = Vec::new();
    for (layer, rep) in t.hidden.iter().enumerate() {
        let width = rep.first().map_or(0, Vec::len);
        let what = format!("layer {} output ({width}-D)", layer + 1);
        for (colouring, labels) in [
            ("true", data.labels()),
            ("predicted", t.predicted.as_slice()),
        ] {
            let title = format!("{what}, {colouring} classes");
            let panel = match width {
                3 => Panel::Scatter3 {
                    title,
                    x_label: "h1".into(),
                    y_label: "h2".into(),
                    z_label: "h3".into(),
                    series: class_series_3d(&first_3(rep), labels, &CLASS_NAMES),
                    note: note.clone(),
                },
                2 => Panel::Scatter2 {
                    title,
                    x_label: "h1".into(),
                    y_label: "h2".into(),
                    series: class_series_2d(&first_2(rep), labels, &CLASS_NAMES),
                    note: note.clone(),
                },
                _ => continue,
            };
            panels.push(panel);
        }
    }
    if !panels.is_empty() {
        figures.push(save(
            &Figure {
                title: Some(format!(
                    "{name}: hidden representations of all {} points",
                    data.len()
                )),
                panels,
                columns: 2,
                panel_size: (620, 540),
            },
            dir,
            &format!("hidden_{}", t.model.slug()),
        )?);
    }
    Ok(figures)
}

fn report(
    config: &Spirals3dConfig,
    metrics: &Metrics,
    trained: &[Trained],
    train: &LabeledPoints,
    test: &LabeledPoints,
) -> Report {
    let mut r = Report::new("3-D spirals: layers as coordinate transformations (notebook 000)");
    r.paragraph(
        "Each layer of a network is a coordinate transformation; non-linear activations let these \
         transformations *unfold* a data manifold. Two intertwined spirals in 3-D are classified by a \
         linear model, a linear 3→3→2→1 network, the same network with ReLU, and a deeper ReLU network.",
    );
    r.paragraph(&format!(
        "Setup (as the notebook): {} points per spiral, noise {}, {} training / {} test points, \
         BCE-with-logits loss, Adam (lr {}), {} full-batch epochs. Backend `{}` ({}), seed {}, profile `{}`.",
        config.data.points_per_class,
        config.data.noise,
        train.len(),
        test.len(),
        config.learning_rate,
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
    let acc = |m: Spirals3dModel| {
        trained
            .iter()
            .find(|t| t.model == m)
            .and_then(|t| t.metrics.test_accuracy)
    };
    if let Some(linear) = acc(Spirals3dModel::Linear) {
        r.answer(
            "Can the linear model separate the spirals?",
            &format!(
            "No. A linear model draws one flat plane through \
             3-D space; the spirals wind around each other, so any plane leaves large parts of both on the \
             wrong side. `LinearModel` reaches {} test accuracy, where 50% is chance.",
            percent(Some(linear))
        ),
        );
    }
    if let (Some(linear), Some(hidden)) = (
        acc(Spirals3dModel::Linear),
        acc(Spirals3dModel::LinearHidden),
    ) {
        r.answer(
            "Does a linear hidden layer help?",
            &format!(
            "No: 3→3→2→1 without activations is a product of matrices, \
             itself one linear map, so it can only draw a plane as well ({} vs {} for `LinearModel`). Its 2-D \
             hidden representation is a flattened linear projection of the spirals, still intertwined.",
            percent(Some(hidden)),
            percent(Some(linear))
        ),
        );
    }
    if let Some(relu) = acc(Spirals3dModel::ReluHidden) {
        let at_origin = trained
            .iter()
            .find(|t| t.model == Spirals3dModel::ReluHidden)
            .and_then(|t| t.metrics.extra.get("hidden_fraction_at_origin"))
            .and_then(|v| v.as_array())
            .and_then(|layers| layers.last())
            .and_then(|v| v.as_f64());
        let origin_text = at_origin
            .filter(|f| *f > 0.0)
            .map(|f| {
                format!(
                    " In its 2-D layer {} of the points sit exactly at the origin (both ReLUs off), \
                     drawn as a single dot: the network has folded that whole part of the data onto one point.",
                    percent(Some(f))
                )
            })
            .unwrap_or_default();
        r.answer(
            "How does the representation change with ReLU?",
            &format!(
            "The linear network's 2-D representation is a \
             flattened copy of the spirals, still wound around each other. ReLU folds space instead: every unit \
             clips its half-space to zero, so the hidden layers bend the spirals onto the axes and corners of the \
             positive quadrant. `ReLUHiddenModel` reaches {} test accuracy with the same 3→3→2→1 shape.{} With \
             only 2-3 units per layer, units that stay at 0 limit how far such a small network unfolds the data.",
            percent(Some(relu)),
            origin_text
        ),
        );
    }
    if let Some(deep) = acc(Spirals3dModel::DeepRelu) {
        r.answer(
            "And a deeper network?",
            &format!(
                "`DeepReLUModel` (3→16→16→2→1) reaches {} test accuracy; its last, 2-D \
             hidden layer shows the two spirals pulled apart so that one line separates them.",
                percent(Some(deep))
            ),
        );
    }
    r.heading("Figures");
    for file in &metrics.figures {
        let stem = file.trim_end_matches(".png");
        let model_named = |prefix: &str| {
            Spirals3dModel::ALL
                .into_iter()
                .find(|m| stem.strip_prefix(prefix) == Some(m.slug()))
                .map(Spirals3dModel::name)
        };
        let caption = if stem == "data" {
            "The data: two intertwined 3-D spirals".to_string()
        } else if stem == "curves" {
            "Loss and accuracy during training (solid: train, dashed: test)".to_string()
        } else if let Some(name) = model_named("predictions_") {
            format!("{name}: true classes (left) and predicted classes (right)")
        } else if let Some(name) = model_named("hidden_") {
            format!("{name}: hidden representations, coloured by true and by predicted class")
        } else {
            stem.to_string()
        };
        r.figure(&caption, file);
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notebook_defaults() {
        let c = Spirals3dConfig::default();
        assert_eq!(c.data.points_per_class, 500);
        assert_eq!(c.data.noise, 0.05);
        assert_eq!(c.epochs, 2000);
        assert_eq!(c.learning_rate, 0.01);
        assert!(c.validate().is_ok());
        assert!(Spirals3dConfig::for_profile(Profile::Quick).epochs < c.epochs);
    }

    #[test]
    fn validation_rejects_bad_values() {
        let bad = Spirals3dConfig {
            train_fraction: 1.0,
            ..Default::default()
        };
        assert!(bad.validate().unwrap_err().contains("train fraction"));
        let bad = Spirals3dConfig {
            epochs: 0,
            ..Default::default()
        };
        assert!(bad.validate().unwrap_err().contains("epochs"));
        let bad = Spirals3dConfig {
            learning_rate: f64::INFINITY,
            ..Default::default()
        };
        assert!(bad.validate().unwrap_err().contains("learning rate"));
    }
}
