//! `wasmscope dap`: the Debug Adapter Protocol server, on stdio (what VS
//! Code starts) or on a TCP port (`--port N`, what IntelliJ's LSP4IJ and
//! other clients connect to).

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use wasmscope_dap::log::MessageLog;
use wasmscope_dap::transport::{serve_stdio, serve_tcp};

#[derive(Debug, Args)]
pub struct DapArgs {
    /// Listen on 127.0.0.1:PORT instead of stdio (0 picks a free port);
    /// prints `DAP server listening at: 127.0.0.1:PORT` once listening, and
    /// serves one session after another.
    #[arg(long)]
    port: Option<u16>,
    /// Append a one-line summary of every message to FILE (never payloads).
    #[arg(long, value_name = "FILE")]
    log: Option<PathBuf>,
    /// Print the JSON schema of the `wasmscope` launch configuration and
    /// exit (IDE integrations generate their settings from it).
    #[arg(long, conflicts_with_all = ["port", "log"])]
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
    match args.port {
        Some(port) => serve_tcp(port, &log).with_context(|| format!("cannot listen on 127.0.0.1:{port}")),
        None => {
            serve_stdio(&log);
            Ok(())
        }
    }
}
