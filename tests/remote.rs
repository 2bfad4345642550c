//! `unfold serve` and `--backend remote`: a server process and client processes on 127.0.0.1.
#![cfg(feature = "remote")]

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{TempDir, read_metrics, saved_runs, write_fixture};
use unfold::data::DatasetKind;

const BIN: &str = env!("CARGO_BIN_EXE_unfold");

/// An `unfold serve` process on a free loopback port, killed on drop.
struct Server {
    child: Child,
    url: String,
}

impl Server {
    fn start(extra: &[&str]) -> Server {
        let mut child = Command::new(BIN)
            .args(["serve", "--backend", "ndarray", "--bind", "127.0.0.1:0"])
            .args(extra)
            .env_remove("UNFOLD_REMOTE_TOKEN")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start unfold serve");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let url = loop {
            let line = lines
                .next()
                .expect("the server exited before it listened")
                .unwrap();
            if let Some(rest) = line.split("listening on ").nth(1) {
                break rest.trim().to_string();
            }
        };
        // Keep draining its output so it never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Server { child, url }
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

fn unfold(args: &[&str], out: &Path) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .args(["--profile", "quick", "--out"])
        .arg(out)
        .env_remove("UNFOLD_REMOTE")
        .env_remove("UNFOLD_REMOTE_TOKEN");
    cmd
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn run_ok(mut cmd: impl std::borrow::BorrowMut<Command>) -> String {
    let output = cmd.borrow_mut().output().unwrap();
    let all = text(&output);
    assert!(output.status.success(), "{all}");
    all
}

/// The same experiment on a remote server and locally on the server's backend gives the same
/// numbers: XOR's weights and sampled examples come from host-side seeded generators, so the
/// only difference is where the tensor operations run.
#[test]
fn an_experiment_on_a_remote_server_matches_the_local_run() {
    let tmp = TempDir::new("remote-xor");
    let server = Server::start(&[]);
    let (remote_out, local_out) = (tmp.path().join("remote"), tmp.path().join("local"));
    run_ok(unfold(
        &["xor", "--backend", "remote", "--remote", &server.url],
        &remote_out,
    ));
    run_ok(unfold(&["xor", "--backend", "ndarray"], &local_out));
    let (remote, local) = (
        read_metrics(&remote_out, "xor"),
        read_metrics(&local_out, "xor"),
    );
    assert_eq!(remote["backend"], "remote");
    let runs = local["runs"].as_object().unwrap();
    assert!(runs.len() >= 10);
    for (name, run) in runs {
        let (l, r) = (
            run["final_loss"].as_f64().unwrap(),
            remote["runs"][name]["final_loss"].as_f64().unwrap(),
        );
        assert!(
            (l - r).abs() <= 1e-5 + 1e-4 * l.abs(),
            "{name}: local {l}, remote {r}"
        );
    }
}

/// With two servers, a study's independent runs go to both, and every run is in the results.
#[test]
fn a_study_spreads_over_two_servers() {
    let tmp = TempDir::new("remote-spread");
    let data = tmp.path().join("data");
    write_fixture(&data, DatasetKind::Mnist, 2000, 200);
    let (a, b) = (Server::start(&[]), Server::start(&[]));
    let out = tmp.path().join("results");
    let both = format!("{},{}", a.url, b.url);
    let log = run_ok(
        unfold(&["mnist", "--backend", "remote", "--remote", &both], &out)
            .arg("--data-dir")
            .arg(&data),
    );
    for server in [&a, &b] {
        assert!(
            log.contains(&format!("trained on {}", server.url)),
            "no run went to {}:\n{log}",
            server.url
        );
    }
    let m = read_metrics(&out, "mnist");
    assert!(m["runs"].as_object().unwrap().len() >= 10, "{m}");
}

/// A server that stops answering in the middle of a study (its process stopped, as a hung
/// server or machine would be, while the kernel still accepts connections for it): the client
/// ends soon after its deadline with an error naming the server, instead of waiting forever,
/// and the runs that finished are kept for `--resume`.
#[cfg(unix)]
#[test]
fn a_server_that_stops_answering_mid_study_is_an_error_after_the_deadline() {
    let tmp = TempDir::new("remote-stop");
    let data = tmp.path().join("data");
    write_fixture(&data, DatasetKind::Mnist, 2000, 200);
    let out = tmp.path().join("results");
    let server = Server::start(&[]);
    let pid = server.child.id().to_string();
    let signal = |name: &str| {
        // The shell's own `kill`: no procps needed on a bare machine.
        let status = Command::new("sh")
            .args(["-c", &format!("kill {name} {pid}")])
            .status()
            .unwrap();
        assert!(status.success(), "kill {name} {pid}");
    };
    let mut cmd = unfold(
        &[
            "mnist",
            "--backend",
            "remote",
            "--remote",
            &server.url,
            "--remote-timeout",
            "2",
        ],
        &out,
    );
    cmd.arg("--data-dir").arg(&data);
    let mut client = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let runs_dir = out.join("mnist/runs");
    let started = Instant::now();
    while saved_runs(&runs_dir) < 1 && started.elapsed() < Duration::from_secs(300) {
        assert!(
            client.try_wait().unwrap().is_none(),
            "the study ended early"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    signal("-STOP");
    let stopped = Instant::now();
    while client.try_wait().unwrap().is_none() && stopped.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(50));
    }
    let waited = stopped.elapsed();
    if client.try_wait().unwrap().is_none() {
        let _ = client.kill();
    }
    signal("-CONT");
    let output = client.wait_with_output().unwrap();
    let all = text(&output);
    assert!(
        waited < Duration::from_secs(60),
        "the client still waited 60 s after its server stopped answering:\n{all}"
    );
    assert!(!output.status.success(), "{all}");
    let error: Vec<&str> = all.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(error.len(), 1, "one error line:\n{all}");
    for needed in [
        server.url.as_str(),
        "stopped answering",
        "within 2 s",
        "--resume",
    ] {
        assert!(error[0].contains(needed), "{needed}: {}", error[0]);
    }
    assert!(saved_runs(&runs_dir) >= 1, "finished runs were lost");
}

/// A server that dies in the middle of a study: the client stops with an error naming the
/// server, the runs that finished are kept, and `--resume` on another server goes on from them.
#[test]
fn a_server_killed_mid_study_keeps_the_finished_runs() {
    let tmp = TempDir::new("remote-kill");
    let data = tmp.path().join("data");
    write_fixture(&data, DatasetKind::Mnist, 2000, 200);
    let out = tmp.path().join("results");
    let mut server = Server::start(&[]);
    let url = server.url.clone();
    let study = |url: &str, resume: bool| {
        let mut cmd = unfold(&["mnist", "--backend", "remote", "--remote", url], &out);
        cmd.arg("--data-dir").arg(&data);
        if resume {
            cmd.arg("--resume");
        }
        cmd
    };
    let runs_dir = out.join("mnist/runs");
    let finished = || saved_runs(&runs_dir);
    let mut client = study(&url, false)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while finished() < 2 && started.elapsed() < Duration::from_secs(300) {
        if client.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    server.kill();
    let kept = finished();
    assert!(kept >= 2, "only {kept} runs finished before the kill");

    // The client must notice, not hang.
    let deadline = Instant::now() + Duration::from_secs(120);
    while client.try_wait().unwrap().is_none() {
        assert!(
            Instant::now() < deadline,
            "the client still runs 120 s after its server died"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let output = client.wait_with_output().unwrap();
    let all = text(&output);
    assert!(
        !output.status.success(),
        "the study cannot finish without its server:\n{all}"
    );
    assert!(all.contains(&url), "the error names the server:\n{all}");
    assert!(
        all.contains("connection to the server was lost"),
        "the error says what happened:\n{all}"
    );
    assert!(
        all.contains("--resume"),
        "the error says how to go on:\n{all}"
    );
    assert!(finished() >= kept, "finished runs were lost");

    let replacement = Server::start(&[]);
    let log = run_ok(study(&replacement.url, true));
    assert!(log.contains("resumed from an earlier run"), "{log}");
    let m = read_metrics(&out, "mnist");
    assert!(m["resumed_runs"].as_u64().unwrap_or(0) as usize >= kept.min(9));
}

#[test]
fn no_server_or_a_wrong_token_is_a_one_line_error() {
    let tmp = TempDir::new("remote-errors");
    // A port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let address = format!("127.0.0.1:{port}");
    let output = unfold(&["xor", "--remote", &address], tmp.path())
        .output()
        .unwrap();
    let all = text(&output);
    assert!(!output.status.success());
    assert!(all.contains(&format!("ws://{address}")), "{all}");
    assert!(all.contains("unfold serve"), "{all}");

    let server = Server::start(&["--token", "s3cret"]);
    let output = unfold(
        &["xor", "--remote", &server.url, "--token", "guess"],
        tmp.path(),
    )
    .output()
    .unwrap();
    let all = text(&output);
    assert!(!output.status.success());
    assert!(all.contains("rejected"), "{all}");
    assert!(all.contains("--token"), "{all}");
    run_ok(unfold(
        &[
            "building-blocks",
            "--remote",
            &server.url,
            "--token",
            "s3cret",
        ],
        tmp.path(),
    ));

    // A server refuses to listen on the network without a token.
    let output = Command::new(BIN)
        .args(["serve", "--backend", "ndarray", "--bind", "0.0.0.0:0"])
        .env_remove("UNFOLD_REMOTE_TOKEN")
        .output()
        .unwrap();
    let all = text(&output);
    assert!(!output.status.success());
    assert!(all.contains("--token"), "{all}");
}
