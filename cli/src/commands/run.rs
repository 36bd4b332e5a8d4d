//! `wasmscope run`: runs a WASI command (preview1 module or preview2 command
//! component) plainly, as `wasmtime run` does: stdio inherited, the
//! program's exit status returned. A trap ends it with `wasmtime run`'s
//! status (134) and says what trapped, in the source. With `--debug-addr`,
//! a client may attach to it through the agent while it runs (it then runs
//! under guest debugging from its start: see runtime/src/run_agent.rs).

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context as _;
use clap::Args;
use wasmscope_dap::Backend;
use wasmscope_debugger::symbols::{LoadOptions, NameStyle, WasmSymbols};
use wasmscope_debugger::target::{RunOutcome, TrapFrame};
use wasmscope_runtime::{CoredumpWriter, RunAgent, run_plain, run_to_completion};

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The WASI program: a preview1 command module or a preview2 command
    /// component.
    program: PathBuf,
    /// Arguments for the program, after `--`.
    #[arg(last = true)]
    args: Vec<String>,
    #[command(flatten)]
    guest: super::GuestArgs,
    #[command(flatten)]
    agent: super::agent::AgentArgs,
    /// On a trap, write a Wasm coredump to this file (the stack, globals and
    /// memory at the trap; open it with `wasmscope debug --core FILE`).
    #[arg(long, value_name = "FILE")]
    coredump: Option<PathBuf>,
}

/// The status `wasmtime run` ends with on a trap (as a shell shows it).
const TRAP_STATUS: i32 = 134;

pub fn run(args: &RunArgs) -> anyhow::Result<i32> {
    let bytes = std::fs::read(&args.program).with_context(|| format!("cannot read {}", args.program.display()))?;
    if let Err(why) = wasmscope_runtime::check_command(&bytes) {
        anyhow::bail!("cannot run {}: {why}", args.program.display());
    }
    let guest = args.guest.config(args.program.clone(), args.args.clone())?;
    let outcome = match args.agent.debug_addr {
        None if args.coredump.is_some() => run_with_coredump(&args.program, &bytes, &guest, args.coredump.as_deref())?,
        None => run_to_completion(&guest)?,
        Some(_) if args.coredump.is_some() => {
            anyhow::bail!(
                "--coredump is for a plain run; with --debug-addr, a client that stops at the trap can write one \
                 (the launch attribute coreDumpOnTrap)"
            )
        }
        Some(addr) => {
            // Breakpoints name the core module with the DWARF.
            let symbols = WasmSymbols::load(&args.program, &LoadOptions::default())?;
            let guest = wasmscope_runtime::GuestConfig { core_module: symbols.program_index(), ..guest };
            let agent = RunAgent::start(&guest);
            let launcher = Arc::new(agent.clone());
            super::agent::start_agent(&args.agent, addr, |log| Backend::new(launcher, log))?;
            agent.wait()?
        }
    };
    match outcome {
        RunOutcome::Exited(code) => Ok(code),
        RunOutcome::Trapped { kind, message, frames } => {
            let mut report = format!("wasmscope: the program trapped: {} ({message})\n", kind.describe());
            report.push_str(&backtrace(&args.program, &frames));
            #[allow(clippy::print_stderr)]
            {
                eprint!("{report}");
            }
            Ok(TRAP_STATUS)
        }
    }
}

/// A plain run whose trap leaves a coredump at `path`; says where it went.
fn run_with_coredump(
    program: &std::path::Path,
    bytes: &[u8],
    guest: &wasmscope_runtime::GuestConfig,
    path: Option<&std::path::Path>,
) -> anyhow::Result<RunOutcome> {
    let writer = path.map(|path| CoredumpWriter::to_file(path, program, bytes));
    let run = run_plain(guest, writer.as_ref())?;
    #[allow(clippy::print_stderr)]
    match run.coredump {
        Some(Ok(path)) => eprintln!("wasmscope: wrote a coredump of the trap to {}", path.display()),
        Some(Err(why)) => eprintln!("wasmscope: no coredump written: {why}"),
        None => {}
    }
    Ok(run.outcome)
}

/// The trap's stack, one line per source frame (inlined ones included),
/// from the program's DWARF; frames without symbols by function index.
fn backtrace(program: &std::path::Path, frames: &[TrapFrame]) -> String {
    let symbols = WasmSymbols::load(program, &LoadOptions { names_if_dwarf_is_bad: true, ..LoadOptions::default() });
    let mut out = String::new();
    for (depth, frame) in frames.iter().enumerate() {
        let module = symbols.as_ref().ok().and_then(|s| s.module(frame.module).ok());
        // Callers are at their call (a backtrace's convention).
        let code = match (module, frame.offset) {
            (Some(m), Some(at)) => m.module().code.and_then(|c| c.to_code(at)),
            _ => None,
        };
        let source = module.zip(code).and_then(|(m, at)| m.frames_at(at).ok()).unwrap_or_default();
        if source.is_empty() {
            out.push_str(&format!("    #{depth} wasm-function[{}]\n", frame.function_index));
        }
        for found in source {
            let name = found.function.map_or_else(|| "?".to_owned(), |f| f.display(NameStyle::Pretty));
            let place = found
                .location
                .map(|l| format!(" at {}:{}", l.file.unwrap_or_else(|| "?".into()), l.line))
                .unwrap_or_default();
            let inlined = if found.inlined { " [inlined]" } else { "" };
            out.push_str(&format!("    #{depth} {name}{inlined}{place}\n"));
        }
    }
    out
}
