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

use std::net::{SocketAddr, TcpListener, ToSocketAddrs};

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
    let url = parse_address(address)?;
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
        let err = connect(&format!("127.0.0.1:{port}"), None, 0)
            .unwrap_err()
            .to_string();
        assert!(err.contains(&format!("ws://127.0.0.1:{port}")), "{err}");
        assert!(err.contains("unfold serve"), "{err}");
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
