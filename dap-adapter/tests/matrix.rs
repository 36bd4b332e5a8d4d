//! The same session on every language at both optimization levels: a line
//! breakpoint, the stack, an expression over the stopped frame's values,
//! the disassembly around the stop, memory behind a pointer, and stepping
//! over, in and out. Each guest stops where its source fixes the values:
//! the first shape is a circle of radius 10 in C and C++; Rust's `frame`
//! is 640×480 and `parse_depth` returns `Ok(10)` without arguments. In a C++
//! member function a bare member name (`radius_`) is found through `this`.

#![allow(clippy::unwrap_used)]

mod client;

use client::{Client, launch_args, marker_line, source_path, start};
use serde_json::{Value, json};

struct Case {
    guest: &'static str,
    file: &'static str,
    marker: &'static str,
    /// (expression, its value)
    checks: &'static [(&'static str, &'static str)],
    /// An expression whose value is a pointer into linear memory.
    pointer: Option<&'static str>,
}

const CASES: &[Case] = &[
    Case {
        guest: "c-O0",
        file: "c/shapes.c",
        marker: "circle_area",
        checks: &[
            ("s->u.circle.radius", "10"),
            ("s->u.circle.radius * s->u.circle.radius", "100"),
            ("s->name", "\"circle\""),
        ],
        pointer: Some("s"),
    },
    Case {
        guest: "c-O2",
        file: "c/shapes.c",
        marker: "circle_area",
        checks: &[("s->u.circle.radius", "10"), ("r * 2", "20"), ("s->name", "\"circle\"")],
        pointer: Some("s"),
    },
    Case {
        guest: "cpp-O0",
        file: "cpp/geometry.cpp",
        marker: "circle_area",
        checks: &[("this->radius_", "10"), ("radius_ * 3", "30")],
        pointer: Some("this"),
    },
    Case {
        guest: "cpp-O2",
        file: "cpp/geometry.cpp",
        marker: "circle_area",
        checks: &[("this->radius_", "10"), ("radius_ * 3", "30")],
        pointer: Some("this"),
    },
    Case {
        guest: "rust-O0",
        file: "rust/main.rs",
        marker: "after_struct_init",
        checks: &[("frame.size.w * frame.size.h", "307200"), ("parsed", "Ok(10)"), ("depth", "10")],
        pointer: Some("&frame"),
    },
    Case {
        guest: "rust-O2",
        file: "rust/main.rs",
        marker: "after_struct_init",
        checks: &[("frame.size.w * frame.size.h", "307200"), ("parsed", "Ok(10)")],
        pointer: None,
    },
];

fn stack(client: &mut Client) -> Vec<Value> {
    client.request("stackTrace", json!({ "threadId": 1 }))["stackFrames"].as_array().unwrap().clone()
}

fn step(client: &mut Client, command: &str, guest: &str) -> Vec<Value> {
    client.request(command, json!({ "threadId": 1 }));
    let stopped = client.event("stopped");
    assert_eq!(stopped["body"]["reason"], "step", "{guest}: {command} stops as a step");
    stack(client)
}

fn run_case(case: &Case) {
    let guest = case.guest;
    let mut client = Client::in_process();
    start(&mut client, launch_args(guest));
    let line = marker_line(case.file, case.marker);
    let set = client.request(
        "setBreakpoints",
        json!({ "source": { "path": source_path(case.file) }, "breakpoints": [{ "line": line }] }),
    );
    let bound = &set["breakpoints"][0];
    assert_eq!(bound["verified"], true, "{guest}: {set}");
    client.request("configurationDone", json!({}));
    assert_eq!(client.event("stopped")["body"]["reason"], "breakpoint", "{guest}");
    // Later passes over the line would end the steps below as breakpoints.
    client.request("setBreakpoints", json!({ "source": { "path": source_path(case.file) }, "breakpoints": [] }));

    // The stack: the stop is on the bound line (the marker's, or the
    // next line with code, as the breakpoint response said).
    let frames = stack(&mut client);
    assert_eq!(frames[0]["line"], bound["line"], "{guest}: {}", frames[0]);
    assert!(frames.iter().all(|f| f["name"].as_str().is_some_and(|n| !n.is_empty())), "{guest}: every frame is named");
    let top = frames[0]["id"].clone();

    if guest.starts_with("cpp") {
        // Completions in a member function offer the members `this` reaches.
        let offered = client.request("completions", json!({ "frameId": top, "text": "rad", "column": 4 }));
        let labels: Vec<&str> =
            offered["targets"].as_array().unwrap().iter().map(|t| t["label"].as_str().unwrap()).collect();
        assert_eq!(labels, ["radius_"], "{guest}");
    }
    for (expression, expected) in case.checks {
        let result =
            client.request("evaluate", json!({ "expression": expression, "frameId": top, "context": "watch" }));
        assert_eq!(result["result"], *expected, "{guest}: {expression}");
    }

    // The disassembly around the stop, annotated with the stop's line.
    let pc = frames[0]["instructionPointerReference"].as_str().unwrap().to_owned();
    let code = client
        .request("disassemble", json!({ "memoryReference": pc, "instructionOffset": -4, "instructionCount": 12 }));
    let instructions = code["instructions"].as_array().unwrap();
    assert_eq!(instructions.len(), 12, "{guest}");
    assert_eq!(instructions[4]["address"], pc.as_str(), "{guest}: the window is placed at the stop");
    assert!(instructions.iter().any(|i| i["line"] == bound["line"]), "{guest}: source lines annotate the code");

    // Memory behind a pointer: what it reads is what the guest wrote.
    if let Some(pointer) = case.pointer {
        let value = client.request("evaluate", json!({ "expression": pointer, "frameId": top, "context": "watch" }));
        let reference = value["memoryReference"]
            .as_str()
            .unwrap_or_else(|| panic!("{guest}: {pointer} has a memory reference: {value}"));
        let memory = client.request("readMemory", json!({ "memoryReference": reference, "count": 16 }));
        assert_eq!(memory["address"], reference, "{guest}");
        assert!(!memory["data"].as_str().unwrap().is_empty(), "{guest}: 16 bytes read at {reference}");
    }

    // Stepping: over stays in the frame or returns from it; in goes no
    // higher; out returns to a caller.
    let depth = frames.len();
    let over = step(&mut client, "next", guest);
    assert!(over.len() <= depth, "{guest}: `next` never goes deeper");
    let into = step(&mut client, "stepIn", guest);
    assert!(!into.is_empty(), "{guest}");
    let out = step(&mut client, "stepOut", guest);
    assert!(out.len() < into.len() || out[0]["name"] != into[0]["name"], "{guest}: `stepOut` leaves the frame");
    client.finish();
}

#[test]
fn c_cpp_and_rust_at_o0_and_o2_through_one_session_script() {
    for case in CASES {
        run_case(case);
    }
}
