//! Hostile or clumsy input, and faults (issue 23), one test (or a few) per class: secrets never
//! written or shown, deadlines on connecting to a server, bounded reads of user-given files,
//! decompression bombs, thread limits, checkpoints that are checked and read back exactly, and
//! results folders replaced whole under a lock. Everything runs on the quick profile with tiny
//! files and local 127.0.0.1 sockets only.

mod common;

#[path = "../fuzz/harness/settings.rs"]
mod settings_harness;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use common::{TempDir, stderr, stdout};

const BIN: &str = env!("CARGO_BIN_EXE_unfold");

/// `unfold ARGS` with none of the environment that would change what it does.
fn unfold(args: &[&str]) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .env_remove("UNFOLD_REMOTE")
        .env_remove("UNFOLD_REMOTE_TOKEN")
        .env_remove("UNFOLD_REMOTE_TIMEOUT")
        .env_remove("UNFOLD_THREADS");
    cmd
}

fn run(mut cmd: Command) -> Output {
    cmd.output().expect("the unfold binary runs")
}

fn all_output(o: &Output) -> String {
    format!("{}{}", stdout(o), stderr(o))
}

/// The error of a command that must fail with one line (the last on stderr, after any status
/// lines), naming `names`.
fn one_line_failure(o: &Output, names: &str) -> String {
    let all = stderr(o);
    assert!(!o.status.success(), "it succeeded: {}", all_output(o));
    let errors = all.lines().filter(|l| l.starts_with("error")).count();
    assert_eq!(errors, 1, "not one error line:\n{all}");
    let err = all
        .trim_end()
        .lines()
        .last()
        .unwrap_or_default()
        .to_string();
    assert!(err.starts_with("error"), "the error is not last:\n{all}");
    assert!(
        err.contains(names),
        "the error does not name {names}:\n{all}"
    );
    err
}

/// Every file under `dir`, recursively.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(files_under(&path));
        } else {
            files.push(path);
        }
    }
    files
}

fn metrics(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("metrics.json")).unwrap()).unwrap()
}

// 1. Secrets.

