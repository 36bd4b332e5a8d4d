//! Running a program behind the seam: a [`Launcher`] prepares and starts
//! it, the [`Target`] it gives runs and stops its threads, and every change
//! arrives as a [`TargetEvent`] on the sink the session hands over.
//!
//! Invariants every target keeps:
//! - thread ids are never reused within one target;
//! - a thread's `Stopped` comes after its `ThreadStarted` and before its
//!   `ThreadExited`; `Ended`, `Terminated` or `Failed` is the last event;
//! - breakpoints set while threads run reach every thread, including the
//!   ones not yet started, before they run further code than the target can
//!   stop (the local target installs them at its next epoch check).

use std::time::Duration;

use super::error::TargetError;
use super::outcome::{RunOutcome, TrapKind};
use super::program::GuestConfig;
use super::view::{BreakPolicy, Resume, TargetView};
use crate::address::ModuleOffset;

/// A thread of the program, as the target numbers it (never reused).
pub type ThreadId = u64;

/// A live thread: a WASI command's one thread, or a server's request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ThreadInfo {
    pub id: ThreadId,
    /// What the user reads in the threads list (`main`, `GET /users/42 #17`).
    pub name: String,
}

/// Why a thread stopped.
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

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputStream {
    Stdout,
    Stderr,
}

/// What a target reports, in the order it happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TargetEvent {
    ThreadStarted(ThreadInfo),
    ThreadExited(ThreadId),
    Stopped {
        thread: ThreadId,
        reason: StopReason,
    },
    /// The program wrote to stdout or stderr.
    Output {
        stream: OutputStream,
        bytes: Vec<u8>,
    },
    /// The program ended (exit code, or the trap that ended it).
    Ended(RunOutcome),
    /// Ended by [`Target::terminate`].
    Terminated,
    /// The program could not run (it does not compile, has no entry point,
    /// the target broke).
    Failed(TargetError),
}

/// Where a target delivers its events, from a thread of its own; returns
/// false when nobody listens any more.
pub type EventSink = Box<dyn FnMut(TargetEvent) -> bool + Send>;

/// How a finished compilation went: how long it took, or why it failed.
pub type CompileReport = Result<Duration, String>;

/// Makes the standing judge of a thread's breakpoint hits (conditions, hit
/// counts, logpoints), run on the guest's side of that thread.
pub type JudgeFactory = std::sync::Arc<dyn Fn(ThreadId) -> Box<dyn BreakPolicy> + Send + Sync>;

/// What a run (launched or attached to) starts with.
pub struct StartOptions {
    /// Breakpoints of the program's module, installed in every thread
    /// before it runs code.
    pub breakpoints: Vec<ModuleOffset>,
    /// Each thread's judge; `None`: every hit stops.
    pub judges: Option<JudgeFactory>,
    /// Stop before the program's first instruction.
    pub stop_on_entry: bool,
    /// The bound on the program's output in flight to the session (which
    /// releases what it delivered); `None`: unbounded.
    pub output_budget: Option<crate::output_budget::OutputBudget>,
    pub events: EventSink,
}

impl std::fmt::Debug for StartOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StartOptions")
            .field("breakpoints", &self.breakpoints.len())
            .field("stop_on_entry", &self.stop_on_entry)
            .finish_non_exhaustive()
    }
}

/// A running program a session can attach to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attachable {
    /// The program's file, for its symbols.
    pub program: std::path::PathBuf,
    /// What the client shows for the debuggee (`process` event).
    pub name: String,
}

/// Makes targets: the CLI hands one to the DAP server, which never names
/// a runtime. A launcher starts programs (`launch`), or debugs one already
/// running (`attach`: a server's agent), or both.
pub trait Launcher: Send + Sync + std::fmt::Debug {
    /// Checks that the program (`bytes`, as read from `program.program`)
    /// can run here, and starts compiling it; `on_compiled` hears how that
    /// went, from another thread. Compiling takes seconds on a large module:
    /// the session does it while the client sets breakpoints.
    fn prepare(
        &self,
        program: &GuestConfig,
        bytes: &[u8],
        on_compiled: Box<dyn FnOnce(CompileReport) + Send>,
    ) -> Result<Box<dyn PreparedTarget>, TargetError>;

