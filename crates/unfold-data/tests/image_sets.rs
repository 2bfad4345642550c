//! Image sets: discovery of dataset folders, loading, splitting, normalization, upload to a
//! device, and Burn's `Dataset` / `Batcher` / data loader on top of them.

use std::fs;
use std::path::{Path, PathBuf};

use burn::data::dataloader::DataLoaderBuilder;
use burn::data::dataloader::batcher::Batcher;
use burn::data::dataset::Dataset;
use unfold_data::{
    Candidate, DataError, DatasetKind, Device, ImageBatch, ImageBatcher, ImageItem, ImageSet,
    Normalization, Source, Split, check_dataset_dir, find_idx_file, load_from, locate, locate_in,
    search_dirs, survey_dirs,
};

/// A fresh directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let path =
            std::env::temp_dir().join(format!("unfold-data-sets-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&path);
        fs::create_dir_all(&path).expect("create test directory");
        TempDir(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

#[allow(deprecated)]
fn device() -> Device {
    Device::ndarray()
}

/// `n` images of 2x3 pixels: image `i` has all pixels `i * 10`, label `i % 10`.
fn numbered(n: usize) -> ImageSet {
    let pixels = (0..n).flat_map(|i| [(i * 10 % 256) as u8; 6]).collect();
    let labels = (0..n).map(|i| (i % 10) as u8).collect();
    ImageSet::new(2, 3, pixels, labels).unwrap()
}

/// Writes a dataset folder with train (`n_train` images) and test (`n_test`) files.
fn write_dataset(dir: &Path, n_train: usize, n_test: usize, gz: bool) {
    fs::create_dir_all(dir).unwrap();
    let ext = if gz { ".gz" } else { "" };
    for (split, n) in [(Split::Train, n_train), (Split::Test, n_test)] {
        numbered(n)
            .write_idx(
                &dir.join(format!("{}{ext}", split.images_file())),
                &dir.join(format!("{}{ext}", split.labels_file())),
            )
            .unwrap();
    }
}

#[test]
fn names_and_parsing() {
    assert_eq!(DatasetKind::Mnist.dir_name(), "mnist");
    assert_eq!(DatasetKind::FashionMnist.dir_name(), "fashion-mnist");
    assert_eq!(DatasetKind::FashionMnist.to_string(), "Fashion-MNIST");
    assert_eq!(DatasetKind::FashionMnist.class_name(9), "Ankle boot");
    assert_eq!(DatasetKind::FashionMnist.class_name(0), "T-shirt/top");
    assert_eq!(DatasetKind::Mnist.class_name(7), "7");
    assert_eq!(DatasetKind::Mnist.class_name(10), "?");
    for s in ["mnist", "MNIST"] {
        assert_eq!(s.parse::<DatasetKind>(), Ok(DatasetKind::Mnist));
    }
    for s in ["fashion-mnist", "fashion_mnist", "Fashion"] {
        assert_eq!(s.parse::<DatasetKind>(), Ok(DatasetKind::FashionMnist));
    }
    assert!("cifar".parse::<DatasetKind>().is_err());
    assert_eq!(Split::Test.images_file(), "t10k-images-idx3-ubyte");
    assert_eq!(Split::Train.labels_file(), "train-labels-idx1-ubyte");
    assert_eq!(
        (Split::Train.standard_len(), Split::Test.standard_len()),
        (60_000, 10_000)
    );
}

#[test]
fn raw_files_win_over_gzip() {
    let tmp = TempDir::new("raw-wins");
    write_dataset(&tmp.0, 3, 2, true);
    let name = Split::Train.images_file();
    assert_eq!(
        find_idx_file(&tmp.0, name),
        Some(tmp.0.join(format!("{name}.gz")))
    );
    fs::write(tmp.0.join(name), b"raw").unwrap();
    assert_eq!(find_idx_file(&tmp.0, name), Some(tmp.0.join(name)));
    assert_eq!(find_idx_file(&tmp.0, "nothing"), None);
}

#[test]
fn explicit_data_dir_is_searched_alone() {
    let tmp = TempDir::new("explicit");
    let dirs = search_dirs(DatasetKind::Mnist, Some(&tmp.0));
    assert_eq!(dirs, vec![(Source::DataDirOption, tmp.0.join("mnist"))]);
    // A data dir named like the dataset may be the dataset folder itself.
    let named = tmp.0.join("fashion-mnist");
    let dirs = search_dirs(DatasetKind::FashionMnist, Some(&named));
    assert_eq!(
        dirs,
        vec![
            (Source::DataDirOption, named.join("fashion-mnist")),
            (Source::DataDirOption, named.clone()),
        ]
    );
    // Without one: (UNFOLD_DATA if set), ./data, the per-user data dir, and Debian's folder
    // for Fashion-MNIST.
    let dirs = search_dirs(DatasetKind::FashionMnist, None);
    let tail: Vec<Source> = dirs.iter().rev().take(3).map(|(s, _)| *s).collect();
    assert_eq!(
        tail,
        vec![Source::Debian, Source::UserDataDir, Source::WorkingDir]
    );
    let user = unfold_data::user_data_dir().expect("a home folder");
    assert_eq!(dirs[dirs.len() - 2].1, user.join("fashion-mnist"));
    assert!(user.ends_with("unfold"));
    assert_eq!(
        dirs.last().unwrap().1,
        PathBuf::from("/usr/share/datasets/fashion-mnist")
    );
    let dirs = search_dirs(DatasetKind::Mnist, None);
    assert_eq!(dirs.last().unwrap().0, Source::UserDataDir);
    let working = &dirs[dirs.len() - 2];
    assert_eq!(working.0, Source::WorkingDir);
    assert!(working.1.ends_with("data/mnist"));
}

#[test]
fn locate_takes_the_first_complete_folder() {
    let tmp = TempDir::new("locate");
    let empty = tmp.0.join("empty");
    fs::create_dir_all(&empty).unwrap();
    let partial = tmp.0.join("partial");
    write_dataset(&partial, 3, 2, false);
    fs::remove_file(partial.join(Split::Test.labels_file())).unwrap();
    let file = tmp.0.join("a-file");
    fs::write(&file, b"x").unwrap();
    let good = tmp.0.join("good");
    write_dataset(&good, 3, 2, true);
    let also_good = tmp.0.join("also-good");
    write_dataset(&also_good, 3, 2, false);

    assert_eq!(
        check_dataset_dir(&tmp.0.join("missing")).as_deref(),
        Some("does not exist")
    );
    assert_eq!(check_dataset_dir(&file).as_deref(), Some("is not a folder"));
    assert_eq!(
        check_dataset_dir(&empty).as_deref(),
        Some("holds none of the four IDX files")
    );
    assert_eq!(
        check_dataset_dir(&partial).as_deref(),
        Some("lacks t10k-labels-idx1-ubyte[.gz]")
    );
    assert_eq!(check_dataset_dir(&good), None);

    let candidates = survey_dirs(vec![
        (Source::EnvVar, tmp.0.join("missing")),
        (Source::EnvVar, empty.clone()),
        (Source::WorkingDir, partial.clone()),
        (Source::WorkingDir, file.clone()),
        (Source::Debian, good.clone()),
        (Source::Debian, also_good.clone()),
    ]);
    assert_eq!(locate_in(DatasetKind::Mnist, candidates).unwrap(), good);

    // Through the public entry point, with an explicit data dir holding mnist/.
    write_dataset(&tmp.0.join("root").join("mnist"), 3, 2, true);
    assert_eq!(
        locate(DatasetKind::Mnist, Some(&tmp.0.join("root"))).unwrap(),
        tmp.0.join("root").join("mnist")
    );
    // Or pointing right at the dataset folder.
    assert_eq!(
        locate(DatasetKind::Mnist, Some(&tmp.0.join("root").join("mnist"))).unwrap(),
        tmp.0.join("root").join("mnist")
    );
}

#[test]
fn not_found_lists_every_place_and_how_to_get_the_data() {
    let tmp = TempDir::new("not-found");
    let candidates = survey_dirs(vec![
        (
            Source::DataDirOption,
            tmp.0.join("nowhere").join("fashion-mnist"),
        ),
        (Source::Debian, tmp.0.clone()),
    ]);
    let err = locate_in(DatasetKind::FashionMnist, candidates).unwrap_err();
    assert!(matches!(err, DataError::NotFound { .. }));
    let msg = err.to_string();
    for needle in [
        "Fashion-MNIST was not found",
        &tmp.0
            .join("nowhere")
            .join("fashion-mnist")
            .display()
            .to_string(),
        "does not exist",
        "holds none of the four IDX files",
        "from --data-dir",
        "unfold data fetch fashion-mnist",
        "UNFOLD_DATA",
        "apt-get install dataset-fashion-mnist",
    ] {
        assert!(msg.contains(needle), "message lacks {needle:?}:\n{msg}");
    }

    let err = locate(DatasetKind::Mnist, Some(&tmp.0.join("nowhere"))).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("unfold data fetch mnist"), "{msg}");
    assert!(!msg.contains("apt-get"), "{msg}");
    if let DataError::NotFound { looked, .. } = err {
        assert_eq!(
            looked.len(),
            1,
            "an explicit --data-dir is the only place looked"
        );
        assert!(!looked[0].is_usable());
    }
}

#[test]
fn load_from_reads_both_splits() {
    let tmp = TempDir::new("load");
    write_dataset(&tmp.0, 25, 12, true);
    let train = load_from(&tmp.0, Split::Train).unwrap();
    let test = load_from(&tmp.0, Split::Test).unwrap();
    assert_eq!((train.len(), test.len()), (25, 12));
    assert_eq!(train, numbered(25));
    assert_eq!(train.class_counts(), [3, 3, 3, 3, 3, 2, 2, 2, 2, 2]);

    fs::remove_file(tmp.0.join("t10k-images-idx3-ubyte.gz")).unwrap();
    let err = load_from(&tmp.0, Split::Test).unwrap_err();
    assert!(err.to_string().contains("t10k-images-idx3-ubyte"), "{err}");
}

#[test]
fn split_is_seeded_and_partitions() {
    let set = numbered(50);
    let (train, validation) = set.split(0.8, 7);
    assert_eq!((train.len(), validation.len()), (40, 10));
    let mut firsts: Vec<u8> = (0..train.len())
        .map(|i| train.image(i)[0])
        .chain((0..validation.len()).map(|i| validation.image(i)[0]))
        .collect();
    firsts.sort_unstable();
    let mut expected: Vec<u8> = (0..50).map(|i| (i * 10 % 256) as u8).collect();
    expected.sort_unstable();
    assert_eq!(firsts, expected, "every image lands in exactly one part");
    for i in 0..train.len() {
        // Labels travel with their images.
        let original = (0..50).find(|&j| set.image(j) == train.image(i)).unwrap();
        assert_eq!(train.label(i), set.label(original));
    }
    assert_eq!(set.split(0.8, 7), set.split(0.8, 7));
    assert_ne!(set.split(0.8, 7).0, set.split(0.8, 8).0);
    assert_eq!(set.split(1.0, 1).0.len(), 50);
    assert_eq!(set.shuffled(3).len(), 50);
    assert_eq!(set.head(5), set.select(&[0, 1, 2, 3, 4]));
    assert_eq!(set.head(500).len(), 50);
}

#[test]
fn normalization() {
    assert_eq!(Normalization::default(), Normalization::UNIT);
    assert_eq!(Normalization::UNIT.apply(0), 0.0);
    assert_eq!(Normalization::UNIT.apply(255), 1.0);
    let m = Normalization::MNIST;
    assert!((m.apply(0) - (-0.1307 / 0.3081)).abs() < 1e-6);
    assert!((m.apply(255) - ((1.0 - 0.1307) / 0.3081)).abs() < 1e-6);
    assert_eq!(m.table()[128], m.apply(128));
    assert!(Normalization::mean_std(0.5, 0.0).is_err());
    assert!(Normalization::mean_std(f32::NAN, 1.0).is_err());
    let n = Normalization::mean_std(0.5, 0.25).unwrap();
    assert_eq!((n.mean(), n.std()), (0.5, 0.25));
    assert_eq!(n.convert(&[0, 255]), vec![-2.0, 2.0]);

    let set = ImageSet::new(1, 2, vec![0, 255, 0, 255], vec![0, 1]).unwrap();
    let (mean, std) = set.pixel_mean_std();
    assert!((mean - 0.5).abs() < 1e-12 && (std - 0.5).abs() < 1e-12);
}

#[test]
fn whole_set_on_a_device() {
    let device = device();
    let set = numbered(12);
    let on_device = set.to_device(&device, Normalization::UNIT);
    assert_eq!(on_device.images.dims(), [12, 1, 2, 3]);
    assert_eq!(on_device.len(), 12);
    let (images, labels) = on_device.batch(10, 12);
    assert_eq!(images.dims(), [2, 1, 2, 3]);
    let labels: Vec<i64> = labels.into_data().try_into_vec().unwrap();
    assert_eq!(labels, vec![0, 1]);
    let pixels: Vec<f32> = images.into_data().try_into_vec().unwrap();
    assert!((pixels[0] - 100.0 / 255.0).abs() < 1e-6);

    let index =
        burn::tensor::Tensor::from_data(burn::tensor::TensorData::new(vec![3i64, 1], [2]), &device);
    let (images, labels) = on_device.select(index);
    assert_eq!(images.dims(), [2, 1, 2, 3]);
    assert_eq!(
        labels.into_data().try_into_vec::<i64>().unwrap(),
        vec![3, 1]
    );

    let flat = on_device.flatten();
    assert_eq!(flat.features.dims(), [12, 6]);
    let direct = set.to_device_flat(&device, Normalization::MNIST);
    assert_eq!(direct.features.dims(), [12, 6]);
    let values: Vec<f32> = direct.features.into_data().try_into_vec().unwrap();
    assert!((values[6] - Normalization::MNIST.apply(10)).abs() < 1e-6);
}

#[test]
fn burn_dataset_batcher_and_loader() {
    let device = device();
    let set = numbered(10);
    assert_eq!(Dataset::len(&set), 10);
    let item = set.get(4).unwrap();
    assert_eq!(
        item,
        ImageItem {
            rows: 2,
            cols: 3,
            pixels: vec![40; 6],
            label: 4
        }
    );

    let batcher = ImageBatcher::new(Normalization::UNIT);
    let items = vec![set.get(1).unwrap(), set.get(2).unwrap()];
    let square: ImageBatch<4> = batcher.batch(items.clone(), &device);
    assert_eq!(square.images.dims(), [2, 1, 2, 3]);
    let flat: ImageBatch<2> = batcher.batch(items, &device);
    assert_eq!(flat.images.dims(), [2, 6]);
    let values: Vec<f32> = flat.images.into_data().try_into_vec().unwrap();
    assert!((values[6] - 20.0 / 255.0).abs() < 1e-6);
    assert_eq!(
        flat.labels.into_data().try_into_vec::<i64>().unwrap(),
        vec![1, 2]
    );

    // Burn's data loader over the set: every image exactly once per epoch.
    let loader = DataLoaderBuilder::<ImageItem, ImageBatch<2>>::new(batcher)
        .batch_size(4)
        .shuffle(5)
        .set_device(device)
        .build(set);
    let mut seen: Vec<i64> = Vec::new();
    let mut sizes = Vec::new();
    for batch in loader.iter() {
        let batch = batch.unwrap();
        sizes.push(batch.images.dims()[0]);
        seen.extend(batch.labels.into_data().try_into_vec::<i64>().unwrap());
    }
    seen.sort_unstable();
    assert_eq!(seen, (0..10).collect::<Vec<i64>>());
    assert_eq!(sizes, vec![4, 4, 2]);
}

#[test]
fn candidates_report_usability() {
    let c = Candidate {
        source: Source::WorkingDir,
        dir: PathBuf::from("x"),
        problem: None,
    };
    assert!(c.is_usable());
    assert_eq!(Source::EnvVar.to_string(), "from $UNFOLD_DATA");
}
