//! One run of the program under the debugger: starting it, turning what
//! the debuggee reports into DAP events, and the run's state.

use std::sync::mpsc::{Receiver, Sender, TryRecvError, channel};
use std::sync::{Arc, Mutex};

use serde_json::json;
use wasmscope_debugger::output_budget::{DEFAULT_LIMIT, OutputBudget};
use wasmscope_debugger::session::judge::{BreakpointJudge, JudgeOutput};
use wasmscope_debugger::session::stepping::{StepKind, Stepper};
use wasmscope_debugger::target::BreakPolicy;
use wasmscope_runtime::{
    Debuggee, DebuggeeEvent, GuestConfig, OutputStream, PreparedProgram, RunOutcome, StopReason, TrapKind,
};

use super::{Input, Session};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RunState {
    Running,
    Stopped,
    Ended,
}

#[derive(Debug)]
pub(crate) struct Run {
    pub debuggee: Debuggee,
    pub state: RunState,
    /// Ids of the breakpoints behind the last breakpoint stop.
    pub last_hit: Arc<Mutex<Vec<u32>>>,
    /// A step is in progress: its end is reported as `step`.
    pub stepping: bool,
    /// The trap the guest is stopped at, for `exceptionInfo`.
    pub trap: Option<TrapKind>,
    /// Bytes of a UTF-8 sequence split across two writes, per stream.
    partial_output: [Vec<u8>; 2],
    /// The bound on the guest's output (and logpoint lines) in flight to
    /// the client.
    pub budget: OutputBudget,
    /// A pause landed where no line is; a step runs on to one, and its stop
    /// is the pause.
    pub pausing_to_a_line: bool,
}

impl Drop for Run {
    /// A guest waiting for its output to drain must not hold up its end.
    fn drop(&mut self) {
        self.budget.close();
    }
}

impl Session {
    /// Starts the launched program (at `configurationDone`, or again at
    /// `restart`). Its events arrive on the session's input channel.
    pub(crate) fn start_run(&mut self) -> Result<(), String> {
        let (Some(launch), Some(symbols)) = (&self.launch, &self.symbols) else {
            return Err("nothing to run: `launch` first".into());
        };
        self.run_number += 1;
        let run_number = self.run_number;
        let (judge_tx, judge_rx) = channel();
        let budget = OutputBudget::new(DEFAULT_LIMIT);
        let judge =
            BreakpointJudge::new(self.breakpoints.clone(), symbols.clone(), judge_tx).with_budget(budget.clone());
        let last_hit = judge.last_hit.clone();
        let offsets = if launch.no_debug {
            Vec::new()
        } else {
            self.breakpoints.lock().unwrap_or_else(|p| p.into_inner()).module_offsets(symbols)
        };
        let judge: Option<Box<dyn BreakPolicy>> = if launch.no_debug { None } else { Some(Box::new(judge)) };
        // Breakpoint offsets are the program module's (for a component, the
        // core module with DWARF, not the WASI adapter).
        let guest = GuestConfig {
            core_module: symbols.program_index(),
            output_budget: Some(budget.clone()),
            ..launch.guest.clone()
        };
        // The compilation `launch` started (a restart compiles again, from
        // the on-disk cache).
        let prepared = self.prepared.take().unwrap_or_else(|| PreparedProgram::start(&launch.guest, |_| {}));
        let stop_on_entry = launch.stop_on_entry && !launch.no_debug;
        let mut debuggee = Debuggee::launch_prepared(prepared, &guest, offsets, judge, stop_on_entry);
        let pump = JudgePump { receiver: Arc::new(Mutex::new(judge_rx)), inputs: self.inputs.clone(), run: run_number };
        let events = pump.clone();
        debuggee.forward_events(move |event| events.forward(Some(event)));
        std::thread::Builder::new()
            .name("wasmscope-judge-output".into())
            .spawn(move || pump.tick_until_the_run_ends())
            .map_err(|e| format!("cannot start a thread: {e}"))?;
        self.run = Some(Run {
            debuggee,
            state: RunState::Running,
            last_hit,
            stepping: false,
            trap: None,
            partial_output: Default::default(),
            budget,
            pausing_to_a_line: false,
        });
        self.out.event("thread", Some(json!({ "reason": "started", "threadId": super::convert::THREAD_ID })));
        Ok(())
    }

