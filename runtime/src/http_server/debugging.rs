//! Debugging a running server: the agent's target. While nobody is
//! attached, requests run on the production engine and nothing here costs
//! anything. On attach, the component is compiled for guest debugging
//! (once; Wasmtime's cache keeps it across runs) and new requests run there,
//! each on a thread of its own that is a DAP thread (`GET /hello/x #3`); a
//! breakpoint stops only the request that hits it. On detach, new requests
//! go back to production; those in flight are freed of breakpoints, resumed,
//! and finish where they started.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use anyhow::Context as _;
use wasmscope_debugger::address::ModuleOffset;
use wasmscope_debugger::output_budget::OutputBudget;
use wasmscope_debugger::symbols::WasmSymbols;
use wasmscope_debugger::target::{
    Attachable, BreakPolicy, CompileReport, EventSink, GuestConfig, JudgeFactory, Launcher, OutputStream,
    PreparedTarget, Resume, RunOutcome, StartOptions, Target, TargetError, TargetEvent, TargetView, ThreadId,
    ThreadInfo, TrapFrame,
};
use wasmtime::Engine;
use wasmtime::component::Linker;
use wasmtime_wasi_http::p2::bindings::ProxyPre;
use wasmtime_wasi_http::p2::body::HyperOutgoingBody;

use super::ServedGuest;
use crate::debug_host::{Debuggee, DebuggeeEvent, DebuggeeHandle, HttpCall};
use crate::host_data::HostData;
use crate::program::{Compiled, ModuleStarts};

/// Requests the debug engine runs at once, at most (each holds an OS thread
/// while it runs, and may be stopped for as long as the user looks at it);
/// the others wait their turn.
pub const DEFAULT_DEBUG_REQUESTS: usize = 8;

/// The server's debugging side, shared by the request path and the agent.
#[derive(Clone, Debug)]
pub struct ServerLauncher {
    side: Arc<DebugSide>,
}

#[derive(Debug)]
struct DebugSide {
    program: PathBuf,
    guest: ServedGuest,
    /// The program's symbols: where a trap happened, in the source.
    symbols: Arc<WasmSymbols>,
    /// The core module with the DWARF, which breakpoints name.
    module: usize,
    compiled: OnceLock<Result<DebugProgram, String>>,
    attachment: Mutex<Option<Arc<Attachment>>>,
    permits: Arc<tokio::sync::Semaphore>,
    /// Thread ids are never reused while the server runs.
    next_thread: AtomicU64,
}

/// The component compiled for guest debugging, linked once.
struct DebugProgram {
    engine: Engine,
    pre: ProxyPre<HostData>,
    starts: ModuleStarts,
}

impl std::fmt::Debug for DebugProgram {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DebugProgram")
    }
}

/// One client's attachment: its breakpoints and judges, where its events
/// go, and the requests running under it.
struct Attachment {
    module: usize,
    breakpoints: Mutex<Vec<ModuleOffset>>,
    judges: Option<JudgeFactory>,
    /// The requests' output waits for room here, as the client drains it.
    output_budget: Option<OutputBudget>,
    events: Mutex<EventSink>,
    threads: Mutex<BTreeMap<ThreadId, RequestThread>>,
    detached: AtomicBool,
}

impl std::fmt::Debug for Attachment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Attachment").field("module", &self.module).finish_non_exhaustive()
    }
}

struct RequestThread {
    handle: DebuggeeHandle,
    stopped: Arc<AtomicBool>,
}

impl ServerLauncher {
    /// The debugging side of a server of `program`, with its symbols
    /// (breakpoints name the core module with the DWARF).
    pub fn new(program: PathBuf, guest: ServedGuest, symbols: Arc<WasmSymbols>, max_requests: usize) -> Self {
        ServerLauncher {
            side: Arc::new(DebugSide {
                program,
                guest,
                module: symbols.program_index(),
                symbols,
                compiled: OnceLock::new(),
                attachment: Mutex::new(None),
                permits: Arc::new(tokio::sync::Semaphore::new(max_requests.max(1))),
                next_thread: AtomicU64::new(1),
            }),
        }
    }

