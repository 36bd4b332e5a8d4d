//! `wasmscope debug`: a console debugger for people without an IDE at
//! hand (and the quickest way to try the debugger: with no program it
//! debugs the bundled example). Commands come from `-x` or stdin.

mod console;
mod dap_client;
mod progress;

use std::path::PathBuf;

use clap::Args;
use serde_json::json;

#[derive(Debug, Args)]
pub struct DebugArgs {
    /// The WASI program (.wasm); the bundled example when omitted (with
    /// --core: the program the coredump names).
    program: Option<PathBuf>,
    /// Arguments for the program, after `--`.
    #[arg(last = true)]
    args: Vec<String>,
    /// A breakpoint before the program starts: FILE:LINE or a function
    /// name (repeatable).
    #[arg(short, long = "break", value_name = "LOCATION")]
    breakpoints: Vec<String>,
    /// Commands to run, separated by `;` (instead of reading stdin), e.g.
    /// `-x "run; bt; locals; next; continue"`.
    #[arg(short = 'x', long, value_name = "COMMANDS")]
    commands: Option<String>,
    /// Rewrite a recorded source path prefix: FROM=TO (repeatable).
    #[arg(long, value_name = "FROM=TO")]
    source_map: Vec<String>,
    /// Stop before the program's first instruction.
    #[arg(long)]
    stop_on_entry: bool,
    /// A file the program reads as its standard input (the console's own
    /// stdin carries commands).
    #[arg(long, value_name = "FILE")]
    stdin: Option<PathBuf>,
    /// A host directory for the program, HOST[::GUEST] (repeatable).
    #[arg(long = "dir", value_name = "HOST[::GUEST]")]
    dirs: Vec<String>,
    /// An environment variable for the program, NAME=VALUE (repeatable).
    #[arg(long = "env", value_name = "NAME=VALUE")]
    env: Vec<String>,
    /// The most Wasm stack the program may use, as `wasmtime run` counts it
    /// (e.g. 8M; default 512K); the debugger allows 16 times as much.
    #[arg(long, value_name = "SIZE", value_parser = wasmscope_runtime::stack_limits::parse_stack_size)]
    max_wasm_stack: Option<usize>,
    /// Open this Wasm coredump instead of running the program: the stack,
    /// variables and memory at its trap (`bt`, `up`, `locals`, `print`; nothing
    /// runs). Written by `wasmscope run --coredump`, `serve --coredump-dir`,
    /// the debugger's coreDumpOnTrap, or `wasmtime run -D coredump=FILE`.
    #[arg(long, value_name = "COREDUMP")]
    core: Option<PathBuf>,
}

pub fn run(args: &DebugArgs) -> anyhow::Result<i32> {
    let mut source_map = serde_json::Map::new();
    if let Some(core) = &args.core {
        return post_mortem(args, core);
    }
    let program = match &args.program {
        Some(program) => program.clone(),
        None => {
            let example = super::bundled::example()?;
            source_map
                .insert(super::bundled::RECORDED_SOURCE_DIR.into(), example.source_dir.display().to_string().into());
            example.program
        }
    };
    source_map.extend(self::source_map(args)?);
    let env: serde_json::Map<String, serde_json::Value> =
        super::parse_env(&args.env)?.into_iter().map(|(name, value)| (name, value.into())).collect();
    let mut launch = json!({
        "program": program,
        "args": args.args,
        "cwd": std::env::current_dir()?,
        "sourceMap": source_map,
        "stopOnEntry": args.stop_on_entry,
        "env": env,
        "dirs": args.dirs,
    });
    if let Some(stdin) = &args.stdin {
        launch["stdin"] = json!(stdin);
    }
    if let Some(size) = args.max_wasm_stack {
        launch["maxWasmStack"] = json!(size.to_string());
    }
    let mut console = console::Console::launch(&launch)?;
    for location in &args.breakpoints {
        console.execute(&format!("break {location}"))?;
    }
    commands(args, console)
}

fn commands(args: &DebugArgs, mut console: console::Console) -> anyhow::Result<i32> {
    match &args.commands {
        Some(commands) => console.run_script(commands.split(';')),
        None => console.run_stdin(),
    }
}

/// `--core`: the coredump opened at its trap, then the user's commands.
fn post_mortem(args: &DebugArgs, core: &std::path::Path) -> anyhow::Result<i32> {
    let mut launch = json!({ "coreDump": core, "cwd": std::env::current_dir()?, "sourceMap": source_map(args)? });
    if let Some(program) = &args.program {
        launch["program"] = json!(program);
    }
    let mut console = console::Console::launch(&launch)?;
    console.execute("run")?;
    commands(args, console)
}

fn source_map(args: &DebugArgs) -> anyhow::Result<serde_json::Map<String, serde_json::Value>> {
    let mut source_map = serde_json::Map::new();
    for mapping in &args.source_map {
        let (from, to) =
            mapping.split_once('=').ok_or_else(|| anyhow::anyhow!("--source-map takes FROM=TO, not `{mapping}`"))?;
        source_map.insert(from.into(), to.into());
    }
    Ok(source_map)
}
