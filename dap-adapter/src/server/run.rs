//! One run of the program under the debugger: starting it through the
//! target seam, turning what the target reports into DAP events, and the
//! state of the run and of each of its threads.

use std::collections::BTreeMap;
use std::sync::mpsc::{Receiver, Sender, TryRecvError, channel};
use std::sync::{Arc, Mutex};

use serde_json::json;
use wasmscope_debugger::output_budget::{DEFAULT_LIMIT, OutputBudget};
use wasmscope_debugger::session::judge::{BreakpointJudge, JudgeOutput, LastHits};
use wasmscope_debugger::session::stepping::{StepKind, Stepper};
use wasmscope_debugger::target::{
    BreakPolicy, GuestConfig, JudgeFactory, OutputStream, RunOutcome, StartOptions, StopReason, Target, TargetEvent,
    TargetView, ThreadId, TrapKind,
};

use super::{Input, Session};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RunState {
    Running,
    Stopped,
}

/// A live thread of the run, as its events describe it.
#[derive(Debug)]
pub(crate) struct ThreadRun {
    pub name: String,
    pub state: RunState,
    /// A step is in progress: its end is reported as `step`.
    pub stepping: bool,
    /// The trap the thread is stopped at, for `exceptionInfo`.
    pub trap: Option<TrapKind>,
    /// A pause landed where no line is; a step runs on to one, and its stop
    /// is the pause.
    pub pausing_to_a_line: bool,
}

impl ThreadRun {
    fn new(name: String) -> Self {
        ThreadRun { name, state: RunState::Running, stepping: false, trap: None, pausing_to_a_line: false }
    }
}

#[derive(Debug)]
pub(crate) struct Run {
    /// Dropped first: a guest waiting for its output to drain must not
    /// hold up its end when the target is dropped.
    _drain: ClosesBudget,
    pub target: Box<dyn Target>,
    /// The program ended (or failed, or was terminated).
    pub ended: bool,
    pub threads: BTreeMap<ThreadId, ThreadRun>,
    /// The thread that stopped last: where a request that names no thread
    /// or frame (evaluate without a frame, read memory) looks.
    pub last_stopped: Option<ThreadId>,
    /// Ids of the breakpoints behind each thread's last breakpoint stop.
    pub last_hits: LastHits,
    /// Bytes of a UTF-8 sequence split across two writes, per stream.
    partial_output: [Vec<u8>; 2],
    /// The bound on the guest's output (and logpoint lines) in flight to
    /// the client.
    pub budget: OutputBudget,
}

/// A run being set up: what `begin_run` keeps of it.
struct NewRun {
    pump: JudgePump,
    budget: OutputBudget,
    last_hits: LastHits,
}

#[derive(Debug)]
struct ClosesBudget(OutputBudget);

impl Drop for ClosesBudget {
    fn drop(&mut self) {
        self.0.close();
    }
}

impl Run {
    /// A live thread.
    pub fn thread(&mut self, thread: ThreadId) -> Result<&mut ThreadRun, String> {
        if self.ended {
            return Err("the program is not running".into());
        }
        self.threads.get_mut(&thread).ok_or_else(|| format!("no thread {thread}"))
    }

    /// A stopped thread.
    pub fn stopped_thread(&mut self, thread: ThreadId) -> Result<&mut ThreadRun, String> {
        let state = self.thread(thread)?;
        match state.state {
            RunState::Stopped => Ok(state),
            RunState::Running => Err(format!("thread {thread} is running: pause it first")),
        }
    }

    /// A stopped thread, to inspect.
    pub fn view(&mut self, thread: ThreadId) -> Result<&mut dyn TargetView, String> {
        self.stopped_thread(thread)?;
        self.target.view(thread).map_err(String::from)
    }

    /// Marks `thread` running after a resume; on a target where one stop
    /// stops every thread, they all run again.
    pub fn mark_running(&mut self, thread: ThreadId) {
        let all = self.target.stops_all_threads();
        for (id, state) in self.threads.iter_mut() {
            if all || *id == thread {
                state.state = RunState::Running;
            }
        }
    }
}

