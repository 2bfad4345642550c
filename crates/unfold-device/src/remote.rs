//! Burn's remote backend: one machine serves its device, others train on it.
//!
//! `unfold serve` runs [`bind`] and [`BoundServer::serve`] on the machine with the GPU; `--backend remote --remote
//! ws://HOST:PORT` makes every experiment [`connect`] to it. Burn forwards each tensor operation
//! over a WebSocket and keeps the autodiff graph on the client, so the same experiment code runs
//! unchanged. Several servers can each take whole runs of a study (see
//! `unfold_experiments::RunContext::workers`).
//!
//! WebSocket is unencrypted. A server bound to the loopback address (the default) is reachable
//! from this machine only; binding any other address is an explicit choice, and without a token
//! anyone who can reach the port can run computations on the device and read the tensors. A
//! token ([`TOKEN_ENV`], `--token`) keeps stray clients out on a trusted network, not someone
//! reading the traffic.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use burn::tensor::Device;
use burn::tensor::remote::{ConnectError, RemoteHost};
use burn::tensor::server::{RemoteServer, TokenAuthorizer, WebSocketTransport};

use crate::{Backend, DeviceError, SelectedDevice, probe, select_device};

/// The environment variable holding the shared token of servers and clients (`--token`).
pub const TOKEN_ENV: &str = "UNFOLD_REMOTE_TOKEN";

/// The port `unfold serve` listens on unless told otherwise.
pub const DEFAULT_PORT: u16 = 3000;

/// The address `unfold serve` binds unless told otherwise: this machine only.
pub const DEFAULT_BIND: &str = "127.0.0.1:3000";

/// How long connecting to a server may take, from the first TCP attempt to the end of the
/// self-test, unless `--remote-timeout` or [`TIMEOUT_ENV`] say otherwise.
pub const DEFAULT_CONNECT_TIMEOUT: Duration =
    Duration::from_secs(crate::DEFAULT_REMOTE_TIMEOUT_SECS);

/// The environment variable holding the connect deadline in seconds (`--remote-timeout`).
pub const TIMEOUT_ENV: &str = "UNFOLD_REMOTE_TIMEOUT";

/// What to do when the deadline passes.
const TIMEOUT_HINT: &str = "check that an `unfold serve` server runs at that address and is not stuck (its terminal), or allow more time with --remote-timeout SECS or $UNFOLD_REMOTE_TIMEOUT";

/// Normalizes a server address as a user may type it (`gpu:3000`, `ws://gpu:3000`,
/// `ws://gpu:3000/`) into the WebSocket URL Burn dials (`ws://gpu:3000`).
///
/// # Errors
/// An empty address, a scheme other than `ws://` (Burn's WebSocket transport has no TLS), or a
/// missing or invalid port.
pub fn parse_address(text: &str) -> Result<String, DeviceError> {
    let invalid = |reason: &str| DeviceError::Remote {
        address: unfold_guard::secrets::text(text),
        reason: reason.to_string(),
        hint: "write it as ws://HOST:PORT, e.g. ws://127.0.0.1:3000",
    };
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(invalid("the address is empty"));
    }
    let rest = match trimmed.split_once("://") {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("ws") => rest,
        Some((scheme, _)) => {
            return Err(invalid(&format!(
                "the scheme {scheme}:// is not supported (Burn's remote backend speaks plain WebSocket, ws://)"
            )));
        }
        None => trimmed,
    };
    let host_port = rest.trim_end_matches('/');
    if host_port.contains('/') {
        return Err(invalid("an address has no path"));
    }
    let (host, port) = host_port
        .rsplit_once(':')
        .ok_or_else(|| invalid("the port is missing"))?;
    if host.is_empty() {
        return Err(invalid("the host is missing"));
    }
    let port: u16 = port
        .parse()
        .ok()
        .filter(|p| *p > 0)
        .ok_or_else(|| invalid(&format!("'{port}' is not a port number (1-65535)")))?;
    Ok(format!("ws://{host}:{port}"))
}

/// Connects device `index` of the server at `address` (see [`parse_address`]), presenting
/// `token` when given, and checks it with a tiny computation before returning it.
///
/// # Errors
/// [`DeviceError::Remote`] naming the address and what happened: nothing listening, a refused
/// token, a device index the server does not host, a protocol mismatch, or a failed self-test.
pub fn connect(
    address: &str,
    token: Option<&str>,
    index: usize,
) -> Result<SelectedDevice, DeviceError> {
    connect_within(address, token, index, DEFAULT_CONNECT_TIMEOUT)
}

