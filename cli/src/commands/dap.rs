//! `wasmscope dap`: the Debug Adapter Protocol server, on stdio (what VS
//! Code starts), on a TCP port (`--port N`, what IntelliJ's LSP4IJ and
//! other clients connect to), or for WebSocket clients (`--ws-port N`).

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use std::sync::Arc;

use wasmscope_dap::Backend;
use wasmscope_dap::log::MessageLog;
use wasmscope_dap::transport::{Credentials, WebSocketListener, connect, serve_stdio, serve_tcp};

#[derive(Debug, Args)]
pub struct DapArgs {
    /// Listen on 127.0.0.1:PORT instead of stdio (0 picks a free port);
    /// prints `DAP server listening at: 127.0.0.1:PORT` once listening, and
    /// serves one session after another.
    #[arg(long, conflicts_with = "ws_port")]
    port: Option<u16>,
    /// Listen for WebSocket clients on 127.0.0.1:PORT (one DAP message per
    /// text frame; 0 picks a free port); prints
    /// `DAP WebSocket server listening at: ws://127.0.0.1:PORT`.
    #[arg(long, value_name = "PORT")]
    ws_port: Option<u16>,
    /// With --ws-port: WebSocket clients must send `Authorization: Bearer
    /// <token>` with the token in FILE; without this option a token is
    /// generated and printed (`token: …`) when the server starts. With
    /// --connect: the agent's token (else `WASMSCOPE_TOKEN` holds it).
    #[arg(long, value_name = "FILE")]
    token_file: Option<PathBuf>,
    /// Bridge stdio to the debugging agent at ws://HOST:PORT (`wasmscope
    /// serve --debug-addr`): for IDEs that start adapters as processes; the
    /// session runs in the agent (use an `attach` configuration).
    #[arg(long, value_name = "URL", conflicts_with_all = ["port", "ws_port"])]
    connect: Option<String>,
    /// With --connect wss://…: trust the certificates in FILE (PEM; the
    /// agent's own, when it is self-signed) instead of the web's roots.
    #[arg(long, value_name = "FILE", requires = "connect")]
    ca_file: Option<PathBuf>,
    /// A web origin (`https://ide.example`) allowed to open a WebSocket
    /// session; repeatable. Handshakes carrying any other `Origin` are
    /// refused (403), so web pages cannot reach the debugger.
    #[arg(long, value_name = "ORIGIN", requires = "ws_port")]
    allow_origin: Vec<String>,
    /// Append a one-line summary of every message to FILE (never payloads).
    #[arg(long, value_name = "FILE")]
    log: Option<PathBuf>,
    /// Print the JSON schema of the `wasmscope` launch configuration and
    /// exit (IDE integrations generate their settings from it).
    #[arg(long, conflicts_with_all = ["port", "ws_port", "log", "connect"])]
    launch_schema: bool,
}

pub fn run(args: &DapArgs) -> anyhow::Result<()> {
    if args.launch_schema {
        let schema = serde_json::to_string_pretty(&wasmscope_dap::launch_config::launch_schema())?;
        std::io::Write::write_all(&mut std::io::stdout(), format!("{schema}\n").as_bytes())?;
        return Ok(());
    }
    let log = match &args.log {
        Some(path) => MessageLog::to_file(path).with_context(|| format!("cannot open the log {}", path.display()))?,
        None => MessageLog::default(),
    };
    if let Some(url) = &args.connect {
        let token = agent_token(args.token_file.as_deref())?;
        connect(url, &token, args.ca_file.as_deref(), std::io::stdin(), std::io::stdout(), &log)?;
        return Ok(());
    }
    if args.token_file.is_some() && args.ws_port.is_none() {
        anyhow::bail!("--token-file goes with --ws-port or --connect");
    }
    // The DAP server runs programs in this process, through the runtime.
    let backend = Backend::new(Arc::new(super::host_launcher::HostLauncher::default()), log);
    if let Some(port) = args.ws_port {
        let credentials = credentials(args.token_file.as_deref(), &args.allow_origin)?;
        let mut line = String::new();
        if args.token_file.is_none() {
            line.push_str(&format!("token: {}\n", credentials.token()));
        }
        let listener =
            WebSocketListener::bind(port, credentials).with_context(|| format!("cannot listen on 127.0.0.1:{port}"))?;
        line.push_str(&format!("DAP WebSocket server listening at: ws://127.0.0.1:{}\n", listener.port()?));
        let mut stdout = std::io::stdout();
        std::io::Write::write_all(&mut stdout, line.as_bytes())?;
        std::io::Write::flush(&mut stdout)?;
        return Ok(listener.serve(&backend)?);
    }
    match args.port {
        Some(port) => serve_tcp(port, &backend).with_context(|| format!("cannot listen on 127.0.0.1:{port}")),
        None => {
            serve_stdio(&backend);
            Ok(())
        }
    }
}

/// The token in `token_file`, or a new one (which the caller prints).
pub(super) fn credentials(
    token_file: Option<&std::path::Path>,
    allow_origin: &[String],
) -> anyhow::Result<Credentials> {
    Ok(match token_file {
        Some(path) => {
            let token = read_token(path)?;
            Credentials::new(&token, allow_origin.to_vec()).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?
        }
        None => Credentials::generate(allow_origin.to_vec())?,
    })
}

/// The token a client presents to an agent: from `token_file`, else from
/// `WASMSCOPE_TOKEN` (never the command line, which other users can read).
pub(super) fn agent_token(token_file: Option<&std::path::Path>) -> anyhow::Result<String> {
    match token_file {
        Some(path) => read_token(path),
        None => std::env::var("WASMSCOPE_TOKEN")
            .map_err(|_| anyhow::anyhow!("the agent needs its token: give --token-file FILE or set WASMSCOPE_TOKEN")),
    }
}

/// The token in `path`: a regular file, small, one line.
fn read_token(path: &std::path::Path) -> anyhow::Result<String> {
    let metadata = std::fs::metadata(path).with_context(|| format!("cannot read the token file {}", path.display()))?;
    if !metadata.is_file() || metadata.len() > 4096 {
        anyhow::bail!("{}: a token file is a small regular file", path.display());
    }
    std::fs::read_to_string(path).with_context(|| format!("cannot read the token file {}", path.display()))
}
