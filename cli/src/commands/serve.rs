//! `wasmscope serve`: runs a wasi:http/proxy component as an HTTP server,
//! as `wasmtime serve` does; with no program, the bundled example
//! (examples/http-routes). With `--debug-addr`, an agent on that address
//! lets one DAP client at a time attach over WebSocket (with the token);
//! without it there is no agent at all.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;
use wasmscope_dap::Backend;
use wasmscope_debugger::symbols::{LoadOptions, WasmSymbols};
use wasmscope_runtime::{
    DEFAULT_DEBUG_REQUESTS, ServeOptions, ServedGuest, ServerLauncher, ServerProfiler, serve_http,
};

use super::agent::say;

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The wasi:http/proxy component (default: the bundled example, with a
    /// fast route /hello/NAME, a slow one /work/N and /crash, which traps).
    pub program: Option<PathBuf>,
    /// Where to listen (loopback by default; port 0 picks a free one).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// An environment variable for every request (repeatable). A component
    /// sees it through wasi:cli/environment, linked with --cli only (as
    /// `wasmtime serve -S cli`): a plain proxy component does not.
    #[arg(long = "env", value_name = "NAME=VALUE")]
    pub env: Vec<String>,
    /// A host directory the requests see at a guest path: HOST::GUEST, or
    /// HOST for the same path (repeatable; needs --cli).
    #[arg(long = "dir", value_name = "HOST::GUEST", requires = "cli")]
    pub dirs: Vec<wasmscope_runtime::DirMapping>,
    /// Link the WASI CLI interfaces (files, environment, …) besides the
    /// proxy world's, as `wasmtime serve -S cli` does: for a component made
    /// with WASI's reactor adapter rather than its proxy one.
    #[arg(long)]
    pub cli: bool,
    #[command(flatten)]
    pub agent: super::agent::AgentArgs,
    /// Requests the debug engine runs at once while a client is attached
    /// (the others wait).
    #[arg(long, default_value_t = DEFAULT_DEBUG_REQUESTS, requires = "debug_addr")]
    pub max_debug_requests: usize,
    /// Write a Wasm coredump of each trapping request into this directory
    /// (made if missing), named `<time>-<n>-<METHOD>_<path>.coredump`; open
    /// one with `wasmscope debug --core FILE` or a `coreDump` launch.
    #[arg(long, value_name = "DIR")]
    pub coredump_dir: Option<PathBuf>,
    /// The most coredumps the server writes (the rest are counted, not
    /// written).
    #[arg(long, default_value_t = wasmscope_runtime::DEFAULT_MAX_COREDUMPS, requires = "coredump_dir")]
    pub coredump_max_files: usize,
    /// The most megabytes of coredumps the server writes.
    #[arg(long, value_name = "MB", default_value_t = wasmscope_runtime::DEFAULT_MAX_COREDUMP_BYTES >> 20, requires = "coredump_dir")]
    pub coredump_max_mb: u64,
}

pub fn run(args: &ServeArgs) -> anyhow::Result<()> {
    let program = match &args.program {
        Some(program) => program.clone(),
        None => super::bundled::server_example()?.program,
    };
    let guest = ServedGuest { env: super::parse_env(&args.env)?, dirs: args.dirs.clone(), cli: args.cli };
    let (debug, profiler) = match args.agent.debug_addr {
        Some(addr) => {
            let (launcher, profiler) = start_agent(args, addr, &program, &guest)?;
            (Some(launcher), Some(profiler))
        }
        None => (None, None),
    };
    let coredumps = args.coredump_dir.as_ref().map(|dir| wasmscope_runtime::CoredumpDir {
        dir: dir.clone(),
        max_files: args.coredump_max_files,
        max_bytes: args.coredump_max_mb.saturating_mul(1 << 20),
    });
    let options = ServeOptions { program, addr: args.addr, guest, coredumps };
    serve_http(&options, debug, profiler, |addr| say(&format!("Serving HTTP on http://{addr}/")))
}

/// Binds the agent and serves it on a thread of its own; the launcher and
/// the profiler are the server's side of it.
fn start_agent(
    args: &ServeArgs,
    addr: SocketAddr,
    program: &std::path::Path,
    guest: &ServedGuest,
) -> anyhow::Result<(ServerLauncher, ServerProfiler)> {
    // Breakpoints name the core module with the DWARF, as the symbols
    // layer picks it.
    let symbols = Arc::new(WasmSymbols::load(program, &LoadOptions::default())?);
    let launcher = ServerLauncher::new(program.to_path_buf(), guest.clone(), symbols.clone(), args.max_debug_requests);
    let profiler = ServerProfiler::new(program.to_path_buf(), symbols);
    let (at, scheme) = super::agent::start_agent(&args.agent, addr, |log| {
        Backend::new(Arc::new(launcher.clone()), log).with_profiler(Arc::new(profiler.clone()))
    })?;
    let http = if scheme == "wss" { "https" } else { "http" };
    say(&format!(
        "Live profiles: wasmscope profile --connect {scheme}://{at}; pprof at {http}://{at}/debug/pprof/profile"
    ));
    Ok((launcher, profiler))
}
