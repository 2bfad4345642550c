//! A function sampled on a square grid: lab 2's regression target, the 2-D Gaussian density.

use burn::tensor::{Device, Tensor, TensorData};
use serde::{Deserialize, Serialize};

/// An isotropic 2-D Gaussian density sampled on a regular grid, as lab 2 builds it with
/// `np.linspace`, `np.meshgrid` and `scipy.stats.multivariate_normal(mean, cov=[[σ², 0], [0, σ²]])`.
/// [`Default`] is the lab's: μ = (0, 0), σ² = 50, 50 × 50 points over [-2, 2]².
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GaussianGridConfig {
    /// The mean `(μx, μy)`.
    pub mean: [f64; 2],
    /// The variance σ² of each coordinate (the diagonal of the covariance matrix).
    pub variance: f64,
    /// The interval both axes cover, ends included.
    pub range: (f64, f64),
    /// Grid points per axis (≥ 2).
    pub points_per_axis: usize,
}

impl Default for GaussianGridConfig {
    fn default() -> Self {
        Self {
            mean: [0.0, 0.0],
            variance: 50.0,
            range: (-2.0, 2.0),
            points_per_axis: 50,
        }
    }
}

impl GaussianGridConfig {
    /// Checks every value, with a message naming the bad one.
    pub fn validate(&self) -> Result<(), String> {
        if !(self.variance.is_finite() && self.variance > 0.0) {
            return Err(format!(
                "variance must be finite and > 0, got {}",
                self.variance
            ));
        }
        if !self.mean.iter().all(|m| m.is_finite()) {
            return Err(format!("mean must be finite, got {:?}", self.mean));
        }
        let (lo, hi) = self.range;
        if !(lo.is_finite() && hi.is_finite() && lo < hi) {
            return Err(format!(
                "grid range must be finite and increasing, got {:?}",
                self.range
            ));
        }
        if self.points_per_axis < 2 {
            return Err(format!(
                "points per axis must be ≥ 2, got {}",
                self.points_per_axis
            ));
        }
        Ok(())
    }

    /// The density at `(x, y)`: `exp(-((x-μx)² + (y-μy)²) / (2σ²)) / (2πσ²)`.
    pub fn density(&self, x: f64, y: f64) -> f64 {
        let (dx, dy) = (x - self.mean[0], y - self.mean[1]);
        (-(dx * dx + dy * dy) / (2.0 * self.variance)).exp()
            / (2.0 * std::f64::consts::PI * self.variance)
    }
}

/// Values of a function of `(x, y)` on a regular grid of nodes.
///
/// Node `k` is `(xs[k % cols], ys[k / cols])`: rows run along y and columns along x, the order
/// of `np.column_stack((x_nodes.ravel(), y_nodes.ravel()))` after `np.meshgrid(xs, ys)`.
#[derive(Debug, Clone, PartialEq)]
pub struct GridFunction {
    xs: Vec<f32>,
    ys: Vec<f32>,
    values: Vec<f32>,
}

impl GridFunction {
    /// Samples `f` at every node of the grid `xs × ys`.
    pub fn sample(xs: Vec<f32>, ys: Vec<f32>, f: impl Fn(f64, f64) -> f64) -> Self {
        let values = ys
            .iter()
            .flat_map(|&y| xs.iter().map(move |&x| (x, y)))
            .map(|(x, y)| f(f64::from(x), f64::from(y)) as f32)
            .collect();
        Self { xs, ys, values }
    }

    /// The same grid with other values (e.g. a model's predictions at the nodes).
    ///
    /// # Panics
    /// If `values` does not hold one value per node.
    pub fn with_values(&self, values: Vec<f32>) -> Self {
        assert_eq!(values.len(), self.len(), "one value per grid node");
        Self {
            xs: self.xs.clone(),
            ys: self.ys.clone(),
            values,
        }
    }

    /// The x coordinates of the columns.
    pub fn xs(&self) -> &[f32] {
        &self.xs
    }

    /// The y coordinates of the rows.
    pub fn ys(&self) -> &[f32] {
        &self.ys
    }

