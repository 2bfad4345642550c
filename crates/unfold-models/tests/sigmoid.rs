//! `unfold_models::sigmoid`, which runs over the CPU pool on `flex` and keeps its output for
//! the backward pass, against Burn's `sigmoid`: the same values and the same gradients, bit for
//! bit, whatever the input's layout and whoever else holds it.
use burn::tensor::activation;
use burn::tensor::{Device, Tensor, TensorData};
use unfold_models::sigmoid;

/// Values from −60 to 60 with both zeros, on both sides of the formula's branch, where `exp`
/// underflows and where it does not; `rows × cols` of them (a few pool chunks).
fn values(rows: usize, cols: usize) -> Vec<f32> {
    let mut v: Vec<f32> = (0..rows * cols)
        .map(|i| (i as f32 * 0.377).sin() * 60.0 * ((i % 7) as f32 / 6.0))
        .collect();
    v[0] = 0.0;
    v[1] = -0.0;
    v[2] = 88.5;
    v[3] = -104.0;
    v
}

fn tensor(rows: usize, cols: usize, device: &Device) -> Tensor<2> {
    Tensor::<1>::from_data(TensorData::from(values(rows, cols).as_slice()), device)
        .reshape([rows, cols])
}

fn bits<const D: usize>(t: Tensor<D>) -> Vec<u32> {
    let values = t.into_data().try_to_vec::<f32>().expect("f32 values");
    values.iter().map(|v| v.to_bits()).collect()
}

#[test]
fn values_match_burns_sigmoid_bit_for_bit() {
    let device = Device::flex();
    for (rows, cols) in [(64, 512), (3, 5), (1, 40_000)] {
        let x = tensor(rows, cols, &device);
        assert_eq!(
            bits(sigmoid(x.clone())),
            bits(activation::sigmoid(x.clone())),
            "{rows}×{cols}, its buffer shared with `x`"
        );
        // A buffer nobody else holds is overwritten in place.
        let expected = bits(activation::sigmoid(x));
        assert_eq!(bits(sigmoid(tensor(rows, cols, &device))), expected);
        // A transposed view (strided) and a slice (offset).
        let t = tensor(cols, rows, &device).transpose();
        assert_eq!(bits(sigmoid(t.clone())), bits(activation::sigmoid(t)));
    }
    let x = tensor(64, 512, &device);
    let part = x.slice([8..40, 100..400]);
    assert_eq!(bits(sigmoid(part.clone())), bits(activation::sigmoid(part)));
}

/// `x`'s gradient of `Σ w ⊙ f(f(x)·0.5 + f(x))`, `f` applied twice to reach a sigmoid whose
/// output feeds two branches.
fn gradient(f: fn(Tensor<2>) -> Tensor<2>, checkpointed: bool) -> (Vec<u32>, Vec<u32>) {
    let mut device = Device::flex().autodiff();
    if checkpointed {
        device = device.gradient_checkpointing();
    }
    let x = tensor(64, 300, &device).require_grad();
    let w = tensor(300, 64, &device).transpose() * 0.01;
    let s = f(x.clone());
    let y = f(s.clone() * 0.5 + s);
    let grads = (y.clone() * w).sum().backward();
    let g = x.grad(&grads).expect("x is tracked");
    (bits(y), bits(g))
}

#[test]
fn gradients_match_burns_sigmoid_bit_for_bit() {
    for checkpointed in [false, true] {
        let (ours, burns) = (
            gradient(sigmoid, checkpointed),
            gradient(activation::sigmoid, checkpointed),
        );
        assert_eq!(ours.0, burns.0, "outputs, checkpointed: {checkpointed}");
        assert_eq!(ours.1, burns.1, "gradients, checkpointed: {checkpointed}");
        assert!(ours.1.iter().any(|&b| f32::from_bits(b) != 0.0));
    }
}
