//! Post-mortem debugging: a coredump written by the debugger at a trap
//! opens showing what the live stop showed (stack, every variable of every
//! frame, the trap); one written by wasmtime's CLI opens with the same
//! stack; broken and foreign dumps are one-line errors.

#![allow(clippy::unwrap_used, clippy::needless_pass_by_value)]

mod client;

use std::path::{Path, PathBuf};
use std::process::Command;

use client::{Client, launch_args, start};
use serde_json::{Value, json};

/// What a user sees at a stop: each frame (name, source, line) and the
/// variables of its non-expensive scopes, opened one level.
fn snapshot(client: &mut Client) -> Vec<Value> {
    let frames = client.request("stackTrace", json!({ "threadId": 1 }))["stackFrames"].as_array().unwrap().clone();
    frames
        .iter()
        .map(|frame| {
            let scopes = client.request("scopes", json!({ "frameId": frame["id"] }))["scopes"].as_array().unwrap().clone();
            let mut variables = Vec::new();
            for scope in scopes.iter().filter(|s| s["expensive"] != true) {
                let listed = client.request("variables", json!({ "variablesReference": scope["variablesReference"] }));
                for variable in listed["variables"].as_array().unwrap() {
                    let mut children = Vec::new();
                    if variable["variablesReference"].as_i64().unwrap_or(0) > 0 {
                        let opened =
                            client.request("variables", json!({ "variablesReference": variable["variablesReference"] }));
                        for child in opened["variables"].as_array().unwrap() {
                            children.push(json!([child["name"], child["value"], child["type"]]));
                        }
                    }
                    variables.push(json!([scope["name"], variable["name"], variable["value"], variable["type"], children]));
                }
            }
            json!({ "name": frame["name"], "line": frame["line"], "source": frame["source"]["path"], "variables": variables })
        })
        .collect()
}

