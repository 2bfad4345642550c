//! Optimizer steps in one pass over each parameter, for the CPU backend `flex`.
//!
//! Burn's optimizers update a parameter with a chain of tensor operations: Adam makes about a
//! dozen passes over every parameter and allocates five parameter-sized buffers per step, and
//! burn-flex runs each of those element-wise passes on one thread. On `flex` a tensor's buffer
//! moves in and out of a [`TensorData`] without a copy, so [`OnePassAdam`], [`OnePassAdamW`]
//! and [`OnePassSgd`] read the parameter, its gradient and its state once, do the same
//! arithmetic element by element, split over the CPU pool, and hand the buffers back.
//!
//! Every element goes through the same `f32` operations in the same order as in Burn's
//! optimizers (a product and a sum are two roundings here too, never a fused multiply-add), so
//! the results are the same bit for bit; the tests compare them with Burn's, step by step. The
//! states record under Burn's names, so checkpoints are the same whichever optimizer wrote
//! them. On any other device, or for another float type, Adam and AdamW call the Burn
//! optimizer they wrap and SGD makes Burn's tensor operations itself ([`SgdVelocity`] says
//! why).

use burn::optim::{
    Adam, AdamState, AdamW, AdamWState, AdaptiveMomentumState, LearningRate, Optimizer,
    RecordState, StateSink, StateSource, join_path,
};
use burn::tensor::{Device, Tensor, TensorData};

/// Adam's hyperparameters as Burn's `Adam` holds them (its fields are private).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct AdamHyper {
    pub beta_1: f32,
    pub beta_2: f32,
    pub epsilon: f32,
    /// Adam: the L2 penalty added to the gradient (`None` for none). AdamW: the decoupled
    /// weight decay (0 for none).
    pub weight_decay: Option<f32>,
}

/// SGD's hyperparameters as Burn's `Sgd` holds them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct SgdHyper {
    /// `(momentum, dampening, nesterov)`, `None` for plain SGD.
    pub momentum: Option<(f64, f64, bool)>,
    pub weight_decay: Option<f32>,
}

/// Burn's Adam (L2 weight decay added to the gradient), one pass per parameter on `flex`.
#[derive(Clone)]
pub struct OnePassAdam {
    burn: Adam,
    hyper: AdamHyper,
}

/// Burn's AdamW (decoupled weight decay), one pass per parameter on `flex`.
#[derive(Clone)]
pub struct OnePassAdamW {
    burn: AdamW,
    hyper: AdamHyper,
}

/// Burn's SGD (optionally with momentum and L2 weight decay), one pass per parameter on
/// `flex`; elsewhere the same tensor operations as Burn's.
#[derive(Clone)]
pub struct OnePassSgd {
    hyper: SgdHyper,
}

impl OnePassAdam {
    /// Wraps `burn`, which must have been built from exactly `hyper` (and without AMSGrad).
    pub(crate) fn new(burn: Adam, hyper: AdamHyper) -> Self {
        Self { burn, hyper }
    }
}

impl OnePassAdamW {
    /// Wraps `burn`, which must have been built from exactly `hyper` (without AMSGrad or
    /// cautious weight decay).
    pub(crate) fn new(burn: AdamW, hyper: AdamHyper) -> Self {
        Self { burn, hyper }
    }
}

impl OnePassSgd {
    /// SGD with these hyperparameters.
    pub(crate) fn new(hyper: SgdHyper) -> Self {
        Self { hyper }
    }
}

/// Whether a one-pass step applies to `tensor`: `f32` values on a `flex` device.
fn on_host<const D: usize>(tensor: &Tensor<D>) -> bool {
    #[cfg(feature = "flex")]
    {
        tensor.dtype() == burn::tensor::DType::F32 && tensor.device() == Device::flex()
    }
    #[cfg(not(feature = "flex"))]
    {
        let _ = tensor;
        false
    }
}

/// A learning rate or factor as Burn's scalar operations apply it to `f32` tensors.
fn as_f32(value: f64) -> f32 {
    value as f32
}

/// A tensor's values on the host, with the shape to rebuild it.
struct Host {
    data: TensorData,
}

impl Host {
    /// The tensor's values; on `flex` the buffer itself unless another tensor shares it.
    fn take<const D: usize>(tensor: Tensor<D>) -> Self {
        Self {
            data: tensor.into_data(),
        }
    }

    fn values(&self) -> &[f32] {
        self.data
            .as_slice()
            .expect("an f32 tensor holds f32 values")
    }

