//! The subcommands.

mod agent;
mod bundled;
mod dap;
mod debug;
mod diff;
mod host_launcher;
mod info;
mod lines;
mod profile;
mod profile_chrome;
mod profile_node;
mod profile_remote;
mod run;
mod serve;
mod symbolize;
mod symbolize_profile;

use std::path::PathBuf;

use clap::{Args, Subcommand};
use wasmscope_debugger::symbols::{LoadOptions, WasmSymbols};
use wasmscope_debugger::target::{DirMapping, GuestConfig};

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Code-section offsets → function, file:line:column (inlined frames
    /// innermost first); output as `llvm-symbolizer --obj=APP.wasm` prints it.
    Symbolize(symbolize::SymbolizeArgs),
    /// A V8 CPU profile (node --cpu-prof, DevTools) with its Wasm frames
    /// named and placed from DWARF, in any profile format.
    SymbolizeProfile(symbolize_profile::SymbolizeProfileArgs),
    /// FILE:LINE → the code offsets where a breakpoint on it binds.
    Lines(lines::LinesArgs),
    /// Modules, functions, source files and DWARF of a .wasm file.
    Info(info::InfoArgs),
    /// Sampling CPU profile of a WASI program, symbolized with DWARF, as a
    /// flamegraph or folded stacks; with no program, the bundled example;
    /// with --connect, of a running server through its agent.
    Profile(profile::ProfileArgs),
    /// Differential flamegraph of two profiles (folded, speedscope or pprof).
    Diff(diff::DiffArgs),
    /// Debug Adapter Protocol server for IDEs: stdio by default, `--port N`
    /// for TCP. Launch configurations have type `wasmscope`.
    Dap(dap::DapArgs),
    /// Console debugger (break, run, next, step, bt, locals, print); with no
    /// program, the bundled example.
    Debug(debug::DebugArgs),
    /// Runs a WASI command plainly, as `wasmtime run` (stdio inherited, its
    /// exit status returned; a trap prints where it happened).
    Run(run::RunArgs),
    /// HTTP server for a wasi:http/proxy component, as `wasmtime serve`; with
    /// no program, the bundled example.
    Serve(serve::ServeArgs),
    /// Language server (stdio): profile heat and debug-info facts in any
    /// editor (code lenses, inlay hints on hot lines, hovers, stale-build
    /// hints, and the `wasmscope/heat` request).
    Lsp,
}

/// Runs a command; the result is the process exit status.
pub fn run(command: Command) -> anyhow::Result<i32> {
    match command {
        Command::Symbolize(args) => symbolize::run(&args).map(|()| 0),
        Command::SymbolizeProfile(args) => symbolize_profile::run(&args).map(|()| 0),
        Command::Lines(args) => lines::run(&args).map(|()| 0),
        Command::Info(args) => info::run(&args).map(|()| 0),
        Command::Profile(args) => profile::run(&args),
        Command::Diff(args) => diff::run(&args).map(|()| 0),
        Command::Dap(args) => dap::run(&args).map(|()| 0),
        Command::Debug(args) => debug::run(&args),
        Command::Run(args) => run::run(&args),
        Command::Serve(args) => serve::run(&args).map(|()| 0),
        Command::Lsp => wasmscope_lsp::serve_stdio().map(|()| 0).map_err(anyhow::Error::from),
    }
}

/// What a program run plainly or profiled is given besides its arguments.
#[derive(Debug, Args)]
pub struct GuestArgs {
    /// A host directory for the program, HOST[::GUEST] (repeatable).
    #[arg(long = "dir", value_name = "HOST[::GUEST]")]
    dirs: Vec<DirMapping>,
    /// An environment variable for the program, NAME=VALUE (repeatable).
    #[arg(long = "env", value_name = "NAME=VALUE")]
    env: Vec<String>,
    /// The most Wasm stack the program may use (e.g. 8M; default 512K, as
    /// `wasmtime run`).
    #[arg(long, value_name = "SIZE", value_parser = wasmscope_runtime::stack_limits::parse_stack_size)]
    max_wasm_stack: Option<usize>,
}

impl GuestArgs {
    /// `program` run with `args` and these settings.
    pub fn config(&self, program: PathBuf, args: Vec<String>) -> anyhow::Result<GuestConfig> {
        Ok(GuestConfig {
            program,
            args,
            env: parse_env(&self.env)?,
            dirs: self.dirs.clone(),
            max_wasm_stack: self.max_wasm_stack,
            ..GuestConfig::default()
        })
    }
}

/// `--env NAME=VALUE` options, as (name, value) pairs.
pub fn parse_env(options: &[String]) -> anyhow::Result<Vec<(String, String)>> {
    options
        .iter()
        .map(|option| {
            option
                .split_once('=')
                .map(|(name, value)| (name.to_owned(), value.to_owned()))
                .ok_or_else(|| anyhow::anyhow!("--env takes NAME=VALUE, not `{option}`"))
        })
        .collect()
}

/// The options every command that reads a module's symbols shares.
#[derive(Debug, Args)]
pub struct ModuleArgs {
    /// The .wasm module or component.
    pub wasm: PathBuf,
    /// Separate file with the DWARF (default: the module's own sections, its
    /// `external_debug_info` section, or APP.debug.wasm beside it).
    #[arg(long)]
    pub debug_file: Option<PathBuf>,
    /// Which core module of a component (0-based, as `info` lists them).
    #[arg(long, default_value_t = 0)]
    pub module: usize,
}

impl ModuleArgs {
    pub fn load(&self) -> anyhow::Result<WasmSymbols> {
        let options = LoadOptions { debug_file: self.debug_file.clone(), ..LoadOptions::default() };
        Ok(WasmSymbols::load(&self.wasm, &options)?)
    }
}
