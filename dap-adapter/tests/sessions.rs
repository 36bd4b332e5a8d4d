//! Scripted DAP sessions against the real server and the fixture guests:
//! every request and event the server offers, each message checked
//! against the published DAP schema. Breakpoint lines come from the
//! `// BP:` markers in the guests' sources.

#![allow(clippy::unwrap_used, clippy::needless_pass_by_value)]

mod client;

use client::{Client, launch_args, marker_line, source_path, start};
use serde_json::{Value, json};

fn set_line_breakpoints(client: &mut Client, file: &str, breakpoints: Value) -> Value {
    client.request("setBreakpoints", json!({ "source": { "path": source_path(file) }, "breakpoints": breakpoints }))
}

/// The top frame's id, name and line at the current stop.
fn top_frame(client: &mut Client) -> (i64, String, u32) {
    let trace = client.request("stackTrace", json!({ "threadId": 1 }));
    let frame = &trace["stackFrames"][0];
    (frame["id"].as_i64().unwrap(), frame["name"].as_str().unwrap().to_owned(), frame["line"].as_u64().unwrap() as u32)
}

/// name → value of the Locals scope of `frame_id`.
fn locals(client: &mut Client, frame_id: i64) -> Vec<(String, String, i64)> {
    let scopes = client.request("scopes", json!({ "frameId": frame_id }));
    let locals =
        scopes["scopes"].as_array().unwrap().iter().find(|s| s["name"] == "Locals").expect("a Locals scope").clone();
    let variables = client.request("variables", json!({ "variablesReference": locals["variablesReference"] }));
    variables["variables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["name"].as_str().unwrap().to_owned(),
                v["value"].as_str().unwrap().to_owned(),
                v["variablesReference"].as_i64().unwrap(),
            )
        })
        .collect()
}

fn local(client: &mut Client, frame_id: i64, name: &str) -> String {
    locals(client, frame_id).into_iter().find(|(n, _, _)| n == name).unwrap_or_else(|| panic!("no local {name}")).1
}

#[test]
fn a_breakpoint_session_from_launch_to_exit() {
    let mut client = Client::in_process();
    let capabilities = start(&mut client, launch_args("c-O0"));
    assert_eq!(capabilities["supportsConfigurationDoneRequest"], true);
    assert!(capabilities.get("supportsDataBreakpoints").is_none(), "not implemented, so not announced");
    let module = client.event("module");
    assert_eq!(module["body"]["module"]["symbolStatus"], "DWARF loaded");

    let line = marker_line("c/main.c", "factorial_recurse");
    let set = set_line_breakpoints(&mut client, "c/main.c", json!([{ "line": line }]));
    let breakpoint = &set["breakpoints"][0];
    assert_eq!(breakpoint["verified"], true, "{set}");
    assert_eq!(breakpoint["line"], line);
    client.request("configurationDone", json!({}));

    let stopped = client.event("stopped");
    assert_eq!(stopped["body"]["reason"], "breakpoint");
    assert_eq!(stopped["body"]["hitBreakpointIds"], json!([breakpoint["id"]]));
    let threads = client.request("threads", json!({}));
    assert_eq!(threads["threads"][0]["id"], 1);

    let trace = client.request("stackTrace", json!({ "threadId": 1 }));
    let frames = trace["stackFrames"].as_array().unwrap();
    assert_eq!(frames[0]["name"], "factorial");
    assert_eq!(frames[0]["line"], line);
    let path = frames[0]["source"]["path"].as_str().unwrap();
    assert_eq!(path, source_path("c/main.c"), "the recorded /wasmscope path mapped back by sourceMap");
    assert!(frames[0]["instructionPointerReference"].as_str().unwrap().starts_with("0x"));
    assert!(frames.iter().any(|f| f["name"] == "main"), "main is on the stack");
    assert_eq!(trace["totalFrames"].as_u64().unwrap() as usize, frames.len());
    // Paging: the second frame alone.
    let page = client.request("stackTrace", json!({ "threadId": 1, "startFrame": 1, "levels": 1 }));
    assert_eq!(page["stackFrames"].as_array().unwrap().len(), 1);
    assert_eq!(page["stackFrames"][0]["id"], frames[1]["id"]);

    let top = frames[0]["id"].as_i64().unwrap();
    assert_eq!(local(&mut client, top, "n"), "10");
    let scopes = client.request("scopes", json!({ "frameId": top }));
    assert_eq!(
        scopes,
        client.request("scopes", json!({ "frameId": top })),
        "a frame's scopes keep their ids within a stop"
    );
    let evaluated = client.request("evaluate", json!({ "expression": "n * 2", "frameId": top, "context": "watch" }));
    assert_eq!(evaluated["result"], "20");
    let error =
        client.request_error("evaluate", json!({ "expression": "nosuch + 1", "frameId": top, "context": "hover" }));
    assert!(error.contains("nosuch"), "{error}");

    // Continue: the next recursion level.
    client.request("continue", json!({ "threadId": 1 }));
    client.event("stopped");
    let (top, _, _) = top_frame(&mut client);
    assert_eq!(local(&mut client, top, "n"), "9");

    // Steps: over (to another line or a caller), in, out.
    client.request("setBreakpoints", json!({ "source": { "path": source_path("c/main.c") }, "breakpoints": [] }));
    client.request("stepIn", json!({ "threadId": 1 }));
    let stopped = client.event("stopped");
    assert_eq!(stopped["body"]["reason"], "step");
    let (_, name, _) = top_frame(&mut client);
    assert_eq!(name, "factorial", "stepping into factorial(n - 1)");
    client.request("stepOut", json!({ "threadId": 1 }));
    assert_eq!(client.event("stopped")["body"]["reason"], "step");
    let (_, name, out_line) = top_frame(&mut client);
    assert_eq!((name.as_str(), out_line), ("factorial", line), "back in the caller, on the recursive line");
    client.request("next", json!({ "threadId": 1 }));
    assert_eq!(client.event("stopped")["body"]["reason"], "step");
    let (_, _, next_line) = top_frame(&mut client);
    assert_ne!(next_line, 0);

    // To the end: output, exit code, terminated.
    client.request("continue", json!({ "threadId": 1 }));
    let exited = client.event("exited");
    assert_eq!(exited["body"]["exitCode"], 0);
    client.event("terminated");
    assert!(client.output("stdout").contains("factorial = 3628800"), "{}", client.output("stdout"));
    client.finish();
}

