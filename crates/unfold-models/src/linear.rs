//! A linear layer's forward pass, whose backward pass on `flex` keeps both cores busy.
//!
//! Burn computes the gradient of a linear layer's input as `g·Wᵀ`, with `Wᵀ` a transposed view
//! of the weight. The `gemm` crate behind burn-flex takes that operand with a row stride and
//! packs all of it on the calling thread before it splits the product over the CPU pool. In
//! the deep sigmoid network of the vanishing-gradient study, that packing was about a fifth
//! of a training step, with the second core idle. On `flex`, [`linear`] records Burn's own
//! linear operation (the same forward pass, the same weight and bias gradients) but hands
//! `gemm` the transposed weight as a contiguous matrix, copied in tiles over the CPU pool,
//! which `gemm` need not pack. It does so only where `gemm` splits the product over several
//! threads: on one thread, `gemm`'s own packing is faster than the copy.
//!
//! The products are the same bit for bit: once `gemm` takes its blocked path, it splits and
//! orders each sum by the matrices' sizes, not by their layout. Products small enough for
//! `gemm` to take another path (a vector product for a batch or an input of one, a small-tile
//! kernel for a batch × input of 256 or less, another for sums of fewer than 3 terms) keep
//! Burn's operation; the tests compare both kinds with Burn's over a grid of sizes. Other
//! devices and float types, and autodiff with gradient checkpointing, keep Burn's operation
//! too.

use burn::nn::Linear;
use burn::tensor::Tensor;

/// `layer`'s output for a batch `x` of shape `[batch, d_input]`: Burn's `Linear::forward`,
/// with a faster backward pass on `flex` (see the module docs).
pub fn linear(layer: &Linear, x: Tensor<2>) -> Tensor<2> {
    #[cfg(feature = "flex")]
    {
        let [batch, d_input] = x.dims();
        let [_, d_output] = layer.weight.shape().dims::<2>();
        if flex::takes_the_blocked_path(batch, d_input, d_output)
            && flex::splits_over_the_pool(batch, d_input, d_output)
        {
            return flex::linear(layer, x);
        }
    }
    layer.forward(x)
}

#[cfg(feature = "flex")]
mod flex {
    use burn::backend::Flex;
    use burn::backend::autodiff::checkpoint::base::Checkpointer;
    use burn::backend::autodiff::checkpoint::strategy::NoCheckpointing;
    use burn::backend::autodiff::grads::Gradients;
    use burn::backend::autodiff::ops::{Backward, NodeGuard, Ops, OpsKind};
    use burn::backend::flex::FlexTensor;
    use burn::backend::ops::ModuleOps;
    use burn::nn::Linear;
    use burn::tensor::Tensor;

    use crate::on_flex::{FlexAutodiff, OnFlex, transposed};

    /// Whether `gemm` computes `g·Wᵀ` (`[batch, d_output] × [d_output, d_input]`) on its
    /// blocked path whatever the operands' layout: not a vector product (a batch or an input of
    /// one), not its small-tile kernel (batch × input at most 16 × 16), at least 3 terms in
    /// each sum (`gemm` 0.19's `gemm_basic_generic`).
    pub(super) fn takes_the_blocked_path(batch: usize, d_input: usize, d_output: usize) -> bool {
        batch >= 2 && d_input >= 2 && d_output >= 3 && batch * d_input > 16 * 16
    }

    /// Whether `gemm` splits `g·Wᵀ` over the CPU pool, which its packing on the calling thread
    /// then holds up: a pool of several threads and a product of at least `gemm` 0.19's
    /// threading threshold (48 · 48 · 256 multiply-adds). On one thread the transposed copy
    /// costs more than `gemm`'s own packing (W3 on one thread: −4.5%), and the mnist study
    /// trains its runs one per thread.
    pub(super) fn splits_over_the_pool(batch: usize, d_input: usize, d_output: usize) -> bool {
        rayon::current_num_threads() > 1 && batch * d_input * d_output >= 48 * 48 * 256
    }

