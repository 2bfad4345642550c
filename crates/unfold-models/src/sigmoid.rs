//! The logistic sigmoid, split over the CPU pool on `flex`.
//!
//! burn-flex computes `sigmoid` element by element on the calling thread, and Burn's autodiff
//! keeps the sigmoid's *input*, so the backward pass computes every `exp` a second time to get
//! the output back. In the vanishing-gradient study's deep sigmoid network that is about an
//! eighth of a training step, all of it on one core. On `flex` with `f32` values, [`sigmoid`]
//! computes burn-flex's formula (the same `f32` operations in the same order, so the same bits)
//! in chunks spread over the CPU pool, in the input's own buffer when nothing else holds it, and
//! records a backward step that keeps the *output* `s` and computes Burn's `g·s·(1 − s)`, also
//! in chunks. One `exp` per element instead of two, no value changed; the tests compare both
//! passes with Burn's, bit for bit.
//!
//! Elsewhere (another device, another float type, a small tensor, or autodiff with gradient
//! checkpointing, where Burn recomputes the sigmoid on purpose to save memory) it is Burn's
//! [`burn::tensor::activation::sigmoid`].

use burn::tensor::Tensor;

/// The logistic sigmoid `1 / (1 + e^-x)`, element-wise (see the module docs).
pub fn sigmoid<const D: usize>(x: Tensor<D>) -> Tensor<D> {
    #[cfg(feature = "flex")]
    let x = match flex::sigmoid(x) {
        Ok(s) => return s,
        Err(x) => x,
    };
    burn::tensor::activation::sigmoid(x)
}

#[cfg(feature = "flex")]
mod flex {
    use burn::backend::Flex;
    use burn::backend::autodiff::checkpoint::base::Checkpointer;
    use burn::backend::autodiff::checkpoint::strategy::NoCheckpointing;
    use burn::backend::autodiff::grads::Gradients;
    use burn::backend::autodiff::ops::{Backward, Ops, OpsKind, unary};
    use burn::backend::flex::FlexTensor;
    use burn::tensor::Tensor;
    use rayon::prelude::*;

    use crate::on_flex::{CHUNK, FlexAutodiff, OnFlex, contiguous, values, values_mut};

    /// burn-flex 0.22.1's `sigmoid_f32`, operation for operation: stable on both sides of 0.
    #[inline]
    fn sigmoid_f32(x: f32) -> f32 {
        if x >= 0.0 {
            1.0 / (1.0 + (-x).exp())
        } else {
            let e = x.exp();
            e / (1.0 + e)
        }
    }

    /// The sigmoid of a tensor of [`CHUNK`] or more `f32` values on `flex` without gradient
    /// checkpointing; anything else back as it came, for Burn's.
    // The tensor moves out either way; boxing it would allocate on every call for nothing.
    #[allow(clippy::result_large_err)]
    pub(super) fn sigmoid<const D: usize>(x: Tensor<D>) -> Result<Tensor<D>, Tensor<D>> {
        if x.shape().num_elements() < CHUNK {
            return Err(x);
        }
        match OnFlex::of(x) {
            OnFlex::Plain(x) => Ok(Tensor::from_primitive::<Flex>(forward(x))),
            OnFlex::Autodiff(x) => {
                let (x, node) = x.into_parts();
                let s = forward(x);
                let s = match SigmoidBackward
                    .prepare::<NoCheckpointing>([node])
                    .compute_bound()
                    .stateful()
                {
                    OpsKind::Tracked(prep) => prep.finish(s.clone(), s),
                    OpsKind::UnTracked(prep) => prep.finish(s),
                };
                Ok(Tensor::from_primitive::<FlexAutodiff>(s))
            }
            OnFlex::Other(x) => Err(x),
        }
    }

    /// The backward step of [`sigmoid`]; its state is the forward's output `s`.
    #[derive(Debug)]
    struct SigmoidBackward;

    impl Backward<Flex, 1> for SigmoidBackward {
        type State = FlexTensor;

        fn backward(self, ops: Ops<FlexTensor, 1>, grads: &mut Gradients, _: &mut Checkpointer) {
            let s = contiguous(ops.state);
            unary::<Flex, _>(ops.parents, ops.node, grads, |g| {
                let mut g = contiguous(g);
                values_mut(&mut g)
                    .par_chunks_mut(CHUNK)
                    .zip(values(&s).par_chunks(CHUNK))
                    .for_each(|(g, s)| {
                        // burn-flex's `sigmoid_backward`: `g * s * (1 - s)`, left to right.
                        g.iter_mut()
                            .zip(s)
                            .for_each(|(g, s)| *g = *g * s * (1.0 - s))
                    });
                g
            });
        }
    }

    /// `sigmoid_f32` of every value of `x`, in `x`'s buffer when nothing else holds it.
    fn forward(x: FlexTensor) -> FlexTensor {
        let mut x = contiguous(x);
        values_mut(&mut x)
            .par_chunks_mut(CHUNK)
            .for_each(|x| x.iter_mut().for_each(|x| *x = sigmoid_f32(*x)));
        x
    }
}

#[cfg(all(test, feature = "flex"))]
mod tests {
    use burn::tensor::{Device, Tensor, TensorData};

    fn input(device: &Device) -> Tensor<2> {
        let values: Vec<f32> = (0..64 * 200)
            .map(|i| (i as f32 * 0.61).sin() * 9.0)
            .collect();
        Tensor::<1>::from_data(TensorData::from(values.as_slice()), device).reshape([64, 200])
    }

    #[test]
    fn flex_tensors_take_the_pool_path_and_others_do_not() {
        let device = Device::flex();
        assert!(super::flex::sigmoid(input(&device)).is_ok());
        assert!(super::flex::sigmoid(input(&device.clone().autodiff()).require_grad()).is_ok());
        // Too small to split, or Burn's gradient checkpointing: Burn's sigmoid.
        let small = Tensor::<2>::ones([4, 4], &device);
        assert!(super::flex::sigmoid(small).is_err());
        let balanced = device.autodiff().gradient_checkpointing();
        assert!(super::flex::sigmoid(input(&balanced).require_grad()).is_err());
    }
}