fn dump_path(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("wasmscope-coredumps-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// Runs `guest args` under the debugger with `coreDumpOnTrap`; returns
/// what the trap stop showed, its description, and the dump's path.
fn live_trap(guest: &str, args: &[&str]) -> (Vec<Value>, String, PathBuf) {
    let path = dump_path(&format!("{guest}-{}.coredump", args.join("-")));
    let mut client = Client::in_process();
    let mut launch = launch_args(guest);
    launch["args"] = json!(args);
    launch["coreDumpOnTrap"] = json!(path);
    start(&mut client, launch);
    client.request("setExceptionBreakpoints", json!({ "filters": ["trap"] }));
    client.request("configurationDone", json!({}));
    let stopped = client.event("stopped");
    assert_eq!(stopped["body"]["reason"], "exception", "{guest}: {stopped}");
    let text = stopped["body"]["text"].as_str().unwrap().to_owned();
    let shown = snapshot(&mut client);
    assert!(client.output("console").contains("wrote a coredump"), "{}", client.output("console"));
    client.finish();
    (shown, text, path)
}

/// Opens `dump` (with `program`, or the one it names); returns what the
/// stop shows and the stopped event.
fn opened(dump: &Path, program: Option<&Path>) -> (Client, Value) {
    let mut client = Client::in_process();
    let mut launch = json!({
        "type": "wasmscope", "request": "launch", "name": "post-mortem",
        "coreDump": dump, "sourceMap": { "/wasmscope": wasmscope_test_support::repo_root() },
    });
    if let Some(program) = program {
        launch["program"] = json!(program);
    }
    start(&mut client, launch);
    // Nothing runs: the client hears what is off.
    let capabilities = client.event("capabilities");
    assert_eq!(capabilities["body"]["capabilities"]["supportsRestartRequest"], false, "{capabilities}");
    assert_eq!(capabilities["body"]["capabilities"]["supportsSetVariable"], false, "{capabilities}");
    client.request("configurationDone", json!({}));
    let stopped = client.event("stopped");
    (client, stopped)
}

/// Equal snapshots, or the first difference, told briefly.
fn assert_same(post_mortem: &[Value], live: &[Value], what: &str) {
    for (n, (dumped, seen)) in post_mortem.iter().zip(live).enumerate() {
        let head = |f: &Value| json!([f["name"], f["line"], f["source"]]);
        assert_eq!(head(dumped), head(seen), "{what}: frame {n}");
        let (a, b) = (dumped["variables"].as_array().unwrap(), seen["variables"].as_array().unwrap());
        for (x, y) in a.iter().zip(b) {
            assert_eq!(x, y, "{what}: a variable of frame {n} ({})", seen["name"]);
        }
        assert_eq!(a.len(), b.len(), "{what}: variables of frame {n} ({})", seen["name"]);
    }
    assert_eq!(post_mortem.len(), live.len(), "{what}: frames");
}

fn post_mortem_equals_live(guest: &str, args: &[&str]) {
    let (live, text, path) = live_trap(guest, args);
    let (mut client, stopped) = opened(&path, None);
    assert_eq!(stopped["body"]["reason"], "exception", "{guest}: {stopped}");
    assert_eq!(stopped["body"]["text"], text.as_str(), "{guest}: the trap's kind");
    let post_mortem = snapshot(&mut client);
    assert!(live.len() > 2, "{guest}: {live:?}");
    let with_values = live.iter().flat_map(|f| f["variables"].as_array().unwrap()).count();
    assert!(with_values > 0, "{guest}: the live stop showed no variables");
    assert_same(&post_mortem, &live, &format!("{guest} {args:?}"));
    // Nothing runs.
    for command in ["continue", "next", "stepIn", "stepOut"] {
        let error = client.request_error(command, json!({ "threadId": 1 }));
        assert!(error.contains("coredump"), "{command}: {error}");
    }
    client.assert_schema_clean();
    client.finish();
}

#[test]
fn c_coredumps_show_what_the_live_trap_stop_showed() {
    post_mortem_equals_live("c-O0", &["trap-oob"]);
    post_mortem_equals_live("c-O2", &["trap-oob"]);
    post_mortem_equals_live("c-O0", &["trap-unreachable"]);
}

#[test]
fn cpp_coredumps_show_what_the_live_trap_stop_showed() {
    post_mortem_equals_live("cpp-O0", &["trap-unreachable"]);
    post_mortem_equals_live("cpp-O2", &["trap-unreachable"]);
}

#[test]
fn rust_coredumps_show_what_the_live_trap_stop_showed() {
    post_mortem_equals_live("rust-O0", &["panic"]);
    post_mortem_equals_live("rust-O2", &["panic"]);
}

#[test]
fn a_component_coredump_shows_what_the_live_trap_stop_showed() {
    post_mortem_equals_live("c-O0-component", &["trap-oob"]);
}

/// Frames as (name, line).
fn positions(shown: &[Value]) -> Vec<(Value, Value)> {
    shown.iter().map(|f| (f["name"].clone(), f["line"].clone())).collect()
}

fn wasmtime_coredump(guest: &str, args: &[&str]) -> PathBuf {
    let path = dump_path(&format!("{guest}-{}-wasmtime.coredump", args.join("-")));
    let program = wasmscope_test_support::guest(guest);
    let status = Command::new(wasmscope_test_support::wasmtime_cli())
        .arg("run")
        .arg(format!("-Dcoredump={}", path.display()))
        .arg(&program)
        .args(args)
        .output()
        .unwrap();
    assert!(!status.status.success() && path.is_file(), "{}", String::from_utf8_lossy(&status.stderr));
    path
}

#[test]
fn wasmtime_written_coredumps_open_with_the_live_stack() {
    for (guest, args) in
        [("c-O0", "trap-oob"), ("c-O2", "trap-oob"), ("cpp-O2", "trap-unreachable"), ("rust-O0", "panic")]
    {
        let (live, text, _) = live_trap(guest, &[args]);
        let path = wasmtime_coredump(guest, &[args]);
        let (mut client, stopped) = opened(&path, Some(&wasmscope_test_support::guest(guest)));
        // Wasmtime does not record the trap: it is read from the instruction.
        assert_eq!(stopped["body"]["text"], text.as_str(), "{guest}");
        let shown = snapshot(&mut client);
        assert_eq!(positions(&shown), positions(&live), "{guest}: the stack of wasmtime's coredump");
        client.finish();
    }
}

#[test]
fn broken_and_foreign_coredumps_are_one_line_errors() {
    let (_, _, good) = live_trap("c-O0", &["trap-unreachable"]);
    let bytes = std::fs::read(&good).unwrap();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty", Vec::new(), "is empty"),
        ("text", b"hello, I am not a dump".to_vec(), "not a Wasm coredump"),
        ("truncated", bytes[..bytes.len() / 2].to_vec(), "corrupt or truncated"),
        ("module", std::fs::read(wasmscope_test_support::guest("c-O0")).unwrap(), "no `core` section"),
    ];
    for (name, contents, expected) in cases {
        let path = dump_path(&format!("{name}.coredump"));
        std::fs::write(&path, contents).unwrap();
        let mut client = Client::in_process();
        client.request("initialize", json!({ "adapterID": "wasmscope", "pathFormat": "path" }));
        let mut launch = launch_args("c-O0");
        launch["coreDump"] = json!(path);
        let error = client.request_error("launch", launch);
        assert!(error.contains(expected) && !error.contains('\n'), "{name}: {error}");
        client.finish();
    }
    // A dump of one program opened with another.
    let mut client = Client::in_process();
    client.request("initialize", json!({ "adapterID": "wasmscope", "pathFormat": "path" }));
    let mut launch = launch_args("cpp-O0");
    launch["coreDump"] = json!(good);
    let error = client.request_error("launch", launch);
    assert!(error.contains("another build of the program") && !error.contains('\n'), "{error}");
    client.finish();
}

/// Evaluate, hover, read memory and disassembly of the top frames: what a
/// session on the live stop answers, the session on its dump answers.
fn inspections(client: &mut Client) -> Vec<Value> {
    let frames = client.request("stackTrace", json!({ "threadId": 1 }))["stackFrames"].as_array().unwrap().clone();
    let mut out = Vec::new();
    for frame in frames.iter().take(2) {
        for expression in
            ["depth", "argc", "argv[1]", "p", "*p", "depth * 2 + argc", "(long)p + 1", "g_config", "g_fib_calls"]
        {
            let reply = client
                .send("evaluate", json!({ "expression": expression, "frameId": frame["id"], "context": "hover" }));
            let reply = client.response(reply);
            out.push(json!([expression, reply["success"], reply["body"]["result"], reply["message"]]));
        }
        let pointer = frame["instructionPointerReference"].clone();
        let code = client.request(
            "disassemble",
            json!({ "memoryReference": pointer, "instructionOffset": -3, "instructionCount": 8 }),
        );
        out.push(code["instructions"].clone());
    }
    let stack_pointer = client.request("evaluate", json!({ "expression": "$global0", "context": "repl" }));
    let address = stack_pointer["result"].as_str().unwrap().to_owned();
    let memory = client.request("readMemory", json!({ "memoryReference": address, "count": 64 }));
    out.push(memory["data"].clone());
    out
}

#[test]
fn evaluate_memory_and_disassembly_of_a_coredump_answer_as_the_live_stop() {
    let path = dump_path("inspect-c-O0.coredump");
    let mut client = Client::in_process();
    let mut launch = launch_args("c-O0");
    launch["args"] = json!(["trap-oob"]);
    launch["coreDumpOnTrap"] = json!(path);
    start(&mut client, launch);
    client.request("setExceptionBreakpoints", json!({ "filters": ["trap"] }));
    client.request("configurationDone", json!({}));
    client.event("stopped");
    let live = inspections(&mut client);
    client.finish();
    let evaluated = live.iter().filter(|i| i[1] == true).count();
    assert!(evaluated >= 7, "the live stop evaluated: {live:?}");
    let (mut client, _) = opened(&path, None);
    let post_mortem = inspections(&mut client);
    assert_eq!(post_mortem, live);
    let error = client.request_error("writeMemory", json!({ "memoryReference": "0x1000", "data": "AAAA" }));
    assert!(!error.is_empty());
    client.finish();
}
