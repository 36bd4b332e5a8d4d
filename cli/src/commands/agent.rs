//! The debugging agent's options and start, shared by `serve` and `run`:
//! a WebSocket endpoint on `--debug-addr` (TLS with `--tls-cert`/`--tls-key`,
//! required off loopback), the token from `--token-file` or generated and
//! printed, served on a thread of its own.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context as _;
use clap::Args;
use wasmscope_dap::Backend;
use wasmscope_dap::log::MessageLog;
use wasmscope_dap::transport::WebSocketListener;

#[derive(Debug, Args)]
pub struct AgentArgs {
    /// Starts the debugging agent on this address: DAP over WebSocket, one
    /// message per text frame, for one client at a time. Off loopback it
    /// requires TLS (--tls-cert, --tls-key).
    #[arg(long, value_name = "ADDR")]
    pub debug_addr: Option<SocketAddr>,
    /// The agent's TLS certificate chain (PEM): clients connect with wss://.
    #[arg(long, value_name = "FILE", requires_all = ["debug_addr", "tls_key"])]
    pub tls_cert: Option<PathBuf>,
    /// The private key of --tls-cert (PEM).
    #[arg(long, value_name = "FILE", requires_all = ["debug_addr", "tls_cert"])]
    pub tls_key: Option<PathBuf>,
    /// The agent's token, in FILE (else one is generated and printed as
    /// `token: …`); clients send `Authorization: Bearer <token>`.
    #[arg(long, value_name = "FILE", requires = "debug_addr")]
    pub token_file: Option<PathBuf>,
    /// Log every DAP message of the agent to FILE.
    #[arg(long, value_name = "FILE", requires = "debug_addr")]
    pub log: Option<PathBuf>,
}

/// Binds the agent on `addr` and serves `backend` (given the agent's log)
/// on a thread of its own; prints the token (when generated) and the
/// agent's address. Returns the address and scheme clients use.
pub fn start_agent(
    args: &AgentArgs,
    addr: SocketAddr,
    backend: impl FnOnce(MessageLog) -> Backend,
) -> anyhow::Result<(SocketAddr, &'static str)> {
    let credentials = super::dap::credentials(args.token_file.as_deref(), &[])?;
    let token = args.token_file.is_none().then(|| credentials.token().to_owned());
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => {
            Some(wasmscope_dap::transport::tls::server_config(cert, key).map_err(anyhow::Error::msg)?)
        }
        _ => None,
    };
    let listener = WebSocketListener::bind_addr(addr, credentials, tls)
        .with_context(|| format!("cannot start the debugging agent on {addr}"))?;
    if let Some(token) = token {
        say(&format!("token: {token}"));
    }
    let scheme = if listener.is_tls() { "wss" } else { "ws" };
    let announced = SocketAddr::new(addr.ip(), listener.port()?);
    say(&format!("Debugging agent (DAP over WebSocket) at {scheme}://{announced}"));
    let log = match &args.log {
        Some(path) => MessageLog::to_file(path).with_context(|| format!("cannot open the log {}", path.display()))?,
        None => MessageLog::default(),
    };
    let backend = backend(log);
    std::thread::Builder::new().name("wasmscope-agent".into()).spawn(move || {
        if let Err(error) = listener.serve(&backend) {
            say(&format!("wasmscope: the debugging agent stopped: {error}"));
        }
    })?;
    Ok((announced, scheme))
}

/// What a server or a run tells its operator, on standard error (`wasmtime
/// serve`'s convention; scripts and tests wait for these lines).
pub fn say(line: &str) {
    #[allow(clippy::print_stderr)]
    {
        eprintln!("{line}");
    }
}