#[test]
fn conditions_hit_counts_and_logpoints_are_judged_in_the_guest() {
    let mut client = Client::in_process();
    start(&mut client, launch_args("c-O0"));
    let line = marker_line("c/main.c", "factorial_recurse");
    let base = marker_line("c/main.c", "factorial_base");
    // The 3rd pass over the recursive line is factorial(8).
    set_line_breakpoints(
        &mut client,
        "c/main.c",
        json!([{ "line": line, "hitCondition": "3" }, { "line": base, "logMessage": "base case n={n}" }]),
    );
    client.request("configurationDone", json!({}));
    client.event("stopped");
    let (top, _, _) = top_frame(&mut client);
    assert_eq!(local(&mut client, top, "n"), "8");

    // Now a condition: only the n == 3 pass stops.
    set_line_breakpoints(
        &mut client,
        "c/main.c",
        json!([{ "line": line, "condition": "n == 3" }, { "line": base, "logMessage": "base case n={n}" }]),
    );
    client.request("continue", json!({ "threadId": 1 }));
    client.event("stopped");
    let (top, _, _) = top_frame(&mut client);
    assert_eq!(local(&mut client, top, "n"), "3");
    assert!(!client.output("console").contains("base case"), "the base case is not reached yet");

    client.request("continue", json!({ "threadId": 1 }));
    client.event("exited");
    // The logpoint printed once, without stopping, before the program's
    // own line about the result.
    let events = client.history.clone();
    let log = events.iter().position(|e| e["body"]["output"] == "base case n=1\n").expect("the logpoint's line");
    let result =
        events.iter().position(|e| e["body"]["output"].as_str().is_some_and(|o| o.contains("factorial = "))).unwrap();
    assert!(log < result, "log lines stay in order with the program's output");
    assert_eq!(client.output("console").matches("base case").count(), 1);

    // A hit condition that is not one is refused with the reason.
    let error = client.request_error(
        "setBreakpoints",
        json!({ "source": { "path": source_path("c/main.c") }, "breakpoints": [{ "line": line, "hitCondition": "often" }] }),
    );
    assert!(error.contains("`often`"), "{error}");
    client.finish();
}

