//! The debug session behind one client connection. Transport-agnostic
//! (design.md §2, invariant 5): it reads frames from any `Read` and writes
//! to any `Write`. One thread owns the session and handles, in order, the
//! client's requests and the debuggee's events, which all arrive on one
//! channel; so requests are answered while the guest runs, and no state
//! is shared between threads but the breakpoint table the judge reads.

mod compile_progress;
mod convert;
mod core_dump_on_trap;
mod dispatch;
mod handles;
mod run;
pub(crate) mod script_sources;
mod source_paths;

use std::io::Read;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};

use wasmscope_debugger::session::breakpoints::BreakpointTable;
use wasmscope_debugger::session::judge::JudgeOutput;
use wasmscope_debugger::symbols::WasmSymbols;
use wasmscope_debugger::target::{Launcher, PreparedTarget, TargetEvent};

use crate::codec::{FrameError, FrameReader};
use crate::launch_config::LaunchConfig;
use crate::log::MessageLog;
use crate::message::{Incoming, Request, decode};
use compile_progress::{CompileInput, ShownCompile};
pub(crate) use dispatch::SUPPORTED;
pub(crate) use handles::{FrameId, Handles, ThreadStack, VariableScope};
pub(crate) use outbox::Outbox;
pub(crate) use run::{Run, RunState};

mod outbox;
mod writer;

/// What the session thread handles, in arrival order.
pub(crate) enum Input {
    Frame(Vec<u8>),
    /// A frame that could not be read (bad header, oversized body); the
    /// stream is still usable when `recoverable`.
    BadFrame {
        reason: String,
        recoverable: bool,
    },
    ClientGone,
    /// An event of run number `run` (older runs' events are dropped after
    /// a restart).
    Target {
        run: u64,
        event: TargetEvent,
    },
    Judge {
        run: u64,
        output: JudgeOutput,
    },
    /// The compilation started at `launch`.
    Compile(CompileInput),
}

/// How the client counts and what it can take.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ClientInfo {
    pub lines_from_one: bool,
    pub columns_from_one: bool,
    pub memory_event: bool,
    /// Shows `progressStart`/`progressUpdate`/`progressEnd`.
    pub progress: bool,
}

impl ClientInfo {
    /// A line as the client counts it.
    pub fn line_out(&self, line: u32) -> u32 {
        if self.lines_from_one { line } else { line.saturating_sub(1) }
    }
    pub fn line_in(&self, line: u32) -> u32 {
        if self.lines_from_one { line } else { line + 1 }
    }
    pub fn column_out(&self, column: u32) -> u32 {
        if self.columns_from_one { column.max(1) } else { column.saturating_sub(1) }
    }
}

/// The state of one client's session.
pub(crate) struct Session {
    pub out: Outbox,
    /// Makes the targets this session runs.
    pub launcher: Arc<dyn Launcher>,
    pub inputs: Sender<Input>,
    pub client: ClientInfo,
    pub initialized: bool,
    pub launch: Option<LaunchConfig>,
    pub symbols: Option<Arc<WasmSymbols>>,
    pub breakpoints: Arc<Mutex<BreakpointTable>>,
    pub break_on_traps: bool,
    pub run: Option<Run>,
    /// Counts runs: a restart starts run n + 1.
    pub run_number: u64,
    pub handles: Handles,
    /// Set by `disconnect`: the session ends after its response.
    pub closing: bool,
    /// Sources a `loadedSource` event has named.
    pub announced_sources: std::collections::HashSet<String>,
    /// The host's scripts (JavaScript frames) given a `sourceReference`.
    pub script_sources: crate::server::script_sources::ScriptSources,
    /// The compilation `launch` started, until a run takes it.
    pub prepared: Option<Box<dyn PreparedTarget>>,
    /// The compilation shown to the client as progress, until it ends.
    pub shown_compile: Option<ShownCompile>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session").field("run_number", &self.run_number).finish_non_exhaustive()
    }
}

/// What every session of a server is given: the launcher of its targets
/// (the CLI wires in the runtime's) and where it logs.
#[derive(Clone, Debug)]
pub struct Backend {
    pub launcher: Arc<dyn Launcher>,
    pub log: MessageLog,
    /// What the agent's profiling endpoints profile (a server's).
    pub profiler: Option<Arc<dyn wasmscope_profiler::LiveProfiler>>,
}

impl Backend {
    pub fn new(launcher: Arc<dyn Launcher>, log: MessageLog) -> Self {
        Backend { launcher, log, profiler: None }
    }

