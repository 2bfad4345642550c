//! The IDX file format of MNIST and Fashion-MNIST: strict reading and writing.
//!
//! An IDX file is a 4-byte magic number — two zero bytes, a data-type code (`0x08` for
//! unsigned bytes) and the number of dimensions — then one big-endian `u32` per dimension,
//! then the data, row-major. Image files have three dimensions (count, rows, columns; magic
//! `0x00000803`), label files one (count; magic `0x00000801`).
//!
//! The readers accept the raw file or its gzip-compressed form (recognised by its content,
//! not its name) and check everything: the magic number, the dimensions, and that the data
//! is exactly as long as the header says — no silent truncation, no ignored trailing bytes.
//! [`decode_idx_images`] and [`decode_idx_labels`] do the same for bytes already in memory,
//! with the same code as the file readers (the fuzz targets in `fuzz/` drive them).

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;

use flate2::Compression;
use flate2::bufread::MultiGzDecoder;
use flate2::write::GzEncoder;

use crate::DataError;

/// Magic number of an IDX file of unsigned-byte images (three dimensions).
pub const IDX_IMAGES_MAGIC: u32 = 0x0000_0803;
/// Magic number of an IDX file of unsigned-byte labels (one dimension).
pub const IDX_LABELS_MAGIC: u32 = 0x0000_0801;

/// IDX data-type code of unsigned bytes.
const UBYTE: u8 = 0x08;
/// The first two bytes of every gzip stream.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
/// Largest buffer reserved up front; larger data (only possible with a corrupt header, for
/// MNIST-sized files) grows as it actually arrives.
const MAX_PREALLOCATION: u64 = 64 << 20;
/// Deflate expands data at most about 1032-fold (a 258-byte match per two bits), so a gzip
/// stream of `n` bytes cannot plausibly hold more than this many times `n` bytes. It bounds
/// only what is reserved up front, not what is read.
const MAX_GZIP_EXPANSION: u64 = 1032;

/// The most an IDX file may declare before a reader refuses to read (or decompress) its data:
/// the shapes of the datasets unfold reads, so that a header claiming billions of images, in
/// a small `.gz` that would inflate to gigabytes, is an error after its 16 header bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdxLimits {
    /// The most images (or labels).
    pub max_count: usize,
    /// The most rows, and the most columns, of an image.
    pub max_side: usize,
}

impl IdxLimits {
    /// The largest MNIST or Fashion-MNIST file: 60,000 images of 28x28 pixels.
    pub const DATASETS: IdxLimits = IdxLimits {
        max_count: 60_000,
        max_side: 28,
    };

    /// One split of MNIST or Fashion-MNIST: its count ([`crate::Split::standard_len`]) of
    /// 28x28 images.
    pub fn split(split: crate::Split) -> IdxLimits {
        IdxLimits {
            max_count: split.standard_len(),
            ..IdxLimits::DATASETS
        }
    }
}

impl Default for IdxLimits {
    fn default() -> Self {
        IdxLimits::DATASETS
    }
}

/// The images of an IDX image file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdxImages {
    /// Number of images.
    pub count: usize,
    /// Rows (height) of each image.
    pub rows: usize,
    /// Columns (width) of each image.
    pub cols: usize,
    /// All pixels, image after image, each image row-major: `count * rows * cols` bytes.
    pub pixels: Vec<u8>,
}

/// The name that errors from [`decode_idx_images`] and [`decode_idx_labels`] give as the
/// file's path, since bytes in memory have none.
pub const IN_MEMORY: &str = "(in memory)";

/// Whether the file at `path` starts like a gzip stream.
pub fn is_gzip_file(path: &Path) -> Result<bool, DataError> {
    let mut reader = open(path)?;
    starts_with_gzip(&mut reader, path)
}

fn open(path: &Path) -> Result<BufReader<File>, DataError> {
    let file = File::open(path).map_err(|source| DataError::Io {
        action: "open",
        path: path.to_owned(),
        source,
    })?;
    Ok(BufReader::with_capacity(1 << 16, file))
}

fn starts_with_gzip(reader: &mut dyn BufRead, path: &Path) -> Result<bool, DataError> {
    let head = reader.fill_buf().map_err(|source| DataError::Io {
        action: "read",
        path: path.to_owned(),
        source,
    })?;
    Ok(head.starts_with(&GZIP_MAGIC))
}

