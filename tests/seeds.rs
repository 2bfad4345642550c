//! "How sure are we?": `--seeds`, `unfold sweep` and `unfold compare` through the binary, on
//! spirals3d's quick profile shortened further so each run takes a second or two.

mod common;

use std::path::Path;

use common::{TempDir, stderr, stdout, unfold};
use serde_json::Value;

const SHORT: [&str; 8] = [
    "--profile",
    "quick",
    "--backend",
    "flex",
    "--set",
    "epochs=60",
    "--set",
    "log_every=20",
];

fn json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn run(args: &[&str]) -> std::process::Output {
    let o = unfold(args);
    assert!(o.status.success(), "{args:?} failed: {}", stderr(&o));
    o
}

#[test]
fn three_seeds_give_means_statistics_and_answers_counted_per_seed() {
    let tmp = TempDir::new("seeds-three");
    let out = tmp.path().to_str().unwrap();
    let mut args = vec!["spirals3d", "--seeds", "3", "--seed", "7", "--out", out];
    args.extend(SHORT);
    let o = run(&args);
    assert!(
        stdout(&o).contains("±"),
        "mean ± std per run: {}",
        stdout(&o)
    );
    let dir = tmp.path().join("spirals3d");
    let metrics = json(&dir.join("metrics.json"));
    assert_eq!(metrics["seeds"], serde_json::json!([7, 8, 9]));
    for seed in [7, 8, 9] {
        let one = json(&dir.join(format!("seed-{seed}/metrics.json")));
        assert_eq!(one["seed"], seed, "each seed is an ordinary results folder");
    }
    for (name, run) in metrics["runs"].as_object().unwrap() {
        let per_seed = run["per_seed"].as_array().unwrap();
        assert_eq!(per_seed.len(), 3, "{name}");
        let values: Vec<f64> = per_seed
            .iter()
            .map(|r| r["test_accuracy"].as_f64().unwrap())
            .collect();
        let mean = values.iter().sum::<f64>() / 3.0;
        assert!(
            (run["test_accuracy"].as_f64().unwrap() - mean).abs() < 1e-12,
            "{name}: the mean"
        );
        let min = values.iter().copied().fold(f64::INFINITY, f64::min);
        assert_eq!(run["test_accuracy_min"].as_f64().unwrap(), min, "{name}");
        let ci = run["test_accuracy_ci95"].as_array().unwrap();
        let (lo, hi) = (ci[0].as_f64().unwrap(), ci[1].as_f64().unwrap());
        assert!(
            lo <= mean + 1e-12 && mean <= hi + 1e-12 && lo >= min - 1e-12,
            "{name}: {ci:?}"
        );
        assert!(run["final_loss_std"].as_f64().unwrap() >= 0.0);
        // Each seed's own metrics agree with the per-seed rows.
        for (row, seed) in per_seed.iter().zip([7, 8, 9]) {
            let one = json(&dir.join(format!("seed-{seed}/metrics.json")));
            assert_eq!(row["test_accuracy"], one["runs"][name]["test_accuracy"]);
        }
    }
    let answers = metrics["seed_answers"].as_array().unwrap();
    assert!(!answers.is_empty());
    for answer in answers {
        let (holds, differs) = (
            answer["holds"].as_array().unwrap(),
            answer["differs"].as_array().unwrap(),
        );
        assert_eq!(holds.len() + differs.len(), 3);
    }
    let report = std::fs::read_to_string(dir.join("report.md")).unwrap();
    assert!(
        report.contains("of 3 seeds"),
        "every answer says how many seeds support it"
    );
    assert!(report.contains("## Across seeds") && report.contains("95% interval"));
    assert!(dir.join("seeds.png").is_file() && dir.join("seeds.svg").is_file());
    // The combined result reruns from its own metrics.json, with its seeds.
    let again = tmp.path().join("again");
    run(&[
        "spirals3d",
        "--config",
        dir.join("metrics.json").to_str().unwrap(),
        "--backend",
        "flex",
        "--out",
        again.to_str().unwrap(),
    ]);
    let rerun = json(&again.join("spirals3d/metrics.json"));
    assert_eq!(rerun["seeds"], metrics["seeds"]);
    assert_eq!(
        rerun["runs"]["DeepReLUModel"]["per_seed"],
        metrics["runs"]["DeepReLUModel"]["per_seed"]
    );
    // The report is a function of the results: a rebuild gives the same bytes.
    std::fs::remove_file(dir.join("report.md")).unwrap();
    run(&["report", out]);
    assert_eq!(
        std::fs::read_to_string(dir.join("report.md")).unwrap(),
        report
    );
}

