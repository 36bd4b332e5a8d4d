//! `wasmscope serve`: runs a wasi:http/proxy component as an HTTP server,
//! as `wasmtime serve` does; with no program, the bundled example
//! (examples/http-routes). With `--debug-addr`, an agent on that address
//! lets one DAP client at a time attach over WebSocket (with the token);
//! without it there is no agent at all.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context as _;
use clap::Args;
use wasmscope_dap::Backend;
use wasmscope_dap::log::MessageLog;
use wasmscope_dap::transport::WebSocketListener;
use wasmscope_debugger::symbols::{LoadOptions, WasmSymbols};
use wasmscope_runtime::{DEFAULT_DEBUG_REQUESTS, ServeOptions, ServerLauncher, ServerProfiler, serve_http};

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The wasi:http/proxy component (default: the bundled example, with a
    /// fast route /hello/NAME, a slow one /work/N and /crash, which traps).
    pub program: Option<PathBuf>,
    /// Where to listen (loopback by default; port 0 picks a free one).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// An environment variable for every request (repeatable). As with
    /// `wasmtime serve` without `-S cli`, only the proxy world's interfaces
    /// are linked, which do not include wasi:cli/environment: a proxy
    /// component does not see it.
    #[arg(long = "env", value_name = "NAME=VALUE")]
    pub env: Vec<String>,
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
    /// Requests the debug engine runs at once while a client is attached
    /// (the others wait).
    #[arg(long, default_value_t = DEFAULT_DEBUG_REQUESTS, requires = "debug_addr")]
    pub max_debug_requests: usize,
    /// Log every DAP message of the agent to FILE.
    #[arg(long, value_name = "FILE", requires = "debug_addr")]
    pub log: Option<PathBuf>,
}

pub fn run(args: &ServeArgs) -> anyhow::Result<()> {
    let program = match &args.program {
        Some(program) => program.clone(),
        None => super::bundled::server_example()?.program,
    };
    let env = super::parse_env(&args.env)?;
    let (debug, profiler) = match args.debug_addr {
        Some(addr) => {
            let (launcher, profiler) = start_agent(args, addr, &program, &env)?;
            (Some(launcher), Some(profiler))
        }
        None => (None, None),
    };
    let options = ServeOptions { program, addr: args.addr, env };
    serve_http(&options, debug, profiler, |addr| say(&format!("Serving HTTP on http://{addr}/")))
}

/// Binds the agent and serves it on a thread of its own; the launcher and
/// the profiler are the server's side of it.
fn start_agent(
    args: &ServeArgs,
    addr: SocketAddr,
    program: &std::path::Path,
    env: &[(String, String)],
) -> anyhow::Result<(ServerLauncher, ServerProfiler)> {
    // Breakpoints name the core module with the DWARF, as the symbols
    // layer picks it.
    let symbols = Arc::new(WasmSymbols::load(program, &LoadOptions::default())?);
    let launcher = ServerLauncher::new(program.to_path_buf(), env.to_vec(), symbols.clone(), args.max_debug_requests);
    let profiler = ServerProfiler::new(program.to_path_buf(), symbols);
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
    say(&format!(
        "Debugging agent (DAP over WebSocket) at {scheme}://{}",
        SocketAddr::new(addr.ip(), listener.port()?)
    ));
    let http = if listener.is_tls() { "https" } else { "http" };
    say(&format!(
        "Live profiles: wasmscope profile --connect {scheme}://{0}; pprof at {http}://{0}/debug/pprof/profile",
        SocketAddr::new(addr.ip(), listener.port()?)
    ));
    let log = match &args.log {
        Some(path) => MessageLog::to_file(path).with_context(|| format!("cannot open the log {}", path.display()))?,
        None => MessageLog::default(),
    };
    let backend = Backend::new(Arc::new(launcher.clone()), log).with_profiler(Arc::new(profiler.clone()));
    std::thread::Builder::new().name("wasmscope-agent".into()).spawn(move || {
        if let Err(error) = listener.serve(&backend) {
            say(&format!("wasmscope: the debugging agent stopped: {error}"));
        }
    })?;
    Ok((launcher, profiler))
}

/// What the server tells its operator, on standard error (`wasmtime
/// serve`'s convention; scripts and tests wait for these lines).
fn say(line: &str) {
    #[allow(clippy::print_stderr)]
    {
        eprintln!("{line}");
    }
}
