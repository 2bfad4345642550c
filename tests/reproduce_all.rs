//! `unfold reproduce-all` end to end: a failed experiment (its dataset is missing) is reported
//! in one line while the others go on; the page loads in headless Chromium with no console
//! output and every image resolved; rerunning part of the folder keeps the rest on its page;
//! a single experiment writes the folder's page too, and never over a page unfold did not
//! write; the same seed gives the same metrics.
//!
//! The browser checks run when `chromium` is installed (`.ci/run` installs it and sets
//! `UNFOLD_REQUIRE_CHROMIUM=1`, which makes a missing browser a failure).

mod common;

use std::path::Path;
use std::process::Command;

use common::{TempDir, cpu_context};
use unfold::experiments::Profile;
use unfold::experiments::spirals3d::{Spirals3dConfig, run};

fn headless(browser: &str, page: &Path, extra: &[&str]) -> std::process::Output {
    let url = format!("file://{}", page.display());
    Command::new(browser)
        .args([
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--hide-scrollbars",
            "--virtual-time-budget=5000",
        ])
        .args(extra)
        .arg(&url)
        .output()
        .expect("run chromium")
}

/// `unfold <experiment>` leaves the results folder with a page, as `reproduce-all --only` would:
/// this run's experiment, and beside it what earlier runs of the same profile left there.
#[test]
fn a_single_experiment_writes_the_folders_page_beside_earlier_results() {
    let tmp = TempDir::new("single-page");
    let out = tmp.path().join("results");
    let run = |experiment: &str, profile: &str| {
        let output = Command::new(env!("CARGO_BIN_EXE_unfold"))
            .args([
                experiment,
                "--profile",
                profile,
                "--backend",
                "flex",
                "--out",
            ])
            .arg(&out)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        assert!(
            output.status.success(),
            "{stdout}{}",
            String::from_utf8_lossy(&output.stderr)
        );
        stdout
    };
    let listed = || {
        let text = std::fs::read_to_string(out.join("manifest.json")).unwrap();
        let manifest: serde_json::Value = serde_json::from_str(&text).unwrap();
        manifest["experiments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                let name = e["experiment"].as_str().unwrap().to_string();
                (name, e.get("earlier_run").is_some())
            })
            .collect::<Vec<_>>()
    };

    let stdout = run("xor", "quick");
    assert!(
        stdout.contains(&format!("page: {}", out.join("index.html").display())),
        "{stdout}"
    );
    assert_eq!(listed(), [("xor".to_string(), false)]);

    let stdout = run("spirals3d", "quick");
    assert!(
        stdout.contains("the page also lists the earlier results of xor"),
        "{stdout}"
    );
    assert_eq!(
        listed(),
        [("spirals3d".to_string(), false), ("xor".to_string(), true)]
    );
    let html = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(
        html.contains("1 more experiment from earlier runs"),
        "{html}"
    );
    assert!(html.contains("spirals3d/report.md") && html.contains("xor/report.md"));
    assert!(
        html.contains("<h1>unfold — reproduced: spirals3d, xor</h1>"),
        "{html}"
    );

    // Results of another profile are not mixed into the page; the line says why.
    let stdout = run("xor", "full");
    assert!(
        stdout.contains("earlier results of spirals3d not listed")
            && stdout.contains("quick profile"),
        "{stdout}"
    );
    assert_eq!(listed(), [("xor".to_string(), false)]);
}

/// A folder given to `--out` that holds a page of the user's own keeps it: a single run
/// writes its results and says why the page was not written; reproduce-all stops first.
#[test]
fn a_page_unfold_did_not_write_is_never_replaced() {
    let tmp = TempDir::new("own-page");
    let out = tmp.path().join("site");
    std::fs::create_dir_all(&out).unwrap();
    let own = "<!DOCTYPE html><title>my notes</title>";
    std::fs::write(out.join("index.html"), own).unwrap();
    let unfold = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_unfold"))
            .args(args)
            .args(["--profile", "quick", "--backend", "flex", "--out"])
            .arg(&out)
            .output()
            .unwrap()
    };

    let single = unfold(&["xor"]);
    let stderr = String::from_utf8_lossy(&single.stderr);
    assert!(single.status.success(), "{stderr}");
    assert!(out.join("xor/metrics.json").is_file());
    assert!(
        stderr.contains("the results are written, but not the folder's page")
            && stderr.contains("index.html was not written by unfold"),
        "{stderr}"
    );

    let all = unfold(&["reproduce-all", "--only", "building-blocks"]);
    let stderr = String::from_utf8_lossy(&all.stderr);
    assert!(!all.status.success());
    assert!(
        stderr.contains("index.html was not written by unfold")
            && stderr.lines().filter(|l| l.starts_with("error")).count() == 1,
        "{stderr}"
    );
    assert!(
        !out.join("building-blocks").exists(),
        "stopped before running"
    );
    assert_eq!(
        std::fs::read_to_string(out.join("index.html")).unwrap(),
        own
    );
    assert!(!out.join("manifest.json").exists());
}