/// What a reader expects to find.
#[derive(Clone, Copy, PartialEq)]
enum Expect {
    Images,
    Labels,
}

impl Expect {
    fn magic(self) -> u32 {
        match self {
            Expect::Images => IDX_IMAGES_MAGIC,
            Expect::Labels => IDX_LABELS_MAGIC,
        }
    }
    fn dims(self) -> usize {
        match self {
            Expect::Images => 3,
            Expect::Labels => 1,
        }
    }
    fn what(self) -> &'static str {
        match self {
            Expect::Images => "an image file",
            Expect::Labels => "a label file",
        }
    }
}

/// A decoded IDX file: its dimensions and data.
struct Idx {
    dims: Vec<usize>,
    data: Vec<u8>,
}

impl Idx {
    /// The images of a decoded image file (three dimensions).
    fn into_images(self) -> IdxImages {
        IdxImages {
            count: self.dims[0],
            rows: self.dims[1],
            cols: self.dims[2],
            pixels: self.data,
        }
    }
}

/// Reads a whole IDX file (raw or gzip) of the expected kind, validating everything.
fn read_idx(path: &Path, expect: Expect, limits: IdxLimits) -> Result<Idx, DataError> {
    let mut file = open(path)?;
    let len = file.get_ref().metadata().ok().map(|m| m.len());
    decode_idx(&mut file, len, path, expect, limits)
}