    pub fn with_profiler(self, profiler: Arc<dyn wasmscope_profiler::LiveProfiler>) -> Self {
        Backend { profiler: Some(profiler), ..self }
    }
}

/// Serves one client until it disconnects or its stream closes. Nothing
/// the session started keeps running afterwards.
pub fn serve(input: impl Read + Send + 'static, output: impl std::io::Write + Send + 'static, backend: Backend) {
    serve_frames(FrameReader::new(input), None, output, backend);
}

/// Serves a client whose first frame a transport has already read (to
/// check that it speaks DAP before anything runs for it).
pub fn serve_frames<R: Read + Send + 'static>(
    reader: FrameReader<R>,
    first: Option<Vec<u8>>,
    output: impl std::io::Write + Send + 'static,
    backend: Backend,
) {
    let Backend { launcher, log, .. } = backend;
    let (inputs, receiver) = channel();
    if let Some(first) = first {
        let _ = inputs.send(Input::Frame(first));
    }
    let reader_inputs = inputs.clone();
    let reader_log = log.clone();
    std::thread::Builder::new()
        .name("wasmscope-dap-reader".into())
        .spawn(move || read_frames(reader, &reader_inputs, &reader_log))
        .ok();
    let mut session = Session::new(Outbox::new(Box::new(output), log), inputs, launcher);
    session.serve(&receiver);
}

fn read_frames(mut reader: FrameReader<impl Read>, inputs: &Sender<Input>, log: &MessageLog) {
    loop {
        let next = match reader.read_frame() {
            Ok(Some(body)) => Input::Frame(body),
            Ok(None) => Input::ClientGone,
            Err(error) => bad_frame(&error, log),
        };
        let last = matches!(next, Input::ClientGone | Input::BadFrame { recoverable: false, .. });
        if inputs.send(next).is_err() || last {
            if last {
                let _ = inputs.send(Input::ClientGone);
            }
            return;
        }
    }
}

fn bad_frame(error: &FrameError, log: &MessageLog) -> Input {
    log.line(&format!("-> unreadable frame: {error}"));
    Input::BadFrame { reason: error.to_string(), recoverable: error.is_recoverable() }
}

impl Session {
    fn new(out: Outbox, inputs: Sender<Input>, launcher: Arc<dyn Launcher>) -> Self {
        Session {
            out,
            launcher,
            inputs,
            client: ClientInfo { lines_from_one: true, columns_from_one: true, memory_event: false, progress: false },
            initialized: false,
            launch: None,
            symbols: None,
            breakpoints: Arc::new(Mutex::new(BreakpointTable::new(Vec::new()))),
            break_on_traps: true,
            run: None,
            run_number: 0,
            handles: Handles::default(),
            closing: false,
            announced_sources: Default::default(),
            script_sources: Default::default(),
            prepared: None,
            shown_compile: None,
        }
    }

    fn serve(&mut self, receiver: &Receiver<Input>) {
        while let Ok(input) = receiver.recv() {
            match input {
                Input::Frame(body) => self.on_frame(&body),
                Input::BadFrame { reason, recoverable } => {
                    // Without a seq there is nothing to answer: DAP has no
                    // error event, so the user hears of it as output.
                    self.out.output("console", &format!("wasmscope: dropped an unreadable message: {reason}\n"));
                    if !recoverable {
                        break;
                    }
                }
                Input::ClientGone => break,
                Input::Target { run, event } if run == self.run_number => self.on_target_event(event),
                Input::Judge { run, output } if run == self.run_number => self.on_judge_output(output),
                Input::Target { .. } | Input::Judge { .. } => {}
                Input::Compile(input) => self.on_compile_input(input),
            }
            if self.closing {
                break;
            }
            if self.out.is_broken() {
                self.out.log.line("the client stopped reading: ending the session");
                break;
            }
        }
        // The client is gone or said goodbye: stop the guest (a detached
        // one was handed off by `disconnect` already).
        if let Some(mut run) = self.run.take() {
            run.budget.close();
            run.target.terminate();
        }
        self.out.finish();
    }

    fn on_frame(&mut self, body: &[u8]) {
        match decode(body) {
            Incoming::Request(request) => self.on_request(&request),
            Incoming::Invalid { seq: Some(seq), command, reason } => {
                self.out.log.line(&format!("-> invalid message {seq}: {reason}"));
                self.out.reject(seq, command.as_deref().unwrap_or("unknown"), &reason);
            }
            Incoming::Invalid { seq: None, reason, .. } => {
                self.out.log.line(&format!("-> dropped a message without seq: {reason}"));
                self.out.output("console", &format!("wasmscope: dropped a message: {reason}\n"));
            }
        }
    }

