//! Wasmtime's debug handler: judges each break on the guest's thread (a
//! step in progress, else the standing breakpoint judge) and serves a
//! stopped guest's requests until told to resume.

use std::sync::atomic::Ordering;
use std::sync::mpsc::{Receiver, Sender};
use std::sync::{Arc, Mutex};

use wasmscope_debugger::address::{MemoryAddress, ModuleOffset};
use wasmscope_debugger::target::{BreakPolicy, Resume, TargetError, TargetFrame, TargetView, WasmState, WasmValue};
use wasmtime::{AsContextMut, DebugEvent, DebugHandler, Module, StoreContextMut};

use super::inspect::*;
use super::{Control, DebuggeeEvent, Request, StopReason};
use crate::host_data::HostData;
use crate::wasi_run::trap_kind;

/// What frames need to know of a core module, found once per module.
#[derive(Clone, Copy)]
pub(super) struct ModuleFacts {
    /// Its index among the program's core modules.
    pub(super) index: usize,
    /// Functions it imports: frame function indices count defined ones.
    pub(super) imported_functions: u32,
}

#[derive(Clone)]
pub(super) struct Handler {
    pub(super) shared: Arc<HandlerShared>,
}

pub(super) struct HandlerShared {
    pub(super) requests: Mutex<Receiver<Request>>,
    pub(super) events: Sender<DebuggeeEvent>,
    /// The core module breakpoint offsets refer to.
    pub(super) module: Module,
    /// The program is a component: other core modules run too.
    pub(super) is_component: bool,
    /// The facts of `module`, the program's own core module.
    pub(super) program_facts: ModuleFacts,
    /// Facts of a component's core modules, found as frames meet them.
    pub(super) module_facts: Mutex<std::collections::HashMap<u64, ModuleFacts>>,
    pub(super) breakpoints: Mutex<Vec<ModuleOffset>>,
    /// A step in progress: judges breaks until it stops.
    pub(super) policy: Mutex<Option<Box<dyn BreakPolicy>>>,
    pub(super) control: Arc<Control>,
    /// The innermost frame was entered as the stack ran out: its prologue
    /// never stored the instance and locals that Wasmtime reads for it
    /// (reading them aborts the process), so it is shown by position only.
    pub(super) innermost_unsettled: std::sync::atomic::AtomicBool,
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
                        let flag =
                            if reason == StopReason::Entry { &shared.control.entry } else { &shared.control.pausing };
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
                        let mut judge = shared.control.judge.lock().unwrap_or_else(|p| p.into_inner());
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
pub(super) fn serve_while_stopped(
    shared: &HandlerShared,
    mut store: StoreContextMut<'_, HostData>,
    reason: StopReason,
) {
    shared
        .innermost_unsettled
        .store(reason == StopReason::Trap(wasmscope_debugger::target::TrapKind::StackExhausted), Ordering::Relaxed);
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
                let _ = reply.send(local(shared, &mut store, frame, index));
            }
            Request::Global { index, reply } => {
                let _ = reply.send(global(shared, &mut store, index));
            }
            Request::WasmState { frame, reply } => {
                let _ = reply.send(wasm_state(shared, &mut store, frame));
            }
            Request::ReadMemory { address, len, reply } => {
                let _ = reply.send(read_memory(shared, &mut store, address, len));
            }
            Request::MemorySize(reply) => {
                let _ = reply.send(memory_size(shared, &mut store));
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

pub(super) fn set_single_step(shared: &HandlerShared, store: &mut StoreContextMut<'_, HostData>, how: Resume) {
    let Some(mut edit) = store.as_context_mut().edit_breakpoints() else {
        return;
    };
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
pub(super) fn innermost_in_program(shared: &HandlerShared, store: &mut StoreContextMut<'_, HostData>) -> bool {
    if !shared.is_component {
        return true;
    }
    let Ok(frame) = nth_frame(store, 0) else {
        return true;
    };
    let wanted = shared.module.debug_index_in_engine();
    frame.module(&mut *store).ok().flatten().is_none_or(|m| m.debug_index_in_engine() == wanted)
}

/// The guest seen from inside the debug handler.
pub(super) struct StoreView<'a, 'b> {
    shared: &'a HandlerShared,
    store: &'a mut StoreContextMut<'b, HostData>,
}

impl TargetView for StoreView<'_, '_> {
    fn frames(&mut self) -> Result<Vec<TargetFrame>, TargetError> {
        frames(self.shared, self.store).map_err(TargetError::Refused)
    }
    fn innermost(&mut self) -> Result<Option<TargetFrame>, TargetError> {
        let frame = nth_frame(self.store, 0).map_err(TargetError::Refused)?;
        target_frame(self.shared, self.store, &frame, is_unsettled(self.shared)).map_err(TargetError::Refused)
    }
    fn local(&mut self, frame: usize, index: u32) -> Result<WasmValue, TargetError> {
        local(self.shared, self.store, frame, index).map_err(TargetError::Refused)
    }
    fn global(&mut self, index: u32) -> Result<WasmValue, TargetError> {
        global(self.shared, self.store, index).map_err(TargetError::Refused)
    }
    fn wasm_state(&mut self, frame: usize) -> Result<WasmState, TargetError> {
        wasm_state(self.shared, self.store, frame).map_err(TargetError::Refused)
    }
    fn read_memory(&mut self, address: MemoryAddress, len: usize) -> Result<Vec<u8>, TargetError> {
        read_memory(self.shared, self.store, address, len).map_err(TargetError::Refused)
    }
    fn write_memory(&mut self, address: MemoryAddress, bytes: &[u8]) -> Result<(), TargetError> {
        write_memory(self.shared, self.store, address, bytes).map_err(TargetError::Refused)
    }
    fn memory_size(&mut self) -> Result<u64, TargetError> {
        memory_size(self.shared, self.store).map_err(TargetError::Refused)
    }
    fn set_breakpoints(&mut self, offsets: &[ModuleOffset]) -> Result<(), TargetError> {
        set_breakpoints(self.shared, self.store, offsets.to_vec()).map_err(TargetError::Refused)
    }

    fn breakpoint_stops_here(&mut self) -> bool {
        let shared = self.shared;
        let mut judge = shared.control.judge.lock().unwrap_or_else(|p| p.into_inner());
        match judge.as_mut() {
            Some(judge) => judge.on_break(self).is_none(),
            None => true,
        }
    }
}