    /// The value at every node, row after row.
    pub fn values(&self) -> &[f32] {
        &self.values
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether the grid has no node.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The nodes as `[x, y]` rows, in value order.
    pub fn nodes(&self) -> Vec<[f32; 2]> {
        self.ys
            .iter()
            .flat_map(|&y| self.xs.iter().map(move |&x| [x, y]))
            .collect()
    }

    /// The nodes as a `[N, 2]` tensor and the values as a `[N, 1]` tensor on `device`.
    pub fn to_device(&self, device: &Device) -> (Tensor<2>, Tensor<2>) {
        let n = self.len();
        let nodes: Vec<f32> = self.nodes().into_iter().flatten().collect();
        (
            Tensor::from_data(TensorData::new(nodes, [n, 2]), device),
            Tensor::from_data(TensorData::new(self.values.clone(), [n, 1]), device),
        )
    }
}

/// `n` evenly spaced values from `lo` to `hi`, both included (`np.linspace`).
pub fn linspace(lo: f64, hi: f64, n: usize) -> Vec<f32> {
    match n {
        0 => Vec::new(),
        1 => vec![lo as f32],
        _ => (0..n)
            .map(|i| (lo + (hi - lo) * i as f64 / (n - 1) as f64) as f32)
            .collect(),
    }
}

/// Lab 2's data set: the Gaussian density of `config` at every node of its grid.
pub fn gaussian_grid(config: &GaussianGridConfig) -> GridFunction {
    let (lo, hi) = config.range;
    let axis = linspace(lo, hi, config.points_per_axis);
    GridFunction::sample(axis.clone(), axis, |x, y| config.density(x, y))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_labs_grid_and_density() {
        let config = GaussianGridConfig::default();
        assert!(config.validate().is_ok());
        let grid = gaussian_grid(&config);
        assert_eq!(grid.len(), 2500);
        assert_eq!((grid.xs().len(), grid.ys().len()), (50, 50));
        assert_eq!(grid.xs()[0], -2.0);
        assert_eq!(grid.xs()[49], 2.0);
        // np.meshgrid order: x varies fastest.
        let nodes = grid.nodes();
        assert_eq!(nodes[1], [grid.xs()[1], -2.0]);
        assert_eq!(nodes[50], [-2.0, grid.ys()[1]]);
        // scipy: multivariate_normal([0, 0], 50·I).pdf([0, 0]) = 1 / (100π).
        let peak = 1.0 / (100.0 * std::f64::consts::PI);
        assert!((config.density(0.0, 0.0) - peak).abs() < 1e-15);
        // At a corner: e^(-8/100) of the peak.
        let corner = f64::from(grid.values()[0]);
        assert!((corner - peak * (-0.08f64).exp()).abs() < 1e-9, "{corner}");
        let max = grid.values().iter().copied().fold(f32::MIN, f32::max);
        assert!(f64::from(max) < peak && f64::from(max) > 0.999 * peak);
    }

    #[test]
    fn tensors_follow_the_node_order() {
        let device = Device::flex();
        let grid = gaussian_grid(&GaussianGridConfig {
            points_per_axis: 3,
            ..Default::default()
        });
        let (x, y) = grid.to_device(&device);
        assert_eq!(x.dims(), [9, 2]);
        assert_eq!(y.dims(), [9, 1]);
        let x: Vec<f32> = x.into_data().try_to_vec::<f32>().unwrap();
        assert_eq!(&x[..6], &[-2.0, -2.0, 0.0, -2.0, 2.0, -2.0]);
        let y: Vec<f32> = y.into_data().try_to_vec::<f32>().unwrap();
        assert_eq!(y, grid.values());
        assert_eq!(grid.with_values(vec![1.0; 9]).values(), &[1.0; 9]);
    }

    #[test]
    fn validation_names_the_bad_value() {
        let bad = |c: GaussianGridConfig| c.validate().unwrap_err();
        assert!(
            bad(GaussianGridConfig {
                variance: 0.0,
                ..Default::default()
            })
            .contains("variance")
        );
        assert!(
            bad(GaussianGridConfig {
                range: (1.0, -1.0),
                ..Default::default()
            })
            .contains("range")
        );
        assert!(
            bad(GaussianGridConfig {
                points_per_axis: 1,
                ..Default::default()
            })
            .contains("points per axis")
        );
        assert_eq!(linspace(0.0, 1.0, 5), vec![0.0, 0.25, 0.5, 0.75, 1.0]);
    }
}