    /// Runs `request` on the debug engine when a client is attached;
    /// otherwise gives it back for the production engine.
    pub(super) async fn maybe_debug(
        &self,
        request: hyper::Request<hyper::body::Incoming>,
    ) -> Result<anyhow::Result<hyper::Response<HyperOutgoingBody>>, hyper::Request<hyper::body::Incoming>> {
        let Some(attachment) = self.side.current() else { return Err(request) };
        let Some(Ok(program)) = self.side.compiled.get() else { return Err(request) };
        let Ok(permit) = self.side.permits.clone().acquire_owned().await else { return Err(request) };
        Ok(self.side.run(attachment, program, request, permit).await)
    }
}

impl DebugSide {
    fn current(&self) -> Option<Arc<Attachment>> {
        self.attachment.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn compile(&self) -> Result<&DebugProgram, TargetError> {
        let compiled = self.compiled.get_or_init(|| {
            let guest = GuestConfig { program: self.program.clone(), ..GuestConfig::default() };
            let engine = crate::debug_host::debug_engine(&guest).map_err(|e| format!("{e:#}"))?;
            let (component, starts) = match Compiled::from_file(&engine, &self.program) {
                Ok(Compiled::Component(component, starts)) => (component, starts),
                Ok(Compiled::Module(_)) => return Err("the program is not a component".to_owned()),
                Err(error) => return Err(format!("{error:#}")),
            };
            let mut linker = Linker::new(&engine);
            let linked = super::link_imports(&mut linker, self.guest.cli)
                .and_then(|()| linker.instantiate_pre(&component))
                .and_then(ProxyPre::new)
                .map_err(|e| format!("{e:#}"))?;
            Ok(DebugProgram { engine, pre: linked, starts })
        });
        compiled.as_ref().map_err(|why| TargetError::Refused(format!("cannot debug {}: {why}", self.program.display())))
    }

    async fn run(
        &self,
        attachment: Arc<Attachment>,
        program: &DebugProgram,
        request: hyper::Request<hyper::body::Incoming>,
        permit: tokio::sync::OwnedSemaphorePermit,
    ) -> anyhow::Result<hyper::Response<HyperOutgoingBody>> {
        let thread = self.next_thread.fetch_add(1, Ordering::Relaxed);
        let name = format!("{} {} #{thread}", request.method(), request.uri().path());
        let guest = GuestConfig {
            program: self.program.clone(),
            env: self.guest.env.clone(),
            dirs: self.guest.dirs.clone(),
            quiet: true,
            capture_output: true,
            core_module: self.module,
            output_budget: attachment.output_budget.clone(),
            ..GuestConfig::default()
        };
        let breakpoints = attachment.breakpoints.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let judge: Option<Box<dyn BreakPolicy>> = attachment.judges.as_ref().map(|make| make(thread));
        // Announced before the request can stop.
        attachment.emit(TargetEvent::ThreadStarted(ThreadInfo { id: thread, name: name.clone() }));
        let (respond, response) = tokio::sync::oneshot::channel();
        let call = HttpCall { pre: program.pre.clone(), request, respond, starts: program.starts.clone() };
        let mut debuggee = Debuggee::launch_request(program.engine.clone(), call, &guest, breakpoints, judge);
        let stopped = Arc::new(AtomicBool::new(false));
        let entry = RequestThread { handle: debuggee.handle(), stopped: stopped.clone() };
        attachment.threads.lock().unwrap_or_else(|p| p.into_inner()).insert(thread, entry);
        let forwarding = attachment.clone();
        let symbols = self.symbols.clone();
        debuggee.forward_events(move |event| forwarding.forward(thread, &name, &stopped, &symbols, event));
        let answer = response.await;
        // The guest may still be writing the body: its debuggee (and its
        // turn on the debug engine) lasts until its thread ends.
        tokio::task::spawn_blocking(move || {
            while !debuggee.has_ended() {
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            drop((debuggee, permit));
        });
        match answer {
            Ok(Ok(response)) => Ok(response),
            Ok(Err(code)) => Err(anyhow::anyhow!("the guest answered with an error: {code:?}")),
            Err(_) => Err(anyhow::anyhow!("the guest trapped or returned"))
                .context("guest never invoked `response-outparam::set` method"),
        }
    }
}

impl Attachment {
    fn emit(&self, event: TargetEvent) {
        let mut sink = self.events.lock().unwrap_or_else(|p| p.into_inner());
        // A client gone mid-event: the server goes on regardless.
        let _ = sink(event);
    }

    /// Passes a request's event on under its thread id; always true (the
    /// request's output is drained whether anyone listens or not).
    fn forward(
        &self,
        thread: ThreadId,
        name: &str,
        stopped: &AtomicBool,
        symbols: &WasmSymbols,
        event: DebuggeeEvent,
    ) -> bool {
        match event {
            DebuggeeEvent::Stopped(reason) => {
                if self.detached.load(Ordering::Relaxed) {
                    // Stopped as the client left: nobody will resume it.
                    if let Some(entry) = self.threads.lock().unwrap_or_else(|p| p.into_inner()).get(&thread) {
                        let _ = entry.handle.resume(Resume::Continue);
                    }
                    return true;
                }
                stopped.store(true, Ordering::Relaxed);
                self.emit(TargetEvent::Stopped { thread, reason });
            }
            DebuggeeEvent::Output { stream, bytes } => self.emit(TargetEvent::Output { stream, bytes }),
            DebuggeeEvent::Ended(outcome) => {
                if let RunOutcome::Trapped { kind, message, frames } = outcome {
                    let place = trap_place(symbols, &frames).map(|at| format!(" at {at}")).unwrap_or_default();
                    let line = format!("{name} trapped{place}: {} ({message}); it was answered 500\n", kind.describe());
                    self.emit(TargetEvent::Output { stream: OutputStream::Stderr, bytes: line.into_bytes() });
                }
                self.end(thread);
            }
            DebuggeeEvent::Terminated => self.end(thread),
            DebuggeeEvent::Failed(why) => {
                let line = format!("{name} could not run: {why}\n");
                self.emit(TargetEvent::Output { stream: OutputStream::Stderr, bytes: line.into_bytes() });
                self.end(thread);
            }
        }
        true
    }

    fn end(&self, thread: ThreadId) {
        self.threads.lock().unwrap_or_else(|p| p.into_inner()).remove(&thread);
        self.emit(TargetEvent::ThreadExited(thread));
    }

    /// Frees the requests in flight: no breakpoints, none left stopped.
    fn release(&self) {
        self.detached.store(true, Ordering::Relaxed);
        let threads = self.threads.lock().unwrap_or_else(|p| p.into_inner());
        for entry in threads.values() {
            entry.handle.set_breakpoints_running(Vec::new());
            if entry.stopped.swap(false, Ordering::Relaxed) {
                let mut handle = entry.handle.clone();
                let _ = TargetView::set_breakpoints(&mut handle, &[]);
                let _ = handle.resume(Resume::Continue);
            }
        }
    }
}

/// Where a trap happened: the innermost frame of the program's module that
/// has a source line, as `function (file:line)`.
fn trap_place(symbols: &WasmSymbols, frames: &[TrapFrame]) -> Option<String> {
    let module = symbols.program().ok()?;
    frames.iter().filter(|f| f.module == symbols.program_index()).find_map(|frame| {
        let code = module.module().code?.to_code(frame.offset?)?;
        let innermost = module.frames_at(code).ok()?.into_iter().next()?;
        let location = innermost.location.filter(|l| l.line != 0)?;
        let file = location.file.as_deref().map(|f| f.rsplit('/').next().unwrap_or(f)).unwrap_or("?");
        let function = innermost.function.map(|f| f.to_string()).unwrap_or_else(|| "?".into());
        Some(format!("{function} ({file}:{})", location.line))
    })
}

impl Launcher for ServerLauncher {
    fn prepare(
        &self,
        _: &GuestConfig,
        _: &[u8],
        _: Box<dyn FnOnce(CompileReport) + Send>,
    ) -> Result<Box<dyn PreparedTarget>, TargetError> {
        Err(TargetError::refused(
            "this agent debugs the server it runs in: use an `attach` configuration (`wasmscope dap` launches \
             programs)",
        ))
    }

    fn attachable(&self) -> Result<Attachable, TargetError> {
        let file = self.side.program.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        Ok(Attachable { program: self.side.program.clone(), name: format!("wasmscope serve {file}") })
    }

    fn attach(&self, options: StartOptions) -> Result<Box<dyn Target>, TargetError> {
        self.side.compile()?;
        let mut current = self.side.attachment.lock().unwrap_or_else(|p| p.into_inner());
        if current.is_some() {
            return Err(TargetError::refused("another client is attached to this server"));
        }
        let attachment = Arc::new(Attachment {
            module: self.side.module,
            breakpoints: Mutex::new(options.breakpoints),
            judges: options.judges,
            output_budget: options.output_budget,
            events: Mutex::new(options.events),
            threads: Mutex::new(BTreeMap::new()),
            detached: AtomicBool::new(false),
        });
        *current = Some(attachment.clone());
        Ok(Box::new(ServerTarget { side: self.side.clone(), attachment, viewing: None }))
    }
}

/// The target a session attached to a server drives.
struct ServerTarget {
    side: Arc<DebugSide>,
    attachment: Arc<Attachment>,
    /// The handle `view` lent out last.
    viewing: Option<DebuggeeHandle>,
}

impl std::fmt::Debug for ServerTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerTarget").finish_non_exhaustive()
    }
}

