//! `unfold data fetch | verify | where`: parsing, and runs against fixture folders, the real
//! data (when `UNFOLD_DATA` is set) and an unreachable mirror.

// The module is compiled into this test directly, so these tests do not depend on how
// `lib.rs` wires it in.
#[path = "../src/data.rs"]
#[allow(dead_code)]
mod data;

use std::fs;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use data::{DataCommand, DatasetArg, run_to};
use unfold_data::{ImageSet, Split};

#[derive(Debug, Parser)]
struct Cli {
    #[command(subcommand)]
    cmd: DataCommand,
}

fn parse(args: &[&str]) -> DataCommand {
    Cli::try_parse_from(std::iter::once("data").chain(args.iter().copied()))
        .unwrap_or_else(|e| panic!("{args:?}: {e}"))
        .cmd
}

fn run(cmd: DataCommand) -> (ExitCode, String) {
    let mut out = Vec::new();
    let code = run_to(cmd, &mut out).unwrap();
    let out = String::from_utf8(out).unwrap();
    eprintln!("{out}");
    (code, out)
}

/// A fresh directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let path =
            std::env::temp_dir().join(format!("unfold-cli-data-{}-{name}", std::process::id()));
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

/// A small, well-formed MNIST folder (not the real data, so its digests differ).
fn write_fixture(dir: &std::path::Path) {
    fs::create_dir_all(dir).unwrap();
    for (split, n) in [(Split::Train, 20), (Split::Test, 10)] {
        let set = ImageSet::new(
            28,
            28,
            vec![7; n * 784],
            (0..n).map(|i| (i % 10) as u8).collect(),
        )
        .unwrap();
        set.write_idx(
            &dir.join(format!("{}.gz", split.images_file())),
            &dir.join(format!("{}.gz", split.labels_file())),
        )
        .unwrap();
    }
}

