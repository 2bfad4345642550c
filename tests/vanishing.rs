//! Notebook 004, task 3: the vanishing-gradient pipeline on a small IDX fixture, and on real
//! Fashion-MNIST (when `UNFOLD_DATA` names it) the notebook's finding that ReLU beats sigmoid
//! after one epoch while the sigmoid network's first layer gets the smallest gradients.

mod common;

use common::{TempDir, cpu_context, read_metrics, real_data_dir, write_fixture};
use unfold::data::DatasetKind;
use unfold::experiments::Profile;
use unfold::experiments::vanishing::{VanishingConfig, run};

#[test]
fn pipeline_records_gradients_of_every_batch() {
    let tmp = TempDir::new("vanishing-fixture");
    let data = tmp.path().join("data");
    write_fixture(&data, DatasetKind::FashionMnist, 640, 50);
    let out = tmp.path().join("results");
    let ctx = cpu_context(&out, 66, Some(data));
    let config = VanishingConfig {
        log_every_batches: 4,
        ..VanishingConfig::for_profile(Profile::Quick)
    };
    let outcome = run(&config, &ctx).unwrap();
    let m = read_metrics(&out, "vanishing");
    for net in ["ANN_sigmoid", "ANN_relu"] {
        let run = &m["runs"][net];
        let per_batch = run["gradient_per_batch"].as_array().unwrap();
        assert_eq!(per_batch.len(), 3, "three layers");
        for layer in per_batch {
            let values = layer.as_array().unwrap();
            assert_eq!(values.len(), 10, "640 images in batches of 64");
            assert!(values.iter().all(|v| v.as_f64().unwrap() > 0.0));
        }
        assert_eq!(
            run["loss_log"].as_array().unwrap().len(),
            3,
            "batches 0, 4, 8"
        );
        assert_eq!(
            run["parameters"],
            784 * 512 + 512 + 512 * 1024 + 1024 + 1024 * 512 + 512 + 512 * 10 + 10
        );
        let running = run["running_train_accuracy"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&running));
    }
    for stem in ["samples", "gradients", "gradients_compared", "loss"] {
        assert!(
            out.join(format!("vanishing/{stem}.png")).is_file(),
            "{stem}"
        );
    }
    // The quiz: five statements, each answered True or False with evidence.
    let answers = outcome.report.answers();
    assert_eq!(answers.len(), 5);
    assert!(
        answers[2]
            .1
            .starts_with("**True** — the largest value of σ'(x)")
    );
    assert!(answers[4].1.starts_with("**False**"), "{}", answers[4].1);
}

#[test]
fn real_fashion_mnist_relu_beats_sigmoid_and_sigmoid_gradients_vanish() {
    let Some(data) = real_data_dir() else {
        eprintln!("skipped: UNFOLD_DATA is not set");
        return;
    };
    let tmp = TempDir::new("vanishing-real");
    let out = tmp.path().join("results");
    let ctx = cpu_context(&out, 66, Some(data));
    run(&VanishingConfig::for_profile(Profile::Quick), &ctx).unwrap();
    let m = read_metrics(&out, "vanishing");
    let acc = |net: &str| m["runs"][net]["test_accuracy"].as_f64().unwrap();
    assert!(
        acc("ANN_relu") > acc("ANN_sigmoid") + 0.15,
        "ReLU {} vs sigmoid {}",
        acc("ANN_relu"),
        acc("ANN_sigmoid")
    );
    let means = |net: &str| -> Vec<f64> {
        m["runs"][net]["mean_abs_weight_gradient"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect()
    };
    let sigmoid = means("ANN_sigmoid");
    assert!(
        sigmoid[0] < 0.3 * sigmoid[2],
        "sigmoid's first layer should get far smaller gradients: {sigmoid:?}"
    );
}
