//! `wasmscope dap`: the Debug Adapter Protocol server, on stdio (what VS
//! Code starts), on a TCP port (`--port N`, what IntelliJ's LSP4IJ and
//! other clients connect to), or for WebSocket clients (`--ws-port N`).

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use wasmscope_dap::log::MessageLog;
use wasmscope_dap::transport::{WebSocketListener, serve_stdio, serve_tcp};

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
    /// Append a one-line summary of every message to FILE (never payloads).
    #[arg(long, value_name = "FILE")]
    log: Option<PathBuf>,
    /// Print the JSON schema of the `wasmscope` launch configuration and
    /// exit (IDE integrations generate their settings from it).
    #[arg(long, conflicts_with_all = ["port", "ws_port", "log"])]
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
    if let Some(port) = args.ws_port {
        let listener = WebSocketListener::bind(port).with_context(|| format!("cannot listen on 127.0.0.1:{port}"))?;
        let line = format!("DAP WebSocket server listening at: ws://127.0.0.1:{}\n", listener.port()?);
        let mut stdout = std::io::stdout();
        std::io::Write::write_all(&mut stdout, line.as_bytes())?;
        std::io::Write::flush(&mut stdout)?;
        return Ok(listener.serve(&log)?);
    }
    match args.port {
        Some(port) => serve_tcp(port, &log).with_context(|| format!("cannot listen on 127.0.0.1:{port}")),
        None => {
            serve_stdio(&log);
            Ok(())
        }
    }
}
