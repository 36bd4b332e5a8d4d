//! The instrumented runtime: a WASI command (preview1 module or preview2
//! component) run with Wasmtime's guest debugging, on a thread of its own. When the guest stops (a
//! breakpoint, a step, a trap), the debug handler reports it and then serves
//! inspection requests from inside the handler, where the store is at hand,
//! until told to resume. Everything crossing the channel is in wasmscope's
//! terms (typed offsets, plain values), never wasmtime's.
//!
//! Breakpoint offsets refer to one core module, the program's own
//! (`GuestConfig::core_module`: for a component, the module with DWARF
//! rather than the WASI adapter); frames of every core module are reported,
//! each with its module's index.
//!
//! Files: this one is the session's side (the `Debuggee` handle and what
//! crosses the channel); prepare.rs compiles the program ahead of its run;
//! launch.rs starts the guest; handler.rs
//! is Wasmtime's debug handler (judging breaks, serving a stopped guest);
//! inspect.rs reads and edits the stopped guest (frames, values, memory,
//! breakpoints).

mod handler;
mod inspect;
mod launch;
mod prepare;
mod request;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use wasmscope_debugger::address::{MemoryAddress, ModuleOffset};
use wasmscope_debugger::target::{BreakPolicy, Resume, TargetError, TargetFrame, TargetView, WasmState, WasmValue};
use wasmtime::Engine;

pub(crate) use self::launch::debug_engine;
use self::launch::{StopSetup, run_debuggee};
pub use self::prepare::PreparedProgram;
pub(crate) use self::request::HttpCall;
use self::request::run_request;
use wasmscope_debugger::target::GuestConfig;
use wasmscope_debugger::target::{OutputStream, RunOutcome, StopReason};

/// What the debuggee reports to the session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DebuggeeEvent {
    Stopped(StopReason),
    /// The program ended (exit code, or the trap that ended it).
    Ended(RunOutcome),
    /// The guest wrote to stdout or stderr (with `capture_output`).
    Output {
        stream: OutputStream,
        bytes: Vec<u8>,
    },
    /// Stopped by [`Debuggee::terminate`].
    Terminated,
    /// The host failed (compile error, missing `_start`, …).
    Failed(String),
}

/// Requests that reach a running guest through Wasmtime's epochs, and the
/// standing judge of its breakpoint hits (replaced when a client attaches
/// to a running program, or leaves it).
#[derive(Default)]
pub(super) struct Control {
    pub(super) judge: Mutex<Option<Box<dyn BreakPolicy>>>,
    pub(super) pause: AtomicBool,
    /// Set between the epoch event of a pause and the step that finds the
    /// true position.
    pub(super) pausing: AtomicBool,
    pub(super) terminate: AtomicBool,
    /// Stop at the first instruction the program runs.
    pub(super) entry: AtomicBool,
    /// Breakpoints to install at the next epoch event, set while the guest
    /// runs (the store is out of reach until then).
    pub(super) new_breakpoints: Mutex<Option<Vec<ModuleOffset>>>,
}

impl std::fmt::Debug for Control {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Control")
            .field("pause", &self.pause)
            .field("terminate", &self.terminate)
            .finish_non_exhaustive()
    }
}

pub(super) type Reply<T> = Sender<Result<T, String>>;

pub(super) enum Request {
    Frames(Reply<Vec<TargetFrame>>),
    Local {
        frame: usize,
        index: u32,
        reply: Reply<WasmValue>,
    },
    Global {
        index: u32,
        reply: Reply<WasmValue>,
    },
    WasmState {
        frame: usize,
        reply: Reply<WasmState>,
    },
    ReadMemory {
        address: MemoryAddress,
        len: usize,
        reply: Reply<Vec<u8>>,
    },
    WriteMemory {
        address: MemoryAddress,
        bytes: Vec<u8>,
        reply: Reply<()>,
    },
    MemorySize(Reply<u64>),
    SetBreakpoints {
        offsets: Vec<ModuleOffset>,
        reply: Reply<()>,
    },
    Resume(Resume),
    /// Resume, and let `policy` judge each following break on the guest's
    /// thread until it decides to stop.
    ResumeWith(Box<dyn BreakPolicy>, Resume),
}

/// A guest running under the debugger. Inspection calls are valid while it
/// is stopped (after `wait` returned `Stopped`).
#[derive(Debug)]
pub struct Debuggee {
    handle: DebuggeeHandle,
    events: Receiver<DebuggeeEvent>,
    thread: Option<JoinHandle<()>>,
}

