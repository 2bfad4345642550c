//! Notebook 004, task 1: why XOR needs a hidden layer (least squares) and a ReLU network that
//! solves it exactly.

use burn::tensor::Device;
use serde::{Deserialize, Serialize};
use unfold_data::xor_data;
use unfold_models::ScratchLinear;
use unfold_models::scratch::relu;

use crate::plots::rows;

/// A least-squares linear fit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinearFit {
    /// The optimal weights (the bias last, if fitted).
    pub weights: Vec<f64>,
    /// Predictions on the four points.
    pub predictions: Vec<f64>,
    /// Mean squared error at the optimum.
    pub mse: f64,
}

/// Solves the normal equations `XᵀX·w = Xᵀy` (Gaussian elimination with partial pivoting)
/// for the rows `x` and targets `y`. `None` if `XᵀX` is singular.
pub fn least_squares(x: &[Vec<f64>], y: &[f64]) -> Option<LinearFit> {
    let k = x.first()?.len();
    let mut a = vec![vec![0.0; k + 1]; k];
    for (row, &t) in x.iter().zip(y) {
        for i in 0..k {
            for j in 0..k {
                a[i][j] += row[i] * row[j];
            }
            a[i][k] += row[i] * t;
        }
    }
    for col in 0..k {
        let pivot = (col..k).max_by(|&p, &q| a[p][col].abs().total_cmp(&a[q][col].abs()))?;
        if a[pivot][col].abs() < 1e-12 {
            return None;
        }
        a.swap(col, pivot);
        let pivot_row = a[col].clone();
        for (r, row) in a.iter_mut().enumerate() {
            if r != col {
                let f = row[col] / pivot_row[col];
                for (v, p) in row.iter_mut().zip(&pivot_row).skip(col) {
                    *v -= f * p;
                }
            }
        }
    }
    let weights: Vec<f64> = (0..k).map(|i| a[i][k] / a[i][i]).collect();
    let predictions: Vec<f64> = x
        .iter()
        .map(|row| row.iter().zip(&weights).map(|(v, w)| v * w).sum())
        .collect();
    let mse = predictions
        .iter()
        .zip(y)
        .map(|(p, t)| (p - t).powi(2))
        .sum::<f64>()
        / y.len().max(1) as f64;
    Some(LinearFit {
        weights,
        predictions,
        mse,
    })
}

/// Notebook 004, task 1: what the linear fits and the given ReLU network do with XOR.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Task1 {
    /// `g₁(x) = x·w` (the notebook's linear network, no bias).
    pub linear: LinearFit,
    /// `x·w + b`.
    pub linear_with_bias: LinearFit,
    /// Hidden coordinates `max(0, W₁x + b)` of the four points.
    pub hidden: Vec<[f32; 2]>,
    /// The ReLU network's outputs on the four points.
    pub outputs: Vec<f32>,
    /// The largest `|output − label|`.
    pub max_error: f32,
}

/// `W₁ = [[1, 1], [1, 1]]`, `b = [0, −1]`, `W₂ = [1, −2]`: the two layers of notebook 004's
/// ReLU network (stored `[in, out]`; `W₁` is symmetric, so its transpose is itself).
pub fn relu_xor_network(device: &Device) -> (ScratchLinear, ScratchLinear) {
    (
        ScratchLinear::from_values(2, 2, vec![1.0, 1.0, 1.0, 1.0], vec![0.0, -1.0], device),
        ScratchLinear::from_values(2, 1, vec![1.0, -2.0], vec![0.0], device),
    )
}

/// Computes task 1 on `device`.
pub fn task1(device: &Device) -> Task1 {
    let data = xor_data(2).expect("d = 2 is valid");
    let x: Vec<Vec<f64>> = (0..data.len())
        .map(|i| data.row(i).iter().map(|v| f64::from(*v)).collect())
        .collect();
    let y: Vec<f64> = data.labels().iter().map(|l| f64::from(*l)).collect();
    let with_bias: Vec<Vec<f64>> = x
        .iter()
        .map(|r| r.iter().copied().chain([1.0]).collect())
        .collect();
    let linear = least_squares(&x, &y).expect("XᵀX is invertible for XOR");
    let linear_with_bias = least_squares(&with_bias, &y).expect("XᵀX is invertible for XOR");
    let (first, second) = relu_xor_network(device);
    let hidden = relu(first.forward(data.to_device(device).features));
    let outputs: Vec<f32> = second
        .forward(hidden.clone())
        .into_data()
        .iter::<f32>()
        .collect();
    let max_error = outputs
        .iter()
        .zip(data.labels())
        .map(|(o, l)| (o - *l as f32).abs())
        .fold(0.0, f32::max);
    Task1 {
        linear,
        linear_with_bias,
        // `+ 0.0` turns the −0 that ReLU's mask leaves into 0.
        hidden: crate::plots::first_2(&rows(hidden.add_scalar(0.0))),
        outputs,
        max_error,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn device() -> Device {
        Device::flex()
    }

    #[test]
    fn least_squares_of_xor_is_a_third_and_a_quarter() {
        let t = task1(&device());
        assert!((t.linear.weights[0] - 1.0 / 3.0).abs() < 1e-12);
        assert!((t.linear.weights[1] - 1.0 / 3.0).abs() < 1e-12);
        assert!((t.linear.mse - 1.0 / 3.0).abs() < 1e-12);
        assert!((t.linear_with_bias.mse - 0.25).abs() < 1e-12);
        assert!(
            t.linear_with_bias.weights[..2]
                .iter()
                .all(|w| w.abs() < 1e-12)
        );
        assert_eq!(
            t.hidden,
            vec![[0.0, 0.0], [1.0, 0.0], [1.0, 0.0], [2.0, 1.0]]
        );
        assert_eq!(t.outputs, vec![0.0, 1.0, 1.0, 0.0]);
        assert_eq!(t.max_error, 0.0);
    }

    #[test]
    fn least_squares_recovers_an_exact_line_and_rejects_singular_systems() {
        let x = vec![vec![1.0, 1.0], vec![2.0, 1.0], vec![3.0, 1.0]];
        let fit = least_squares(&x, &[3.0, 5.0, 7.0]).unwrap();
        assert!((fit.weights[0] - 2.0).abs() < 1e-12 && (fit.weights[1] - 1.0).abs() < 1e-12);
        assert!(fit.mse < 1e-20);
        assert!(least_squares(&[vec![1.0, 2.0], vec![2.0, 4.0]], &[1.0, 2.0]).is_none());
    }
}