/// A line of `file` without code of its own, inside a function: a breakpoint
/// there moves to the next line with code (found by the symbols layer, which
/// `wasmscope lines` and llvm-dwarfdump tests check).
fn first_line_that_moves(guest: &str, file: &str) -> u32 {
    use wasmscope_debugger::symbols::{LoadOptions, WasmSymbols, bind_line};
    let symbols = WasmSymbols::load(&wasmscope_test_support::guest(guest), &LoadOptions::default()).unwrap();
    let module = symbols.program().unwrap();
    (1..2000)
        .find(|&line| bind_line(module, file, line, &[]).ok().flatten().is_some_and(|b| b.moved()))
        .expect("a line that moves")
}

#[test]
fn every_line_breakpoint_answer_carries_a_line_clients_can_match() {
    // nvim-dap and others match answers to their breakpoints by line.
    let mut client = Client::in_process();
    start(&mut client, launch_args("c-O0"));
    let blank = first_line_that_moves("c-O0", "main.c");
    let set = set_line_breakpoints(&mut client, "c/main.c", json!([{ "line": blank }, { "line": 99999 }]));
    let entries = set["breakpoints"].as_array().unwrap();
    assert!(entries.iter().all(|b| b["line"].is_u64()), "{set}");
    // Moved: the line it binds to, and says so.
    assert_eq!(entries[0]["verified"], true, "{set}");
    assert!(entries[0]["line"].as_u64().unwrap() > u64::from(blank), "{set}");
    assert!(entries[0]["message"].as_str().unwrap().contains("moved"), "{set}");
    // Not bound: the line asked for; "failed", not "pending": the loaded
    // program will not change until a rebuild.
    assert_eq!(entries[1]["verified"], false, "{set}");
    assert_eq!(entries[1]["line"], 99999, "{set}");
    assert_eq!(entries[1]["reason"], "failed", "{set}");
    // Sources are announced when a stack first shows them, not at launch.
    client.request("configurationDone", json!({}));
    client.event("stopped");
    client.request("stackTrace", json!({ "threadId": 1 }));
    let announced = client.event("loadedSource");
    assert_eq!(announced["body"]["source"]["path"], source_path("c/main.c"), "{announced}");
    client.finish();
}

#[test]
fn a_pause_always_shows_a_source_line() {
    // At -O2 many instructions have no line (line 0); a pause that lands on
    // one runs on to the next that has one, so the client sees source.
    let mut client = Client::in_process();
    let mut launch = launch_args("hotspots-O2");
    launch["args"] = json!(["100000000"]);
    start(&mut client, launch);
    client.request("configurationDone", json!({}));
    // Let it get into its loops (a pause while it still compiles stops at
    // its first instruction, in crt1).
    std::thread::sleep(std::time::Duration::from_millis(500));
    let mut in_the_loops = 0;
    for _ in 0..15 {
        std::thread::sleep(std::time::Duration::from_millis(20));
        client.request("pause", json!({ "threadId": 1 }));
        let stopped = client.event("stopped");
        assert_eq!(stopped["body"]["reason"], "pause", "{stopped}");
        let trace = client.request("stackTrace", json!({ "threadId": 1, "levels": 1 }));
        let frame = &trace["stackFrames"][0];
        assert!(frame["line"].as_u64().unwrap() > 0, "paused without a line: {frame}");
        assert!(frame["source"]["path"].is_string(), "paused without a source: {frame}");
        in_the_loops += usize::from(frame["source"]["path"].as_str().unwrap().ends_with("hotspots.c"));
        client.request("continue", json!({ "threadId": 1 }));
    }
    assert!(in_the_loops >= 10, "only {in_the_loops} of 15 pauses in hotspots.c's loops");
    client.finish();
}