#[test]
fn reproduce_all_reports_failures_in_one_line_and_the_page_loads_cleanly() {
    let tmp = TempDir::new("reproduce-all");
    let out = tmp.path().join("results");
    let empty = tmp.path().join("no-data");
    std::fs::create_dir_all(&empty).unwrap();
    let run = Command::new(env!("CARGO_BIN_EXE_unfold"))
        .args(["reproduce-all", "--profile", "quick", "--backend", "flex"])
        .args(["--only", "spirals3d,mnist", "--data-dir"])
        .arg(&empty)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(!run.status.success(), "a failed experiment fails the run");
    let failure = stdout
        .lines()
        .find(|l| l.contains("FAILED"))
        .unwrap_or_else(|| panic!("no failure line in:\n{stdout}"));
    assert!(
        failure.contains("dataset missing: MNIST was not found")
            && failure.contains("unfold data fetch mnist"),
        "{failure}"
    );
    assert!(stdout.contains("1 of 2 experiments succeeded"), "{stdout}");
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["experiments"][0]["status"], "ok");
    assert_eq!(manifest["experiments"][1]["status"], "failed");
    assert_eq!(manifest["backend"], "flex");

    // Rerunning part of the folder keeps the rest on its page, marked as earlier; the earlier
    // failure is listed but is not this run's.
    let rerun = Command::new(env!("CARGO_BIN_EXE_unfold"))
        .args(["reproduce-all", "--profile", "quick", "--backend", "flex"])
        .args(["--only", "spirals3d", "--data-dir"])
        .arg(&empty)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&rerun.stdout);
    assert!(rerun.status.success(), "{stdout}");
    assert!(stdout.contains("1 of 1 experiments succeeded"), "{stdout}");
    assert!(
        stdout.contains("the page also lists the earlier results of mnist"),
        "{stdout}"
    );
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    let listed = &manifest["experiments"];
    assert_eq!(listed[0]["experiment"], "spirals3d");
    assert!(listed[0].get("earlier_run").is_none());
    assert_eq!(listed[1]["experiment"], "mnist");
    assert_eq!(listed[1]["status"], "failed");
    assert!(listed[1]["earlier_run"].is_string(), "{listed}");

    let page = out.join("index.html").canonicalize().unwrap();
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(
        html.contains("1 more experiment from earlier runs"),
        "{html}"
    );
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "self-contained"
    );
    assert!(html.contains("At a glance"));

    let Some(browser) = common::chromium() else {
        return;
    };
    let dom = headless(
        browser,
        &page,
        &["--enable-logging=stderr", "--v=0", "--dump-dom"],
    );
    assert!(
        dom.status.success(),
        "{}",
        String::from_utf8_lossy(&dom.stderr)
    );
    let dom_text = String::from_utf8_lossy(&dom.stdout);
    assert!(
        dom_text.contains("data-broken-images=\"0\""),
        "images failed to load (or the check did not run)"
    );
    assert!(
        !dom_text.contains("data-images=\"0\""),
        "the page shows no figure"
    );
    let console: Vec<_> = String::from_utf8_lossy(&dom.stderr)
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(String::from)
        .collect();
    assert!(console.is_empty(), "console output: {console:?}");

    let shot = tmp.path().join("page.png");
    let shot_arg = format!("--screenshot={}", shot.display());
    let done = headless(browser, &page, &["--window-size=1280,1600", &shot_arg]);
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&shot).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut pixels).unwrap();
    assert_eq!((info.width, info.height), (1280, 1600));
    let bytes = &pixels[..info.buffer_size()];
    let channels = info.color_type.samples();
    let mut colors = std::collections::HashSet::new();
    for px in bytes.chunks(channels) {
        colors.insert(px[..3].to_vec());
    }
    assert!(
        colors.len() > 100,
        "the screenshot looks blank ({} colours)",
        colors.len()
    );

    // A figure moved away is shown as missing, and only that one.
    std::fs::remove_file(out.join("spirals3d/curves.png")).unwrap();
    let dom = headless(browser, &page, &["--dump-dom"]);
    let dom_text = String::from_utf8_lossy(&dom.stdout);
    assert!(
        dom_text.contains("data-broken-images=\"1\"")
            && dom_text.contains("Figure missing: spirals3d/curves.png"),
        "the missing figure is not reported"
    );
}

/// Removes what legitimately differs between two runs: times and durations.
fn without_timings(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            for key in ["wall_seconds", "train_seconds", "manifest"] {
                map.remove(key);
            }
            map.values_mut().for_each(without_timings);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(without_timings),
        _ => {}
    }
}

#[test]
fn the_same_seed_gives_identical_metrics_on_flex() {
    let metrics = |name: &str| {
        let tmp = TempDir::new(name);
        let ctx = cpu_context(tmp.path(), 42, None);
        run(&Spirals3dConfig::for_profile(Profile::Quick), &ctx).unwrap();
        let text = std::fs::read_to_string(tmp.path().join("spirals3d/metrics.json")).unwrap();
        let mut value: serde_json::Value = serde_json::from_str(&text).unwrap();
        without_timings(&mut value);
        value
    };
    let (a, b) = (metrics("determinism-a"), metrics("determinism-b"));
    assert!(a["runs"]["DeepReLUModel"]["final_loss"].is_number());
    assert_eq!(a, b);
}
