//! The GPU kit and the benchmark table (`benches/gpu/`, `benches/table.py`): the scripts a
//! GPU session runs with no chance to fix them there, checked here on the CPU backends.
//! They need `python3` (and bash); `.ci/run` installs it and sets `UNFOLD_REQUIRE_PYTHON=1`.

use std::path::Path;
use std::process::{Command, Output};

mod common;

use common::TempDir;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Whether `python3` runs here; panics when it must (`UNFOLD_REQUIRE_PYTHON=1`).
fn python_available() -> bool {
    let found = Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        if std::env::var("UNFOLD_REQUIRE_PYTHON").is_ok_and(|v| v == "1") {
            panic!("python3 must be available here");
        }
        eprintln!("skipping: no python3");
    }
    found
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn python(args: &[&str]) -> Output {
    Command::new("python3")
        .args(args)
        .current_dir(root())
        .output()
        .expect("run python3")
}

#[test]
fn table_joins_unfold_and_pytorch_reports_with_ratios() {
    if !python_available() {
        return;
    }
    let dir = TempDir::new("table");
    let ours = dir.path().join("unfold.json");
    let o = Command::new(env!("CARGO_BIN_EXE_unfold"))
        .args([
            "bench",
            "--threads",
            "1",
            "--backend",
            "flex",
            "--only",
            "W1,W2",
        ])
        .args([
            "--repeats",
            "1",
            "--quick",
            "--json",
            ours.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));

    // A PyTorch report with half of every median: each ratio must read 2.00×.
    let mut torch: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&ours).unwrap()).unwrap();
    for m in torch["results"].as_array_mut().unwrap() {
        let half = m["median"].as_f64().unwrap() / 2.0;
        m["backend"] = "pytorch-cpu".into();
        for key in ["median", "min", "max"] {
            m[key] = half.into();
        }
    }
    let theirs = dir.path().join("pytorch.json");
    std::fs::write(&theirs, serde_json::to_string(&torch).unwrap()).unwrap();

    let o = python(&[
        "benches/table.py",
        ours.to_str().unwrap(),
        theirs.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let table = String::from_utf8_lossy(&o.stdout);
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 4, "header, rule, W1, W2:\n{table}");
    assert!(
        lines[0].contains("| flex | pytorch-cpu | flex ÷ pytorch-cpu |"),
        "{table}"
    );
    for (line, id) in lines[2..].iter().zip(["W1", "W2"]) {
        assert!(line.starts_with(&format!("| {id} |")), "{table}");
        assert!(line.contains("| 2.00× | steps/s |"), "{table}");
    }

    let o = python(&["benches/table.py", "/nonexistent/bench.json"]);
    assert!(!o.status.success());
    assert!(
        text(&o).contains("cannot read /nonexistent/bench.json"),
        "{}",
        text(&o)
    );
}

#[test]
fn run_sh_check_phase_passes_on_the_cpu_and_check_py_catches_a_disagreement() {
    if !python_available() {
        return;
    }
    let dir = TempDir::new("gpu-kit");
    let (work, out) = (dir.path().join("work"), dir.path().join("out"));
    let o = Command::new("bash")
        .args(["benches/gpu/run.sh", "check"])
        .current_dir(root())
        .env("BACKEND", "flex")
        .env("UNFOLD_BIN", env!("CARGO_BIN_EXE_unfold"))
        .env("UNFOLD_THREADS", "1")
        .env("WORK", &work)
        .env("OUT", &out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let log = std::fs::read_to_string(out.join("check.log")).unwrap();
    assert!(
        log.contains("ok   xor: 12 runs on flex vs ndarray"),
        "{log}"
    );
    assert!(
        log.contains("ok   building-blocks on flex: 5 blocks"),
        "{log}"
    );
    let timings = std::fs::read_to_string(out.join("timings.txt")).unwrap();
    assert_eq!(timings.lines().count(), 4, "{timings}");
    assert!(
        std::fs::read_to_string(out.join("machine.txt"))
            .unwrap()
            .contains("flex")
    );

    // One run's final loss off by 0.1: check.py names it and fails.
    let (gpu, cpu) = (work.join("check/gpu"), work.join("check/cpu"));
    let path = gpu.join("xor/metrics.json");
    let mut metrics: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let loss = &mut metrics["runs"]["d2-h2-s0"]["final_loss"];
    *loss = (loss.as_f64().unwrap() + 0.1).into();
    std::fs::write(&path, serde_json::to_string(&metrics).unwrap()).unwrap();
    let o = python(&[
        "benches/gpu/check.py",
        "xor",
        gpu.to_str().unwrap(),
        cpu.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("FAIL xor d2-h2-s0: flex"), "{}", text(&o));
}
