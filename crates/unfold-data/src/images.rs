//! Labelled grey-scale image sets on the host: splitting, normalization, upload to a device,
//! and Burn's `Dataset` and `Batcher` for them.

use std::path::Path;

use burn::data::dataloader::batcher::Batcher;
use burn::data::dataset::{Dataset, DatasetError};
use burn::tensor::{Device, Int, Tensor, TensorData};

use crate::datasets::NUM_CLASSES;
use crate::idx::{
    IdxLimits, read_idx_images_within, read_idx_labels_within, write_idx_images, write_idx_labels,
};
use crate::{DataError, DeviceData, seeded_permutation, split_indices};

/// How pixel bytes become floats: `x = (byte / 255 - mean) / std`.
///
/// [`Normalization::UNIT`] (the default) keeps pixels in `[0, 1]`;
/// [`Normalization::MNIST`] standardizes with MNIST's training-set mean and standard
/// deviation (0.1307, 0.3081), as the MNIST and Fashion-MNIST notebooks do.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Normalization {
    mean: f32,
    std: f32,
}

impl Normalization {
    /// Pixels scaled to `[0, 1]`, nothing more.
    pub const UNIT: Normalization = Normalization {
        mean: 0.0,
        std: 1.0,
    };
    /// `(x - 0.1307) / 0.3081`: MNIST's training-set statistics (used by the notebooks for
    /// Fashion-MNIST too).
    pub const MNIST: Normalization = Normalization {
        mean: 0.1307,
        std: 0.3081,
    };

    /// Standardization with the given mean and standard deviation of `[0, 1]` pixels.
    ///
    /// # Errors
    ///
    /// [`DataError::InvalidParameter`] unless both are finite and `std > 0`.
    pub fn mean_std(mean: f32, std: f32) -> Result<Normalization, DataError> {
        if !(mean.is_finite() && std.is_finite() && std > 0.0) {
            return Err(DataError::InvalidParameter(format!(
                "normalization needs a finite mean and a finite positive std, got mean {mean}, \
                 std {std}"
            )));
        }
        Ok(Normalization { mean, std })
    }

    /// The mean subtracted from `[0, 1]` pixels.
    pub fn mean(&self) -> f32 {
        self.mean
    }

    /// The standard deviation `[0, 1]` pixels are divided by.
    pub fn std(&self) -> f32 {
        self.std
    }

    /// The float value of one pixel byte.
    pub fn apply(&self, pixel: u8) -> f32 {
        (f32::from(pixel) / 255.0 - self.mean) / self.std
    }

    /// The float value of every byte, for fast conversion.
    pub fn table(&self) -> [f32; 256] {
        std::array::from_fn(|b| self.apply(b as u8))
    }

    /// Converts pixel bytes to floats.
    pub fn convert(&self, pixels: &[u8]) -> Vec<f32> {
        let table = self.table();
        pixels.iter().map(|&p| table[usize::from(p)]).collect()
    }
}

impl Default for Normalization {
    fn default() -> Self {
        Normalization::UNIT
    }
}

/// Labelled grey-scale images of one size, on the host: one byte per pixel (0 = background),
/// labels in `0..=9`.
///
/// Built from IDX files ([`ImageSet::from_idx_files`], or [`crate::load`] which finds them)
/// or from memory ([`ImageSet::new`]). It is a Burn [`Dataset`] of [`ImageItem`]s (batched by
/// [`ImageBatcher`]); for speed a whole set can also go to the device as one tensor
/// ([`ImageSet::to_device`], [`ImageSet::to_device_flat`]) and be batched there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageSet {
    rows: usize,
    cols: usize,
    pixels: Vec<u8>,
    labels: Vec<u8>,
}

impl ImageSet {
    /// An image set from pixels (image after image, each row-major) and one label per image.
    ///
    /// # Errors
    ///
    /// [`DataError::MalformedImages`] when a side is 0, the pixel count is not
    /// `labels.len() * rows * cols`, or a label is outside `0..=9`.
    pub fn new(
        rows: usize,
        cols: usize,
        pixels: Vec<u8>,
        labels: Vec<u8>,
    ) -> Result<ImageSet, DataError> {
        if rows == 0 || cols == 0 {
            return Err(DataError::MalformedImages(format!(
                "images of {rows}x{cols} pixels are empty"
            )));
        }
        let expected = labels.len().checked_mul(rows * cols);
        if expected != Some(pixels.len()) {
            return Err(DataError::MalformedImages(format!(
                "{} pixel values do not make {} images of {rows}x{cols}",
                pixels.len(),
                labels.len()
            )));
        }
        if let Some((index, label)) = first_bad_label(&labels) {
            return Err(DataError::MalformedImages(format!(
                "label {label} of image {index} is outside 0..={}",
                NUM_CLASSES - 1
            )));
        }
        Ok(ImageSet {
            rows,
            cols,
            pixels,
            labels,
        })
    }

