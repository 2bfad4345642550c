//! A tensor's `flex` primitive, through Burn's backend-extension API, for the layers that take
//! a faster path on the CPU backend ([`crate::sigmoid`], [`crate::linear`]).

use burn::backend::autodiff::checkpoint::strategy::NoCheckpointing;
use burn::backend::flex::FlexTensor;
use burn::backend::tensor::FloatTensor;
use burn::backend::{
    Autodiff, BackendTensor, DispatchAutodiffContext, DispatchTensor, DispatchTensorKind, Flex,
    GradientCheckpointingStrategy,
};
use burn::tensor::{DType, Tensor};
use rayon::prelude::*;

/// Elements per task when a pass is split over the CPU pool: enough that a task's work
/// outweighs its scheduling (a batch of 64 × 512 sigmoids is four tasks).
pub(crate) const CHUNK: usize = 8 * 1024;

/// The autodiff backend of a `flex` tensor on a device without gradient checkpointing.
pub(crate) type FlexAutodiff = Autodiff<Flex, NoCheckpointing>;

/// What a float tensor is underneath.
// Short-lived and moved, never stored: boxing `Other` would allocate on every call for nothing.
#[allow(clippy::large_enum_variant)]
pub(crate) enum OnFlex<const D: usize> {
    /// `f32` values on `flex`, no autodiff.
    Plain(FlexTensor),
    /// `f32` values on `flex` with autodiff and no gradient checkpointing, tracked or not.
    Autodiff(FloatTensor<FlexAutodiff>),
    /// Anything else, as it came: another device or float type, or gradient checkpointing
    /// (whose recomputation Burn's own operations implement).
    Other(Tensor<D>),
}

impl<const D: usize> OnFlex<D> {
    /// Looks underneath `tensor` (no copy).
    pub(crate) fn of(tensor: Tensor<D>) -> Self {
        if tensor.dtype() != DType::F32 {
            return OnFlex::Other(tensor);
        }
        let DispatchTensor { kind, autodiff } = tensor.into_dispatch();
        let kind = match (kind, autodiff) {
            (
                DispatchTensorKind::Flex(BackendTensor::Float(t)),
                DispatchAutodiffContext::Disabled,
            ) => return OnFlex::Plain(t),
            (
                DispatchTensorKind::Autodiff(inner),
                DispatchAutodiffContext::Enabled(GradientCheckpointingStrategy::Disabled),
            ) => match *inner {
                DispatchTensorKind::Flex(BackendTensor::Autodiff(t)) => return OnFlex::Autodiff(t),
                other => DispatchTensorKind::Autodiff(Box::new(other)),
            },
            (kind, _) => kind,
        };
        OnFlex::Other(Tensor::from_dispatch(DispatchTensor { kind, autodiff }))
    }

    /// The tensor again.
    pub(crate) fn into_tensor(self) -> Tensor<D> {
        match self {
            OnFlex::Plain(t) => Tensor::from_primitive::<Flex>(t),
            OnFlex::Autodiff(t) => Tensor::from_primitive::<FlexAutodiff>(t),
            OnFlex::Other(t) => t,
        }
    }
}

/// A strided view copied into a buffer of its own; a contiguous tensor as it is.
pub(crate) fn contiguous(t: FlexTensor) -> FlexTensor {
    if t.layout().contiguous_offsets().is_some() {
        t
    } else {
        t.to_contiguous()
    }
}

/// The values of a contiguous `f32` tensor.
pub(crate) fn values(t: &FlexTensor) -> &[f32] {
    t.as_slice().expect("a contiguous f32 tensor")
}

/// The values of a contiguous `f32` tensor to overwrite: in its own buffer when nothing else
/// holds it, else in a copy it then owns (burn-flex's copy on write).
pub(crate) fn values_mut(t: &mut FlexTensor) -> &mut [f32] {
    let (start, end) = t
        .layout()
        .contiguous_offsets()
        .expect("a contiguous tensor");
    &mut t.storage_mut::<f32>()[start..end]
}

/// The transpose of a `[rows, cols]` matrix, as a new contiguous `[cols, rows]` tensor, copied
/// in square tiles split over the CPU pool.
pub(crate) fn transposed(matrix: FlexTensor) -> FlexTensor {
    /// Rows and columns of a tile: a tile's reads stay in cache while its columns are copied.
    const TILE: usize = 32;
    let [rows, cols] = matrix.layout().shape().dims::<2>();
    let matrix = contiguous(matrix);
    let from = values(&matrix);
    let mut out = vec![0.0_f32; rows * cols];
    out.par_chunks_mut(TILE * rows)
        .enumerate()
        .for_each(|(block, out_rows)| {
            let first_col = block * TILE;
            for first_row in (0..rows).step_by(TILE) {
                let tile_rows = TILE.min(rows - first_row);
                for (col, out_row) in out_rows.chunks_mut(rows).enumerate() {
                    let column = first_col + col;
                    for (i, to) in out_row[first_row..first_row + tile_rows]
                        .iter_mut()
                        .enumerate()
                    {
                        *to = from[(first_row + i) * cols + column];
                    }
                }
            }
        });
    FlexTensor::from_data(burn::tensor::TensorData::new(out, [cols, rows]))
}

#[cfg(test)]
mod tests {
    use burn::backend::Flex;
    use burn::backend::ops::FloatTensorOps;
    use burn::tensor::TensorData;

    use super::*;

    #[test]
    fn transposed_matches_burns_transposed_view() {
        for [rows, cols] in [[1, 1], [3, 70], [64, 33], [100, 1], [512, 1024]] {
            let data: Vec<f32> = (0..rows * cols).map(|i| i as f32).collect();
            let matrix = FlexTensor::from_data(TensorData::new(data, [rows, cols]));
            let ours = transposed(matrix.clone());
            let burns = Flex::float_swap_dims(matrix, 0, 1).to_contiguous();
            assert_eq!(ours.layout().shape().dims::<2>(), [cols, rows]);
            assert_eq!(values(&ours), values(&burns), "{rows}×{cols}");
        }
    }
}
