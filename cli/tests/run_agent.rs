//! `wasmscope run --debug-addr`: a long-running WASI command that a DAP
//! client attaches to over WebSocket (with the token) while it runs: its
//! breakpoints stop it, its variables are read, and when it leaves the
//! program goes on; a second client may attach after it, and end it.

#![allow(clippy::unwrap_used)]

#[path = "../../dap-adapter/tests/client/mod.rs"]
#[allow(unused_imports)]
mod client;

use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use client::ws::WsClient;
use serde_json::{Value, json};
use wasmscope_test_support::{guest, hotspots_light_work, marker, repo_root};

const TOKEN: &str = "run-agent-test-token-0123456789";

struct Running {
    child: Child,
    agent: SocketAddr,
    stdout: std::thread::JoinHandle<String>,
    dir: std::path::PathBuf,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// `wasmscope run --debug-addr` of the hotspots example for `rounds`
/// rounds (long enough to attach to), once its agent listens.
fn run_with_agent(rounds: &str) -> Running {
    let dir = std::env::temp_dir().join(format!("wasmscope-run-agent-{}-{rounds}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let token_file = dir.join("token");
    std::fs::write(&token_file, TOKEN).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_wasmscope"))
        .arg("run")
        .arg(guest("hotspots-O0"))
        .args(["--debug-addr", "127.0.0.1:0", "--token-file"])
        .arg(&token_file)
        .args(["--", rounds])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    let agent = loop {
        line.clear();
        assert!(stderr.read_line(&mut line).unwrap() > 0, "run ended before its agent listened");
        if let Some(at) = line.trim().strip_prefix("Debugging agent (DAP over WebSocket) at ws://") {
            break at.parse().unwrap();
        }
    };
    std::thread::spawn(move || std::io::copy(&mut stderr, &mut std::io::sink()));
    let mut out = child.stdout.take().unwrap();
    let stdout = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = out.read_to_string(&mut text);
        text
    });
    Running { child, agent, stdout, dir }
}

fn hotspots_line(name: &str) -> u32 {
    marker(&repo_root().join("examples/hotspots/hotspots.c"), name)
}

/// initialize and attach, a breakpoint at `round_end`, configurationDone.
fn attach_at_round_end(agent: &mut WsClient) {
    agent.request("initialize", json!({ "adapterID": "wasmscope", "linesStartAt1": true, "pathFormat": "path" }));
    agent.request("attach", json!({}));
    agent.event("initialized");
    let source = repo_root().join("examples/hotspots/hotspots.c");
    let set = agent.request(
        "setBreakpoints",
        json!({ "source": { "path": source }, "breakpoints": [{ "line": hotspots_line("round_end") }] }),
    );
    assert_eq!(set["breakpoints"][0]["verified"], true, "{set}");
    agent.request("configurationDone", json!({}));
}

fn evaluate(agent: &mut WsClient, frame: &Value, expression: &str) -> u32 {
    let body =
        agent.request("evaluate", json!({ "expression": expression, "frameId": frame["id"], "context": "watch" }));
    body["result"].as_str().unwrap().parse().unwrap()
}

#[test]
fn a_client_attaches_to_a_running_command_stops_it_reads_it_and_leaves_it_running() {
    let mut run = run_with_agent("100000000");
    // The program runs before anyone attaches.
    std::thread::sleep(Duration::from_millis(500));
    let mut agent = WsClient::connect(run.agent, TOKEN);
    attach_at_round_end(&mut agent);
    let stopped = agent.event("stopped")["body"].clone();
    assert_eq!(stopped["reason"], "breakpoint", "{stopped}");
    let thread = stopped["threadId"].clone();
    let stack = agent.request("stackTrace", json!({ "threadId": thread }));
    let top = stack["stackFrames"][0].clone();
    assert_eq!(top["name"], "run_round", "{stack}");
    assert_eq!(top["line"], hotspots_line("round_end"), "{stack}");
    let (a, b) = (evaluate(&mut agent, &top, "a"), evaluate(&mut agent, &top, "b"));
    assert_eq!(b, hotspots_light_work(a), "b is light_work(a)");
    // Leaving: the breakpoint goes, the program runs on.
    agent.request("disconnect", json!({}));
    drop(agent);
    std::thread::sleep(Duration::from_millis(300));
    assert!(run.child.try_wait().unwrap().is_none(), "the program ended when the client left");

    // A second client may attach, and end it.
    let mut second = WsClient::connect(run.agent, TOKEN);
    attach_at_round_end(&mut second);
    let stopped = second.event("stopped")["body"].clone();
    assert_eq!(stopped["reason"], "breakpoint", "{stopped}");
    second.request("disconnect", json!({ "terminateDebuggee": true }));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = run.child.try_wait().unwrap() {
            break status;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "the program did not end");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(!status.success(), "a program ended by the debugger is not a success");
}

/// Its output goes to run's own stdout (the C library flushes it at exit:
/// it is a pipe here).
#[test]
fn without_a_client_the_command_runs_to_its_end_with_its_status_and_output() {
    let mut run = run_with_agent("3");
    let status = run.child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    let stdout = std::mem::replace(&mut run.stdout, std::thread::spawn(String::new)).join().unwrap();
    assert!(stdout.contains("done: 3 rounds"), "{stdout}");
}
