//! What a sampler records while the guest runs: cheap to capture, no names.

use std::time::Duration;

use wasmscope_debugger::address::ModuleOffset;

/// One Wasm frame as the runtime saw it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RawFrame {
    /// Index of the core module among the program's (0 for a module).
    pub module: usize,
    pub function_index: u32,
    /// The instruction for the innermost frame, the return address for the
    /// others; `None` when the runtime could not map it.
    pub offset: Option<ModuleOffset>,
}

/// One stack, innermost frame first, seen `weight` times.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawSample {
    pub frames: Vec<RawFrame>,
    /// The guest was inside a host call (a WASI import) made by the
    /// innermost frame.
    pub in_host: bool,
    pub weight: u64,
}

#[derive(Clone, Debug, Default)]
pub struct RawProfile {
    pub program: String,
    pub requested_rate_hz: u32,
    pub duration: Duration,
    pub samples: Vec<RawSample>,
    /// Timer ticks that produced no sample (the guest was not running Wasm
    /// or host code we attribute, e.g. during instantiation).
    pub dropped_ticks: u64,
}

impl RawProfile {
    pub fn sample_count(&self) -> u64 {
        self.samples.iter().map(|s| s.weight).sum()
    }
}
