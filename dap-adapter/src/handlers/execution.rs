//! Running and stopping: continue, the three steps (and the calls a step
//! in can target), pause, and what the trap the program stopped at was.

use std::sync::Arc;

use serde_json::{Value, json};
use wasmscope_debugger::session::step_targets;
use wasmscope_debugger::session::stepping::{StepKind, Stepper};
use wasmscope_debugger::target::Resume;

use crate::message::Request;
use crate::protocol::arguments::{FrameArguments, ThreadArguments};
use wasmscope_debugger::target::ThreadId;

use crate::server::{RunState, Session, arguments};

type Reply = Result<Option<Value>, String>;

/// The request's arguments and the live thread they name.
fn thread_of(session: &mut Session, request: &Request) -> Result<(ThreadArguments, ThreadId), String> {
    let args: ThreadArguments = arguments(request)?;
    let thread = ThreadId::try_from(args.thread_id).map_err(|_| format!("no thread {}", args.thread_id))?;
    session.live_run()?.thread(thread)?;
    Ok((args, thread))
}

/// After `thread` resumed: its handles (every thread's, on a target where
/// all threads run together) are gone.
fn resumed(session: &mut Session, thread: ThreadId) -> bool {
    let Some(run) = session.run.as_mut() else { return false };
    run.mark_running(thread);
    let all = run.target.stops_all_threads();
    if all {
        session.handles.clear();
    } else {
        session.handles.forget(thread);
    }
    all
}

pub(crate) fn continue_(session: &mut Session, request: &Request) -> Reply {
    let (_, thread) = thread_of(session, request)?;
    let run = session.live_run()?;
    run.stopped_thread(thread)?;
    run.target.resume(thread, Resume::Continue)?;
    let all = resumed(session, thread);
    Ok(Some(json!({ "allThreadsContinued": all })))
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
    let (_, frame, _) = super::stack::frame(session, args.frame_id)?;
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
    let (args, thread) = thread_of(session, request)?;
    let symbols = session.symbols.clone().ok_or("no program")?;
    let user_breakpoints = session.breakpoints.lock().unwrap_or_else(|p| p.into_inner()).module_offsets(&symbols);
    let run = session.live_run()?;
    if args.granularity.as_deref() == Some("instruction") && kind != StepKind::Out {
        // One Wasm instruction (calls are entered either way).
        run.stopped_thread(thread)?;
        run.target.resume(thread, Resume::Step)?;
    } else {
        let mut stepper = Stepper::new(Arc::clone(&symbols), kind, run.view(thread)?, user_breakpoints)?;
        if let Some(target) = args.target_id.filter(|_| kind == StepKind::Into) {
            let index = u32::try_from(target - 1).map_err(|_| format!("no step-in target {target}"))?;
            stepper = stepper.into_target(index);
        }
        let first = stepper.first_resume();
        run.target.resume_with(thread, Box::new(stepper), first)?;
    }
    run.thread(thread)?.stepping = true;
    resumed(session, thread);
    Ok(None)
}

pub(crate) fn pause(session: &mut Session, request: &Request) -> Reply {
    let (_, thread) = thread_of(session, request)?;
    let run = session.live_run()?;
    if run.thread(thread)?.state == RunState::Running {
        // The guest may be waiting in a write for its output to drain:
        // let it back into Wasm, where the pause can stop it.
        run.budget.interrupt();
        run.target.pause(thread)?;
    }
    // Already stopped: nothing to do, as DAP allows.
    Ok(None)
}

pub(crate) fn exception_info(session: &mut Session, request: &Request) -> Reply {
    let (_, thread) = thread_of(session, request)?;
    let kind = session.live_run()?.stopped_thread(thread)?.trap.ok_or("the thread is not stopped at a trap")?;
    Ok(Some(json!({
        "exceptionId": format!("{kind:?}"),
        "description": kind.describe(),
        "breakMode": "always",
        "details": { "message": kind.describe(), "typeName": "WebAssembly trap" },
    })))
}
