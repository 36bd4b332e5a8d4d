//! How a guest run ended, in wasmscope's terms.

use crate::address::ModuleOffset;

/// Why WebAssembly stopped. The kinds a debugger user tells apart; the
/// message keeps wasmtime's words for anything rarer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrapKind {
    Unreachable,
    MemoryOutOfBounds,
    TableOutOfBounds,
    IndirectCallToNull,
    IndirectCallTypeMismatch,
    IntegerOverflow,
    IntegerDivisionByZero,
    BadConversionToInteger,
    StackExhausted,
    Interrupted,
    Other,
}

impl TrapKind {
    pub fn describe(self) -> &'static str {
        match self {
            TrapKind::Unreachable => "unreachable instruction executed",
            TrapKind::MemoryOutOfBounds => "out-of-bounds memory access",
            TrapKind::TableOutOfBounds => "out-of-bounds table access",
            TrapKind::IndirectCallToNull => "indirect call to a null table entry",
            TrapKind::IndirectCallTypeMismatch => "indirect call type mismatch",
            TrapKind::IntegerOverflow => "integer overflow",
            TrapKind::IntegerDivisionByZero => "integer division by zero",
            TrapKind::BadConversionToInteger => "invalid conversion to integer",
            TrapKind::StackExhausted => "call stack exhausted",
            TrapKind::Interrupted => "interrupted",
            TrapKind::Other => "trap",
        }
    }
}

/// One Wasm frame of a trap's stack, innermost first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrapFrame {
    /// Index of the core module among those of the program (0 for a module).
    pub module: usize,
    pub function_index: u32,
    /// Where the frame is: the trapping instruction for the innermost frame,
    /// the call for the others (as wasmtime's backtraces give them).
    pub offset: Option<ModuleOffset>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RunOutcome {
    Exited(i32),
    Trapped { kind: TrapKind, message: String, frames: Vec<TrapFrame> },
}
