//! The one thread, its call stack (inlined frames included) and the
//! scopes of each frame.

use serde_json::{Value, json};
use wasmscope_debugger::session::stack::{StackFrame, inline_index, stack_frames};
use wasmscope_debugger::target::TargetFrame;

use crate::message::Request;
use crate::protocol::arguments::{FrameArguments, StackTraceArguments};
use crate::protocol::types::{self, Scope, Thread};
use crate::server::{Session, THREAD_ID, VariableScope, arguments, code_reference, source_of};

type Reply = Result<Option<Value>, String>;

pub(crate) fn threads(session: &mut Session, _request: &Request) -> Reply {
    let threads = match &session.run {
        Some(_) => vec![Thread { id: THREAD_ID, name: "main".into() }],
        None => Vec::new(),
    };
    Ok(Some(json!({ "threads": threads })))
}

/// This stop's stack, read from the guest once per stop.
pub(crate) fn current_stack(session: &mut Session) -> Result<(Vec<TargetFrame>, Vec<StackFrame>), String> {
    if let Some(stack) = &session.handles.stack {
        return Ok(stack.clone());
    }
    session.stopped_run()?;
    let symbols = session.symbols.clone().ok_or("no program")?;
    let run = session.stopped_run()?;
    let frames = run.debuggee.frames().map_err(|e| e.to_string())?;
    let stack = stack_frames(&symbols, &frames);
    session.handles.stack = Some((frames, stack));
    Ok(session.handles.stack.clone().unwrap_or_default())
}

/// The frame a frame id names, and its index among the source frames of
/// its physical frame (0 = innermost inlined).
pub(crate) fn frame(session: &mut Session, frame_id: i64) -> Result<(StackFrame, usize), String> {
    let (_, stack) = current_stack(session)?;
    let index = usize::try_from(frame_id - 1).ok().filter(|i| *i < stack.len());
    let index = index.ok_or_else(|| format!("frame {frame_id} is not on the stack at this stop"))?;
    Ok((stack[index].clone(), inline_index(&stack, index)))
}

pub(crate) fn stack_trace(session: &mut Session, request: &Request) -> Reply {
    let args: StackTraceArguments = arguments(request)?;
    if args.thread_id != THREAD_ID {
        return Err(format!("no thread {}", args.thread_id));
    }
    let (_, stack) = current_stack(session)?;
    let mappings = session.launch.as_ref().map(|l| l.source_map.clone()).unwrap_or_default();
    let start = args.start_frame.unwrap_or(0).min(stack.len());
    let end = match args.levels {
        Some(levels) if levels > 0 => (start + levels).min(stack.len()),
        _ => stack.len(),
    };
    let frames: Vec<types::StackFrame> = stack[start..end]
        .iter()
        .enumerate()
        .map(|(i, frame)| {
            let location = frame.location.as_ref().filter(|_| frame.has_source);
            types::StackFrame {
                id: (start + i + 1) as i64,
                name: if frame.inlined { format!("{} [inlined]", frame.function) } else { frame.function.clone() },
                source: location.and_then(|l| l.file.as_deref()).map(|f| source_of(f, &mappings)),
                line: location.map_or(0, |l| session.client.line_out(l.line)),
                column: location.map_or(0, |l| session.client.column_out(l.column)),
                instruction_pointer_reference: frame.offset.map(code_reference),
                module_id: 1,
                // Frames without source (libc without DWARF, say) are
                // dimmed; inlined ones are real source frames.
                presentation_hint: Some(if frame.has_source { "normal" } else { "subtle" }),
            }
        })
        .collect();
    for source in frames.iter().filter_map(|f| f.source.as_ref()) {
        if let Some(path) = &source.path
            && session.announced_sources.insert(path.clone())
        {
            session.out.event_after_response("loadedSource", Some(json!({ "reason": "new", "source": source })));
        }
    }
    Ok(Some(json!({ "stackFrames": frames, "totalFrames": stack.len() })))
}

pub(crate) fn scopes(session: &mut Session, request: &Request) -> Reply {
    let args: FrameArguments = arguments(request)?;
    let (frame, inline_index) = frame(session, args.frame_id)?;
    let index = (args.frame_id - 1) as usize;
    let symbols = session.symbols.clone().ok_or("no program")?;
    let module = symbols.program().map_err(|e| e.to_string())?;
    let mut scopes = Vec::new();
    if let Some(at) = frame.offset
        && module.has_dwarf()
    {
        let locals = module.variables_at(at).map_err(|e| e.to_string())?;
        let count = locals.get(inline_index).map_or(0, |f| f.variables.len());
        scopes.push(Scope {
            name: "Locals".into(),
            presentation_hint: Some("locals"),
            variables_reference: session.handles.reference(VariableScope::Locals { frame: index }),
            named_variables: Some(count),
            expensive: false,
        });
        scopes.push(Scope {
            name: "Globals".into(),
            presentation_hint: None,
            variables_reference: session.handles.reference(VariableScope::Globals { frame: index }),
            named_variables: None,
            expensive: false,
        });
    }
    scopes.push(Scope {
        name: "Wasm".into(),
        presentation_hint: Some("registers"),
        variables_reference: session.handles.reference(VariableScope::Wasm { frame: index }),
        named_variables: None,
        // Hundreds of raw values in real programs: fetched when opened.
        expensive: true,
    });
    Ok(Some(json!({ "scopes": scopes })))
}
