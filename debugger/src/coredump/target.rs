//! A coredump behind the target seam: a program that has already trapped.
//! `start` reports its one thread stopped at the trap; frames, locals,
//! globals and memory are read from the dump; anything that would run the
//! program is refused with the reason.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use super::format::{CoreDump, DumpFrame};
use super::matching::{body_of, match_instances};
use super::trap_guess::trap_site;
use crate::address::{CodeOffset, MemoryAddress, ModuleOffset};
use crate::symbols::{CoreModule, parse_wasm_file, read_input_file};
use crate::target::{
    BreakPolicy, CompileReport, EventSink, GuestConfig, Launcher, PreparedTarget, Resume, StartOptions, StopReason,
    Target, TargetError, TargetEvent, TargetFrame, TargetView, ThreadId, ThreadInfo, TrapKind, WasmState, WasmValue,
};

/// What every execution request hears.
pub const POST_MORTEM: &str = "this is a coredump: the state of a program that has ended, which cannot run, step or \
                               pause (inspect its stack, variables and memory)";

/// The dump's one stopped thread.
const THREAD: ThreadId = 1;

/// Opens a coredump for a session: `prepare` checks it against the program.
#[derive(Debug)]
pub struct CoreLauncher {
    dump: Arc<CoreDump>,
    path: PathBuf,
}

impl CoreLauncher {
    /// Reads and parses the coredump at `path`.
    pub fn open(path: &Path) -> Result<Self, String> {
        let bytes = read_input_file(path).map_err(|e| format!("cannot read the coredump: {e}"))?;
        let dump = CoreDump::parse(&Arc::from(bytes), &path.display().to_string()).map_err(|e| e.to_string())?;
        Ok(CoreLauncher { dump: Arc::new(dump), path: path.to_owned() })
    }

    pub fn dump(&self) -> &CoreDump {
        &self.dump
    }

    /// The program the dump names, when no program is given: the path
    /// wasmscope recorded, else the writer's name for it, as given, then
    /// next to the dump.
    pub fn program_path(&self) -> Result<PathBuf, String> {
        let recorded = self.dump.note.as_ref().and_then(|n| n.program_path.clone());
        let mut candidates: Vec<PathBuf> = recorded.iter().map(PathBuf::from).collect();
        let named = PathBuf::from(&self.dump.program_name);
        candidates.push(named.clone());
        if let Some(dir) = self.path.parent()
            && named.is_relative()
        {
            candidates.push(dir.join(&named));
            if let Some(file) = named.file_name() {
                candidates.push(dir.join(file));
            }
        }
        candidates.into_iter().find(|p| p.is_file()).ok_or_else(|| {
            format!(
                "the coredump names its program `{}`, which is not here: give the .wasm it came from",
                self.dump.program_name
            )
        })
    }
}

impl Launcher for CoreLauncher {
    fn prepare(
        &self,
        program: &GuestConfig,
        bytes: &[u8],
        on_compiled: Box<dyn FnOnce(CompileReport) + Send>,
    ) -> Result<Box<dyn PreparedTarget>, TargetError> {
        let name = program.program.display().to_string();
        let file: Arc<[u8]> = Arc::from(bytes);
        let modules = parse_wasm_file(&file, &name).map_err(|e| TargetError::refused(e.to_string()))?;
        let instances = match_instances(&self.dump, bytes, &modules, &name)
            .map_err(|e| TargetError::refused(format!("{}: {e}", self.path.display())))?;
        on_compiled(Ok(std::time::Duration::ZERO));
        Ok(Box::new(PreparedCore { view: CoreView::new(self.dump.clone(), &modules, instances) }))
    }
}

#[derive(Debug)]
struct PreparedCore {
    view: CoreView,
}

