//! The DevTools target through `wasmscope dap`: attaching to a Node that
//! waits under its inspector (by port), a module that is not the program,
//! and the errors a wrong configuration gets. (Full sessions against Node
//! and Chromium, compared with the Wasmtime target, are in
//! tests/dap-client/test/devtools.test.mjs.)

#![allow(clippy::unwrap_used)]

#[path = "../../dap-adapter/tests/client/mod.rs"]
#[allow(unused_imports)]
mod client;

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};

use client::{Client, marker_line, source_path};
use serde_json::{Value, json};

fn repo_root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn runner() -> String {
    repo_root().join("devtools/assets/run-wasi.mjs").display().to_string()
}

fn start_adapter() -> (Client, Child) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_wasmscope"))
        .arg("dap")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let client = Client::over(child.stdout.take().unwrap(), child.stdin.take().unwrap());
    (client, child)
}

fn initialize(client: &mut Client) {
    client.request(
        "initialize",
        json!({ "adapterID": "wasmscope", "linesStartAt1": true, "columnsStartAt1": true, "pathFormat": "path" }),
    );
}

/// `node --inspect-brk=127.0.0.1:0 run-wasi.mjs GUEST`, and the port it
/// listens on; its stdout is collected.
fn node_waiting(guest: &str) -> (Child, u16, std::thread::JoinHandle<String>) {
    let mut node = Command::new("node")
        .args(["--inspect-brk=127.0.0.1:0", "--no-warnings", &runner()])
        .arg(wasmscope_test_support::guest(guest))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node (scripts/install-toolchains.sh installs it)");
    let mut stderr = BufReader::new(node.stderr.take().unwrap());
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    let port = line
        .split("ws://127.0.0.1:")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("node's first line names no port: {line}"));
    std::thread::spawn(move || std::io::copy(&mut stderr, &mut std::io::sink()));
    let mut stdout = node.stdout.take().unwrap();
    let output = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stdout.read_to_string(&mut text);
        text
    });
    (node, port, output)
}

