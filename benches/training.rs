//! Training-speed benchmarks: optimizer steps per second of the notebooks' small models.
//!
//! `cargo bench --bench training [-- --backend ndarray,wgpu --repeats 5]`
//!
//! - W1: notebook 000's 3→3→2→1 ReLU model, 800 points, full batch, Adam.
//! - W2: notebook 003's 2→10→10→3 ReLU MLP, batches of 32, AdamW.
//!
//! Each workload runs a warm-up (kernel compilation and autotuning on GPU backends), then
//! `repeats` timed runs; each run ends by reading a loss back, which synchronizes the device
//! before the clock is read. Prints the median and the spread of steps per second.

use std::time::Instant;

use unfold::data::{Spirals2dConfig, Spirals3dConfig, spirals_2d, spirals_3d};
use unfold::device::{Backend, select_device};
use unfold::models::{Activation, MlpConfig};
use unfold::train::{Batching, FitConfig, Loss, NoProgress, OptimizerConfig, fit};

struct Workload {
    name: &'static str,
    widths: Vec<usize>,
    data: unfold::data::LabeledPoints,
    fit: FitConfig,
}

fn workloads() -> Vec<Workload> {
    let w1_data = spirals_3d(&Spirals3dConfig::default(), 42).split(0.8, 42).0;
    let w2_data = spirals_2d(&Spirals2dConfig::default(), 12345)
        .split(0.8, 12345)
        .0;
    vec![
        Workload {
            name: "W1 spirals3d 3-3-2-1 full-batch Adam",
            widths: vec![3, 3, 2, 1],
            data: w1_data,
            fit: FitConfig {
                loss: Loss::BceWithLogits,
                optimizer: OptimizerConfig::adam(0.01),
                epochs: 300,
                batching: Batching::FullBatch,
                log_every: 1_000_000,
                seed: 0,
            },
        },
        Workload {
            name: "W2 spirals2d 2-10-10-3 batch 32 AdamW",
            widths: vec![2, 10, 10, 3],
            data: w2_data,
            fit: FitConfig {
                loss: Loss::CrossEntropy,
                optimizer: OptimizerConfig::adamw(1e-3),
                epochs: 4,
                batching: Batching::MiniBatch {
                    size: 32,
                    shuffle: true,
                    drop_last: true,
                },
                log_every: 1_000_000,
                seed: 0,
            },
        },
    ]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let backends: Vec<Backend> = match value("--backend") {
        Some(list) => list
            .split(',')
            .map(|b| b.parse().unwrap_or_else(|e| panic!("{e}")))
            .collect(),
        None => Backend::compiled()
            .into_iter()
            .filter(|b| b.is_cpu())
            .collect(),
    };
    let repeats: usize = value("--repeats").and_then(|r| r.parse().ok()).unwrap_or(5);

    println!(
        "{:<42} {:<8} {:>12} {:>10}",
        "workload", "backend", "steps/s", "spread"
    );
    for backend in backends {
        let selected = match select_device(backend, 0) {
            Ok(s) => s,
            Err(e) => {
                println!("{backend}: skipped ({e})");
                continue;
            }
        };
        for w in workloads() {
            let device = &selected.device;
            let data = w.data.to_device(device);
            let autodiff = device.clone().autodiff();
            let mut rates = Vec::new();
            for repeat in 0..=repeats {
                autodiff.seed(7);
                let model = MlpConfig::new(w.widths.clone(), Activation::Relu).init(&autodiff);
                let started = Instant::now();
                let (_, history) = fit(model, &data, None, &w.fit, w.name, &mut NoProgress);
                let seconds = started.elapsed().as_secs_f64();
                if repeat > 0 {
                    rates.push(history.steps as f64 / seconds);
                }
            }
            rates.sort_by(f64::total_cmp);
            let median = rates[rates.len() / 2];
            let spread = (rates[rates.len() - 1] - rates[0]) / median * 100.0;
            println!(
                "{:<42} {:<8} {:>12.0} {:>9.1}%",
                w.name, backend, median, spread
            );
        }
    }
}
