//! The ids a client holds while threads are stopped: frame ids and
//! variable references. Each belongs to one thread's stop and is forgotten
//! when that thread resumes (as DAP prescribes), while the handles of the
//! threads still stopped stay valid. Ids are never given twice while any
//! thread is stopped; once none is, numbering starts again from 1.

use std::collections::HashMap;

use wasmscope_debugger::address::MemoryAddress;
use wasmscope_debugger::session::expand::Object;
use wasmscope_debugger::session::stack::StackFrame;
use wasmscope_debugger::symbols::DieRef;
use wasmscope_debugger::target::ThreadId;

/// A frame id: it names a thread and a source frame of its stack.
pub(crate) type FrameId = i64;

/// What a variables reference opens. Frames are frame ids.
#[derive(Clone, Debug)]
pub(crate) enum VariableScope {
    /// Parameters and locals of the frame.
    Locals { frame: FrameId },
    /// Globals and file statics of the frame's compilation unit.
    Globals { frame: FrameId },
    /// The raw Wasm locals and operand stack of the frame's physical frame.
    Wasm { frame: FrameId },
    /// The children of a value shown in the frame; `expression` names the
    /// value (the children's evaluate names build on it).
    Children { frame: FrameId, expression: String, object: Object },
    /// What an address computed by an expression points at.
    Pointee { frame: FrameId, expression: String, pointee: Option<DieRef>, address: MemoryAddress },
}

impl VariableScope {
    fn frame(&self) -> FrameId {
        match self {
            VariableScope::Locals { frame }
            | VariableScope::Globals { frame }
            | VariableScope::Wasm { frame }
            | VariableScope::Children { frame, .. }
            | VariableScope::Pointee { frame, .. } => *frame,
        }
    }
}

/// One stopped thread's stack: its source frames, and the id of the first
/// (the others follow).
#[derive(Clone, Debug)]
pub(crate) struct ThreadStack {
    pub frames: Vec<StackFrame>,
    pub first_id: FrameId,
}

impl ThreadStack {
    fn holds(&self, id: FrameId) -> bool {
        id >= self.first_id && id < self.first_id + self.frames.len() as FrameId
    }
}

#[derive(Debug)]
pub(crate) struct Handles {
    /// Each stopped thread's stack, read on first use.
    stacks: HashMap<ThreadId, ThreadStack>,
    next_frame_id: FrameId,
    /// References in order (reference n is entry n - 1); those of threads
    /// that resumed are `None`.
    references: Vec<Option<(ThreadId, VariableScope)>>,
    /// The reference given to each frame's scope, so asking for a frame's
    /// scopes twice gives the same ids (VS Code keeps a scope open across
    /// requests by its id).
    scopes: HashMap<(FrameId, u8), i64>,
}

impl Default for Handles {
    fn default() -> Self {
        Handles { stacks: HashMap::new(), next_frame_id: 1, references: Vec::new(), scopes: HashMap::new() }
    }
}

impl Handles {
    pub fn clear(&mut self) {
        *self = Handles::default();
    }

    /// Forgets the handles of `thread` (it resumed or ended).
    pub fn forget(&mut self, thread: ThreadId) {
        if let Some(stack) = self.stacks.remove(&thread) {
            self.scopes.retain(|(frame, _), _| !stack.holds(*frame));
        }
        for entry in &mut self.references {
            if entry.as_ref().is_some_and(|(owner, _)| *owner == thread) {
                *entry = None;
            }
        }
        if self.stacks.is_empty() && self.references.iter().all(Option::is_none) {
            self.clear();
        }
    }

    /// `thread`'s stack, if read at this stop.
    pub fn stack(&self, thread: ThreadId) -> Option<&ThreadStack> {
        self.stacks.get(&thread)
    }

    /// Keeps `thread`'s stack for this stop, giving its frames their ids.
    pub fn keep_stack(&mut self, thread: ThreadId, frames: Vec<StackFrame>) -> &ThreadStack {
        let first_id = self.next_frame_id;
        self.next_frame_id += frames.len().max(1) as FrameId;
        self.stacks.entry(thread).or_insert(ThreadStack { frames, first_id })
    }

    /// The thread and stack index a frame id names.
    pub fn frame(&self, id: FrameId) -> Result<(ThreadId, &ThreadStack, usize), String> {
        self.stacks
            .iter()
            .find(|(_, stack)| stack.holds(id))
            .map(|(thread, stack)| (*thread, stack, (id - stack.first_id) as usize))
            .ok_or_else(|| format!("frame {id} is not on a stopped thread's stack"))
    }

    /// A variables reference (> 0) for `scope`: the same one for a frame's
    /// scope each time, a new one for every value opened.
    pub fn reference(&mut self, thread: ThreadId, scope: VariableScope) -> i64 {
        let key = match &scope {
            VariableScope::Locals { frame } => Some((*frame, 0)),
            VariableScope::Globals { frame } => Some((*frame, 1)),
            VariableScope::Wasm { frame } => Some((*frame, 2)),
            VariableScope::Children { .. } | VariableScope::Pointee { .. } => None,
        };
        if let Some(existing) = key.and_then(|k| self.scopes.get(&k)) {
            return *existing;
        }
        self.references.push(Some((thread, scope)));
        let reference = self.references.len() as i64;
        if let Some(key) = key {
            self.scopes.insert(key, reference);
        }
        reference
    }

    /// What a reference opens, and the frame id it belongs to.
    pub fn scope(&self, reference: i64) -> Result<(FrameId, &VariableScope), String> {
        usize::try_from(reference - 1)
            .ok()
            .and_then(|i| self.references.get(i))
            .and_then(|entry| entry.as_ref())
            .map(|(_, scope)| (scope.frame(), scope))
            .ok_or_else(|| format!("variables reference {reference} is not valid at this stop"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(n: usize) -> Vec<StackFrame> {
        let frame = StackFrame {
            physical: 0,
            offset: None,
            function: "f".into(),
            location: None,
            inlined: false,
            has_source: false,
            script: None,
        };
        vec![frame; n]
    }

    #[test]
    fn a_resumed_thread_loses_its_handles_and_the_others_keep_theirs() {
        let mut handles = Handles::default();
        let first = handles.keep_stack(1, frames(3)).first_id;
        let second = handles.keep_stack(2, frames(2)).first_id;
        assert_eq!((first, second), (1, 4));
        let on_two = handles.reference(2, VariableScope::Locals { frame: second + 1 });
        let on_one = handles.reference(1, VariableScope::Locals { frame: first });
        assert_eq!(handles.reference(2, VariableScope::Locals { frame: second + 1 }), on_two);
        assert_eq!(handles.frame(5).map(|(t, _, i)| (t, i)), Ok((2, 1)));

        handles.forget(1);
        assert!(handles.scope(on_one).is_err());
        assert!(handles.frame(first).is_err());
        assert_eq!(handles.scope(on_two).map(|(frame, _)| frame), Ok(5));
        // Ids stay unique while thread 2 is stopped.
        assert_eq!(handles.keep_stack(1, frames(1)).first_id, 6);
        assert_ne!(handles.reference(1, VariableScope::Wasm { frame: 6 }), on_two);

        handles.forget(2);
        handles.forget(1);
        assert_eq!(handles.keep_stack(3, frames(1)).first_id, 1, "numbering starts again");
    }
}
