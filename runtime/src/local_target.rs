//! The local target: a WASI command this process runs under guest
//! debugging (a [`Debuggee`]), behind the debugger's seam. It has one
//! thread, `main`, and a stop stops the whole program.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use wasmscope_debugger::address::ModuleOffset;
use wasmscope_debugger::target::{
    BreakPolicy, CompileReport, GuestConfig, Launcher, PreparedTarget, Resume, StartOptions, Target, TargetError,
    TargetEvent, TargetView, ThreadId, ThreadInfo,
};

use crate::debug_host::{Debuggee, DebuggeeEvent, PreparedProgram};

/// The id of a local program's one thread.
const MAIN: ThreadId = 1;

fn main_thread() -> ThreadInfo {
    ThreadInfo { id: MAIN, name: "main".into() }
}

/// Starts WASI commands (preview1 modules, preview2 command components)
/// in this process.
#[derive(Clone, Copy, Debug, Default)]
pub struct LocalLauncher;

impl Launcher for LocalLauncher {
    fn prepare(
        &self,
        program: &GuestConfig,
        bytes: &[u8],
        on_compiled: Box<dyn FnOnce(CompileReport) + Send>,
    ) -> Result<Box<dyn PreparedTarget>, TargetError> {
        crate::program::check_command(bytes)
            .map_err(|why| TargetError::Refused(format!("cannot launch {}: {why}", program.program.display())))?;
        Ok(Box::new(LocalPrepared(PreparedProgram::start(program, on_compiled))))
    }
}

#[derive(Debug)]
struct LocalPrepared(PreparedProgram);

impl PreparedTarget for LocalPrepared {
    fn start(self: Box<Self>, program: &GuestConfig, options: StartOptions) -> Result<Box<dyn Target>, TargetError> {
        // The output budget comes with `program` (GuestConfig::output_budget).
        let StartOptions { breakpoints, judges, stop_on_entry, mut events, .. } = options;
        let judge = judges.map(|make| make(MAIN));
        let state = Arc::new(ThreadState::default());
        // Announced before the program can report anything of it.
        events(TargetEvent::ThreadStarted(main_thread()));
        let mut debuggee = Debuggee::launch_prepared(self.0, program, breakpoints, judge, stop_on_entry);
        let seen = state.clone();
        debuggee.forward_events(move |event| {
            let translated = seen.translate(event);
            translated.into_iter().all(&mut events)
        });
        Ok(Box::new(LocalTarget { debuggee, state, module: program.core_module }))
    }
}

/// What the target knows of its thread from the events it passed on.
#[derive(Debug, Default)]
struct ThreadState {
    stopped: AtomicBool,
    ended: AtomicBool,
}

impl ThreadState {
    fn translate(&self, event: DebuggeeEvent) -> Vec<TargetEvent> {
        let ended = |state: &Self, last: TargetEvent| {
            state.ended.store(true, Ordering::Relaxed);
            state.stopped.store(false, Ordering::Relaxed);
            vec![TargetEvent::ThreadExited(MAIN), last]
        };
        match event {
            DebuggeeEvent::Stopped(reason) => {
                self.stopped.store(true, Ordering::Relaxed);
                vec![TargetEvent::Stopped { thread: MAIN, reason }]
            }
            DebuggeeEvent::Output { stream, bytes } => vec![TargetEvent::Output { stream, bytes }],
            DebuggeeEvent::Ended(outcome) => ended(self, TargetEvent::Ended(outcome)),
            DebuggeeEvent::Terminated => ended(self, TargetEvent::Terminated),
            // Compile errors, a missing `_start`: the program's problem.
            DebuggeeEvent::Failed(why) => ended(self, TargetEvent::Failed(TargetError::Refused(why))),
        }
    }
}

#[derive(Debug)]
struct LocalTarget {
    debuggee: Debuggee,
    state: Arc<ThreadState>,
    /// The core module breakpoints refer to (the program's, not a
    /// component's WASI adapter).
    module: usize,
}

impl LocalTarget {
    fn live(&self, thread: ThreadId) -> Result<(), TargetError> {
        if thread != MAIN {
            return Err(TargetError::NoThread(thread));
        }
        if self.state.ended.load(Ordering::Relaxed) {
            return Err(TargetError::Gone);
        }
        Ok(())
    }

    fn stopped(&self, thread: ThreadId) -> Result<(), TargetError> {
        self.live(thread)?;
        if !self.state.stopped.load(Ordering::Relaxed) {
            return Err(TargetError::Running);
        }
        Ok(())
    }
}

impl Target for LocalTarget {
    fn stops_all_threads(&self) -> bool {
        true
    }

    fn view(&mut self, thread: ThreadId) -> Result<&mut dyn TargetView, TargetError> {
        self.stopped(thread)?;
        Ok(&mut self.debuggee)
    }

    fn resume(&mut self, thread: ThreadId, how: Resume) -> Result<(), TargetError> {
        self.stopped(thread)?;
        self.state.stopped.store(false, Ordering::Relaxed);
        self.debuggee.resume(how)
    }

    fn resume_with(&mut self, thread: ThreadId, policy: Box<dyn BreakPolicy>, how: Resume) -> Result<(), TargetError> {
        self.stopped(thread)?;
        self.state.stopped.store(false, Ordering::Relaxed);
        self.debuggee.resume_with(policy, how)
    }

    fn pause(&mut self, thread: ThreadId) -> Result<(), TargetError> {
        self.live(thread)?;
        self.debuggee.pause();
        Ok(())
    }

    fn set_breakpoints(&mut self, module: usize, offsets: &[ModuleOffset]) -> Result<(), TargetError> {
        if module != self.module {
            return Err(TargetError::Refused(format!(
                "core module {module} takes no breakpoints: only the program's own module ({}) does",
                self.module
            )));
        }
        if self.state.ended.load(Ordering::Relaxed) {
            return Ok(());
        }
        if self.state.stopped.load(Ordering::Relaxed) {
            self.debuggee.set_breakpoints(offsets.to_vec())
        } else {
            // Installed at the guest's next epoch check, without stopping it.
            self.debuggee.set_breakpoints_running(offsets.to_vec());
            Ok(())
        }
    }

    fn terminate(&mut self) {
        self.debuggee.terminate();
    }

    fn detach(mut self: Box<Self>) {
        if self.state.ended.load(Ordering::Relaxed) {
            return;
        }
        let _ = self.set_breakpoints(self.module, &[]);
        if self.state.stopped.load(Ordering::Relaxed) {
            let _ = self.resume(MAIN, Resume::Continue);
        }
        // Dropping the debuggee would end the program: keep it until the
        // program ends by itself.
        let _ = std::thread::Builder::new().name("wasmscope-detached".into()).spawn(move || {
            while !self.debuggee.has_ended() {
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
        });
    }
}
