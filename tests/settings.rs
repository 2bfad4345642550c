//! Settings from the command line and files: `unfold config` prints every key as TOML that
//! reads back to the same settings; `--set` and `--config` change a run, and its metrics say
//! so; a run's own `metrics.json` reruns it exactly; bad settings never start a run.

mod common;

use std::path::Path;

use common::{TempDir, stderr, stdout, unfold};

fn metrics(dir: &Path, experiment: &str) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(dir.join(experiment).join("metrics.json")).unwrap())
        .unwrap()
}

/// The runs of a `metrics.json` without their timings.
fn runs_without_timings(metrics: &serde_json::Value) -> serde_json::Value {
    let mut runs = metrics["runs"].clone();
    for run in runs.as_object_mut().unwrap().values_mut() {
        run.as_object_mut().unwrap().remove("train_seconds");
    }
    runs
}

#[test]
fn config_prints_every_key_and_reads_back_the_same() {
    let tmp = TempDir::new("settings-config");
    for name in [
        "spirals3d",
        "sandwich",
        "xor",
        "building-blocks",
        "mnist",
        "vanishing",
    ] {
        let o = unfold(&["config", name, "--profile", "quick"]);
        assert!(o.status.success(), "{name}: {}", stderr(&o));
        let text = stdout(&o);
        assert!(text.contains("(notebook: "), "{name}: {text}");
        assert!(text.contains("seed = "), "{name}: {text}");
        // Every value line carries a description.
        for line in text
            .lines()
            .filter(|l| l.contains(" = ") && !l.starts_with('#'))
        {
            assert!(line.contains("  # "), "{name}: undescribed line: {line}");
        }
        // The header's `--set` example is a key this experiment has.
        let example = text
            .split("e.g. `--set ")
            .nth(1)
            .and_then(|rest| rest.split('`').next())
            .unwrap_or_else(|| panic!("{name}: no --set example in\n{text}"));
        let o = unfold(&["config", name, "--profile", "quick", "--set", example]);
        assert!(o.status.success(), "{name}: {example}: {}", stderr(&o));
        let file = tmp.path().join(format!("{name}.toml"));
        std::fs::write(&file, &text).unwrap();
        let again = unfold(&["config", name, "--config", file.to_str().unwrap()]);
        assert!(again.status.success(), "{name}: {}", stderr(&again));
        // Read over the full profile, the quick file gives the quick settings back.
        let header = |t: &str| {
            t.lines()
                .skip_while(|l| l.starts_with('#') || l.is_empty())
                .collect::<Vec<_>>()
                .join("\n")
        };
        assert_eq!(header(&stdout(&again)), header(&text), "{name}: round trip");
    }
}

