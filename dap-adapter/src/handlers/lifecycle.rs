//! Starting and ending a session: initialize, launch, attach, configurationDone,
//! restart, terminate, disconnect, cancel.

use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use wasmscope_debugger::session::breakpoints::BreakpointTable;
use wasmscope_debugger::symbols::{LoadOptions, WasmSymbols};

use crate::launch_config::LaunchConfig;
use crate::message::Request;
use crate::protocol::arguments::{DisconnectArguments, InitializeArguments, RestartArguments};
use crate::protocol::capabilities::capabilities;
use crate::server::{ClientInfo, Run, RunState, SUPPORTED, Session, arguments};

type Reply = Result<Option<Value>, String>;

pub(crate) fn initialize(session: &mut Session, request: &Request) -> Reply {
    if session.initialized {
        return Err("the session is already initialized".into());
    }
    let args: InitializeArguments = arguments(request)?;
    if args.path_format.as_deref().is_some_and(|f| f != "path") {
        return Err("wasmscope speaks file paths, not URIs (`pathFormat` must be `path`)".into());
    }
    session.client = ClientInfo {
        lines_from_one: args.lines_start_at1.unwrap_or(true),
        columns_from_one: args.columns_start_at1.unwrap_or(true),
        memory_event: args.supports_memory_event.unwrap_or(false),
        progress: args.supports_progress_reporting.unwrap_or(false),
    };
    session.initialized = true;
    Ok(Some(capabilities(SUPPORTED)))
}

/// Loads the program's symbols (so a corrupt module or a wrong path is a
/// launch error), starts compiling it, then asks for the configuration. The
/// program starts at `configurationDone`, with the breakpoints set by then.
pub(crate) fn launch(session: &mut Session, request: &Request) -> Reply {
    if session.launch.is_some() {
        return Err("this session already launched a program".into());
    }
    let config = LaunchConfig::parse(request.arguments.as_ref().unwrap_or(&Value::Null))?;
    begin(session, config, "launch")
}

/// Loads the program's symbols and starts preparing its run (`launch`, or
/// `attach` to a Node or Chromium by port).
fn begin(session: &mut Session, config: LaunchConfig, start_method: &str) -> Reply {
    if config.guest.program.as_os_str().is_empty() {
        return begin_with_found_program(session, config, start_method);
    }
    let symbols = load_symbols(&config)?;
    let program = config.guest.program.display().to_string();
    adopt(session, config, symbols);
    // Compiling takes seconds on a large module: start now, while the
    // client sets its breakpoints. The target refuses what it cannot run.
    if let Err(error) = session.start_compiling() {
        session.launch = None;
        session.symbols = None;
        return Err(error);
    }
    let post_mortem = session.launch.as_ref().is_some_and(|l| l.core.is_some());
    if post_mortem {
        // Nothing runs: the client greys out what cannot be done.
        session.out.event_after_response("capabilities", Some(json!({ "capabilities": post_mortem_capabilities() })));
    }
    announce(session, json!({ "name": program, "startMethod": start_method, "isLocalProcess": !post_mortem }));
    Ok(None)
}

/// The session's program from now on: its configuration and symbols, and a
/// breakpoint table that maps sources through its source map.
fn adopt(session: &mut Session, config: LaunchConfig, symbols: WasmSymbols) {
    session.breakpoints = Arc::new(Mutex::new(BreakpointTable::new(config.source_map.clone())));
    session.launch = Some(config);
    session.symbols = Some(Arc::new(symbols));
}

/// Tells the client what runs (`process`, `module`) and asks for its
/// configuration (`initialized`). Sources are announced as stops show them
/// (`loadedSource` from the stack), not all at once: a libc-heavy program
/// names hundreds of files nobody opens. `loadedSources` lists them all.
fn announce(session: &mut Session, process: Value) {
    session.out.event_after_response("process", Some(process));
    if let Some(module) = crate::handlers::sources::module_info(session) {
        session.out.event_after_response("module", Some(json!({ "reason": "new", "module": module })));
    }
    session.out.event_after_response("initialized", None);
}

/// What a coredump session cannot do, as capabilities turned off.
fn post_mortem_capabilities() -> Value {
    json!({
        "supportsRestartRequest": false,
        "supportsSetVariable": false,
        "supportsSetExpression": false,
        "supportsWriteMemoryRequest": false,
        "supportsStepInTargetsRequest": false,
        "supportsSteppingGranularity": false,
        "supportsConditionalBreakpoints": false,
        "supportsHitConditionalBreakpoints": false,
        "supportsLogPoints": false,
        "supportsFunctionBreakpoints": false,
        "supportsInstructionBreakpoints": false,
        "supportsBreakpointLocationsRequest": false,
        "exceptionBreakpointFilters": [],
    })
}

/// Attaches to the program the adapter's launcher offers (a server's
/// agent); the program's threads run with the session's breakpoints from
/// `configurationDone` on.
pub(crate) fn attach(session: &mut Session, request: &Request) -> Reply {
    if session.launch.is_some() {
        return Err("this session already has a program".into());
    }
    let arguments = request.arguments.as_ref().unwrap_or(&Value::Null);
    if arguments.get("target").is_some() {
        // Node or Chromium, already running: its program is started (it
        // runs) as a launched one is, over its DevTools port.
        return begin(session, LaunchConfig::for_devtools_attach(arguments)?, "attach");
    }
    let attachable = session.launcher.attachable()?;
    let config = LaunchConfig::for_attach(request.arguments.as_ref().unwrap_or(&Value::Null), attachable.program)?;
    let symbols = load_symbols(&config)?;
    adopt(session, config, symbols);
    announce(session, json!({ "name": attachable.name, "startMethod": "attach", "isLocalProcess": false }));
    Ok(None)
}

