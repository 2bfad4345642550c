//! Notebook 001, question 1: the MNIST pipeline on a small fixture, the notebook's
//! conclusions on a real subset (when `UNFOLD_DATA` names the data), and the error a user
//! without the data gets.

mod common;

use common::{TempDir, cpu_context, read_metrics, real_data_dir, saved_runs, write_fixture};
use unfold::data::DatasetKind;
use unfold::experiments::Profile;
use unfold::experiments::mnist::{LOGISTIC, MnistConfig, run};

#[test]
fn pipeline_runs_on_a_fixture_and_writes_every_result() {
    let tmp = TempDir::new("mnist-fixture");
    let data = tmp.path().join("data");
    write_fixture(&data, DatasetKind::Mnist, 300, 60);
    let out = tmp.path().join("results");
    let ctx = cpu_context(&out, 7, Some(data));
    let config = MnistConfig {
        train_images: None,
        test_images: None,
        epochs: 2,
        ..MnistConfig::for_profile(Profile::Quick)
    };
    let outcome = run(&config, &ctx).unwrap();
    let m = read_metrics(&out, "mnist");
    assert_eq!(m["runs"][LOGISTIC]["parameters"], 7850);
    assert_eq!(
        m["runs"]["MLP default init + Adam"]["parameters"],
        784 * 400 + 400 + 400 * 400 + 400 + 400 * 10 + 10
    );
    assert_eq!(
        m["runs"]["MLP default init + Adam"]["curves"]["epoch"],
        serde_json::json!([1, 2])
    );
    // Five initializations, three more optimizers, batch norm (reflection runs may coincide
    // with study runs, which are then not trained twice).
    let runs = m["runs"].as_object().unwrap();
    assert!(runs.len() >= 10, "{:?}", runs.keys().collect::<Vec<_>>());
    assert!(runs.contains_key("MLP+BN default init + Adam"));
    for stem in [
        "logistic_misclassified",
        "mlp_vs_logistic",
        "initialization",
        "optimizers",
        "reflection",
        "batch_norm",
    ] {
        assert!(out.join(format!("mnist/{stem}.png")).is_file(), "{stem}");
        assert!(out.join(format!("mnist/{stem}.svg")).is_file(), "{stem}");
    }
    let report = std::fs::read_to_string(out.join("mnist/report.md")).unwrap();
    assert!(report.contains("Batch: [128, 1, 28, 28] [128]"), "{report}");
    assert!(report.contains("**Q:** Why does zero initialization"));
    assert_eq!(outcome.report.answers().len(), 5);
}

#[test]
fn a_missing_dataset_says_where_it_looked_and_how_to_get_it() {
    let tmp = TempDir::new("mnist-missing");
    let ctx = cpu_context(
        &tmp.path().join("results"),
        1,
        Some(tmp.path().join("nothing")),
    );
    let err = run(&MnistConfig::for_profile(Profile::Quick), &ctx).unwrap_err();
    let text = format!("{err:#}");
    assert!(text.contains("MNIST was not found"), "{text}");
    assert!(text.contains("unfold data fetch mnist"), "{text}");
}

#[test]
fn invalid_settings_are_rejected_before_any_work() {
    let tmp = TempDir::new("mnist-invalid");
    let ctx = cpu_context(&tmp.path().join("results"), 1, None);
    let config = MnistConfig {
        train_fraction: 1.5,
        ..MnistConfig::for_profile(Profile::Quick)
    };
    let err = format!("{:#}", run(&config, &ctx).unwrap_err());
    assert!(err.contains("setting 'train_fraction' = 1.5"), "{err}");
    let config = MnistConfig {
        hidden: vec![],
        ..MnistConfig::for_profile(Profile::Quick)
    };
    let err = format!("{:#}", run(&config, &ctx).unwrap_err());
    assert!(err.contains("setting 'hidden' = []"), "{err}");
}

/// The notebook's conclusions on 3,000 real training images and 3 epochs.
#[test]
fn real_subset_shows_the_notebooks_conclusions() {
    let Some(data) = real_data_dir() else {
        eprintln!("skipped: UNFOLD_DATA is not set");
        return;
    };
    let tmp = TempDir::new("mnist-real");
    let out = tmp.path().join("results");
    let ctx = cpu_context(&out, 42, Some(data));
    run(&MnistConfig::for_profile(Profile::Quick), &ctx).unwrap();
    let m = read_metrics(&out, "mnist");
    let test = |run: &str| m["runs"][run]["test_accuracy"].as_f64().unwrap_or(0.0);
    let validation = |run: &str| m["runs"][run]["validation_accuracy"].as_f64().unwrap();
    assert!(test(LOGISTIC) > 0.7, "logistic {}", test(LOGISTIC));
    assert!(
        test("MLP default init + Adam") > test(LOGISTIC),
        "MLP {} vs logistic {}",
        test("MLP default init + Adam"),
        test(LOGISTIC)
    );
    // Zero initialization is stuck at chance: only the output biases learn.
    assert!(validation("MLP zeros + Adam") < 0.2);
}

/// A study killed part-way (SIGKILL, no chance to clean up) goes on with `--resume` without
/// training its finished runs again, and leaves no half-written file.
#[test]
fn a_killed_study_resumes_without_redoing_finished_runs() {
    let tmp = TempDir::new("mnist-resume");
    let data = tmp.path().join("data");
    write_fixture(&data, DatasetKind::Mnist, 4000, 200);
    let out = tmp.path().join("results");
    let args = |resume: bool| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_unfold"));
        cmd.args([
            "mnist",
            "--profile",
            "quick",
            "--backend",
            "flex",
            "--data-dir",
        ])
        .arg(&data)
        .arg("--out")
        .arg(&out);
        if resume {
            cmd.arg("--resume");
        }
        cmd
    };
    let runs_dir = out.join("mnist/runs");
    let finished = || saved_runs(&runs_dir);
    let mut child = args(false)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while finished() < 2 && started.elapsed().as_secs() < 300 {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let _ = child.kill(); // SIGKILL on Unix
    let _ = child.wait();
    let before = finished();
    assert!(before >= 2, "the first invocation finished {before} runs");

    let second = args(true).output().unwrap();
    let stdout = String::from_utf8_lossy(&second.stdout);
    assert!(
        second.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&second.stderr)
    );
    let m = read_metrics(&out, "mnist");
    let resumed = m["resumed_runs"].as_u64().unwrap_or(0) as usize;
    assert!(
        resumed >= before.min(9),
        "resumed {resumed} of {before} finished runs"
    );
    assert_eq!(
        stdout.matches("resumed from an earlier run").count(),
        resumed
    );
    assert!(
        m["runs"].as_object().unwrap().len() >= 10,
        "every run is in the results"
    );
    let leftovers: Vec<_> = walk(&out)
        .into_iter()
        .filter(|p| p.to_string_lossy().contains(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "half-written files: {leftovers:?}");

    // Other settings (here the seed) never reuse those runs.
    let third = args(true).args(["--seed", "7"]).output().unwrap();
    assert!(third.status.success());
    assert!(read_metrics(&out, "mnist").get("resumed_runs").is_none());
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}