#[test]
fn function_breakpoints_entry_stops_and_pause() {
    let mut client = Client::in_process();
    let mut launch = launch_args("c-O0");
    launch["stopOnEntry"] = json!(true);
    start(&mut client, launch);
    let set = client.request(
        "setFunctionBreakpoints",
        json!({ "breakpoints": [{ "name": "fib" }, { "name": "no_such_function" }] }),
    );
    assert_eq!(set["breakpoints"][0]["verified"], true);
    assert_eq!(set["breakpoints"][1]["verified"], false);
    assert!(set["breakpoints"][1]["message"].as_str().unwrap().contains("no_such_function"));
    client.request("configurationDone", json!({}));
    assert_eq!(client.event("stopped")["body"]["reason"], "entry");
    client.request("continue", json!({ "threadId": 1 }));
    let stopped = client.event("stopped");
    assert_eq!(stopped["body"]["reason"], "breakpoint");
    let (_, name, _) = top_frame(&mut client);
    assert_eq!(name, "fib");

    // Pause a running program: clear the breakpoint, run the long loop.
    client.request("setFunctionBreakpoints", json!({ "breakpoints": [] }));
    client.request("continue", json!({ "threadId": 1 }));
    let error = client.request_error("stackTrace", json!({ "threadId": 1 }));
    // Either still running (the expected case) or already ended.
    assert!(error.contains("running") || error.contains("not running"), "{error}");
    client.finish();
}

#[test]
fn traps_stop_with_their_kind_and_exception_info() {
    let mut client = Client::in_process();
    let mut launch = launch_args("c-O0");
    launch["args"] = json!(["trap-oob"]);
    start(&mut client, launch);
    client.request("setExceptionBreakpoints", json!({ "filters": ["trap"] }));
    let error = client.request_error("setExceptionBreakpoints", json!({ "filters": ["c++"] }));
    assert!(error.contains("`c++`"), "{error}");
    client.request("setExceptionBreakpoints", json!({ "filters": ["trap"] }));
    client.request("configurationDone", json!({}));
    let stopped = client.event("stopped");
    assert_eq!(stopped["body"]["reason"], "exception");
    assert!(stopped["body"]["description"].as_str().unwrap().contains("out-of-bounds memory access"), "{stopped}");
    let info = client.request("exceptionInfo", json!({ "threadId": 1 }));
    assert_eq!(info["breakMode"], "always");
    let (_, name, line) = top_frame(&mut client);
    assert_eq!((name.as_str(), line), ("trap_oob", marker_line("c/main.c", "trap_oob")));
    client.request("continue", json!({ "threadId": 1 }));
    let exited = client.event("exited");
    assert_ne!(exited["body"]["exitCode"], 0);
    assert!(client.output("stderr").contains("trapped"), "{}", client.output("stderr"));
    client.finish();
}