    /// [`super::linear`] once the sizes allow it.
    pub(super) fn linear(layer: &Linear, x: Tensor<2>) -> Tensor<2> {
        let weight = OnFlex::of(layer.weight.val());
        let bias = layer.bias.as_ref().map(|b| OnFlex::of(b.val()));
        let (x, weight, bias) = match (OnFlex::of(x), weight, bias) {
            (OnFlex::Autodiff(x), OnFlex::Autodiff(weight), None) => (x, weight, None),
            (OnFlex::Autodiff(x), OnFlex::Autodiff(weight), Some(OnFlex::Autodiff(bias))) => {
                (x, weight, Some(bias))
            }
            // No autodiff (a forward pass only) or not all on `flex`: Burn's own.
            (x, weight, bias) => {
                return burn::tensor::module::linear(
                    x.into_tensor(),
                    weight.into_tensor(),
                    bias.map(OnFlex::into_tensor),
                );
            }
        };
        let state = State {
            // As Burn's: the input for the weight's gradient, the weight for the input's.
            x: weight.is_tracked().then(|| x.primitive().clone()),
            weight: x.is_tracked().then(|| weight.primitive().clone()),
        };
        let (x, x_node) = x.into_parts();
        let (weight, weight_node) = weight.into_parts();
        match bias {
            None => record([x_node, weight_node], state, Flex::linear(x, weight, None)),
            Some(bias) => {
                let (bias, bias_node) = bias.into_parts();
                let y = Flex::linear(x, weight, Some(bias));
                record([x_node, weight_node, bias_node], state, y)
            }
        }
    }

    /// `y` as the output of a [`LinearBackward`] step on `nodes` (input, weight, bias if any).
    fn record<const N: usize>(nodes: [NodeGuard; N], state: State, y: FlexTensor) -> Tensor<2>
    where
        LinearBackward: Backward<Flex, N, State = State>,
    {
        let y = match LinearBackward
            .prepare::<NoCheckpointing>(nodes)
            .compute_bound()
            .stateful()
        {
            OpsKind::Tracked(prep) => prep.finish(state, y),
            OpsKind::UnTracked(prep) => prep.finish(y),
        };
        Tensor::from_primitive::<FlexAutodiff>(y)
    }

    /// What the backward step needs, as Burn's linear operation keeps it: the input for the
    /// weight's gradient, the weight for the input's.
    #[derive(Clone, Debug)]
    struct State {
        x: Option<FlexTensor>,
        weight: Option<FlexTensor>,
    }

    /// The backward step of [`linear`], with (`N` = 3) or without (`N` = 2) a bias.
    #[derive(Debug)]
    struct LinearBackward;

    impl<const N: usize> Backward<Flex, N> for LinearBackward {
        type State = State;

        fn backward(self, ops: Ops<State, N>, grads: &mut Gradients, _: &mut Checkpointer) {
            let grad = grads.consume::<Flex>(&ops.node);
            let [x_node, weight_node, bias_node] = {
                let mut parents = ops.parents.into_iter();
                [parents.next(), parents.next(), parents.next()].map(Option::flatten)
            };
            // In Burn's order: the input's gradient, the weight's, the bias's.
            if let Some(node) = x_node {
                let weight = ops.state.weight.expect("kept when the input is tracked");
                // Burn's `linear_x_backward` is `linear(g, Wᵀ)` with `Wᵀ` a view.
                let dx = Flex::linear(grad.clone(), transposed(weight), None);
                grads.register::<Flex>(node.id, dx);
            }
            if let Some(node) = weight_node {
                let x = ops.state.x.expect("kept when the weight is tracked");
                grads.register::<Flex>(node.id, Flex::linear_weight_backward(x, grad.clone()));
            }
            if let Some(node) = bias_node {
                grads.register::<Flex>(node.id, Flex::linear_bias_backward(grad));
            }
        }
    }
}

#[cfg(all(test, feature = "flex"))]
mod tests {
    use super::flex::{splits_over_the_pool, takes_the_blocked_path};

    #[test]
    fn the_faster_path_is_for_large_products_on_several_threads() {
        let pool = |threads| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("a pool")
        };
        // W4's hidden layers and W3's: split over two threads, not over one.
        for [batch, d_input, d_output] in [[64, 512, 1024], [64, 1024, 512], [128, 400, 400]] {
            assert!(takes_the_blocked_path(batch, d_input, d_output));
            assert!(pool(2).install(|| splits_over_the_pool(batch, d_input, d_output)));
            assert!(!pool(1).install(|| splits_over_the_pool(batch, d_input, d_output)));
        }
        // `gemm`'s other paths: a batch of one, batch × input ≤ 256, fewer than 3 outputs.
        assert!(!takes_the_blocked_path(1, 1024, 512));
        assert!(!takes_the_blocked_path(16, 16, 512));
        assert!(!takes_the_blocked_path(800, 3, 2));
        // W3's output layer: too small for `gemm` to split.
        assert!(!pool(2).install(|| splits_over_the_pool(128, 400, 10)));
    }
}
