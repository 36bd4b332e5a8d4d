//! `wasmscope run --debug-addr`: a WASI command that a client may attach to
//! while it runs. A running instance cannot move between engines, so the
//! program runs under guest debugging from its start (at the debug engine's
//! speed), with no breakpoint and no judge until a client attaches; its
//! stdio is the process's. One client at a time; when it leaves, its
//! breakpoints go and a stopped program goes on.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};

use wasmscope_debugger::address::ModuleOffset;
use wasmscope_debugger::target::{
    Attachable, BreakPolicy, CompileReport, GuestConfig, Launcher, PreparedTarget, Resume, RunOutcome, StartOptions,
    Target, TargetError, TargetEvent, TargetView, ThreadId, ThreadInfo,
};

use crate::debug_host::{Debuggee, DebuggeeEvent, DebuggeeHandle};

/// The id of the program's one thread.
const MAIN: ThreadId = 1;

type EventSink = Box<dyn FnMut(TargetEvent) -> bool + Send>;

/// A running WASI command and the side of it a client attaches to.
#[derive(Clone, Debug)]
pub struct RunAgent {
    shared: Arc<RunShared>,
}

/// How long the end of the program waits for an attached client's session
/// to finish (it has said `exited` and `terminated`; a client leaves then).
const CLIENT_GOODBYE: std::time::Duration = std::time::Duration::from_secs(2);

struct RunShared {
    program: PathBuf,
    module: usize,
    handle: DebuggeeHandle,
    /// Kept for the life of the run: dropping it ends the program.
    debuggee: Mutex<Option<Debuggee>>,
    stopped: AtomicBool,
    /// The attached client's events; `None` while nobody is attached.
    sink: Mutex<Option<EventSink>>,
    /// How the program ended, once it has.
    outcome: Mutex<Option<Result<RunOutcome, String>>>,
    ended: Condvar,
}

impl std::fmt::Debug for RunShared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunShared").field("program", &self.program).finish_non_exhaustive()
    }
}

impl RunAgent {
    /// Starts `guest` under guest debugging, nobody attached.
    pub fn start(guest: &GuestConfig) -> Self {
        let mut debuggee = Debuggee::launch_with(guest, Vec::new(), None, false);
        let shared = Arc::new(RunShared {
            program: guest.program.clone(),
            module: guest.core_module,
            handle: debuggee.handle(),
            debuggee: Mutex::new(None),
            stopped: AtomicBool::new(false),
            sink: Mutex::new(None),
            outcome: Mutex::new(None),
            ended: Condvar::new(),
        });
        let forward = shared.clone();
        debuggee.forward_events(move |event| {
            forward.on_event(event);
            true
        });
        *shared.debuggee.lock().unwrap_or_else(|p| p.into_inner()) = Some(debuggee);
        RunAgent { shared }
    }

    /// Waits for the program to end, and says how it did. An attached
    /// client's session gets to answer first (its `disconnect` that ended the
    /// program, say): the process ends with the program.
    pub fn wait(&self) -> anyhow::Result<RunOutcome> {
        let mut outcome = self.shared.outcome.lock().unwrap_or_else(|p| p.into_inner());
        let result = loop {
            if let Some(result) = outcome.take() {
                break result;
            }
            outcome = self.shared.ended.wait(outcome).unwrap_or_else(|p| p.into_inner());
        };
        drop(outcome);
        let started = std::time::Instant::now();
        while self.shared.client_listens() && started.elapsed() < CLIENT_GOODBYE {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        result.map_err(anyhow::Error::msg)
    }
}

impl RunShared {
    fn on_event(&self, event: DebuggeeEvent) {
        let end = |result: Result<RunOutcome, String>, last: TargetEvent| {
            self.stopped.store(false, Ordering::Relaxed);
            self.send(TargetEvent::ThreadExited(MAIN));
            self.send(last);
            *self.outcome.lock().unwrap_or_else(|p| p.into_inner()) = Some(result);
            self.ended.notify_all();
        };
        match event {
            DebuggeeEvent::Stopped(reason) => {
                self.stopped.store(true, Ordering::Relaxed);
                // A stop with nobody to hear it (the client left as it
                // happened) must not hold the program.
                if !self.send(TargetEvent::Stopped { thread: MAIN, reason }) {
                    self.stopped.store(false, Ordering::Relaxed);
                    let _ = self.handle.resume(Resume::Continue);
                }
            }
            DebuggeeEvent::Output { stream, bytes } => {
                self.send(TargetEvent::Output { stream, bytes });
            }
            DebuggeeEvent::Ended(outcome) => end(Ok(outcome.clone()), TargetEvent::Ended(outcome)),
            DebuggeeEvent::Terminated => end(Err("terminated by the debugger".into()), TargetEvent::Terminated),
            DebuggeeEvent::Failed(why) => end(Err(why.clone()), TargetEvent::Failed(TargetError::Refused(why))),
        }
    }

    /// Passes `event` to the attached client; false when there is none.
    fn send(&self, event: TargetEvent) -> bool {
        let mut sink = self.sink.lock().unwrap_or_else(|p| p.into_inner());
        let Some(events) = sink.as_mut() else { return false };
        if events(event) {
            return true;
        }
        *sink = None;
        false
    }