#[test]
fn bad_settings_are_one_line_errors_and_nothing_is_written() {
    let tmp = TempDir::new("settings-bad");
    let out = tmp.path().join("results");
    let cases: &[(&str, &[&str], &[&str])] = &[
        (
            "spirals3d",
            &["epoch=5"],
            &[
                "unknown setting 'epoch'",
                "did you mean 'epochs'",
                "unfold config spirals3d",
            ],
        ),
        ("spirals3d", &["noise=0.1"], &["did you mean 'data.noise'"]),
        (
            "spirals3d",
            &["learning_rate=0"],
            &["'learning_rate' = 0", "> 0"],
        ),
        (
            "spirals3d",
            &["learning_rate=nan"],
            &["'learning_rate'", "not a finite number"],
        ),
        ("spirals3d", &["epochs=0"], &["'epochs' = 0", "≥ 1"]),
        (
            "spirals3d",
            &["epochs=many"],
            &["'epochs' = \"many\"", "expected"],
        ),
        (
            "spirals3d",
            &["train_fraction=1.5"],
            &["'train_fraction' = 1.5", "between 0 and 1"],
        ),
        (
            "spirals3d",
            &["hidden=[0, 2]"],
            &["'hidden' = [0,2]", "≥ 1"],
        ),
        ("sandwich", &["batch_size=0"], &["'batch_size' = 0"]),
        (
            "sandwich",
            &["rainbow_permutation=[0, 0, 1, 2, 3, 4]"],
            &["each of 0..6 once"],
        ),
    ];
    for (experiment, sets, expected) in cases {
        let mut args = vec![*experiment, "--out", out.to_str().unwrap()];
        for set in *sets {
            args.extend(["--set", set]);
        }
        let o = unfold(&args);
        assert!(!o.status.success(), "{args:?} should fail");
        let err = stderr(&o);
        assert_eq!(err.trim().lines().count(), 1, "{args:?}: one line: {err}");
        for piece in *expected {
            assert!(err.contains(piece), "{args:?}: {err} lacks {piece}");
        }
        assert!(!out.exists(), "{args:?} wrote {}", out.display());
    }
    // `--seed` and `--set seed` that disagree: neither silently wins.
    let o = unfold(&[
        "spirals3d",
        "--seed",
        "1",
        "--set",
        "seed=2",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(err.contains("--seed 1 and --set seed=2 disagree"), "{err}");
    assert!(!out.exists(), "a refused seed wrote {}", out.display());
    // A settings file that is not a file, or not TOML.
    let o = unfold(&[
        "spirals3d",
        "--config",
        "/dev/zero",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(stderr(&o).contains("not a regular file"), "{}", stderr(&o));
    let file = tmp.path().join("broken.toml");
    std::fs::write(&file, "epochs = [").unwrap();
    let o = unfold(&["spirals3d", "--config", file.to_str().unwrap()]);
    assert!(stderr(&o).contains("is not valid TOML"), "{}", stderr(&o));
    // unfold's other outputs are named for what they are.
    for (text, kind) in [
        (
            r#"{"experiment":"spirals3d","axes":[],"points":[]}"#,
            "sweep",
        ),
        (r#"{"started":"","experiments":[]}"#, "manifest.json"),
        (
            r#"{"experiment":"spirals3d","runs":{}}"#,
            "without its settings",
        ),
    ] {
        let file = tmp.path().join("output.json");
        std::fs::write(&file, text).unwrap();
        let o = unfold(&["spirals3d", "--config", file.to_str().unwrap()]);
        let err = stderr(&o);
        assert!(err.contains(kind) && err.contains("not settings"), "{err}");
    }
    assert!(!out.exists());
}

#[test]
fn a_changed_setting_shows_in_the_metrics_and_the_run_repeats_from_its_metrics() {
    let tmp = TempDir::new("settings-rerun");
    let first = tmp.path().join("first");
    let file = tmp.path().join("smaller.toml");
    std::fs::write(&file, "epochs = 30\n[data]\npoints_per_class = 60\n").unwrap();
    let o = unfold(&[
        "spirals3d",
        "--backend",
        "flex",
        "--profile",
        "quick",
        "--config",
        file.to_str().unwrap(),
        "--set",
        "hidden=[4, 2]",
        "--set",
        "seed=5",
        "--out",
        first.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let m = metrics(&first, "spirals3d");
    assert_eq!(m["seed"], 5);
    assert_eq!(m["config"]["epochs"], 30);
    assert_eq!(m["config"]["hidden"], serde_json::json!([4, 2]));
    assert_eq!(
        m["changed"]["epochs"],
        serde_json::json!({ "value": 30, "notebook": 2000 })
    );
    assert_eq!(m["changed"]["seed"]["value"], 5);
    assert_eq!(m["changed"]["data.points_per_class"]["value"], 60);
    let relu = &m["runs"]["ReLUHiddenModel"];
    assert_eq!(
        relu["architecture"].as_str().unwrap().matches("→").count(),
        3
    );
    assert_eq!(
        relu["curves"]["epoch"].as_array().unwrap().last().unwrap(),
        30
    );
    assert_eq!(
        m["train_points"].as_u64().unwrap() + m["test_points"].as_u64().unwrap(),
        120
    );
    let report = std::fs::read_to_string(first.join("spirals3d/report.md")).unwrap();
    assert!(
        report.contains("**Your settings**") && report.contains("| `epochs` | `30` | `2000` |"),
        "{report}"
    );

    // The same numbers again from the recorded settings and seed alone.
    let second = tmp.path().join("second");
    let recorded = first.join("spirals3d/metrics.json");
    let o = unfold(&[
        "spirals3d",
        "--backend",
        "flex",
        "--config",
        recorded.to_str().unwrap(),
        "--out",
        second.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let again = metrics(&second, "spirals3d");
    assert_eq!(again["config"], m["config"]);
    assert_eq!(again["seed"], 5);
    assert_eq!(runs_without_timings(&again), runs_without_timings(&m));
    // `unfold config` of that file names the profile it ran with.
    let o = unfold(&[
        "config",
        "spirals3d",
        "--config",
        recorded.to_str().unwrap(),
    ]);
    assert!(
        stdout(&o).starts_with("# unfold spirals3d — settings of the `quick` profile."),
        "{}",
        stdout(&o)
    );

    // Another experiment's metrics are refused.
    let o = unfold(&["sandwich", "--config", recorded.to_str().unwrap()]);
    assert!(
        stderr(&o).contains("holds the results of 'spirals3d'"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_report_whose_runs_diverged_says_so_before_its_answers() {
    let tmp = TempDir::new("settings-diverged");
    let out = tmp.path().join("out");
    let spirals = |extra: &[&str]| {
        let mut args = vec!["spirals3d", "--backend", "flex", "--profile", "quick"];
        args.extend(extra);
        args.extend(["--out", out.to_str().unwrap()]);
        let o = unfold(&args);
        assert!(o.status.success(), "{}", stderr(&o));
        o
    };
    spirals(&["--set", "learning_rate=1e30", "--set", "epochs=20"]);
    let m = metrics(&out, "spirals3d");
    assert_eq!(m["status"], "diverged");
    let report = std::fs::read_to_string(out.join("spirals3d/report.md")).unwrap();
    let warning = report.find("runs diverged**").expect(&report);
    assert!(
        warning < report.find("## Questions").unwrap(),
        "before the answers: {report}"
    );
    // While here: --resume on an experiment without checkpoints says it does nothing.
    let o = spirals(&["--set", "epochs=2", "--resume"]);
    assert!(
        stderr(&o).contains("--resume does nothing for spirals3d"),
        "{}",
        stderr(&o)
    );
    // And --save-model on an experiment that keeps no model.
    let o = unfold(&[
        "building-blocks",
        "--profile",
        "quick",
        "--save-model",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("--save-model does nothing for building-blocks"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn reproduce_all_takes_settings_per_experiment() {
    let tmp = TempDir::new("settings-reproduce");
    let out = tmp.path().join("results");
    let o = unfold(&[
        "reproduce-all",
        "--backend",
        "flex",
        "--profile",
        "quick",
        "--only",
        "spirals3d,sandwich",
        "--set",
        "sandwich.epochs=20",
        "--set",
        "learning_rate=0.02",
        "--set",
        "sandwich.animation_every=0",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}\n{}", stdout(&o), stderr(&o));
    let sandwich = metrics(&out, "sandwich");
    assert_eq!(sandwich["config"]["epochs"], 20);
    assert_eq!(sandwich["config"]["learning_rate"], 0.02);
    let spirals = metrics(&out, "spirals3d");
    assert_eq!(spirals["config"]["learning_rate"], 0.02);
    assert_eq!(
        spirals["config"]["epochs"], 600,
        "sandwich.epochs is sandwich's alone"
    );
    let page = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(
        page.contains("class=\"settings\""),
        "the page shows the settings box"
    );
    // A key no experiment has is refused before anything runs.
    let o = unfold(&[
        "reproduce-all",
        "--set",
        "epochz=3",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(
        stderr(&o).contains("unknown setting 'epochz'"),
        "{}",
        stderr(&o)
    );
    // A plain key that one experiment cannot take says how to aim it at another.
    let o = unfold(&[
        "reproduce-all",
        "--profile",
        "quick",
        "--set",
        "hidden=[8, 2]",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("applies to every experiment that has it")
            && stderr(&o).contains(".KEY"),
        "{}",
        stderr(&o)
    );
}
