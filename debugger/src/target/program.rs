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

/// What runs the program.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum GuestHost {
    /// Wasmtime, in this process.
    #[default]
    Wasmtime,
    /// Node under its inspector, running `script` (default: wasmscope's
    /// WASI runner, which runs the program as a WASI command).
    Node { script: Option<PathBuf> },
    /// Chromium (headless or not) on `url`, a page that loads the program.
    Chrome { url: String, headless: bool },
    /// A Node or Chromium already running, whose DevTools endpoint is on
    /// 127.0.0.1:`port` (`node --inspect=PORT`, `chromium
    /// --remote-debugging-port=PORT`): its first page whose address starts
    /// with `page`, or Node's one target.
    DevtoolsPort { port: u16, browser: bool, page: Option<String> },
}

/// A WASI program and its environment.
#[derive(Clone, Debug, Default)]
pub struct GuestConfig {
    pub program: PathBuf,
    /// What runs it (the program's bytes give the symbols either way).
    pub host: GuestHost,
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
    pub output_budget: Option<crate::output_budget::OutputBudget>,
}

/// The least a user may ask for.
pub const SMALLEST_MAX_WASM_STACK: usize = 64 * 1024;
/// The most a user may ask for.
pub const LARGEST_MAX_WASM_STACK: usize = 256 * 1024 * 1024;
/// Parses a size in bytes: `1048576`, `512K`, `8M`, `1G` (powers of 1024;
/// `KiB`, `MiB`, `GiB` and `B` suffixes also accepted), within the bounds.
pub fn parse_stack_size(text: &str) -> Result<usize, String> {
    let trimmed = text.trim();
    let digits_end = trimmed.find(|c: char| !c.is_ascii_digit()).unwrap_or(trimmed.len());
    let (digits, unit) = trimmed.split_at(digits_end);
    let multiplier: usize = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kib" | "kb" => 1 << 10,
        "m" | "mib" | "mb" => 1 << 20,
        "g" | "gib" | "gb" => 1 << 30,
        _ => return Err(format!("`{text}` is not a size (e.g. 8M, 512K, 1048576)")),
    };
    let size = digits
        .parse::<usize>()
        .ok()
        .and_then(|n| n.checked_mul(multiplier))
        .ok_or_else(|| format!("`{text}` is not a size (e.g. 8M, 512K, 1048576)"))?;
    check_stack_size(size)
}

/// A stack size within the accepted bounds.
pub fn check_stack_size(size: usize) -> Result<usize, String> {
    if !(SMALLEST_MAX_WASM_STACK..=LARGEST_MAX_WASM_STACK).contains(&size) {
        return Err(format!(
            "the maximum Wasm stack must be between {} KiB and {} MiB",
            SMALLEST_MAX_WASM_STACK >> 10,
            LARGEST_MAX_WASM_STACK >> 20
        ));
    }
    Ok(size)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_with_binary_units_and_bounds() {
        assert_eq!(parse_stack_size("8M"), Ok(8 << 20));
        assert_eq!(parse_stack_size("512KiB"), Ok(512 << 10));
        assert_eq!(parse_stack_size("1048576"), Ok(1 << 20));
        assert!(parse_stack_size("1g").unwrap_err().contains("between"));
        assert!(parse_stack_size("1K").unwrap_err().contains("between"));
        assert!(parse_stack_size("lots").unwrap_err().contains("not a size"));
        assert!(parse_stack_size("99999999999999999999M").unwrap_err().contains("not a size"));
        assert!(parse_stack_size("-1").is_err());
    }
}
