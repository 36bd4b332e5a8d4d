//! The ids a client holds while the program is stopped: frame ids (index
//! into this stop's stack) and variable references. All are forgotten when
//! the program resumes, as DAP prescribes.

use wasmscope_debugger::address::MemoryAddress;
use wasmscope_debugger::session::expand::Object;
use wasmscope_debugger::session::stack::StackFrame;
use wasmscope_debugger::symbols::DieRef;
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
    /// The reference given to each frame's scope, so asking for a frame's
    /// scopes twice gives the same ids (VS Code keeps a scope open across
    /// requests by its id).
    scopes: std::collections::HashMap<(usize, u8), i64>,
}

impl Handles {
    pub fn clear(&mut self) {
        self.stack = None;
        self.references.clear();
        self.scopes.clear();
    }

    /// A variables reference (> 0) for `scope`: the same one for a frame's
    /// scope each time, a new one for every value opened.
    pub fn reference(&mut self, scope: VariableScope) -> i64 {
        let key = match &scope {
            VariableScope::Locals { frame } => Some((*frame, 0)),
            VariableScope::Globals { frame } => Some((*frame, 1)),
            VariableScope::Wasm { frame } => Some((*frame, 2)),
            VariableScope::Children { .. } | VariableScope::Pointee { .. } => None,
        };
        if let Some(existing) = key.and_then(|k| self.scopes.get(&k)) {
            return *existing;
        }
        self.references.push(scope);
        let reference = self.references.len() as i64;
        if let Some(key) = key {
            self.scopes.insert(key, reference);
        }
        reference
    }

    pub fn scope(&self, reference: i64) -> Result<&VariableScope, String> {
        usize::try_from(reference - 1)
            .ok()
            .and_then(|i| self.references.get(i))
            .ok_or_else(|| format!("variables reference {reference} is not valid at this stop"))
    }
}