/// [`connect`] within `deadline`: the TCP connection, an HTTP round trip with the server
/// (checked here first, because Burn's client waits without a limit for a server that accepts
/// the connection and never answers), Burn's WebSocket session and the self-test must all be
/// done by then.
///
/// Once connected, no single request has a deadline, so a long operation of a slow but alive
/// server is never cut off. Instead a watchdog thread repeats the HTTP round trip every
/// `deadline` on a connection of its own: a server that no longer answers it within `deadline`,
/// twice in a row (its process stopped or hung, its machine or the network gone), ends this
/// process with a one-line error naming the address, because Burn's client would wait for its
/// reply forever and cannot be interrupted. A server that closes the connection (killed) makes
/// the pending operation fail at once, which the caller's panic guard reports.
///
/// # Errors
/// As [`connect`], and [`DeviceError::Remote`] naming the address and the step that ran out
/// of time.
pub fn connect_within(
    address: &str,
    token: Option<&str>,
    index: usize,
    deadline: Duration,
) -> Result<SelectedDevice, DeviceError> {
    let url = parse_address(address)?;
    let until = Instant::now() + deadline;
    preflight(&url, until, deadline)?;
    let shown = unfold_guard::secrets::urls(&url);
    let (sender, receiver) = std::sync::mpsc::channel();
    let token = token.map(str::to_owned);
    let session_url = url.clone();
    // Burn's client has no deadline of its own: a session that never completes leaves this
    // thread waiting, and the caller goes on (to exit with the error) without it.
    std::thread::Builder::new()
        .name("unfold-remote-connect".into())
        .spawn(move || {
            let _ = sender.send(open_session(&session_url, token.as_deref(), index));
        })
        .map_err(|e| DeviceError::Remote {
            address: shown.clone(),
            reason: format!("cannot start a thread to connect: {e}"),
            hint: "the machine is out of threads; close other programs",
        })?;
    let left = until.saturating_duration_since(Instant::now());
    let selected = receiver.recv_timeout(left).unwrap_or_else(|_| {
        Err(DeviceError::Remote {
            address: shown,
            reason: format!(
                "the server answered HTTP but did not complete the remote session within {}",
                seconds(deadline)
            ),
            hint: TIMEOUT_HINT,
        })
    })?;
    watch(url, deadline);
    Ok(selected)
}

/// What to do when a connected server stops answering.
const LOST_HINT: &str = "check the server's terminal, its machine and the network; runs a study finished are kept, so rerun with --resume (allow a busy server more time with --remote-timeout SECS)";

/// Starts the watchdog of the server at `url` (see [`connect_within`]): every `deadline`, one
/// HTTP round trip on a fresh connection, which must be answered within `deadline` (or, when
/// late, a second one right after).
fn watch(url: String, deadline: Duration) {
    let every = deadline.clamp(Duration::from_secs(1), Duration::from_secs(60));
    let watchdog = move || {
        loop {
            std::thread::sleep(every);
            let check = || preflight(&url, Instant::now() + deadline, deadline);
            // Twice in a row before giving up: a busy machine may be late once.
            if let Err(DeviceError::Remote {
                address, reason, ..
            }) = check().or_else(|_| check())
            {
                let lost = DeviceError::Remote {
                    address,
                    reason: format!("the server stopped answering during the run: {reason}"),
                    hint: LOST_HINT,
                };
                eprintln!("error: {}", unfold_guard::secrets::error(&lost));
                // The training thread is blocked in Burn's client, waiting for a reply that
                // will not come: only ending the process frees it. Results are committed whole
                // (the staging folder is swept by the next run), and finished runs are kept.
                std::process::exit(1);
            }
        }
    };
    // Without a watchdog the run works as before; a machine out of threads fails elsewhere.
    let _ = std::thread::Builder::new()
        .name("unfold-remote-watchdog".into())
        .spawn(watchdog);
}

/// `20 s`, `1.5 s`.
fn seconds(d: Duration) -> String {
    format!("{} s", d.as_secs_f64())
}