#[test]
fn values_are_set_read_as_memory_and_disassembled() {
    let mut client = Client::in_process();
    start(&mut client, launch_args("c-O0"));
    let line = marker_line("c/main.c", "after_struct_init");
    set_line_breakpoints(&mut client, "c/main.c", json!([{ "line": line }]));
    client.request("configurationDone", json!({}));
    client.event("stopped");
    let (top, name, _) = top_frame(&mut client);
    assert_eq!(name, "main");

    // Open shapes → [1] → name.
    let all = locals(&mut client, top);
    let (_, _, shapes_ref) = all.iter().find(|(n, _, _)| n == "shapes").unwrap().clone();
    assert!(shapes_ref > 0);
    let elements = client.request("variables", json!({ "variablesReference": shapes_ref }));
    let elements = elements["variables"].as_array().unwrap();
    assert_eq!(elements.len(), 3);
    assert_eq!(elements[1]["name"], "[1]");
    let members = client.request("variables", json!({ "variablesReference": elements[1]["variablesReference"] }));
    let kind = members["variables"].as_array().unwrap().iter().find(|m| m["name"] == "kind").unwrap().clone();
    assert_eq!(kind["value"], "SHAPE_RECT");
    // Paging of children.
    let page = client.request("variables", json!({ "variablesReference": shapes_ref, "start": 2, "count": 1 }));
    assert_eq!(page["variables"][0]["name"], "[2]");

    // setVariable on a local; the program then prints the new value.
    let locals_ref = scopes_locals(&mut client, top);
    let set =
        client.request("setVariable", json!({ "variablesReference": locals_ref, "name": "depth", "value": "3 + 4" }));
    assert_eq!(set["value"], "7");
    assert_eq!(client.event("memory")["body"]["count"], 4);
    let error = client
        .request_error("setVariable", json!({ "variablesReference": locals_ref, "name": "depth", "value": "nosuch" }));
    assert!(error.contains("nosuch"), "{error}");
    // setExpression on a member.
    let set = client.request("setExpression", json!({ "expression": "shapes[1].kind", "value": "1", "frameId": top }));
    assert_eq!(set["value"], "SHAPE_CIRCLE");

    // readMemory at the variable's memory reference; writeMemory back.
    let depth = client.request("evaluate", json!({ "expression": "depth", "frameId": top, "context": "repl" }));
    let reference = depth["memoryReference"].as_str().unwrap().to_owned();
    let memory = client.request("readMemory", json!({ "memoryReference": reference, "count": 4 }));
    assert_eq!(memory["data"], "BwAAAA==", "7 as little-endian i32, base64");
    let written = client.request("writeMemory", json!({ "memoryReference": reference, "data": "CAAAAA==" }));
    assert_eq!(written["bytesWritten"], 4);
    assert_eq!(client.request("evaluate", json!({ "expression": "depth", "frameId": top }))["result"], "8");
    let beyond = client.request("readMemory", json!({ "memoryReference": "0xfffffff0", "count": 64 }));
    assert_eq!(beyond["unreadableBytes"], 64);

    // Disassembly around the frame's instruction pointer.
    let trace = client.request("stackTrace", json!({ "threadId": 1 }));
    let pointer = trace["stackFrames"][0]["instructionPointerReference"].as_str().unwrap().to_owned();
    let code = client
        .request("disassemble", json!({ "memoryReference": pointer, "instructionOffset": -5, "instructionCount": 20 }));
    let instructions = code["instructions"].as_array().unwrap();
    assert_eq!(instructions.len(), 20);
    assert_eq!(instructions[5]["address"], pointer.as_str(), "the window is placed at the reference");
    assert!(instructions.iter().any(|i| i["line"] == line), "source lines annotate the instructions");

    // Completions and the Wasm scope.
    let completions = client.request("completions", json!({ "frameId": top, "text": "sha", "column": 4 }));
    assert!(completions["targets"].as_array().unwrap().iter().any(|t| t["label"] == "shapes"));
    // After `.` and `->`: the members of the value before it.
    let labels = |client: &mut Client, text: &str| -> Vec<String> {
        let column = text.chars().count() + 1;
        let offered = client.request("completions", json!({ "frameId": top, "text": text, "column": column }));
        offered["targets"].as_array().unwrap().iter().map(|t| t["label"].as_str().unwrap().to_owned()).collect()
    };
    assert_eq!(labels(&mut client, "shapes[1]."), ["kind", "name", "u"]);
    assert_eq!(labels(&mut client, "shapes[1].u.rect.w"), ["width"]);
    assert_eq!(labels(&mut client, "1 + (&shapes[0])->u.circle.r"), ["radius"]);
    assert_eq!(labels(&mut client, "g_config.anchor."), ["x", "y"]);
    assert!(labels(&mut client, "nosuch.").is_empty(), "no members of what cannot be evaluated");
    assert!(labels(&mut client, "depth.").is_empty(), "an int has none");
    let scopes = client.request("scopes", json!({ "frameId": top }));
    let wasm = scopes["scopes"].as_array().unwrap().iter().find(|s| s["name"] == "Wasm").unwrap().clone();
    let raw = client.request("variables", json!({ "variablesReference": wasm["variablesReference"] }));
    assert!(raw["variables"].as_array().unwrap().iter().any(|v| v["name"] == "local0" && v["type"] == "i32"));
    client.request("continue", json!({ "threadId": 1 }));
    client.event("exited");
    let stdout = client.output("stdout");
    assert!(stdout.contains("fib(10)"), "{stdout}");
    client.finish();
}

fn scopes_locals(client: &mut Client, frame_id: i64) -> i64 {
    let scopes = client.request("scopes", json!({ "frameId": frame_id }));
    scopes["scopes"][0]["variablesReference"].as_i64().unwrap()
}

