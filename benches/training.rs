//! Training-speed benchmarks (criterion): one optimizer step of each of the notebooks' models,
//! with the throughput in examples per second (W1-W4) or steps per second (W5).
//!
//! `cargo bench --bench training` measures every compiled CPU backend; set
//! `UNFOLD_BENCH_BACKENDS=ndarray,wgpu` to choose. `UNFOLD_DATA` points W3/W4 at the real
//! images (synthetic ones of the same shape otherwise). `unfold bench` measures the same
//! workloads (built by `unfold::bench::trainer`) as whole runs and writes JSON.
//!
//! Each sample runs a number of steps and then reads the last loss back, which waits for the
//! device, so GPU timings count finished work.

use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use unfold::bench::{Workload, trainer, xor_steps};
use unfold::device::{Backend, select_device};

fn backends() -> Vec<Backend> {
    match std::env::var("UNFOLD_BENCH_BACKENDS") {
        Ok(list) if !list.trim().is_empty() => list
            .split(',')
            .map(|b| {
                b.parse()
                    .unwrap_or_else(|e| panic!("UNFOLD_BENCH_BACKENDS: {e}"))
            })
            .collect(),
        _ => Backend::compiled()
            .into_iter()
            .filter(|b| b.is_cpu())
            .collect(),
    }
}

fn training(c: &mut Criterion) {
    let data_dir = std::env::var_os(unfold::data::DATA_ENV).map(std::path::PathBuf::from);
    for backend in backends() {
        let selected = match select_device(backend, 0) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("{backend}: skipped ({e})");
                continue;
            }
        };
        for workload in [Workload::W1, Workload::W2, Workload::W3, Workload::W4] {
            let Some((mut t, _, _)) =
                trainer(workload, &selected.device, false, data_dir.as_deref())
            else {
                continue;
            };
            t.run(5); // kernel compilation and autotuning on GPU backends
            let mut group = c.benchmark_group(format!("{}/{backend}", workload.id()));
            group.throughput(Throughput::Elements(t.examples_per_step as u64));
            group.sample_size(10);
            group.measurement_time(Duration::from_secs(5));
            group.bench_function(workload.description(), |b| {
                b.iter_custom(|iters| Duration::from_secs_f64(t.run(iters as usize)))
            });
            group.finish();
        }
        // W5 trains a fresh XOR network per sample (whole epochs of 32 single-example steps).
        let mut group = c.benchmark_group(format!("W5/{backend}"));
        group.throughput(Throughput::Elements(1));
        group.sample_size(10);
        group.measurement_time(Duration::from_secs(5));
        group.bench_function(Workload::W5.description(), |b| {
            b.iter_custom(|iters| {
                let (steps, seconds) = xor_steps(iters as usize, &selected.device);
                Duration::from_secs_f64(seconds * iters as f64 / steps as f64)
            })
        });
        group.finish();
    }
}

criterion_group!(benches, training);
criterion_main!(benches);
