//! The DevTools target behind the seam: `DevtoolsLauncher` starts Node or
//! chromium on the program, `DevtoolsTarget` runs and stops it.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;
use wasmscope_debugger::address::ModuleOffset;
use wasmscope_debugger::symbols::{CoreModule, parse_wasm_file};
use wasmscope_debugger::target::{
    BreakPolicy, CompileReport, FoundProgram, GuestConfig, GuestHost, Launcher, PreparedTarget, Resume, StartOptions,
    Target, TargetError, TargetEvent, TargetView, ThreadId, ThreadInfo,
};

use crate::event_loop::{EventLoop, SharedSink, THREAD, resume};
use crate::host::Host;
use crate::opening::{Opened, go, is_browser, open};
use crate::paused_view::PausedView;
use crate::shared::{Shared, State};
use crate::temp_file::TempFile;

/// Starts programs in Node or chromium (`GuestHost::Node`,
/// `GuestHost::Chrome`).
#[derive(Debug, Default)]
pub struct DevtoolsLauncher;

impl Launcher for DevtoolsLauncher {
    fn prepare(
        &self,
        program: &GuestConfig,
        bytes: &[u8],
        on_compiled: Box<dyn FnOnce(CompileReport) + Send>,
    ) -> Result<Box<dyn PreparedTarget>, TargetError> {
        if program.host == GuestHost::Wasmtime {
            return Err(TargetError::internal("the DevTools launcher was handed a program for Wasmtime"));
        }
        // No program named: the page (or script) runs now, up to the
        // module it loads, which is the program.
        let (opened, file, name) = if program.program.as_os_str().is_empty() {
            let mut opened = open(program)?;
            let (url, bytes) = opened.find_program(program)?;
            (Some(opened), bytes, url)
        } else {
            (None, Arc::from(bytes), program.program.display().to_string())
        };
        let mut modules = parse_wasm_file(&file, &name).map_err(|e| TargetError::refused(e.to_string()))?;
        if modules.len() != 1 || modules[0].bytes.file_offset() != 0 {
            return Err(TargetError::refused(format!(
                "{name} is a component: Node and browsers run core modules (use the Wasmtime target)"
            )));
        }
        // V8 compiles the module itself, when the page loads it.
        on_compiled(Ok(Duration::ZERO));
        Ok(Box::new(Prepared { module: Arc::new(modules.remove(0)), bytes: file, name, opened }))
    }
}

#[derive(Debug)]
struct Prepared {
    module: Arc<CoreModule>,
    bytes: Arc<[u8]>,
    name: String,
    /// The host, already running, when it found the program itself.
    opened: Option<Opened>,
}

impl PreparedTarget for Prepared {
    fn found_program(&self) -> Option<FoundProgram> {
        self.opened.as_ref().map(|opened| FoundProgram {
            name: self.name.clone(),
            bytes: self.bytes.clone(),
            debug_file: opened.debug_file.as_ref().map(|f| f.0.clone()),
        })
    }

    fn start(self: Box<Self>, program: &GuestConfig, options: StartOptions) -> Result<Box<dyn Target>, TargetError> {
        let StartOptions { breakpoints, judges, stop_on_entry, events, .. } = options;
        let budget = program.output_budget.clone();
        let sink: SharedSink = Arc::new(Mutex::new(events));
        let opened = match self.opened {
            Some(opened) => opened,
            None => open(program)?,
        };
        let state = State {
            user_breakpoints: breakpoints.clone(),
            wanted: breakpoints,
            judge: judges.map(|make| make(THREAD)),
            stop_on_entry,
            ..State::default()
        };
        // Chromium 156's renderer crashes when it is to pause on a caught
        // exception that passes through Wasm (Node 20 does not), so there
        // it pauses on uncaught ones only (opening.rs), and breakpoints on
        // the program's `unreachable`s stop its explicit traps (panics,
        // aborts) where they happen.
        let trap_sites = if is_browser(&program.host) { unreachable_sites(&self.module)? } else { Vec::new() };
        let Opened { host, cdp, events: cdp_events, thread_name, output, replay, running, program_script, debug_file } =
            opened;
        let shared = Arc::new(Shared::new(cdp, self.module.clone(), trap_sites, state));
        (sink.lock().unwrap_or_else(|p| p.into_inner()))(TargetEvent::ThreadStarted(ThreadInfo {
            id: THREAD,
            name: thread_name,
        }));
        output.connect(sink.clone(), budget);
        if let Some(script) = program_script {
            shared.program_loaded(script)?;
        }
        let host = Arc::new(Mutex::new(host));
        let event_loop = EventLoop {
            shared: shared.clone(),
            sink: sink.clone(),
            host: host.clone(),
            program: self.bytes.clone(),
            output,
        };
        std::thread::Builder::new()
            .name("wasmscope-devtools-events".into())
            .spawn(move || event_loop.run(replay, cdp_events))
            .map_err(TargetError::internal)?;
        if !running {
            go(&shared.cdp, program)?;
        }
        Ok(Box::new(DevtoolsTarget { shared, host, sink, current: None, _debug_file: debug_file }))
    }
}

/// The module offsets of the program's `unreachable` instructions.
fn unreachable_sites(module: &CoreModule) -> Result<Vec<ModuleOffset>, TargetError> {
    let Some(code) = module.code else { return Ok(Vec::new()) };
    let sites = module
        .instructions_where(|op| matches!(op, wasmparser::Operator::Unreachable))
        .map_err(|e| TargetError::refused(e.to_string()))?;
    Ok(sites.into_iter().map(|at| code.to_module(at)).collect())
}