/// What controls a debuggee, cloned by whoever needs to: inspection and
/// resumption (while stopped), pause, terminate and breakpoints (any
/// time). Dropping it ends nothing; dropping the [`Debuggee`] does.
#[derive(Clone, Debug)]
pub(crate) struct DebuggeeHandle {
    requests: Sender<Request>,
    engine: Option<Engine>,
    control: Arc<Control>,
    /// Set when the guest's thread ends.
    ended: Arc<AtomicBool>,
}

impl std::fmt::Debug for Request {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Request")
    }
}

impl Debuggee {
    /// Compiles and starts `guest` with breakpoints at `breakpoints`
    /// (module offsets of its core module); returns at once.
    pub fn launch(guest: &GuestConfig, breakpoints: Vec<ModuleOffset>) -> Self {
        Self::launch_with_judge(guest, breakpoints, None)
    }

    /// Like [`Debuggee::launch`], with a standing policy that judges every
    /// break no step is in charge of (breakpoint conditions, hit counts,
    /// logpoints), on the guest's thread.
    pub fn launch_with_judge(
        guest: &GuestConfig,
        breakpoints: Vec<ModuleOffset>,
        judge: Option<Box<dyn BreakPolicy>>,
    ) -> Self {
        Self::launch_with(guest, breakpoints, judge, false)
    }

    /// The general launch: breakpoints, a standing judge, and whether to
    /// stop before the program's first instruction (`StopReason::Entry`).
    pub fn launch_with(
        guest: &GuestConfig,
        breakpoints: Vec<ModuleOffset>,
        judge: Option<Box<dyn BreakPolicy>>,
        stop_on_entry: bool,
    ) -> Self {
        Self::launch_prepared(PreparedProgram::start(guest, |_| {}), guest, breakpoints, judge, stop_on_entry)
    }

    /// [`Debuggee::launch_with`] for a program whose compilation `prepared`
    /// started (for the same `guest`): the run begins when it is compiled.
    pub fn launch_prepared(
        prepared: PreparedProgram,
        guest: &GuestConfig,
        breakpoints: Vec<ModuleOffset>,
        judge: Option<Box<dyn BreakPolicy>>,
        stop_on_entry: bool,
    ) -> Self {
        let engine = prepared.engine().cloned();
        let guest = guest.clone();
        Self::spawn(engine, stop_on_entry, move |control, requests, events| {
            let compiled = prepared.take()?;
            let stop = StopSetup { breakpoints, judge, requests, events };
            run_debuggee(&guest, compiled, stop, control)
        })
    }

    /// One request of a server, run by `call` on the guest-debug `engine`
    /// (`guest` gives its environment and the core module breakpoints
    /// name).
    pub(crate) fn launch_request(
        engine: Engine,
        call: HttpCall,
        guest: &GuestConfig,
        breakpoints: Vec<ModuleOffset>,
        judge: Option<Box<dyn BreakPolicy>>,
    ) -> Self {
        let guest = guest.clone();
        let run_engine = engine.clone();
        Self::spawn(Some(engine), false, move |control, requests, events| {
            let stop = StopSetup { breakpoints, judge, requests, events };
            run_request(&guest, &run_engine, call, stop, control)
        })
    }

    /// Runs `run` on the guest's own thread, which reports the end.
    fn spawn(
        engine: Option<Engine>,
        stop_on_entry: bool,
        run: impl FnOnce(&Arc<Control>, Receiver<Request>, Sender<DebuggeeEvent>) -> anyhow::Result<RunOutcome>
        + Send
        + 'static,
    ) -> Self {
        let (requests, request_rx) = channel();
        let (event_tx, events) = channel();
        let control = Arc::new(Control::default());
        control.entry.store(stop_on_entry, Ordering::Relaxed);
        let ended = Arc::new(AtomicBool::new(false));
        let (thread_control, thread_ended) = (control.clone(), ended.clone());
        let thread = std::thread::Builder::new().name("wasmscope-debuggee".into()).spawn(move || {
            let result = run(&thread_control, request_rx, event_tx.clone());
            thread_ended.store(true, Ordering::Relaxed);
            let _ = event_tx.send(match result {
                _ if thread_control.terminate.load(Ordering::Relaxed) => DebuggeeEvent::Terminated,
                Ok(outcome) => DebuggeeEvent::Ended(outcome),
                Err(error) => DebuggeeEvent::Failed(format!("{error:#}")),
            });
        });
        Debuggee { handle: DebuggeeHandle { requests, engine, control, ended }, events, thread: thread.ok() }
    }

    /// A handle on this debuggee for other owners (a server's target).
    pub(crate) fn handle(&self) -> DebuggeeHandle {
        self.handle.clone()
    }

    /// Stops the running guest at the next instruction it can stop at.
    pub fn pause(&self) {
        self.handle.pause();
    }

