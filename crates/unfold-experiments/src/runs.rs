//! Training one notebook model: the steps every experiment shares.

use burn::module::Module;
use unfold_data::DeviceData;
use unfold_models::{Mlp, MlpConfig};
use unfold_train::{FitConfig, fit};

use crate::RunContext;
use crate::results::RunMetrics;

/// Builds `config` on the context's device (autodiff on), seeded with the context's seed so its
/// initial weights do not depend on which models ran before, trains it with `fit_config`, and
/// returns the trained network in validation mode with its metrics (curves, final numbers,
/// parameter count, architecture).
pub fn train_mlp(
    config: &MlpConfig,
    name: &str,
    fit_config: &FitConfig,
    ctx: &RunContext,
    train: &DeviceData,
    test: &DeviceData,
) -> (Mlp, RunMetrics) {
    let autodiff = ctx.device.clone().autodiff();
    autodiff.seed(ctx.seed);
    let net = config.init(&autodiff);
    let parameters = net.num_params();
    let mut progress = ctx.progress();
    let (net, history) = fit(net, train, Some(test), fit_config, name, progress.as_mut());
    let mut metrics = RunMetrics::from_history(&history);
    metrics.parameters = Some(parameters);
    metrics.architecture = Some(config.describe());
    (net.valid(), metrics)
}