impl Session {
    /// Starts the launched program (at `configurationDone`, or again at
    /// `restart`). Its events arrive on the session's input channel.
    pub(crate) fn start_run(&mut self) -> Result<(), String> {
        let (Some(launch), Some(symbols)) = (self.launch.clone(), self.symbols.clone()) else {
            return Err("nothing to run: `launch` first".into());
        };
        // The compilation `launch` started (a restart compiles again, from
        // the on-disk cache).
        let prepared = match self.prepared.take() {
            Some(prepared) => prepared,
            None => self.launcher.prepare(&launch.guest, symbols.bytes(), Box::new(|_| {}))?,
        };
        let (options, run) = self.run_options(launch.no_debug, launch.stop_on_entry)?;
        // Breakpoint offsets are the program module's (for a component, the
        // core module with DWARF, not the WASI adapter).
        let guest = GuestConfig {
            core_module: symbols.program_index(),
            output_budget: Some(run.budget.clone()),
            ..launch.guest.clone()
        };
        let target = prepared.start(&guest, options)?;
        self.begin_run(target, run)
    }

    /// Attaches to the running program the launcher offers (at
    /// `configurationDone` after `attach`).
    pub(crate) fn attach_run(&mut self) -> Result<(), String> {
        let (options, run) = self.run_options(false, false)?;
        // The first attach compiles the program for guest debugging (from
        // the cache after that): clients that show progress see it.
        let progress_id = format!("wasmscope-attach-{}", self.run_number);
        if self.client.progress {
            self.out.event(
                "progressStart",
                Some(json!({ "progressId": progress_id, "title": "Attaching", "message": "compiling for guest debugging", "cancellable": false })),
            );
        }
        let started = std::time::Instant::now();
        let attached = self.launcher.attach(options);
        if self.client.progress {
            let message = match &attached {
                Ok(_) => format!("attached in {:.1} s", started.elapsed().as_secs_f64()),
                Err(_) => "could not attach".to_owned(),
            };
            self.out.event("progressEnd", Some(json!({ "progressId": progress_id, "message": message })));
        }
        self.begin_run(attached?, run)
    }

    /// What a run starts with: the breakpoints, a judge for each thread,
    /// and where the target's events go (through the pump that keeps
    /// logpoint lines in order with them).
    fn run_options(&mut self, no_debug: bool, stop_on_entry: bool) -> Result<(StartOptions, NewRun), String> {
        let symbols = self.symbols.clone().ok_or("nothing to run: `launch` first")?;
        self.run_number += 1;
        let (judge_tx, judge_rx) = channel();
        let budget = OutputBudget::new(DEFAULT_LIMIT);
        let judge =
            BreakpointJudge::new(self.breakpoints.clone(), symbols.clone(), judge_tx).with_budget(budget.clone());
        let last_hits = judge.last_hits.clone();
        let breakpoints = if no_debug {
            Vec::new()
        } else {
            self.breakpoints.lock().unwrap_or_else(|p| p.into_inner()).module_offsets(&symbols)
        };
        let judges: Option<JudgeFactory> = if no_debug {
            None
        } else {
            Some(Arc::new(move |thread| Box::new(judge.for_thread(thread)) as Box<dyn BreakPolicy>))
        };
        let pump =
            JudgePump { receiver: Arc::new(Mutex::new(judge_rx)), inputs: self.inputs.clone(), run: self.run_number };
        let events = pump.clone();
        let options = StartOptions {
            breakpoints,
            judges,
            stop_on_entry: stop_on_entry && !no_debug,
            output_budget: Some(budget.clone()),
            events: Box::new(move |event| events.forward(Some(event))),
        };
        Ok((options, NewRun { pump, budget, last_hits }))
    }