    /// Ends the guest, running or stopped; `wait` then reports `Terminated`
    /// (or the end it reached first).
    pub fn terminate(&self) {
        self.handle.terminate();
    }

    /// Replaces the breakpoints while the guest runs: they are installed
    /// at its next epoch check, without stopping it. (While it is stopped,
    /// use [`Debuggee::set_breakpoints`].)
    pub fn set_breakpoints_running(&self, offsets: Vec<ModuleOffset>) {
        self.handle.set_breakpoints_running(offsets);
    }

    /// Replaces the standing judge of breakpoint hits, running or stopped
    /// (a client attaching to a running program brings its own; one that
    /// leaves takes it away).
    pub fn set_judge(&self, judge: Option<Box<dyn BreakPolicy>>) {
        self.handle.set_judge(judge);
    }

    /// Hands every later event to `forward` on a thread of its own, for a
    /// session that waits on several sources at once; `wait` then has
    /// nothing more to report. `forward` returns false to stop listening.
    pub fn forward_events(&mut self, mut forward: impl FnMut(DebuggeeEvent) -> bool + Send + 'static) {
        let (_, none) = channel();
        let events = std::mem::replace(&mut self.events, none);
        std::thread::Builder::new()
            .name("wasmscope-debuggee-events".into())
            .spawn(move || {
                while let Ok(event) = events.recv() {
                    let last =
                        matches!(event, DebuggeeEvent::Ended(_) | DebuggeeEvent::Terminated | DebuggeeEvent::Failed(_));
                    if !forward(event) || last {
                        break;
                    }
                }
            })
            .ok();
    }

    /// Whether the guest's thread has finished (the program ended, failed
    /// or was terminated).
    pub fn has_ended(&self) -> bool {
        self.thread.as_ref().is_none_or(JoinHandle::is_finished)
    }

    /// The next event: blocks while the guest runs.
    pub fn wait(&self) -> DebuggeeEvent {
        self.events.recv().unwrap_or_else(|_| DebuggeeEvent::Failed("the debuggee thread is gone".into()))
    }

    pub fn frames(&self) -> Result<Vec<TargetFrame>, TargetError> {
        self.handle.ask(Request::Frames)
    }

    pub fn local(&self, frame: usize, index: u32) -> Result<WasmValue, TargetError> {
        self.handle.ask(|reply| Request::Local { frame, index, reply })
    }

    pub fn global(&self, index: u32) -> Result<WasmValue, TargetError> {
        self.handle.ask(|reply| Request::Global { index, reply })
    }

    pub fn wasm_state(&self, frame: usize) -> Result<WasmState, TargetError> {
        self.handle.ask(|reply| Request::WasmState { frame, reply })
    }

    pub fn read_memory(&self, address: MemoryAddress, len: usize) -> Result<Vec<u8>, TargetError> {
        self.handle.ask(|reply| Request::ReadMemory { address, len, reply })
    }

    pub fn write_memory(&self, address: MemoryAddress, bytes: Vec<u8>) -> Result<(), TargetError> {
        self.handle.ask(|reply| Request::WriteMemory { address, bytes, reply })
    }

    /// Replaces the set of breakpoints.
    pub fn set_breakpoints(&self, offsets: Vec<ModuleOffset>) -> Result<(), TargetError> {
        self.handle.ask(|reply| Request::SetBreakpoints { offsets, reply })
    }

    pub fn resume(&self, how: Resume) -> Result<(), TargetError> {
        self.handle.resume(how)
    }

    /// Resumes with a policy that decides, on the guest's thread, which of
    /// the following breaks are real stops (stepping, conditions).
    pub fn resume_with(&self, policy: Box<dyn BreakPolicy>, how: Resume) -> Result<(), TargetError> {
        self.handle.resume_with(policy, how)
    }
}

impl DebuggeeHandle {
    fn ask<T>(&self, make: impl FnOnce(Reply<T>) -> Request) -> Result<T, TargetError> {
        let (reply, answer) = channel();
        self.requests.send(make(reply)).map_err(|_| self.not_stopped())?;
        answer.recv().map_err(|_| self.not_stopped())?.map_err(TargetError::Refused)
    }

    /// Why a request found nobody to answer it.
    fn not_stopped(&self) -> TargetError {
        if self.ended.load(Ordering::Relaxed) { TargetError::Gone } else { TargetError::Running }
    }

    fn poke(&self) {
        if let Some(engine) = &self.engine {
            engine.increment_epoch();
        }
    }

    pub(crate) fn pause(&self) {
        self.control.pause.store(true, Ordering::Relaxed);
        self.poke();
    }

