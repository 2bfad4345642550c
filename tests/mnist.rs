//! Notebook 001, question 1: the MNIST pipeline on a small fixture, the notebook's
//! conclusions on a real subset (when `UNFOLD_DATA` names the data), and the error a user
//! without the data gets.

mod common;

use common::{TempDir, ndarray_context, read_metrics, real_data_dir, write_fixture};
use unfold::data::DatasetKind;
use unfold::experiments::Profile;
use unfold::experiments::mnist::{LOGISTIC, MnistConfig, run};

#[test]
fn pipeline_runs_on_a_fixture_and_writes_every_result() {
    let tmp = TempDir::new("mnist-fixture");
    let data = tmp.path().join("data");
    write_fixture(&data, DatasetKind::Mnist, 300, 60);
    let out = tmp.path().join("results");
    let ctx = ndarray_context(&out, 7, Some(data));
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
    let ctx = ndarray_context(
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
    let ctx = ndarray_context(&tmp.path().join("results"), 1, None);
    let config = MnistConfig {
        train_fraction: 1.5,
        ..MnistConfig::for_profile(Profile::Quick)
    };
    let err = format!("{:#}", run(&config, &ctx).unwrap_err());
    assert!(err.contains("train fraction"), "{err}");
    let config = MnistConfig {
        widths: vec![784, 10, 3],
        ..MnistConfig::for_profile(Profile::Quick)
    };
    assert!(format!("{:#}", run(&config, &ctx).unwrap_err()).contains("10 outputs"));
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
    let ctx = ndarray_context(&out, 42, Some(data));
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