impl ServerTarget {
    /// A stopped request's handle, marked running when `resuming`.
    fn stopped(&self, thread: ThreadId, resuming: bool) -> Result<DebuggeeHandle, TargetError> {
        let threads = self.attachment.threads.lock().unwrap_or_else(|p| p.into_inner());
        let entry = threads.get(&thread).ok_or(TargetError::NoThread(thread))?;
        let stopped =
            if resuming { entry.stopped.swap(false, Ordering::Relaxed) } else { entry.stopped.load(Ordering::Relaxed) };
        if !stopped {
            return Err(TargetError::Running);
        }
        Ok(entry.handle.clone())
    }

    /// Lets go of the server: new requests run on the production engine.
    fn let_go(&self) {
        let mut current = self.side.attachment.lock().unwrap_or_else(|p| p.into_inner());
        if current.as_ref().is_some_and(|a| Arc::ptr_eq(a, &self.attachment)) {
            *current = None;
        }
        drop(current);
        self.attachment.release();
    }
}

impl Target for ServerTarget {
    fn stops_all_threads(&self) -> bool {
        false
    }

    fn view(&mut self, thread: ThreadId) -> Result<&mut dyn TargetView, TargetError> {
        let handle = self.stopped(thread, false)?;
        Ok(self.viewing.insert(handle))
    }