/// One TCP connection and HTTP round trip with the server at `url` (`ws://host:port`), each
/// step bounded by `until`. A refused connection is tried again until then (a server started
/// moments ago may not listen yet).
fn preflight(url: &str, until: Instant, deadline: Duration) -> Result<(), DeviceError> {
    let shown = unfold_guard::secrets::urls(url);
    let fail = |reason: String, hint: &'static str| DeviceError::Remote {
        address: shown.clone(),
        reason,
        hint,
    };
    let authority = url.trim_start_matches("ws://");
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let addresses: Vec<SocketAddr> = host_port
        .to_socket_addrs()
        .map_err(|e| {
            fail(
                format!("cannot resolve the host: {e}"),
                "check the host name, or give an IP address",
            )
        })?
        .collect();
    let mut wait = Duration::from_millis(100);
    let mut stream = loop {
        let mut last_error = None;
        let mut connected = None;
        for address in &addresses {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            match TcpStream::connect_timeout(address, left) {
                Ok(stream) => {
                    connected = Some(stream);
                    break;
                }
                Err(e) => last_error = Some(e),
            }
        }
        if let Some(stream) = connected {
            break stream;
        }
        let refused = last_error
            .as_ref()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::ConnectionRefused);
        let left = until.saturating_duration_since(Instant::now());
        if refused && left > wait {
            std::thread::sleep(wait);
            wait = (wait * 2).min(Duration::from_secs(2));
            continue;
        }
        return Err(match last_error {
            Some(e) if refused => fail(
                format!("nothing answered within {} ({e})", seconds(deadline)),
                "start the server there with `unfold serve` (it listens on 127.0.0.1:3000 unless given --bind), or check the host and port",
            ),
            Some(e) => fail(
                format!("cannot connect within {} ({e})", seconds(deadline)),
                TIMEOUT_HINT,
            ),
            None => fail(
                format!("cannot connect within {}", seconds(deadline)),
                TIMEOUT_HINT,
            ),
        });
    };
    let silent = || {
        fail(
            format!(
                "the server accepted the connection but sent no answer within {}",
                seconds(deadline)
            ),
            TIMEOUT_HINT,
        )
    };
    let left = until.saturating_duration_since(Instant::now());
    if left.is_zero() {
        return Err(silent());
    }
    // A WebSocket upgrade request to a path no server serves: an unfold server answers it at
    // once (with an HTTP error), without opening a session.
    let request = format!(
        "GET /unfold-preflight HTTP/1.1\r\nHost: {host_port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dW5mb2xkLXByZWZsaWdodA==\r\n\r\n"
    );
    let io_failed = |e: std::io::Error| {
        if matches!(
            e.kind(),
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
        ) {
            silent()
        } else {
            fail(
                format!("the connection failed during the handshake: {e}"),
                TIMEOUT_HINT,
            )
        }
    };
    stream.set_write_timeout(Some(left)).map_err(io_failed)?;
    stream.write_all(request.as_bytes()).map_err(io_failed)?;
    let mut head = [0u8; 12];
    let mut got = 0;
    while got < head.len() {
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(silent());
        }
        stream.set_read_timeout(Some(left)).map_err(io_failed)?;
        match stream.read(&mut head[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(io_failed(e)),
        }
    }
    if !head[..got].starts_with(b"HTTP/1.") {
        return Err(fail(
            "the server did not answer as an HTTP (WebSocket) server".into(),
            "check that the address is an `unfold serve` server, not another service",
        ));
    }
    Ok(())
}

