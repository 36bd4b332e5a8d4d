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

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use anyhow::{Context as _, bail};
use wasmscope_debugger::address::{MemoryAddress, ModuleOffset};
use wasmscope_debugger::target::{BreakPolicy, Resume, TargetFrame, TargetView, WasmState, WasmValue};
use wasmtime::{
    AsContextMut, Config, DebugEvent, DebugHandler, Engine, ExternType, Module, ModulePC, Store, StoreContextMut,
    UpdateDeadline, Val,
};
use wasmtime_wasi::p1::WasiP1Ctx;

use crate::guest::GuestConfig;
use crate::outcome::{RunOutcome, TrapKind};
use crate::program::{Compiled, HasWasi, wasi_view};
use crate::sampling::core_module_index;
use crate::wasi_run::{outcome_of, trap_kind};

/// Why the guest stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopReason {
    /// At a breakpoint, or after a single step (the session knows which).
    Breakpoint,
    /// On a trap, before the stack unwinds: frames and locals are readable.
    Trap(TrapKind),
    /// Paused on request.
    Pause,
    /// Before the program's first instruction (stop on entry).
    Entry,
}

/// What the debuggee reports to the session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DebuggeeEvent {
    Stopped(StopReason),
    /// The program ended (exit code, or the trap that ended it).
    Ended(RunOutcome),
    /// The guest wrote to stdout or stderr (with `capture_output`).
    Output { stream: OutputStream, bytes: Vec<u8> },
    /// Stopped by [`Debuggee::terminate`].
    Terminated,
    /// The host failed (compile error, missing `_start`, …).
    Failed(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputStream {
    Stdout,
    Stderr,
}

/// Requests that reach a running guest through Wasmtime's epochs.
#[derive(Debug, Default)]
struct Control {
    pause: AtomicBool,
    /// Set between the epoch event of a pause and the step that finds the
    /// true position.
    pausing: AtomicBool,
    terminate: AtomicBool,
    /// Stop at the first instruction the program runs.
    entry: AtomicBool,
    /// Breakpoints to install at the next epoch event, set while the guest
    /// runs (the store is out of reach until then).
    new_breakpoints: Mutex<Option<Vec<ModuleOffset>>>,
}

type Reply<T> = Sender<Result<T, String>>;

enum Request {
    Frames(Reply<Vec<TargetFrame>>),
    Local { frame: usize, index: u32, reply: Reply<WasmValue> },
    Global { index: u32, reply: Reply<WasmValue> },
    WasmState { frame: usize, reply: Reply<WasmState> },
    ReadMemory { address: MemoryAddress, len: usize, reply: Reply<Vec<u8>> },
    WriteMemory { address: MemoryAddress, bytes: Vec<u8>, reply: Reply<()> },
    SetBreakpoints { offsets: Vec<ModuleOffset>, reply: Reply<()> },
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
        let (requests, request_rx) = channel();
        let (event_tx, events) = channel();
        let control = Arc::new(Control::default());
        control.entry.store(stop_on_entry, Ordering::Relaxed);
        let engine = debug_engine();
        let thread = match &engine {
            Ok(engine) => {
                let (guest, engine, control) = (guest.clone(), engine.clone(), control.clone());
                std::thread::Builder::new()
                    .name("wasmscope-debuggee".into())
                    .spawn(move || {
                        let ended = run_debuggee(&guest, &engine, breakpoints, judge, &control, request_rx, event_tx.clone());
                        let _ = event_tx.send(match ended {
                            _ if control.terminate.load(Ordering::Relaxed) => DebuggeeEvent::Terminated,
                            Ok(outcome) => DebuggeeEvent::Ended(outcome),
                            Err(error) => DebuggeeEvent::Failed(format!("{error:#}")),
                        });
                    })
                    .ok()
            }
            Err(error) => {
                let _ = event_tx.send(DebuggeeEvent::Failed(format!("{error:#}")));
                None
            }
        };
        Debuggee { requests, events, thread, engine: engine.ok(), control }
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
                    let last = matches!(event, DebuggeeEvent::Ended(_) | DebuggeeEvent::Terminated | DebuggeeEvent::Failed(_));
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

    fn ask<T>(&self, make: impl FnOnce(Reply<T>) -> Request) -> anyhow::Result<T> {
        let (reply, answer) = channel();
        self.requests.send(make(reply)).map_err(|_| anyhow::anyhow!("the guest is not stopped"))?;
        answer.recv().map_err(|_| anyhow::anyhow!("the guest is not stopped"))?.map_err(anyhow::Error::msg)
    }

    pub fn frames(&self) -> anyhow::Result<Vec<TargetFrame>> {
        self.ask(Request::Frames)
    }

    pub fn local(&self, frame: usize, index: u32) -> anyhow::Result<WasmValue> {
        self.ask(|reply| Request::Local { frame, index, reply })
    }

    pub fn global(&self, index: u32) -> anyhow::Result<WasmValue> {
        self.ask(|reply| Request::Global { index, reply })
    }

    pub fn wasm_state(&self, frame: usize) -> anyhow::Result<WasmState> {
        self.ask(|reply| Request::WasmState { frame, reply })
    }

    pub fn read_memory(&self, address: MemoryAddress, len: usize) -> anyhow::Result<Vec<u8>> {
        self.ask(|reply| Request::ReadMemory { address, len, reply })
    }

    pub fn write_memory(&self, address: MemoryAddress, bytes: Vec<u8>) -> anyhow::Result<()> {
        self.ask(|reply| Request::WriteMemory { address, bytes, reply })
    }

    /// Replaces the set of breakpoints.
    pub fn set_breakpoints(&self, offsets: Vec<ModuleOffset>) -> anyhow::Result<()> {
        self.ask(|reply| Request::SetBreakpoints { offsets, reply })
    }

    pub fn resume(&self, how: Resume) -> anyhow::Result<()> {
        self.requests.send(Request::Resume(how)).map_err(|_| anyhow::anyhow!("the guest is not stopped"))
    }

    /// Resumes with a policy that decides, on the guest's thread, which of
    /// the following breaks are real stops (stepping, conditions).
    pub fn resume_with(&self, policy: Box<dyn BreakPolicy>, how: Resume) -> anyhow::Result<()> {
        self.requests.send(Request::ResumeWith(policy, how)).map_err(|_| anyhow::anyhow!("the guest is not stopped"))
    }
}

/// The session's view of a stopped guest through the request channel (one
/// round trip per call; the policies run on the guest's side instead).
impl TargetView for Debuggee {
    fn frames(&mut self) -> Result<Vec<TargetFrame>, String> {
        Debuggee::frames(self).map_err(|e| e.to_string())
    }
    fn local(&mut self, frame: usize, index: u32) -> Result<WasmValue, String> {
        Debuggee::local(self, frame, index).map_err(|e| e.to_string())
    }
    fn global(&mut self, index: u32) -> Result<WasmValue, String> {
        Debuggee::global(self, index).map_err(|e| e.to_string())
    }
    fn wasm_state(&mut self, frame: usize) -> Result<WasmState, String> {
        Debuggee::wasm_state(self, frame).map_err(|e| e.to_string())
    }
    fn read_memory(&mut self, address: MemoryAddress, len: usize) -> Result<Vec<u8>, String> {
        Debuggee::read_memory(self, address, len).map_err(|e| e.to_string())
    }
    fn write_memory(&mut self, address: MemoryAddress, bytes: &[u8]) -> Result<(), String> {
        Debuggee::write_memory(self, address, bytes.to_vec()).map_err(|e| e.to_string())
    }
    fn set_breakpoints(&mut self, offsets: &[ModuleOffset]) -> Result<(), String> {
        Debuggee::set_breakpoints(self, offsets.to_vec()).map_err(|e| e.to_string())
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

fn debug_engine() -> anyhow::Result<Engine> {
    let mut config = Config::new();
    config.guest_debug(true);
    // Epochs carry pause and terminate requests into running Wasm.
    config.epoch_interruption(true);
    crate::compile_cache::enable(&mut config);
    Ok(Engine::new(&config)?)
}

struct HostData {
    wasi: WasiP1Ctx,
}

impl HasWasi for HostData {
    fn wasi(&mut self) -> &mut WasiP1Ctx {
        &mut self.wasi
    }
}
wasi_view!(HostData);

/// What frames need to know of a core module, found once per module.
#[derive(Clone, Copy)]
struct ModuleFacts {
    /// Its index among the program's core modules.
    index: usize,
    /// Functions it imports: frame function indices count defined ones.
    imported_functions: u32,
}

#[derive(Clone)]
struct Handler {
    shared: Arc<HandlerShared>,
}

struct HandlerShared {
    requests: Mutex<Receiver<Request>>,
    events: Sender<DebuggeeEvent>,
    /// The core module breakpoint offsets refer to.
    module: Module,
    /// The program is a component: other core modules run too.
    is_component: bool,
    module_facts: Mutex<std::collections::HashMap<u64, ModuleFacts>>,
    breakpoints: Mutex<Vec<ModuleOffset>>,
    /// A step in progress: judges breaks until it stops.
    policy: Mutex<Option<Box<dyn BreakPolicy>>>,
    /// The standing judge of breakpoint hits.
    judge: Mutex<Option<Box<dyn BreakPolicy>>>,
    control: Arc<Control>,
}

fn run_debuggee(
    guest: &GuestConfig,
    engine: &Engine,
    breakpoints: Vec<ModuleOffset>,
    judge: Option<Box<dyn BreakPolicy>>,
    control: &Arc<Control>,
    requests: Receiver<Request>,
    events: Sender<DebuggeeEvent>,
) -> anyhow::Result<RunOutcome> {
    let program = Compiled::from_file(engine, &guest.program)?;
    let mut builder = crate::wasi_run::wasi_builder(guest)?;
    if guest.capture_output {
        builder.stdout(crate::guest_output::ChannelOutput::new(OutputStream::Stdout, events.clone()));
        builder.stderr(crate::guest_output::ChannelOutput::new(OutputStream::Stderr, events.clone()));
    } else if !guest.quiet {
        builder.inherit_stdout().inherit_stderr();
    }
    let mut store = Store::new(engine, HostData { wasi: builder.build_p1() });
    store.set_epoch_deadline(1);
    let deadline_control = control.clone();
    store.epoch_deadline_callback(move |_| {
        Ok(if deadline_control.terminate.load(Ordering::Relaxed) {
            UpdateDeadline::Interrupt
        } else {
            UpdateDeadline::Continue(1)
        })
    });

    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async {
        let start = program.instantiate_async(&mut store).await?;
        if control.terminate.load(Ordering::Relaxed) {
            bail!("terminated before it started");
        }
        // Breakpoints go in after instantiation: a component's code is
        // copied into the store then, and edits must reach that copy.
        let module = debugged_module(&mut store, &program, guest.core_module)?;
        let handler = Handler {
            shared: Arc::new(HandlerShared {
                requests: Mutex::new(requests),
                events,
                module: module.clone(),
                is_component: matches!(program, Compiled::Component(..)),
                module_facts: Mutex::default(),
                breakpoints: Mutex::new(Vec::new()),
                policy: Mutex::new(None),
                judge: Mutex::new(judge),
                control: control.clone(),
            }),
        };
        store.set_debug_handler(handler.clone());
        {
            let mut edit = store.edit_breakpoints().context("guest debugging is off")?;
            for offset in &breakpoints {
                edit.add_breakpoint(&module, module_pc(*offset)?)?;
            }
        }
        *handler.shared.breakpoints.lock().unwrap_or_else(|p| p.into_inner()) = breakpoints;
        if control.entry.load(Ordering::Relaxed) {
            set_single_step(&handler.shared, &mut store.as_context_mut(), Resume::Step);
        } else if control.pause.swap(false, Ordering::Relaxed) {
            // A pause asked for while compiling: its epoch tick may predate
            // the store's deadline, so stop at the first instruction.
            control.pausing.store(true, Ordering::Relaxed);
            set_single_step(&handler.shared, &mut store.as_context_mut(), Resume::Step);
        }
        outcome_of(start.call(&mut store).await, &program.module_starts())
    })
}

/// The core module whose offsets breakpoints name: the program itself, or
/// the `index`th core module of an instantiated component.
fn debugged_module(store: &mut Store<HostData>, program: &Compiled, index: usize) -> anyhow::Result<Module> {
    match program {
        Compiled::Module(module) => Ok(module.clone()),
        Compiled::Component(..) => {
            let modules = store.debug_all_modules();
            let count = modules.len();
            modules
                .into_iter()
                .find(|module| core_module_index(module) == index)
                .with_context(|| format!("the component has {count} core modules, not {}", index + 1))
        }
    }
}

/// The index and imported-function count of the module of `frame`.
fn module_facts(
    shared: &HandlerShared,
    store: &mut StoreContextMut<'_, HostData>,
    frame: &wasmtime::FrameHandle,
) -> Result<ModuleFacts, String> {
    let module = frame.module(&mut *store).map_err(|e| e.to_string())?.ok_or("a frame without a module")?;
    let mut known = shared.module_facts.lock().unwrap_or_else(|p| p.into_inner());
    Ok(*known.entry(module.debug_index_in_engine()).or_insert_with(|| ModuleFacts {
        index: core_module_index(module),
        imported_functions: module.imports().filter(|import| matches!(import.ty(), ExternType::Func(_))).count() as u32,
    }))
}

/// A frame handle's Wasm position, `None` for a host frame.
fn target_frame(
    shared: &HandlerShared,
    store: &mut StoreContextMut<'_, HostData>,
    frame: &wasmtime::FrameHandle,
) -> Result<Option<TargetFrame>, String> {
    let Some((defined, pc)) = frame.wasm_function_index_and_pc(&mut *store).map_err(|e| e.to_string())? else {
        return Ok(None);
    };
    let facts = module_facts(shared, store, frame)?;
    Ok(Some(TargetFrame {
        module: facts.index,
        function_index: facts.imported_functions + defined.as_u32(),
        offset: ModuleOffset(u64::from(pc.raw())),
    }))
}

fn module_pc(offset: ModuleOffset) -> anyhow::Result<ModulePC> {
    Ok(ModulePC::new(u32::try_from(offset.0).context("module offset beyond 4 GiB")?))
}

impl DebugHandler for Handler {
    type Data = HostData;

    fn handle(
        &self,
        store: StoreContextMut<'_, HostData>,
        event: DebugEvent<'_>,
    ) -> impl std::future::Future<Output = ()> + Send {
        let control = &self.shared.control;
        let mut store = store;
        if matches!(event, DebugEvent::EpochYield)
            && let Some(offsets) = control.new_breakpoints.lock().unwrap_or_else(|p| p.into_inner()).take()
        {
            let _ = set_breakpoints(&self.shared, &mut store, offsets);
        }
        let reason = match &event {
            _ if control.terminate.load(Ordering::Relaxed) => {
                set_single_step(&self.shared, &mut store, Resume::Continue);
                None
            }
            DebugEvent::EpochYield if control.pause.swap(false, Ordering::Relaxed) => {
                // The position of an epoch event is imprecise: step once
                // and report the next instruction as the pause.
                control.pausing.store(true, Ordering::Relaxed);
                set_single_step(&self.shared, &mut store, Resume::Step);
                None
            }
            DebugEvent::Breakpoint if control.entry.swap(false, Ordering::Relaxed) => Some(StopReason::Entry),
            DebugEvent::Breakpoint if control.pausing.swap(false, Ordering::Relaxed) => Some(StopReason::Pause),
            DebugEvent::Breakpoint => Some(StopReason::Breakpoint),
            DebugEvent::Trap(trap) => Some(StopReason::Trap(trap_kind(*trap))),
            _ => None,
        };
        let shared = self.shared.clone();
        async move {
            let Some(reason) = reason else { return };
            if matches!(reason, StopReason::Entry | StopReason::Pause | StopReason::Breakpoint)
                && !innermost_in_program(&shared, &mut store)
            {
                let stepping = shared.policy.lock().unwrap_or_else(|p| p.into_inner()).is_some();
                match reason {
                    // Stop on entry or pause at the program's first
                    // instruction, not in the adapter that calls it.
                    StopReason::Entry | StopReason::Pause => {
                        let flag = if reason == StopReason::Entry { &shared.control.entry } else { &shared.control.pausing };
                        flag.store(true, Ordering::Relaxed);
                        set_single_step(&shared, &mut store, Resume::Step);
                        return;
                    }
                    // Not a step: wasmtime also patched this offset in
                    // another module of the component (see set_single_step);
                    // none of our breakpoints is there.
                    _ if !stepping => {
                        set_single_step(&shared, &mut store, Resume::Continue);
                        return;
                    }
                    _ => {}
                }
            }
            if reason == StopReason::Pause {
                // A pause ends any step in progress.
                *shared.policy.lock().unwrap_or_else(|p| p.into_inner()) = None;
            }
            if reason == StopReason::Breakpoint {
                // A step in progress, else the standing judge, decides the
                // break here, on the guest's thread: most breaks never leave.
                let mut step = shared.policy.lock().unwrap_or_else(|p| p.into_inner());
                let verdict = match step.as_mut() {
                    Some(active) => {
                        let verdict = active.on_break(&mut StoreView { shared: &shared, store: &mut store });
                        if verdict.is_none() {
                            *step = None;
                        }
                        verdict
                    }
                    None => {
                        let mut judge = shared.judge.lock().unwrap_or_else(|p| p.into_inner());
                        judge.as_mut().and_then(|j| j.on_break(&mut StoreView { shared: &shared, store: &mut store }))
                    }
                };
                drop(step);
                if let Some(resume) = verdict {
                    set_single_step(&shared, &mut store, resume);
                    return;
                }
            }
            serve_while_stopped(&shared, store, reason);
        }
    }
}

/// Reports the stop, then answers requests until told to resume. Runs on
/// the guest's thread with the store borrowed: the guest is frozen.
fn serve_while_stopped(shared: &HandlerShared, mut store: StoreContextMut<'_, HostData>, reason: StopReason) {
    if shared.events.send(DebuggeeEvent::Stopped(reason)).is_err() {
        return;
    }
    let requests = shared.requests.lock().unwrap_or_else(|p| p.into_inner());
    // A closed channel (the session went away) resumes the guest.
    while let Ok(request) = requests.recv() {
        match request {
            Request::Frames(reply) => {
                let _ = reply.send(frames(shared, &mut store));
            }
            Request::Local { frame, index, reply } => {
                let _ = reply.send(local(&mut store, frame, index));
            }
            Request::Global { index, reply } => {
                let _ = reply.send(global(shared, &mut store, index));
            }
            Request::WasmState { frame, reply } => {
                let _ = reply.send(wasm_state(&mut store, frame));
            }
            Request::ReadMemory { address, len, reply } => {
                let _ = reply.send(read_memory(shared, &mut store, address, len));
            }
            Request::WriteMemory { address, bytes, reply } => {
                let _ = reply.send(write_memory(shared, &mut store, address, &bytes));
            }
            Request::SetBreakpoints { offsets, reply } => {
                let _ = reply.send(set_breakpoints(shared, &mut store, offsets));
            }
            Request::Resume(how) => {
                set_single_step(shared, &mut store, how);
                return;
            }
            Request::ResumeWith(policy, how) => {
                *shared.policy.lock().unwrap_or_else(|p| p.into_inner()) = Some(policy);
                set_single_step(shared, &mut store, how);
                return;
            }
        }
    }
}

fn set_single_step(shared: &HandlerShared, store: &mut StoreContextMut<'_, HostData>, how: Resume) {
    let Some(mut edit) = store.as_context_mut().edit_breakpoints() else { return };
    let _ = edit.single_step(how == Resume::Step);
    if how == Resume::Continue && shared.is_component {
        // Wasmtime 48 keeps one breakpoint table for a whole component and
        // ends single-stepping module by module over all of it: the last
        // module's pass turns our breakpoints off. Put them back.
        let current = shared.breakpoints.lock().unwrap_or_else(|p| p.into_inner());
        for offset in current.iter() {
            let Ok(pc) = module_pc(*offset) else { continue };
            let _ = edit.remove_breakpoint(&shared.module, pc);
            let _ = edit.add_breakpoint(&shared.module, pc);
        }
    }
}

/// Whether the innermost frame runs the program's own core module (not a
/// component's WASI adapter or glue).
fn innermost_in_program(shared: &HandlerShared, store: &mut StoreContextMut<'_, HostData>) -> bool {
    if !shared.is_component {
        return true;
    }
    let Ok(frame) = nth_frame(store, 0) else { return true };
    let wanted = shared.module.debug_index_in_engine();
    frame.module(&mut *store).ok().flatten().is_none_or(|m| m.debug_index_in_engine() == wanted)
}

/// The guest seen from inside the debug handler.
struct StoreView<'a, 'b> {
    shared: &'a HandlerShared,
    store: &'a mut StoreContextMut<'b, HostData>,
}

impl TargetView for StoreView<'_, '_> {
    fn frames(&mut self) -> Result<Vec<TargetFrame>, String> {
        frames(self.shared, self.store)
    }
    fn innermost(&mut self) -> Result<Option<TargetFrame>, String> {
        let frame = nth_frame(self.store, 0)?;
        target_frame(self.shared, self.store, &frame)
    }
    fn local(&mut self, frame: usize, index: u32) -> Result<WasmValue, String> {
        local(self.store, frame, index)
    }
    fn global(&mut self, index: u32) -> Result<WasmValue, String> {
        global(self.shared, self.store, index)
    }
    fn wasm_state(&mut self, frame: usize) -> Result<WasmState, String> {
        wasm_state(self.store, frame)
    }
    fn read_memory(&mut self, address: MemoryAddress, len: usize) -> Result<Vec<u8>, String> {
        read_memory(self.shared, self.store, address, len)
    }
    fn write_memory(&mut self, address: MemoryAddress, bytes: &[u8]) -> Result<(), String> {
        write_memory(self.shared, self.store, address, bytes)
    }
    fn set_breakpoints(&mut self, offsets: &[ModuleOffset]) -> Result<(), String> {
        set_breakpoints(self.shared, self.store, offsets.to_vec())
    }
}

/// The Wasm frames of the innermost activation, innermost first.
fn frames(shared: &HandlerShared, store: &mut StoreContextMut<'_, HostData>) -> Result<Vec<TargetFrame>, String> {
    let mut out = Vec::new();
    let mut current = store.debug_exit_frames().next();
    while let Some(frame) = current {
        out.extend(target_frame(shared, store, &frame)?);
        current = frame.parent(&mut *store).map_err(|e| e.to_string())?;
    }
    Ok(out)
}

fn nth_frame(store: &mut StoreContextMut<'_, HostData>, n: usize) -> Result<wasmtime::FrameHandle, String> {
    let mut current = store.debug_exit_frames().next();
    let mut seen = 0;
    while let Some(frame) = current {
        if frame.wasm_function_index_and_pc(&mut *store).map_err(|e| e.to_string())?.is_some() {
            if seen == n {
                return Ok(frame);
            }
            seen += 1;
        }
        current = frame.parent(&mut *store).map_err(|e| e.to_string())?;
    }
    Err(format!("no frame {n}"))
}

fn local(store: &mut StoreContextMut<'_, HostData>, frame: usize, index: u32) -> Result<WasmValue, String> {
    let handle = nth_frame(store, frame)?;
    let count = handle.num_locals(&mut *store).map_err(|e| e.to_string())?;
    if index >= count {
        return Err(format!("frame {frame} has {count} locals, not {}", index + 1));
    }
    Ok(value(handle.local(&mut *store, index).map_err(|e| e.to_string())?))
}

fn wasm_state(store: &mut StoreContextMut<'_, HostData>, frame: usize) -> Result<WasmState, String> {
    let handle = nth_frame(store, frame)?;
    let locals = handle.num_locals(&mut *store).map_err(|e| e.to_string())?;
    let stack = handle.num_stacks(&mut *store).map_err(|e| e.to_string())?;
    Ok(WasmState {
        locals: (0..locals)
            .map(|i| handle.local(&mut *store, i).map(value))
            .collect::<Result<_, _>>()
            .map_err(|e| e.to_string())?,
        stack: (0..stack)
            .map(|i| handle.stack(&mut *store, i).map(value))
            .collect::<Result<_, _>>()
            .map_err(|e| e.to_string())?,
    })
}

/// The instance of the program's own module (a component's WASI adapter
/// has globals and a memory of its own): that of the innermost frame in it,
/// else the innermost frame's.
fn program_instance(
    shared: &HandlerShared,
    store: &mut StoreContextMut<'_, HostData>,
) -> Result<wasmtime::Instance, String> {
    let wanted = shared.module.debug_index_in_engine();
    let mut current = store.debug_exit_frames().next();
    let mut innermost = None;
    while let Some(frame) = current {
        if frame.wasm_function_index_and_pc(&mut *store).map_err(|e| e.to_string())?.is_some() {
            let module = frame.module(&mut *store).map_err(|e| e.to_string())?;
            if module.is_some_and(|m| m.debug_index_in_engine() == wanted) {
                return frame.instance(&mut *store).map_err(|e| e.to_string());
            }
            innermost.get_or_insert(frame.clone());
        }
        current = frame.parent(&mut *store).map_err(|e| e.to_string())?;
    }
    innermost.ok_or("no Wasm frame")?.instance(&mut *store).map_err(|e| e.to_string())
}

fn global(shared: &HandlerShared, store: &mut StoreContextMut<'_, HostData>, index: u32) -> Result<WasmValue, String> {
    let instance = program_instance(shared, store)?;
    let global = instance.debug_global(&mut *store, index).ok_or_else(|| format!("no global {index}"))?;
    Ok(value(global.get(&mut *store)))
}

fn memory(shared: &HandlerShared, store: &mut StoreContextMut<'_, HostData>) -> Result<wasmtime::Memory, String> {
    let instance = program_instance(shared, store)?;
    instance.debug_memory(&mut *store, 0).ok_or_else(|| "the module has no linear memory".to_owned())
}

fn read_memory(
    shared: &HandlerShared,
    store: &mut StoreContextMut<'_, HostData>,
    address: MemoryAddress,
    len: usize,
) -> Result<Vec<u8>, String> {
    let memory = memory(shared, store)?;
    let mut buffer = vec![0; len];
    let start = usize::try_from(address.0).map_err(|e| e.to_string())?;
    memory.read(&*store, start, &mut buffer).map_err(|_| format!("cannot read {len} bytes at {address}: out of bounds"))?;
    Ok(buffer)
}

fn write_memory(
    shared: &HandlerShared,
    store: &mut StoreContextMut<'_, HostData>,
    address: MemoryAddress,
    bytes: &[u8],
) -> Result<(), String> {
    let memory = memory(shared, store)?;
    let start = usize::try_from(address.0).map_err(|e| e.to_string())?;
    memory.write(&mut *store, start, bytes).map_err(|_| format!("cannot write {} bytes at {address}: out of bounds", bytes.len()))
}

fn set_breakpoints(
    shared: &HandlerShared,
    store: &mut StoreContextMut<'_, HostData>,
    offsets: Vec<ModuleOffset>,
) -> Result<(), String> {
    let mut current = shared.breakpoints.lock().unwrap_or_else(|p| p.into_inner());
    let mut edit = store.as_context_mut().edit_breakpoints().ok_or("guest debugging is off")?;
    for old in current.iter() {
        edit.remove_breakpoint(&shared.module, module_pc(*old).map_err(|e| e.to_string())?).map_err(|e| e.to_string())?;
    }
    for new in &offsets {
        edit.add_breakpoint(&shared.module, module_pc(*new).map_err(|e| e.to_string())?).map_err(|e| e.to_string())?;
    }
    *current = offsets;
    Ok(())
}

fn value(value: Val) -> WasmValue {
    match value {
        Val::I32(v) => WasmValue::I32(v),
        Val::I64(v) => WasmValue::I64(v),
        Val::F32(bits) => WasmValue::F32(f32::from_bits(bits)),
        Val::F64(bits) => WasmValue::F64(f64::from_bits(bits)),
        _ => WasmValue::Other,
    }
}
