//! The MLP studies of notebook 001: one run per (initialization, optimizer, batch norm), each
//! trained once however many studies list it, checkpointed for `--resume`.

use anyhow::Context;
use serde::{Deserialize, Serialize};
use unfold_models::LayerInit;
use unfold_train::{Loss, OptimizerConfig, evaluate};

use super::MnistConfig;
use super::run::{DeviceSplits, MnistData};
use crate::RunContext;
use crate::results::RunMetrics;
use crate::runs::{Checkpoints, spread, train_mlp};

/// What the studies trained, by run name, as `metrics.json` records it under `studies`: the
/// report reads the tables and the best and worst choices from here.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(super) struct Studies {
    /// The baseline MLP's run (the first initialization with the baseline optimizer).
    pub baseline: String,
    /// The initialization study, in the configured order.
    pub initialization: Vec<Entry>,
    /// The optimizer study (the baseline optimizer first), with the best initialization.
    pub optimizer: Vec<Entry>,
    /// The initialization with the highest final validation accuracy.
    pub best_initialization: String,
    /// The initialization with the lowest final validation accuracy.
    pub worst_initialization: String,
    /// The optimizer with the highest final validation accuracy.
    pub best_optimizer: String,
    /// The optimizer with the lowest final validation accuracy.
    pub worst_optimizer: String,
    /// Best initialization × worst optimizer, then worst initialization × best optimizer
    /// (empty without `reflection`).
    pub reflection: Vec<Entry>,
    /// The baseline with batch normalization (without `batch_norm`: none).
    pub batch_norm: Option<String>,
}

/// One row of a study: what changed, and the run that trained it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct Entry {
    /// The study's variable (an initialization, an optimizer).
    pub label: String,
    /// The run's name in `runs`.
    pub run: String,
}

/// One MLP configuration of the studies.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct RunSpec {
    pub init: LayerInit,
    pub optimizer: OptimizerConfig,
    pub batch_norm: bool,
}

impl RunSpec {
    /// The run's name in the results (`MLP zeros + Adam`, `MLP+BN default init + Adam`).
    pub fn name(&self) -> String {
        format!(
            "MLP{} {} + {}",
            if self.batch_norm { "+BN" } else { "" },
            init_name(&self.init),
            optimizer_name(&self.optimizer)
        )
    }
}

pub(super) fn init_name(init: &LayerInit) -> String {
    match *init {
        LayerInit::Default => "default init".into(),
        LayerInit::Zeros => "zeros".into(),
        LayerInit::Uniform { low, high } => format!("uniform[{low},{high}]"),
        LayerInit::Normal { mean, std } => format!("N({mean},{std})"),
        LayerInit::XavierUniform => "Xavier".into(),
    }
}

pub(super) fn optimizer_name(optimizer: &OptimizerConfig) -> &'static str {
    match optimizer {
        OptimizerConfig::Adam { .. } => "Adam",
        OptimizerConfig::AdamW { .. } => "AdamW",
        OptimizerConfig::Sgd { .. } => "SGD",
        OptimizerConfig::RmsProp { .. } => "RMSProp",
        OptimizerConfig::AdaGrad { .. } => "Adagrad",
    }
}

/// The MLP runs trained so far; a combination that recurs (the baseline is also the default
/// initialization's run and Adam's run in the optimizer study) is trained once.
pub(super) struct Runs<'a> {
    config: &'a MnistConfig,
    ctx: &'a RunContext,
    data: &'a MnistData,
    /// Every run trained or resumed so far, in that order.
    pub done: Vec<(RunSpec, RunMetrics)>,
    /// The saved runs, for `--resume`.
    pub checkpoints: Checkpoints,
}

impl<'a> Runs<'a> {
    /// No runs yet; finished ones are saved under `<out>/mnist/runs/` (see [`Checkpoints`]).
    pub fn new(
        config: &'a MnistConfig,
        ctx: &'a RunContext,
        data: &'a MnistData,
    ) -> anyhow::Result<Self> {
        Ok(Self {
            config,
            ctx,
            data,
            done: Vec::new(),
            checkpoints: Checkpoints::new(ctx, super::NAME, config)?,
        })
    }

