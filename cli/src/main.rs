//! The `wasmscope` command: argument parsing and wiring only. Each
//! subcommand lives in `commands/`, and the work itself in the library crates.

mod commands;

use std::process::ExitCode;

use clap::Parser;

#[derive(Debug, Parser)]
#[command(name = "wasmscope", version, about = "Debugger and profiler for WebAssembly")]
struct Cli {
    #[command(subcommand)]
    command: commands::Command,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match commands::run(cli.command) {
        Ok(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
        Err(err) => {
            // One line, the whole cause chain: what failed and why.
            #[allow(clippy::print_stderr)]
            {
                eprintln!("wasmscope: error: {err:#}");
            }
            ExitCode::FAILURE
        }
    }
}