    fn on_request(&mut self, request: &Request) {
        self.out.log.line(&format!("-> request {} `{}`", request.seq, request.command));
        let started = std::time::Instant::now();
        self.answer(request, dispatch::handler(&request.command));
        if self.out.log.is_enabled() {
            self.out.log.line(&format!(
                "   `{}` took {:.3} ms",
                request.command,
                started.elapsed().as_secs_f64() * 1e3
            ));
        }
    }

    fn answer(&mut self, request: &Request, handler: Option<dispatch::Handler>) {
        let outcome = match handler {
            Some(handle) => {
                // A bug in one handler is an error response, not a dead
                // session (invariant 6).
                match catch_unwind(AssertUnwindSafe(|| handle(self, request))) {
                    Ok(outcome) => outcome,
                    Err(panic) => Err(format!("internal error in `{}`: {}", request.command, panic_message(&panic))),
                }
            }
            None => Err(format!("wasmscope does not support the `{}` request", request.command)),
        };
        self.out.respond(request, outcome);
        self.out.flush_deferred();
    }
}

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".into())
}

/// Decodes a request's arguments into `T`, or says what is wrong.
pub(crate) fn arguments<T: serde::de::DeserializeOwned>(request: &Request) -> Result<T, String> {
    let value = request.arguments.clone().unwrap_or(serde_json::Value::Object(Default::default()));
    serde_json::from_value(value).map_err(|e| format!("invalid arguments for `{}`: {e}", request.command))
}

/// A breakpoint as the client sees it; line breakpoints carry the source
/// they were set in.
pub(crate) fn convert_breakpoint(
    session: &Session,
    breakpoint: &wasmscope_debugger::session::breakpoints::Breakpoint,
) -> crate::protocol::types::Breakpoint {
    use wasmscope_debugger::session::breakpoints::Location;
    let source = match &breakpoint.location {
        Location::Line { file, .. } => Some(crate::protocol::types::Source {
            name: std::path::Path::new(file).file_name().map(|n| n.to_string_lossy().into_owned()),
            path: Some(file.clone()),
            ..Default::default()
        }),
        _ => None,
    };
    convert::breakpoint(breakpoint, &session.client, source.as_ref())
}

pub(crate) use convert::{code_reference, memory_reference, parse_reference, source as source_of};

/// A response body without its `null` fields: DAP's optional fields are
/// absent, never null.
pub(crate) fn without_nulls(mut value: serde_json::Value) -> serde_json::Value {
    if let Some(object) = value.as_object_mut() {
        object.retain(|_, v| !v.is_null());
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A launcher for sessions that never run anything.
    #[derive(Debug)]
    struct NoPrograms;

    impl Launcher for NoPrograms {
        fn prepare(
            &self,
            _: &wasmscope_debugger::target::GuestConfig,
            _: &[u8],
            _: Box<dyn FnOnce(wasmscope_debugger::target::CompileReport) + Send>,
        ) -> Result<Box<dyn PreparedTarget>, wasmscope_debugger::target::TargetError> {
            Err(wasmscope_debugger::target::TargetError::refused("no programs here"))
        }
    }

    #[allow(clippy::panic)]
    fn broken(_: &mut Session, _: &Request) -> Result<Option<serde_json::Value>, String> {
        panic!("a bug")
    }

    #[test]
    fn a_panicking_handler_becomes_an_error_response_and_the_session_goes_on() {
        let (mut from_server, server_out) = std::io::pipe().unwrap();
        let (inputs, _) = channel();
        let mut session =
            Session::new(Outbox::new(Box::new(server_out), MessageLog::default()), inputs, Arc::new(NoPrograms));
        let request = Request { seq: 5, command: "stackTrace".into(), arguments: None };
        session.answer(&request, Some(broken));
        session.answer(&Request { seq: 6, command: "threads".into(), arguments: None }, dispatch::handler("threads"));
        drop(session);
        let mut text = String::new();
        from_server.read_to_string(&mut text).unwrap();
        assert!(text.contains(r#""request_seq":5,"success":false"#), "{text}");
        assert!(text.contains("internal error in `stackTrace`: a bug"), "{text}");
        assert!(text.contains(r#""request_seq":6,"success":true"#), "{text}");
    }
}