/// Burn's session with the server at `url` and the self-test, without a deadline.
fn open_session(
    url: &str,
    token: Option<&str>,
    index: usize,
) -> Result<SelectedDevice, DeviceError> {
    let url = url.to_string();
    let mut host = RemoteHost::websocket(&url);
    if let Some(token) = token.filter(|t| !t.is_empty()) {
        host = host.with_credential(token);
    }
    // The address as shown: in errors, logs and the recorded device, never its credentials.
    let shown = unfold_guard::secrets::urls(&url);
    let remote_error = |reason: String, hint: &'static str| DeviceError::Remote {
        address: shown.clone(),
        reason: unfold_guard::secrets::text(&reason),
        hint,
    };
    let device = Device::remote_options(&host)
        .device_index(index)
        .init()
        .map_err(|e| {
            let hint = match e {
                ConnectError::Unreachable { .. } => {
                    "start the server there with `unfold serve` (it listens on 127.0.0.1:3000 unless given --bind), or check the host and port"
                }
                ConnectError::Unauthorized => {
                    "pass the server's token with --token or $UNFOLD_REMOTE_TOKEN"
                }
                ConnectError::NoSuchDevice { .. } => {
                    "drop --device, or start one server per device with `unfold serve --device N`"
                }
                ConnectError::IncompatibleProtocol { .. } => {
                    "run the same unfold version on the server and the client"
                }
                _ => "check the server's terminal for its side of the story",
            };
            remote_error(e.to_string(), hint)
        })?;
    probe(Backend::Remote, &device, index).map_err(|e| match e {
        DeviceError::Unavailable { reason, .. } => remote_error(
            format!("the server accepted the session but a self-test failed: {reason}"),
            "check the server's terminal; its device may be unusable",
        ),
        other => other,
    })?;
    Ok(SelectedDevice {
        backend: Backend::Remote,
        device,
        description: format!("{shown} (device {index})"),
    })
}

/// What `unfold serve` needs to start a server.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The backend whose device is served (any compiled local backend).
    pub backend: Backend,
    /// Which of its devices.
    pub index: usize,
    /// Where to listen, e.g. `127.0.0.1:3000`; port 0 picks a free port.
    pub bind: String,
    /// The token clients must present; `None` serves every client that can connect.
    pub token: Option<String>,
    /// Allow a non-loopback address without a token (an explicit, unsafe choice).
    pub allow_open: bool,
}

/// A server that has bound its port and is ready to serve.
pub struct BoundServer {
    /// The device it serves.
    pub selected: SelectedDevice,
    /// The address it listens on (with the port the OS picked when asked for port 0).
    pub address: SocketAddr,
    server: RemoteServer,
    listener: TcpListener,
}

impl BoundServer {
    /// The URL clients pass to `--remote`.
    pub fn url(&self) -> String {
        format!("ws://{}", self.address)
    }

    /// Serves until the process gets Ctrl+C or SIGTERM.
    ///
    /// # Errors
    /// When the transport fails while serving, or the signal handlers cannot be installed.
    pub fn serve(self) -> Result<(), DeviceError> {
        let address = self.url();
        self.server
            .serve(WebSocketTransport::from_listener(self.listener))
            .map_err(|e| DeviceError::Remote {
                address,
                reason: format!("the server stopped: {e}"),
                hint: "see the messages above",
            })
    }
}

