//! The ids a client holds while the program is stopped: frame ids (index
//! into this stop's stack) and variable references. All are forgotten when
//! the program resumes, as DAP prescribes.

use wasmscope_debugger::address::MemoryAddress;
use wasmscope_debugger::session::expand::Object;
use wasmscope_debugger::symbols::DieRef;
use wasmscope_debugger::session::stack::StackFrame;
use wasmscope_debugger::target::TargetFrame;

/// What a variables reference opens.
#[derive(Clone, Debug)]
pub(crate) enum VariableScope {
    /// Parameters and locals of source frame `frame` of the stack.
    Locals { frame: usize },
    /// Globals and file statics of the frame's compilation unit.
    Globals { frame: usize },
    /// The raw Wasm locals and operand stack of the frame's physical frame.
    Wasm { frame: usize },
    /// The children of a value shown in frame `frame`; `expression`
    /// names the value (the children's evaluate names build on it).
    Children { frame: usize, expression: String, object: Object },
    /// What an address computed by an expression points at.
    Pointee { frame: usize, expression: String, pointee: Option<DieRef>, address: MemoryAddress },
}

#[derive(Debug, Default)]
pub(crate) struct Handles {
    /// This stop's physical frames and source frames, read on first use.
    pub stack: Option<(Vec<TargetFrame>, Vec<StackFrame>)>,
    references: Vec<VariableScope>,
}

impl Handles {
    pub fn clear(&mut self) {
        self.stack = None;
        self.references.clear();
    }

    /// A new variables reference (> 0) for `scope`.
    pub fn reference(&mut self, scope: VariableScope) -> i64 {
        self.references.push(scope);
        self.references.len() as i64
    }

    pub fn scope(&self, reference: i64) -> Result<&VariableScope, String> {
        usize::try_from(reference - 1)
            .ok()
            .and_then(|i| self.references.get(i))
            .ok_or_else(|| format!("variables reference {reference} is not valid at this stop"))
    }
}