#[test]
fn sources_modules_locations_and_instruction_breakpoints() {
    let mut client = Client::in_process();
    start(&mut client, launch_args("c-O0"));
    let sources = client.request("loadedSources", json!({}));
    let main = source_path("c/main.c");
    assert!(sources["sources"].as_array().unwrap().iter().any(|s| s["path"] == main.as_str()), "{sources}");
    let modules = client.request("modules", json!({}));
    assert_eq!(modules["modules"][0]["name"], "c-O0.wasm");
    let text = client.request("source", json!({ "source": { "path": main }, "sourceReference": 0 }));
    assert!(text["content"].as_str().unwrap().contains("BP: factorial_recurse"));
    // Only files the DWARF names are served, however the path is spelled.
    for other in
        ["/etc/hostname", "/etc/passwd", &format!("{main}/../../../../../../etc/hostname"), env!("CARGO_MANIFEST_DIR")]
    {
        let error = client.request_error("source", json!({ "source": { "path": other }, "sourceReference": 0 }));
        assert!(error.contains("not a source file") || error.contains("cannot read"), "{other}: {error}");
    }
    let dotted = main.replace("/c/main.c", "/c/../c/main.c");
    let text = client.request("source", json!({ "source": { "path": dotted }, "sourceReference": 0 }));
    assert!(text["content"].as_str().unwrap().contains("BP: factorial_recurse"));
    let line = marker_line("c/main.c", "factorial_recurse");
    let locations =
        client.request("breakpointLocations", json!({ "source": { "path": main }, "line": line - 5, "endLine": line }));
    assert!(locations["breakpoints"].as_array().unwrap().iter().any(|l| l["line"] == line), "{locations}");

    // An instruction breakpoint at the address a line breakpoint reports.
    let set = set_line_breakpoints(&mut client, "c/main.c", json!([{ "line": line }]));
    let address = set["breakpoints"][0]["instructionReference"].as_str().unwrap().to_owned();
    set_line_breakpoints(&mut client, "c/main.c", json!([]));
    let set =
        client.request("setInstructionBreakpoints", json!({ "breakpoints": [{ "instructionReference": address }] }));
    assert_eq!(set["breakpoints"][0]["verified"], true);
    client.request("configurationDone", json!({}));
    let stopped = client.event("stopped");
    assert_eq!(stopped["body"]["hitBreakpointIds"], json!([set["breakpoints"][0]["id"]]));
    let (_, _, at) = top_frame(&mut client);
    assert_eq!(at, line);
    client.request("cancel", json!({ "requestId": 1 }));
    client.finish();
}

#[test]
fn restart_runs_the_program_again_with_its_breakpoints() {
    let mut client = Client::in_process();
    start(&mut client, launch_args("c-O0"));
    let line = marker_line("c/main.c", "main_end");
    set_line_breakpoints(&mut client, "c/main.c", json!([{ "line": line }]));
    client.request("configurationDone", json!({}));
    client.event("stopped");
    client.request("restart", json!({}));
    assert_eq!(client.event("continued")["body"]["threadId"], 1, "the new run runs without a continue");
    let stopped = client.event("stopped");
    assert_eq!(stopped["body"]["reason"], "breakpoint");
    let (_, _, at) = top_frame(&mut client);
    assert_eq!(at, line);
    client.request("terminate", json!({}));
    client.event("terminated");
    client.finish();
}