    fn begin_run(&mut self, target: Box<dyn Target>, run: NewRun) -> Result<(), String> {
        let NewRun { pump, budget, last_hits } = run;
        std::thread::Builder::new()
            .name("wasmscope-judge-output".into())
            .spawn(move || pump.tick_until_the_run_ends())
            .map_err(|e| format!("cannot start a thread: {e}"))?;
        self.run = Some(Run {
            _drain: ClosesBudget(budget.clone()),
            target,
            ended: false,
            threads: BTreeMap::new(),
            last_stopped: None,
            last_hits,
            partial_output: Default::default(),
            budget,
        });
        Ok(())
    }

    pub(crate) fn on_target_event(&mut self, event: TargetEvent) {
        if let TargetEvent::Stopped { thread, reason: StopReason::Pause } = event
            && self.step_on_to_a_line(thread)
        {
            return;
        }
        let post_mortem = self.is_post_mortem();
        let Some(run) = self.run.as_mut() else { return };
        match event {
            TargetEvent::ThreadStarted(info) => {
                run.threads.insert(info.id, ThreadRun::new(info.name));
                self.out.event("thread", Some(json!({ "reason": "started", "threadId": info.id })));
            }
            TargetEvent::ThreadExited(thread) => {
                run.threads.remove(&thread);
                if run.last_stopped == Some(thread) {
                    run.last_stopped = None;
                }
                self.handles.forget(thread);
                self.out.event("thread", Some(json!({ "reason": "exited", "threadId": thread })));
            }
            TargetEvent::Stopped { thread, reason: StopReason::Trap(_) } if !self.break_on_traps && !post_mortem => {
                // Not stopping at traps: let it unwind and end the thread.
                if let Ok(state) = run.thread(thread) {
                    state.state = RunState::Stopped;
                }
                let _ = run.target.resume(thread, wasmscope_debugger::target::Resume::Continue);
                run.mark_running(thread);
            }
            TargetEvent::Stopped { thread, reason } => self.on_stop(thread, reason),
            TargetEvent::Output { stream, bytes } => {
                let slot = usize::from(stream == OutputStream::Stderr);
                let text = take_utf8(&mut run.partial_output[slot], &bytes);
                if text.is_empty() {
                    run.budget.release(bytes.len());
                } else {
                    let category = if stream == OutputStream::Stdout { "stdout" } else { "stderr" };
                    self.out.guest_output(category, &text, &run.budget, bytes.len());
                }
            }
            TargetEvent::Ended(outcome) => {
                run.ended = true;
                let code = match &outcome {
                    RunOutcome::Exited(code) => *code,
                    RunOutcome::Trapped { kind, message, .. } => {
                        self.out.output("stderr", &format!("The program trapped: {} ({message})\n", kind.describe()));
                        // What a shell shows for wasmtime's trap exit.
                        134
                    }
                };
                self.out.event("exited", Some(json!({ "exitCode": code })));
                self.out.event("terminated", None);
            }
            TargetEvent::Terminated => {
                run.ended = true;
                self.out.event("terminated", None);
            }
            TargetEvent::Failed(error) => {
                run.ended = true;
                self.out.output("stderr", &format!("wasmscope: the program could not run: {error}\n"));
                self.out.event("terminated", None);
            }
        }
    }

    /// Whether the session shows a coredump (nothing runs).
    pub(crate) fn is_post_mortem(&self) -> bool {
        self.launch.as_ref().is_some_and(|l| l.core.is_some())
    }