    /// Reads and cross-checks an IDX image file and its label file (each raw or `.gz`).
    ///
    /// # Errors
    ///
    /// The errors of [`crate::read_idx_images`] and [`crate::read_idx_labels`];
    /// [`DataError::Mismatch`] naming both files when their counts differ; and
    /// [`DataError::InvalidIdx`] naming the label file when a label is outside `0..=9`.
    pub fn from_idx_files(images: &Path, labels: &Path) -> Result<ImageSet, DataError> {
        Self::from_idx_files_within(images, labels, IdxLimits::DATASETS)
    }

    /// [`ImageSet::from_idx_files`] for files whose headers may declare at most what `limits`
    /// allow (checked before any data is read or decompressed).
    ///
    /// # Errors
    ///
    /// As [`ImageSet::from_idx_files`].
    pub fn from_idx_files_within(
        images: &Path,
        labels: &Path,
        limits: IdxLimits,
    ) -> Result<ImageSet, DataError> {
        let idx = read_idx_images_within(images, limits)?;
        let label_bytes = read_idx_labels_within(labels, limits)?;
        if idx.count != label_bytes.len() {
            return Err(DataError::Mismatch {
                images: images.to_owned(),
                labels: labels.to_owned(),
                reason: format!(
                    "the image file holds {} images but the label file {} labels",
                    idx.count,
                    label_bytes.len()
                ),
            });
        }
        if let Some((index, label)) = first_bad_label(&label_bytes) {
            return Err(DataError::InvalidIdx {
                path: labels.to_owned(),
                reason: format!(
                    "label {label} at index {index} is outside 0..={}",
                    NUM_CLASSES - 1
                ),
            });
        }
        Ok(ImageSet {
            rows: idx.rows,
            cols: idx.cols,
            pixels: idx.pixels,
            labels: label_bytes,
        })
    }

    /// Writes the set as an IDX image file and an IDX label file (gzip-compressed for paths
    /// ending in `.gz`).
    ///
    /// # Errors
    ///
    /// [`DataError::Io`] when a file cannot be written.
    pub fn write_idx(&self, images: &Path, labels: &Path) -> Result<(), DataError> {
        write_idx_images(images, self.rows, self.cols, &self.pixels)?;
        write_idx_labels(labels, &self.labels)
    }

    /// Number of images.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether the set has no images.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Rows (height) of each image.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Columns (width) of each image.
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// Pixels per image (`rows * cols`).
    pub fn image_size(&self) -> usize {
        self.rows * self.cols
    }

    /// All pixels, image after image, each row-major.
    pub fn pixels(&self) -> &[u8] {
        &self.pixels
    }

    /// The labels, one per image, in `0..=9`.
    pub fn labels(&self) -> &[u8] {
        &self.labels
    }

    /// The pixels of image `i`, row-major.
    ///
    /// # Panics
    ///
    /// If `i >= len()`.
    pub fn image(&self, i: usize) -> &[u8] {
        let size = self.image_size();
        &self.pixels[i * size..(i + 1) * size]
    }

    /// The label of image `i`.
    ///
    /// # Panics
    ///
    /// If `i >= len()`.
    pub fn label(&self, i: usize) -> u8 {
        self.labels[i]
    }

    /// How many images each class has, indexed by label (always 10 entries).
    pub fn class_counts(&self) -> [usize; NUM_CLASSES] {
        let mut counts = [0; NUM_CLASSES];
        for &l in &self.labels {
            counts[usize::from(l)] += 1;
        }
        counts
    }

    /// Mean and standard deviation of all pixels scaled to `[0, 1]` (MNIST's training set
    /// gives about 0.1307 and 0.3081).
    pub fn pixel_mean_std(&self) -> (f64, f64) {
        let mut histogram = [0u64; 256];
        for &p in &self.pixels {
            histogram[usize::from(p)] += 1;
        }
        let n = self.pixels.len() as f64;
        if n == 0.0 {
            return (0.0, 0.0);
        }
        let value = |b: usize| b as f64 / 255.0;
        let mean = histogram
            .iter()
            .enumerate()
            .map(|(b, &c)| value(b) * c as f64)
            .sum::<f64>()
            / n;
        let var = histogram
            .iter()
            .enumerate()
            .map(|(b, &c)| (value(b) - mean).powi(2) * c as f64)
            .sum::<f64>()
            / n;
        (mean, var.sqrt())
    }