/// Decodes a whole IDX stream (raw or gzip) of the expected kind from `source`, whose length
/// is `len` when known, validating everything; errors name `path`.
fn decode_idx(
    source: &mut dyn BufRead,
    len: Option<u64>,
    path: &Path,
    expect: Expect,
    limits: IdxLimits,
) -> Result<Idx, DataError> {
    let invalid = |reason: String| DataError::InvalidIdx {
        path: path.to_owned(),
        reason,
    };
    let gzip = starts_with_gzip(source, path)?;
    let raw_len = if gzip { None } else { len };
    let mut reader: Box<dyn Read + '_> = if gzip {
        Box::new(MultiGzDecoder::new(source))
    } else {
        Box::new(source)
    };
    // Read errors: for gzip data they mean a corrupt or truncated stream.
    let read_error = |e: std::io::Error| {
        if gzip {
            invalid(format!(
                "the gzip data is corrupt or truncated ({e}); delete the file and fetch it again"
            ))
        } else {
            DataError::Io {
                action: "read",
                path: path.to_owned(),
                source: e,
            }
        }
    };
    let stream = if gzip { "decompressed data" } else { "file" };

    // Magic number.
    let mut magic = [0u8; 4];
    let got = read_up_to(&mut reader, &mut magic).map_err(read_error)?;
    if got < 4 {
        return Err(invalid(format!(
            "the {stream} is only {got} bytes long, too short for an IDX header"
        )));
    }
    let magic_value = u32::from_be_bytes(magic);
    if magic[0] != 0 || magic[1] != 0 {
        return Err(invalid(format!(
            "magic number 0x{magic_value:08x} is not an IDX magic number (expected 0x{:08x}, \
             {})",
            expect.magic(),
            expect.what()
        )));
    }
    if magic[2] != UBYTE {
        return Err(invalid(format!(
            "magic number 0x{magic_value:08x} declares data type 0x{:02x}; only unsigned \
             bytes (0x08) are supported",
            magic[2]
        )));
    }
    if magic_value != expect.magic() {
        let found = match magic_value {
            IDX_IMAGES_MAGIC => " (an image file)".to_owned(),
            IDX_LABELS_MAGIC => " (a label file)".to_owned(),
            _ => format!(" ({} dimensions)", magic[3]),
        };
        return Err(invalid(format!(
            "magic number 0x{magic_value:08x}{found}, expected 0x{:08x} ({} with {} \
             dimension{})",
            expect.magic(),
            expect.what(),
            expect.dims(),
            if expect.dims() == 1 { "" } else { "s" }
        )));
    }

    // Dimensions.
    let mut header = vec![0u8; 4 * expect.dims()];
    let got = read_up_to(&mut reader, &mut header).map_err(read_error)?;
    if got < header.len() {
        return Err(invalid(format!(
            "the {stream} ends inside the header ({} bytes; the header needs {})",
            4 + got,
            4 + header.len()
        )));
    }
    let dims: Vec<usize> = header
        .chunks_exact(4)
        .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]) as usize)
        .collect();
    if expect == Expect::Images && (dims[1] == 0 || dims[2] == 0) {
        return Err(invalid(format!(
            "declares images of {}x{} pixels; both sides must be at least 1",
            dims[1], dims[2]
        )));
    }
    let header_len = 4 + header.len() as u64;
    let data_len = dims
        .iter()
        .try_fold(1u64, |acc, &d| acc.checked_mul(d as u64))
        .filter(|&n| n.checked_add(header_len).is_some())
        .ok_or_else(|| invalid(format!("dimensions {dims:?} are too large to address")))?;
    let declared = describe(expect, &dims);
    let total = header_len + data_len;

    // Nothing beyond the header is read (or inflated) for more than the datasets hold.
    let too_many = dims[0] > limits.max_count;
    let too_wide =
        expect == Expect::Images && (dims[1] > limits.max_side || dims[2] > limits.max_side);
    if too_many || too_wide {
        let most = match expect {
            Expect::Images => format!(
                "{} images of {}x{} pixels",
                limits.max_count, limits.max_side, limits.max_side
            ),
            Expect::Labels => format!("{} labels", limits.max_count),
        };
        return Err(invalid(format!(
            "the header declares {declared}, too large for MNIST or Fashion-MNIST (at most \
             {most}); not reading further: is it the right file?"
        )));
    }

    // A raw file's length is known up front: check it before reading anything more.
    if let Some(len) = raw_len
        && len != total
    {
        return Err(invalid(length_problem(stream, &declared, total, len)));
    }

    // Reserve no more than the input can hold: a raw stream's length was checked above, but a
    // gzip header's dimensions are not checked until the data has arrived, so a few corrupt
    // bytes must not reserve what they claim (found by the `idx` fuzz target).
    let plausible = match (gzip, len) {
        (true, Some(compressed)) => compressed.saturating_mul(MAX_GZIP_EXPANSION),
        _ => data_len,
    };
    let mut data = Vec::with_capacity(data_len.min(plausible).min(MAX_PREALLOCATION) as usize);

    // Data: read at most one byte more than declared, to detect trailing data.
    reader
        .by_ref()
        .take(data_len + 1)
        .read_to_end(&mut data)
        .map_err(read_error)?;
    let got = data.len() as u64;
    if got < data_len {
        return Err(invalid(length_problem(
            stream,
            &declared,
            total,
            header_len + got,
        )));
    }
    if got > data_len {
        return Err(invalid(format!(
            "the {stream} continues after the {total} bytes that {declared} take: it has \
             trailing data"
        )));
    }
    if gzip {
        // Reading on to the end makes the decoder check the gzip trailer (CRC and length).
        let mut rest = [0u8; 1];
        let extra = read_up_to(&mut reader, &mut rest).map_err(read_error)?;
        if extra > 0 {
            return Err(invalid(format!(
                "the decompressed data continues after the {total} bytes that {declared} \
                 take: it has trailing data"
            )));
        }
    }
    Ok(Idx { dims, data })
}

/// "a header declaring 60000 images of 28x28 pixels"
fn describe(expect: Expect, dims: &[usize]) -> String {
    match expect {
        Expect::Images => format!(
            "{} image{} of {}x{} pixels",
            dims[0],
            if dims[0] == 1 { "" } else { "s" },
            dims[1],
            dims[2]
        ),
        Expect::Labels => format!("{} label{}", dims[0], if dims[0] == 1 { "" } else { "s" }),
    }
}

fn length_problem(stream: &str, declared: &str, expected: u64, actual: u64) -> String {
    let bytes = |n: u64| {
        if n == 1 {
            "1 byte is".to_owned()
        } else {
            format!("{n} bytes are")
        }
    };
    if actual < expected {
        format!(
            "truncated: the {stream} is {actual} bytes long, but its header declares \
             {declared}, which take {expected} bytes (header included); {} missing",
            bytes(expected - actual)
        )
    } else {
        format!(
            "too long: the {stream} is {actual} bytes long, but its header declares \
             {declared}, which take {expected} bytes (header included); {} left over",
            bytes(actual - expected)
        )
    }
}

