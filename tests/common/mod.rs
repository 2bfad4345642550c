//! Helpers shared by the integration tests: temporary folders, a learnable IDX dataset
//! fixture, the real data dir from `UNFOLD_DATA`, a `flex` run context, the `unfold`
//! binary with its output as text, and the browser for the page tests.
#![allow(dead_code)]

pub mod cdp;

use std::path::{Path, PathBuf};

use unfold::data::{DATA_ENV, DatasetKind, ImageSet, Split};
use unfold::device::{Backend, select_device};
use unfold::experiments::{Profile, RunContext};

/// A fresh folder under the system temp dir, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    /// Creates `<tmp>/unfold-test-<name>-<pid>`, empty.
    pub fn new(name: &str) -> TempDir {
        let path = std::env::temp_dir().join(format!("unfold-test-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("create test directory");
        TempDir(path)
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `n` 28x28 images whose class is written in them: class `c` lights a 6x6 block at a place
/// of its own (plus a little deterministic noise), so a network can learn it in one epoch.
pub fn learnable_images(n: usize) -> ImageSet {
    let mut pixels = vec![0u8; n * 784];
    let mut labels = Vec::with_capacity(n);
    for i in 0..n {
        let class = (i * 7 + i / 10) % 10;
        labels.push(class as u8);
        let (top, left) = (2 + (class / 5) * 12, 1 + (class % 5) * 5);
        let image = &mut pixels[i * 784..(i + 1) * 784];
        for r in top..top + 6 {
            for c in left..left + 6 {
                image[r * 28 + c] = 200 + ((i + r + c) % 56) as u8;
            }
        }
        image[(i * 31) % 784] = 255;
    }
    ImageSet::new(28, 28, pixels, labels).expect("valid fixture")
}

/// Writes `<root>/<dataset>/` with `n_train` training and `n_test` test images (gzipped).
pub fn write_fixture(root: &Path, kind: DatasetKind, n_train: usize, n_test: usize) {
    let dir = root.join(kind.dir_name());
    std::fs::create_dir_all(&dir).unwrap();
    for (split, n) in [(Split::Train, n_train), (Split::Test, n_test)] {
        learnable_images(n)
            .write_idx(
                &dir.join(format!("{}.gz", split.images_file())),
                &dir.join(format!("{}.gz", split.labels_file())),
            )
            .unwrap();
    }
}

/// The real data dir named by `UNFOLD_DATA` (which `.ci/run` sets), or `None` — the caller
/// then says it skipped.
pub fn real_data_dir() -> Option<PathBuf> {
    std::env::var_os(DATA_ENV)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// A quiet quick-profile `flex` (CPU) context writing to `out`, reading datasets from `data_dir`.
pub fn cpu_context(out: &Path, seed: u64, data_dir: Option<PathBuf>) -> RunContext {
    backend_context(Backend::Flex, out, seed)
        .expect("a CPU backend is always usable")
        .with_data_dir(data_dir)
}

/// The parsed `metrics.json` of an experiment under `out`.
pub fn read_metrics(out: &Path, experiment: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(out.join(experiment).join("metrics.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// A fresh path `<tmp>/unfold-test-<name>-<pid>` (removed first, not created).
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("unfold-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// A quiet quick-profile context on `backend`, or `None` (saying why) when a GPU backend has
/// no usable device here. A CPU backend must work, and so must `wgpu` when
/// `UNFOLD_REQUIRE_WGPU=1` (set by `.ci/run` where software Vulkan is installed).
pub fn backend_context(backend: Backend, out: &Path, seed: u64) -> Option<RunContext> {
    match select_device(backend, 0) {
        Ok(selected) => {
            let mut ctx = RunContext::new(&selected, seed, Profile::Quick, out);
            ctx.progress = false;
            Some(ctx)
        }
        Err(e)
            if std::env::var("UNFOLD_REQUIRE_WGPU").is_ok_and(|v| v == "1") || backend.is_cpu() =>
        {
            panic!("{backend} must be usable here: {e}")
        }
        Err(e) => {
            eprintln!("skipping {backend}: {e}");
            None
        }
    }
}

/// How many finished runs a study has checkpointed under `dir` (its `runs/` folder).
pub fn saved_runs(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(Result::ok)
                .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
                .count()
        })
        .unwrap_or(0)
}

/// Runs the `unfold` binary with `args` and waits for it.
pub fn unfold(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_unfold"))
        .args(args)
        .output()
        .expect("the unfold binary runs")
}

/// What a finished command printed on stderr.
pub fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// What a finished command printed on stdout.
pub fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The Chromium-like browser on `PATH`, or `None` (the browser checks are then skipped, unless
/// `UNFOLD_REQUIRE_CHROMIUM` is set, as CI sets it: then its absence fails the test).
pub fn chromium() -> Option<&'static str> {
    let found = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|b| {
            std::process::Command::new(b)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        });
    if found.is_none() {
        assert!(
            std::env::var_os("UNFOLD_REQUIRE_CHROMIUM").is_none(),
            "UNFOLD_REQUIRE_CHROMIUM is set but no chromium was found"
        );
        eprintln!("skipped the browser checks: chromium is not installed");
    }
    found
}
