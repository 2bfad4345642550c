//! The "rainbow sandwich" of notebook 003: a 6-unit hidden layer drawn as dots whose position,
//! colour and size are its six activations.

use serde::{Deserialize, Serialize};

/// What the six activations become, in the notebook's order: position, colour, size.
pub const FEATURES: [&str; 6] = ["x", "y", "R", "G", "B", "s"];

/// The notebook's permutation `idx`: activation `idx[i]` drives feature `FEATURES[i]`.
pub const NOTEBOOK_PERMUTATION: [usize; 6] = [5, 4, 1, 2, 3, 0];

/// How activations are normalized before they become dots (`hidden_to_dot_features`'s `norm`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Normalization {
    /// Raw activations; colours and sizes are then min-max scaled (the notebook's default).
    None,
    /// Softmax across the six activations of each point.
    Softmax,
    /// Sigmoid of each activation.
    Sigmoid,
    /// Min-max across the six activations of each point.
    MinMax,
}

impl Normalization {
    /// The name the settings use (`none`, `softmax`, `sigmoid`, `minmax`).
    pub fn name(self) -> &'static str {
        match self {
            Normalization::None => "none",
            Normalization::Softmax => "softmax",
            Normalization::Sigmoid => "sigmoid",
            Normalization::MinMax => "minmax",
        }
    }
}

impl std::str::FromStr for Normalization {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "none" => Ok(Normalization::None),
            "softmax" => Ok(Normalization::Softmax),
            "sigmoid" => Ok(Normalization::Sigmoid),
            "minmax" | "min-max" => Ok(Normalization::MinMax),
            other => Err(format!(
                "unknown normalization '{other}'; use none, softmax, sigmoid or minmax"
            )),
        }
    }
}

/// One dot of the picture.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dot {
    /// Horizontal position.
    pub x: f32,
    /// Vertical position.
    pub y: f32,
    /// Colour channels in [0, 1].
    pub rgb: [f32; 3],
    /// Marker area in matplotlib's units (points²), as the notebook computes it.
    pub area: f32,
}

const EPS: f32 = 1e-8;

/// Min-max scaling of `values` to [0, 1] (+ε, as the notebook); constant input maps to ε
/// instead of the notebook's 0/0.
fn minmax(values: &mut [f32]) {
    let (lo, hi) = values
        .iter()
        .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(*v), hi.max(*v))
        });
    let range = hi - lo;
    for v in values.iter_mut() {
        *v = if range > 0.0 { (*v - lo) / range } else { 0.0 } + EPS;
    }
}

/// Turns one hidden layer's activations (rows of at least six values) into dots, as the
/// notebook's `hidden_to_dot_features` does: normalize, permute with `idx`, take position,
/// colour and size, scale sizes exponentially (`exp(3·s)·100` after min-max), and with no
/// normalization min-max the colours per point and the sizes over all points.
pub fn dot_features(rows: &[Vec<f32>], norm: Normalization, idx: [usize; 6]) -> Vec<Dot> {
    let normalized: Vec<Vec<f32>> = rows
        .iter()
        .map(|r| {
            let mut r: Vec<f32> = r.iter().take(6).copied().collect();
            r.resize(6, 0.0);
            match norm {
                Normalization::None => {}
                Normalization::Sigmoid => r.iter_mut().for_each(|v| *v = 1.0 / (1.0 + (-*v).exp())),
                Normalization::Softmax => {
                    let max = r.iter().copied().fold(f32::NEG_INFINITY, f32::max);
                    r.iter_mut().for_each(|v| *v = (*v - max).exp());
                    let sum: f32 = r.iter().sum();
                    r.iter_mut().for_each(|v| *v /= sum);
                }
                Normalization::MinMax => minmax(&mut r),
            }
            r
        })
        .collect();
    let mut sizes: Vec<f32> = normalized.iter().map(|r| r[idx[5]]).collect();
    minmax(&mut sizes);
    sizes.iter_mut().for_each(|s| *s = (3.0 * *s).exp() * 100.0);
    if norm == Normalization::None {
        minmax(&mut sizes);
    }
    normalized
        .iter()
        .zip(sizes)
        .map(|(r, area)| {
            let mut rgb = [r[idx[2]], r[idx[3]], r[idx[4]]];
            if norm == Normalization::None {
                minmax(&mut rgb);
            }
            Dot {
                x: r[idx[0]],
                y: r[idx[1]],
                rgb: rgb.map(|c| c.clamp(0.0, 1.0)),
                area,
            }
        })
        .collect()
}