/// Fills `buf` as far as the reader allows; returns how many bytes were read (less than
/// `buf.len()` only at the end of the stream).
fn read_up_to(reader: &mut dyn Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// Reads an IDX image file (`*-images-idx3-ubyte`, raw or gzip-compressed).
///
/// # Errors
///
/// [`DataError::Io`] when the file cannot be opened or read, and [`DataError::InvalidIdx`],
/// naming the file, when it is not an unsigned-byte IDX image file, its header is
/// incomplete or declares empty images, or its (decompressed) length differs from what the
/// header declares.
pub fn read_idx_images(path: &Path) -> Result<IdxImages, DataError> {
    read_idx_images_within(path, IdxLimits::DATASETS)
}

/// [`read_idx_images`] with a header that may declare at most what `limits` allow.
///
/// # Errors
///
/// As [`read_idx_images`]; a header beyond `limits` is [`DataError::InvalidIdx`] before any
/// data is read.
pub fn read_idx_images_within(path: &Path, limits: IdxLimits) -> Result<IdxImages, DataError> {
    read_idx(path, Expect::Images, limits).map(Idx::into_images)
}

/// Reads an IDX label file (`*-labels-idx1-ubyte`, raw or gzip-compressed).
///
/// Any byte value is accepted here; [`crate::ImageSet::from_idx_files`] checks that the
/// labels are class indices.
///
/// # Errors
///
/// As [`read_idx_images`], for label files.
pub fn read_idx_labels(path: &Path) -> Result<Vec<u8>, DataError> {
    read_idx_labels_within(path, IdxLimits::DATASETS)
}

/// [`read_idx_labels`] with a header that may declare at most `limits.max_count` labels.
///
/// # Errors
///
/// As [`read_idx_images_within`], for label files.
pub fn read_idx_labels_within(path: &Path, limits: IdxLimits) -> Result<Vec<u8>, DataError> {
    Ok(read_idx(path, Expect::Labels, limits)?.data)
}

/// Decodes the bytes of an IDX image file (raw or gzip-compressed, recognised by content)
/// already in memory, checking exactly what [`read_idx_images`] checks, with the same code.
///
/// # Errors
///
/// [`DataError::InvalidIdx`] as for [`read_idx_images`], with [`IN_MEMORY`] as the path.
pub fn decode_idx_images(bytes: &[u8]) -> Result<IdxImages, DataError> {
    let mut source = bytes;
    let len = Some(bytes.len() as u64);
    decode_idx(
        &mut source,
        len,
        Path::new(IN_MEMORY),
        Expect::Images,
        IdxLimits::DATASETS,
    )
    .map(Idx::into_images)
}

/// Decodes the bytes of an IDX label file (raw or gzip-compressed) already in memory, as
/// [`read_idx_labels`] reads a file.
///
/// # Errors
///
/// [`DataError::InvalidIdx`] as for [`read_idx_labels`], with [`IN_MEMORY`] as the path.
pub fn decode_idx_labels(bytes: &[u8]) -> Result<Vec<u8>, DataError> {
    let mut source = bytes;
    let len = Some(bytes.len() as u64);
    Ok(decode_idx(
        &mut source,
        len,
        Path::new(IN_MEMORY),
        Expect::Labels,
        IdxLimits::DATASETS,
    )?
    .data)
}

/// The bytes of an IDX image file holding `pixels.len() / (rows * cols)` images.
///
/// # Errors
///
/// [`DataError::MalformedImages`] when a side is 0 or does not fit the header, or
/// `pixels.len()` is not a whole number of images.
pub fn encode_idx_images(rows: usize, cols: usize, pixels: &[u8]) -> Result<Vec<u8>, DataError> {
    let size = rows * cols;
    if size == 0 || !pixels.len().is_multiple_of(size) {
        return Err(DataError::MalformedImages(format!(
            "{} pixels do not make whole images of {rows}x{cols}",
            pixels.len()
        )));
    }
    let fits = |n: usize| u32::try_from(n).map_err(|_| too_large(n));
    let mut bytes = Vec::with_capacity(16 + pixels.len());
    bytes.extend_from_slice(&IDX_IMAGES_MAGIC.to_be_bytes());
    for n in [pixels.len() / size, rows, cols] {
        bytes.extend_from_slice(&fits(n)?.to_be_bytes());
    }
    bytes.extend_from_slice(pixels);
    Ok(bytes)
}

/// The bytes of an IDX label file.
///
/// # Errors
///
/// [`DataError::MalformedImages`] when there are more than `u32::MAX` labels.
pub fn encode_idx_labels(labels: &[u8]) -> Result<Vec<u8>, DataError> {
    let count = u32::try_from(labels.len()).map_err(|_| too_large(labels.len()))?;
    let mut bytes = Vec::with_capacity(8 + labels.len());
    bytes.extend_from_slice(&IDX_LABELS_MAGIC.to_be_bytes());
    bytes.extend_from_slice(&count.to_be_bytes());
    bytes.extend_from_slice(labels);
    Ok(bytes)
}

fn too_large(n: usize) -> DataError {
    DataError::MalformedImages(format!("{n} does not fit an IDX dimension (u32)"))
}

/// Gzip-compresses `bytes` (as the `.gz` files the mirrors serve).
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    // Writing into a Vec cannot fail.
    encoder.write_all(bytes).expect("gzip into memory");
    encoder.finish().expect("gzip into memory")
}

