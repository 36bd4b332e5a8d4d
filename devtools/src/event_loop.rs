//! The event thread: reads the protocol's events in order and turns them
//! into the session's. Breaks are judged here, as the local target judges
//! them on the guest's thread: a false condition or a step that has not
//! reached a new line resumes without the session hearing of it.

use std::sync::mpsc::Receiver;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use wasmscope_debugger::target::{
    EventSink, OutputStream, Resume, RunOutcome, StopReason, TargetError, TargetEvent, ThreadId, TrapKind,
};

use crate::connection::CdpEvent;
use crate::host::Host;
use crate::opening::OutputRelay;
use crate::paused_view::{CallFrame, PausedView};
use crate::shared::Shared;
use crate::trap_message::trap_kind;

pub const THREAD: ThreadId = 1;

/// The session's event sink, shared with the threads that copy Node's
/// output.
pub type SharedSink = Arc<Mutex<EventSink>>;

pub struct EventLoop {
    pub shared: Arc<Shared>,
    pub sink: SharedSink,
    pub host: Arc<Mutex<Host>>,
    pub program: Arc<[u8]>,
    /// The program's output, under the session's budget.
    pub output: OutputRelay,
}

impl EventLoop {
    /// Handles `replay` (read before this thread began), then the rest.
    pub fn run(self, replay: Vec<CdpEvent>, events: Receiver<CdpEvent>) {
        for event in replay.into_iter().chain(events) {
            if self.shared.state().finished {
                return;
            }
            let outcome = match event.method.as_str() {
                "Debugger.scriptParsed" => self.on_script(&event.params),
                "Debugger.paused" => self.on_paused(&event.params),
                "Runtime.consoleAPICalled" => {
                    self.shared.cdp.console_event_read();
                    self.on_console(&event.params);
                    Ok(())
                }
                "Runtime.exceptionThrown" if !self.host_is_node() => {
                    // What the page left uncaught (Node prints its own).
                    let details = &event.params["exceptionDetails"];
                    let text = details["exception"]["description"].as_str().or(details["text"].as_str());
                    self.print(OutputStream::Stderr, &format!("Uncaught {}", text.unwrap_or("exception")));
                    Ok(())
                }
                "Inspector.targetCrashed" => Err(TargetError::refused("the page crashed (its renderer process ended)")),
                "Runtime.executionContextDestroyed" if self.host_is_node() => {
                    // Node has run its script and waits for the debugger
                    // to leave: leave, so it ends.
                    self.shared.cdp.close();
                    Ok(())
                }
                _ => Ok(()),
            };
            if let Err(error) = outcome {
                self.finish(TargetEvent::Failed(error));
                return;
            }
        }
        // The connection closed: the program (Node, the browser) ended.
        let code = self.host.lock().unwrap_or_else(|p| p.into_inner()).wait_for_exit();
        self.finish(TargetEvent::Ended(RunOutcome::Exited(code.unwrap_or(0))));
    }

    fn host_is_node(&self) -> bool {
        self.host.lock().unwrap_or_else(|p| p.into_inner()).is_node()
    }

    fn emit(&self, event: TargetEvent) {
        (self.sink.lock().unwrap_or_else(|p| p.into_inner()))(event);
    }

    fn finish(&self, last: TargetEvent) {
        {
            let mut state = self.shared.state();
            if state.finished {
                return;
            }
            state.finished = true;
        }
        self.emit(TargetEvent::ThreadExited(THREAD));
        self.emit(last);
    }

    /// A Wasm module compiled: if it is the program's, its breakpoints go in.
    fn on_script(&self, params: &Value) -> Result<(), TargetError> {
        if let (Some(id), Some(url)) = (params["scriptId"].as_str(), params["url"].as_str()) {
            let line = params["startLine"].as_u64().unwrap_or(0) as u32;
            let column = params["startColumn"].as_u64().unwrap_or(0) as u32;
            self.shared.state().remember_script(id, url, (line, column));
        }
        if params["scriptLanguage"] != "WebAssembly" {
            return Ok(());
        }
        let Some(script) = params["scriptId"].as_str() else { return Ok(()) };
        let length = params["length"].as_u64().unwrap_or(0);
        let same = length == self.program.len() as u64
            && *self.shared.cdp.wasm_bytes(script).map_err(TargetError::internal)? == *self.program;
        if !same {
            // Said, so a user whose breakpoints never bind knows why.
            let url = params["url"].as_str().unwrap_or("a module");
            self.print(
                OutputStream::Stderr,
                &format!(
                    "wasmscope: {url} ({length} bytes) is not the program being debugged ({} bytes): its code has no \
                     breakpoints",
                    self.program.len()
                ),
            );
            return Ok(());
        }
        self.shared.program_loaded(script.to_owned())
    }

