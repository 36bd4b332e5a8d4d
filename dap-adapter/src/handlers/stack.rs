//! The threads, their call stacks (inlined frames included) and the
//! scopes of each frame.

use std::collections::HashMap;

use serde_json::{Value, json};
use wasmscope_debugger::session::stack::{StackFrame, inline_index, stack_frames, with_host_frames};
use wasmscope_debugger::target::{HostFrame, ThreadId};

use crate::message::Request;
use crate::protocol::arguments::{FrameArguments, StackTraceArguments};
use crate::protocol::types::{self, Scope, Thread};
use crate::server::{FrameId, Session, ThreadStack, VariableScope, arguments, code_reference, source_of};

type Reply = Result<Option<Value>, String>;

pub(crate) fn threads(session: &mut Session, _request: &Request) -> Reply {
    let threads: Vec<Thread> = match &session.run {
        Some(run) if !run.ended => {
            run.threads.iter().map(|(id, state)| Thread { id: *id as i64, name: state.name.clone() }).collect()
        }
        _ => Vec::new(),
    };
    Ok(Some(json!({ "threads": threads })))
}

/// `thread`'s stack at this stop, read from the target once per stop.
pub(crate) fn thread_stack(session: &mut Session, thread: ThreadId) -> Result<ThreadStack, String> {
    if let Some(stack) = session.handles.stack(thread) {
        return Ok(stack.clone());
    }
    let view = session.view(thread)?;
    let physical = view.frames()?;
    let host = view.host_frames()?;
    let symbols = session.symbols.clone().ok_or("no program")?;
    let frames = with_host_frames(stack_frames(&symbols, &physical), host);
    Ok(session.handles.keep_stack(thread, frames).clone())
}

/// The frame a frame id names: its thread, the frame, and its index among
/// the source frames of its physical frame (0 = innermost inlined).
pub(crate) fn frame(session: &mut Session, frame_id: FrameId) -> Result<(ThreadId, StackFrame, usize), String> {
    let (thread, stack, index) = session.handles.frame(frame_id)?;
    Ok((thread, stack.frames[index].clone(), inline_index(&stack.frames, index)))
}

/// The id of the innermost frame of the thread that stopped last (where
/// a request without a frame id looks).
pub(crate) fn default_frame(session: &mut Session) -> Result<FrameId, String> {
    let thread = session.default_thread()?;
    Ok(thread_stack(session, thread)?.first_id)
}

pub(crate) fn stack_trace(session: &mut Session, request: &Request) -> Reply {
    let args: StackTraceArguments = arguments(request)?;
    let thread = ThreadId::try_from(args.thread_id).map_err(|_| format!("no thread {}", args.thread_id))?;
    let ThreadStack { frames: stack, first_id, .. } = thread_stack(session, thread)?;
    let mappings = session.source_mappings();
    let start = args.start_frame.unwrap_or(0).min(stack.len());
    let end = match args.levels {
        Some(levels) if levels > 0 => (start + levels).min(stack.len()),
        _ => stack.len(),
    };
    // A page's scripts are no files: the client asks for their text by
    // number (`source` with a `sourceReference`).
    let references: HashMap<String, i64> = stack[start..end]
        .iter()
        .filter_map(|f| f.script.as_ref())
        .filter(|s| !s.url.starts_with("file://"))
        .filter_map(|s| Some((s.script.clone(), session.script_sources.reference(&s.script)?)))
        .collect();
    let frames: Vec<types::StackFrame> = stack[start..end]
        .iter()
        .enumerate()
        .map(|(i, frame)| {
            let id = first_id + (start + i) as FrameId;
            if let Some(script) = &frame.script {
                return script_frame(session, id, script, references.get(&script.script).copied());
            }
            let location = frame.location.as_ref().filter(|_| frame.has_source);
            types::StackFrame {
                id,
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

/// A JavaScript frame: its script and line; a local file opens in the
/// editor, another script by its `sourceReference`.
fn script_frame(session: &Session, id: FrameId, script: &HostFrame, reference: Option<i64>) -> types::StackFrame {
    let name = script.url.rsplit('/').next().unwrap_or(&script.url).split('?').next().unwrap_or_default();
    let path = script.url.strip_prefix("file://").map(str::to_owned);
    types::StackFrame {
        id,
        name: if script.function.is_empty() { "(anonymous)".into() } else { script.function.clone() },
        source: Some(types::Source {
            name: Some(if name.is_empty() { script.url.clone() } else { name.to_owned() }),
            path,
            source_reference: reference,
            presentation_hint: Some("deemphasize".into()),
        }),
        line: session.client.line_out(script.line),
        column: session.client.column_out(script.column),
        instruction_pointer_reference: None,
        module_id: 1,
        presentation_hint: Some("subtle"),
    }
}

pub(crate) fn scopes(session: &mut Session, request: &Request) -> Reply {
    let args: FrameArguments = arguments(request)?;
    let (thread, frame, inline_index) = frame(session, args.frame_id)?;
    if frame.script.is_some() {
        // JavaScript's variables are the browser's DevTools' to show.
        return Ok(Some(json!({ "scopes": [] })));
    }
    let id = args.frame_id;
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
            variables_reference: session.handles.reference(thread, VariableScope::Locals { frame: id }),
            named_variables: Some(count),
            expensive: false,
        });
        scopes.push(Scope {
            name: "Globals".into(),
            presentation_hint: None,
            variables_reference: session.handles.reference(thread, VariableScope::Globals { frame: id }),
            named_variables: None,
            expensive: false,
        });
    }
    scopes.push(Scope {
        name: "Wasm".into(),
        presentation_hint: Some("registers"),
        variables_reference: session.handles.reference(thread, VariableScope::Wasm { frame: id }),
        named_variables: None,
        // Hundreds of raw values in real programs: fetched when opened.
        expensive: true,
    });
    Ok(Some(json!({ "scopes": scopes })))
}