#[test]
fn secrets_never_reach_the_results_or_the_terminal() {
    let tmp = TempDir::new("hostile-secrets");
    let out = tmp.path().join("out");
    let out_arg = out.to_str().unwrap();
    let mut seen = String::new();
    for (token, recorded) in [
        (
            ["--token", "tok-spaced-4f1c"].as_slice(),
            "--token [redacted]",
        ),
        (["--token=tok-joined-9a2e"].as_slice(), "--token=[redacted]"),
    ] {
        let mut args = vec!["spirals3d", "--profile", "quick", "--backend", "flex"];
        args.extend(token);
        args.extend(["--out", out_arg]);
        let o = run(unfold(&args));
        assert!(o.status.success(), "{}", all_output(&o));
        let command = metrics(&out.join("spirals3d"))["manifest"]["command"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(command.contains(recorded), "{command}");
        seen.push_str(&all_output(&o));
        for file in files_under(&out) {
            seen.push_str(&String::from_utf8_lossy(&std::fs::read(file).unwrap()));
        }
    }
    let secrets = [
        "tok-spaced-4f1c",
        "tok-joined-9a2e",
        "pw-in-url-77",
        "env-tok-31337",
    ];

    // Credentials inside a URL, and the environment's token, in an error message.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let remote = format!("ws://alice:pw-in-url-77@127.0.0.1:{port}");
    let mut cmd = unfold(&[
        "xor",
        "--profile",
        "quick",
        "--remote",
        &remote,
        "--remote-timeout",
        "1",
        "--out",
        out_arg,
    ]);
    cmd.env("UNFOLD_REMOTE_TOKEN", "env-tok-31337");
    let o = run(cmd);
    let err = one_line_failure(&o, &format!("127.0.0.1:{port}"));
    assert!(err.contains("[redacted]@127.0.0.1"), "{err}");
    seen.push_str(&all_output(&o));
    for secret in secrets {
        assert!(!seen.contains(secret), "{secret} leaked:\n{seen}");
    }
}

// 2. Deadlines.

#[test]
fn a_server_that_accepts_and_never_answers_is_an_error_within_the_deadline() {
    let tmp = TempDir::new("hostile-silent");
    // The OS accepts connections into the backlog; nobody ever answers them.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = format!("127.0.0.1:{}", silent.local_addr().unwrap().port());
    for (flag, env) in [(Some("1.5"), None), (None, Some("1.5"))] {
        let mut args = vec!["spirals3d", "--profile", "quick", "--remote", &address];
        if let Some(secs) = flag {
            args.extend(["--remote-timeout", secs]);
        }
        let mut cmd = unfold(&args);
        cmd.arg("--out").arg(tmp.path());
        if let Some(secs) = env {
            cmd.env("UNFOLD_REMOTE_TIMEOUT", secs);
        }
        let started = Instant::now();
        let o = run(cmd);
        assert!(started.elapsed() < Duration::from_secs(60), "it waited");
        let err = one_line_failure(&o, &format!("ws://{address}"));
        assert!(err.contains("no answer within 1.5 s"), "{err}");
        assert!(err.contains("--remote-timeout"), "{err}");
    }
    let o = run(unfold(&[
        "spirals3d",
        "--remote-timeout",
        "0",
        "--remote",
        &address,
    ]));
    one_line_failure(&o, "seconds");
    drop(silent);
}

/// A deadline shorter than the training: it bounds connecting only, so the run finishes.
#[cfg(feature = "remote")]
#[test]
fn a_short_deadline_never_cuts_off_a_working_server() {
    use std::io::{BufRead, BufReader};
    let tmp = TempDir::new("hostile-alive");
    let mut server = Command::new(BIN)
        .args(["serve", "--backend", "ndarray", "--bind", "127.0.0.1:0"])
        .env_remove("UNFOLD_REMOTE_TOKEN")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(server.stdout.take().unwrap()).lines();
    let url = loop {
        let line = lines.next().expect("the server listens").unwrap();
        if let Some(rest) = line.split("listening on ").nth(1) {
            break rest.trim().to_string();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    let started = Instant::now();
    let mut cmd = unfold(&[
        "xor",
        "--profile",
        "quick",
        "--remote",
        &url,
        "--remote-timeout",
        "0.5",
    ]);
    cmd.arg("--out").arg(tmp.path());
    let o = run(cmd);
    let _ = server.kill();
    let _ = server.wait();
    assert!(o.status.success(), "{}", all_output(&o));
    eprintln!(
        "remote xor took {:.1?} with a 0.5 s deadline",
        started.elapsed()
    );
}

// 3. Bounded reads.

#[cfg(unix)]
#[test]
fn user_given_files_must_be_regular_and_small() {
    let tmp = TempDir::new("hostile-reads");
    let fifo = tmp.path().join("fifo.toml");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let big = tmp.path().join("big.json");
    std::fs::write(&big, vec![b' '; (1 << 20) + 1]).unwrap();
    let fifo = fifo.to_str().unwrap();
    let dir = tmp.path().to_str().unwrap();
    let big = big.to_str().unwrap();
    for (args, names, why) in [
        (
            vec!["backprop", "--network", "/dev/zero"],
            "/dev/zero",
            "not a regular file",
        ),
        (vec!["backprop", "--network", fifo], fifo, "a FIFO"),
        (vec!["backprop", "--network", dir], dir, "a directory"),
        (
            vec!["backprop", "--network", big],
            big,
            "larger than the 1 MiB",
        ),
        (
            vec!["xor", "--config", "/dev/zero"],
            "/dev/zero",
            "a device",
        ),
        (vec!["config", "xor", "--config", fifo], fifo, "a FIFO"),
        (vec!["report", "/dev/zero"], "/dev/zero", ""),
    ] {
        let started = Instant::now();
        let o = run(unfold(&args));
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{args:?} waited"
        );
        let err = one_line_failure(&o, names);
        assert!(err.contains(why), "{args:?}: {err}");
    }
}

// 4. Decompression bombs.

/// A gzip member holding `data` in one stored block. Its trailer (CRC, length) is zeros: a
/// reader that gets that far has already read everything.
fn stored_gzip(data: &[u8]) -> Vec<u8> {
    let mut gz = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    let len = data.len() as u16;
    gz.push(1);
    gz.extend(len.to_le_bytes());
    gz.extend((!len).to_le_bytes());
    gz.extend(data);
    gz.extend([0; 8]);
    gz
}

/// A data folder whose MNIST training images claim 4,000,000,000 images of 28x28.
fn bomb_data(root: &Path) -> PathBuf {
    common::write_fixture(root, unfold::data::DatasetKind::Mnist, 20, 10);
    let mut header = vec![0, 0, 8, 3];
    header.extend(4_000_000_000u32.to_be_bytes());
    header.extend(28u32.to_be_bytes());
    header.extend(28u32.to_be_bytes());
    header.extend([0u8; 4096]);
    let bomb = root.join("mnist/train-images-idx3-ubyte.gz");
    std::fs::write(&bomb, stored_gzip(&header)).unwrap();
    bomb
}

#[test]
fn a_gzip_header_claiming_billions_of_images_is_refused_before_inflating() {
    let tmp = TempDir::new("hostile-bomb");
    let bomb = bomb_data(&tmp.path().join("data"));
    let mut cmd = unfold(&["mnist", "--profile", "quick", "--backend", "flex"]);
    cmd.arg("--data-dir")
        .arg(tmp.path().join("data"))
        .arg("--out")
        .arg(tmp.path().join("out"));
    let o = run(cmd);
    let err = one_line_failure(&o, bomb.to_str().unwrap());
    assert!(
        err.contains("4000000000 images") && err.contains("too large"),
        "{err}"
    );
}

// 5. Resource limits.

#[test]
fn absurd_thread_counts_are_refused_up_front() {
    for (flag, env) in [(Some("100000"), None), (None, Some("10000"))] {
        let mut args = vec![
            "spirals3d",
            "--profile",
            "quick",
            "--out",
            "/nonexistent/never",
        ];
        if let Some(n) = flag {
            args.extend(["--threads", n]);
        }
        let mut cmd = unfold(&args);
        if let Some(n) = env {
            cmd.env("UNFOLD_THREADS", n);
        }
        let started = Instant::now();
        let o = run(cmd);
        assert!(started.elapsed() < Duration::from_secs(20));
        let err = one_line_failure(&o, "--threads");
        assert!(err.contains("too many") && err.contains("logical"), "{err}");
    }
}

#[test]
fn settings_that_would_exhaust_memory_are_refused_before_anything_is_allocated() {
    let tmp = TempDir::new("hostile-sizes");
    for (experiment, setting, names) in [
        ("spirals3d", "hidden=[100000,100000]", "hidden"),
        (
            "spirals3d",
            "data.points_per_class=1000000000",
            "points_per_class",
        ),
        (
            "sandwich",
            "deep_hidden=[6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6]",
            "deep_hidden",
        ),
        ("building-blocks", "hidden=1000000000", "hidden"),
        (
            "building-blocks",
            "data.points_per_axis=1000000",
            "points_per_axis",
        ),
        ("xor", "seeds=1000000000", "seeds"),
    ] {
        let mut cmd = unfold(&[experiment, "--profile", "quick", "--set", setting]);
        cmd.arg("--out").arg(tmp.path());
        let started = Instant::now();
        let o = run(cmd);
        assert!(started.elapsed() < Duration::from_secs(20), "{setting}");
        let err = one_line_failure(&o, names);
        assert!(
            err.contains("expected at most") || err.contains("widths from"),
            "{err}"
        );
        assert!(files_under(tmp.path()).is_empty(), "{setting} wrote files");
    }
}

// 6 and 7. Resume.

/// `metrics.json` without what legitimately differs between two runs: timings, the manifest
/// (times, command line) and the count of resumed runs.
fn comparable(mut m: serde_json::Value) -> serde_json::Value {
    fn strip(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(map) => {
                for key in ["wall_seconds", "train_seconds", "manifest", "resumed_runs"] {
                    map.remove(key);
                }
                map.values_mut().for_each(strip);
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    strip(&mut m);
    m
}

fn xor_quick(out: &Path, resume: bool) -> Output {
    let mut cmd = unfold(&["xor", "--profile", "quick", "--backend", "flex"]);
    cmd.arg("--out").arg(out);
    if resume {
        cmd.arg("--resume");
    }
    run(cmd)
}

#[test]
fn a_resumed_study_matches_an_uninterrupted_one_and_bad_checkpoints_are_retrained() {
    let tmp = TempDir::new("hostile-resume");
    let out = tmp.path().join("out");
    let o = xor_quick(&out, false);
    assert!(o.status.success(), "{}", all_output(&o));
    let dir = out.join("xor");
    let whole = std::fs::read_to_string(dir.join("metrics.json")).unwrap();
    let runs = dir.join("runs");
    let mut checkpoints: Vec<PathBuf> = files_under(&runs);
    checkpoints.sort();
    assert!(checkpoints.len() >= 4, "{checkpoints:?}");

    // "Interrupted" in the first run: only the checkpoints saved so far are there, and one
    // dimension's are missing.
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() && path != runs {
            std::fs::remove_dir_all(&path).unwrap();
        } else if !path.is_dir() {
            std::fs::remove_file(&path).unwrap();
        }
    }
    for c in checkpoints
        .iter()
        .filter(|c| c.to_string_lossy().contains("/d3_"))
    {
        std::fs::remove_file(c).unwrap();
    }
    let o = xor_quick(&out, true);
    assert!(o.status.success(), "{}", all_output(&o));
    assert!(
        stdout(&o).contains("resumed from an earlier run"),
        "{}",
        stdout(&o)
    );
    let resumed = std::fs::read_to_string(dir.join("metrics.json")).unwrap();
    let parse = |t: &str| comparable(serde_json::from_str(t).unwrap());
    assert_eq!(parse(&resumed), parse(&whole), "the resumed study differs");

    // Hand-edited, from another version, or not JSON at all: each is trained again, with a
    // warning naming the file.
    let edit = |path: &Path, f: &dyn Fn(&str) -> String| {
        let text = std::fs::read_to_string(path).unwrap();
        std::fs::write(path, f(&text)).unwrap();
    };
    let d2: Vec<&PathBuf> = checkpoints
        .iter()
        .filter(|c| c.to_string_lossy().contains("/d2_"))
        .collect();
    edit(d2[0], &|t| {
        let mut v: serde_json::Value = serde_json::from_str(t).unwrap();
        v["metrics"]["train_accuracy"] = serde_json::json!(1.5);
        v.to_string()
    });
    edit(d2[1], &|t| {
        t.replace("\"schema_version\": 2", "\"schema_version\": 99")
    });
    std::fs::write(checkpoints.last().unwrap(), "{ not json").unwrap();
    let o = xor_quick(&out, true);
    assert!(o.status.success(), "{}", all_output(&o));
    let err = stderr(&o);
    for (file, why) in [
        (d2[0], "checksum"),
        (d2[1], "schema_version 99"),
        (checkpoints.last().unwrap(), "not valid JSON"),
    ] {
        let line = err
            .lines()
            .find(|l| l.contains(file.to_str().unwrap()))
            .unwrap_or_else(|| panic!("no warning for {}:\n{err}", file.display()));
        assert!(line.contains("warning") && line.contains(why), "{line}");
    }
    let again = std::fs::read_to_string(dir.join("metrics.json")).unwrap();
    assert_eq!(parse(&again), parse(&whole), "retrained runs differ");
}

// 8. Whole results.

#[test]
fn a_successful_run_replaces_the_folder_whole() {
    let tmp = TempDir::new("hostile-whole");
    let out = tmp.path().join("out");
    let dir = out.join("spirals3d");
    std::fs::create_dir_all(&dir).unwrap();
    // An older run's results, naming a figure this version no longer draws.
    std::fs::write(
        dir.join("metrics.json"),
        br#"{"figures": ["stale_figure.png"]}"#,
    )
    .unwrap();
    std::fs::write(dir.join("stale_figure.png"), b"from an older run").unwrap();
    let spirals = |out: &Path| {
        let mut cmd = unfold(&["spirals3d", "--profile", "quick", "--backend", "flex"]);
        cmd.arg("--out").arg(out);
        run(cmd)
    };
    let o = spirals(&out);
    assert!(o.status.success(), "{}", all_output(&o));
    assert!(!dir.join("stale_figure.png").exists());
    assert!(dir.join("metrics.json").is_file() && dir.join("report.md").is_file());
    let leftovers: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("staging") || n.contains(".old-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // Nor is a results folder where the user put a file of their own.
    std::fs::write(dir.join("lesson-notes.md"), b"the user's").unwrap();
    let o = spirals(&out);
    one_line_failure(&o, "lesson-notes.md");
    assert!(dir.join("lesson-notes.md").is_file() && dir.join("report.md").is_file());
    std::fs::remove_file(dir.join("lesson-notes.md")).unwrap();

    // A folder of that name that unfold did not write is never replaced.
    let mine = tmp.path().join("mine");
    std::fs::create_dir_all(mine.join("spirals3d")).unwrap();
    std::fs::write(mine.join("spirals3d/notes.txt"), b"the user's").unwrap();
    let o = spirals(&mine);
    one_line_failure(&o, "notes.txt");
    assert_eq!(
        std::fs::read(mine.join("spirals3d/notes.txt")).unwrap(),
        b"the user's"
    );
}

#[test]
fn a_failed_run_leaves_the_earlier_results_untouched() {
    let tmp = TempDir::new("hostile-failed");
    let out = tmp.path().join("out");
    let dir = out.join("mnist");
    std::fs::create_dir_all(&dir).unwrap();
    let earlier = [
        ("metrics.json", "{\"earlier\": true}\n"),
        ("report.md", "# earlier\n"),
        ("curves.png", "earlier figure"),
    ];
    for (name, text) in earlier {
        std::fs::write(dir.join(name), text).unwrap();
    }
    // The run fails after it started writing: its data is a decompression bomb.
    bomb_data(&tmp.path().join("data"));
    let mut cmd = unfold(&["mnist", "--profile", "quick", "--backend", "flex"]);
    cmd.arg("--data-dir")
        .arg(tmp.path().join("data"))
        .arg("--out")
        .arg(&out);
    let o = run(cmd);
    assert!(!o.status.success());
    for (name, text) in earlier {
        assert_eq!(
            std::fs::read_to_string(dir.join(name)).unwrap(),
            text,
            "{name}"
        );
    }
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "runs")
        .collect();
    names.sort();
    assert_eq!(names, ["curves.png", "metrics.json", "report.md"]);
    let staging: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("staging"))
        .collect();
    assert!(staging.is_empty(), "{staging:?}");
}

#[test]
fn a_second_process_on_the_same_folder_is_refused() {
    let tmp = TempDir::new("hostile-lock");
    let out = tmp.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    // This process plays the first one: it holds the experiment's lock.
    let lock = std::fs::File::create(out.join(".spirals3d.lock")).unwrap();
    lock.lock().unwrap();
    let mut cmd = unfold(&["spirals3d", "--profile", "quick", "--backend", "flex"]);
    cmd.arg("--out").arg(&out);
    let o = run(cmd);
    let err = one_line_failure(&o, "spirals3d");
    assert!(err.contains("another unfold process"), "{err}");
    assert!(!out.join("spirals3d/metrics.json").exists());
    lock.unlock().unwrap();
    let mut cmd = unfold(&["spirals3d", "--profile", "quick", "--backend", "flex"]);
    cmd.arg("--out").arg(&out);
    assert!(run(cmd).status.success());
}

#[test]
fn a_report_rebuild_is_refused_while_a_run_writes_the_folder() {
    let tmp = TempDir::new("hostile-report-lock");
    let out = tmp.path().join("out");
    let mut cmd = unfold(&["spirals3d", "--profile", "quick", "--backend", "flex"]);
    cmd.arg("--out").arg(&out);
    assert!(run(cmd).status.success());
    let report = out.join("spirals3d/report.md");
    std::fs::write(&report, "edited").unwrap();
    // This process plays a run writing the folder: `unfold report` must not rewrite it.
    let lock = std::fs::File::create(out.join(".spirals3d.lock")).unwrap();
    lock.lock().unwrap();
    let mut cmd = unfold(&["report"]);
    cmd.arg(&out);
    let err = one_line_failure(&run(cmd), "spirals3d");
    assert!(err.contains("another unfold process"), "{err}");
    assert!(err.contains("unfold report again"), "{err}");
    assert_eq!(std::fs::read_to_string(&report).unwrap(), "edited");
    lock.unlock().unwrap();
    let mut cmd = unfold(&["report"]);
    cmd.arg(&out);
    assert!(run(cmd).status.success());
    assert_ne!(std::fs::read_to_string(&report).unwrap(), "edited");
}

#[test]
fn a_run_of_several_seeds_killed_halfway_leaves_the_earlier_result_whole() {
    let tmp = TempDir::new("hostile-seeds-whole");
    let out = tmp.path().join("out");
    let seeds = |seed: &str| {
        let mut cmd = unfold(&["spirals3d", "--profile", "quick", "--backend", "flex"]);
        // One thread: the seeds run one after the other.
        cmd.args(["--seeds", "4", "--threads", "1", "--seed", seed])
            .arg("--out")
            .arg(&out);
        cmd
    };
    assert!(run(seeds("1")).status.success());
    let dir = out.join("spirals3d");
    let contents = || -> Vec<(PathBuf, Vec<u8>)> {
        files_under(&dir)
            .into_iter()
            .map(|p| (p.clone(), std::fs::read(p).unwrap()))
            .collect()
    };
    let before = contents();
    assert!(
        before
            .iter()
            .any(|(p, _)| p.ends_with("seed-1/metrics.json"))
    );
    // Another seed; killed once its first seed is done, while the others still train.
    let mut child = seeds("11")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let first_seed_done = || {
        std::fs::read_dir(&out)
            .unwrap()
            .flatten()
            .any(|e| e.path().join("spirals3d/seed-11/metrics.json").is_file())
    };
    let started = std::time::Instant::now();
    while !first_seed_done() && started.elapsed() < std::time::Duration::from_secs(120) {
        assert!(child.try_wait().unwrap().is_none(), "the run ended early");
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(first_seed_done(), "the first seed never finished");
    assert_eq!(contents(), before, "the earlier result changed");
    // The next run sweeps what the killed one left and replaces the folder whole.
    assert!(run(seeds("21")).status.success());
    let names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!names.iter().any(|n| n.contains("staging")), "{names:?}");
    let seeds_now: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("seed-"))
        .collect();
    let mut seeds_now = seeds_now;
    seeds_now.sort();
    assert_eq!(seeds_now, ["seed-21", "seed-22", "seed-23", "seed-24"]);
}

// The configuration parser (the `settings` fuzz target's oracle, on stable Rust).

#[test]
fn the_settings_parser_never_panics_on_malformed_input() {
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds/settings");
    let mut inputs: Vec<Vec<u8>> = files_under(&seeds)
        .into_iter()
        .map(|p| std::fs::read(p).unwrap())
        .collect();
    assert!(inputs.len() >= 3);
    // Random splices of pieces of settings files and assignments: a small fixed-seed fuzzer.
    let pieces: &[&str] = &[
        "epochs",
        "=",
        " ",
        "\n",
        "[",
        "]",
        "{",
        "}",
        "\"",
        "'",
        ".",
        ",",
        "0",
        "-1",
        "1e309",
        "nan",
        "inf",
        "0.5",
        "true",
        "hidden",
        "data.noise",
        "learning_rate",
        "xor",
        "sandwich",
        "[data]",
        "[[x]]",
        "\n---\n",
        "seed=",
        "null",
        "=[8,2]",
        "\\u0000",
        "é",
        "#",
        "\t",
        "18446744073709551616",
        "{ kind = \"sgd\" }",
        "mnist.optimizer",
        "1979-05-27",
    ];
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    };
    for _ in 0..1500 {
        let len = 1 + next(24);
        let text: String = (0..len).map(|_| pieces[next(pieces.len())]).collect();
        inputs.push(text.into_bytes());
    }
    inputs.push(vec![0xff, 0xfe, b'=', 0x00]);
    inputs.push(format!("a = {}1{}", "[".repeat(300), "]".repeat(300)).into_bytes());
    let mut runnable = 0;
    for input in &inputs {
        runnable += settings_harness::check(input).runnable;
    }
    assert!(runnable > 0, "no input was ever accepted");
}
