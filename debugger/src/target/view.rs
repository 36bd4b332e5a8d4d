//! What can be asked of a stopped thread, and the policies that judge its
//! breaks where the guest runs.

use super::error::TargetError;
use crate::address::{MemoryAddress, ModuleOffset};

/// A Wasm value as the debugger sees it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum WasmValue {
    I32(i32),
    I64(i64),
    F32(f32),
    F64(f64),
    /// A reference or vector: shown, not decoded.
    Other,
}

impl WasmValue {
    /// The value as the DWARF evaluator takes it (an unsigned machine word).
    pub fn as_u64(self) -> Option<u64> {
        match self {
            WasmValue::I32(v) => Some(u64::from(v as u32)),
            WasmValue::I64(v) => Some(v as u64),
            WasmValue::F32(v) => Some(u64::from(v.to_bits())),
            WasmValue::F64(v) => Some(v.to_bits()),
            WasmValue::Other => None,
        }
    }
}

/// A physical Wasm frame of a stopped guest, innermost first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TargetFrame {
    /// Which core module of the program the frame runs (0 for a module;
    /// for a component, its index among the core modules in file order).
    pub module: usize,
    /// Index in the module's function index space (imports included).
    pub function_index: u32,
    /// The instruction about to run (innermost); for callers, the return
    /// address just after their call.
    pub offset: ModuleOffset,
}

/// A frame of the host's own code (JavaScript, in V8) on a stopped
/// thread's stack: shown among the Wasm frames, not inspected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostFrame {
    /// How many Wasm frames are above it (innermost first).
    pub wasm_frames_above: usize,
    pub function: String,
    /// The script's address, as the host names it (`file://…`, `https://…`).
    pub url: String,
    /// The host's id of the script, for its text ([`Target::script_source`](super::Target::script_source)).
    pub script: String,
    /// 1-based.
    pub line: u32,
    /// 1-based.
    pub column: u32,
}

/// A frame's raw Wasm state.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WasmState {
    pub locals: Vec<WasmValue>,
    pub stack: Vec<WasmValue>,
}

/// How a stopped guest goes on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resume {
    Continue,
    /// Stop again before the next Wasm instruction.
    Step,
}

/// What can be asked of a stopped guest. Implementations answer on the
/// guest's own thread, so calls are cheap (no round trip).
pub trait TargetView {
    fn frames(&mut self) -> Result<Vec<TargetFrame>, TargetError>;
    /// The innermost frame alone (cheaper than the whole stack).
    fn innermost(&mut self) -> Result<Option<TargetFrame>, TargetError> {
        Ok(self.frames()?.into_iter().next())
    }
    /// The frames of the host's own code among the Wasm frames (none for
    /// Wasmtime, whose host code is not the user's).
    fn host_frames(&mut self) -> Result<Vec<HostFrame>, TargetError> {
        Ok(Vec::new())
    }
    fn local(&mut self, frame: usize, index: u32) -> Result<WasmValue, TargetError>;
    fn global(&mut self, index: u32) -> Result<WasmValue, TargetError>;
    /// All Wasm locals (parameters first) and the operand stack (bottom
    /// first) of a physical frame: the Wasm scope of a stack frame.
    fn wasm_state(&mut self, frame: usize) -> Result<WasmState, TargetError>;
    fn read_memory(&mut self, address: MemoryAddress, len: usize) -> Result<Vec<u8>, TargetError>;
    /// The size in bytes of the program's linear memory (for a coredump).
    fn memory_size(&mut self) -> Result<u64, TargetError> {
        Err(TargetError::refused("this target does not say its memory's size"))
    }
    fn write_memory(&mut self, address: MemoryAddress, bytes: &[u8]) -> Result<(), TargetError>;
    /// Replaces the breakpoints set in the guest (module offsets).
    fn set_breakpoints(&mut self, offsets: &[ModuleOffset]) -> Result<(), TargetError>;
    /// Whether the client's breakpoint at the current position stops the
    /// program, judged as when it runs (condition, hit count; a logpoint
    /// prints and goes on): a step that meets one in a callee honours it.
    /// Without a judge, every breakpoint stops.
    fn breakpoint_stops_here(&mut self) -> bool {
        true
    }
}

/// Decides, on the guest's thread, what a breakpoint or step event means:
/// `Some(resume)` goes on without bothering the client (a false condition,
/// a step that has not reached a new line), `None` stops and reports.
pub trait BreakPolicy: Send {
    fn on_break(&mut self, view: &mut dyn TargetView) -> Option<Resume>;
}