impl PreparedTarget for PreparedCore {
    fn start(self: Box<Self>, _: &GuestConfig, options: StartOptions) -> Result<Box<dyn Target>, TargetError> {
        let mut events = options.events;
        let thread = self.view.dump.trapped_thread();
        let mut name = thread.name.clone();
        if let Some(context) = self.view.dump.note.as_ref().and_then(|n| n.context.as_ref()) {
            name = format!("{name} ({context})");
        }
        events(TargetEvent::ThreadStarted(ThreadInfo { id: THREAD, name }));
        events(TargetEvent::Stopped { thread: THREAD, reason: StopReason::Trap(self.view.trap_kind()) });
        Ok(Box::new(CoreTarget { view: self.view, events: Mutex::new(Some(events)) }))
    }
}

struct CoreTarget {
    view: CoreView,
    events: Mutex<Option<EventSink>>,
}

impl std::fmt::Debug for CoreTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CoreTarget").finish_non_exhaustive()
    }
}

impl Target for CoreTarget {
    fn stops_all_threads(&self) -> bool {
        true
    }

    fn view(&mut self, thread: ThreadId) -> Result<&mut dyn TargetView, TargetError> {
        if thread != THREAD {
            return Err(TargetError::NoThread(thread));
        }
        Ok(&mut self.view)
    }

    fn resume(&mut self, _: ThreadId, _: Resume) -> Result<(), TargetError> {
        Err(TargetError::refused(POST_MORTEM))
    }

    fn resume_with(&mut self, _: ThreadId, _: Box<dyn BreakPolicy>, _: Resume) -> Result<(), TargetError> {
        Err(TargetError::refused(POST_MORTEM))
    }

    fn pause(&mut self, _: ThreadId) -> Result<(), TargetError> {
        Err(TargetError::refused(POST_MORTEM))
    }

    fn set_breakpoints(&mut self, _: usize, _: &[ModuleOffset]) -> Result<(), TargetError> {
        // Nothing runs to meet them; the client may keep its markers.
        Ok(())
    }

    fn terminate(&mut self) {
        let sink = self.events.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(mut events) = sink {
            events(TargetEvent::ThreadExited(THREAD));
            events(TargetEvent::Terminated);
        }
    }

    fn detach(self: Box<Self>) {}
}

/// The dump's trapped thread, as a stopped thread.
#[derive(Debug)]
struct CoreView {
    dump: Arc<CoreDump>,
    /// The program's core module of each instance of the dump.
    instances: Vec<Option<usize>>,
    frames: Vec<TargetFrame>,
    trap: TrapKind,
}

impl CoreView {
    fn new(dump: Arc<CoreDump>, modules: &[CoreModule], instances: Vec<Option<usize>>) -> Self {
        let frames = dump
            .trapped_thread()
            .frames
            .iter()
            .enumerate()
            .filter_map(|(n, frame)| {
                let module = instances[frame.instance as usize]?;
                Some(TargetFrame {
                    module,
                    function_index: frame.function_index,
                    offset: position(&modules[module], frame, n > 0)?,
                })
            })
            .collect::<Vec<TargetFrame>>();
        // The innermost frame as the debugger would have stopped there.
        let site = frames.first().and_then(|top| trap_site(&modules[top.module], top.offset));
        let mut frames = frames;
        if let (Some(top), Some((_, at))) = (frames.first_mut(), site) {
            top.offset = at;
        }
        let recorded = dump.note.as_ref().and_then(|n| n.trap);
        let trap = recorded.or(site.map(|(kind, _)| kind)).unwrap_or(TrapKind::Other);
        CoreView { dump, instances, frames, trap }
    }

    fn trap_kind(&self) -> TrapKind {
        self.trap
    }

    fn frame(&self, n: usize) -> Result<&DumpFrame, TargetError> {
        self.dump.trapped_thread().frames.get(n).ok_or_else(|| TargetError::refused(format!("no frame {n}")))
    }