#[test]
fn bad_input_gets_clear_errors_and_the_session_goes_on() {
    let mut client = Client::in_process();
    // Not JSON, and no seq: dropped with a console notice.
    client.send_raw(b"{not json");
    let notice = client.event("output");
    assert!(notice["body"]["output"].as_str().unwrap().contains("dropped"), "{notice}");
    // A request without a command, with a seq: an error response.
    client.send_raw(br#"{"seq":77,"type":"request"}"#);
    let response = client.response(77);
    assert_eq!(response["success"], false);
    // Unknown command; bad arguments.
    assert!(client.request_error("frobnicate", json!({})).contains("does not support the `frobnicate`"));
    client.request("initialize", json!({ "adapterID": "wasmscope" }));
    assert!(client.request_error("setBreakpoints", json!({ "source": 5 })).contains("invalid arguments"));
    // Launch errors name the attribute.
    let error = client.request_error("launch", json!({ "progam": "x.wasm" }));
    assert!(error.contains("`progam`"), "{error}");
    let error = client.request_error("launch", json!({ "program": "/no/such.wasm" }));
    assert!(error.contains("`program`"), "{error}");
    let corrupt = std::env::temp_dir().join(format!("wasmscope-corrupt-{}.wasm", std::process::id()));
    std::fs::write(&corrupt, b"\0asm\x01\0\0\0\x01\xff\xff").unwrap();
    let error = client.request_error("launch", json!({ "program": corrupt }));
    assert!(error.contains("cannot load the program"), "{error}");
    std::fs::remove_file(&corrupt).unwrap();
    // Inspection without a program.
    assert!(client.request_error("stackTrace", json!({ "threadId": 1 })).contains("not running"));
    assert!(client.request_error("variables", json!({ "variablesReference": 99 })).contains("not valid"));
    // And the session still works.
    client.request("launch", launch_args("c-O0"));
    client.event("initialized");
    client.request("configurationDone", json!({}));
    assert_eq!(client.event("exited")["body"]["exitCode"], 0);
    client.finish();
}

#[test]
fn disconnect_while_paused_ends_the_guest_and_the_session() {
    let mut client = Client::in_process();
    let mut launch = launch_args("c-O0");
    launch["stopOnEntry"] = json!(true);
    start(&mut client, launch);
    client.request("configurationDone", json!({}));
    client.event("stopped");
    // `finish` disconnects with terminateDebuggee and waits for the server
    // (which waits for the guest's thread) to end.
    client.finish();
}

#[test]
fn an_oversized_message_is_dropped_and_the_next_one_answered() {
    let mut client = Client::in_process();
    let huge = vec![b' '; wasmscope_dap::codec::MAX_BODY + 1];
    client.send_raw(&huge);
    let notice = client.event("output");
    assert!(notice["body"]["output"].as_str().unwrap().contains("over the"), "{notice}");
    client.request("initialize", json!({ "adapterID": "wasmscope" }));
    client.finish();
}

#[test]
fn the_log_has_one_summary_per_message_and_no_payloads() {
    let path = std::env::temp_dir().join(format!("wasmscope-dap-log-{}.txt", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let mut client = Client::in_process_with_log(wasmscope_dap::log::MessageLog::to_file(&path).unwrap());
    start(&mut client, launch_args("c-O0"));
    client.request_error("evaluate", json!({ "expression": "secret_token_1234" }));
    client.finish();
    let log = std::fs::read_to_string(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    assert!(log.contains("-> request 2 `launch`"), "{log}");
    assert!(log.contains("`evaluate`: error"), "{log}");
    assert!(log.contains("event") && log.contains("`initialized`"), "{log}");
    assert!(!log.contains("secret_token_1234") && !log.contains("c-O0.wasm"), "payloads stay out of the log:\n{log}");
}

#[test]
fn step_in_targets_name_the_calls_of_the_line_and_step_into_the_chosen_one() {
    // `int r = ops[i].fn(a, b);` calls through a pointer (no static
    // target); main's `printf(..., checksum(values, 8), matrix_sum(grid))`
    // has direct calls: step into the second one.
    let mut client = Client::in_process();
    start(&mut client, launch_args("c-O0"));
    let text = std::fs::read_to_string(source_path("c/main.c")).unwrap();
    let line =
        text.lines().position(|l| l.contains("(unsigned)checksum(values, 8), matrix_sum(grid));")).unwrap() as u32 + 1;
    set_line_breakpoints(&mut client, "c/main.c", json!([{ "line": line }]));
    client.request("configurationDone", json!({}));
    client.event("stopped");
    let (top, _, _) = top_frame(&mut client);
    let targets = client.request("stepInTargets", json!({ "frameId": top }));
    let labels: Vec<&str> =
        targets["targets"].as_array().unwrap().iter().map(|t| t["label"].as_str().unwrap()).collect();
    assert!(labels.contains(&"checksum") && labels.contains(&"matrix_sum"), "{labels:?}");
    let matrix =
        targets["targets"].as_array().unwrap().iter().find(|t| t["label"] == "matrix_sum").unwrap()["id"].clone();
    set_line_breakpoints(&mut client, "c/main.c", json!([]));
    client.request("stepIn", json!({ "threadId": 1, "targetId": matrix }));
    assert_eq!(client.event("stopped")["body"]["reason"], "step");
    let (_, name, _) = top_frame(&mut client);
    assert_eq!(name, "matrix_sum", "checksum was stepped over");
    client.finish();
}

#[test]
fn pause_stops_a_running_program_where_it_is() {
    let mut client = Client::in_process();
    start(&mut client, launch_args("sleeper-O2"));
    client.request("configurationDone", json!({}));
    // Let it get going (four 100 ms sleeps around busy loops).
    std::thread::sleep(std::time::Duration::from_millis(250));
    client.request("pause", json!({ "threadId": 1 }));
    let stopped = client.event("stopped");
    assert_eq!(stopped["body"]["reason"], "pause");
    let trace = client.request("stackTrace", json!({ "threadId": 1 }));
    assert!(trace["stackFrames"].as_array().unwrap().iter().any(|f| f["name"] == "main"), "{trace}");
    client.request("continue", json!({ "threadId": 1 }));
    assert_eq!(client.event("exited")["body"]["exitCode"], 0);
    client.finish();
}

#[test]
fn restart_with_a_rebuilt_program_rebinds_breakpoints_and_says_so() {
    let mut client = Client::in_process();
    start(&mut client, launch_args("c-O0"));
    let line = marker_line("c/main.c", "factorial_recurse");
    let set = set_line_breakpoints(&mut client, "c/main.c", json!([{ "line": line }]));
    let id = set["breakpoints"][0]["id"].clone();
    let before = set["breakpoints"][0]["instructionReference"].clone();
    client.request("configurationDone", json!({}));
    client.event("stopped");
    // "Rebuilt" at -O2: the same line binds at other code.
    client.request("restart", json!({ "arguments": launch_args("c-O2") }));
    let changed = client.event("breakpoint");
    assert_eq!(changed["body"]["reason"], "changed");
    assert_eq!(changed["body"]["breakpoint"]["id"], id);
    assert_ne!(changed["body"]["breakpoint"]["instructionReference"], before);
    assert_eq!(client.event("stopped")["body"]["reason"], "breakpoint");
    client.finish();
}

#[test]
fn hit_conditions_at_least_and_every_nth() {
    // factorial(10) passes the recursive line with n = 10, 9, …, 2.
    let line = marker_line("c/main.c", "factorial_recurse");
    for (condition, expected) in [(">= 8", vec!["3", "2"]), ("% 4", vec!["7", "3"])] {
        let mut client = Client::in_process();
        start(&mut client, launch_args("c-O0"));
        set_line_breakpoints(&mut client, "c/main.c", json!([{ "line": line, "hitCondition": condition }]));
        client.request("configurationDone", json!({}));
        let mut seen = Vec::new();
        for _ in &expected {
            assert_eq!(client.event("stopped")["body"]["reason"], "breakpoint");
            let (top, _, _) = top_frame(&mut client);
            seen.push(local(&mut client, top, "n"));
            client.request("continue", json!({ "threadId": 1 }));
        }
        client.event("exited");
        let stops = client.history.iter().filter(|e| e["event"] == "stopped").count();
        assert_eq!(stops, expected.len(), "`{condition}`: no other stop");
        assert_eq!(seen, expected, "hitCondition `{condition}`");
        client.finish();
    }
}

#[test]
fn without_a_source_map_the_stack_opens_the_files_the_breakpoints_were_set_in() {
    // The guests record /wasmscope/... (their build root), which does not
    // exist here. A client with no sourceMap sets a breakpoint in its own
    // copy: it binds by the path's tail, and every frame of that tree
    // (main.c too, with no breakpoint) is shown at the client's path.
    let mut client = Client::in_process();
    let mut launch = launch_args("c-O0");
    launch.as_object_mut().unwrap().remove("sourceMap");
    start(&mut client, launch);
    let line = marker_line("c/shapes.c", "circle_area");
    let set = set_line_breakpoints(&mut client, "c/shapes.c", json!([{ "line": line }]));
    assert_eq!(set["breakpoints"][0]["verified"], true, "{set}");
    client.request("configurationDone", json!({}));
    client.event("stopped");
    let trace = client.request("stackTrace", json!({ "threadId": 1 }));
    let frames = trace["stackFrames"].as_array().unwrap();
    assert_eq!(frames[0]["source"]["path"], source_path("c/shapes.c").as_str(), "{trace}");
    assert_eq!(frames[0]["source"].get("presentationHint"), None, "the file exists: not dimmed");
    let main = frames.iter().find(|f| f["name"] == "main").unwrap();
    assert_eq!(main["source"]["path"], source_path("c/main.c").as_str());
    // The files served are still only those the DWARF names.
    let text = client.request("source", json!({ "source": { "path": source_path("c/main.c") }, "sourceReference": 0 }));
    assert!(text["content"].as_str().unwrap().contains("BP: factorial_recurse"));
    let error =
        client.request_error("source", json!({ "source": { "path": source_path("build.sh") }, "sourceReference": 0 }));
    assert!(error.contains("not a source file"), "{error}");
    client.finish();
}