    fn values_mut(&mut self) -> &mut [f32] {
        self.data
            .as_mut_slice()
            .expect("an f32 tensor holds f32 values")
    }

    /// The buffer back as a tensor on `device` (no copy on `flex`), `f32` whatever the
    /// device's default float type.
    fn tensor<const D: usize>(self, device: &Device) -> Tensor<D> {
        Tensor::from_data(self.data, (device, burn::tensor::DType::F32))
    }
}

/// Elements per task when a pass is split over the CPU pool: enough that a task's arithmetic
/// outweighs its scheduling, few enough that both threads share a 400×400 layer.
const CHUNK: usize = 16 * 1024;

/// Runs `f` on every element of `p` with the matching elements of `g`, `a` and `b`, in chunks
/// spread over the CPU pool (the current one when called from a pool thread).
fn each4(
    p: &mut [f32],
    g: &[f32],
    a: &mut [f32],
    b: &mut [f32],
    f: impl Fn(&mut f32, f32, &mut f32, &mut f32) + Sync,
) {
    use rayon::prelude::*;
    p.par_chunks_mut(CHUNK)
        .zip(g.par_chunks(CHUNK))
        .zip(a.par_chunks_mut(CHUNK))
        .zip(b.par_chunks_mut(CHUNK))
        .for_each(|(((p, g), a), b)| {
            for (((p, g), a), b) in p.iter_mut().zip(g).zip(a.iter_mut()).zip(b.iter_mut()) {
                f(p, *g, a, b);
            }
        });
}

/// [`each4`] with one state buffer.
fn each3(p: &mut [f32], g: &[f32], a: &mut [f32], f: impl Fn(&mut f32, f32, &mut f32) + Sync) {
    use rayon::prelude::*;
    p.par_chunks_mut(CHUNK)
        .zip(g.par_chunks(CHUNK))
        .zip(a.par_chunks_mut(CHUNK))
        .for_each(|((p, g), a)| {
            for ((p, g), a) in p.iter_mut().zip(g).zip(a.iter_mut()) {
                f(p, *g, a);
            }
        });
}

/// [`each4`] without state.
fn each2(p: &mut [f32], g: &[f32], f: impl Fn(&mut f32, f32) + Sync) {
    use rayon::prelude::*;
    p.par_chunks_mut(CHUNK)
        .zip(g.par_chunks(CHUNK))
        .for_each(|(p, g)| {
            for (p, g) in p.iter_mut().zip(g) {
                f(p, *g);
            }
        });
}

/// The moments of an Adam-family step on the host: the step number after this step, and the
/// first and second moments (zeros before the first step, where they are written, not read).
struct Moments {
    time: usize,
    first_step: bool,
    moment_1: Host,
    moment_2: Host,
}

impl Moments {
    /// Whether a one-pass step applies: the parameter, its gradient and the moments (if any)
    /// on the host, and no AMSGrad maximum (unfold never asks for AMSGrad).
    fn apply<const D: usize>(
        tensor: &Tensor<D>,
        grad: &Tensor<D>,
        state: Option<&AdaptiveMomentumState<D>>,
    ) -> bool {
        on_host(tensor)
            && on_host(grad)
            && state.is_none_or(|state| {
                state.max_moment_2.is_none() && on_host(&state.moment_1) && on_host(&state.moment_2)
            })
    }

    /// An Adam-family step where [`Moments::apply`] holds: `element(time, first_step)` (the
    /// step number after this step, and whether it is the first) gives the update of one
    /// element of the parameter and its moments, run over every element.
    fn step<const D: usize, F>(
        tensor: Tensor<D>,
        grad: Tensor<D>,
        state: Option<AdaptiveMomentumState<D>>,
        element: impl FnOnce(i32, bool) -> F,
    ) -> (Tensor<D>, AdaptiveMomentumState<D>)
    where
        F: Fn(&mut f32, f32, &mut f32, &mut f32) + Sync,
    {
        let device = tensor.device();
        let g = Host::take(grad);
        let mut moments = Self::take(state, &g);
        let mut p = Host::take(tensor);
        let update = element(moments.time as i32, moments.first_step);
        each4(
            p.values_mut(),
            g.values(),
            moments.moment_1.values_mut(),
            moments.moment_2.values_mut(),
            update,
        );
        (p.tensor(&device), moments.into_state(&device))
    }