    /// The runs of `specs`, in order: finished ones reused, checkpointed ones resumed, the rest
    /// trained — spread over the context's devices when it has several.
    pub fn get_all(&mut self, specs: &[RunSpec]) -> anyhow::Result<Vec<(String, RunMetrics)>> {
        let mut to_train: Vec<RunSpec> = Vec::new();
        for spec in specs {
            if self.done.iter().any(|(s, _)| s == spec) || to_train.contains(spec) {
                continue;
            }
            let name = spec.name();
            if let Some(metrics) = self.checkpoints.load(&name) {
                unfold_train::say!("  · {name} — resumed from an earlier run");
                self.done.push((spec.clone(), metrics));
            } else {
                to_train.push(spec.clone());
            }
        }
        let (config, checkpoints, spread_over) =
            (self.config, &self.checkpoints, self.ctx.workers.len() + 1);
        let trained = spread(
            self.ctx,
            &to_train,
            None,
            |ctx| Ok(Some(self.data.on_device(&ctx.device))),
            |ctx, splits: &Option<DeviceSplits>, spec| {
                let splits = splits.as_ref().unwrap_or(&self.data.splits);
                let metrics = train_run(config, ctx, splits, spec)?;
                checkpoints.save(&spec.name(), &metrics)?;
                if spread_over > 1 {
                    unfold_train::say!(
                        "  · {} — trained on {}",
                        spec.name(),
                        ctx.device_description
                    );
                }
                Ok(metrics)
            },
        );
        // Keep what finished even when a later run failed.
        let trained = trained.context(crate::runs::RESUMABLE)?;
        self.done.extend(to_train.into_iter().zip(trained));
        Ok(specs
            .iter()
            .map(|spec| {
                let (_, m) = self
                    .done
                    .iter()
                    .find(|(s, _)| s == spec)
                    .expect("every spec is done");
                (spec.name(), m.clone())
            })
            .collect())
    }
}

/// Trains the MLP of `spec` on the splits' device and scores it once on the test set.
fn train_run(
    config: &MnistConfig,
    ctx: &RunContext,
    splits: &DeviceSplits,
    spec: &RunSpec,
) -> anyhow::Result<RunMetrics> {
    let name = spec.name();
    let net_config = config
        .net()
        .with_init(spec.init)
        .with_batch_norm(spec.batch_norm);
    let fit = config.fit_config(spec.optimizer.clone(), ctx.seed);
    let (net, mut metrics) = train_mlp(
        &net_config,
        &name,
        &fit,
        ctx,
        &splits.train,
        &splits.validation,
    );
    // The logged held-out set is the validation split; the test set is scored once, now.
    let validation = metrics.test_accuracy;
    let (test_loss, test_accuracy) = evaluate(&net, Loss::CrossEntropy, &splits.test);
    metrics.test_accuracy = test_accuracy.is_finite().then_some(test_accuracy);
    metrics.final_test_loss = test_loss.is_finite().then_some(test_loss);
    metrics
        .extra
        .insert("validation_accuracy".into(), serde_json::json!(validation));
    metrics.extra.insert(
        "initialization".into(),
        serde_json::json!(spec.init.label()),
    );
    metrics.extra.insert(
        "optimizer".into(),
        serde_json::to_value(&spec.optimizer).unwrap_or_default(),
    );
    Ok(metrics)
}

/// Final validation accuracy of a run (`-1` for a run without one, so it never wins).
pub(super) fn final_validation(m: &RunMetrics) -> f64 {
    m.extra
        .get("validation_accuracy")
        .and_then(|v| v.as_f64())
        .unwrap_or(-1.0)
}

/// The entry with the highest (or lowest) final validation accuracy; ties keep the first.
pub(super) fn best_by_validation<T: Clone>(runs: &[(T, String, RunMetrics)], highest: bool) -> T {
    pick_by_validation(runs, |run| &run.2, highest)
        .expect("a study has runs")
        .0
        .clone()
}

/// The item whose run (`metrics`) has the highest (or lowest) final validation accuracy; ties
/// keep the first; `None` for no items. The studies choose with it, and the report names the
/// best and worst rows of its tables with it.
pub(super) fn pick_by_validation<I>(
    items: &[I],
    metrics: impl Fn(&I) -> &RunMetrics,
    highest: bool,
) -> Option<&I> {
    let (first, rest) = items.split_first()?;
    let mut best = first;
    for item in rest {
        let (a, b) = (
            final_validation(metrics(item)),
            final_validation(metrics(best)),
        );
        if (highest && a > b) || (!highest && a < b) {
            best = item;
        }
    }
    Some(best)
}

/// How the optimizer study's table names an optimizer (`SGD (lr 0.001)`).
pub(super) fn optimizer_label(optimizer: &OptimizerConfig) -> String {
    format!(
        "{} (lr {})",
        optimizer_name(optimizer),
        optimizer.learning_rate()
    )
}