/// Writes an IDX image file; gzip-compressed when `path` ends in `.gz`.
///
/// # Errors
///
/// As [`encode_idx_images`], and [`DataError::Io`] when the file cannot be written.
pub fn write_idx_images(
    path: &Path,
    rows: usize,
    cols: usize,
    pixels: &[u8],
) -> Result<(), DataError> {
    write_maybe_gzip(path, &encode_idx_images(rows, cols, pixels)?)
}

/// Writes an IDX label file; gzip-compressed when `path` ends in `.gz`.
///
/// # Errors
///
/// As [`encode_idx_labels`], and [`DataError::Io`] when the file cannot be written.
pub fn write_idx_labels(path: &Path, labels: &[u8]) -> Result<(), DataError> {
    write_maybe_gzip(path, &encode_idx_labels(labels)?)
}

fn write_maybe_gzip(path: &Path, bytes: &[u8]) -> Result<(), DataError> {
    let gz = path.extension().is_some_and(|e| e == "gz");
    let result = if gz {
        std::fs::write(path, gzip(bytes))
    } else {
        std::fs::write(path, bytes)
    };
    result.map_err(|source| DataError::Io {
        action: "write",
        path: path.to_owned(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A real bomb: 16 header bytes declaring 4e9 images, then 256 MiB of zeros (about 250 KiB
    /// compressed). Refused from the header: had it been inflated, the error would say the data
    /// is truncated or too long, not that the header declares too much.
    #[test]
    fn a_gzip_bomb_is_refused_from_its_header() {
        let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
        encoder.write_all(&IDX_IMAGES_MAGIC.to_be_bytes()).unwrap();
        for d in [4_000_000_000u32, 28, 28] {
            encoder.write_all(&d.to_be_bytes()).unwrap();
        }
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..256 {
            encoder.write_all(&zeros).unwrap();
        }
        let bomb = encoder.finish().unwrap();
        assert!(bomb.len() < 2 << 20, "{} bytes", bomb.len());
        let err = decode_idx_images(&bomb).unwrap_err().to_string();
        assert!(
            err.contains("declares 4000000000 images") && err.contains("too large"),
            "{err}"
        );

        let dir = std::env::temp_dir().join(format!("unfold-idx-bomb-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("t10k-images-idx3-ubyte.gz");
        std::fs::write(&path, &bomb).unwrap();
        let err = read_idx_images(&path).unwrap_err().to_string();
        assert!(err.contains(&path.display().to_string()), "{err}");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_split_bounds_the_count_a_header_may_declare() {
        let labels = encode_idx_labels(&vec![1u8; 10_001]).unwrap();
        let dir = std::env::temp_dir().join(format!("unfold-idx-split-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("labels");
        std::fs::write(&path, &labels).unwrap();
        assert_eq!(read_idx_labels(&path).unwrap().len(), 10_001);
        let err = read_idx_labels_within(&path, IdxLimits::split(crate::Split::Test))
            .unwrap_err()
            .to_string();
        assert!(err.contains("at most 10000 labels"), "{err}");
        std::fs::remove_dir_all(dir).unwrap();
    }
}
