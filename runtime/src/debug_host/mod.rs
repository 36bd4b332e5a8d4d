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

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use wasmscope_debugger::address::{MemoryAddress, ModuleOffset};
use wasmscope_debugger::target::{BreakPolicy, Resume, TargetError, TargetFrame, TargetView, WasmState, WasmValue};
use wasmtime::Engine;

use self::launch::run_debuggee;
pub use self::prepare::PreparedProgram;
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

/// Requests that reach a running guest through Wasmtime's epochs.
#[derive(Debug, Default)]
pub(super) struct Control {
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
    requests: Sender<Request>,
    events: Receiver<DebuggeeEvent>,
    thread: Option<JoinHandle<()>>,
    engine: Option<Engine>,
    control: Arc<Control>,
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
        let (requests, request_rx) = channel();
        let (event_tx, events) = channel();
        let control = Arc::new(Control::default());
        control.entry.store(stop_on_entry, Ordering::Relaxed);
        let engine = prepared.engine().cloned();
        let (guest, thread_control) = (guest.clone(), control.clone());
        let thread = std::thread::Builder::new().name("wasmscope-debuggee".into()).spawn(move || {
            let ended = prepared.take().and_then(|compiled| {
                run_debuggee(&guest, compiled, breakpoints, judge, &thread_control, request_rx, event_tx.clone())
            });
            let _ = event_tx.send(match ended {
                _ if thread_control.terminate.load(Ordering::Relaxed) => DebuggeeEvent::Terminated,
                Ok(outcome) => DebuggeeEvent::Ended(outcome),
                Err(error) => DebuggeeEvent::Failed(format!("{error:#}")),
            });
        });
        Debuggee { requests, events, thread: thread.ok(), engine, control }
    }

    /// Stops the running guest at the next instruction it can stop at.
    pub fn pause(&self) {
        self.control.pause.store(true, Ordering::Relaxed);
        if let Some(engine) = &self.engine {
            engine.increment_epoch();
        }
    }

    /// Ends the guest, running or stopped; `wait` then reports `Terminated`
    /// (or the end it reached first).
    pub fn terminate(&self) {
        self.control.terminate.store(true, Ordering::Relaxed);
        if let Some(engine) = &self.engine {
            engine.increment_epoch();
        }
        // If it is stopped, let it run into the interruption.
        let _ = self.requests.send(Request::Resume(Resume::Continue));
    }

    /// Replaces the breakpoints while the guest runs: they are installed
    /// at its next epoch check, without stopping it. (While it is stopped,
    /// use [`Debuggee::set_breakpoints`].)
    pub fn set_breakpoints_running(&self, offsets: Vec<ModuleOffset>) {
        *self.control.new_breakpoints.lock().unwrap_or_else(|p| p.into_inner()) = Some(offsets);
        if let Some(engine) = &self.engine {
            engine.increment_epoch();
        }
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

    fn ask<T>(&self, make: impl FnOnce(Reply<T>) -> Request) -> Result<T, TargetError> {
        let (reply, answer) = channel();
        self.requests.send(make(reply)).map_err(|_| self.not_stopped())?;
        answer.recv().map_err(|_| self.not_stopped())?.map_err(TargetError::Refused)
    }

    /// Why a request found nobody to answer it.
    fn not_stopped(&self) -> TargetError {
        if self.has_ended() { TargetError::Gone } else { TargetError::Running }
    }

    pub fn frames(&self) -> Result<Vec<TargetFrame>, TargetError> {
        self.ask(Request::Frames)
    }

    pub fn local(&self, frame: usize, index: u32) -> Result<WasmValue, TargetError> {
        self.ask(|reply| Request::Local { frame, index, reply })
    }

    pub fn global(&self, index: u32) -> Result<WasmValue, TargetError> {
        self.ask(|reply| Request::Global { index, reply })
    }

    pub fn wasm_state(&self, frame: usize) -> Result<WasmState, TargetError> {
        self.ask(|reply| Request::WasmState { frame, reply })
    }

    pub fn read_memory(&self, address: MemoryAddress, len: usize) -> Result<Vec<u8>, TargetError> {
        self.ask(|reply| Request::ReadMemory { address, len, reply })
    }

    pub fn write_memory(&self, address: MemoryAddress, bytes: Vec<u8>) -> Result<(), TargetError> {
        self.ask(|reply| Request::WriteMemory { address, bytes, reply })
    }

    /// Replaces the set of breakpoints.
    pub fn set_breakpoints(&self, offsets: Vec<ModuleOffset>) -> Result<(), TargetError> {
        self.ask(|reply| Request::SetBreakpoints { offsets, reply })
    }

    pub fn resume(&self, how: Resume) -> Result<(), TargetError> {
        self.requests.send(Request::Resume(how)).map_err(|_| self.not_stopped())
    }

    /// Resumes with a policy that decides, on the guest's thread, which of
    /// the following breaks are real stops (stepping, conditions).
    pub fn resume_with(&self, policy: Box<dyn BreakPolicy>, how: Resume) -> Result<(), TargetError> {
        self.requests.send(Request::ResumeWith(policy, how)).map_err(|_| self.not_stopped())
    }
}

/// The session's view of a stopped guest through the request channel (one
/// round trip per call; the policies run on the guest's side instead).
impl TargetView for Debuggee {
    fn frames(&mut self) -> Result<Vec<TargetFrame>, TargetError> {
        Debuggee::frames(self)
    }
    fn local(&mut self, frame: usize, index: u32) -> Result<WasmValue, TargetError> {
        Debuggee::local(self, frame, index)
    }
    fn global(&mut self, index: u32) -> Result<WasmValue, TargetError> {
        Debuggee::global(self, index)
    }
    fn wasm_state(&mut self, frame: usize) -> Result<WasmState, TargetError> {
        Debuggee::wasm_state(self, frame)
    }
    fn read_memory(&mut self, address: MemoryAddress, len: usize) -> Result<Vec<u8>, TargetError> {
        Debuggee::read_memory(self, address, len)
    }
    fn write_memory(&mut self, address: MemoryAddress, bytes: &[u8]) -> Result<(), TargetError> {
        Debuggee::write_memory(self, address, bytes.to_vec())
    }
    fn set_breakpoints(&mut self, offsets: &[ModuleOffset]) -> Result<(), TargetError> {
        Debuggee::set_breakpoints(self, offsets.to_vec())
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
            self.requests = closed;
            // The guest may not have reached its first epoch deadline when
            // the request came (still compiling): keep advancing.
            while !thread.is_finished() {
                if let Some(engine) = &self.engine {
                    engine.increment_epoch();
                }
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            let _ = thread.join();
        }
    }
}