    pub(crate) fn terminate(&self) {
        self.control.terminate.store(true, Ordering::Relaxed);
        self.poke();
        // If it is stopped, let it run into the interruption.
        let _ = self.requests.send(Request::Resume(Resume::Continue));
    }

    pub(crate) fn set_judge(&self, judge: Option<Box<dyn BreakPolicy>>) {
        *self.control.judge.lock().unwrap_or_else(|p| p.into_inner()) = judge;
    }

    pub(crate) fn has_ended(&self) -> bool {
        self.ended.load(Ordering::Relaxed)
    }

    pub(crate) fn set_breakpoints_running(&self, offsets: Vec<ModuleOffset>) {
        *self.control.new_breakpoints.lock().unwrap_or_else(|p| p.into_inner()) = Some(offsets);
        self.poke();
    }

    pub(crate) fn resume(&self, how: Resume) -> Result<(), TargetError> {
        self.requests.send(Request::Resume(how)).map_err(|_| self.not_stopped())
    }

    pub(crate) fn resume_with(&self, policy: Box<dyn BreakPolicy>, how: Resume) -> Result<(), TargetError> {
        self.requests.send(Request::ResumeWith(policy, how)).map_err(|_| self.not_stopped())
    }
}

/// The session's view of a stopped guest through the request channel (one
/// round trip per call; the policies run on the guest's side instead).
impl TargetView for DebuggeeHandle {
    fn frames(&mut self) -> Result<Vec<TargetFrame>, TargetError> {
        self.ask(Request::Frames)
    }
    fn local(&mut self, frame: usize, index: u32) -> Result<WasmValue, TargetError> {
        self.ask(|reply| Request::Local { frame, index, reply })
    }
    fn global(&mut self, index: u32) -> Result<WasmValue, TargetError> {
        self.ask(|reply| Request::Global { index, reply })
    }
    fn wasm_state(&mut self, frame: usize) -> Result<WasmState, TargetError> {
        self.ask(|reply| Request::WasmState { frame, reply })
    }
    fn read_memory(&mut self, address: MemoryAddress, len: usize) -> Result<Vec<u8>, TargetError> {
        self.ask(|reply| Request::ReadMemory { address, len, reply })
    }
    fn memory_size(&mut self) -> Result<u64, TargetError> {
        self.ask(Request::MemorySize)
    }
    fn write_memory(&mut self, address: MemoryAddress, bytes: &[u8]) -> Result<(), TargetError> {
        let bytes = bytes.to_vec();
        self.ask(|reply| Request::WriteMemory { address, bytes, reply })
    }
    fn set_breakpoints(&mut self, offsets: &[ModuleOffset]) -> Result<(), TargetError> {
        let offsets = offsets.to_vec();
        self.ask(|reply| Request::SetBreakpoints { offsets, reply })
    }
}

impl TargetView for Debuggee {
    fn frames(&mut self) -> Result<Vec<TargetFrame>, TargetError> {
        self.handle.frames()
    }
    fn local(&mut self, frame: usize, index: u32) -> Result<WasmValue, TargetError> {
        TargetView::local(&mut self.handle, frame, index)
    }
    fn global(&mut self, index: u32) -> Result<WasmValue, TargetError> {
        TargetView::global(&mut self.handle, index)
    }
    fn wasm_state(&mut self, frame: usize) -> Result<WasmState, TargetError> {
        TargetView::wasm_state(&mut self.handle, frame)
    }
    fn read_memory(&mut self, address: MemoryAddress, len: usize) -> Result<Vec<u8>, TargetError> {
        TargetView::read_memory(&mut self.handle, address, len)
    }
    fn memory_size(&mut self) -> Result<u64, TargetError> {
        TargetView::memory_size(&mut self.handle)
    }
    fn write_memory(&mut self, address: MemoryAddress, bytes: &[u8]) -> Result<(), TargetError> {
        TargetView::write_memory(&mut self.handle, address, bytes)
    }
    fn set_breakpoints(&mut self, offsets: &[ModuleOffset]) -> Result<(), TargetError> {
        TargetView::set_breakpoints(&mut self.handle, offsets)
    }
}

impl Drop for Debuggee {
    /// Nothing keeps running behind a dropped debuggee.
    fn drop(&mut self) {
        if let Some(thread) = self.thread.take() {
            if !thread.is_finished() {
                self.terminate();
            }
            let (closed, _) = channel();
            self.handle.requests = closed;
            // The guest may not have reached its first epoch deadline when
            // the request came (still compiling): keep advancing.
            while !thread.is_finished() {
                self.handle.poke();
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            let _ = thread.join();
        }
    }
}