/// Names the permutation, e.g. `[5, 4, 1, 2, 3, 0]` → `s B y R G x` (the notebook prints the
/// feature that each position's activation came from).
pub fn describe_permutation(idx: [usize; 6]) -> String {
    idx.iter()
        .map(|&i| FEATURES[i])
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether `idx` is a permutation of 0..6.
pub fn is_permutation(idx: [usize; 6]) -> bool {
    let mut seen = [false; 6];
    idx.iter()
        .all(|&i| i < 6 && !std::mem::replace(&mut seen[i], true))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follows_the_notebook_mapping() {
        let rows = vec![
            vec![0.0, 1.0, 2.0, 3.0, 4.0, 5.0],
            vec![5.0, 4.0, 3.0, 2.0, 1.0, 0.0],
        ];
        let dots = dot_features(&rows, Normalization::Sigmoid, [0, 1, 2, 3, 4, 5]);
        let sigmoid = |v: f32| 1.0 / (1.0 + (-v).exp());
        assert!((dots[0].x - sigmoid(0.0)).abs() < 1e-6);
        assert!((dots[0].y - sigmoid(1.0)).abs() < 1e-6);
        assert!((dots[0].rgb[2] - sigmoid(4.0)).abs() < 1e-6);
        // Sizes: min-max over points, then exp(3 s) * 100: the larger 6th activation is e³·100.
        assert!((dots[0].area - 3f32.exp() * 100.0).abs() < 1e-2);
        assert!((dots[1].area - 100.0).abs() < 1e-2);
    }

    #[test]
    fn no_normalization_scales_colours_per_point_and_survives_dead_units() {
        let rows = vec![vec![0.0; 6], vec![1.0, 2.0, 3.0, 0.0, 6.0, 9.0]];
        let dots = dot_features(&rows, Normalization::None, NOTEBOOK_PERMUTATION);
        for d in &dots {
            assert!(
                d.rgb
                    .iter()
                    .all(|c| c.is_finite() && (0.0..=1.0).contains(c))
            );
            assert!(d.area.is_finite());
        }
        // Second point: R,G,B from activations 1,2,3 = (2,3,0) → (2/3, 1, 0).
        assert!((dots[1].rgb[0] - 2.0 / 3.0).abs() < 1e-5 && dots[1].rgb[2] < 1e-5);
    }

    #[test]
    fn softmax_rows_sum_to_one() {
        let rows = vec![vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]];
        let dots = dot_features(&rows, Normalization::Softmax, [0, 1, 2, 3, 4, 5]);
        // Five of the six softmax weights; the sixth (the largest, e⁶/Σ) drives the size.
        let five: f32 = dots[0].x + dots[0].y + dots[0].rgb.iter().sum::<f32>();
        let sum: f32 = (1..=6).map(|v| (v as f32).exp()).sum();
        assert!((five - (1.0 - 6f32.exp() / sum)).abs() < 1e-5, "{five}");
        assert!(dots[0].x < dots[0].y);
    }

    #[test]
    fn permutations() {
        assert_eq!(describe_permutation(NOTEBOOK_PERMUTATION), "s B y R G x");
        assert!(is_permutation(NOTEBOOK_PERMUTATION));
        assert!(!is_permutation([0, 0, 1, 2, 3, 4]));
        assert!(!is_permutation([0, 1, 2, 3, 4, 6]));
    }
}
