//! The session's threads, driven by a fake target without Wasmtime: two
//! threads that stop and run on their own (as a server's requests will),
//! each with its own stack and values. What a client holds for one thread's
//! stop stays valid while the other runs; requests reach the thread they
//! name; events carry the right thread.

#![allow(clippy::unwrap_used)]

mod client;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use client::{Client, launch_args, marker_line, start};
use serde_json::{Value, json};
use wasmscope_dap::Backend;
use wasmscope_dap::log::MessageLog;
use wasmscope_debugger::address::{MemoryAddress, ModuleOffset};
use wasmscope_debugger::symbols::{LoadOptions, WasmSymbols, bind_line};
use wasmscope_debugger::target::{
    Attachable, BreakPolicy, CompileReport, EventSink, GuestConfig, Launcher, PreparedTarget, Resume, StartOptions,
    StopReason, Target, TargetError, TargetEvent, TargetFrame, TargetView, ThreadId, ThreadInfo, WasmState, WasmValue,
};

/// What the fake target was asked to do, and what the test lets it do.
#[derive(Default)]
struct Script {
    events: Option<EventSink>,
    /// Each thread's stack while stopped, and the value of its Wasm local 0.
    stacks: HashMap<ThreadId, (Vec<TargetFrame>, i32)>,
    stopped: Vec<ThreadId>,
    calls: Vec<String>,
}

type Shared = Arc<Mutex<Script>>;

#[derive(Debug)]
struct FakeLauncher(SharedHandle);

/// The script, shared with the test (Debug for the seam's bounds).
#[derive(Clone)]
struct SharedHandle(Shared);

impl std::fmt::Debug for SharedHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SharedHandle")
    }
}

impl Launcher for FakeLauncher {
    fn prepare(
        &self,
        _: &GuestConfig,
        _: &[u8],
        on_compiled: Box<dyn FnOnce(CompileReport) + Send>,
    ) -> Result<Box<dyn PreparedTarget>, TargetError> {
        on_compiled(Ok(std::time::Duration::ZERO));
        Ok(Box::new(FakePrepared(self.0.clone())))
    }

    fn attachable(&self) -> Result<Attachable, TargetError> {
        Ok(Attachable { program: wasmscope_test_support::guest("c-O0"), name: "a server".into() })
    }

    fn attach(&self, options: StartOptions) -> Result<Box<dyn Target>, TargetError> {
        Ok(start_fake(&self.0, options))
    }
}

#[derive(Debug)]
struct FakePrepared(SharedHandle);

impl PreparedTarget for FakePrepared {
    fn start(self: Box<Self>, _: &GuestConfig, options: StartOptions) -> Result<Box<dyn Target>, TargetError> {
        Ok(start_fake(&self.0, options))
    }
}

/// Two threads, as a server with two requests in flight.
fn start_fake(shared: &SharedHandle, options: StartOptions) -> Box<dyn Target> {
    let mut events = options.events;
    for (id, name) in [(1, "GET /a #1"), (2, "GET /b #2")] {
        events(TargetEvent::ThreadStarted(ThreadInfo { id, name: name.into() }));
    }
    let mut script = shared.0.lock().unwrap();
    script.calls.push(format!("start with {} breakpoints", options.breakpoints.len()));
    script.events = Some(events);
    drop(script);
    Box::new(FakeTarget { script: shared.clone(), viewing: None })
}

#[derive(Debug)]
struct FakeTarget {
    script: SharedHandle,
    viewing: Option<ThreadView>,
}

impl FakeTarget {
    fn call(&self, what: String) {
        self.script.0.lock().unwrap().calls.push(what);
    }

    fn stopped(&self, thread: ThreadId) -> Result<(), TargetError> {
        let script = self.script.0.lock().unwrap();
        if !script.stacks.contains_key(&thread) {
            return Err(TargetError::NoThread(thread));
        }
        if !script.stopped.contains(&thread) {
            return Err(TargetError::Running);
        }
        Ok(())
    }
}

/// One stopped thread, as the target shows it.
#[derive(Debug)]
struct ThreadView {
    frames: Vec<TargetFrame>,
    local0: i32,
}

impl TargetView for ThreadView {
    fn frames(&mut self) -> Result<Vec<TargetFrame>, TargetError> {
        Ok(self.frames.clone())
    }
    fn local(&mut self, _: usize, index: u32) -> Result<WasmValue, TargetError> {
        match index {
            0 => Ok(WasmValue::I32(self.local0)),
            _ => Err(TargetError::refused(format!("no local {index}"))),
        }
    }
    fn global(&mut self, index: u32) -> Result<WasmValue, TargetError> {
        Err(TargetError::refused(format!("no global {index}")))
    }
    fn wasm_state(&mut self, _: usize) -> Result<WasmState, TargetError> {
        Ok(WasmState { locals: vec![WasmValue::I32(self.local0)], stack: Vec::new() })
    }
    fn read_memory(&mut self, address: MemoryAddress, len: usize) -> Result<Vec<u8>, TargetError> {
        // Every byte of thread N's memory is N.
        let _ = address;
        Ok(vec![self.local0 as u8; len])
    }
    fn write_memory(&mut self, _: MemoryAddress, _: &[u8]) -> Result<(), TargetError> {
        Err(TargetError::refused("read-only"))
    }
    fn set_breakpoints(&mut self, _: &[ModuleOffset]) -> Result<(), TargetError> {
        Ok(())
    }
}