    fn resume(&mut self, thread: ThreadId, how: Resume) -> Result<(), TargetError> {
        self.stopped(thread, true)?.resume(how)
    }

    fn resume_with(&mut self, thread: ThreadId, policy: Box<dyn BreakPolicy>, how: Resume) -> Result<(), TargetError> {
        self.stopped(thread, true)?.resume_with(policy, how)
    }

    fn pause(&mut self, thread: ThreadId) -> Result<(), TargetError> {
        let threads = self.attachment.threads.lock().unwrap_or_else(|p| p.into_inner());
        threads.get(&thread).ok_or(TargetError::NoThread(thread))?.handle.pause();
        Ok(())
    }

    fn set_breakpoints(&mut self, module: usize, offsets: &[ModuleOffset]) -> Result<(), TargetError> {
        if module != self.attachment.module {
            return Err(TargetError::Refused(format!(
                "core module {module} takes no breakpoints: only the program's own module ({}) does",
                self.attachment.module
            )));
        }
        // New requests get them before they run; those in flight now.
        *self.attachment.breakpoints.lock().unwrap_or_else(|p| p.into_inner()) = offsets.to_vec();
        let threads = self.attachment.threads.lock().unwrap_or_else(|p| p.into_inner());
        for entry in threads.values() {
            if entry.stopped.load(Ordering::Relaxed) {
                TargetView::set_breakpoints(&mut entry.handle.clone(), offsets)?;
            } else {
                entry.handle.set_breakpoints_running(offsets.to_vec());
            }
        }
        Ok(())
    }

    /// The server is not the debugger's to end: the session ends, the
    /// server lets go of it and goes on serving.
    fn terminate(&mut self) {
        self.let_go();
        self.attachment.emit(TargetEvent::Terminated);
    }

    fn detach(self: Box<Self>) {
        self.let_go();
    }
}

impl Drop for ServerTarget {
    fn drop(&mut self) {
        self.let_go();
    }
}