    /// Takes the moments out of `state` (one that [`Moments::apply`] accepts), or makes
    /// buffers shaped like `grad` for the first step.
    fn take<const D: usize>(state: Option<AdaptiveMomentumState<D>>, grad: &Host) -> Self {
        match state {
            None => Self {
                time: 1,
                first_step: true,
                moment_1: Host {
                    data: grad.data.clone(),
                },
                moment_2: Host {
                    data: grad.data.clone(),
                },
            },
            Some(state) => Self {
                time: state.time + 1,
                first_step: false,
                moment_1: Host::take(state.moment_1),
                moment_2: Host::take(state.moment_2),
            },
        }
    }

    fn into_state<const D: usize>(self, device: &Device) -> AdaptiveMomentumState<D> {
        AdaptiveMomentumState {
            time: self.time,
            moment_1: self.moment_1.tensor(device),
            moment_2: self.moment_2.tensor(device),
            max_moment_2: None,
        }
    }
}

/// The moment updates Burn's Adam and AdamW share: `m·β₁ + g·(1 − β₁)` and
/// `v·β₂ + g²·(1 − β₂)`, or `g·(1 − β₁)` and `g²·(1 − β₂)` on the first step.
#[inline(always)]
fn update_moments(hyper: &AdamHyper, first_step: bool, g: f32, m: &mut f32, v: &mut f32) {
    let factor_1 = 1.0 - hyper.beta_1;
    let factor_2 = 1.0 - hyper.beta_2;
    if first_step {
        *m = g * factor_1;
        *v = (g * g) * factor_2;
    } else {
        *m = *m * hyper.beta_1 + g * factor_1;
        *v = *v * hyper.beta_2 + (g * g) * factor_2;
    }
}

impl Optimizer for OnePassAdam {
    type State<const D: usize> = AdamState<D>;

    fn step<const D: usize>(
        &self,
        lr: LearningRate,
        tensor: Tensor<D>,
        grad: Tensor<D>,
        state: Option<Self::State<D>>,
    ) -> (Tensor<D>, Option<Self::State<D>>) {
        if !Moments::apply(&tensor, &grad, state.as_ref().map(|s| &s.momentum)) {
            return self.burn.step(lr, tensor, grad, state);
        }
        // Burn's `AdaptiveMomentum::transform` and `Adam::step`, with the same scalars.
        let hyper = self.hyper;
        let lr = as_f32(lr);
        let (tensor, momentum) = Moments::step(
            tensor,
            grad,
            state.map(|s| s.momentum),
            |time, first_step| {
                let bias_correction2_sqrt = (1.0 - hyper.beta_2.powi(time)).sqrt();
                let combined_factor = bias_correction2_sqrt / (1.0 - hyper.beta_1.powi(time));
                let epsilon = hyper.epsilon * bias_correction2_sqrt;
                move |p: &mut f32, g: f32, m: &mut f32, v: &mut f32| {
                    let g = match hyper.weight_decay {
                        Some(penalty) => *p * penalty + g,
                        None => g,
                    };
                    update_moments(&hyper, first_step, g, m, v);
                    let update = (*m * combined_factor) / (v.sqrt() + epsilon);
                    *p -= update * lr;
                }
            },
        );
        (tensor, Some(AdamState::new(momentum)))
    }

    fn to_device<const D: usize>(state: Self::State<D>, device: &Device) -> Self::State<D> {
        Adam::to_device(state, device)
    }
}

impl Optimizer for OnePassAdamW {
    type State<const D: usize> = AdamWState<D>;

    fn step<const D: usize>(
        &self,
        lr: LearningRate,
        tensor: Tensor<D>,
        grad: Tensor<D>,
        state: Option<Self::State<D>>,
    ) -> (Tensor<D>, Option<Self::State<D>>) {
        if !Moments::apply(&tensor, &grad, state.as_ref().map(|s| &s.momentum)) {
            return self.burn.step(lr, tensor, grad, state);
        }
        // Burn's `AdaptiveMomentumW::transform` and `AdamW::step`, with the same scalars.
        let hyper = self.hyper;
        let decay_rate = lr * f64::from(hyper.weight_decay.unwrap_or(0.0));
        let keep = (decay_rate != 0.0).then(|| as_f32(1.0 - decay_rate));
        let lr = as_f32(lr);
        let (tensor, momentum) = Moments::step(
            tensor,
            grad,
            state.map(|s| s.momentum),
            |time, first_step| {
                let correction_1 = 1f32 - hyper.beta_1.powi(time);
                let correction_2 = 1f32 - hyper.beta_2.powi(time);
                move |p: &mut f32, g: f32, m: &mut f32, v: &mut f32| {
                    update_moments(&hyper, first_step, g, m, v);
                    let update = (*m / correction_1) / ((*v / correction_2).sqrt() + hyper.epsilon);
                    let decayed = match keep {
                        Some(keep) => *p * keep,
                        None => *p,
                    };
                    *p = decayed - update * lr;
                }
            },
        );
        (tensor, Some(AdamWState::new(momentum)))
    }