    /// The program an `attach` would debug.
    fn attachable(&self) -> Result<Attachable, TargetError> {
        Err(TargetError::refused(
            "nothing to attach to here: this adapter starts programs (use `launch`); `attach` is for the agent of \
             a running `wasmscope serve --debug-addr`",
        ))
    }

    /// Attaches to the running program: its threads from now on run with
    /// `options` (breakpoints, judges; `stop_on_entry` is ignored) and report
    /// to `options.events`.
    fn attach(&self, options: StartOptions) -> Result<Box<dyn Target>, TargetError> {
        let _ = options;
        Err(self.attachable().err().unwrap_or_else(|| TargetError::internal("attach is not implemented")))
    }
}

/// A program compiling (or compiled), not yet running.
pub trait PreparedTarget: Send + std::fmt::Debug {
    /// Starts the program once compiled (returns at once); its events go
    /// to `options.events`, beginning with its threads' `ThreadStarted`.
    fn start(self: Box<Self>, program: &GuestConfig, options: StartOptions) -> Result<Box<dyn Target>, TargetError>;

    /// The program this target found itself, when the configuration named
    /// none (`GuestConfig::program` empty): a page's Wasm module. The host
    /// holds it before its first instruction.
    fn found_program(&self) -> Option<FoundProgram> {
        None
    }
}

/// A program a target found itself (a page's Wasm module).
#[derive(Clone, Debug)]
pub struct FoundProgram {
    /// Its address, as the host names it (`wasm://wasm/0009b03a`).
    pub name: String,
    pub bytes: std::sync::Arc<[u8]>,
    /// Its DWARF, fetched from where its `external_debug_info` points.
    pub debug_file: Option<std::path::PathBuf>,
}

/// A running program and its threads, which the session knows from the
/// `ThreadStarted`/`ThreadExited` events. Inspection goes through
/// [`Target::view`] while the thread is stopped.
pub trait Target: Send + std::fmt::Debug {
    /// Whether a stop of one thread stops them all (a WASI command's one
    /// thread; not a server's requests).
    fn stops_all_threads(&self) -> bool;
    /// A stopped thread, to inspect.
    fn view(&mut self, thread: ThreadId) -> Result<&mut dyn TargetView, TargetError>;
    fn resume(&mut self, thread: ThreadId, how: Resume) -> Result<(), TargetError>;
    /// Resumes with a policy that judges, on the guest's side, which of the
    /// following breaks are real stops (a step in progress).
    fn resume_with(&mut self, thread: ThreadId, policy: Box<dyn BreakPolicy>, how: Resume) -> Result<(), TargetError>;
    /// Stops a running thread at the next instruction it can stop at (a
    /// `Stopped` event with `StopReason::Pause` follows).
    fn pause(&mut self, thread: ThreadId) -> Result<(), TargetError>;
    /// Replaces the breakpoints of core module `module` (its index among
    /// the program's core modules), in every thread, stopped or running.
    fn set_breakpoints(&mut self, module: usize, offsets: &[ModuleOffset]) -> Result<(), TargetError>;
    /// Ends the program; `Terminated` (or the end it reached first) follows.
    /// Dropping a target ends its program too, and waits for it to end.
    fn terminate(&mut self);
    /// Lets the program run on to its own end, free of breakpoints, with
    /// nobody listening.
    fn detach(self: Box<Self>);
    /// The text of one of the host's scripts (a JavaScript frame's, by
    /// `HostFrame::script`), as the host has it.
    fn script_source(&mut self, script: &str) -> Result<String, TargetError> {
        Err(TargetError::refused(format!("this target has no script {script}")))
    }
}
