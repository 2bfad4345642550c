//! The (d, hidden) grid: which runs to train, training them, and the table cells.

use burn::module::Module;
use serde::{Deserialize, Serialize};
use unfold_data::xor_data;
use unfold_models::FFNet;
use unfold_train::{FitConfig, History};

use super::{XorConfig, hidden_sizes, run_seed, train_xor, train_xor_batched};
use crate::RunContext;
use crate::results::RunMetrics;

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

/// The median of `values` (the mean of the middle two for an even count); `None` if empty.
pub(super) fn median(values: &[f64]) -> Option<f64> {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let m = v.len() / 2;
    match v.len() {
        0 => None,
        n if n % 2 == 1 => Some(v[m]),
        _ => Some((v[m - 1] + v[m]) / 2.0),
    }
}

/// The runs of one input dimension: every (hidden size, repetition) pair with its seed.
pub(super) struct DimensionPlan {
    /// The input dimension.
    pub(super) d: usize,
    /// Its hidden sizes, ascending.
    pub(super) sizes: Vec<usize>,
    /// (hidden, repetition, seed) per run.
    pub(super) runs: Vec<(usize, usize, u64)>,
}

impl DimensionPlan {
    pub(super) fn new(config: &XorConfig, base_seed: u64, d: usize) -> Self {
        let sizes = hidden_sizes(&config.hidden, d);
        let runs = sizes
            .iter()
            .flat_map(|&h| {
                (0..config.seeds).map(move |rep| (h, rep, run_seed(base_seed, d, h, rep)))
            })
            .collect();
        Self { d, sizes, runs }
    }

    pub(super) fn run_names(&self) -> Vec<String> {
        self.runs
            .iter()
            .map(|&(h, rep, _)| run_name(self.d, h, rep))
            .collect()
    }
}

/// A run's name in the metrics: `d3-h6-s0`.
pub(super) fn run_name(d: usize, hidden: usize, repetition: usize) -> String {
    format!("d{d}-h{hidden}-s{repetition}")
}

/// Trains every run of one dimension on the context's device; the metrics come in the plan's
/// run order, each with its grid coordinates and whether it converged.
pub(super) fn train_dimension(
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

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::Device;

    fn device() -> Device {
        Device::flex()
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
