//! Spiral data sets: two intertwined 3-D spirals (notebook 000) and K-class 2-D spirals
//! (notebook 003).

use std::f64::consts::PI;

use rand::RngExt;
use rand_distr::StandardNormal;
use serde::{Deserialize, Serialize};

use crate::{LabeledPoints, seeded_rng};

/// Parameters of [`spirals_3d`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Spirals3dConfig {
    /// Points in each of the two spirals.
    pub points_per_class: usize,
    /// Standard deviation of the Gaussian noise added to the radius and the height.
    pub noise: f64,
}

impl Default for Spirals3dConfig {
    /// The notebook's call: `generate_3d_spirals(n_points_per_class=500, noise=0.05)`.
    fn default() -> Self {
        Self {
            points_per_class: 500,
            noise: 0.05,
        }
    }
}

/// Two intertwined 3-D spirals, as notebook 000's `generate_3d_spirals` defines them, shuffled.
///
/// For each class an angle `θ = sqrt(u)·3π` (`u` uniform in [0, 1)) and a radius
/// `r = θ + noise·ε` give the point `(r cos θ, r sin θ, θ/2 + noise·ε')`; the second spiral
/// (label 1) negates `x` and `y`. Labels are 0 for the first spiral and 1 for the second.
pub fn spirals_3d(config: &Spirals3dConfig, seed: u64) -> LabeledPoints {
    let mut rng = seeded_rng(seed);
    let n = config.points_per_class;
    let mut features = Vec::with_capacity(2 * n * 3);
    let mut labels = Vec::with_capacity(2 * n);
    for (label, sign) in [(0u32, 1.0f64), (1, -1.0)] {
        // Same draw order as the notebook: all angles, then radius noise, then height noise.
        let theta: Vec<f64> = (0..n)
            .map(|_| rng.random::<f64>().sqrt() * 3.0 * PI)
            .collect();
        let radius_noise: Vec<f64> = (0..n).map(|_| rng.sample(StandardNormal)).collect();
        let height_noise: Vec<f64> = (0..n).map(|_| rng.sample(StandardNormal)).collect();
        for i in 0..n {
            let r = theta[i] + config.noise * radius_noise[i];
            features.push((sign * r * theta[i].cos()) as f32);
            features.push((sign * r * theta[i].sin()) as f32);
            features.push((theta[i] * 0.5 + config.noise * height_noise[i]) as f32);
            labels.push(label);
        }
    }
    let points = LabeledPoints::new(3, features, labels).expect("rows of 3 by construction");
    points.shuffled(seed.wrapping_add(1))
}

/// Parameters of [`spirals_2d`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Spirals2dConfig {
    /// Points in each spiral arm.
    pub points_per_class: usize,
    /// Number of arms (classes).
    pub classes: usize,
    /// Standard deviation of the Gaussian noise added to the angle.
    pub angle_noise: f64,
}

impl Default for Spirals2dConfig {
    /// The notebook's values: N = 1000 per class, K = 3, angle noise 0.2.
    fn default() -> Self {
        Self {
            points_per_class: 1000,
            classes: 3,
            angle_noise: 0.2,
        }
    }
}

/// K-class 2-D spirals, as notebook 003 builds them (not shuffled: class by class).
///
/// With `t` evenly spaced in [0, 1], amplitude `a = 0.8t + 0.2` and angle
/// `θ = (2t + k)·2π/K + noise·ε`, arm `k` is the curve `a·(sin θ, cos θ)`.
pub fn spirals_2d(config: &Spirals2dConfig, seed: u64) -> LabeledPoints {
    let mut rng = seeded_rng(seed);
    let n = config.points_per_class;
    let k_total = config.classes as f64;
    let mut features = Vec::with_capacity(n * config.classes * 2);
    let mut labels = Vec::with_capacity(n * config.classes);
    for k in 0..config.classes {
        for i in 0..n {
            let t = if n > 1 {
                i as f64 / (n - 1) as f64
            } else {
                0.0
            };
            let amplitude = 0.8 * t + 0.2;
            let noise: f64 = rng.sample(StandardNormal);
            let theta = (2.0 * t + k as f64) * 2.0 * PI / k_total + config.angle_noise * noise;
            features.push((amplitude * theta.sin()) as f32);
            features.push((amplitude * theta.cos()) as f32);
            labels.push(k as u32);
        }
    }
    LabeledPoints::new(2, features, labels).expect("rows of 2 by construction")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spirals_3d_shapes_balance_and_seed() {
        let config = Spirals3dConfig::default();
        let data = spirals_3d(&config, 42);
        assert_eq!(data.len(), 1000);
        assert_eq!(data.dim(), 3);
        assert_eq!(data.class_counts(), vec![500, 500]);
        assert_eq!(data, spirals_3d(&config, 42), "same seed, same data");
        assert_ne!(
            data,
            spirals_3d(&config, 43),
            "different seed, different data"
        );
        // Shuffled: the first 50 labels are not all one class.
        let first: u32 = data.labels()[..50].iter().sum();
        assert!(first > 5 && first < 45, "labels look unshuffled: {first}");
    }

    #[test]
    fn spirals_3d_follow_the_formula() {
        let config = Spirals3dConfig {
            points_per_class: 400,
            noise: 0.0,
        };
        let data = spirals_3d(&config, 1);
        for i in 0..data.len() {
            let p = data.row(i);
            let theta = 2.0 * p[2] as f64;
            let radius = ((p[0] as f64).powi(2) + (p[1] as f64).powi(2)).sqrt();
            assert!((0.0..=3.0 * PI + 1e-4).contains(&theta));
            assert!(
                (radius - theta).abs() < 1e-3,
                "radius {radius} vs angle {theta}"
            );
            // Class 1 is the point reflection of class 0 in the xy-plane.
            let sign = if data.labels()[i] == 0 { 1.0 } else { -1.0 };
            let expected_x = sign * theta * theta.cos();
            assert!((p[0] as f64 - expected_x).abs() < 1e-3);
        }
    }

    #[test]
    fn spirals_2d_shapes_and_range() {
        let config = Spirals2dConfig::default();
        let data = spirals_2d(&config, 12345);
        assert_eq!(data.len(), 3000);
        assert_eq!(data.class_counts(), vec![1000, 1000, 1000]);
        for i in 0..data.len() {
            let p = data.row(i);
            let r = (p[0] * p[0] + p[1] * p[1]).sqrt();
            assert!((0.2 - 1e-5..=1.0 + 1e-5).contains(&r), "radius {r}");
        }
        assert_eq!(data, spirals_2d(&config, 12345));
    }
}
