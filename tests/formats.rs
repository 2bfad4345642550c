//! What unfold writes for other programs and for later: the `schema_version` of its JSON files
//! (and the clear error for a newer one), the build's git commit, shell completion scripts,
//! and `--quiet`.

mod common;

use std::path::Path;

use common::{TempDir, stderr, stdout, unfold};

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn set_schema(path: &Path, version: u64) {
    let mut value = json(path);
    value["schema_version"] = version.into();
    std::fs::write(path, serde_json::to_string_pretty(&value).unwrap()).unwrap();
}

/// The failure is one line naming the file, its version and what to do.
fn assert_newer_schema_refused(o: &std::process::Output, file: &Path) {
    assert!(!o.status.success(), "{}", stdout(o));
    let err = stderr(o);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains(&file.display().to_string()), "{err}");
    assert!(
        err.contains("schema_version 99, written by a newer unfold"),
        "{err}"
    );
    assert!(err.contains("upgrade unfold"), "{err}");
}

#[test]
fn results_carry_their_schema_and_commit_and_newer_ones_are_refused() {
    let tmp = TempDir::new("formats-schema");
    let out = tmp.path().join("results");
    let o = unfold(&[
        "reproduce-all",
        "--quiet",
        "--only",
        "spirals3d",
        "--profile",
        "quick",
        "--backend",
        "flex",
        "--set",
        "spirals3d.epochs=5",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    // --quiet: no progress, no summaries; success says nothing.
    assert_eq!(stdout(&o), "", "quiet stdout");
    assert_eq!(stderr(&o), "", "quiet stderr");

    let metrics_path = out.join("spirals3d/metrics.json");
    let manifest_path = out.join("manifest.json");
    let metrics = json(&metrics_path);
    let manifest = json(&manifest_path);
    assert_eq!(metrics["schema_version"], 1);
    assert_eq!(manifest["schema_version"], 1);

    // The commit is the one the binary was built from, recorded at build time.
    let head = std::process::Command::new("git")
        .args(["rev-parse", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    if let Some(head) = head
        && std::env::var_os("UNFOLD_GIT_COMMIT").is_none()
    {
        assert_eq!(manifest["git_commit"], head.as_str());
        assert_eq!(metrics["manifest"]["git_commit"], head.as_str());
    }

    let o = unfold(&["report", "--quiet", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));

    // A metrics.json from a newer unfold: `report` and `--config` both refuse it.
    set_schema(&metrics_path, 99);
    assert_newer_schema_refused(&unfold(&["report", out.to_str().unwrap()]), &metrics_path);
    let o = unfold(&[
        "spirals3d",
        "--config",
        metrics_path.to_str().unwrap(),
        "--out",
        tmp.path().join("again").to_str().unwrap(),
    ]);
    assert_newer_schema_refused(&o, &metrics_path);
    assert!(!tmp.path().join("again").exists(), "nothing written");

    // A manifest from a newer unfold.
    set_schema(&metrics_path, 1);
    set_schema(&manifest_path, 99);
    assert_newer_schema_refused(&unfold(&["report", out.to_str().unwrap()]), &manifest_path);
}

#[test]
fn completions_are_printed_for_each_shell() {
    for (shell, marker) in [
        ("bash", "_unfold()"),
        ("zsh", "#compdef unfold"),
        ("fish", "complete -c unfold"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let o = unfold(&["completions", shell]);
        assert!(o.status.success(), "{shell}: {}", stderr(&o));
        let script = stdout(&o);
        assert!(script.contains(marker), "{shell}: {script}");
        // The experiment subcommands and the tools are both completed.
        for word in ["spirals3d", "reproduce-all", "data-dir"] {
            assert!(script.contains(word), "{shell} lacks {word}");
        }
    }
    let o = unfold(&["completions", "tcsh"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stderr(&o).trim_end().lines().count(), 1, "{}", stderr(&o));
}

#[test]
fn data_dir_shows_its_environment_variable_in_help() {
    for args in [&["spirals3d", "--help"][..], &["data", "fetch", "--help"]] {
        let o = unfold(args);
        assert!(o.status.success());
        assert!(stdout(&o).contains("[env: UNFOLD_DATA"), "{}", stdout(&o));
    }
}

#[test]
fn an_empty_data_variable_means_unset() {
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_unfold"))
        .args(["data", "where", "mnist"])
        .env("UNFOLD_DATA", "")
        .output()
        .unwrap();
    assert_ne!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stdout(&o).contains("(./data)"), "{}", stdout(&o));
}

#[test]
fn quiet_and_verbose_exclude_each_other() {
    let o = unfold(&["list", "-q", "-v"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("cannot be used with"), "{}", stderr(&o));
}
