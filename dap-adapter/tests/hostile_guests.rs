//! Guests that push the limits: recursion as deep as `wasmtime run` allows,
//! recursion until the stack runs out (and the stop that follows, where
//! Wasmtime cannot read the innermost frame), and output faster than the
//! client reads it.

#![allow(clippy::unwrap_used)]

mod client;

use std::io::Read as _;
use std::time::{Duration, Instant};

use client::{Client, launch_args, start};
use serde_json::{Value, json};

fn deep(args: &[&str], extra: Value) -> Value {
    let mut launch = launch_args("hostile-deep-O0");
    launch["args"] = json!(args);
    if let Value::Object(extra) = extra {
        launch.as_object_mut().unwrap().extend(extra);
    }
    launch
}

#[test]
fn recursion_that_runs_under_wasmtime_run_runs_under_the_debugger() {
    let mut client = Client::in_process();
    start(&mut client, deep(&["10000"], json!({})));
    client.request("configurationDone", json!({}));
    assert_eq!(client.event("exited")["body"]["exitCode"], 0, "{}", client.output("stderr"));
    assert!(client.output("stdout").contains("deep 10000 = 50005000"), "{}", client.output("stdout"));
    client.finish();
}

#[test]
fn a_breakpoint_on_the_first_line_of_an_endless_loop_body_fires_at_every_iteration() {
    // clang places that line at the `loop` opcode, which runs once; the
    // breakpoint goes inside the loop instead.
    let file = client::source_path("hostile/flood.c");
    let text = std::fs::read_to_string(&file).unwrap();
    let line = text.lines().position(|l| l.contains("printf(")).unwrap() + 1;
    let mut client = Client::in_process();
    start(&mut client, launch_args("hostile-flood-O0"));
    let set =
        client.request("setBreakpoints", json!({ "source": { "path": file }, "breakpoints": [{ "line": line }] }));
    assert_eq!(set["breakpoints"][0]["line"], line, "{set}");
    client.request("configurationDone", json!({}));
    for _ in 0..3 {
        assert_eq!(client.event("stopped")["body"]["reason"], "breakpoint");
        let trace = client.request("stackTrace", json!({ "threadId": 1, "levels": 1 }));
        assert_eq!(trace["stackFrames"][0]["line"], line, "{trace}");
        client.request("continue", json!({ "threadId": 1 }));
    }
    client.finish();
}

#[test]
fn max_wasm_stack_bounds_the_recursion() {
    // 64 KiB as `wasmtime run` counts it: 16 times that under the debugger
    // still holds far fewer than 10000 guest-debug frames.
    let mut client = Client::in_process();
    start(&mut client, deep(&["10000"], json!({ "maxWasmStack": "64K" })));
    client.request("configurationDone", json!({}));
    let stopped = client.event("stopped");
    assert_eq!(stopped["body"]["reason"], "exception", "{stopped}");
    assert!(stopped["body"]["text"].as_str().unwrap().contains("stack"), "{stopped}");
    client.finish();
    let mut client = Client::in_process();
    let error = client.request_error("launch", deep(&[], json!({ "maxWasmStack": "lots" })));
    assert!(error.contains("maxWasmStack"), "{error}");
}

#[test]
fn a_stop_where_the_stack_ran_out_shows_the_stack_and_reads_what_can_be_read() {
    let mut client = Client::in_process();
    start(&mut client, deep(&["10000000"], json!({})));
    client.request("configurationDone", json!({}));
    let stopped = client.event("stopped");
    assert_eq!(stopped["body"]["reason"], "exception", "{stopped}");
    let trace = client.request("stackTrace", json!({ "threadId": 1, "levels": 3 }));
    let frames = trace["stackFrames"].as_array().unwrap();
    assert!(trace["totalFrames"].as_u64().unwrap() > 10_000, "{}", trace["totalFrames"]);
    for frame in frames {
        assert!(frame["name"].as_str().unwrap().contains("depth"), "{frame}");
        assert!(frame["source"]["path"].as_str().unwrap().ends_with("deep.c"), "{frame}");
    }
    // The innermost call never stored its locals: an error in their place,
    // not a dead adapter. Its caller's are there.
    let innermost = frames[0]["id"].clone();
    for scope in client.request("scopes", json!({ "frameId": innermost }))["scopes"].as_array().unwrap() {
        let seq = client.send("variables", json!({ "variablesReference": scope["variablesReference"] }));
        let response = client.response(seq);
        let text = response.to_string();
        let empty = response["body"]["variables"].as_array().is_some_and(Vec::is_empty);
        assert!(response["success"] == false || text.contains("stack ran out") || empty, "{text}");
        if scope["name"] == "Locals" {
            assert!(text.contains("stack ran out"), "the locals say why they cannot be read: {text}");
        }
    }
    let caller = frames[1]["id"].clone();
    let scopes = client.request("scopes", json!({ "frameId": caller }));
    let locals =
        client.request("variables", json!({ "variablesReference": scopes["scopes"][0]["variablesReference"] }));
    let n = locals["variables"].as_array().unwrap().iter().find(|v| v["name"] == "n").unwrap();
    assert!(n["value"].as_str().unwrap().parse::<i64>().is_ok(), "{n}");
    let evaluated = client.request("evaluate", json!({ "expression": "n + 1", "frameId": caller, "context": "watch" }));
    assert!(evaluated["result"].as_str().unwrap().parse::<i64>().is_ok(), "{evaluated}");
    client.request("threads", json!({}));
    client.finish();
}