pub struct DevtoolsTarget {
    shared: Arc<Shared>,
    host: Arc<Mutex<Host>>,
    sink: SharedSink,
    /// The stop being inspected.
    current: Option<PausedView>,
    /// The program's DWARF, fetched for the session (read when it loaded).
    _debug_file: Option<TempFile>,
}

impl std::fmt::Debug for DevtoolsTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DevtoolsTarget").finish_non_exhaustive()
    }
}

impl DevtoolsTarget {
    fn check_thread(&self, thread: ThreadId) -> Result<(), TargetError> {
        if thread != THREAD {
            return Err(TargetError::NoThread(thread));
        }
        if self.shared.state().finished {
            return Err(TargetError::Gone);
        }
        Ok(())
    }

    fn end_stop(&mut self) {
        self.current = None;
        self.shared.state().stopped = None;
    }
}

impl Target for DevtoolsTarget {
    fn stops_all_threads(&self) -> bool {
        true
    }

    fn view(&mut self, thread: ThreadId) -> Result<&mut dyn TargetView, TargetError> {
        self.check_thread(thread)?;
        if let Some(stop) = self.shared.state().stopped.take() {
            self.current = Some(stop);
        }
        match &mut self.current {
            Some(view) => Ok(view),
            None => Err(TargetError::Running),
        }
    }

    fn resume(&mut self, thread: ThreadId, how: Resume) -> Result<(), TargetError> {
        self.check_thread(thread)?;
        self.end_stop();
        if how == Resume::Continue && self.shared.state().policy.is_none() {
            // Running freely: the steps' breakpoints would cost a round trip
            // at every hit.
            self.shared.flush_dormant()?;
        }
        resume(&self.shared, how)
    }

    fn resume_with(&mut self, thread: ThreadId, policy: Box<dyn BreakPolicy>, how: Resume) -> Result<(), TargetError> {
        self.check_thread(thread)?;
        self.shared.state().policy = Some(policy);
        self.resume(thread, how)
    }

    fn pause(&mut self, thread: ThreadId) -> Result<(), TargetError> {
        self.check_thread(thread)?;
        self.shared.state().pausing = true;
        self.shared.cdp.call("Debugger.pause", json!({})).map(drop).map_err(TargetError::internal)
    }

    fn set_breakpoints(&mut self, module: usize, offsets: &[ModuleOffset]) -> Result<(), TargetError> {
        if module != 0 {
            return Err(TargetError::refused(format!("the program has one module: there is no module {module}")));
        }
        self.shared.state().user_breakpoints = offsets.to_vec();
        self.shared.install_breakpoints(offsets)?;
        self.shared.flush_dormant()
    }

    fn terminate(&mut self) {
        {
            let mut state = self.shared.state();
            if state.finished {
                return;
            }
            state.finished = true;
        }
        self.current = None;
        self.shared.cdp.close();
        *self.host.lock().unwrap_or_else(|p| p.into_inner()) = Host::None;
        let mut sink = self.sink.lock().unwrap_or_else(|p| p.into_inner());
        sink(TargetEvent::ThreadExited(THREAD));
        sink(TargetEvent::Terminated);
    }

    fn script_source(&mut self, script: &str) -> Result<String, TargetError> {
        let answer = self
            .shared
            .cdp
            .call("Debugger.getScriptSource", json!({ "scriptId": script }))
            .map_err(|e| TargetError::refused(format!("the script is gone: {e}")))?;
        let text = answer["scriptSource"].as_str().unwrap_or_default();
        if text.is_empty() && answer.get("bytecode").is_some() {
            return Ok("// A WebAssembly module: it has no text (its frames are named as V8 names them).\n".into());
        }
        if text.len() > Self::MAX_SCRIPT {
            return Err(TargetError::refused(format!("the script is {} MiB: too long to show", text.len() >> 20)));
        }
        // An inline script is shown where it is in its page, so that its
        // frames' lines (the page's) fall on its code.
        let (line, column) = self.shared.state().script_starts.get(script).copied().unwrap_or((0, 0));
        let padding = "\n".repeat(line as usize) + &" ".repeat(column as usize);
        Ok(padding + text)
    }

    fn detach(mut self: Box<Self>) {
        let _ = self.shared.install_breakpoints(&[]);
        let _ = self.shared.flush_dormant();
        let _ = self.shared.cdp.call("Debugger.setPauseOnExceptions", json!({ "state": "none" }));
        let _ = self.shared.cdp.call("Debugger.disable", json!({}));
        self.shared.state().finished = true;
        self.shared.cdp.close();
        // The program runs on to its own end: its process is waited for
        // (Node), or left open (the browser), on a thread of its own.
        let host = std::mem::replace(&mut *self.host.lock().unwrap_or_else(|p| p.into_inner()), Host::None);
        let _ = std::thread::Builder::new().name("wasmscope-detached".into()).spawn(move || {
            let mut host = host;
            if let Host::Node(node) = &mut host {
                let _ = node.child.wait();
            }
            if let Host::Chrome(browser) = &mut host {
                while !browser.has_ended() {
                    std::thread::sleep(Duration::from_secs(1));
                }
            }
        });
        self.current = None;
    }
}

impl DevtoolsTarget {
    /// The most of a script's text handed over.
    const MAX_SCRIPT: usize = 16 << 20;
}

impl Drop for DevtoolsTarget {
    fn drop(&mut self) {
        self.terminate();
    }
}
