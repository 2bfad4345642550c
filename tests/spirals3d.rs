//! Notebook 000 end to end on the quick profile: files per the results contract, and the
//! notebook's conclusion (a linear model cannot separate the spirals; ReLU models do better).

use std::path::Path;

mod common;

use common::{backend_context, scratch};
use unfold::device::Backend;
use unfold::experiments::Profile;
use unfold::experiments::spirals3d::{Spirals3dConfig, run};

fn metrics(out: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(out.join("spirals3d/metrics.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn test_accuracy(m: &serde_json::Value, model: &str) -> f64 {
    m["runs"][model]["test_accuracy"].as_f64().unwrap()
}

#[test]
fn quick_run_on_flex_writes_the_contract_and_shows_the_science() {
    let out = scratch("spirals3d-flex");
    let ctx = backend_context(Backend::Flex, &out, 42).unwrap();
    let outcome = run(&Spirals3dConfig::for_profile(Profile::Quick), &ctx).unwrap();
    let m = metrics(&out);

    for key in [
        "experiment",
        "status",
        "backend",
        "device",
        "profile",
        "seed",
        "wall_seconds",
        "runs",
        "manifest",
    ] {
        assert!(m.get(key).is_some(), "metrics.json lacks {key}");
    }
    assert_eq!(m["experiment"], "spirals3d");
    assert_eq!(m["status"], "ok");
    assert_eq!(m["backend"], "flex");
    assert_eq!(m["profile"], "quick");
    assert_eq!(m["seed"], 42);
    assert_eq!(m["manifest"]["unfold_version"], env!("CARGO_PKG_VERSION"));
    for model in [
        "LinearModel",
        "LinearHiddenModel",
        "ReLUHiddenModel",
        "DeepReLUModel",
    ] {
        let run = &m["runs"][model];
        for key in [
            "train_accuracy",
            "test_accuracy",
            "final_loss",
            "parameters",
        ] {
            assert!(run[key].is_number(), "{model} lacks {key}: {run}");
        }
        assert_eq!(
            run["curves"]["epoch"].as_array().unwrap().last().unwrap(),
            600
        );
    }
    assert_eq!(m["runs"]["LinearModel"]["parameters"], 4);
    assert_eq!(m["runs"]["ReLUHiddenModel"]["parameters"], 12 + 8 + 3);

    // Every figure as PNG and SVG, and the report.
    assert_eq!(
        outcome.figures.len(),
        1 + 4 + 3 + 1,
        "{:?}",
        outcome.figures
    );
    for png in &outcome.figures {
        assert!(png.is_file(), "{png:?}");
        assert!(png.with_extension("svg").is_file(), "{png:?} has no SVG");
    }
    let report = std::fs::read_to_string(out.join("spirals3d/report.md")).unwrap();
    assert!(report.contains("Can the linear model separate the spirals?"));
    assert!(report.contains("(data.png)"));

    // The science: a plane cannot separate the spirals; ReLU networks clearly do better.
    let linear = test_accuracy(&m, "LinearModel");
    let linear_hidden = test_accuracy(&m, "LinearHiddenModel");
    let deep = test_accuracy(&m, "DeepReLUModel");
    let relu = test_accuracy(&m, "ReLUHiddenModel");
    assert!(linear < 0.8, "linear model separated the spirals: {linear}");
    assert!(
        linear_hidden < 0.8,
        "linear hidden model separated the spirals: {linear_hidden}"
    );
    assert!(deep > linear + 0.15, "deep ReLU {deep} vs linear {linear}");
    assert!(relu.max(deep) > 0.9, "ReLU models reach {relu} / {deep}");
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn quick_run_on_wgpu_when_a_vulkan_device_exists() {
    if !Backend::Wgpu.is_compiled() {
        eprintln!("skipping wgpu: not compiled in");
        return;
    }
    let out = scratch("spirals3d-wgpu");
    let Some(ctx) = backend_context(Backend::Wgpu, &out, 42) else {
        return;
    };
    // The same pipeline, shortened: software Vulkan is slow, and this checks portability.
    let config = Spirals3dConfig {
        epochs: 150,
        log_every: 50,
        ..Spirals3dConfig::for_profile(Profile::Quick)
    };
    let outcome = run(&config, &ctx).unwrap();
    let m = metrics(&out);
    assert_eq!(m["backend"], "wgpu");
    assert_eq!(m["status"], "ok");
    for model in ["LinearModel", "ReLUHiddenModel", "DeepReLUModel"] {
        let acc = test_accuracy(&m, model);
        assert!((0.0..=1.0).contains(&acc), "{model}: {acc}");
        assert!(m["runs"][model]["final_loss"].as_f64().unwrap().is_finite());
    }
    assert!(outcome.figures.iter().all(|p| p.is_file()));
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn a_diverged_model_is_answered_as_diverged_not_read_as_a_result() {
    let out = scratch("spirals3d-diverged");
    let ctx = backend_context(Backend::Flex, &out, 42).unwrap();
    let config = Spirals3dConfig {
        learning_rate: 1e9,
        epochs: 60,
        ..Spirals3dConfig::for_profile(Profile::Quick)
    };
    run(&config, &ctx).unwrap();
    let m = metrics(&out);
    let report = std::fs::read_to_string(out.join("spirals3d/report.md")).unwrap();
    let questions = report.split("Questions").nth(1).unwrap();
    for (model, run) in m["runs"].as_object().unwrap() {
        if run["status"] == "diverged" {
            assert!(
                questions.contains(&format!("`{model}` diverged at epoch")),
                "{model} diverged, but the answers do not say so:\n{questions}"
            );
            assert!(
                !questions.contains(&format!("`{model}` reaches"))
                    && !questions.contains(&format!("`{model}` (3→")),
                "{model}'s numbers are read as a result:\n{questions}"
            );
        }
    }
    assert!(
        m["status"] == "diverged",
        "lr 1e9 diverges: {}",
        m["status"]
    );
}