    fn to_device<const D: usize>(state: Self::State<D>, device: &Device) -> Self::State<D> {
        AdamW::to_device(state, device)
    }
}

/// The state of [`OnePassSgd`] for one parameter: the momentum's velocity, if any.
///
/// Burn's `SgdState` keeps its velocity in a private field, so a one-pass step could only read
/// it through a copy. This state records under the same names (`momentum.velocity`), so
/// checkpoints load into either optimizer.
#[derive(Clone)]
pub struct SgdVelocity<const D: usize> {
    velocity: Option<Tensor<D>>,
}

impl<const D: usize> RecordState for SgdVelocity<D> {
    fn state_flatten(&self, prefix: &str, out: &mut StateSink) {
        if let Some(velocity) = &self.velocity {
            out.push_tensor(
                &join_path(prefix, "momentum"),
                "velocity",
                velocity.clone().into_data(),
            );
        }
    }

    fn state_unflatten(prefix: &str, src: &mut StateSource, device: &Device) -> Option<Self> {
        let path = join_path(prefix, "momentum");
        let velocity = if src.has_under(&path) {
            Some(Tensor::from_data(
                src.take_tensor(&path, "velocity")?,
                device,
            ))
        } else {
            None
        };
        Some(Self { velocity })
    }
}

impl OnePassSgd {
    /// Burn's `Sgd::step` (with `WeightDecay` and `Momentum`), as tensor operations: the step on
    /// every device but `flex`.
    fn step_on_device<const D: usize>(
        &self,
        lr: LearningRate,
        tensor: Tensor<D>,
        grad: Tensor<D>,
        state: Option<SgdVelocity<D>>,
    ) -> (Tensor<D>, SgdVelocity<D>) {
        let grad = match self.hyper.weight_decay {
            Some(penalty) => tensor.clone().mul_scalar(penalty).add(grad),
            None => grad,
        };
        let Some((momentum, dampening, nesterov)) = self.hyper.momentum else {
            return (tensor - grad.mul_scalar(lr), SgdVelocity { velocity: None });
        };
        let momentum = as_f32(momentum);
        let velocity = match state.and_then(|s| s.velocity) {
            Some(velocity) => grad
                .clone()
                .mul_scalar(1.0 - dampening)
                .add(velocity.mul_scalar(momentum)),
            None => grad.clone(),
        };
        let grad = if nesterov {
            velocity.clone().mul_scalar(momentum).add(grad)
        } else {
            velocity.clone()
        };
        (
            tensor - grad.mul_scalar(lr),
            SgdVelocity {
                velocity: Some(velocity),
            },
        )
    }
}

impl Optimizer for OnePassSgd {
    type State<const D: usize> = SgdVelocity<D>;

    fn step<const D: usize>(
        &self,
        lr: LearningRate,
        tensor: Tensor<D>,
        grad: Tensor<D>,
        state: Option<Self::State<D>>,
    ) -> (Tensor<D>, Option<Self::State<D>>) {
        // The state is on the parameter's device: Burn's module optimizer moves it there.
        if !(on_host(&tensor) && on_host(&grad)) {
            let (tensor, state) = self.step_on_device(lr, tensor, grad, state);
            return (tensor, Some(state));
        }
        let device = tensor.device();
        let g = Host::take(grad);
        let mut p = Host::take(tensor);

        // The arithmetic of `step_on_device`, element by element.
        let weight_decay = self.hyper.weight_decay;
        let decayed = move |p: f32, g: f32| match weight_decay {
            Some(penalty) => p * penalty + g,
            None => g,
        };
        let lr = as_f32(lr);
        let Some((momentum, dampening, nesterov)) = self.hyper.momentum else {
            each2(p.values_mut(), g.values(), |p, g| {
                let g = decayed(*p, g);
                *p -= g * lr;
            });
            return (p.tensor(&device), Some(SgdVelocity { velocity: None }));
        };
        let momentum = as_f32(momentum);
        let keep = as_f32(1.0 - dampening);
        let previous = state.and_then(|s| s.velocity).map(Host::take);
        let first_step = previous.is_none();
        let mut v = previous.unwrap_or_else(|| Host {
            data: g.data.clone(),
        });
        each3(p.values_mut(), g.values(), v.values_mut(), |p, g, v| {
            let g = decayed(*p, g);
            *v = if first_step {
                g
            } else {
                g * keep + *v * momentum
            };
            let g = if nesterov { *v * momentum + g } else { *v };
            *p -= g * lr;
        });
        let velocity = Some(v.tensor(&device));
        (p.tensor(&device), Some(SgdVelocity { velocity }))
    }

