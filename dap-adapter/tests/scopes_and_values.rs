//! Scopes and values of the C guest at -O0 through the DAP server: lexical
//! blocks, the Globals and Wasm scopes, a value that cannot be read, and
//! setting a pointer. Expected values come from the guest's source.

#![allow(clippy::unwrap_used)]

mod client;

use client::{Client, launch_args, marker_line, source_path, start};
use serde_json::{Value, json};

fn stopped_at_line(args: Value, line: u32) -> Client {
    let mut client = Client::in_process();
    let mut launch = launch_args("c-O0");
    launch["args"] = args;
    start(&mut client, launch);
    let set = client.request(
        "setBreakpoints",
        json!({ "source": { "path": source_path("c/main.c") }, "breakpoints": [{ "line": line }] }),
    );
    assert_eq!(set["breakpoints"][0]["verified"], true, "{set}");
    client.request("configurationDone", json!({}));
    assert_eq!(client.event("stopped")["body"]["reason"], "breakpoint");
    client
}

/// The scope named `name` of the top frame: (name, value, reference) rows.
fn scope(client: &mut Client, name: &str) -> Vec<(String, String, Value)> {
    let trace = client.request("stackTrace", json!({ "threadId": 1 }));
    let scopes = client.request("scopes", json!({ "frameId": trace["stackFrames"][0]["id"] }));
    let found = scopes["scopes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no {name} scope"))
        .clone();
    rows(client, &found["variablesReference"])
}

fn rows(client: &mut Client, reference: &Value) -> Vec<(String, String, Value)> {
    let variables = client.request("variables", json!({ "variablesReference": reference }));
    variables["variables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["name"].as_str().unwrap().to_owned(),
                v["value"].as_str().unwrap().to_owned(),
                v["variablesReference"].clone(),
            )
        })
        .collect()
}

fn value_of<'a>(rows: &'a [(String, String, Value)], name: &str) -> Option<&'a str> {
    rows.iter().find(|r| r.0 == name).map(|r| r.1.as_str())
}

/// The line of main.c holding `text` (once).
fn line_with(text: &str) -> u32 {
    let source = std::fs::read_to_string(source_path("c/main.c")).unwrap();
    let found: Vec<usize> = source.lines().enumerate().filter(|(_, l)| l.contains(text)).map(|(i, _)| i + 1).collect();
    assert_eq!(found.len(), 1, "{text}");
    found[0] as u32
}

#[test]
fn scopes_follow_lexical_blocks_and_show_globals_and_the_wasm_state() {
    let mut client = stopped_at_line(json!([]), marker_line("c/main.c", "after_struct_init"));
    let locals = scope(&mut client, "Locals");
    assert_eq!(value_of(&locals, "depth"), Some("10"));
    assert!(value_of(&locals, "shapes").is_some() && value_of(&locals, "biggest").is_some());
    assert_eq!(value_of(&locals, "i"), None, "the loop's `i` is not in scope before the loop");
    // fib(10) makes 177 calls (the guest prints the count); the label is
    // still its initializer.
    let globals = scope(&mut client, "Globals");
    assert_eq!(value_of(&globals, "g_fib_calls"), Some("177"));
    assert!(value_of(&globals, "g_last_label").unwrap().ends_with("\"none\""), "{globals:?}");
    assert!(value_of(&globals, "g_config").unwrap().contains("anchor = {x = 7, y = -3}"), "{globals:?}");
    // A global the linker dropped is not in the program: not listed (its
    // DWARF address is the tombstone 0xffffffff).
    assert_eq!(value_of(&globals, "g_dropped_by_the_linker"), None, "{globals:?}");
    let wasm = scope(&mut client, "Wasm");
    assert!(value_of(&wasm, "local0").is_some());
    let stack_pointer: u32 =
        value_of(&wasm, "__stack_pointer").expect("the module's global by its name").parse().unwrap();
    assert!(stack_pointer > 0);
    // The Wasm scope is expensive (clients fetch it when opened), and each of
    // its values has an evaluate name the expression language gives back.
    let trace = client.request("stackTrace", json!({ "threadId": 1 }));
    let frame_id = trace["stackFrames"][0]["id"].clone();
    let scopes = client.request("scopes", json!({ "frameId": frame_id }));
    let wasm_scope = scopes["scopes"].as_array().unwrap().iter().find(|s| s["name"] == "Wasm").unwrap().clone();
    assert_eq!(wasm_scope["expensive"], true);
    let raw = client.request("variables", json!({ "variablesReference": wasm_scope["variablesReference"] }));
    let raw = raw["variables"].as_array().unwrap();
    assert!(raw.iter().any(|v| v["evaluateName"] == "$global0"), "{raw:?}");
    for variable in raw.iter().filter(|v| v["type"] == "i32" || v["type"] == "i64") {
        let name = variable["evaluateName"].as_str().unwrap();
        assert!(name.starts_with('$'), "{variable}");
        let evaluated =
            client.request("evaluate", json!({ "expression": name, "frameId": frame_id, "context": "watch" }));
        assert_eq!(evaluated["result"], variable["value"], "{name}");
    }
    let sum =
        client.request("evaluate", json!({ "expression": "$local0 + 1", "frameId": frame_id, "context": "watch" }));
    let local0: i64 = value_of(&wasm, "local0").unwrap().parse().unwrap();
    assert_eq!(sum["result"], (local0 + 1).to_string());

    let in_loop = line_with("if (shape_area(&shapes[i]) > shape_area(biggest))");
    client.request(
        "setBreakpoints",
        json!({ "source": { "path": source_path("c/main.c") }, "breakpoints": [{ "line": in_loop }] }),
    );
    client.request("continue", json!({ "threadId": 1 }));
    assert_eq!(client.event("stopped")["body"]["reason"], "breakpoint");
    let locals = scope(&mut client, "Locals");
    assert_eq!(value_of(&locals, "i"), Some("1"), "inside the loop's block, `i` is (starting at 1)");
    client.finish();
}

