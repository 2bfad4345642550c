//! Lab 2 end to end on the quick profile: the results contract, every from-scratch block
//! identical to Burn's, the lab's shapes, and the regression's story (random search beats the
//! untrained network; Adam beats random search). The from-scratch blocks are also checked on
//! `wgpu` when a Vulkan device exists.

use std::path::{Path, PathBuf};

use unfold::burn::tensor::{Distribution, Tensor};
use unfold::device::{Backend, select_device};
use unfold::experiments::building_blocks::{BuildingBlocksConfig, check_blocks, check_mse, run};
use unfold::experiments::{Profile, RunContext};
use unfold::models::Tolerance;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("unfold-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn metrics(out: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(out.join("building-blocks/metrics.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn quick_run_checks_the_blocks_and_tells_the_regression_story() {
    let out = scratch("building-blocks");
    let selected = select_device(Backend::Flex, 0).unwrap();
    let mut ctx = RunContext::new(&selected, 999, Profile::Quick, &out);
    ctx.progress = false;
    let config = BuildingBlocksConfig::for_profile(Profile::Quick);
    let outcome = run(&config, &ctx).unwrap();
    let m = metrics(&out);

    assert_eq!(m["experiment"], "building-blocks");
    assert_eq!(m["status"], "ok");
    assert_eq!(m["backend"], "flex");
    assert_eq!(m["profile"], "quick");
    assert_eq!(m["seed"], 999);

    // Every from-scratch block matches Burn's, with the lab's shapes.
    let checks = m["equality_checks"].as_array().unwrap();
    let shape = |block: &str| {
        let c = checks
            .iter()
            .find(|c| c["block"].as_str().unwrap().starts_with(block))
            .unwrap_or_else(|| panic!("no check of {block}"));
        assert_eq!(c["identical"], true, "{c}");
        assert!(c["max_abs_diff"].as_f64().unwrap() <= 1e-6, "{c}");
        c["shape"].clone()
    };
    assert_eq!(shape("Linear(3→4)"), serde_json::json!([2, 4]));
    assert_eq!(shape("ReLU"), serde_json::json!([2, 3]));
    assert_eq!(shape("Sigmoid"), serde_json::json!([2, 4]));
    assert_eq!(shape("Net: Linear(3→5)"), serde_json::json!([2, 1]));
    assert_eq!(shape("MSE"), serde_json::json!([1]));
    assert_eq!(checks.len(), 5);

    // reset_params: N(0, 0.02) then N(0, 1), biases 0.
    let before = &m["reset_params"]["before_normal_0_0.02"];
    let after = &m["reset_params"]["after_normal_0_1"];
    let weights = |v: &serde_json::Value| -> Vec<f64> {
        v["weight"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w.as_f64().unwrap())
            .collect()
    };
    assert!(weights(before).iter().all(|w| w.abs() < 0.1));
    assert!(weights(after).iter().any(|w| w.abs() > 0.1));
    assert_eq!(before["bias"], serde_json::json!([0.0]));
    assert_eq!(after["bias"], serde_json::json!([0.0]));

    // The regression: 20 × 20 grid in the quick profile.
    assert_eq!(m["ground_truth"]["points"], 400);
    let loss = |run: &str| m["runs"][run]["final_loss"].as_f64().unwrap();
    let (untrained, search, adam) = (loss("untrained"), loss("random_search"), loss("adam"));
    assert!(
        search < untrained / 100.0,
        "random search {search} vs untrained {untrained}"
    );
    assert!(adam < search, "Adam {adam} vs random search {search}");
    let draws = m["runs"]["random_search"]["curves"]["train_loss"]
        .as_array()
        .unwrap()
        .len();
    assert!((1..=50).contains(&draws), "{draws} draws");
    assert_eq!(m["runs"]["random_search"]["steps"], draws);
    assert_eq!(
        m["runs"]["random_search"]["reached_threshold"],
        search < 1e-5
    );
    assert_eq!(m["runs"]["adam"]["parameters"], 2 * 25 + 25 + 25 + 1);
    assert_eq!(
        m["runs"]["adam"]["curves"]["epoch"]
            .as_array()
            .unwrap()
            .last()
            .unwrap(),
        config.adam_epochs
    );

    for stem in ["ground_truth", "untrained", "search_vs_adam"] {
        for ext in ["png", "svg"] {
            let file = out.join(format!("building-blocks/{stem}.{ext}"));
            assert!(file.is_file(), "{file:?}");
        }
    }
    assert_eq!(outcome.figures.len(), 3);
    let report = std::fs::read_to_string(out.join("building-blocks/report.md")).unwrap();
    // And the report shows it: one table row per block, each identical.
    let identical_rows = report
        .lines()
        .filter(|l| l.starts_with("| `") && l.ends_with("| true |"))
        .count();
    assert_eq!(identical_rows, 5, "{report}");
    assert!(
        report.contains("All 5 from-scratch blocks compute what Burn's do"),
        "{report}"
    );
    for text in [
        "Q1.1",
        "Q1.3",
        "Q1.8",
        "Q1.10",
        "Q2.1",
        "converge much faster",
        "(search_vs_adam.png)",
    ] {
        assert!(report.contains(text), "report lacks {text}");
    }

    // The same seed gives the same numbers.
    let again = run(&config, &ctx).unwrap();
    assert_eq!(again.summary, outcome.summary);
    let m2 = metrics(&out);
    assert_eq!(m2["equality_checks"], m["equality_checks"]);
    for run in ["untrained", "random_search", "adam"] {
        assert_eq!(
            m2["runs"][run]["final_loss"], m["runs"][run]["final_loss"],
            "{run}"
        );
        assert_eq!(m2["runs"][run]["curves"], m["runs"][run]["curves"], "{run}");
    }
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn blocks_match_burn_on_wgpu_when_a_vulkan_device_exists() {
    if !Backend::Wgpu.is_compiled() {
        eprintln!("skipping wgpu: not compiled in");
        return;
    }
    let selected = match select_device(Backend::Wgpu, 0) {
        Ok(selected) => selected,
        Err(e) if std::env::var("UNFOLD_REQUIRE_WGPU").is_ok_and(|v| v == "1") => {
            panic!("wgpu must be usable here: {e}")
        }
        Err(e) => {
            eprintln!("skipping wgpu: {e}");
            return;
        }
    };
    let device = &selected.device;
    let tolerance = Tolerance::default();
    let blocks = check_blocks(device, 999, tolerance);
    assert_eq!(blocks.checks.len(), 4);
    for check in &blocks.checks {
        assert!(check.comparison.identical, "{check:?}");
    }
    let prediction = Tensor::<2>::random([16, 1], Distribution::Normal(0.0, 1.0), device);
    let target = Tensor::<2>::random([16, 1], Distribution::Normal(0.0, 1.0), device);
    let mse = check_mse(prediction, target, tolerance);
    assert!(mse.comparison.identical, "{mse:?}");
    // Host-drawn parameters: the same values as on the CPU.
    let cpu = check_blocks(&unfold::burn::tensor::Device::flex(), 999, tolerance);
    assert_eq!(blocks.reset_after, cpu.reset_after);
}
