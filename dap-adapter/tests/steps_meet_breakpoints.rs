//! A step that runs into one of the client's breakpoints in a callee judges
//! it as a run would: a logpoint prints and the step goes on, a false
//! condition is passed, a true one stops the step there. A step that ends
//! on a line with a breakpoint judges it too: the stop is the breakpoint's
//! only if the breakpoint would have stopped a run.

#![allow(clippy::unwrap_used)]

mod client;

use client::{Client, launch_args, marker_line, source_path, start};
use serde_json::{Value, json};

/// Stops at the first `factorial_recurse` (factorial(10), called by main),
/// leaves only `base` set on `factorial_base` (the recursion's end) and
/// steps over the line; the stack's depth where the step began.
fn stepping_over_the_recursion(base: Value) -> (Client, usize) {
    let mut client = stopped_at_then_only("factorial_recurse", base, marker_line("c/main.c", "factorial_base"));
    let (depth, _) = position(&mut client);
    client.request("next", json!({ "threadId": 1 }));
    (client, depth)
}

/// Stopped at `marker` of c/main.c (c-O0), with only `breakpoint` left
/// set, at `line`.
fn stopped_at_then_only(marker: &str, mut breakpoint: Value, line: u32) -> Client {
    let mut client = Client::in_process();
    start(&mut client, launch_args("c-O0"));
    let path = source_path("c/main.c");
    let at = marker_line("c/main.c", marker);
    client.request("setBreakpoints", json!({ "source": { "path": path }, "breakpoints": [{ "line": at }] }));
    client.request("configurationDone", json!({}));
    assert_eq!(client.event("stopped")["body"]["reason"], "breakpoint");
    breakpoint["line"] = json!(line);
    client.request("setBreakpoints", json!({ "source": { "path": path }, "breakpoints": [breakpoint] }));
    client
}

/// The number of frames and the top frame's line.
fn position(client: &mut Client) -> (usize, u64) {
    let stack = client.request("stackTrace", json!({ "threadId": 1 }));
    let frames = stack["stackFrames"].as_array().unwrap();
    (frames.len(), frames[0]["line"].as_u64().unwrap())
}

#[test]
fn a_logpoint_in_a_callee_prints_and_the_step_goes_on() {
    let (mut client, start_depth) = stepping_over_the_recursion(json!({ "logMessage": "base reached with n={n}" }));
    let stopped = client.event("stopped");
    assert_eq!(stopped["body"]["reason"], "step", "{stopped}");
    let (depth, line) = position(&mut client);
    assert!(depth <= start_depth, "the step ends in factorial(10) or its caller, not deeper ({depth} frames)");
    assert_ne!(line, u64::from(marker_line("c/main.c", "factorial_base")));
    assert!(client.output("console").contains("base reached with n=1"), "{}", client.output("console"));
    client.finish();
}

#[test]
fn a_false_condition_in_a_callee_does_not_stop_the_step() {
    let (mut client, start_depth) = stepping_over_the_recursion(json!({ "condition": "n == 100" }));
    assert_eq!(client.event("stopped")["body"]["reason"], "step");
    assert!(position(&mut client).0 <= start_depth);
    client.finish();
}

#[test]
fn a_true_condition_in_a_callee_stops_the_step_there() {
    let (mut client, start_depth) = stepping_over_the_recursion(json!({ "condition": "n == 1" }));
    assert_eq!(client.event("stopped")["body"]["reason"], "breakpoint");
    let (depth, line) = position(&mut client);
    assert_eq!(line, u64::from(marker_line("c/main.c", "factorial_base")));
    assert!(depth > start_depth, "stopped in the innermost factorial ({depth} frames)");
    client.finish();
}

/// Stops at `after_struct_init` in main (c-O0), leaves only `breakpoint`
/// set, on the next line (the loop's head, where `next` ends), and steps
/// over; the `stopped` event's body.
fn stepping_onto(breakpoint: Value) -> (Client, Value) {
    let line = marker_line("c/main.c", "after_struct_init");
    let mut client = stopped_at_then_only("after_struct_init", breakpoint, line + 1);
    client.request("next", json!({ "threadId": 1 }));
    let stopped = client.event("stopped")["body"].clone();
    assert_eq!(position(&mut client).1, u64::from(line + 1), "the step ends on the next line");
    (client, stopped)
}

#[test]
fn a_step_that_ends_on_a_logpoint_prints_it_and_is_a_step() {
    let (client, stopped) = stepping_onto(json!({ "logMessage": "loop head, depth={depth}" }));
    assert_eq!(stopped["reason"], "step", "{stopped}");
    assert!(stopped.get("hitBreakpointIds").is_none(), "{stopped}");
    assert!(client.output("console").contains("loop head, depth=10"), "{}", client.output("console"));
    client.finish();
}

#[test]
fn a_step_that_ends_on_a_false_condition_is_a_step_and_on_a_breakpoint_its_hit() {
    let (client, stopped) = stepping_onto(json!({ "condition": "depth == 3" }));
    assert_eq!(stopped["reason"], "step", "{stopped}");
    assert!(stopped.get("hitBreakpointIds").is_none(), "{stopped}");
    client.finish();
    let (client, stopped) = stepping_onto(json!({}));
    assert_eq!(stopped["reason"], "breakpoint", "{stopped}");
    assert_eq!(stopped["hitBreakpointIds"].as_array().map(Vec::len), Some(1), "{stopped}");
    client.finish();
}