fn locals(client: &mut Client, frame_id: &Value) -> Vec<(String, String)> {
    let scopes = client.request("scopes", json!({ "frameId": frame_id }));
    let reference = scopes["scopes"][0]["variablesReference"].clone();
    let variables = client.request("variables", json!({ "variablesReference": reference }));
    variables["variables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["name"].as_str().unwrap().to_owned(), v["value"].as_str().unwrap().to_owned()))
        .collect()
}

/// Attached to a Node that waits: a breakpoint set before the module loads
/// stops it, with Wasm and JavaScript frames, variables and evaluate; on
/// disconnect the program runs to its end.
#[test]
fn attaching_to_node_by_port_stops_at_a_breakpoint_and_leaves_it_running() {
    let (mut node, port, output) = node_waiting("c-O0");
    let (mut client, mut adapter) = start_adapter();
    initialize(&mut client);
    let program = wasmscope_test_support::guest("c-O0");
    client.request("attach", json!({ "target": "node", "port": port, "program": program }));
    client.event("initialized");
    let line = marker_line("c/main.c", "factorial_base");
    let set = client.request(
        "setBreakpoints",
        json!({ "source": { "path": source_path("c/main.c") }, "breakpoints": [{ "line": line }] }),
    );
    assert_eq!(set["breakpoints"][0]["verified"], true, "{set}");
    client.request("configurationDone", json!({}));
    let stopped = client.event("stopped");
    assert_eq!(stopped["body"]["reason"], "breakpoint");
    let stack = client.request("stackTrace", json!({ "threadId": 1 }));
    let frames = stack["stackFrames"].as_array().unwrap();
    assert_eq!(frames[0]["name"], "factorial");
    assert_eq!(frames[0]["line"], line);
    // factorial(10) recursing down to 1: ten frames of it, then main.
    assert_eq!(frames.iter().filter(|f| f["name"] == "factorial").count(), 10, "{stack}");
    let scripts: Vec<&str> = frames
        .iter()
        .filter(|f| f["presentationHint"] == "subtle")
        .filter_map(|f| f["source"]["name"].as_str())
        .collect();
    assert!(scripts.contains(&"run-wasi.mjs"), "JavaScript frames below the Wasm ones: {scripts:?}");
    let last_wasm = frames.iter().rposition(|f| f["source"]["name"] == "main.c").unwrap();
    let first_script = frames.iter().position(|f| f["source"]["name"] == "run-wasi.mjs").unwrap();
    assert!(first_script > last_wasm, "the script that started the program is below it");
    // Node's own module (node:wasi) is no file: its text comes by reference,
    // and the frame's line is the call of the program's _start.
    let start = frames.iter().find(|f| f["source"]["name"] == "node:wasi").expect("node:wasi's frame");
    let reference = start["source"]["sourceReference"].clone();
    assert!(reference.as_i64().is_some_and(|r| r > 0), "{start}");
    let text = client.request("source", json!({ "source": start["source"], "sourceReference": reference }));
    let line = start["line"].as_u64().unwrap() as usize;
    let shown = text["content"].as_str().unwrap().lines().nth(line - 1).unwrap_or_default().to_owned();
    assert!(shown.contains("_start"), "line {line} of node:wasi: {shown}");
    let error = client.request_error("source", json!({ "sourceReference": 999 }));
    assert!(error.contains("no source with reference 999"), "{error}");
    assert_eq!(locals(&mut client, &frames[0]["id"]), [("n".to_owned(), "1".to_owned())]);
    let answer = client.request("evaluate", json!({ "expression": "n * 41 + 1", "frameId": frames[0]["id"] }));
    assert_eq!(answer["result"], "42");
    client.request("disconnect", json!({}));
    let status = node.wait().unwrap();
    assert!(status.success(), "{status}");
    assert!(output.join().unwrap().contains("factorial = 3628800"), "the program ran on to its end");
    let _ = adapter.wait();
}

/// A configuration that cannot work is refused with what is wrong; a
/// module that is not the program is named in the output.
#[test]
fn wrong_configurations_and_foreign_modules_are_said() {
    let program = wasmscope_test_support::guest("c-O0");
    let (mut client, mut adapter) = start_adapter();
    initialize(&mut client);
    let error = client.request_error("launch", json!({ "program": program, "target": "chrome" }));
    assert!(error.contains("needs `url`"), "{error}");
    let component = wasmscope_test_support::guest("c-O0-component");
    let error = client.request_error("launch", json!({ "program": component, "target": "node" }));
    assert!(error.contains("component"), "{error}");
    // Nothing listens on a port just freed.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    client.request("attach", json!({ "target": "node", "port": port, "program": program }));
    client.event("initialized");
    let error = client.request_error("configurationDone", json!({}));
    assert!(error.contains(&format!("127.0.0.1:{port}")), "{error}");
    drop(client);
    let _ = adapter.wait();

    // Node runs c-O2 while the session debugs c-O0.
    let (mut client, mut adapter) = start_adapter();
    initialize(&mut client);
    let other = wasmscope_test_support::guest("c-O2").display().to_string();
    client.request("launch", json!({ "program": program, "target": "node", "script": runner(), "args": [other] }));
    client.event("initialized");
    client.request("configurationDone", json!({}));
    let exited = client.event("exited");
    assert_eq!(exited["body"]["exitCode"], 0);
    let stderr = client.output("stderr");
    assert!(stderr.contains("is not the program being debugged"), "{stderr}");
    assert!(client.output("stdout").contains("factorial = 3628800"));
    client.request("disconnect", json!({}));
    let _ = adapter.wait();
}

/// Without `program`, the module the script loads is the program: its
/// DWARF comes from the protocol, and breakpoints set after `launch` bind
/// before it runs.
#[test]
fn without_a_program_the_module_the_script_loads_is_debugged() {
    let (mut client, mut adapter) = start_adapter();
    initialize(&mut client);
    let guest = wasmscope_test_support::guest("c-O0").display().to_string();
    client.request("launch", json!({ "target": "node", "script": runner(), "args": [guest] }));
    client.event("initialized");
    let modules = client.request("modules", json!({}));
    let module = &modules["modules"][0];
    assert!(module["path"].as_str().unwrap().starts_with("wasm://wasm/"), "{modules}");
    assert_eq!(module["symbolStatus"], "DWARF loaded");
    let line = marker_line("c/main.c", "fib_base");
    let set = client.request(
        "setBreakpoints",
        json!({ "source": { "path": source_path("c/main.c") }, "breakpoints": [{ "line": line, "condition": "n == 0" }] }),
    );
    assert_eq!(set["breakpoints"][0]["verified"], true, "{set}");
    client.request("configurationDone", json!({}));
    client.event("stopped");
    let stack = client.request("stackTrace", json!({ "threadId": 1 }));
    let top = &stack["stackFrames"][0];
    assert_eq!((top["name"].as_str(), top["line"].as_u64()), (Some("fib"), Some(u64::from(line))), "{stack}");
    assert_eq!(locals(&mut client, &top["id"]), [("n".to_owned(), "0".to_owned())]);
    let error = client.request_error("restart", json!({}));
    assert!(error.contains("loaded this program itself"), "{error}");
    client.request("disconnect", json!({}));
    let _ = adapter.wait();
}