#[test]
fn a_guest_flooding_a_client_that_does_not_read_waits_and_pause_still_works() {
    // The server writes to a pipe nobody reads for a while: the guest must
    // wait in its writes rather than the server queueing without end.
    let (mut from_server, server_out) = std::io::pipe().unwrap();
    let (server_in, to_server) = std::io::pipe().unwrap();
    let (client_in, mut relay) = std::io::pipe().unwrap();
    let server = std::thread::spawn(move || {
        wasmscope_dap::serve(server_in, server_out, client::local_backend(wasmscope_dap::log::MessageLog::default()))
    });
    let reading = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let relayed = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    {
        let (reading, relayed) = (reading.clone(), relayed.clone());
        std::thread::spawn(move || {
            let mut buffer = vec![0u8; 64 * 1024];
            loop {
                while !reading.load(std::sync::atomic::Ordering::SeqCst) {
                    std::thread::sleep(Duration::from_millis(10));
                }
                match from_server.read(&mut buffer) {
                    Ok(0) | Err(_) => return,
                    Ok(n) => {
                        relayed.fetch_add(n, std::sync::atomic::Ordering::SeqCst);
                        if std::io::Write::write_all(&mut relay, &buffer[..n]).is_err() {
                            return;
                        }
                    }
                }
            }
        });
    }
    let mut client = Client::over(client_in, to_server);
    start(&mut client, launch_args("hostile-flood-O0"));
    client.request("configurationDone", json!({}));
    client.event("output");
    // Stop reading: the guest goes on printing only until the bound.
    reading.store(false, std::sync::atomic::Ordering::SeqCst);
    std::thread::sleep(Duration::from_millis(300));
    let stalled_at = relayed.load(std::sync::atomic::Ordering::SeqCst);
    let pause = client.send("pause", json!({ "threadId": 1 }));
    std::thread::sleep(Duration::from_secs(2));
    let rss_before = resident_bytes();
    std::thread::sleep(Duration::from_secs(2));
    let grown = resident_bytes().saturating_sub(rss_before);
    assert!(grown < 8 << 20, "the server grew by {grown} bytes in 2 s while the client did not read");
    // Read again: what was held back arrives in order, then the pause.
    reading.store(true, std::sync::atomic::Ordering::SeqCst);
    let started = Instant::now();
    assert_eq!(client.response(pause)["success"], true);
    let stopped = client.event("stopped");
    assert_eq!(stopped["body"]["reason"], "pause", "{stopped}");
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(relayed.load(std::sync::atomic::Ordering::SeqCst) > stalled_at);
    // Every line printed arrived, in order: nothing was dropped.
    let printed = client.output("stdout");
    let numbers: Vec<u64> = printed
        .lines()
        .filter_map(|l| l.split_whitespace().nth(1).and_then(|n| n.trim_end_matches(':').parse().ok()))
        .collect();
    assert!(numbers.len() > 100, "{}", numbers.len());
    assert!(numbers.windows(2).all(|w| w[1] == w[0] + 1), "a line went missing");
    client.request("disconnect", json!({ "terminateDebuggee": true }));
    drop(client);
    server.join().unwrap();
}

/// This process's resident memory (the server runs in it).
fn resident_bytes() -> usize {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let kb: usize = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap();
    kb * 1024
}
