//! What to run and with what: the same knobs as `wasmtime run`.

use std::path::PathBuf;

/// A host directory made visible to the guest (`HOST[::GUEST]`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirMapping {
    pub host: PathBuf,
    pub guest: String,
}

impl std::str::FromStr for DirMapping {
    type Err = String;

    /// Parses `HOST` or `HOST::GUEST`, as `wasmtime run --dir` does.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if text.is_empty() {
            return Err("empty directory mapping".into());
        }
        Ok(match text.split_once("::") {
            Some((host, guest)) => DirMapping { host: host.into(), guest: guest.to_owned() },
            None => DirMapping { host: text.into(), guest: text.to_owned() },
        })
    }
}

/// A WASI program and its environment.
#[derive(Clone, Debug, Default)]
pub struct GuestConfig {
    pub program: PathBuf,
    /// Arguments after the program name (argv[1..]).
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
    pub dirs: Vec<DirMapping>,
    /// A file the guest reads as its stdin (else stdin is empty, or the
    /// host's when output is inherited).
    pub stdin: Option<PathBuf>,
    /// Discard the guest's stdout and stderr instead of inheriting them
    /// (benchmarks, tests).
    pub quiet: bool,
    /// Under the debugger: send stdout and stderr to the session as
    /// `DebuggeeEvent::Output`, as the guest writes them (overrides `quiet`).
    pub capture_output: bool,
    /// Under the debugger, for a component: which of its core modules
    /// breakpoint offsets refer to (the one with DWARF, as the symbols layer
    /// picks it); 0 for a module.
    pub core_module: usize,
    /// The most Wasm stack the program may use, in bytes, as `wasmtime run
    /// -W max-wasm-stack` counts it (`None`: wasmtime's default). The
    /// debugger allows more for its larger frames (`stack_limits`).
    pub max_wasm_stack: Option<usize>,
    /// With `capture_output`: the bound on output in flight to the session,
    /// whose receiver releases what it delivered (`None`: unbounded, for
    /// callers that read every event at once).
    pub output_budget: Option<wasmscope_debugger::output_budget::OutputBudget>,
}
