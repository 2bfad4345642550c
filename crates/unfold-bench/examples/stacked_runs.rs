//! Is it faster on the CPU to train a study's identical runs as one computation?
//!
//! `R` W3-shaped networks (784→400→400→10 ReLU, batches of 128, Adam), trained three ways on
//! `flex`: separately on one thread, separately in two 1-thread lanes side by side (what
//! `unfold_experiments::runs::spread` does), and stacked into one computation — the first layer
//! one `[N, 784]·[784, R·400]` product on the shared batch, the others `[R, N, ·]` batched
//! products, Adam over the stacked parameters — on one thread and on two. Random data of MNIST's
//! shape: the speed does not depend on the values. BENCHMARKS.md, "CPU speed: what was tried".
//!
//! ```sh
//! cargo run --release --example stacked_runs -- 5 200    # R runs, steps per run
//! ```

use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use burn::module::{Module, Param};
use burn::optim::GradientsParams;
use burn::tensor::activation::{log_softmax, relu};
use burn::tensor::{Device, Distribution, Int, Tensor, TensorData};
use unfold_device::threads::CpuPool;
use unfold_models::{Activation, MlpConfig};
use unfold_train::{Loss, OptimizerConfig, train_step};

const BATCH: usize = 128;
const BATCHES: usize = 8;
const HIDDEN: usize = 400;
const LEARNING_RATE: f64 = 1e-3;

/// `runs` 784→400→400→10 ReLU networks as one module.
#[derive(Module, Debug)]
struct Stacked {
    /// `[784, R·400]`: every run's first layer side by side.
    w1: Param<Tensor<2>>,
    b1: Param<Tensor<3>>,
    w2: Param<Tensor<3>>,
    b2: Param<Tensor<3>>,
    w3: Param<Tensor<3>>,
    b3: Param<Tensor<3>>,
}

impl Stacked {
    fn new(runs: usize, device: &Device) -> Self {
        let init = Distribution::Uniform(-0.05, 0.05);
        let p3 = |shape: [usize; 3]| Param::from_tensor(Tensor::random(shape, init, device));
        Self {
            w1: Param::from_tensor(Tensor::random([784, runs * HIDDEN], init, device)),
            b1: p3([runs, 1, HIDDEN]),
            w2: p3([runs, HIDDEN, HIDDEN]),
            b2: p3([runs, 1, HIDDEN]),
            w3: p3([runs, HIDDEN, 10]),
            b3: p3([runs, 1, 10]),
        }
    }

    /// `[N, 784]` → `[R, N, 10]`.
    fn forward(&self, x: Tensor<2>) -> Tensor<3> {
        let [runs, _, _] = self.b1.dims();
        let n = x.dims()[0];
        let first = x.matmul(self.w1.val()).reshape([n, runs, HIDDEN]);
        let h = relu(first.swap_dims(0, 1) + self.b1.val());
        let h = relu(h.matmul(self.w2.val()) + self.b2.val());
        h.matmul(self.w3.val()) + self.b3.val()
    }
}

/// The batches every run takes in turn: images, labels, one-hot labels.
struct Batches {
    x: Tensor<2>,
    y: Tensor<1, Int>,
    one_hot: Tensor<2>,
}

impl Batches {
    fn new(device: &Device) -> Self {
        let rows = BATCH * BATCHES;
        let x = Tensor::random([rows, 784], Distribution::Uniform(0.0, 1.0), device);
        let labels: Vec<i64> = (0..rows as i64).map(|i| i * 7 % 10).collect();
        let y = Tensor::<1, Int>::from_data(TensorData::new(labels, [rows]), device);
        let one_hot = y.clone().one_hot::<2>(10).float();
        Self { x, y, one_hot }
    }

    fn get(&self, step: usize) -> (Tensor<2>, Tensor<1, Int>, Tensor<2>) {
        let rows = (step % BATCHES) * BATCH..(step % BATCHES + 1) * BATCH;
        (
            self.x.clone().slice(rows.clone()),
            self.y.clone().slice(rows.clone()),
            self.one_hot.clone().slice(rows),
        )
    }
}

fn separate_run(batches: &Batches, device: &Device, steps: usize) {
    let mut model = MlpConfig::new(vec![784, HIDDEN, HIDDEN, 10], Activation::Relu).init(device);
    let mut optim = OptimizerConfig::adam(LEARNING_RATE).build();
    let mut loss = None;
    for step in 0..steps {
        let (x, y, _) = batches.get(step);
        let batch = (x, y);
        let (next, value) = train_step(
            model,
            &mut optim,
            LEARNING_RATE,
            Loss::CrossEntropy,
            batch,
            &mut (),
        );
        model = next;
        loss = Some(value);
    }
    let _: f32 = loss.expect("at least one step").into_scalar();
}

fn stacked_runs(batches: &Batches, device: &Device, runs: usize, steps: usize) {
    let mut model = Stacked::new(runs, device);
    let mut optim = OptimizerConfig::adam(LEARNING_RATE).build();
    let mut loss = None;
    for step in 0..steps {
        let (x, _, one_hot) = batches.get(step);
        // The sum of every run's mean cross-entropy: each run's gradient is its own loss's.
        let value = (log_softmax(model.forward(x), 2) * one_hot.unsqueeze::<3>())
            .sum()
            .neg()
            .div_scalar(BATCH as f64);
        let grads = GradientsParams::from_grads(value.backward(), &model);
        model = optim.step(LEARNING_RATE, model, grads);
        loss = Some(value);
    }
    let _: f32 = loss.expect("at least one step").into_scalar();
}

/// Images per second of `images` trained in `work`, after one untimed call.
fn rate(images: usize, mut work: impl FnMut()) -> f64 {
    work();
    let started = Instant::now();
    work();
    images as f64 / started.elapsed().as_secs_f64()
}

fn main() {
    let mut args = std::env::args().skip(1).map(|a| a.parse::<usize>());
    let runs = args.next().and_then(Result::ok).unwrap_or(5).max(1);
    let steps = args.next().and_then(Result::ok).unwrap_or(200).max(1);
    let device = Device::flex().autodiff();
    let batches = Batches::new(&device);
    let pool = |threads: usize| {
        CpuPool::new(0, NonZeroUsize::new(threads).expect("threads > 0")).expect("a CPU pool")
    };
    let (one, two) = (pool(1), pool(2));
    let lanes = [pool(1), pool(1)];
    let images = runs * steps * BATCH;

    let separate = rate(steps * BATCH, || {
        one.run(|| separate_run(&batches, &device, steps))
    });
    println!("one run, 1 thread:                 {separate:>8.0} images/s");
    let side_by_side = rate(images, || {
        let next = AtomicUsize::new(0);
        std::thread::scope(|scope| {
            for lane in &lanes {
                let (next, batches, device) = (&next, &batches, &device);
                scope.spawn(move || {
                    while next.fetch_add(1, Ordering::Relaxed) < runs {
                        lane.run(|| separate_run(batches, device, steps));
                    }
                });
            }
        });
    });
    println!("{runs} runs, two 1-thread lanes:       {side_by_side:>8.0} images/s");
    for (threads, pool) in [(1, &one), (2, &two)] {
        let stacked = rate(images, || {
            pool.run(|| stacked_runs(&batches, &device, runs, steps))
        });
        println!("{runs} runs stacked, {threads} thread(s):       {stacked:>8.0} images/s");
    }
}
