//! A scripted DAP client for the session tests: it runs the server
//! in-process over pipes (or talks to any stream), checks every message
//! the server sends against the DAP JSON schema, and offers
//! request/wait-for-event helpers.

#![allow(dead_code, clippy::unwrap_used, clippy::print_stderr, clippy::needless_pass_by_value)]

use std::collections::{HashMap, VecDeque};
use std::io::{BufReader, Read, Write};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use wasmscope_dap::codec::{FrameReader, write_frame};
use wasmscope_test_support::repo_root;

pub mod ws;

/// The published schema, from `../shared/spec` (never copied into the
/// repository). Required in CI; elsewhere its absence is announced.
fn schema() -> Option<&'static Value> {
    static SCHEMA: OnceLock<Option<Value>> = OnceLock::new();
    SCHEMA
        .get_or_init(|| {
            let path = repo_root().join("../shared/spec/debugAdapterProtocol.json");
            match std::fs::read(&path) {
                Ok(bytes) => Some(serde_json::from_slice(&bytes).expect("the DAP schema is JSON")),
                Err(error) => {
                    assert!(std::env::var_os("CI").is_none(), "CI needs the DAP schema at {}: {error}", path.display());
                    eprintln!(
                        "NOTICE: {} is missing ({error}); DAP messages are NOT validated in this run",
                        path.display()
                    );
                    None
                }
            }
        })
        .as_ref()
}

/// Validates `message` against the schema definition its type names;
/// returns the problems found.
pub fn schema_problems(message: &Value) -> Vec<String> {
    static VALIDATORS: OnceLock<Mutex<HashMap<String, Arc<jsonschema::Validator>>>> = OnceLock::new();
    let Some(schema) = schema() else {
        return Vec::new();
    };
    let capitalized = |s: &str| s[..1].to_uppercase() + &s[1..];
    let definition = match message["type"].as_str() {
        Some("response") if message["success"] == false => "ErrorResponse".to_owned(),
        Some("response") => format!("{}Response", capitalized(message["command"].as_str().unwrap_or("?"))),
        Some("event") => format!("{}Event", capitalized(message["event"].as_str().unwrap_or("?"))),
        other => return vec![format!("a message of type {other:?}")],
    };
    if schema["definitions"].get(&definition).is_none() {
        return vec![format!("the schema has no {definition}")];
    }
    let validator = {
        let mut cache = VALIDATORS.get_or_init(Mutex::default).lock().unwrap();
        cache
            .entry(definition.clone())
            .or_insert_with(|| {
                let wrapper = json!({
                    "$schema": "http://json-schema.org/draft-04/schema#",
                    "allOf": [{ "$ref": format!("#/definitions/{definition}") }],
                    "definitions": schema["definitions"],
                });
                Arc::new(jsonschema::draft4::new(&wrapper).unwrap())
            })
            .clone()
    };
    validator.iter_errors(message).map(|e| format!("{definition}: {e} at {}", e.instance_path())).collect()
}

pub struct Client {
    writer: Box<dyn Write + Send>,
    incoming: Receiver<Value>,
    /// Events received while waiting for something else.
    pub events: VecDeque<Value>,
    /// Every event ever received, in order.
    pub history: Vec<Value>,
    next_seq: i64,
    problems: Arc<Mutex<Vec<String>>>,
    server: Option<std::thread::JoinHandle<()>>,
}

pub const TIMEOUT: Duration = Duration::from_secs(60);

impl Client {
    /// A server in this process, over a pair of pipes.
    pub fn in_process() -> Self {
        Self::in_process_with_log(wasmscope_dap::log::MessageLog::default())
    }

    pub fn in_process_with_log(log: wasmscope_dap::log::MessageLog) -> Self {
        Self::in_process_with(local_backend(log))
    }

    /// A server in this process whose sessions run `backend`'s targets.
    pub fn in_process_with(backend: wasmscope_dap::Backend) -> Self {
        let (server_in, client_out) = std::io::pipe().unwrap();
        let (client_in, server_out) = std::io::pipe().unwrap();
        let server = std::thread::spawn(move || {
            wasmscope_dap::serve(server_in, server_out, backend);
        });
        let mut client = Client::over(client_in, client_out);
        client.server = Some(server);
        client
    }

    pub fn over(input: impl Read + Send + 'static, output: impl Write + Send + 'static) -> Self {
        let (sender, incoming) = channel();
        let problems = Arc::new(Mutex::new(Vec::new()));
        let seen = problems.clone();
        std::thread::spawn(move || {
            let mut reader = FrameReader::new(BufReader::new(input));
            while let Ok(Some(body)) = reader.read_frame() {
                let message: Value = match serde_json::from_slice(&body) {
                    Ok(message) => message,
                    Err(error) => {
                        seen.lock().unwrap().push(format!("not JSON: {error}"));
                        continue;
                    }
                };
                let found = schema_problems(&message);
                seen.lock().unwrap().extend(found);
                if sender.send(message).is_err() {
                    return;
                }
            }
        });
        Client {
            writer: Box::new(output),
            incoming,
            events: VecDeque::new(),
            history: Vec::new(),
            next_seq: 1,
            problems,
            server: None,
        }
    }

    /// Sends raw bytes as one frame (for malformed-input tests).
    pub fn send_raw(&mut self, body: &[u8]) {
        write_frame(&mut self.writer, body).unwrap();
        self.writer.flush().unwrap();
    }

