//! The downloader against a local HTTP server on 127.0.0.1 that serves good, corrupted and
//! truncated (lying `Content-Length`) files, 404s and stalls: bad downloads are rejected,
//! the next mirror is tried, and nothing partial is ever left in the target folder.

use std::collections::HashMap;
use std::fs;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use unfold_data::idx::gzip;
use unfold_data::{DatasetKind, encode_idx_images, read_idx_images};
use unfold_fetch::{
    FetchError, FetchOptions, FileAction, NoProgress, Progress, RemoteFile, fetch_dataset,
    fetch_file, verify_dataset_dir, verify_file,
};

// ---------------------------------------------------------------------------------------
// A tiny HTTP/1.1 server: fixed responses per path, one connection at a time, bounded in
// requests and time, stopped (and joined) on drop.
// ---------------------------------------------------------------------------------------

#[derive(Clone)]
enum Reply {
    /// 200 with this body.
    Ok(Vec<u8>),
    /// 200 announcing the full length but closing after `sent` bytes.
    Truncated { body: Vec<u8>, sent: usize },
    /// 200 announcing the full length, sending `sent` bytes, then stalling for `pause`.
    Stall {
        body: Vec<u8>,
        sent: usize,
        pause: Duration,
    },
}

struct Server {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    log: Arc<Mutex<Vec<String>>>,
    thread: Option<JoinHandle<()>>,
}

const MAX_REQUESTS: usize = 200;
const MAX_LIFETIME: Duration = Duration::from_secs(60);

impl Server {
    fn start(routes: Vec<(&str, Reply)>) -> Server {
        let routes: HashMap<String, Reply> =
            routes.into_iter().map(|(p, r)| (p.to_owned(), r)).collect();
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let log = Arc::new(Mutex::new(Vec::new()));
        let thread = {
            let (stop, log) = (stop.clone(), log.clone());
            std::thread::spawn(move || {
                let started = Instant::now();
                let mut served = 0;
                while !stop.load(Ordering::Relaxed)
                    && served < MAX_REQUESTS
                    && started.elapsed() < MAX_LIFETIME
                {
                    match listener.accept() {
                        Ok((stream, _)) => {
                            served += 1;
                            serve(stream, &routes, &log);
                        }
                        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                            std::thread::sleep(Duration::from_millis(5));
                        }
                        Err(_) => break,
                    }
                }
            })
        };
        Server {
            addr,
            stop,
            log,
            thread: Some(thread),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn requests(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn serve(mut stream: TcpStream, routes: &HashMap<String, Reply>, log: &Mutex<Vec<String>>) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let _ = stream.set_write_timeout(Some(Duration::from_secs(5)));
    let mut request = Vec::new();
    let mut buf = [0u8; 1024];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") && request.len() < 16 * 1024 {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => request.extend_from_slice(&buf[..n]),
        }
    }
    let text = String::from_utf8_lossy(&request);
    let path = text.split_whitespace().nth(1).unwrap_or("/").to_owned();
    log.lock().unwrap().push(path.clone());
    let head = |status: &str, len: usize| {
        format!(
            "HTTP/1.1 {status}\r\nContent-Length: {len}\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n"
        )
    };
    let _ = match routes.get(&path) {
        None => stream.write_all(format!("{}not found", head("404 Not Found", 9)).as_bytes()),
        Some(Reply::Ok(body)) => stream
            .write_all(head("200 OK", body.len()).as_bytes())
            .and_then(|()| stream.write_all(body)),
        Some(Reply::Truncated { body, sent }) => stream
            .write_all(head("200 OK", body.len()).as_bytes())
            .and_then(|()| stream.write_all(&body[..*sent])),
        Some(Reply::Stall { body, sent, pause }) => {
            let r = stream
                .write_all(head("200 OK", body.len()).as_bytes())
                .and_then(|()| stream.write_all(&body[..*sent]))
                .and_then(|()| stream.flush());
            std::thread::sleep(*pause);
            r
        }
    };
    let _ = stream.flush();
    let _ = stream.shutdown(std::net::Shutdown::Both);
}