    /// A thread stopped: its state, its handles, and the `stopped` event.
    fn on_stop(&mut self, thread: ThreadId, reason: StopReason) {
        if let StopReason::Trap(kind) = reason {
            self.write_core_dump_on_trap(thread, kind);
        }
        let post_mortem = self.is_post_mortem();
        let ids_here = match reason {
            StopReason::Breakpoint => self.breakpoint_ids_here(thread),
            _ => Vec::new(),
        };
        let Some(run) = self.run.as_mut() else { return };
        let all = run.target.stops_all_threads();
        let Ok(state) = run.thread(thread) else { return };
        let reason = if std::mem::take(&mut state.pausing_to_a_line) { StopReason::Pause } else { reason };
        state.state = RunState::Stopped;
        let stepping = std::mem::take(&mut state.stepping);
        state.trap = match reason {
            StopReason::Trap(kind) => Some(kind),
            _ => None,
        };
        if all {
            for other in run.threads.values_mut() {
                other.state = RunState::Stopped;
            }
        }
        run.last_stopped = Some(thread);
        let hit: Vec<u32> = run.last_hits.lock().unwrap_or_else(|p| p.into_inner()).remove(&thread).unwrap_or_default();
        self.handles.forget(thread);
        let mut body = json!({ "threadId": thread, "allThreadsStopped": all });
        match reason {
            StopReason::Breakpoint if !hit.is_empty() => {
                body["reason"] = "breakpoint".into();
                body["hitBreakpointIds"] = json!(hit);
            }
            StopReason::Breakpoint => {
                // A step ends as a step unless a breakpoint of the user's
                // there would have stopped a run (then it is a hit, above):
                // a logpoint, a false condition or an unmet hit count
                // where a step ends do not make it a breakpoint's stop.
                if stepping {
                    body["reason"] = "step".into();
                } else {
                    body["reason"] = "breakpoint".into();
                    if !ids_here.is_empty() {
                        body["hitBreakpointIds"] = json!(ids_here);
                    }
                }
            }
            StopReason::Entry => body["reason"] = "entry".into(),
            StopReason::Pause => body["reason"] = "pause".into(),
            StopReason::Trap(kind) => {
                body["reason"] = "exception".into();
                let what = if post_mortem { "Trapped (coredump)" } else { "Paused on trap" };
                body["description"] = format!("{what}: {}", kind.describe()).into();
                body["text"] = kind.describe().into();
            }
        }
        self.out.event("stopped", Some(body));
    }

    pub(crate) fn on_judge_output(&mut self, output: JudgeOutput) {
        match output {
            JudgeOutput::Log(text) => match &self.run {
                Some(run) => self.out.guest_output("console", &format!("{text}\n"), &run.budget, text.len()),
                None => self.out.output("console", &format!("{text}\n")),
            },
            JudgeOutput::ConditionError { id, error } => {
                self.out
                    .output("console", &format!("breakpoint {id}: the condition failed ({error}); stopping there\n"));
            }
        }
    }

    /// After a pause at an instruction without a line (line 0, or code with
    /// no line information): steps on to the next instruction that has one,
    /// as a step would, so the client sees source. False when the pause can
    /// be reported as it is.
    fn step_on_to_a_line(&mut self, thread: ThreadId) -> bool {
        let Some(symbols) = self.symbols.clone() else { return false };
        let Ok(module) = symbols.program() else { return false };
        if !module.has_dwarf() {
            return false;
        }
        let user_breakpoints = self.breakpoints.lock().unwrap_or_else(|p| p.into_inner()).module_offsets(&symbols);
        let Some(run) = self.run.as_mut() else { return false };
        // The thread is stopped for the target, not yet for the session.
        let Ok(view) = run.target.view(thread) else { return false };
        let Ok(frames) = view.frames() else { return false };
        let Some(top) = frames.first().filter(|f| f.module == symbols.program_index()) else { return false };
        let has_line = module
            .module()
            .code
            .and_then(|code| code.to_code(top.offset))
            .and_then(|code| module.frames_at(code).ok())
            .and_then(|frames| frames.first().and_then(|f| f.location.clone()))
            .is_some_and(|location| location.line != 0);
        if has_line {
            return false;
        }
        let Ok(stepper) = Stepper::new(symbols.clone(), StepKind::Into, view, user_breakpoints) else {
            return false;
        };
        let first = stepper.first_resume();
        if run.target.resume_with(thread, Box::new(stepper), first).is_err() {
            return false;
        }
        if let Ok(state) = run.thread(thread) {
            state.pausing_to_a_line = true;
        }
        true
    }

