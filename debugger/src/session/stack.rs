//! The call stack as a user sees it: each physical Wasm frame expanded into
//! its inlined source frames, innermost first, with names and positions.

use crate::address::CodeOffset;
use crate::symbols::{NameOrigin, NameStyle, SourceLocation, WasmSymbols};
use crate::target::{HostFrame, TargetFrame};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StackFrame {
    /// Index of the physical frame in the target's frame list.
    pub physical: usize,
    /// The code offset this frame is at: the next instruction for the
    /// innermost frame, the call instruction for callers.
    pub offset: Option<CodeOffset>,
    pub function: String,
    pub location: Option<SourceLocation>,
    /// A frame that exists only in the source (inlined into the next one).
    pub inlined: bool,
    /// Whether a source position is known (else show disassembly).
    pub has_source: bool,
    /// A frame of the host's JavaScript: `physical` is then the Wasm frame
    /// below it, and it has no offset, location or variables.
    pub script: Option<HostFrame>,
}

/// Expands physical frames (innermost first, callers at their return
/// address, as the Wasmtime host reports them) into source frames.
///
/// Frames in another core module than the program's (a component's WASI
/// adapter) are named from that module but carry no code offset: offsets
/// everywhere else in the session are the program module's.
pub fn stack_frames(symbols: &WasmSymbols, frames: &[TargetFrame]) -> Vec<StackFrame> {
    let program = symbols.program_index();
    let mut out = Vec::new();
    for (physical, frame) in frames.iter().enumerate() {
        let Ok(module) = symbols.module(frame.module) else {
            continue;
        };
        let in_program = frame.module == program;
        let code = module.module().code.and_then(|c| c.to_code(frame.offset));
        // A caller is at its return address; the call is the instruction
        // before it, and that is the line it is on.
        let at = match code {
            Some(offset) if physical > 0 => module.module().instruction_before(offset).or(Some(offset)),
            other => other,
        };
        let source = at.and_then(|offset| module.frames_at(offset).ok()).unwrap_or_default();
        if source.is_empty() {
            out.push(StackFrame {
                physical,
                offset: at.filter(|_| in_program),
                function: module.module().fallback_function_name(frame.function_index),
                location: None,
                inlined: false,
                has_source: false,
                script: None,
            });
            continue;
        }
        for source_frame in source {
            let function = source_frame.function.as_ref().map_or_else(
                || module.module().fallback_function_name(frame.function_index),
                |f| f.display(NameStyle::Pretty),
            );
            let has_source = source_frame.name_origin == NameOrigin::Dwarf
                && source_frame.location.as_ref().is_some_and(|l| l.file.is_some() && l.line > 0);
            out.push(StackFrame {
                physical,
                offset: at.filter(|_| in_program),
                function,
                location: source_frame.location.clone(),
                inlined: source_frame.inlined,
                has_source,
                script: None,
            });
        }
    }
    out
}

/// Places the host's frames among the source frames: each above the first
/// Wasm frame below it.
pub fn with_host_frames(stack: Vec<StackFrame>, host: Vec<HostFrame>) -> Vec<StackFrame> {
    if host.is_empty() {
        return stack;
    }
    let mut out = Vec::with_capacity(stack.len() + host.len());
    let mut host = host.into_iter().peekable();
    let mut push_host_above = |physical: usize, out: &mut Vec<StackFrame>| {
        while let Some(frame) = host.next_if(|h| h.wasm_frames_above <= physical) {
            out.push(StackFrame {
                physical: frame.wasm_frames_above,
                offset: None,
                function: frame.function.clone(),
                location: None,
                inlined: false,
                has_source: false,
                script: Some(frame),
            });
        }
    };
    for frame in stack {
        if !out.last().is_some_and(|f: &StackFrame| f.physical == frame.physical && f.script.is_none()) {
            push_host_above(frame.physical, &mut out);
        }
        out.push(frame);
    }
    push_host_above(usize::MAX, &mut out);
    out
}

/// Where source frame `index` of `stack` is within its physical frame:
/// 0 for the innermost inlined frame (the index into `variables_at`).
pub fn inline_index(stack: &[StackFrame], index: usize) -> usize {
    let physical = stack[index].physical;
    stack[..index].iter().filter(|f| f.physical == physical && f.script.is_none()).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wasm(physical: usize, function: &str, inlined: bool) -> StackFrame {
        StackFrame {
            physical,
            offset: None,
            function: function.into(),
            location: None,
            inlined,
            has_source: false,
            script: None,
        }
    }

    fn script(above: usize, function: &str) -> HostFrame {
        HostFrame {
            wasm_frames_above: above,
            function: function.into(),
            url: String::new(),
            script: String::new(),
            line: 1,
            column: 1,
        }
    }

    /// JavaScript frames go between physical frames, never between a frame
    /// and the frames inlined into it, and below the last Wasm frame.
    #[test]
    fn host_frames_go_between_physical_frames() {
        let stack = vec![wasm(0, "import_caller", false), wasm(1, "helper", true), wasm(1, "main", false)];
        let host = vec![script(0, "js_on_top"), script(1, "import"), script(2, "start"), script(2, "module")];
        let names: Vec<String> = with_host_frames(stack, host).into_iter().map(|f| f.function).collect::<Vec<_>>();
        assert_eq!(names, ["js_on_top", "import_caller", "import", "helper", "main", "start", "module"]);
        let plain = vec![wasm(0, "f", false)];
        assert_eq!(with_host_frames(plain.clone(), Vec::new()), plain);
    }
}
