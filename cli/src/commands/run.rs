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
use wasmscope_runtime::{RunAgent, run_to_completion};

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
        None => run_to_completion(&guest)?,
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

/// The trap's stack, one line per source frame (inlined ones included),
/// from the program's DWARF; frames without symbols by function index.
fn backtrace(program: &std::path::Path, frames: &[TrapFrame]) -> String {
    let symbols = WasmSymbols::load(program, &LoadOptions { names_if_dwarf_is_bad: true, ..LoadOptions::default() });
    let mut out = String::new();
    for (depth, frame) in frames.iter().enumerate() {
        let module = symbols.as_ref().ok().and_then(|s| s.module(frame.module).ok());
        // Callers are at their return address; the call is just before it.
        let code = match (module, frame.offset) {
            (Some(m), Some(at)) => m.module().code.and_then(|c| c.to_code(at)).and_then(|at| match depth {
                0 => Some(at),
                _ => m.module().instruction_before(at),
            }),
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
