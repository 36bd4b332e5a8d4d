//! Running and stopping: continue, the three steps (and the calls a step
//! in can target), pause, and what the trap the program stopped at was.

use std::sync::Arc;

use serde_json::{Value, json};
use wasmscope_debugger::session::step_targets;
use wasmscope_debugger::session::stepping::{StepKind, Stepper};
use wasmscope_debugger::target::Resume;

use crate::message::Request;
use crate::protocol::arguments::{FrameArguments, ThreadArguments};
use crate::server::{RunState, Session, THREAD_ID, arguments};

type Reply = Result<Option<Value>, String>;

fn check_thread(request: &Request) -> Result<ThreadArguments, String> {
    let args: ThreadArguments = arguments(request)?;
    if args.thread_id != THREAD_ID {
        return Err(format!("no thread {}: a WASI program has one thread, {THREAD_ID}", args.thread_id));
    }
    Ok(args)
}

pub(crate) fn continue_(session: &mut Session, request: &Request) -> Reply {
    check_thread(request)?;
    let run = session.stopped_run()?;
    run.debuggee.resume(Resume::Continue).map_err(|e| e.to_string())?;
    run.state = RunState::Running;
    session.handles.clear();
    Ok(Some(json!({ "allThreadsContinued": true })))
}

pub(crate) fn next(session: &mut Session, request: &Request) -> Reply {
    step(session, request, StepKind::Over)
}

pub(crate) fn step_in(session: &mut Session, request: &Request) -> Reply {
    step(session, request, StepKind::Into)
}

/// The calls on the frame's line, for stepping into one of them. Target
/// ids are the callees' function indices + 1 (ids are positive).
pub(crate) fn step_in_targets(session: &mut Session, request: &Request) -> Reply {
    let args: FrameArguments = arguments(request)?;
    let (frame, _) = super::stack::frame(session, args.frame_id)?;
    let symbols = session.symbols.clone().ok_or("no program")?;
    let module = symbols.program().map_err(|e| e.to_string())?;
    let pc = frame.offset.ok_or("the frame is outside the code")?;
    let targets: Vec<Value> = step_targets::step_in_targets(module, pc)?
        .into_iter()
        .map(|t| json!({ "id": i64::from(t.function_index) + 1, "label": t.name }))
        .collect();
    Ok(Some(json!({ "targets": targets })))
}

pub(crate) fn step_out(session: &mut Session, request: &Request) -> Reply {
    step(session, request, StepKind::Out)
}

/// Steps run in the runtime's event handler (a `Stepper`), so only the
/// final stop comes back to the session.
fn step(session: &mut Session, request: &Request, kind: StepKind) -> Reply {
    let args = check_thread(request)?;
    let symbols = session.symbols.clone().ok_or("no program")?;
    let user_breakpoints = session.breakpoints.lock().unwrap_or_else(|p| p.into_inner()).module_offsets(&symbols);
    let run = session.stopped_run()?;
    if args.granularity.as_deref() == Some("instruction") && kind != StepKind::Out {
        // One Wasm instruction (calls are entered either way).
        run.debuggee.resume(Resume::Step).map_err(|e| e.to_string())?;
    } else {
        let mut stepper = Stepper::new(Arc::clone(&symbols), kind, &mut run.debuggee, user_breakpoints)?;
        if let Some(target) = args.target_id.filter(|_| kind == StepKind::Into) {
            let index = u32::try_from(target - 1).map_err(|_| format!("no step-in target {target}"))?;
            stepper = stepper.into_target(index);
        }
        let first = stepper.first_resume();
        run.debuggee.resume_with(Box::new(stepper), first).map_err(|e| e.to_string())?;
    }
    run.stepping = true;
    run.state = RunState::Running;
    session.handles.clear();
    Ok(None)
}

pub(crate) fn pause(session: &mut Session, request: &Request) -> Reply {
    check_thread(request)?;
    match &session.run {
        Some(run) if run.state == RunState::Running => {
            // The guest may be waiting in a write for its output to drain:
            // let it back into Wasm, where the pause can stop it.
            run.budget.interrupt();
            run.debuggee.pause();
        }
        // Already stopped: nothing to do, as DAP allows.
        Some(run) if run.state == RunState::Stopped => {}
        _ => return Err("the program is not running".into()),
    }
    Ok(None)
}

pub(crate) fn exception_info(session: &mut Session, request: &Request) -> Reply {
    check_thread(request)?;
    let run = session.stopped_run()?;
    let kind = run.trap.ok_or("the program is not stopped at a trap")?;
    Ok(Some(json!({
        "exceptionId": format!("{kind:?}"),
        "description": kind.describe(),
        "breakMode": "always",
        "details": { "message": kind.describe(), "typeName": "WebAssembly trap" },
    })))
}
