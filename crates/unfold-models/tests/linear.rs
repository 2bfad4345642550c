//! `unfold_models::linear`, whose backward pass on `flex` hands `gemm` a contiguous transposed
//! weight, against Burn's `Linear::forward`: the same outputs and the same gradients of the
//! input, the weight and the bias, bit for bit, over sizes on both sides of the rule that
//! decides which products take the faster path, with and without a bias, a tracked input, a
//! frozen weight, and gradient checkpointing.
use burn::module::Module;
use burn::nn::{Linear, LinearConfig};
use burn::tensor::{Device, Tensor, TensorData};
use unfold_models::linear;

fn values(n: usize, salt: usize) -> Vec<f32> {
    (0..n)
        .map(|i| ((i * 7919 + salt * 104_729) % 10_007) as f32 / 5_000.0 - 1.0)
        .collect()
}

fn tensor(rows: usize, cols: usize, salt: usize, device: &Device) -> Tensor<2> {
    Tensor::<1>::from_data(
        TensorData::from(values(rows * cols, salt).as_slice()),
        device,
    )
    .reshape([rows, cols])
}

fn bits<const D: usize>(t: Tensor<D>) -> Vec<u32> {
    let values = t.into_data().try_to_vec::<f32>().expect("f32 values");
    values.iter().map(|v| v.to_bits()).collect()
}

/// How the layer is used.
#[derive(Clone, Copy, Debug)]
struct Case {
    bias: bool,
    /// The input requires a gradient (a hidden layer) or not (the first layer).
    input_tracked: bool,
    /// The weight and bias are frozen.
    frozen: bool,
    checkpointed: bool,
}

/// The output, then the gradients of the input, the weight and the bias (empty when not
/// tracked), of `Σ y ⊙ r` with `y = forward(layer, x)`.
fn run(
    forward: fn(&Linear, Tensor<2>) -> Tensor<2>,
    [batch, d_input, d_output]: [usize; 3],
    case: Case,
) -> [Vec<u32>; 4] {
    let mut device = Device::flex().autodiff();
    if case.checkpointed {
        device = device.gradient_checkpointing();
    }
    let mut layer = LinearConfig::new(d_input, d_output)
        .with_bias(case.bias)
        .init(&device);
    // The same parameters for Burn's pass and ours, whatever the generator's state.
    layer.weight = layer
        .weight
        .map(|_| tensor(d_input, d_output, 1, &device).require_grad());
    if let Some(bias) = layer.bias.take() {
        layer.bias = Some(bias.map(|_| {
            Tensor::<1>::from_data(TensorData::from(values(d_output, 2).as_slice()), &device)
                .require_grad()
        }));
    }
    if case.frozen {
        layer = layer.no_grad();
    }
    let mut x = tensor(batch, d_input, 3, &device);
    if case.input_tracked {
        x = x.require_grad();
    }
    let y = forward(&layer, x.clone());
    let grads = (y.clone() * tensor(batch, d_output, 4, &device))
        .sum()
        .backward();
    let grad_bits = |g: Option<Tensor<2>>| g.map(bits).unwrap_or_default();
    [
        bits(y),
        grad_bits(x.grad(&grads)),
        grad_bits(layer.weight.grad(&grads)),
        layer
            .bias
            .as_ref()
            .and_then(|b| b.grad(&grads))
            .map(bits)
            .unwrap_or_default(),
    ]
}

#[test]
fn outputs_and_gradients_match_burns_linear_bit_for_bit() {
    let cases = [
        (true, true, false, false),
        (true, false, false, false),
        (false, true, false, false),
        (true, true, true, false),
        (true, true, false, true),
    ]
    .map(|(bias, input_tracked, frozen, checkpointed)| Case {
        bias,
        input_tracked,
        frozen,
        checkpointed,
    });
    let grid = [1, 2, 3, 16, 17, 64, 128].into_iter().flat_map(|batch| {
        [1, 2, 3, 16, 17, 100, 400]
            .into_iter()
            .flat_map(move |d_input| {
                [1, 2, 3, 10, 64].map(move |d_output| [batch, d_input, d_output])
            })
    });
    // Products large enough for `gemm` to split them over the pool, as W3's and W4's.
    let large = [
        [64, 512, 1024],
        [64, 1024, 512],
        [128, 400, 400],
        [33, 1001, 37],
    ];
    for sizes in grid.chain(large) {
        for case in cases {
            let ours = run(linear, sizes, case);
            let burns = run(Linear::forward, sizes, case);
            let parts = [
                "output",
                "input gradient",
                "weight gradient",
                "bias gradient",
            ];
            for (what, (a, b)) in parts.iter().zip(ours.iter().zip(&burns)) {
                assert!(a == b, "{what} differs for {sizes:?}, {case:?}");
            }
            assert_eq!(
                ours[1].is_empty(),
                !case.input_tracked,
                "{sizes:?} {case:?}"
            );
            assert_eq!(ours[2].is_empty(), case.frozen, "{sizes:?} {case:?}");
        }
    }
}

#[test]
fn a_forward_pass_without_autodiff_is_burns() {
    let device = Device::flex();
    let layer = LinearConfig::new(400, 64).init(&device);
    let x = tensor(128, 400, 3, &device);
    assert_eq!(bits(linear(&layer, x.clone())), bits(layer.forward(x)));
}