    /// The instance whose globals and memory the program's variables name:
    /// that of the innermost frame in the program's module (a component's
    /// adapter has its own), else the only one.
    fn program_instance(&self) -> Result<&super::format::DumpInstance, TargetError> {
        let program = self.frames.first().map(|f| f.module);
        let frame_instance = self
            .dump
            .trapped_thread()
            .frames
            .iter()
            .map(|f| f.instance as usize)
            .find(|i| self.instances[*i].is_some() && self.instances[*i] == program);
        let index = frame_instance.or((self.dump.instances.len() == 1).then_some(0));
        index
            .and_then(|i| self.dump.instances.get(i))
            .ok_or_else(|| TargetError::refused("the coredump does not say which instance the program's globals are"))
    }
}

impl CoreView {
    /// The program instance's linear memory.
    fn memory(&self) -> Result<&super::format::MemoryImage, TargetError> {
        let instance = self.program_instance()?;
        instance
            .memories
            .first()
            .and_then(|m| self.dump.memories.get(*m as usize))
            .ok_or_else(|| TargetError::refused("the coredump holds no linear memory of the program"))
    }
}

/// Where a dump's frame is, as the seam says it: the instruction for the
/// innermost frame; for a caller, the return address after its call (a dump
/// records the call itself, as wasmtime's backtraces do).
fn position(module: &CoreModule, frame: &DumpFrame, caller: bool) -> Option<ModuleOffset> {
    let code = module.code?;
    let body = body_of(module, frame.function_index)?;
    let at = CodeOffset(body.body_start.0 + u64::from(frame.code_offset));
    let at = if caller { module.return_address_of_call(at).unwrap_or(at) } else { at };
    Some(code.to_module(at))
}

fn value(values: &[Option<WasmValue>], index: u32, what: &str, n: usize) -> Result<WasmValue, TargetError> {
    match values.get(index as usize) {
        Some(Some(value)) => Ok(*value),
        Some(None) => Err(TargetError::refused(format!("the coredump has no value for {what} {index} of frame {n}"))),
        None if values.is_empty() => Err(no_locals(n)),
        None => Err(TargetError::refused(format!("frame {n} has {} {what}s, not {}", values.len(), index + 1))),
    }
}

fn no_locals(n: usize) -> TargetError {
    TargetError::refused(format!(
        "the coredump holds no Wasm locals for frame {n} (a production engine's dump records none; one written by \
         the debugger does)"
    ))
}

impl TargetView for CoreView {
    fn frames(&mut self) -> Result<Vec<TargetFrame>, TargetError> {
        Ok(self.frames.clone())
    }

    fn local(&mut self, frame: usize, index: u32) -> Result<WasmValue, TargetError> {
        value(&self.frame(frame)?.locals, index, "local", frame)
    }

    fn global(&mut self, index: u32) -> Result<WasmValue, TargetError> {
        let instance = self.program_instance()?;
        let global = instance
            .globals
            .get(index as usize)
            .ok_or_else(|| TargetError::refused(format!("the coredump holds no global {index} of the program")))?;
        Ok(self.dump.globals[*global as usize])
    }

    fn wasm_state(&mut self, frame: usize) -> Result<WasmState, TargetError> {
        let recorded = self.frame(frame)?;
        if recorded.locals.is_empty() && recorded.stack.is_empty() {
            return Err(no_locals(frame));
        }
        let known = |values: &[Option<WasmValue>]| values.iter().map(|v| v.unwrap_or(WasmValue::Other)).collect();
        Ok(WasmState { locals: known(&recorded.locals), stack: known(&recorded.stack) })
    }

    fn read_memory(&mut self, address: MemoryAddress, len: usize) -> Result<Vec<u8>, TargetError> {
        let memory = self.memory()?;
        // Worded as the live target words it.
        memory
            .read(address, len)
            .ok_or_else(|| TargetError::refused(format!("cannot read {len} bytes at {address}: out of bounds")))
    }

    fn memory_size(&mut self) -> Result<u64, TargetError> {
        Ok(self.memory()?.size)
    }

    fn write_memory(&mut self, _: MemoryAddress, _: &[u8]) -> Result<(), TargetError> {
        Err(TargetError::refused("a coredump is read-only"))
    }

    fn set_breakpoints(&mut self, _: &[ModuleOffset]) -> Result<(), TargetError> {
        Ok(())
    }
}