#[test]
fn a_value_that_cannot_be_read_shows_an_error_in_its_place() {
    // trap_oob's `p` points far past linear memory (0xFFFFFFF0).
    let mut client = stopped_at_line(json!(["trap-oob"]), marker_line("c/main.c", "trap_oob"));
    let locals = scope(&mut client, "Locals");
    let (_, value, reference) = locals.iter().find(|r| r.0 == "p").unwrap().clone();
    assert_eq!(value, "0xfffffff0");
    let target = rows(&mut client, &reference);
    assert_eq!(target.len(), 1);
    assert!(target[0].1.starts_with("<error"), "the pointee cannot be read: {target:?}");
    let trace = client.request("stackTrace", json!({ "threadId": 1 }));
    assert_eq!(trace["stackFrames"][0]["name"], "trap_oob", "the session goes on");
    client.finish();
}

#[test]
fn setting_a_pointer_changes_where_the_program_goes() {
    // list_sum walks n1 (10) -> n2 (20) -> n3 (30): "list sum 60". Pointing
    // `p` at the second node on the first visit skips the first: 50.
    let mut client = stopped_at_line(json!([]), marker_line("c/main.c", "list_walk"));
    let trace = client.request("stackTrace", json!({ "threadId": 1 }));
    let frame = trace["stackFrames"][0]["id"].clone();
    let next = client.request("evaluate", json!({ "expression": "p->next", "frameId": frame, "context": "watch" }));
    let next = next["result"].as_str().unwrap().to_owned();
    let locals = client.request("scopes", json!({ "frameId": frame }))["scopes"][0]["variablesReference"].clone();
    let error =
        client.request_error("setVariable", json!({ "variablesReference": locals, "name": "p", "value": "nonsense" }));
    assert!(!error.is_empty());
    let set = client.request("setVariable", json!({ "variablesReference": locals, "name": "p", "value": next }));
    assert_eq!(set["value"], next.as_str());
    client.request("setBreakpoints", json!({ "source": { "path": source_path("c/main.c") }, "breakpoints": [] }));
    client.request("continue", json!({ "threadId": 1 }));
    assert_eq!(client.event("exited")["body"]["exitCode"], 0);
    let stdout = client.output("stdout");
    assert!(stdout.contains("list sum 50,"), "{stdout}");
    client.finish();
}

#[test]
fn instruction_steps_move_one_instruction_at_a_time() {
    // At -O0 the code at a statement's start is straight-line (local.get,
    // i32.const, …): each instruction step lands on the next instruction
    // the disassembly lists.
    let mut client = stopped_at_line(json!([]), marker_line("c/main.c", "after_struct_init"));
    let pc = |client: &mut Client| {
        let trace = client.request("stackTrace", json!({ "threadId": 1 }));
        trace["stackFrames"][0]["instructionPointerReference"].as_str().unwrap().to_owned()
    };
    let start = pc(&mut client);
    let code = client.request("disassemble", json!({ "memoryReference": start, "instructionCount": 4 }));
    let listed: Vec<String> =
        code["instructions"].as_array().unwrap().iter().map(|i| i["address"].as_str().unwrap().to_owned()).collect();
    let mut visited = vec![start];
    for _ in 0..3 {
        client.request("next", json!({ "threadId": 1, "granularity": "instruction" }));
        assert_eq!(client.event("stopped")["body"]["reason"], "step");
        visited.push(pc(&mut client));
    }
    assert_eq!(visited, listed, "one instruction per step");
    client.finish();
}
