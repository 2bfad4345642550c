//! The command line's contract: listing, info, and clear one-line errors (never a panic) for
//! bad input.

mod common;

use std::path::PathBuf;
use std::process::{Command, Output};

use common::{stderr, stdout, unfold};

fn assert_clean_failure(o: &Output) {
    assert!(!o.status.success(), "expected failure: {}", stdout(o));
    let err = stderr(o);
    assert!(
        !err.contains("panicked"),
        "panic instead of an error: {err}"
    );
    assert!(
        !err.contains("RUST_BACKTRACE"),
        "panic instead of an error: {err}"
    );
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("unfold-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn list_names_every_experiment_with_its_notebook() {
    let o = unfold(&["list"]);
    assert!(o.status.success());
    let out = stdout(&o);
    assert!(out.contains("spirals3d"), "{out}");
    assert!(out.contains("000-spirals3d-unfolding"), "{out}");
}

/// `unfold … | head` : the reader leaving early ends unfold silently, as any Unix tool,
/// not with a panic and a backtrace.
#[cfg(unix)]
#[test]
fn a_reader_that_leaves_early_ends_it_quietly() {
    use std::os::unix::process::ExitStatusExt;
    use std::process::Stdio;
    // More than a pipe holds (64 KiB), so the write meets the closed pipe whatever the timing.
    let mut child = Command::new(env!("CARGO_BIN_EXE_unfold"))
        .args(["completions", "powershell"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let o = child.wait_with_output().unwrap();
    assert!(o.stderr.is_empty(), "{}", stderr(&o));
    assert_eq!(
        o.status.signal(),
        Some(13),
        "ended by SIGPIPE: {:?}",
        o.status
    );
}

#[test]
fn info_lists_compiled_backends() {
    let o = unfold(&["info"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("compiled backends:"), "{out}");
    assert!(out.contains("ndarray"), "{out}");
    assert!(out.contains("device 0"), "{out}");
}

#[test]
fn threads_sets_the_cpu_backends_pool() {
    let o = unfold(&["info", "--threads", "3"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("ndarray on the host CPU (3 threads)"), "{out}");
    let from_env = Command::new(env!("CARGO_BIN_EXE_unfold"))
        .arg("info")
        .env("UNFOLD_THREADS", "1")
        .output()
        .unwrap();
    assert!(
        stdout(&from_env).contains("on the host CPU (1 thread)"),
        "{}",
        stdout(&from_env)
    );
    let zero = unfold(&["info", "--threads", "0"]);
    assert_clean_failure(&zero);
    assert!(stderr(&zero).contains("--threads"), "{}", stderr(&zero));
}

#[test]
fn unknown_backend_suggests_the_closest_name() {
    let o = unfold(&[
        "spirals3d",
        "--backend",
        "wpgu",
        "--out",
        "/nonexistent-unused",
    ]);
    assert_clean_failure(&o);
    let err = stderr(&o);
    assert!(err.contains("unknown backend 'wpgu'"), "{err}");
    assert!(err.contains("did you mean 'wgpu'"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
}

#[test]
fn backend_not_compiled_in_says_how_to_get_it() {
    if cfg!(feature = "cuda") {
        return;
    }
    let o = unfold(&["spirals3d", "--backend", "cuda"]);
    assert_clean_failure(&o);
    let err = stderr(&o);
    assert!(err.contains("not compiled"), "{err}");
    assert!(err.contains("--features cuda"), "{err}");
}

#[test]
fn unknown_experiment_and_bad_profile_are_usage_errors() {
    let o = unfold(&["spirals4d"]);
    assert_clean_failure(&o);
    assert!(stderr(&o).contains("spirals3d"), "{}", stderr(&o));
    let o = unfold(&["spirals3d", "--profile", "fast"]);
    assert_clean_failure(&o);
    assert!(
        stderr(&o).contains("unknown profile 'fast'"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("full, quick"), "{}", stderr(&o));
    assert_eq!(stderr(&o).trim().lines().count(), 1, "{}", stderr(&o));
    let o = unfold(&["reproduce-all", "--only", "spirals3", "--backend", "flex"]);
    assert_clean_failure(&o);
    assert!(
        stderr(&o).contains("did you mean 'spirals3d'"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn unwritable_output_fails_before_training() {
    let dir = scratch("unwritable");
    std::fs::write(&dir, b"a file, not a folder").unwrap();
    let out = dir.join("results");
    let o = unfold(&[
        "spirals3d",
        "--backend",
        "flex",
        "--profile",
        "quick",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_clean_failure(&o);
    let err = stderr(&o);
    assert!(err.contains("not writable"), "{err}");
    // Which file is in the way, and the operating system's words at most once, not once per
    // layer of the error.
    let line = err.lines().find(|l| l.starts_with("error:")).unwrap();
    assert!(line.contains("is a file, not a folder"), "{line}");
    assert!(line.matches("os error").count() <= 1, "{line}");
    std::fs::remove_file(&dir).unwrap();
}

#[test]
fn bench_quick_writes_json() {
    let out = scratch("bench");
    let json = out.join("bench.json");
    let o = unfold(&[
        "bench",
        "--threads",
        "1",
        "--backend",
        "flex",
        "--only",
        "W1,W2",
        "--repeats",
        "2",
        "--quick",
        "--json",
        json.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}\n{}", stdout(&o), stderr(&o));
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(report["schema_version"], 1, "the layout is versioned");
    assert_eq!(report["cpu_threads"], 1, "--threads is recorded");
    let results = report["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    assert_eq!(results[0]["id"], "W1");
    assert_eq!(results[0]["unit"], "steps/s");
    assert_eq!(results[0]["values"].as_array().unwrap().len(), 2);
    assert!(results[1]["median"].as_f64().unwrap() > 0.0);
    let bad = unfold(&["bench", "--only", "W9"]);
    assert_clean_failure(&bad);
    assert!(
        stderr(&bad).contains("unknown workload 'W9'"),
        "{}",
        stderr(&bad)
    );
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn auto_backend_puts_small_models_on_the_cpu_and_says_why() {
    let out = scratch("auto");
    let o = unfold(&[
        "reproduce-all",
        "--profile",
        "quick",
        "--only",
        "spirals3d",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}\n{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("auto → "), "{}", stdout(&o));
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(
        manifest["backend"], "auto",
        "auto is reproduce-all's default"
    );
    let entry = &manifest["experiments"][0];
    assert!(
        entry["backend"] == "flex" || entry["backend"] == "ndarray",
        "{entry}"
    );
    assert!(
        entry["backend_reason"]
            .as_str()
            .unwrap()
            .contains("launch-bound"),
        "{entry}"
    );
    let o = unfold(&[
        "spirals3d",
        "--backend",
        "auto",
        "--profile",
        "quick",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("auto chose"), "{}", stderr(&o));
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn cache_clear_never_empties_a_folder_of_the_users() {
    let home = scratch("cache-home");
    std::fs::create_dir_all(home.join("Documents")).unwrap();
    std::fs::write(home.join("grades.csv"), "alice,20\n").unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_unfold"))
        .args(["cache", "clear"])
        .env("UNFOLD_KERNEL_CACHE", &home)
        .output()
        .unwrap();
    assert_clean_failure(&o);
    assert!(stderr(&o).contains("nothing was removed"), "{}", stderr(&o));
    assert!(home.join("grades.csv").is_file() && home.join("Documents").is_dir());
    // The cache's own folder is emptied.
    let cache = scratch("cache-own");
    std::fs::create_dir_all(&cache).unwrap();
    std::fs::write(cache.join("default.db"), [0u8; 64]).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_unfold"))
        .args(["cache", "clear"])
        .env("UNFOLD_KERNEL_CACHE", &cache)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!cache.join("default.db").exists());
    let _ = std::fs::remove_dir_all(&home);
    let _ = std::fs::remove_dir_all(&cache);
}