/// A page or script that loads its module itself (no `program`): the target
/// starts it now and holds it once the module is compiled, the module's
/// bytes give the symbols, and the client sets its breakpoints before it
/// runs on.
fn begin_with_found_program(session: &mut Session, mut config: LaunchConfig, start_method: &str) -> Reply {
    let prepared = session.launcher.prepare(&config.guest, &[], Box::new(|_| {}))?;
    let found = prepared.found_program().ok_or("the target found no WebAssembly program")?;
    let name = found.name;
    let debug_file = config.debug_files.first().cloned().or(found.debug_file);
    let options = LoadOptions { debug_file, ..LoadOptions::default() };
    let path = std::path::PathBuf::from(&name);
    let symbols = WasmSymbols::from_bytes(&found.bytes, &path, &options)
        .map_err(|e| format!("cannot load the program {name}: {e}"))?;
    config.guest.program = path;
    config.found_program = true;
    adopt(session, config, symbols);
    session.prepared = Some(prepared);
    announce(session, json!({ "name": name, "startMethod": start_method, "isLocalProcess": true }));
    Ok(None)
}

fn load_symbols(config: &LaunchConfig) -> Result<WasmSymbols, String> {
    let options = LoadOptions { debug_file: config.debug_files.first().cloned(), ..LoadOptions::default() };
    WasmSymbols::load(&config.guest.program, &options).map_err(|e| format!("cannot load the program: {e}"))
}

pub(crate) fn configuration_done(session: &mut Session, _request: &Request) -> Reply {
    let Some(launch) = &session.launch else {
        return Err("`configurationDone` before `launch` or `attach`: nothing to start".into());
    };
    if session.run.is_some() {
        return Err("the program is already running".into());
    }
    if launch.attached && launch.guest.host == wasmscope_debugger::target::GuestHost::Wasmtime {
        session.attach_run()?
    } else {
        session.start_run()?
    }
    Ok(None)
}

pub(crate) fn disconnect(session: &mut Session, request: &Request) -> Reply {
    let args: DisconnectArguments = arguments(request)?;
    session.closing = true;
    let Some(run) = session.run.take() else {
        return Ok(None);
    };
    // DAP's default: a launched program ends, one attached to goes on.
    let attached = session.launch.as_ref().is_some_and(|l| l.attached);
    if !args.terminate_debuggee.unwrap_or(!attached) && !run.ended {
        // Let the program finish on its own, free of breakpoints; its output
        // has nobody to go to any more.
        run.budget.close();
        let Run { target, .. } = run;
        target.detach();
        return Ok(None);
    }
    // Dropping the target then waits for the program's end.
    let mut run = run;
    run.target.terminate();
    drop(run);
    Ok(None)
}

pub(crate) fn terminate(session: &mut Session, _request: &Request) -> Reply {
    match session.run.as_mut() {
        Some(run) if !run.ended => {
            // A guest waiting for its output to drain must reach its end.
            run.budget.interrupt();
            run.target.terminate();
        }
        _ => session.out.event_after_response("terminated", None),
    }
    Ok(None)
}

/// Ends the current run and starts the program again, from a possibly
/// edited configuration and rebuilt module; breakpoints are bound anew.
pub(crate) fn restart(session: &mut Session, request: &Request) -> Reply {
    let args: RestartArguments = arguments(request)?;
    let Some(current) = session.launch.clone() else {
        return Err("`restart` before `launch`".into());
    };
    if current.attached {
        return Err("an attached program is not restarted by the debugger: detach and attach again".into());
    }
    if current.core.is_some() {
        return Err(wasmscope_debugger::coredump::POST_MORTEM.into());
    }
    if current.found_program {
        return Err("the page (or script) loaded this program itself: end the session and launch again".into());
    }
    let config = match &args.arguments {
        Some(arguments) => LaunchConfig::parse(arguments)?,
        None => current,
    };
    let symbols = Arc::new(load_symbols(&config)?);
    // Dropping the run terminates it; its late events are ignored (their
    // run number is old), so its threads are said to end here.
    let old_threads = match session.run.take() {
        Some(mut run) => {
            run.target.terminate();
            std::mem::take(&mut run.threads)
        }
        None => Default::default(),
    };
    session.handles.clear();
    let changed = session.breakpoints.lock().unwrap_or_else(|p| p.into_inner()).rebind_all(&symbols);
    session.launch = Some(config);
    session.symbols = Some(symbols);
    for breakpoint in changed {
        let shown = crate::server::convert_breakpoint(session, &breakpoint);
        session.out.event_after_response("breakpoint", Some(json!({ "reason": "changed", "breakpoint": shown })));
    }
    for (thread, state) in old_threads {
        // The client shows it stopped until told otherwise.
        if state.state == RunState::Stopped {
            session
                .out
                .event_after_response("continued", Some(json!({ "threadId": thread, "allThreadsContinued": true })));
        }
        session.out.event_after_response("thread", Some(json!({ "reason": "exited", "threadId": thread })));
    }
    session.start_run()?;
    Ok(None)
}

/// Every request is answered before the next is read, so there is never
/// one in flight to cancel: acknowledging is all there is to do.
pub(crate) fn cancel(_session: &mut Session, _request: &Request) -> Reply {
    Ok(None)
}
