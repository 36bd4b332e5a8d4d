//! The program compiles from `launch` on, before `configurationDone`, and
//! clients that show progress see it as DAP progress events.

#![allow(clippy::unwrap_used)]

mod client;

use client::{Client, launch_args, marker_line, source_path, start};
use serde_json::json;

#[test]
fn compilation_starts_at_launch_and_shows_as_progress() {
    let mut client = Client::in_process();
    client.request(
        "initialize",
        json!({ "adapterID": "wasmscope", "pathFormat": "path", "supportsProgressReporting": true }),
    );
    client.request("launch", launch_args("rust-O0"));
    let started = client.event("progressStart");
    let id = started["body"]["progressId"].clone();
    assert!(started["body"]["title"].as_str().unwrap().starts_with("Compiling rust-O0.wasm"), "{started}");
    assert!(started["body"]["message"].as_str().unwrap().contains("MB"), "{started}");
    client.event("initialized");
    // The code is compiled before the configuration is done: the
    // compilation started at `launch`.
    let ended = client.event("progressEnd");
    assert_eq!(ended["body"]["progressId"], id);
    assert!(ended["body"]["message"].as_str().unwrap().starts_with("compiled in "), "{ended}");
    let line = marker_line("rust/main.rs", "fib_base");
    let path = source_path("rust/main.rs");
    client.request("setBreakpoints", json!({ "source": { "path": path }, "breakpoints": [{ "line": line }] }));
    client.request("configurationDone", json!({}));
    assert_eq!(client.event("stopped")["body"]["reason"], "breakpoint");
    client.finish();
}

#[test]
fn clients_that_do_not_ask_for_progress_see_none() {
    let mut client = Client::in_process();
    start(&mut client, launch_args("c-O0"));
    client.request("configurationDone", json!({}));
    let events = client.events_until("terminated");
    let progress: Vec<_> = events.iter().filter(|e| e["event"].as_str().unwrap().starts_with("progress")).collect();
    assert!(progress.is_empty(), "{progress:?}");
    client.finish();
}