// ---------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------

/// A fresh directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let path = std::env::temp_dir().join(format!("unfold-fetch-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&path);
        fs::create_dir_all(&path).expect("create test directory");
        TempDir(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// Everything in `dir`, hidden files included, sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .map(|rd| {
            rd.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

const NAME: &str = "train-images-idx3-ubyte";

/// A small IDX image file (raw bytes), its gzip form and its expected digest.
struct Fixture {
    raw: Vec<u8>,
    gz: Vec<u8>,
    expected: RemoteFile,
}

fn fixture() -> Fixture {
    let pixels: Vec<u8> = (0..6 * 28 * 28).map(|i| (i * 7 % 251) as u8).collect();
    let raw = encode_idx_images(28, 28, &pixels).unwrap();
    let gz = gzip(&raw);
    let expected = RemoteFile {
        name: NAME.to_owned(),
        size: raw.len() as u64,
        sha256: Sha256::digest(&raw)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect(),
    };
    Fixture { raw, gz, expected }
}

/// A gzip file with one byte of its compressed data flipped.
fn corrupted(gz: &[u8]) -> Vec<u8> {
    let mut bad = gz.to_vec();
    let at = bad.len() / 2;
    bad[at] ^= 0x5a;
    bad
}

/// Short limits, so that failing tests fail fast.
fn options() -> FetchOptions {
    FetchOptions {
        connect_timeout: Duration::from_secs(5),
        read_timeout: Duration::from_secs(5),
        total_timeout: Duration::from_secs(20),
        max_bytes: 1 << 20,
    }
}

/// Records what a download reports.
#[derive(Default)]
struct Recorder {
    events: Vec<String>,
    bytes: u64,
}

impl Progress for Recorder {
    fn start(&mut self, url: &str, total: Option<u64>) {
        self.events.push(format!("start {url} {total:?}"));
    }
    fn advance(&mut self, bytes: u64) {
        self.bytes += bytes;
    }
    fn finish(&mut self, url: &str, outcome: Result<(), &str>) {
        let status = match outcome {
            Ok(()) => "ok".to_owned(),
            Err(e) => format!("failed: {e}"),
        };
        self.events.push(format!("finish {url} {status}"));
    }
    fn message(&mut self, text: &str) {
        self.events.push(format!("message {text}"));
    }
}

fn all_failed(err: FetchError) -> (Vec<(String, String)>, String) {
    let text = err.to_string();
    match err {
        FetchError::AllMirrorsFailed { attempts, .. } => (
            attempts.into_iter().map(|a| (a.url, a.problem)).collect(),
            text,
        ),
        other => panic!("expected AllMirrorsFailed, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------

#[test]
fn good_file_is_downloaded_verified_and_stored_as_served() {
    let f = fixture();
    let server = Server::start(vec![(
        "/good/train-images-idx3-ubyte.gz",
        Reply::Ok(f.gz.clone()),
    )]);
    let dir = TempDir::new("good");
    let target = dir.0.join("mnist");
    let mut progress = Recorder::default();
    let outcome = fetch_file(
        &target,
        &f.expected,
        &[server.url("/good")],
        &options(),
        &mut progress,
    )
    .unwrap();
    let url = server.url("/good/train-images-idx3-ubyte.gz");
    assert_eq!(outcome.action, FileAction::Downloaded { url: url.clone() });
    assert_eq!(outcome.path, target.join("train-images-idx3-ubyte.gz"));
    assert!(outcome.removed.is_empty());
    assert_eq!(listing(&target), vec!["train-images-idx3-ubyte.gz"]);
    assert_eq!(fs::read(&outcome.path).unwrap(), f.gz);
    let images = read_idx_images(&outcome.path).unwrap();
    assert_eq!((images.count, images.rows, images.cols), (6, 28, 28));
    assert_eq!(
        progress.events,
        vec![
            format!("start {url} Some({})", f.gz.len()),
            format!("finish {url} ok")
        ]
    );
    assert_eq!(progress.bytes, f.gz.len() as u64);

    // A second fetch finds it, verifies it, and downloads nothing.
    let outcome = fetch_file(
        &target,
        &f.expected,
        &[server.url("/good")],
        &options(),
        &mut NoProgress,
    )
    .unwrap();
    assert_eq!(outcome.action, FileAction::AlreadyPresent);
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn corrupted_truncated_and_missing_files_are_rejected_and_leave_nothing() {
    let f = fixture();
    let mut wrong = f.raw.clone();
    *wrong.last_mut().unwrap() ^= 1; // valid gzip, valid IDX, wrong content
    let server = Server::start(vec![
        (
            "/corrupt/train-images-idx3-ubyte.gz",
            Reply::Ok(corrupted(&f.gz)),
        ),
        ("/wrong/train-images-idx3-ubyte.gz", Reply::Ok(gzip(&wrong))),
        (
            "/truncated/train-images-idx3-ubyte.gz",
            Reply::Truncated {
                body: f.gz.clone(),
                sent: f.gz.len() / 2,
            },
        ),
        (
            "/short-but-honest/train-images-idx3-ubyte.gz",
            Reply::Ok(f.gz[..f.gz.len() - 20].to_vec()),
        ),
    ]);
    let dir = TempDir::new("bad");
    let mirrors: Vec<String> = [
        "/corrupt",
        "/wrong",
        "/truncated",
        "/short-but-honest",
        "/missing",
    ]
    .iter()
    .map(|p| server.url(p))
    .collect();
    let err = fetch_file(&dir.0, &f.expected, &mirrors, &options(), &mut NoProgress).unwrap_err();
    let (attempts, text) = all_failed(err);
    assert_eq!(attempts.len(), 5);
    for ((url, problem), base) in attempts.iter().zip(&mirrors) {
        assert_eq!(url, &format!("{base}/train-images-idx3-ubyte.gz"));
        assert!(
            text.contains(url.as_str()),
            "the message names {url}:\n{text}"
        );
        eprintln!("{url}: {problem}");
    }
    assert!(attempts[0].1.contains("corrupt"), "{}", attempts[0].1);
    assert!(attempts[1].1.contains("SHA-256"), "{}", attempts[1].1);
    assert!(
        attempts[2].1.contains("bytes") && attempts[2].1.contains(&f.gz.len().to_string()),
        "{}",
        attempts[2].1
    );
    assert!(attempts[3].1.contains("wrong content"), "{}", attempts[3].1);
    assert!(attempts[4].1.contains("404"), "{}", attempts[4].1);
    assert!(text.contains("was not written"), "{text}");
    assert_nothing_left(&dir.0);
}

#[test]
fn falls_back_to_the_next_mirror() {
    let f = fixture();
    let server = Server::start(vec![
        (
            "/corrupt/train-images-idx3-ubyte.gz",
            Reply::Ok(corrupted(&f.gz)),
        ),
        (
            "/truncated/train-images-idx3-ubyte.gz",
            Reply::Truncated {
                body: f.gz.clone(),
                sent: 10,
            },
        ),
        ("/good/train-images-idx3-ubyte.gz", Reply::Ok(f.gz.clone())),
    ]);
    // A port with nothing listening: connection refused.
    let refused = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/x", l.local_addr().unwrap())
    };
    let mirrors = vec![
        refused.clone(),
        server.url("/missing"),
        server.url("/truncated"),
        server.url("/corrupt/"),
        server.url("/good"),
        server.url("/never-asked"),
    ];
    let dir = TempDir::new("fallback");
    let mut progress = Recorder::default();
    let outcome = fetch_file(&dir.0, &f.expected, &mirrors, &options(), &mut progress).unwrap();
    assert_eq!(
        outcome.action,
        FileAction::Downloaded {
            url: server.url("/good/train-images-idx3-ubyte.gz")
        }
    );
    assert_eq!(listing(&dir.0), vec!["train-images-idx3-ubyte.gz"]);
    assert_eq!(
        server.requests(),
        vec![
            "/missing/train-images-idx3-ubyte.gz",
            "/truncated/train-images-idx3-ubyte.gz",
            "/corrupt/train-images-idx3-ubyte.gz",
            "/good/train-images-idx3-ubyte.gz",
        ]
    );
    let finishes: Vec<&String> = progress
        .events
        .iter()
        .filter(|e| e.starts_with("finish"))
        .collect();
    assert_eq!(finishes.len(), 5);
    assert!(finishes[0].contains(&refused) && finishes[0].contains("failed"));
    assert!(finishes[4].ends_with(" ok"));
}

#[test]
fn a_wrong_copy_is_replaced_and_a_shadowing_one_removed() {
    let f = fixture();
    let server = Server::start(vec![(
        "/good/train-images-idx3-ubyte.gz",
        Reply::Ok(f.gz.clone()),
    )]);
    let dir = TempDir::new("replace");
    // A corrupt raw file would be loaded before the .gz: it must go.
    fs::write(dir.0.join(NAME), &f.raw[..100]).unwrap();
    let outcome = fetch_file(
        &dir.0,
        &f.expected,
        &[server.url("/good")],
        &options(),
        &mut NoProgress,
    )
    .unwrap();
    assert_eq!(listing(&dir.0), vec!["train-images-idx3-ubyte.gz"]);
    assert_eq!(outcome.removed.len(), 1);
    assert_eq!(outcome.removed[0].0, dir.0.join(NAME));
    assert!(
        outcome.removed[0].1.contains("100 bytes"),
        "{:?}",
        outcome.removed
    );

    // A corrupt .gz is replaced in place (by rename, so never half-written).
    fs::write(dir.0.join(format!("{NAME}.gz")), corrupted(&f.gz)).unwrap();
    let outcome = fetch_file(
        &dir.0,
        &f.expected,
        &[server.url("/good")],
        &options(),
        &mut NoProgress,
    )
    .unwrap();
    assert!(matches!(outcome.action, FileAction::Downloaded { .. }));
    assert!(
        outcome.removed[0].1.starts_with("replaced"),
        "{:?}",
        outcome.removed
    );
    assert_eq!(fs::read(&outcome.path).unwrap(), f.gz);
    assert_eq!(listing(&dir.0), vec!["train-images-idx3-ubyte.gz"]);
}

#[test]
fn a_file_served_decompressed_is_stored_raw() {
    let f = fixture();
    let server = Server::start(vec![(
        "/raw/train-images-idx3-ubyte.gz",
        Reply::Ok(f.raw.clone()),
    )]);
    let dir = TempDir::new("raw");
    let outcome = fetch_file(
        &dir.0,
        &f.expected,
        &[server.url("/raw")],
        &options(),
        &mut NoProgress,
    )
    .unwrap();
    assert_eq!(outcome.path, dir.0.join(NAME));
    assert_eq!(listing(&dir.0), vec![NAME]);
    verify_file(&outcome.path, &f.expected).unwrap();
}

#[test]
fn size_limit_and_stalls_are_bounded() {
    let f = fixture();
    let server = Server::start(vec![
        ("/big/train-images-idx3-ubyte.gz", Reply::Ok(f.gz.clone())),
        (
            "/stall/train-images-idx3-ubyte.gz",
            Reply::Stall {
                body: f.gz.clone(),
                sent: 100,
                pause: Duration::from_secs(3),
            },
        ),
    ]);
    let dir = TempDir::new("bounded");
    let small = FetchOptions {
        max_bytes: 100,
        ..options()
    };
    let err = fetch_file(
        &dir.0,
        &f.expected,
        &[server.url("/big")],
        &small,
        &mut NoProgress,
    )
    .unwrap_err();
    let (attempts, _) = all_failed(err);
    assert!(
        attempts[0].1.contains("more than the 100 accepted"),
        "{attempts:?}"
    );

    let impatient = FetchOptions {
        read_timeout: Duration::from_millis(300),
        total_timeout: Duration::from_secs(2),
        ..options()
    };
    let started = Instant::now();
    let err = fetch_file(
        &dir.0,
        &f.expected,
        &[server.url("/stall")],
        &impatient,
        &mut NoProgress,
    )
    .unwrap_err();
    assert!(
        started.elapsed() < Duration::from_millis(2500),
        "took {:?}",
        started.elapsed()
    );
    let (attempts, _) = all_failed(err);
    assert!(
        attempts[0].1.to_lowercase().contains("timeout")
            || attempts[0].1.to_lowercase().contains("timed out"),
        "{attempts:?}"
    );
    assert_nothing_left(&dir.0);
}

#[test]
fn no_mirrors_is_an_error() {
    let f = fixture();
    let dir = TempDir::new("no-mirrors");
    let err = fetch_file(&dir.0, &f.expected, &[], &options(), &mut NoProgress).unwrap_err();
    assert!(matches!(err, FetchError::NoMirrors { .. }), "{err:?}");
}

/// The real files (from `UNFOLD_DATA`), served locally, fetched with the embedded digests.
#[test]
fn real_datasets_fetch_and_verify_against_the_embedded_digests() {
    let Some(data) = std::env::var_os("UNFOLD_DATA").filter(|v| !v.is_empty()) else {
        eprintln!("skipped: UNFOLD_DATA is not set");
        return;
    };
    let data = PathBuf::from(data);
    for kind in DatasetKind::ALL {
        let checks = verify_dataset_dir(kind, &data.join(kind.dir_name()));
        for c in &checks {
            assert!(c.is_ok(), "{kind} {}: {:?}", c.name, c.problem);
        }
    }
    let kind = DatasetKind::Mnist;
    let routes: Vec<(String, Reply)> = unfold_data::IDX_FILES
        .iter()
        .map(|name| {
            let body = fs::read(data.join("mnist").join(format!("{name}.gz"))).unwrap();
            (format!("/mirror/mnist/{name}.gz"), Reply::Ok(body))
        })
        .collect();
    let server = Server::start(
        routes
            .iter()
            .map(|(p, r)| (p.as_str(), r.clone()))
            .collect(),
    );
    let root = TempDir::new("real");
    let options = FetchOptions {
        max_bytes: 64 << 20,
        ..options()
    };
    let outcomes = fetch_dataset(
        kind,
        &root.0,
        &[server.url("/mirror/mnist")],
        &options,
        &mut NoProgress,
    )
    .unwrap();
    assert_eq!(outcomes.len(), 4);
    let dir = root.0.join("mnist");
    assert!(verify_dataset_dir(kind, &dir).iter().all(|c| c.is_ok()));
    let mut expected: Vec<String> = unfold_data::IDX_FILES
        .iter()
        .map(|n| format!("{n}.gz"))
        .collect();
    expected.sort();
    assert_eq!(listing(&dir), expected);
    // Fashion-MNIST's digests differ: MNIST's files do not pass as Fashion-MNIST.
    let wrong = verify_dataset_dir(DatasetKind::FashionMnist, &dir);
    assert!(wrong.iter().all(|c| !c.is_ok()));
}

/// Asserts that a failed download left no file (partial or temporary) in `dir`.
fn assert_nothing_left(dir: &std::path::Path) {
    let left = listing(dir);
    assert!(left.is_empty(), "left behind: {left:?}");
}