    fn to_device<const D: usize>(state: Self::State<D>, device: &Device) -> Self::State<D> {
        SgdVelocity {
            velocity: state.velocity.map(|v| v.to_device(device)),
        }
    }
}

#[cfg(all(test, feature = "flex"))]
mod tests {
    //! The private paths. `tests/one_pass.rs` compares the optimizers `OptimizerConfig`
    //! builds with Burn's, bit for bit, through the training loop.
    use super::*;
    use burn::nn::{Linear, LinearConfig};
    use burn::optim::decay::WeightDecayConfig;
    use burn::optim::momentum::MomentumConfig;
    use burn::optim::{GradientsParams, ModuleOptimizer, SgdConfig};

    /// [`OnePassSgd`] with its tensor-operation step forced, as every device but `flex` runs it.
    #[derive(Clone)]
    struct DevicePath(OnePassSgd);

    impl Optimizer for DevicePath {
        type State<const D: usize> = SgdVelocity<D>;

        fn step<const D: usize>(
            &self,
            lr: LearningRate,
            tensor: Tensor<D>,
            grad: Tensor<D>,
            state: Option<Self::State<D>>,
        ) -> (Tensor<D>, Option<Self::State<D>>) {
            let (tensor, state) = self.0.step_on_device(lr, tensor, grad, state);
            (tensor, Some(state))
        }

        fn to_device<const D: usize>(state: Self::State<D>, device: &Device) -> Self::State<D> {
            OnePassSgd::to_device(state, device)
        }
    }

    /// Five steps of `optim` on a 5 → 3 layer (a squared-output loss on fixed inputs); the
    /// weights' and biases' bits after them.
    fn five_steps(mut layer: Linear, optim: &mut ModuleOptimizer) -> Vec<u32> {
        let device = Device::flex().autodiff();
        for step in 0..5 {
            let inputs: Vec<f32> = (0..40).map(|i| ((i + step) as f32 * 0.3).sin()).collect();
            let x = Tensor::<2>::from_data(TensorData::new(inputs, [8, 5]), &device);
            let loss = layer.forward(x).powi_scalar(2).sum();
            let grads = GradientsParams::from_grads(loss.backward(), &layer);
            layer = optim.step(0.05, layer, grads);
        }
        let mut values = layer.weight.val().into_data().try_to_vec::<f32>().unwrap();
        values.extend(
            layer
                .bias
                .expect("a bias")
                .val()
                .into_data()
                .try_to_vec::<f32>()
                .unwrap(),
        );
        values.iter().map(|v| v.to_bits()).collect()
    }

    #[test]
    fn flex_parameters_take_the_one_pass_path() {
        let layer = LinearConfig::new(5, 3).init(&Device::flex().autodiff());
        assert!(on_host(&layer.weight.val().inner()));
        assert!(on_host(&Tensor::<1>::zeros([4], &Device::flex())));
    }

    #[test]
    fn sgds_step_on_other_devices_equals_burns_and_the_one_pass_step() {
        let start = LinearConfig::new(5, 3).init(&Device::flex().autodiff());
        for (momentum, weight_decay) in [
            (None, None),
            (Some((0.9, 0.0, false)), None),
            (Some((0.9, 0.1, false)), Some(0.01)),
            (Some((0.5, 0.0, true)), None),
        ] {
            let hyper = SgdHyper {
                momentum,
                weight_decay,
            };
            let mut burn = SgdConfig::new()
                .with_momentum(
                    momentum.map(|(momentum, dampening, nesterov)| MomentumConfig {
                        momentum,
                        dampening,
                        nesterov,
                    }),
                )
                .with_weight_decay(weight_decay.map(WeightDecayConfig::new))
                .init();
            let burns = five_steps(start.clone(), &mut burn);
            let mut forced = ModuleOptimizer::from(DevicePath(OnePassSgd::new(hyper)));
            assert_eq!(five_steps(start.clone(), &mut forced), burns, "{hyper:?}");
            let mut one_pass = ModuleOptimizer::from(OnePassSgd::new(hyper));
            assert_eq!(five_steps(start.clone(), &mut one_pass), burns, "{hyper:?}");
        }
    }
}
