//! Notebooks 001 (question 2) and 004 (tasks 1, 2) end to end on the quick profile: files per
//! the results contract, the notebook's findings, and the `backprop` command.

use std::path::Path;
use std::process::{Command, Output};

mod common;

use common::{backend_context, scratch};
use unfold::device::Backend;
use unfold::experiments::Profile;
use unfold::experiments::xor::{HiddenRule, XorConfig, run};

fn metrics(out: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(out.join("xor/metrics.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// A grid small enough to run twice in a second.
fn tiny() -> XorConfig {
    XorConfig {
        dims: vec![2],
        hidden: vec![HiddenRule::Fixed { size: 2 }],
        seeds: 1,
        epochs: 20,
        compare_epochs: 2,
        ..XorConfig::for_profile(Profile::Quick)
    }
}

#[test]
fn quick_run_on_flex_writes_the_contract_and_shows_the_science() {
    let out = scratch("xor-flex");
    let ctx = backend_context(Backend::Flex, &out, 0).unwrap();
    let config = XorConfig::for_profile(Profile::Quick);
    let outcome = run(&config, &ctx).unwrap();
    let m = metrics(&out);

    for key in [
        "experiment",
        "status",
        "backend",
        "profile",
        "seed",
        "wall_seconds",
        "runs",
        "manifest",
        "grid",
        "gradient_check",
        "task1",
        "backprop_example",
    ] {
        assert!(m.get(key).is_some(), "metrics.json lacks {key}");
    }
    assert_eq!(m["experiment"], "xor");
    assert_eq!(m["status"], "ok");
    assert_eq!(m["backend"], "flex");
    assert_eq!(m["profile"], "quick");
    assert_eq!(m["config"]["learning_rate"], 0.02);

    // Every (d, hidden, seed) run, with its curve on all 2^d points up to epoch 300.
    let runs = m["runs"].as_object().unwrap();
    assert_eq!(runs.len(), config.grid().len() * config.seeds);
    let run = &m["runs"]["d3-h6-s1"];
    assert_eq!(run["d"], 3);
    assert_eq!(run["hidden"], 6);
    assert_eq!(run["parameters"], 3 * 6 + 6 + 6 + 1);
    assert_eq!(run["steps"], 300 * 8);
    assert_eq!(
        run["curves"]["epoch"].as_array().unwrap().last().unwrap(),
        300
    );

    // The science: one hidden unit never fits XOR; the widest networks do.
    let grid = m["grid"].as_array().unwrap();
    assert_eq!(grid.len(), config.grid().len());
    for cell in grid {
        let (d, hidden) = (
            cell["d"].as_u64().unwrap(),
            cell["hidden"].as_u64().unwrap(),
        );
        let converged = cell["converged"].as_u64().unwrap();
        if hidden == 1 {
            assert_eq!(converged, 0, "d = {d} converged with one hidden unit");
        }
        if hidden == 2 * d {
            assert!(converged >= 1, "d = {d}, hidden {hidden} never converged");
        }
    }

    // calc_gradients matches autodiff element by element at every step.
    let check = &m["gradient_check"];
    assert_eq!(check["steps"], config.compare_epochs * 4);
    assert_eq!(check["failures"], 0);
    assert!(check["max_abs_diff"].as_f64().unwrap() < 1e-5);

    // Notebook 004, task 1.
    assert!((m["task1"]["linear"]["mse"].as_f64().unwrap() - 1.0 / 3.0).abs() < 1e-9);
    assert_eq!(m["task1"]["max_error"], 0.0);
    assert_eq!(m["backprop_example"]["agrees_with_autodiff"], true);

    assert_eq!(outcome.figures.len(), 4, "{:?}", outcome.figures);
    for png in &outcome.figures {
        assert!(png.is_file(), "{png:?}");
        assert!(png.with_extension("svg").is_file(), "{png:?} has no SVG");
    }
    let report = std::fs::read_to_string(out.join("xor/report.md")).unwrap();
    for needle in [
        "For which dimensions were you able to reach a model that converges",
        "What is the number of hidden neurons",
        "What results did you expect",
        "∂L/∂w_32",
        "(loss_curves.png)",
    ] {
        assert!(report.contains(needle), "report lacks {needle}");
    }
    assert_eq!(outcome.report.answers().len(), 3);
    std::fs::remove_dir_all(&out).unwrap();
}

/// Every finished dimension of the grid is saved; `--resume` reuses a dimension whose runs are
/// all saved with the same settings, and trains the rest.
#[test]
fn resume_reuses_the_finished_dimensions() {
    let out = scratch("xor-resume");
    let config = XorConfig {
        dims: vec![2, 3],
        ..tiny()
    };
    let ctx = backend_context(Backend::Flex, &out, 5).unwrap();
    run(&config, &ctx).unwrap();
    let first = metrics(&out);
    let runs_dir = out.join("xor/runs");
    let saved = std::fs::read_dir(&runs_dir).unwrap().count();
    assert_eq!(saved, 2, "one checkpoint per run");
    // As if d = 3 had not finished when the process was killed.
    std::fs::remove_file(runs_dir.join("d3_h2_s0.json")).unwrap();

    run(&config, &ctx.clone().with_resume(true)).unwrap();
    let second = metrics(&out);
    assert_eq!(
        second["resumed_runs"], 1,
        "d = 2 is reused, d = 3 trained again"
    );
    for run in ["d2-h2-s0", "d3-h2-s0"] {
        for key in ["final_loss", "curves", "seed"] {
            assert_eq!(
                second["runs"][run][key], first["runs"][run][key],
                "{run} {key}: resumed or retrained, the same results"
            );
        }
    }
    // Without --resume nothing is reused.
    run(&config, &ctx).unwrap();
    assert!(metrics(&out).get("resumed_runs").is_none());
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn same_seed_same_results_batched_or_not() {
    let curve = |name: &str, batched: bool| {
        let out = scratch(name);
        let ctx = backend_context(Backend::Flex, &out, 7).unwrap();
        run(&XorConfig { batched, ..tiny() }, &ctx).unwrap();
        let m = metrics(&out);
        std::fs::remove_dir_all(&out).unwrap();
        m["runs"]["d2-h2-s0"]["curves"]["train_loss"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect::<Vec<f64>>()
    };
    let first = curve("xor-seed-a", true);
    assert_eq!(first, curve("xor-seed-b", true));
    let separate = curve("xor-seed-c", false);
    assert_eq!(first.len(), separate.len());
    for (a, b) in first.iter().zip(&separate) {
        assert!((a - b).abs() < 1e-5, "batched {a} vs separate {b}");
    }
}

#[test]
fn tiny_run_on_wgpu_when_a_vulkan_device_exists() {
    if !Backend::Wgpu.is_compiled() {
        eprintln!("skipping wgpu: not compiled in");
        return;
    }
    let out = scratch("xor-wgpu");
    let Some(ctx) = backend_context(Backend::Wgpu, &out, 0) else {
        return;
    };
    let config = XorConfig {
        epochs: 3,
        log_every: 3,
        compare_epochs: 1,
        ..tiny()
    };
    run(&config, &ctx).unwrap();
    let m = metrics(&out);
    assert_eq!(m["backend"], "wgpu");
    assert!(
        m["runs"]["d2-h2-s0"]["final_loss"]
            .as_f64()
            .unwrap()
            .is_finite()
    );
    assert_eq!(m["gradient_check"]["failures"], 0);
    assert_eq!(m["backprop_example"]["agrees_with_autodiff"], true);

    // Cross-backend determinism: the weights are drawn on the host from the seed and the
    // examples are drawn on the host too, so flex computes the same losses up to float
    // rounding. Tolerance: |a − b| ≤ 1e-4 + 1e-3·|b|.
    let cpu_out = scratch("xor-wgpu-vs-flex");
    let cpu = backend_context(Backend::Flex, &cpu_out, 0).unwrap();
    run(&config, &cpu).unwrap();
    let c = metrics(&cpu_out);
    let runs = m["runs"].as_object().unwrap();
    assert!(!runs.is_empty());
    for (name, run) in runs {
        let (gpu, cpu) = (
            run["final_loss"].as_f64().unwrap(),
            c["runs"][name]["final_loss"].as_f64().unwrap(),
        );
        assert!(
            (gpu - cpu).abs() <= 1e-4 + 1e-3 * cpu.abs(),
            "{name}: wgpu {gpu} vs flex {cpu}"
        );
    }
    std::fs::remove_dir_all(&out).unwrap();
    std::fs::remove_dir_all(&cpu_out).unwrap();
}

fn unfold(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_unfold"))
        .args(args)
        .output()
        .expect("the unfold binary runs")
}

fn example() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("assets/backprop-example.json")
        .display()
        .to_string()
}

#[test]
fn backprop_command_prints_the_worksheet_checked_by_autodiff() {
    let o = unfold(&["backprop", "--network", &example(), "--backend", "flex"]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{out}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        out.contains("s_3 = w_31·a_1 + w_32·a_2 + b_3 = 0.5·1 + (−0.25)·2 + 0.5 = 0.5"),
        "{out}"
    );
    assert!(out.contains("δ_3 = [s_3 > 0] · (w_63·δ_6)"), "{out}");
    assert!(
        out.contains("∂L/∂w_32 = δ_3·a_2 = (−1.75)·2 = −3.5"),
        "{out}"
    );
    assert!(out.contains("every value agrees with autodiff"), "{out}");

    // The input and label can be given on the command line, negative numbers included.
    let o = unfold(&[
        "backprop",
        "--network",
        &example(),
        "--input",
        "-1,0.5",
        "--label",
        "-2",
        "--backend",
        "flex",
    ]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{out}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(out.contains("a_1 = x_1 = −1"), "{out}");
}

#[test]
fn backprop_command_rejects_bad_input_with_a_clear_message() {
    let dir = scratch("xor-backprop-bad");
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.json");
    let text = std::fs::read_to_string(example())
        .unwrap()
        .replace("[0.5, 0.0, 0.0]", "[0.5, 0.0]");
    std::fs::write(&bad, text).unwrap();
    let good = example();
    let missing = dir.join("missing.json");
    let cases: [(Vec<&str>, &str); 3] = [
        (
            vec!["--network", bad.to_str().unwrap()],
            "layers[0].biases: expected one bias per unit",
        ),
        (
            vec!["--network", &good, "--input", "1,2,3"],
            "input: expected 2 values",
        ),
        (vec!["--network", missing.to_str().unwrap()], "cannot read"),
    ];
    for (args, expected) in cases {
        let mut all = vec!["backprop"];
        all.extend(args);
        let o = unfold(&all);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!o.status.success(), "{all:?} succeeded");
        assert!(err.contains(expected), "{all:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn xor_is_listed() {
    let o = unfold(&["list"]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("xor"));
}

/// The hidden rules as `unfold config xor` documents them: kind-tagged tables, set from the
/// command line; the report shows the changed keys and is rebuilt the same from the metrics.
#[test]
fn hidden_rules_set_from_the_command_line() {
    let out = scratch("xor-set-hidden");
    let o = unfold(&[
        "xor",
        "--backend",
        "flex",
        "--profile",
        "quick",
        "--set",
        "dims=[2]",
        "--set",
        "hidden=[{ kind = \"fixed\", size = 3 }, { kind = \"d_plus\", add = 2 }]",
        "--set",
        "seeds=1",
        "--set",
        "epochs=20",
        "--set",
        "compare_epochs=2",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let m = metrics(&out);
    assert_eq!(
        m["config"]["hidden"],
        serde_json::json!([{ "kind": "fixed", "size": 3 }, { "kind": "d_plus", "add": 2 }])
    );
    let runs: Vec<&String> = m["runs"].as_object().unwrap().keys().collect();
    assert_eq!(runs, ["d2-h3-s0", "d2-h4-s0"]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.contains("d=2 converged (MSE < 0.05) per hidden size: h3:"),
        "{stdout}"
    );
    let report_path = out.join("xor/report.md");
    let report = std::fs::read_to_string(&report_path).unwrap();
    assert!(
        report.contains("**Your settings**") && report.contains("`hidden`"),
        "{report}"
    );
    std::fs::remove_file(&report_path).unwrap();
    let o = unfold(&["report", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(std::fs::read_to_string(&report_path).unwrap(), report);

    let bad = out.join("bad");
    let o = unfold(&[
        "xor",
        "--set",
        "hidden=[{ kind = \"fixed\", size = 0 }]",
        "--out",
        bad.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success() && err.contains("'hidden'"), "{err}");
    assert!(!bad.exists());
    std::fs::remove_dir_all(&out).unwrap();
}