impl Target for FakeTarget {
    fn stops_all_threads(&self) -> bool {
        false
    }
    fn view(&mut self, thread: ThreadId) -> Result<&mut dyn TargetView, TargetError> {
        self.stopped(thread)?;
        let (frames, local0) = self.script.0.lock().unwrap().stacks[&thread].clone();
        Ok(self.viewing.insert(ThreadView { frames, local0 }))
    }
    fn resume(&mut self, thread: ThreadId, how: Resume) -> Result<(), TargetError> {
        self.stopped(thread)?;
        self.script.0.lock().unwrap().stopped.retain(|t| *t != thread);
        self.call(format!("resume {thread} {how:?}"));
        Ok(())
    }
    fn resume_with(&mut self, thread: ThreadId, _: Box<dyn BreakPolicy>, how: Resume) -> Result<(), TargetError> {
        self.resume(thread, how)
    }
    fn pause(&mut self, thread: ThreadId) -> Result<(), TargetError> {
        self.call(format!("pause {thread}"));
        Ok(())
    }
    fn set_breakpoints(&mut self, module: usize, offsets: &[ModuleOffset]) -> Result<(), TargetError> {
        self.call(format!("breakpoints in module {module}: {}", offsets.len()));
        Ok(())
    }
    fn terminate(&mut self) {
        self.call("terminate".into());
    }
    fn detach(self: Box<Self>) {
        self.call("detach".into());
    }
}

/// The test's side of the fake: stops threads and reads what was asked.
struct Control(Shared);

impl Control {
    fn stop(&self, thread: ThreadId, frames: Vec<TargetFrame>, local0: i32) {
        let mut script = self.0.lock().unwrap();
        script.stacks.insert(thread, (frames, local0));
        script.stopped.push(thread);
        let events = script.events.as_mut().unwrap();
        events(TargetEvent::Stopped { thread, reason: StopReason::Breakpoint });
    }

    fn exit(&self, thread: ThreadId) {
        let mut script = self.0.lock().unwrap();
        script.stacks.remove(&thread);
        script.stopped.retain(|t| *t != thread);
        script.events.as_mut().unwrap()(TargetEvent::ThreadExited(thread));
    }

    fn calls(&self) -> Vec<String> {
        std::mem::take(&mut self.0.lock().unwrap().calls)
    }
}

/// c-O0's frame at the `// BP: name` line of main.c.
fn frame_at(symbols: &WasmSymbols, name: &str) -> TargetFrame {
    let module = symbols.program().unwrap();
    let line = marker_line("c/main.c", name);
    let code = bind_line(module, "main.c", line, &[]).unwrap().unwrap().offsets[0];
    TargetFrame { module: 0, function_index: 0, offset: module.module().code.unwrap().to_module(code) }
}

fn top_frame(client: &mut Client, thread: i64) -> Value {
    let trace = client.request("stackTrace", json!({ "threadId": thread }));
    trace["stackFrames"][0].clone()
}

fn wasm_local0(client: &mut Client, frame_id: &Value) -> (i64, String) {
    let scopes = client.request("scopes", json!({ "frameId": frame_id }));
    let wasm = scopes["scopes"].as_array().unwrap().iter().find(|s| s["name"] == "Wasm").unwrap().clone();
    let reference = wasm["variablesReference"].as_i64().unwrap();
    (reference, local0_of(client, reference))
}

fn local0_of(client: &mut Client, reference: i64) -> String {
    let variables = client.request("variables", json!({ "variablesReference": reference }));
    variables["variables"][0]["value"].as_str().unwrap().to_owned()
}

