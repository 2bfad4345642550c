//! Labelled point sets on the host, and their upload to a device.

use burn::tensor::{Device, Int, Tensor, TensorData};

use crate::{DataError, seeded_permutation, split_indices};

/// A set of points with integer class labels, stored row-major on the host.
#[derive(Debug, Clone, PartialEq)]
pub struct LabeledPoints {
    dim: usize,
    features: Vec<f32>,
    labels: Vec<u32>,
}

impl LabeledPoints {
    /// Builds a point set from row-major features (`labels.len()` rows of `dim` values).
    pub fn new(dim: usize, features: Vec<f32>, labels: Vec<u32>) -> Result<Self, DataError> {
        if dim == 0 {
            return Err(DataError::Malformed("dimension must be at least 1".into()));
        }
        if features.len() != dim * labels.len() {
            return Err(DataError::Malformed(format!(
                "{} feature values do not make {} rows of {dim}",
                features.len(),
                labels.len()
            )));
        }
        Ok(Self {
            dim,
            features,
            labels,
        })
    }

    /// Number of points.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether the set has no points.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Number of features per point.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// All features, row-major.
    pub fn features(&self) -> &[f32] {
        &self.features
    }

    /// The features of point `i`.
    pub fn row(&self, i: usize) -> &[f32] {
        &self.features[i * self.dim..(i + 1) * self.dim]
    }

    /// The class labels.
    pub fn labels(&self) -> &[u32] {
        &self.labels
    }

    /// Number of classes: one more than the largest label (0 for an empty set).
    pub fn num_classes(&self) -> usize {
        self.labels.iter().max().map_or(0, |m| *m as usize + 1)
    }

    /// How many points each class has, indexed by class.
    pub fn class_counts(&self) -> Vec<usize> {
        let mut counts = vec![0; self.num_classes()];
        for &l in &self.labels {
            counts[l as usize] += 1;
        }
        counts
    }

    /// The points at the given indices, in that order.
    pub fn select(&self, indices: &[usize]) -> Self {
        let mut features = Vec::with_capacity(indices.len() * self.dim);
        let mut labels = Vec::with_capacity(indices.len());
        for &i in indices {
            features.extend_from_slice(self.row(i));
            labels.push(self.labels[i]);
        }
        Self {
            dim: self.dim,
            features,
            labels,
        }
    }

    /// A seeded random permutation of the points.
    pub fn shuffled(&self, seed: u64) -> Self {
        self.select(&seeded_permutation(self.len(), seed))
    }

    /// A seeded random split into `(train, test)` with `round(train_fraction * len)` training
    /// points (like scikit-learn's `train_test_split` or PyTorch's `random_split`).
    ///
    /// # Panics
    /// If `train_fraction` is not within `[0, 1]`; callers validate user input first.
    pub fn split(&self, train_fraction: f64, seed: u64) -> (Self, Self) {
        let (train, rest) = split_indices(self.len(), train_fraction, seed);
        (self.select(&train), self.select(&rest))
    }

    /// Points as `[x, y]` pairs (the first two features), for 2-D plots.
    pub fn points_2d(&self) -> Vec<[f32; 2]> {
        (0..self.len())
            .map(|i| {
                let r = self.row(i);
                [r[0], r.get(1).copied().unwrap_or(0.0)]
            })
            .collect()
    }

    /// Points as `[x, y, z]` triples (the first three features), for 3-D plots.
    pub fn points_3d(&self) -> Vec<[f32; 3]> {
        (0..self.len())
            .map(|i| {
                let r = self.row(i);
                [
                    r[0],
                    r.get(1).copied().unwrap_or(0.0),
                    r.get(2).copied().unwrap_or(0.0),
                ]
            })
            .collect()
    }

    /// Uploads the set to `device`: features as a float `[N, dim]` tensor, labels as an
    /// integer `[N]` tensor.
    pub fn to_device(&self, device: &Device) -> DeviceData {
        let n = self.len();
        let features = Tensor::from_data(
            TensorData::new(self.features.clone(), [n, self.dim]),
            device,
        );
        let labels_i64: Vec<i64> = self.labels.iter().map(|&l| i64::from(l)).collect();
        let labels = Tensor::from_data(TensorData::new(labels_i64, [n]), device);
        DeviceData { features, labels }
    }
}

/// A labelled point set living on a device.
#[derive(Debug, Clone)]
pub struct DeviceData {
    /// Float features, `[N, dim]`.
    pub features: Tensor<2>,
    /// Integer class labels, `[N]`.
    pub labels: Tensor<1, Int>,
}

impl DeviceData {
    /// Number of points.
    pub fn len(&self) -> usize {
        self.labels.dims()[0]
    }

    /// Whether the set has no points.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toy() -> LabeledPoints {
        LabeledPoints::new(
            2,
            (0..20).map(|v| v as f32).collect(),
            vec![0, 1, 0, 1, 2, 2, 0, 1, 0, 1],
        )
        .unwrap()
    }

    #[test]
    fn rejects_mismatched_shapes() {
        assert!(LabeledPoints::new(3, vec![0.0; 7], vec![0, 1]).is_err());
        assert!(LabeledPoints::new(0, vec![], vec![]).is_err());
    }

    #[test]
    fn split_partitions_the_points() {
        let data = toy();
        let (train, test) = data.split(0.8, 7);
        assert_eq!((train.len(), test.len()), (8, 2));
        let mut all: Vec<f32> = train
            .features()
            .iter()
            .chain(test.features())
            .copied()
            .collect();
        all.sort_by(f32::total_cmp);
        assert_eq!(all, data.features().to_vec());
        assert_eq!(data.split(0.8, 7), data.split(0.8, 7));
        assert_ne!(data.split(0.8, 7).0, data.split(0.8, 8).0);
    }

    #[test]
    fn counts_classes() {
        assert_eq!(toy().class_counts(), vec![4, 4, 2]);
        assert_eq!(toy().num_classes(), 3);
    }

    #[test]
    fn uploads_to_a_device() {
        let device = Device::flex();
        let on_device = toy().to_device(&device);
        assert_eq!(on_device.features.dims(), [10, 2]);
        assert_eq!(on_device.len(), 10);
        let labels: Vec<i64> = on_device.labels.into_data().iter::<i64>().collect();
        assert_eq!(labels[4], 2);
    }
}
