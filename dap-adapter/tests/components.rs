//! WASI preview2 command components through the DAP server: the fixture
//! guests wrapped with the WASI adapter debug like the modules they wrap.
//! The program's own core module (the one with DWARF) is what breakpoints,
//! stacks and variables use; the adapter's frames show without source.

#![allow(clippy::unwrap_used)]

mod client;

use client::{Client, launch_args, marker_line, source_path, start};
use serde_json::{Value, json};

fn stack(client: &mut Client) -> Vec<Value> {
    client.request("stackTrace", json!({ "threadId": 1 }))["stackFrames"].as_array().unwrap().clone()
}

fn local(client: &mut Client, frame_id: &Value, name: &str) -> String {
    let scopes = client.request("scopes", json!({ "frameId": frame_id }));
    let locals = scopes["scopes"].as_array().unwrap().iter().find(|s| s["name"] == "Locals").unwrap().clone();
    let variables = client.request("variables", json!({ "variablesReference": locals["variablesReference"] }));
    let found = variables["variables"].as_array().unwrap().iter().find(|v| v["name"] == name).cloned();
    found.unwrap_or_else(|| panic!("no local {name}"))["value"].as_str().unwrap().to_owned()
}

/// Runs a session on `guest` to its end: a breakpoint at factorial_base,
/// the stack and `n` there, one step over, then continue. Returns the
/// frames (name, line) of the stop and the program's stdout.
fn factorial_session(guest: &str) -> (Vec<(String, u64)>, String, String) {
    let mut client = Client::in_process();
    start(&mut client, launch_args(guest));
    let line = marker_line("c/main.c", "factorial_base");
    let set = client.request(
        "setBreakpoints",
        json!({ "source": { "path": source_path("c/main.c") }, "breakpoints": [{ "line": line }] }),
    );
    assert_eq!(set["breakpoints"][0]["verified"], true, "{guest}: {set}");
    client.request("configurationDone", json!({}));
    assert_eq!(client.event("stopped")["body"]["reason"], "breakpoint", "{guest}");
    let frames = stack(&mut client);
    let n = local(&mut client, &frames[0]["id"], "n");
    let shown = frames.iter().map(|f| (f["name"].as_str().unwrap().to_owned(), f["line"].as_u64().unwrap())).collect();
    client.request("setBreakpoints", json!({ "source": { "path": source_path("c/main.c") }, "breakpoints": [] }));
    client.request("next", json!({ "threadId": 1 }));
    assert_eq!(client.event("stopped")["body"]["reason"], "step", "{guest}");
    let after = stack(&mut client);
    assert_eq!(after[0]["name"], "factorial", "{guest}: still in factorial after a step over `return 1;`");
    client.request("continue", json!({ "threadId": 1 }));
    assert_eq!(client.event("exited")["body"]["exitCode"], 0, "{guest}");
    let stdout = client.output("stdout");
    client.finish();
    (shown, n, stdout)
}

#[test]
fn a_component_debugs_like_the_module_it_wraps() {
    let (module_frames, module_n, module_out) = factorial_session("c-O0");
    let (component_frames, component_n, component_out) = factorial_session("c-O0-component");
    assert_eq!(component_n, module_n);
    assert_eq!(component_out, module_out, "the guest's output streams through the preview2 streams too");
    // The program's frames are the module's; below `_start` come the
    // adapter's entry frames, without source.
    assert_eq!(&component_frames[..module_frames.len()], &module_frames[..]);
    let extra = &component_frames[module_frames.len()..];
    assert!(!extra.is_empty(), "the adapter's frames are shown: {component_frames:?}");
    assert!(extra.iter().all(|(_, line)| *line == 0), "adapter frames have no source line: {extra:?}");
}

#[test]
fn a_component_stops_on_entry_in_its_own_code_and_traps_with_the_kind() {
    let mut client = Client::in_process();
    let mut launch = launch_args("c-O0-component");
    launch["stopOnEntry"] = json!(true);
    launch["args"] = json!(["trap-oob"]);
    start(&mut client, launch);
    client.request("setExceptionBreakpoints", json!({ "filters": ["trap"] }));
    client.request("configurationDone", json!({}));
    assert_eq!(client.event("stopped")["body"]["reason"], "entry");
    // The first instruction of the program module, not of the adapter
    // that calls it: its frame has a code reference.
    let frames = stack(&mut client);
    assert!(frames[0]["instructionPointerReference"].is_string(), "{:?}", frames[0]);
    client.request("continue", json!({ "threadId": 1 }));
    let stopped = client.event("stopped");
    assert_eq!(stopped["body"]["reason"], "exception");
    assert!(stopped["body"]["description"].as_str().unwrap().contains("out-of-bounds memory access"), "{stopped}");
    let frames = stack(&mut client);
    assert_eq!(frames[0]["name"], "trap_oob");
    assert_eq!(frames[0]["line"], marker_line("c/main.c", "trap_oob"));
    client.request("continue", json!({ "threadId": 1 }));
    assert_ne!(client.event("exited")["body"]["exitCode"], 0);
    client.finish();
}
