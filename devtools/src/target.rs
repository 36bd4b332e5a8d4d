//! The DevTools target behind the seam: `DevtoolsLauncher` starts Node or
//! chromium on the program, `DevtoolsTarget` runs and stops it.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;
use wasmscope_debugger::address::ModuleOffset;
use wasmscope_debugger::output_budget::Grant;
use wasmscope_debugger::symbols::{CoreModule, parse_wasm_file};
use wasmscope_debugger::target::{
    BreakPolicy, CompileReport, GuestConfig, GuestHost, Launcher, OutputStream, PreparedTarget, Resume, StartOptions,
    Target, TargetError, TargetEvent, TargetView, ThreadId, ThreadInfo,
};

use crate::chromium::Chromium;
use crate::connection::Cdp;
use crate::event_loop::{EventLoop, SharedSink, THREAD, resume};
use crate::host::Host;
use crate::node::NodeProcess;
use crate::paused_view::PausedView;
use crate::shared::{Shared, State};

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
        let file: Arc<[u8]> = Arc::from(bytes);
        let name = program.program.display().to_string();
        let mut modules = parse_wasm_file(&file, &name).map_err(|e| TargetError::refused(e.to_string()))?;
        if modules.len() != 1 || modules[0].bytes.file_offset() != 0 {
            return Err(TargetError::refused(format!(
                "{name} is a component: Node and browsers run core modules (use the Wasmtime target)"
            )));
        }
        // V8 compiles the module itself, when the page loads it.
        on_compiled(Ok(Duration::ZERO));
        Ok(Box::new(Prepared { module: Arc::new(modules.remove(0)), bytes: file }))
    }
}

#[derive(Debug)]
struct Prepared {
    module: Arc<CoreModule>,
    bytes: Arc<[u8]>,
}

impl PreparedTarget for Prepared {
    fn start(self: Box<Self>, program: &GuestConfig, options: StartOptions) -> Result<Box<dyn Target>, TargetError> {
        let StartOptions { breakpoints, judges, stop_on_entry, events, .. } = options;
        let budget = program.output_budget.clone();
        let sink: SharedSink = Arc::new(Mutex::new(events));
        let (host, url, thread_name) = match &program.host {
            GuestHost::Node { script } => {
                let output_sink = sink.clone();
                let output_budget = budget.clone();
                let output = Box::new(move |is_stderr: bool, bytes: Vec<u8>| {
                    if let Some(budget) = &output_budget
                        && budget.take_whole(bytes.len()) == Grant::Discard
                    {
                        return;
                    }
                    let stream = if is_stderr { OutputStream::Stderr } else { OutputStream::Stdout };
                    (output_sink.lock().unwrap_or_else(|p| p.into_inner()))(TargetEvent::Output { stream, bytes });
                });
                let node =
                    NodeProcess::launch(script.as_deref(), &program.program, &program.args, &program.env, output)
                        .map_err(TargetError::refused)?;
                let url = node.inspector_url.clone();
                (Host::Node(node), url, "node".to_owned())
            }
            GuestHost::Chrome { url, headless } => {
                let browser = Chromium::launch(*headless).map_err(TargetError::refused)?;
                let page = browser.new_page().map_err(TargetError::refused)?;
                (Host::Chrome(browser), page, url.clone())
            }
            GuestHost::DevtoolsPort { port, browser, page } => {
                let url = crate::endpoint::find_target(*port, page.as_deref()).map_err(TargetError::refused)?;
                let name = if *browser { page.clone().unwrap_or_else(|| "page".into()) } else { "node".into() };
                (Host::Attached { browser: *browser }, url, name)
            }
            GuestHost::Wasmtime => return Err(TargetError::internal("not a DevTools program")),
        };
        let (cdp, cdp_events) = Cdp::connect(&url).map_err(TargetError::internal)?;
        let state =
            State { wanted: breakpoints, judge: judges.map(|make| make(THREAD)), stop_on_entry, ..State::default() };
        // Traps are exceptions, and the event thread lets JavaScript's own
        // go on. Chromium 156's renderer crashes when it is to pause on a
        // caught exception that passes through Wasm (Node 20 does not): it
        // pauses on uncaught ones only, and breakpoints on the program's
        // `unreachable`s stop its explicit traps (panics, aborts) where they
        // happen.
        let (exceptions, trap_sites) = match &program.host {
            GuestHost::Chrome { .. } | GuestHost::DevtoolsPort { browser: true, .. } => {
                ("uncaught", unreachable_sites(&self.module)?)
            }
            _ => ("all", Vec::new()),
        };
        let shared = Arc::new(Shared::new(cdp, self.module.clone(), trap_sites, state));
        for (method, params) in [
            ("Runtime.enable", json!({})),
            ("Debugger.enable", json!({})),
            ("Debugger.setPauseOnExceptions", json!({ "state": exceptions })),
            // V8 stops before a script's (and a Wasm module's) first
            // execution: breakpoints go in before the program runs.
            ("Debugger.setInstrumentationBreakpoint", json!({ "instrumentation": "beforeScriptExecution" })),
        ] {
            shared.cdp.call(method, params).map_err(TargetError::internal)?;
        }
        (sink.lock().unwrap_or_else(|p| p.into_inner()))(TargetEvent::ThreadStarted(ThreadInfo {
            id: THREAD,
            name: thread_name,
        }));
        let host = Arc::new(Mutex::new(host));
        let event_loop = EventLoop {
            shared: shared.clone(),
            sink: sink.clone(),
            host: host.clone(),
            program: self.bytes.clone(),
            budget,
        };
        std::thread::Builder::new()
            .name("wasmscope-devtools-events".into())
            .spawn(move || event_loop.run(cdp_events))
            .map_err(TargetError::internal)?;
        match &program.host {
            GuestHost::Chrome { url, .. } => {
                shared.cdp.call("Page.navigate", json!({ "url": url })).map_err(TargetError::internal)?;
            }
            // A page attached to runs already; Node may wait for us
            // (`--inspect-brk`).
            GuestHost::DevtoolsPort { browser: true, .. } => {}
            _ => {
                shared.cdp.call("Runtime.runIfWaitingForDebugger", json!({})).map_err(TargetError::internal)?;
            }
        }
        Ok(Box::new(DevtoolsTarget { shared, host, sink, current: None }))
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
        self.shared.install_breakpoints(offsets)
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

    fn detach(mut self: Box<Self>) {
        let _ = self.shared.install_breakpoints(&[]);
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

impl Drop for DevtoolsTarget {
    fn drop(&mut self) {
        self.terminate();
    }
}