    pub(crate) fn on_debuggee_event(&mut self, event: DebuggeeEvent) {
        if event == DebuggeeEvent::Stopped(StopReason::Pause) && self.step_on_to_a_line() {
            return;
        }
        let Some(run) = self.run.as_mut() else { return };
        match event {
            DebuggeeEvent::Stopped(StopReason::Trap(kind)) if !self.break_on_traps => {
                // Not stopping at traps: let it unwind and end the run.
                let _ = kind;
                let _ = run.debuggee.resume(wasmscope_debugger::target::Resume::Continue);
            }
            DebuggeeEvent::Stopped(reason) => {
                let reason = if std::mem::take(&mut run.pausing_to_a_line) { StopReason::Pause } else { reason };
                run.state = RunState::Stopped;
                self.handles.clear();
                let stepping = std::mem::take(&mut run.stepping);
                let hit: Vec<u32> = std::mem::take(&mut *run.last_hit.lock().unwrap_or_else(|p| p.into_inner()));
                run.trap = None;
                let mut body = json!({ "threadId": super::convert::THREAD_ID, "allThreadsStopped": true });
                match reason {
                    StopReason::Breakpoint if !hit.is_empty() => {
                        body["reason"] = "breakpoint".into();
                        body["hitBreakpointIds"] = json!(hit);
                    }
                    StopReason::Breakpoint => {
                        // A step that ran into a breakpoint of the user's
                        // stops there as a breakpoint, as in gdb.
                        let ids = self.breakpoint_ids_here();
                        if stepping && ids.is_empty() {
                            body["reason"] = "step".into();
                        } else {
                            body["reason"] = "breakpoint".into();
                            if !ids.is_empty() {
                                body["hitBreakpointIds"] = json!(ids);
                            }
                        }
                    }
                    StopReason::Entry => body["reason"] = "entry".into(),
                    StopReason::Pause => body["reason"] = "pause".into(),
                    StopReason::Trap(kind) => {
                        if let Some(run) = self.run.as_mut() {
                            run.trap = Some(kind);
                        }
                        body["reason"] = "exception".into();
                        body["description"] = format!("Paused on trap: {}", kind.describe()).into();
                        body["text"] = kind.describe().into();
                    }
                }
                self.out.event("stopped", Some(body));
            }
            DebuggeeEvent::Output { stream, bytes } => {
                let slot = usize::from(stream == OutputStream::Stderr);
                let text = take_utf8(&mut run.partial_output[slot], &bytes);
                if text.is_empty() {
                    run.budget.release(bytes.len());
                } else {
                    let category = if stream == OutputStream::Stdout { "stdout" } else { "stderr" };
                    self.out.guest_output(category, &text, &run.budget, bytes.len());
                }
            }
            DebuggeeEvent::Ended(outcome) => {
                run.state = RunState::Ended;
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
            DebuggeeEvent::Terminated => {
                run.state = RunState::Ended;
                self.out.event("terminated", None);
            }
            DebuggeeEvent::Failed(error) => {
                run.state = RunState::Ended;
                self.out.output("stderr", &format!("wasmscope: the program could not run: {error}\n"));
                self.out.event("terminated", None);
            }
        }
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
    fn step_on_to_a_line(&mut self) -> bool {
        let Some(symbols) = self.symbols.clone() else { return false };
        let Ok(module) = symbols.program() else { return false };
        if !module.has_dwarf() {
            return false;
        }
        let user_breakpoints = self.breakpoints.lock().unwrap_or_else(|p| p.into_inner()).module_offsets(&symbols);
        let Some(run) = self.run.as_mut() else { return false };
        let Ok(frames) = run.debuggee.frames() else { return false };
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
        let Ok(stepper) = Stepper::new(symbols.clone(), StepKind::Into, &mut run.debuggee, user_breakpoints) else {
            return false;
        };
        let first = stepper.first_resume();
        if run.debuggee.resume_with(Box::new(stepper), first).is_err() {
            return false;
        }
        run.pausing_to_a_line = true;
        true
    }

    /// The breakpoints bound at the innermost frame's position.
    fn breakpoint_ids_here(&mut self) -> Vec<u32> {
        let (Some(run), Some(symbols)) = (&self.run, &self.symbols) else {
            return Vec::new();
        };
        let Ok(Some(frame)) = run.debuggee.frames().map(|f| f.first().copied()) else {
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

    /// The running program, stopped: the state inspection requests need.
    pub(crate) fn stopped_run(&mut self) -> Result<&mut Run, String> {
        match self.run.as_mut() {
            Some(run) if run.state == RunState::Stopped => Ok(run),
            Some(run) if run.state == RunState::Running => Err("the program is running: pause it first".into()),
            _ => Err("the program is not running".into()),
        }
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
    fn forward(&self, event: Option<DebuggeeEvent>) -> bool {
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
            Some(event) => self.inputs.send(Input::Debuggee { run: self.run, event }).is_ok(),
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
