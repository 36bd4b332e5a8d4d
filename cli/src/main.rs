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
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return usage_error(&error),
    };
    let outcome = commands::run(cli.command);
    // A program compiled by this command stays cached for the next one.
    wasmscope_runtime::finish_cache_writes();
    match outcome {
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

/// Bad arguments get one line, as every other error does (clap's own form
/// spans several); help and version print as clap prints them.
fn usage_error(error: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(error.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion)
        || error.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    {
        error.exit();
    }
    let text = error.to_string();
    let first = text.lines().next().unwrap_or("invalid arguments");
    let message = first.strip_prefix("error: ").unwrap_or(first);
    #[allow(clippy::print_stderr)]
    {
        eprintln!("wasmscope: error: {message} (see --help)");
    }
    ExitCode::from(2)
}