#[test]
fn each_thread_stops_runs_and_is_inspected_on_its_own() {
    let script: Shared = Arc::default();
    let control = Control(script.clone());
    let launcher = FakeLauncher(SharedHandle(script));
    let mut client = Client::in_process_with(Backend::new(Arc::new(launcher), MessageLog::default()));
    let symbols = WasmSymbols::load(&wasmscope_test_support::guest("c-O0"), &LoadOptions::default()).unwrap();
    start(&mut client, launch_args("c-O0"));
    client.request("configurationDone", json!({}));
    assert_eq!(client.event("thread")["body"], json!({ "reason": "started", "threadId": 1 }));
    assert_eq!(client.event("thread")["body"], json!({ "reason": "started", "threadId": 2 }));
    let threads = client.request("threads", json!({}));
    assert_eq!(
        threads["threads"],
        json!([{ "id": 1, "name": "GET /a #1" }, { "id": 2, "name": "GET /b #2" }]),
        "the threads the target announced"
    );
    assert_eq!(control.calls(), ["start with 0 breakpoints"]);

    // Thread 1 stops alone: the others go on.
    control.stop(1, vec![frame_at(&symbols, "fib_base")], 101);
    let stopped = client.event("stopped")["body"].clone();
    assert_eq!((stopped["threadId"].as_i64(), stopped["allThreadsStopped"].as_bool()), (Some(1), Some(false)));
    let error = client.request_error("stackTrace", json!({ "threadId": 2 }));
    assert!(error.contains("running"), "{error}");
    let one = top_frame(&mut client, 1);
    assert_eq!(one["line"], marker_line("c/main.c", "fib_base"));
    let (one_locals, value) = wasm_local0(&mut client, &one["id"]);
    assert_eq!(value, "101");

    // Thread 2 stops elsewhere: its own frame ids, stack and values.
    control.stop(2, vec![frame_at(&symbols, "factorial_base")], 202);
    client.event("stopped");
    let two = top_frame(&mut client, 2);
    assert_eq!(two["line"], marker_line("c/main.c", "factorial_base"));
    assert_ne!(two["id"], one["id"], "frame ids name one thread's frame");
    let (two_locals, value) = wasm_local0(&mut client, &two["id"]);
    assert_eq!(value, "202");
    assert_eq!(local0_of(&mut client, one_locals), "101", "thread 1's handles outlive thread 2's stop");
    // A request without a frame evaluates where the last stop was.
    assert_eq!(client.request("evaluate", json!({ "expression": "$local0" }))["result"], "202");
    assert_eq!(client.request("evaluate", json!({ "expression": "$local0", "frameId": one["id"] }))["result"], "101");

    // Continuing thread 1 leaves thread 2 stopped, with its handles.
    let continued = client.request("continue", json!({ "threadId": 1 }));
    assert_eq!(continued["allThreadsContinued"], false);
    assert_eq!(control.calls(), ["resume 1 Continue"]);
    let error = client.request_error("variables", json!({ "variablesReference": one_locals }));
    assert!(error.contains("not valid"), "{error}");
    assert_eq!(local0_of(&mut client, two_locals), "202");
    let error = client.request_error("scopes", json!({ "frameId": one["id"] }));
    assert!(error.contains("not on a stopped thread"), "{error}");

    // Pause reaches the running thread only; breakpoints reach the target
    // while a thread runs.
    client.request("pause", json!({ "threadId": 1 }));
    client.request("pause", json!({ "threadId": 2 }));
    let line = marker_line("c/main.c", "fib_recurse");
    client.request(
        "setBreakpoints",
        json!({ "source": { "path": client::source_path("c/main.c") }, "breakpoints": [{ "line": line }] }),
    );
    assert_eq!(control.calls(), ["pause 1", "breakpoints in module 0: 1"]);
    let error = client.request_error("continue", json!({ "threadId": 7 }));
    assert!(error.contains("no thread 7"), "{error}");

    // A thread that ends leaves the list and takes its handles.
    control.exit(2);
    assert_eq!(client.event("thread")["body"], json!({ "reason": "exited", "threadId": 2 }));
    assert_eq!(client.request("threads", json!({}))["threads"], json!([{ "id": 1, "name": "GET /a #1" }]));
    let error = client.request_error("variables", json!({ "variablesReference": two_locals }));
    assert!(error.contains("not valid"), "{error}");

    client.finish();
    assert_eq!(control.calls(), ["terminate"]);
}

#[test]
fn attach_debugs_the_program_the_launcher_offers_and_detaches_at_the_end() {
    let script: Shared = Arc::default();
    let control = Control(script.clone());
    let mut client =
        Client::in_process_with(Backend::new(Arc::new(FakeLauncher(SharedHandle(script))), MessageLog::default()));
    client.request("initialize", json!({ "adapterID": "wasmscope" }));
    let error = client.request_error("attach", json!({ "program": "x.wasm" }));
    assert!(error.contains("unknown attach attribute `program`"), "{error}");
    client.request("attach", json!({ "sourceMap": { "/wasmscope": wasmscope_test_support::repo_root() } }));
    client.event("initialized");
    let process = client.event("process")["body"].clone();
    assert_eq!((process["name"].as_str(), process["startMethod"].as_str()), (Some("a server"), Some("attach")));
    let line = marker_line("c/main.c", "fib_base");
    let set = client.request(
        "setBreakpoints",
        json!({ "source": { "path": client::source_path("c/main.c") }, "breakpoints": [{ "line": line }] }),
    );
    assert_eq!(set["breakpoints"][0]["verified"], true, "the served program's symbols bind it");
    client.request("configurationDone", json!({}));
    client.event("thread");
    assert_eq!(control.calls(), ["start with 1 breakpoints"]);
    let error = client.request_error("restart", json!({}));
    assert!(error.contains("attached"), "{error}");
    // Disconnecting leaves an attached program running: detach.
    client.finish_with(json!({}));
    assert_eq!(control.calls(), ["detach"]);
}