    /// Whether a client's session still takes events: an empty output,
    /// which a session that has ended cannot take and a live one ignores.
    fn client_listens(&self) -> bool {
        self.send(TargetEvent::Output { stream: wasmscope_debugger::target::OutputStream::Stdout, bytes: Vec::new() })
    }

    fn has_ended(&self) -> bool {
        self.outcome.lock().unwrap_or_else(|p| p.into_inner()).is_some() || self.handle.has_ended()
    }
}

impl Launcher for RunAgent {
    fn prepare(
        &self,
        program: &GuestConfig,
        _bytes: &[u8],
        _on_compiled: Box<dyn FnOnce(CompileReport) + Send>,
    ) -> Result<Box<dyn PreparedTarget>, TargetError> {
        Err(TargetError::Refused(format!(
            "this agent runs {}: `attach` to it (it launches nothing, {} included)",
            self.shared.program.display(),
            program.program.display()
        )))
    }

    fn attachable(&self) -> Result<Attachable, TargetError> {
        let file = self.shared.program.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        Ok(Attachable { program: self.shared.program.clone(), name: format!("wasmscope run {file}") })
    }

    fn attach(&self, options: StartOptions) -> Result<Box<dyn Target>, TargetError> {
        if self.shared.has_ended() {
            return Err(TargetError::refused("the program has ended"));
        }
        let StartOptions { breakpoints, judges, mut events, .. } = options;
        {
            let mut sink = self.shared.sink.lock().unwrap_or_else(|p| p.into_inner());
            if sink.is_some() {
                return Err(TargetError::refused("another client is attached to this program"));
            }
            events(TargetEvent::ThreadStarted(ThreadInfo { id: MAIN, name: "main".into() }));
            *sink = Some(events);
        }
        self.shared.handle.set_judge(judges.map(|make| make(MAIN)));
        self.shared.handle.set_breakpoints_running(breakpoints);
        Ok(Box::new(RunTarget { shared: self.shared.clone(), viewing: None }))
    }
}

/// The running program as the attached client's target.
struct RunTarget {
    shared: Arc<RunShared>,
    /// The handle `view` lent out last.
    viewing: Option<DebuggeeHandle>,
}

impl std::fmt::Debug for RunTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunTarget").finish_non_exhaustive()
    }
}

impl RunTarget {
    fn live(&self, thread: ThreadId) -> Result<(), TargetError> {
        if thread != MAIN {
            return Err(TargetError::NoThread(thread));
        }
        if self.shared.has_ended() {
            return Err(TargetError::Gone);
        }
        Ok(())
    }

    fn stopped(&self, thread: ThreadId) -> Result<(), TargetError> {
        self.live(thread)?;
        if !self.shared.stopped.load(Ordering::Relaxed) {
            return Err(TargetError::Running);
        }
        Ok(())
    }
}

impl Target for RunTarget {
    fn stops_all_threads(&self) -> bool {
        true
    }

    fn view(&mut self, thread: ThreadId) -> Result<&mut dyn TargetView, TargetError> {
        self.stopped(thread)?;
        Ok(self.viewing.insert(self.shared.handle.clone()))
    }

    fn resume(&mut self, thread: ThreadId, how: Resume) -> Result<(), TargetError> {
        self.stopped(thread)?;
        self.shared.stopped.store(false, Ordering::Relaxed);
        self.shared.handle.resume(how)
    }

    fn resume_with(&mut self, thread: ThreadId, policy: Box<dyn BreakPolicy>, how: Resume) -> Result<(), TargetError> {
        self.stopped(thread)?;
        self.shared.stopped.store(false, Ordering::Relaxed);
        self.shared.handle.resume_with(policy, how)
    }

    fn pause(&mut self, thread: ThreadId) -> Result<(), TargetError> {
        self.live(thread)?;
        self.shared.handle.pause();
        Ok(())
    }

    fn set_breakpoints(&mut self, module: usize, offsets: &[ModuleOffset]) -> Result<(), TargetError> {
        if module != self.shared.module {
            return Err(TargetError::Refused(format!(
                "core module {module} takes no breakpoints: only the program's own module ({}) does",
                self.shared.module
            )));
        }
        if self.shared.has_ended() {
            return Ok(());
        }
        if self.shared.stopped.load(Ordering::Relaxed) {
            let mut handle = self.shared.handle.clone();
            TargetView::set_breakpoints(&mut handle, offsets)
        } else {
            self.shared.handle.set_breakpoints_running(offsets.to_vec());
            Ok(())
        }
    }

    fn terminate(&mut self) {
        self.shared.handle.terminate();
    }

    fn detach(self: Box<Self>) {
        // Nobody hears the program from now on; it runs on as it would.
        *self.shared.sink.lock().unwrap_or_else(|p| p.into_inner()) = None;
        self.shared.handle.set_judge(None);
        if self.shared.has_ended() {
            return;
        }
        if self.shared.stopped.load(Ordering::Relaxed) {
            let mut handle = self.shared.handle.clone();
            let _ = TargetView::set_breakpoints(&mut handle, &[]);
            self.shared.stopped.store(false, Ordering::Relaxed);
            let _ = self.shared.handle.resume(Resume::Continue);
        } else {
            self.shared.handle.set_breakpoints_running(Vec::new());
        }
    }
}