    /// The images at the given indices, in that order.
    ///
    /// # Panics
    ///
    /// If an index is `>= len()`.
    pub fn select(&self, indices: &[usize]) -> ImageSet {
        let mut pixels = Vec::with_capacity(indices.len() * self.image_size());
        let mut labels = Vec::with_capacity(indices.len());
        for &i in indices {
            pixels.extend_from_slice(self.image(i));
            labels.push(self.labels[i]);
        }
        ImageSet {
            rows: self.rows,
            cols: self.cols,
            pixels,
            labels,
        }
    }

    /// The first `n` images (all of them when `n >= len()`), e.g. for a quick run.
    pub fn head(&self, n: usize) -> ImageSet {
        let n = n.min(self.len());
        ImageSet {
            rows: self.rows,
            cols: self.cols,
            pixels: self.pixels[..n * self.image_size()].to_vec(),
            labels: self.labels[..n].to_vec(),
        }
    }

    /// A seeded random permutation of the images.
    pub fn shuffled(&self, seed: u64) -> ImageSet {
        self.select(&seeded_permutation(self.len(), seed))
    }

    /// A seeded random split into `(train, validation)` with `round(train_fraction * len)`
    /// training images, e.g. `split(0.8, seed)` for the MNIST notebook's 80/20 split. The
    /// same permutation as [`crate::LabeledPoints::split`] for the same length and seed.
    ///
    /// # Panics
    ///
    /// If `train_fraction` is not within `[0, 1]`; callers validate user input first.
    pub fn split(&self, train_fraction: f64, seed: u64) -> (ImageSet, ImageSet) {
        let (train, rest) = split_indices(self.len(), train_fraction, seed);
        (self.select(&train), self.select(&rest))
    }

    /// All pixels as floats, normalized.
    pub fn to_f32(&self, normalization: Normalization) -> Vec<f32> {
        normalization.convert(&self.pixels)
    }

    fn labels_tensor(&self, device: &Device) -> Tensor<1, Int> {
        let labels: Vec<i64> = self.labels.iter().map(|&l| i64::from(l)).collect();
        Tensor::from_data(TensorData::new(labels, [self.len()]), device)
    }

    /// Uploads the whole set: images as a float `[N, 1, rows, cols]` tensor, labels as an
    /// integer `[N]` tensor.
    pub fn to_device(&self, device: &Device, normalization: Normalization) -> DeviceImages {
        let images = Tensor::from_data(
            TensorData::new(
                self.to_f32(normalization),
                [self.len(), 1, self.rows, self.cols],
            ),
            device,
        );
        DeviceImages {
            images,
            labels: self.labels_tensor(device),
        }
    }

    /// Uploads the whole set flattened: images as a float `[N, rows * cols]` tensor (what an
    /// MLP takes, and what `unfold-train`'s loop trains on), labels as an integer `[N]` tensor.
    pub fn to_device_flat(&self, device: &Device, normalization: Normalization) -> DeviceData {
        let features = Tensor::from_data(
            TensorData::new(self.to_f32(normalization), [self.len(), self.image_size()]),
            device,
        );
        DeviceData {
            features,
            labels: self.labels_tensor(device),
        }
    }
}

fn first_bad_label(labels: &[u8]) -> Option<(usize, u8)> {
    labels
        .iter()
        .position(|&l| usize::from(l) >= NUM_CLASSES)
        .map(|i| (i, labels[i]))
}

/// A whole image set on a device, batched there by slicing.
#[derive(Debug, Clone)]
pub struct DeviceImages {
    /// Float images, `[N, 1, rows, cols]`.
    pub images: Tensor<4>,
    /// Integer labels, `[N]`.
    pub labels: Tensor<1, Int>,
}

impl DeviceImages {
    /// Number of images.
    pub fn len(&self) -> usize {
        self.labels.dims()[0]
    }

    /// Whether there are no images.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Images `start..end` and their labels (a view for a sequential batch).
    ///
    /// # Panics
    ///
    /// If `start > end` or `end > len()`.
    pub fn batch(&self, start: usize, end: usize) -> (Tensor<4>, Tensor<1, Int>) {
        assert!(
            start <= end && end <= self.len(),
            "batch {start}..{end} is outside 0..{}",
            self.len()
        );
        (
            self.images.clone().narrow(0, start, end - start),
            self.labels.clone().narrow(0, start, end - start),
        )
    }

    /// The images and labels at `indices` (e.g. a slice of a shuffled permutation).
    pub fn select(&self, indices: Tensor<1, Int>) -> (Tensor<4>, Tensor<1, Int>) {
        (
            self.images.clone().select(0, indices.clone()),
            self.labels.clone().select(0, indices),
        )
    }

    /// The same data with each image flattened to a row: `[N, rows * cols]`.
    pub fn flatten(self) -> DeviceData {
        let [n, c, h, w] = self.images.dims();
        DeviceData {
            features: self.images.reshape([n, c * h * w]),
            labels: self.labels,
        }
    }
}

