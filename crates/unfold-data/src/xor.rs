//! The multidimensional XOR "data set" of notebook 001: every `d`-bit vector with its parity.

use crate::{DataError, LabeledPoints};

/// The largest dimension [`xor_data`] accepts: `2^16 = 65 536` points.
pub const MAX_XOR_DIM: usize = 16;

/// All `2^d` bit vectors `b ∈ {0, 1}^d` with their labels `XOR(b) = (Σ bᵢ) mod 2`, in the order
/// of Python's `itertools.product([0, 1], repeat=d)` (the notebook's `XORData`): point `i` is
/// the binary expansion of `i`, most significant bit first.
///
/// ```
/// let data = unfold_data::xor_data(2).unwrap();
/// assert_eq!(data.features(), &[0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0]);
/// assert_eq!(data.labels(), &[0, 1, 1, 0]);
/// ```
///
/// # Errors
/// [`DataError::InvalidParameter`] if `d` is 0 or larger than [`MAX_XOR_DIM`].
pub fn xor_data(d: usize) -> Result<LabeledPoints, DataError> {
    if !(1..=MAX_XOR_DIM).contains(&d) {
        return Err(DataError::InvalidParameter(format!(
            "XOR dimension must be in 1..={MAX_XOR_DIM} (2^d points), got {d}"
        )));
    }
    let n = 1usize << d;
    let mut features = Vec::with_capacity(n * d);
    let mut labels = Vec::with_capacity(n);
    for i in 0..n {
        features.extend((0..d).rev().map(|bit| ((i >> bit) & 1) as f32));
        labels.push(i.count_ones() % 2);
    }
    LabeledPoints::new(d, features, labels)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bit_vector_once_with_its_parity() {
        for d in 1..=6 {
            let data = xor_data(d).unwrap();
            assert_eq!(data.len(), 1 << d);
            assert_eq!(data.dim(), d);
            let mut seen = std::collections::HashSet::new();
            for i in 0..data.len() {
                let row = data.row(i);
                assert!(row.iter().all(|v| *v == 0.0 || *v == 1.0));
                let ones = row.iter().filter(|v| **v == 1.0).count() as u32;
                assert_eq!(data.labels()[i], ones % 2);
                assert!(seen.insert(row.iter().map(|v| *v as u8).collect::<Vec<_>>()));
            }
            // Balanced: half the points have odd parity.
            assert_eq!(data.class_counts(), vec![1 << (d - 1); 2]);
        }
    }

    #[test]
    fn itertools_product_order() {
        let data = xor_data(3).unwrap();
        assert_eq!(data.row(1), &[0.0, 0.0, 1.0]);
        assert_eq!(data.row(4), &[1.0, 0.0, 0.0]);
        assert_eq!(data.labels(), &[0, 1, 1, 0, 1, 0, 0, 1]);
    }

    #[test]
    fn rejects_out_of_range_dimensions() {
        for d in [0, MAX_XOR_DIM + 1, 64] {
            let err = xor_data(d).unwrap_err().to_string();
            assert!(
                err.contains("XOR dimension") && err.contains(&d.to_string()),
                "{err}"
            );
        }
        assert_eq!(xor_data(MAX_XOR_DIM).unwrap().len(), 65_536);
    }
}