    /// The breakpoints bound at `thread`'s innermost position.
    fn breakpoint_ids_here(&mut self, thread: ThreadId) -> Vec<u32> {
        let (Some(run), Some(symbols)) = (self.run.as_mut(), &self.symbols) else {
            return Vec::new();
        };
        let Ok(Some(frame)) = run.target.view(thread).and_then(|view| view.innermost()) else {
            return Vec::new();
        };
        if frame.module != symbols.program_index() {
            return Vec::new();
        }
        let Some(code) = symbols.program().ok().and_then(|m| m.module().code?.to_code(frame.offset)) else {
            return Vec::new();
        };
        let mut table = self.breakpoints.lock().unwrap_or_else(|p| p.into_inner());
        table.at_mut(code).map(|b| b.id).collect()
    }

    /// The run, while the program has not ended.
    pub(crate) fn live_run(&mut self) -> Result<&mut Run, String> {
        match self.run.as_mut() {
            Some(run) if !run.ended => Ok(run),
            _ => Err("the program is not running".into()),
        }
    }

    /// The view of a stopped thread, for inspection requests.
    pub(crate) fn view(&mut self, thread: ThreadId) -> Result<&mut dyn TargetView, String> {
        self.live_run()?.view(thread)
    }

    /// The thread a request that names none is about: the last to stop.
    pub(crate) fn default_thread(&self) -> Result<ThreadId, String> {
        let run = self.run.as_ref().filter(|r| !r.ended).ok_or("the program is not running")?;
        run.last_stopped
            .filter(|t| run.threads.get(t).is_some_and(|s| s.state == RunState::Stopped))
            .ok_or_else(|| "the program is running: pause it first".to_owned())
    }
}

/// Carries the judge's log lines to the session in order with the
/// guest's output: both come from the guest's thread, so draining the log
/// lines before forwarding each debuggee event keeps them in the order the
/// guest produced them. A ticker forwards lines that no event follows.
#[derive(Clone)]
struct JudgePump {
    receiver: Arc<Mutex<Receiver<JudgeOutput>>>,
    inputs: Sender<Input>,
    run: u64,
}

/// How long a log line may wait for an event before the ticker sends it.
const TICK: std::time::Duration = std::time::Duration::from_millis(50);

impl JudgePump {
    /// Sends pending log lines, then `event`; false once the session is
    /// gone. Returns whether the judge is still alive when no event.
    fn forward(&self, event: Option<TargetEvent>) -> bool {
        let receiver = self.receiver.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            match receiver.try_recv() {
                Ok(output) => {
                    if self.inputs.send(Input::Judge { run: self.run, output }).is_err() {
                        return false;
                    }
                }
                Err(TryRecvError::Empty) => break,
                // The judge is gone with the run.
                Err(TryRecvError::Disconnected) if event.is_none() => return false,
                Err(TryRecvError::Disconnected) => break,
            }
        }
        match event {
            Some(event) => self.inputs.send(Input::Target { run: self.run, event }).is_ok(),
            None => true,
        }
    }

    fn tick_until_the_run_ends(&self) {
        while self.forward(None) {
            std::thread::sleep(TICK);
        }
    }
}

/// Decodes what can be decoded of `pending` + `bytes`, keeping an
/// incomplete trailing UTF-8 sequence for the next write.
fn take_utf8(pending: &mut Vec<u8>, bytes: &[u8]) -> String {
    pending.extend_from_slice(bytes);
    let valid = match std::str::from_utf8(pending) {
        Ok(_) => pending.len(),
        Err(error) if error.error_len().is_none() => error.valid_up_to(),
        Err(_) => pending.len(),
    };
    let text = String::from_utf8_lossy(&pending[..valid]).into_owned();
    pending.drain(..valid);
    text
}

#[cfg(test)]
mod tests {
    #[test]
    fn output_split_inside_a_character_is_joined() {
        let mut pending = Vec::new();
        let euro = "€".as_bytes();
        assert_eq!(super::take_utf8(&mut pending, &[b'a', euro[0]]), "a");
        assert_eq!(super::take_utf8(&mut pending, &euro[1..]), "€");
        assert!(pending.is_empty());
        assert_eq!(super::take_utf8(&mut pending, &[0xff, b'b']), "\u{fffd}b");
    }
}