    fn on_paused(&self, params: &Value) -> Result<(), TargetError> {
        let script = self.shared.state().script.clone();
        let frames: Vec<CallFrame> = params["callFrames"]
            .as_array()
            .map(|frames| {
                frames
                    .iter()
                    .enumerate()
                    .filter_map(|(n, f)| CallFrame::read(f, script.as_deref(), &self.shared, n > 0))
                    .collect()
            })
            .unwrap_or_default();
        let mut view = PausedView::new(self.shared.clone(), frames);
        let reason = params["reason"].as_str().unwrap_or_default();
        if reason == "instrumentation" {
            let ours = script.is_some() && params["data"]["scriptId"].as_str() == script.as_deref();
            let entry = ours && std::mem::take(&mut self.shared.state().stop_on_entry);
            if entry && view.in_program() {
                return self.stop(view, StopReason::Entry);
            }
            if entry {
                // V8 stops before the module's start; the program's first
                // instruction is one step on.
                self.shared.state().pausing = true;
                return self.resume(Resume::Step);
            }
            return self.resume(Resume::Continue);
        }
        if reason == "exception" {
            let exception = &params["data"];
            let kind = trap_kind(
                exception["className"].as_str().unwrap_or_default(),
                exception["description"].as_str().unwrap_or_default(),
            );
            return match kind {
                Some(kind) if view.in_program() => {
                    self.shared.state().policy = None;
                    self.stop(view, StopReason::Trap(kind))
                }
                // A JavaScript exception, or a trap outside the program:
                // the page's business.
                _ => self.resume(Resume::Continue),
            };
        }
        let pausing = self.shared.state().pausing;
        if !view.in_program() {
            let stepping = self.shared.state().policy.is_some();
            if (stepping || pausing) && view.has_program_frames() {
                // In JavaScript the program called (an import): back to
                // the program's next instruction.
                self.shared.cdp.call("Debugger.stepOut", json!({})).map_err(TargetError::internal)?;
                return Ok(());
            }
            if pausing {
                self.shared.state().pausing = false;
                return self.stop(view, StopReason::Pause);
            }
            // A step ran off the program's end, or a break of the page's
            // own: the program goes on.
            self.shared.state().policy = None;
            return self.resume(Resume::Continue);
        }
        if let Some(top) = view.innermost_frame()
            && !pausing
            && !self.shared.state().single_stepping
            && self.shared.is_dormant(top.offset)
        {
            // An earlier step's breakpoint, kept for the next step: nobody's
            // stop (a step in progress runs on by its own breakpoints).
            return self.resume(Resume::Continue);
        }
        if let Some(top) = view.innermost_frame()
            && self.shared.is_trap_site(top.offset)
        {
            self.shared.state().policy = None;
            return self.stop(view, StopReason::Trap(TrapKind::Unreachable));
        }
        if std::mem::take(&mut self.shared.state().pausing) {
            self.shared.state().policy = None;
            return self.stop(view, StopReason::Pause);
        }
        let policy = self.shared.state().policy.take();
        let verdict = match policy {
            Some(mut step) => {
                let verdict = step.on_break(&mut view);
                if verdict.is_some() {
                    self.shared.state().policy = Some(step);
                }
                verdict
            }
            None => {
                let judge = self.shared.state().judge.take();
                match judge {
                    Some(mut judge) => {
                        let verdict = judge.on_break(&mut view);
                        self.shared.state().judge = Some(judge);
                        verdict
                    }
                    None => None,
                }
            }
        };
        match verdict {
            Some(resume) => self.resume(resume),
            None => self.stop(view, StopReason::Breakpoint),
        }
    }

    fn stop(&self, view: PausedView, reason: StopReason) -> Result<(), TargetError> {
        self.shared.state().stopped = Some(view);
        self.emit(TargetEvent::Stopped { thread: THREAD, reason });
        Ok(())
    }

    fn resume(&self, how: Resume) -> Result<(), TargetError> {
        resume(&self.shared, how)
    }

    /// A page's console line, as the program's output.
    fn on_console(&self, params: &Value) {
        let stream = match params["type"].as_str() {
            Some("error" | "warning" | "assert" | "trace") => OutputStream::Stderr,
            _ => OutputStream::Stdout,
        };
        let words: Vec<String> = params["args"]
            .as_array()
            .map(|args| {
                args.iter()
                    .map(|a| match &a["value"] {
                        Value::String(text) => text.clone(),
                        Value::Null => a["description"].as_str().unwrap_or("undefined").to_owned(),
                        other => other.to_string(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        self.print(stream, &words.join(" "));
    }

    /// A line of the program's output.
    fn print(&self, stream: OutputStream, line: &str) {
        self.output.write(stream == OutputStream::Stderr, format!("{line}\n").into_bytes());
    }
}

/// Lets the program go on: to its next break, or one instruction.
pub fn resume(shared: &Shared, how: Resume) -> Result<(), TargetError> {
    shared.state().single_stepping = how == Resume::Step;
    let method = match how {
        Resume::Continue => "Debugger.resume",
        Resume::Step => "Debugger.stepInto",
    };
    shared.cdp.call(method, json!({})).map(drop).map_err(TargetError::internal)
}