/// One image of an [`ImageSet`], as Burn's [`Dataset`] hands it out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageItem {
    /// Rows (height).
    pub rows: usize,
    /// Columns (width).
    pub cols: usize,
    /// Pixels, row-major, 0 = background.
    pub pixels: Vec<u8>,
    /// Class label, `0..=9`.
    pub label: u8,
}

impl Dataset<ImageItem> for ImageSet {
    /// Image `index`.
    ///
    /// # Panics
    ///
    /// If `index >= len()`, as the [`Dataset`] contract asks.
    fn get(&self, index: usize) -> Result<ImageItem, DatasetError> {
        assert!(
            index < self.len(),
            "index {index} is outside the image set of {} images",
            self.len()
        );
        Ok(ImageItem {
            rows: self.rows,
            cols: self.cols,
            pixels: self.image(index).to_vec(),
            label: self.labels[index],
        })
    }

    fn len(&self) -> usize {
        self.labels.len()
    }
}

/// A batch of images and labels on a device: `images` is `[B, 1, rows, cols]` for `D = 4`
/// and `[B, rows * cols]` for `D = 2`.
#[derive(Debug, Clone)]
pub struct ImageBatch<const D: usize> {
    /// Float images.
    pub images: Tensor<D>,
    /// Integer labels, `[B]`.
    pub labels: Tensor<1, Int>,
}

/// Batches [`ImageItem`]s into an [`ImageBatch<4>`] (`[B, 1, rows, cols]`, for convolutions)
/// or an [`ImageBatch<2>`] (`[B, rows * cols]`, for MLPs), normalizing the pixels.
///
/// The output type picks the layout:
///
/// ```
/// use burn::data::dataloader::batcher::Batcher;
/// use unfold_data::{ImageBatch, ImageBatcher, ImageItem, Normalization};
/// let device = burn::tensor::Device::flex();
/// let item = ImageItem { rows: 2, cols: 2, pixels: vec![0, 255, 255, 0], label: 3 };
/// let batcher = ImageBatcher::new(Normalization::UNIT);
/// let flat: ImageBatch<2> = batcher.batch(vec![item.clone(), item.clone()], &device);
/// assert_eq!(flat.images.dims(), [2, 4]);
/// let square: ImageBatch<4> = batcher.batch(vec![item], &device);
/// assert_eq!(square.images.dims(), [1, 1, 2, 2]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ImageBatcher {
    /// How pixel bytes become floats.
    pub normalization: Normalization,
}

impl ImageBatcher {
    /// A batcher with the given normalization.
    pub fn new(normalization: Normalization) -> ImageBatcher {
        ImageBatcher { normalization }
    }

    /// Normalized pixels, labels, and the common image shape of `items`.
    ///
    /// # Panics
    ///
    /// If the items differ in size (they come from one [`ImageSet`], so they do not).
    fn collect(&self, items: &[ImageItem]) -> (Vec<f32>, Vec<i64>, usize, usize) {
        let (rows, cols) = items.first().map_or((0, 0), |i| (i.rows, i.cols));
        let table = self.normalization.table();
        let mut pixels = Vec::with_capacity(items.len() * rows * cols);
        let mut labels = Vec::with_capacity(items.len());
        for item in items {
            assert!(
                item.rows == rows && item.cols == cols && item.pixels.len() == rows * cols,
                "cannot batch images of different sizes ({rows}x{cols} and {}x{} with {} pixels)",
                item.rows,
                item.cols,
                item.pixels.len()
            );
            pixels.extend(item.pixels.iter().map(|&p| table[usize::from(p)]));
            labels.push(i64::from(item.label));
        }
        (pixels, labels, rows, cols)
    }
}

impl Batcher<ImageItem, ImageBatch<4>> for ImageBatcher {
    fn batch(&self, items: Vec<ImageItem>, device: &Device) -> ImageBatch<4> {
        let n = items.len();
        let (pixels, labels, rows, cols) = self.collect(&items);
        ImageBatch {
            images: Tensor::from_data(TensorData::new(pixels, [n, 1, rows, cols]), device),
            labels: Tensor::from_data(TensorData::new(labels, [n]), device),
        }
    }
}

impl Batcher<ImageItem, ImageBatch<2>> for ImageBatcher {
    fn batch(&self, items: Vec<ImageItem>, device: &Device) -> ImageBatch<2> {
        let n = items.len();
        let (pixels, labels, rows, cols) = self.collect(&items);
        ImageBatch {
            images: Tensor::from_data(TensorData::new(pixels, [n, rows * cols]), device),
            labels: Tensor::from_data(TensorData::new(labels, [n]), device),
        }
    }
}