    pub fn send(&mut self, command: &str, arguments: Value) -> i64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        let message = json!({ "seq": seq, "type": "request", "command": command, "arguments": arguments });
        self.send_raw(&serde_json::to_vec(&message).unwrap());
        seq
    }

    fn next_message(&mut self, deadline: Instant) -> Value {
        let left = deadline.saturating_duration_since(Instant::now());
        match self.incoming.recv_timeout(left) {
            Ok(message) => {
                if message["type"] == "event" {
                    self.history.push(message.clone());
                }
                message
            }
            Err(RecvTimeoutError::Timeout) => {
                panic!("timed out; events so far: {:#?}", self.history)
            }
            Err(RecvTimeoutError::Disconnected) => {
                panic!("the server closed the stream; events: {:#?}", self.history)
            }
        }
    }

    /// The response to request `seq` (success or not).
    pub fn response(&mut self, seq: i64) -> Value {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let message = self.next_message(deadline);
            if message["type"] == "response" && message["request_seq"] == seq {
                return message;
            }
            if message["type"] == "event" {
                self.events.push_back(message);
            }
        }
    }

    /// Sends a request and returns its successful response's body.
    pub fn request(&mut self, command: &str, arguments: Value) -> Value {
        let seq = self.send(command, arguments);
        let response = self.response(seq);
        assert_eq!(response["success"], true, "{command} failed: {response}");
        response.get("body").cloned().unwrap_or(Value::Null)
    }

    /// Sends a request that must fail; returns the error message.
    pub fn request_error(&mut self, command: &str, arguments: Value) -> String {
        let seq = self.send(command, arguments);
        let response = self.response(seq);
        assert_eq!(response["success"], false, "{command} should fail: {response}");
        response["message"].as_str().unwrap_or_default().to_owned()
    }

    /// The next event named `name` (earlier ones of other names are kept).
    pub fn event(&mut self, name: &str) -> Value {
        if let Some(i) = self.events.iter().position(|e| e["event"] == name) {
            return self.events.remove(i).unwrap();
        }
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let message = self.next_message(deadline);
            if message["type"] == "event" {
                if message["event"] == name {
                    return message;
                }
                self.events.push_back(message);
            }
        }
    }

    /// Collects events until `name` arrives; returns all of them.
    pub fn events_until(&mut self, name: &str) -> Vec<Value> {
        let mut out: Vec<Value> = self.events.drain(..).collect();
        if out.iter().any(|e| e["event"] == name) {
            return out;
        }
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let message = self.next_message(deadline);
            if message["type"] == "event" {
                let done = message["event"] == name;
                out.push(message);
                if done {
                    return out;
                }
            }
        }
    }

    /// The text of every output event of `category` seen so far.
    pub fn output(&self, category: &str) -> String {
        self.history
            .iter()
            .filter(|e| e["event"] == "output" && e["body"]["category"] == category)
            .filter_map(|e| e["body"]["output"].as_str())
            .collect()
    }

    /// Asserts that every message so far matched the schema.
    pub fn assert_schema_clean(&self) {
        let problems = self.problems.lock().unwrap();
        assert!(problems.is_empty(), "messages that do not match the DAP schema:\n{}", problems.join("\n"));
    }

    /// Disconnects, checks the schema, and waits for the server to end.
    pub fn finish(self) {
        self.finish_with(json!({ "terminateDebuggee": true }));
    }

    /// Disconnects with `arguments`, then as [`Client::finish`].
    pub fn finish_with(mut self, arguments: Value) {
        self.request("disconnect", arguments);
        self.assert_schema_clean();
        if let Some(server) = self.server.take() {
            let deadline = Instant::now() + Duration::from_secs(20);
            while !server.is_finished() {
                assert!(Instant::now() < deadline, "the server did not end after disconnect");
                std::thread::sleep(Duration::from_millis(10));
            }
            server.join().unwrap();
        }
    }
}

/// initialize + launch + the initialized event; returns the capabilities.
pub fn start(client: &mut Client, launch: Value) -> Value {
    let capabilities = client.request(
        "initialize",
        json!({ "clientID": "wasmscope-tests", "adapterID": "wasmscope", "linesStartAt1": true, "columnsStartAt1": true, "pathFormat": "path", "supportsMemoryEvent": true }),
    );
    client.request("launch", launch);
    client.event("initialized");
    capabilities
}

/// The launch arguments for fixture guest `name` (e.g. `c-O0`).
pub fn launch_args(name: &str) -> Value {
    json!({
        "type": "wasmscope", "request": "launch", "name": "test",
        "program": wasmscope_test_support::guest(name),
        "sourceMap": { "/wasmscope": repo_root() },
    })
}

pub fn source_path(relative: &str) -> String {
    repo_root().join("tests/guests").join(relative).display().to_string()
}

pub fn marker_line(relative: &str, name: &str) -> u32 {
    wasmscope_test_support::marker(&repo_root().join("tests/guests").join(relative), name)
}

/// What the CLI gives the DAP server: the local target, in this process.
pub fn local_backend(log: wasmscope_dap::log::MessageLog) -> wasmscope_dap::Backend {
    wasmscope_dap::Backend::new(std::sync::Arc::new(wasmscope_runtime::LocalLauncher), log)
}
