//! What to download and from where: the expected files with their digests, and the mirrors.

use std::path::{Path, PathBuf};

use unfold_data::{DATA_ENV, DEFAULT_DATA_DIR, DatasetKind, IDX_FILES, user_data_dir};

/// Environment variable overriding the mirrors: one or more base URLs, separated by commas
/// or whitespace, each holding `mnist/` and `fashion-mnist/` folders with the `.gz` files
/// (e.g. `UNFOLD_MIRROR=http://127.0.0.1:8000/datasets`).
pub const MIRROR_ENV: &str = "UNFOLD_MIRROR";

/// One IDX file to fetch, and what its decompressed content must be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteFile {
    /// Base name, e.g. `train-images-idx3-ubyte`; mirrors serve `<name>.gz`.
    pub name: String,
    /// Length of the decompressed IDX file in bytes.
    pub size: u64,
    /// SHA-256 of the decompressed IDX file, lowercase hex.
    pub sha256: String,
}

/// (name, decompressed length, SHA-256 of the decompressed bytes), in [`IDX_FILES`] order.
type Digest = (&'static str, u64, &'static str);

const MNIST: [Digest; 4] = [
    (
        "train-images-idx3-ubyte",
        47_040_016,
        "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    ),
    (
        "train-labels-idx1-ubyte",
        60_008,
        "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    ),
    (
        "t10k-images-idx3-ubyte",
        7_840_016,
        "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    ),
    (
        "t10k-labels-idx1-ubyte",
        10_008,
        "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
    ),
];

const FASHION_MNIST: [Digest; 4] = [
    (
        "train-images-idx3-ubyte",
        47_040_016,
        "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    ),
    (
        "train-labels-idx1-ubyte",
        60_008,
        "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    ),
    (
        "t10k-images-idx3-ubyte",
        7_840_016,
        "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    ),
    (
        "t10k-labels-idx1-ubyte",
        10_008,
        "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
    ),
];

/// The four files of `kind`, with the length and SHA-256 of their decompressed content.
pub fn expected_files(kind: DatasetKind) -> Vec<RemoteFile> {
    let table = match kind {
        DatasetKind::Mnist => &MNIST,
        DatasetKind::FashionMnist => &FASHION_MNIST,
    };
    debug_assert!(table.iter().zip(IDX_FILES).all(|(d, n)| d.0 == n));
    table
        .iter()
        .map(|&(name, size, sha256)| RemoteFile {
            name: name.to_owned(),
            size,
            sha256: sha256.to_owned(),
        })
        .collect()
}

/// The expected file of `kind` with base name `name` (one of [`IDX_FILES`]).
pub fn expected_file(kind: DatasetKind, name: &str) -> Option<RemoteFile> {
    expected_files(kind).into_iter().find(|f| f.name == name)
}

/// The standard public mirrors of `kind`, best first: base URLs under which
/// `<name>.gz` is served.
pub fn default_mirrors(kind: DatasetKind) -> Vec<String> {
    let bases: &[&str] = match kind {
        DatasetKind::Mnist => &[
            // The copy PyTorch's torchvision downloads from.
            "https://ossci-datasets.s3.amazonaws.com/mnist",
            // Google's CVDF copy, used by TensorFlow's tutorials.
            "https://storage.googleapis.com/cvdf-datasets/mnist",
        ],
        DatasetKind::FashionMnist => &[
            // Zalando Research's own bucket (its website endpoint is plain HTTP; the
            // digests, not the transport, vouch for the content).
            "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com",
            // The data folder of Zalando Research's GitHub repository.
            "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion",
        ],
    };
    bases.iter().map(|b| (*b).to_owned()).collect()
}

/// Mirrors from [`MIRROR_ENV`], if it is set and not empty: each base URL joined with the
/// dataset's folder (`<base>/mnist`, `<base>/fashion-mnist`).
pub fn mirrors_from_env(kind: DatasetKind) -> Option<Vec<String>> {
    let bases = parse_mirrors(&std::env::var(MIRROR_ENV).ok()?, kind);
    (!bases.is_empty()).then_some(bases)
}

/// Base URLs for `kind` from a [`MIRROR_ENV`] value.
fn parse_mirrors(value: &str, kind: DatasetKind) -> Vec<String> {
    value
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|b| !b.is_empty())
        .map(|b| format!("{}/{}", b.trim_end_matches('/'), kind.dir_name()))
        .collect()
}

/// The mirrors to use for `kind`: [`mirrors_from_env`] when set, else [`default_mirrors`].
pub fn mirrors(kind: DatasetKind) -> Vec<String> {
    mirrors_from_env(kind).unwrap_or_else(|| default_mirrors(kind))
}

/// The data dir that downloads go to: `data_dir` when given, else `$UNFOLD_DATA` when set,
/// else the per-user data dir ([`user_data_dir`], searched from any folder), else (a platform
/// without one) `./data`. Each dataset goes to its folder inside (`mnist/`, `fashion-mnist/`).
pub fn fetch_root(data_dir: Option<&Path>) -> PathBuf {
    if let Some(dir) = data_dir {
        return dir.to_owned();
    }
    std::env::var_os(DATA_ENV)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(user_data_dir)
        .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_cover_the_four_files() {
        for kind in DatasetKind::ALL {
            let files = expected_files(kind);
            let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
            assert_eq!(names, IDX_FILES);
            for f in &files {
                assert_eq!(f.sha256.len(), 64);
                assert!(f.sha256.bytes().all(|b| b.is_ascii_hexdigit()));
            }
            assert_eq!(
                expected_file(kind, "t10k-labels-idx1-ubyte").map(|f| f.size),
                Some(10_008)
            );
            assert!(default_mirrors(kind).len() >= 2, "a fallback mirror");
        }
        assert_eq!(expected_file(DatasetKind::Mnist, "nope"), None);
        assert_ne!(
            expected_files(DatasetKind::Mnist)[0].sha256,
            expected_files(DatasetKind::FashionMnist)[0].sha256
        );
    }

    #[test]
    fn mirror_override_is_parsed() {
        assert_eq!(
            parse_mirrors(" http://a/x/, https://b ", DatasetKind::FashionMnist),
            vec!["http://a/x/fashion-mnist", "https://b/fashion-mnist"]
        );
        assert!(parse_mirrors(" , ", DatasetKind::Mnist).is_empty());
    }

    #[test]
    fn explicit_root_wins() {
        assert_eq!(fetch_root(Some(Path::new("/x"))), PathBuf::from("/x"));
    }
}