#[test]
fn parses_the_three_commands() {
    match parse(&[
        "fetch",
        "mnist",
        "--data-dir",
        "/d",
        "--mirror",
        "http://m",
        "--timeout",
        "2.5",
        "--max-time",
        "900",
    ]) {
        DataCommand::Fetch {
            datasets,
            data_dir,
            mirrors,
            timeout,
            max_time,
        } => {
            assert_eq!(datasets, vec![DatasetArg::Mnist]);
            assert_eq!(data_dir, Some(PathBuf::from("/d")));
            assert_eq!(mirrors, vec!["http://m"]);
            assert_eq!((timeout, max_time), (Some(2.5), 900.0));
        }
        other => panic!("{other:?}"),
    }
    for bad in ["0", "-1", "nan", "soon"] {
        assert!(Cli::try_parse_from(["data", "fetch", "--timeout", bad]).is_err());
        assert!(Cli::try_parse_from(["data", "fetch", "--max-time", bad]).is_err());
    }
    match parse(&["fetch"]) {
        DataCommand::Fetch { datasets, .. } => assert!(datasets.is_empty()),
        other => panic!("{other:?}"),
    }
    match parse(&["verify", "--data-dir", "x", "fashion-mnist"]) {
        DataCommand::Verify { datasets, data_dir } => {
            assert_eq!(datasets, vec![DatasetArg::FashionMnist]);
            assert_eq!(data_dir, Some(PathBuf::from("x")));
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(parse(&["where"]), DataCommand::Where { .. }));
    assert!(Cli::try_parse_from(["data", "fetch", "cifar"]).is_err());
}

#[test]
fn where_shows_what_is_found_and_where_it_looked() {
    let tmp = TempDir::new("where");
    write_fixture(&tmp.0.join("mnist"));
    let dir = tmp.0.display().to_string();
    let (code, out) = run(parse(&["where", "mnist", "--data-dir", &dir]));
    assert_eq!(code, ExitCode::SUCCESS, "{out}");
    assert!(
        out.contains(&format!("MNIST: {}", tmp.0.join("mnist").display())),
        "{out}"
    );
    assert!(out.contains("← used"), "{out}");

    let (code, out) = run(parse(&["where", "--data-dir", &dir]));
    assert_eq!(code, ExitCode::FAILURE, "Fashion-MNIST is missing:\n{out}");
    assert!(out.contains("Fashion-MNIST: not found"), "{out}");
    assert!(out.contains("unfold data fetch fashion-mnist"), "{out}");
    assert!(out.contains("does not exist"), "{out}");
}

#[test]
fn verify_flags_files_that_are_not_the_published_ones() {
    let tmp = TempDir::new("verify");
    write_fixture(&tmp.0.join("mnist"));
    let dir = tmp.0.display().to_string();
    let (code, out) = run(parse(&["verify", "--data-dir", &dir]));
    assert_eq!(code, ExitCode::FAILURE, "{out}");
    assert!(out.contains("WRONG  train-images-idx3-ubyte.gz"), "{out}");
    assert!(out.contains("train: 20 images of 28x28"), "{out}");
    assert!(out.contains("Fashion-MNIST: not found"), "{out}");
    assert!(out.contains("unfold data fetch mnist"), "{out}");
    assert!(
        out.contains(&format!(
            "`unfold data fetch fashion-mnist --data-dir {dir}` gets it"
        )),
        "{out}"
    );

    // A damaged file: the loader's own check says what is wrong.
    let labels = tmp.0.join("mnist").join("t10k-labels-idx1-ubyte.gz");
    let bytes = fs::read(&labels).unwrap();
    fs::write(&labels, &bytes[..bytes.len() / 2]).unwrap();
    let (code, out) = run(parse(&["verify", "mnist", "--data-dir", &dir]));
    assert_eq!(code, ExitCode::FAILURE);
    assert!(out.contains("test: cannot be loaded"), "{out}");
    assert!(out.contains("t10k-labels-idx1-ubyte.gz"), "{out}");

    let empty = TempDir::new("verify-empty");
    let (code, out) = run(parse(&[
        "verify",
        "--data-dir",
        &empty.0.display().to_string(),
    ]));
    assert_eq!(code, ExitCode::FAILURE);
    assert!(out.contains("No dataset found"), "{out}");
}

#[test]
fn verify_accepts_the_real_data() {
    let Some(data) = std::env::var_os("UNFOLD_DATA").filter(|v| !v.is_empty()) else {
        eprintln!("skipped: UNFOLD_DATA is not set");
        return;
    };
    let dir = PathBuf::from(data).display().to_string();
    let (code, out) = run(parse(&["verify", "--data-dir", &dir]));
    assert_eq!(code, ExitCode::SUCCESS, "{out}");
    assert_eq!(out.matches("  ok     ").count(), 8, "{out}");
    assert!(out.contains("train: 60000 images of 28x28"), "{out}");
    assert!(out.contains("test: 10000 images of 28x28"), "{out}");
}

#[test]
fn fetch_from_an_unreachable_mirror_fails_cleanly() {
    let tmp = TempDir::new("fetch");
    let mirror = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    let (code, out) = fetch_mnist(&tmp, &mirror, &[]);
    assert_eq!(code, ExitCode::FAILURE, "{out}");
    assert!(out.contains("FAILED"), "{out}");
    assert!(
        out.contains(&format!("{mirror}/mnist/train-images-idx3-ubyte.gz")),
        "{out}"
    );
    // Nothing was written, not even the folder.
    assert!(!tmp.0.join("mnist").exists());
}

#[test]
fn a_mirror_that_is_not_an_http_url_is_refused_up_front() {
    let tmp = TempDir::new("bad-mirror");
    let dir = tmp.0.display().to_string();
    for mirror in ["ftp://example.org", "not a url"] {
        let cmd = parse(&["fetch", "mnist", "--data-dir", &dir, "--mirror", mirror]);
        let error = run_to(cmd, &mut Vec::new()).unwrap_err().to_string();
        assert!(error.contains("http:// or https://"), "{error}");
    }
    assert_eq!(fs::read_dir(&tmp.0).unwrap().count(), 0);
}

#[test]
fn a_silent_mirror_is_given_up_after_the_timeout() {
    let tmp = TempDir::new("silent-mirror");
    // The OS accepts connections into the backlog; nobody ever answers them.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let mirror = format!("http://{}", silent.local_addr().unwrap());
    let started = std::time::Instant::now();
    let (code, out) = fetch_mnist(&tmp, &mirror, &["--timeout", "1"]);
    assert_eq!(code, ExitCode::FAILURE, "{out}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(30),
        "it waited {:?}",
        started.elapsed()
    );
    assert!(out.contains(&mirror), "{out}");
    assert!(!tmp.0.join("mnist/train-images-idx3-ubyte.gz").exists());
    drop(silent);
}

/// `unfold data fetch mnist` into `tmp` from `mirror` alone, with `extra` options.
fn fetch_mnist(tmp: &TempDir, mirror: &str, extra: &[&str]) -> (ExitCode, String) {
    let dir = tmp.0.display().to_string();
    let mut args = vec!["fetch", "mnist", "--data-dir", &dir, "--mirror", mirror];
    args.extend(extra);
    run(parse(&args))
}