/// Opens the device of `options` and binds its address, without serving yet: everything that
/// can go wrong at start-up (unknown or unusable backend, taken port, unsafe binding) is
/// reported here.
///
/// # Errors
/// [`DeviceError`] for the device; [`DeviceError::Remote`] for the address.
pub fn bind(options: &ServeOptions) -> Result<BoundServer, DeviceError> {
    let bind_error = |reason: String, hint: &'static str| DeviceError::Remote {
        address: options.bind.clone(),
        reason,
        hint,
    };
    if options.backend == Backend::Remote {
        return Err(bind_error(
            "a server serves a local device, not another server's".into(),
            "pick the local backend to serve with --backend cuda, wgpu, flex or ndarray",
        ));
    }
    let addresses: Vec<SocketAddr> = options
        .bind
        .to_socket_addrs()
        .map_err(|e| {
            bind_error(
                format!("not an address to listen on: {e}"),
                "write it as HOST:PORT, e.g. 127.0.0.1:3000",
            )
        })?
        .collect();
    let Some(&wanted) = addresses.first() else {
        return Err(bind_error(
            "the name resolves to no address".into(),
            "write it as HOST:PORT, e.g. 127.0.0.1:3000",
        ));
    };
    let token = options.token.clone().filter(|t| !t.is_empty());
    if !wanted.ip().is_loopback() && token.is_none() && !options.allow_open {
        return Err(bind_error(
            format!(
                "{} is reachable from other machines, and the remote protocol is unencrypted: without a token anyone who can reach the port can run code on this device and read its tensors",
                wanted.ip()
            ),
            "pass --token SECRET (clients give the same --token), or --insecure-no-token on a network you trust",
        ));
    }
    let selected = select_device(options.backend, options.index)?;
    let listener = TcpListener::bind(wanted).map_err(|e| {
        bind_error(
            format!("cannot listen there: {e}"),
            "pick another port with --bind HOST:PORT (port 0 picks a free one)",
        )
    })?;
    let address = listener.local_addr().map_err(|e| {
        bind_error(
            format!("cannot read the bound address: {e}"),
            "try another --bind",
        )
    })?;
    let mut server = RemoteServer::new([selected.device.clone()]);
    if let Some(token) = token {
        let authorizer = TokenAuthorizer::new(token).map_err(|e| {
            bind_error(
                e.to_string(),
                "pass a non-empty --token, or none at all on 127.0.0.1",
            )
        })?;
        server = server.with_authorizer(authorizer);
    }
    Ok(BoundServer {
        selected,
        address,
        server,
        listener,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_normalized_or_rejected_with_a_reason() {
        assert_eq!(parse_address("gpu:3000").unwrap(), "ws://gpu:3000");
        assert_eq!(
            parse_address(" WS://127.0.0.1:4000/ ").unwrap(),
            "ws://127.0.0.1:4000"
        );
        for (bad, why) in [
            ("", "empty"),
            ("wss://gpu:3000", "not supported"),
            ("http://gpu:3000", "not supported"),
            ("gpu", "port is missing"),
            ("gpu:port", "not a port number"),
            ("gpu:0", "not a port number"),
            (":3000", "host is missing"),
            ("ws://gpu:3000/x", "no path"),
        ] {
            let err = parse_address(bad).unwrap_err().to_string();
            assert!(err.contains(why), "{bad}: {err}");
        }
    }

    #[test]
    fn nothing_listening_is_a_clear_error() {
        // Bind then drop: a port on which nothing listens.
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let err = connect_within(
            &format!("127.0.0.1:{port}"),
            None,
            0,
            Duration::from_secs(2),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains(&format!("ws://127.0.0.1:{port}")), "{err}");
        assert!(err.contains("unfold serve"), "{err}");
    }

    #[test]
    fn a_server_that_never_answers_is_an_error_within_the_deadline() {
        // Accepts connections (the OS does, from the backlog) and never says a word.
        let silent = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = silent.local_addr().unwrap().port();
        let started = Instant::now();
        let err = connect_within(
            &format!("ws://user:pw-in-url@127.0.0.1:{port}"),
            Some("tok"),
            0,
            Duration::from_millis(800),
        )
        .unwrap_err()
        .to_string();
        assert!(started.elapsed() < Duration::from_secs(30), "it waited");
        assert!(err.contains(&format!("127.0.0.1:{port}")), "{err}");
        assert!(err.contains("no answer within 0.8 s"), "{err}");
        assert!(err.contains("--remote-timeout"), "{err}");
        assert!(!err.contains("pw-in-url"), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        drop(silent);
    }

    #[test]
    fn an_open_public_binding_needs_a_token_or_an_explicit_choice() {
        let options = ServeOptions {
            backend: Backend::Ndarray,
            index: 0,
            bind: "0.0.0.0:0".into(),
            token: None,
            allow_open: false,
        };
        let err = bind(&options).err().unwrap().to_string();
        assert!(err.contains("--token"), "{err}");
        assert!(err.contains("unencrypted"), "{err}");
    }

    #[test]
    fn a_served_device_trains_like_the_local_one_and_checks_the_token() {
        let server = bind(&ServeOptions {
            backend: Backend::Ndarray,
            index: 0,
            bind: "127.0.0.1:0".into(),
            token: Some("class-of-2026".into()),
            allow_open: false,
        })
        .unwrap();
        let url = server.url();
        // Serves until the test process exits.
        std::thread::spawn(move || server.serve());
        let wrong = connect(&url, Some("wrong"), 0).unwrap_err().to_string();
        assert!(wrong.contains("rejected"), "{wrong}");
        let remote = connect(&url, Some("class-of-2026"), 0).unwrap();
        assert_eq!(remote.backend, Backend::Remote);
        let x = burn::tensor::Tensor::<2>::from_floats([[1.0, 2.0], [3.0, 4.0]], &remote.device);
        let y: Vec<f32> = x.clone().matmul(x).into_data().try_to_vec().unwrap();
        assert_eq!(y, vec![7.0, 10.0, 15.0, 22.0]);
    }
}