#[test]
fn a_sweep_runs_every_point_and_resumes() {
    let tmp = TempDir::new("sweep-two");
    let out = tmp.path().to_str().unwrap();
    let sweep_args = [
        "sweep",
        "spirals3d",
        "--set",
        "data.noise=0.05,0.2",
        "--set",
        "epochs=60",
        "--profile",
        "quick",
        "--backend",
        "flex",
        "--out",
        out,
    ];
    let o = run(&sweep_args);
    assert!(stdout(&o).contains("2 point(s)"));
    let dir = tmp.path().join("sweep-spirals3d");
    let sweep = json(&dir.join("sweep.json"));
    let points = sweep["points"].as_array().unwrap();
    assert_eq!(points.len(), 2);
    for (point, noise) in points.iter().zip([0.05, 0.2]) {
        assert_eq!(point["settings"]["data.noise"], noise);
        assert_eq!(point["settings"]["epochs"], 60);
        let folder = dir.join(point["dir"].as_str().unwrap());
        let metrics = json(&folder.join("metrics.json"));
        assert_eq!(
            metrics["config"]["data"]["noise"], noise,
            "an ordinary results folder"
        );
        assert_eq!(
            point["runs"]["DeepReLUModel"]["test_accuracy"],
            metrics["runs"]["DeepReLUModel"]["test_accuracy"]
        );
    }
    assert!(dir.join("index.html").is_file() && dir.join("sweep.png").is_file());
    let html = std::fs::read_to_string(dir.join("index.html")).unwrap();
    assert!(
        html.contains(r#"<script src="sweep.view.js" data-figure="sweep.png"></script>"#)
            && html.contains("window.unfoldView"),
        "the page redraws its figures"
    );
    // Legends name the points by the key that varies; `epochs`, one value, says nothing.
    let curves = std::fs::read_to_string(dir.join("sweep_curves.view.js")).unwrap();
    assert!(
        curves.contains(r#""label":"data.noise=0.2""#) && !curves.contains("epochs=60"),
        "{curves}"
    );
    let before = std::fs::read(
        dir.join(points[0]["dir"].as_str().unwrap())
            .join("metrics.json"),
    )
    .unwrap();
    let o = run(&[&sweep_args[..], &["--resume"]].concat());
    assert!(
        stderr(&o).contains("2 of 2 points already finished"),
        "{}",
        stderr(&o)
    );
    let after = std::fs::read(
        dir.join(points[0]["dir"].as_str().unwrap())
            .join("metrics.json"),
    )
    .unwrap();
    assert_eq!(before, after, "a finished point is reused, not run again");
    // `unfold report` rebuilds the sweep's page and its points' reports from the results.
    let page = std::fs::read_to_string(dir.join("index.html")).unwrap();
    let point_report = dir
        .join(points[0]["dir"].as_str().unwrap())
        .join("report.md");
    std::fs::remove_file(dir.join("index.html")).unwrap();
    std::fs::remove_file(&point_report).unwrap();
    let o = run(&["report", out]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(dir.join("index.html")).unwrap(),
        page
    );
    assert!(point_report.is_file());
}

#[test]
fn compare_puts_two_runs_side_by_side_and_flags_differences() {
    let tmp = TempDir::new("compare-two");
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    for (dir, seed) in [(&a, "1"), (&b, "2")] {
        let mut args = vec!["spirals3d", "--seed", seed, "--out", dir.to_str().unwrap()];
        args.extend(SHORT);
        run(&args);
    }
    let page = tmp.path().join("page");
    let o = run(&[
        "compare",
        a.to_str().unwrap(),
        b.join("spirals3d").to_str().unwrap(),
        "--out",
        page.to_str().unwrap(),
        "--tolerance",
        "0",
    ]);
    let text = stdout(&o);
    assert!(
        text.contains("seed") && text.contains("DeepReLUModel") && text.contains("B−A"),
        "{text}"
    );
    assert!(
        text.contains("Only the seed differs"),
        "chance, not a setting: {text}"
    );
    assert!(
        text.contains("DIFFERS"),
        "another seed differs beyond a zero tolerance: {text}"
    );
    let html = std::fs::read_to_string(page.join("index.html")).unwrap();
    assert!(
        html.contains("<table>") && html.contains("spirals3d/A/"),
        "figures side by side"
    );
    // The same folder twice: nothing differs.
    let o = run(&[
        "compare",
        a.to_str().unwrap(),
        a.to_str().unwrap(),
        "--out",
        page.to_str().unwrap(),
    ]);
    assert!(stdout(&o).contains("no metric differs"), "{}", stdout(&o));
    assert!(
        stdout(&o).lines().any(|l| l.ends_with(" same")) && !stdout(&o).contains("e0"),
        "equal values read as equal: {}",
        stdout(&o)
    );
}

#[test]
fn bad_seeds_sweeps_and_comparisons_are_one_line_errors_and_write_nothing() {
    let tmp = TempDir::new("seeds-bad");
    let out = tmp.path().join("out");
    let o_ = out.to_str().unwrap();
    let other = tmp.path().join("other");
    std::fs::create_dir_all(other.join("xor")).unwrap();
    std::fs::write(
        other.join("xor/metrics.json"),
        r#"{"experiment":"xor","status":"ok","backend":"flex","device":"cpu","profile":"quick","seed":1,"wall_seconds":1.0,"manifest":{"unfold_version":"0","git_commit":null,"started":"","finished":"","command":""},"config":{},"runs":{},"figures":[]}"#,
    )
    .unwrap();
    let spirals = tmp.path().join("spirals");
    std::fs::create_dir_all(spirals.join("spirals3d")).unwrap();
    std::fs::write(
        spirals.join("spirals3d/metrics.json"),
        std::fs::read_to_string(other.join("xor/metrics.json"))
            .unwrap()
            .replace("\"xor\"", "\"spirals3d\""),
    )
    .unwrap();
    let empty = tmp.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    // A sweep's points all hold the same experiment: which to compare is not compare's guess.
    let swept = tmp.path().join("sweep-spirals3d");
    for point in ["epochs=10", "epochs=20"] {
        std::fs::create_dir_all(swept.join(point)).unwrap();
        std::fs::copy(
            spirals.join("spirals3d/metrics.json"),
            swept.join(point).join("metrics.json"),
        )
        .unwrap();
    }
    std::fs::write(swept.join("sweep.json"), "{}").unwrap();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["spirals3d", "--seeds", "0", "--out", o_],
            "at least one seed",
        ),
        (
            vec!["spirals3d", "--seeds", "4,5,4", "--out", o_],
            "given twice",
        ),
        (
            vec!["reproduce-all", "--seeds", "x", "--out", o_],
            "not a whole number",
        ),
        (
            vec!["sweep", "spirals3d", "--set", "nosuch=1,2", "--out", o_],
            "unknown setting 'nosuch'",
        ),
        (
            vec!["sweep", "spirals3d", "--set", "epochs=", "--out", o_],
            "empty value",
        ),
        (
            vec!["sweep", "spirals3d", "--set", "epochs=0,10", "--out", o_],
            "epochs",
        ),
        (
            vec![
                "compare",
                other.to_str().unwrap(),
                spirals.to_str().unwrap(),
                "--out",
                o_,
            ],
            "same experiment",
        ),
        (
            vec![
                "compare",
                empty.to_str().unwrap(),
                spirals.to_str().unwrap(),
                "--out",
                o_,
            ],
            "holds no results",
        ),
        (
            vec![
                "compare",
                swept.to_str().unwrap(),
                spirals.to_str().unwrap(),
                "--out",
                o_,
            ],
            "is a sweep of spirals3d",
        ),
    ];
    for (args, expected) in cases {
        let o = unfold(&args);
        let err = stderr(&o);
        assert!(!o.status.success(), "{args:?} succeeded");
        assert!(err.contains(expected), "{args:?}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "{args:?}: one line: {err}");
        assert!(!out.exists(), "{args:?} wrote {}", out.display());
    }
}
