//! The debugging agent of `wasmscope serve --debug-addr`: a DAP client
//! attaches over WebSocket with the token, and the requests that hit its
//! breakpoint stop, each on a thread of its own, while the others are
//! served; a wrong token, a foreign origin or plain HTTP gets nothing run;
//! after the client leaves, the server serves on.

#![allow(clippy::unwrap_used, clippy::needless_pass_by_value)]

#[path = "../../dap-adapter/tests/client/mod.rs"]
#[allow(unused_imports)]
mod client;

use std::io::{Read, Write};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

mod agent_server;

use agent_server::{Server, TOKEN, serve_with_agent, serve_with_agent_and, serve_with_agent_on};
use client::ws::{WsClient, handshake_status};
use serde_json::json;
use wasmscope_test_support::http;
use wasmscope_test_support::{guest, marker, repo_root};

/// A DAP client of the agent, with the token.
fn connect_agent(agent: SocketAddr) -> WsClient {
    WsClient::connect(agent, TOKEN)
}

/// The `thread` event of `reason` for `thread` (others are passed).
fn thread_event(agent: &mut WsClient, reason: &str, thread: i64) {
    loop {
        let event = agent.event("thread");
        if event["body"]["reason"] == reason && event["body"]["threadId"] == thread {
            return;
        }
    }
}

fn routes_line(name: &str) -> u32 {
    marker(&repo_root().join("examples/http-routes/routes.c"), name)
}

/// initialize, attach, a breakpoint at `hello_route`, configurationDone.
fn attach_with_breakpoint(agent: &mut WsClient) -> i64 {
    agent.request("initialize", json!({ "adapterID": "wasmscope", "linesStartAt1": true, "pathFormat": "path" }));
    agent.request("attach", json!({ "sourceMap": { "/wasmscope": repo_root() } }));
    agent.event("initialized");
    let source = repo_root().join("examples/http-routes/routes.c");
    let set = agent.request(
        "setBreakpoints",
        json!({ "source": { "path": source }, "breakpoints": [{ "line": routes_line("hello_route") }] }),
    );
    assert_eq!(set["breakpoints"][0]["verified"], true, "{set}");
    agent.request("configurationDone", json!({}));
    set["breakpoints"][0]["id"].as_i64().unwrap()
}

#[test]
fn only_the_requests_that_hit_a_breakpoint_stop_and_each_is_a_thread() {
    let server = serve_with_agent(&guest("http-routes-O0-component"));
    let mut agent = connect_agent(server.agent);
    let breakpoint = attach_with_breakpoint(&mut agent);

    let addr = server.http;
    let alice = std::thread::spawn(move || http::get(addr, "/hello/alice?x=1"));
    let started = agent.event("thread")["body"].clone();
    assert_eq!(started["reason"], "started");
    let stopped = agent.event("stopped")["body"].clone();
    assert_eq!(stopped["threadId"], started["threadId"]);
    assert_eq!((stopped["reason"].as_str(), stopped["allThreadsStopped"].as_bool()), (Some("breakpoint"), Some(false)));
    assert_eq!(stopped["hitBreakpointIds"], json!([breakpoint]));
    let thread = stopped["threadId"].as_i64().unwrap();
    let threads = agent.request("threads", json!({}));
    assert_eq!(threads["threads"], json!([{ "id": thread, "name": format!("GET /hello/alice #{thread}") }]));

    // Other routes are served while alice's request waits.
    let work = http::get(server.http, "/work/1000");
    assert_eq!(work.status, 200, "{}", work.text());

    // Its stack, variables and expressions.
    let trace = agent.request("stackTrace", json!({ "threadId": thread }));
    let top = &trace["stackFrames"][0];
    assert_eq!(
        (top["name"].as_str(), top["line"].as_u64()),
        (Some("route"), Some(u64::from(routes_line("hello_route"))))
    );
    let scopes = agent.request("scopes", json!({ "frameId": top["id"] }));
    let locals = scopes["scopes"][0]["variablesReference"].clone();
    let variables = agent.request("variables", json!({ "variablesReference": locals }));
    let path = variables["variables"].as_array().unwrap().iter().find(|v| v["name"] == "path").unwrap();
    assert!(path["value"].as_str().unwrap().contains("/hello/alice?x=1"), "{path}");
    let length = agent.request("evaluate", json!({ "expression": "length", "frameId": top["id"] }));
    assert_eq!(length["result"], "12", "the path without its query");

    // A step stays on the request's thread.
    agent.request("next", json!({ "threadId": thread }));
    let stepped = agent.event("stopped")["body"].clone();
    assert_eq!((stepped["reason"].as_str(), stepped["threadId"].as_i64()), (Some("step"), Some(thread)));
    let trace = agent.request("stackTrace", json!({ "threadId": thread, "levels": 1 }));
    assert_eq!(trace["stackFrames"][0]["line"].as_u64(), Some(u64::from(routes_line("hello_route") + 1)));

    agent.request("continue", json!({ "threadId": thread }));
    let response = alice.join().unwrap();
    assert_eq!((response.status, response.text()), (200, "Hello, alice!\n".to_owned()));
    // (The /work request ran under the debugger too, as another thread.)
    thread_event(&mut agent, "exited", thread);

    // A request that traps stops there (trap stops are on by default);
    // continued, it is answered 500 and the client hears why.
    let crash = std::thread::spawn(move || http::get(addr, "/crash"));
    let stopped = agent.event("stopped")["body"].clone();
    assert_eq!(stopped["reason"], "exception", "{stopped}");
    let crashed = stopped["threadId"].clone();
    let trace = agent.request("stackTrace", json!({ "threadId": crashed }));
    assert_eq!(trace["stackFrames"][0]["line"].as_u64(), Some(u64::from(routes_line("crash"))));
    agent.request("continue", json!({ "threadId": crashed }));
    assert_eq!(crash.join().unwrap().status, 500);
    let said = loop {
        let output = agent.event("output")["body"]["output"].as_str().unwrap().to_owned();
        if output.contains("trapped") {
            break output;
        }
    };
    assert!(said.contains("GET /crash") && said.contains("unreachable"), "{said}");
    assert!(said.contains(&format!("at route (routes.c:{})", routes_line("crash"))), "the trap's source line: {said}");

    // The client leaves; the server serves on, on the production engine.
    agent.request("disconnect", json!({}));
    let after = http::get(server.http, "/hello/bob");
    assert_eq!((after.status, after.text()), (200, "Hello, bob!\n".to_owned()));
}

#[test]
fn a_request_of_a_server_with_the_cli_interfaces_is_debugged_with_its_files() {
    let data = std::env::temp_dir().join(format!("wasmscope-agent-data-{}", std::process::id()));
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(data.join("note.txt"), "a note\n").unwrap();
    let dir = format!("{}::/data", data.display());
    let program = guest("http-routes-O0-cli-component");
    let server = serve_with_agent_and(&program, "127.0.0.1:0", false, &["--cli", "--dir", &dir]);
    let mut agent = connect_agent(server.agent);
    agent.request("initialize", json!({ "adapterID": "wasmscope", "linesStartAt1": true, "pathFormat": "path" }));
    agent.request("attach", json!({}));
    agent.event("initialized");
    let source = repo_root().join("examples/http-routes/routes.c");
    let set = agent.request(
        "setBreakpoints",
        json!({ "source": { "path": source }, "breakpoints": [{ "line": routes_line("file_read") }] }),
    );
    assert_eq!(set["breakpoints"][0]["verified"], true, "{set}");
    agent.request("configurationDone", json!({}));
    let addr = server.http;
    let reader = std::thread::spawn(move || http::get(addr, "/file/note.txt"));
    let stopped = agent.event("stopped")["body"].clone();
    let stack = agent.request("stackTrace", json!({ "threadId": stopped["threadId"] }));
    let top = stack["stackFrames"][0].clone();
    assert_eq!(
        (top["name"].as_str(), top["line"].as_u64()),
        (Some("file_route"), Some(u64::from(routes_line("file_read"))))
    );
    let path = agent.request("evaluate", json!({ "expression": "path", "frameId": top["id"], "context": "watch" }));
    assert!(path["result"].as_str().unwrap().contains("/data/note.txt"), "{path}");
    agent.request("continue", json!({ "threadId": stopped["threadId"] }));
    let response = reader.join().unwrap();
    assert_eq!((response.status, response.text()), (200, "a note\n".to_owned()));
    agent.request("disconnect", json!({}));
    let _ = std::fs::remove_dir_all(&data);
}

#[test]
fn a_client_that_vanishes_while_requests_are_paused_leaves_a_working_server() {
    let server = serve_with_agent(&guest("http-routes-O0-component"));
    let mut agent = connect_agent(server.agent);
    attach_with_breakpoint(&mut agent);
    let addr = server.http;
    let paused = std::thread::spawn(move || http::get(addr, "/hello/paused"));
    agent.event("stopped");
    drop(agent);
    let response = paused.join().unwrap();
    assert_eq!((response.status, response.text()), (200, "Hello, paused!\n".to_owned()));
    assert_eq!(http::get(server.http, "/hello/later").status, 200);
    // And a new client can attach.
    let mut again = connect_agent(server.agent);
    attach_with_breakpoint(&mut again);
}

#[test]
fn the_agent_runs_nothing_for_a_wrong_token_a_foreign_origin_or_plain_http() {
    let server = serve_with_agent(&guest("http-routes-O2-component"));
    let status = |token, origin| handshake_status(server.agent, token, origin);
    assert_eq!(status(None, None), 401);
    assert_eq!(status(Some("not-the-token-but-long-enough"), None), 401);
    assert_eq!(status(Some(TOKEN), Some("http://evil.example")), 403);
    let mut plain = std::net::TcpStream::connect(server.agent).unwrap();
    plain.write_all(b"GET / HTTP/1.1\r\nhost: x\r\n\r\n").unwrap();
    let mut answer = String::new();
    let _ = plain.read_to_string(&mut answer);
    assert!(!answer.contains("\"type\""), "no DAP for plain HTTP: {answer}");
    assert_eq!(http::get(server.http, "/hello/still").status, 200);
}

/// `wasmscope dap --connect` with the server's token, as an IDE starts it.
fn bridge(server: &Server, token_file: &Path) -> (Child, client::Client) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_wasmscope"))
        .args(["dap", "--connect", &format!("ws://{}", server.agent), "--token-file"])
        .arg(token_file)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let client = client::Client::over(child.stdout.take().unwrap(), child.stdin.take().unwrap());
    (child, client)
}

#[test]
fn an_ide_attaches_through_the_stdio_bridge() {
    let server = serve_with_agent(&guest("http-routes-O2-component"));
    let (mut child, mut ide) = bridge(&server, &server.dir.0.join("token"));
    ide.request(
        "initialize",
        json!({ "adapterID": "wasmscope", "pathFormat": "path", "supportsProgressReporting": true }),
    );
    ide.request(
        "attach",
        json!({ "connect": format!("ws://{}", server.agent), "sourceMap": { "/wasmscope": repo_root() } }),
    );
    ide.event("initialized");
    let source = repo_root().join("examples/http-routes/routes.c");
    // At -O2, greeting() is inlined into route(): the stop shows both.
    let line = routes_line("greeting");
    let set = ide.request("setBreakpoints", json!({ "source": { "path": source }, "breakpoints": [{ "line": line }] }));
    assert_eq!(set["breakpoints"][0]["verified"], true, "{set}");
    ide.request("configurationDone", json!({}));
    // Attaching compiles for guest debugging: the IDE shows it.
    assert_eq!(ide.event("progressStart")["body"]["title"], "Attaching");
    let end = ide.event("progressEnd")["body"]["message"].as_str().unwrap().to_owned();
    assert!(end.starts_with("attached in "), "{end}");
    let addr = server.http;
    let request = std::thread::spawn(move || http::get(addr, "/hello/inlined"));
    let thread = ide.event("stopped")["body"]["threadId"].clone();
    let trace = ide.request("stackTrace", json!({ "threadId": thread }));
    let names: Vec<&str> =
        trace["stackFrames"].as_array().unwrap().iter().map(|f| f["name"].as_str().unwrap()).collect();
    assert_eq!(names[..2], ["greeting [inlined]", "route"], "{names:?}");
    assert_eq!(trace["stackFrames"][0]["line"].as_u64(), Some(u64::from(line)));
    ide.request("continue", json!({ "threadId": thread }));
    assert_eq!(request.join().unwrap().text(), "Hello, inlined!\n");
    ide.request("disconnect", json!({}));
    ide.assert_schema_clean();
    let status = child.wait().unwrap();
    assert!(status.success(), "the bridge ends with the session: {status}");
}

#[test]
fn the_bridge_says_what_is_wrong_with_a_token_or_an_address() {
    let server = serve_with_agent(&guest("http-routes-O2-component"));
    let run = |url: String, token: &str| {
        let output = Command::new(env!("CARGO_BIN_EXE_wasmscope"))
            .args(["dap", "--connect", &url])
            .env("WASMSCOPE_TOKEN", token)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(!output.status.success());
        String::from_utf8_lossy(&output.stderr).into_owned()
    };
    let error = run(format!("ws://{}", server.agent), "a-wrong-token-that-is-long-enough");
    assert!(error.contains("refused the token (401)"), "{error}");
    let error = run(format!("ws://{}", server.http), TOKEN);
    assert!(error.contains("no debugging agent answered"), "{error}");
    let error = run("wss://127.0.0.1:1".into(), TOKEN);
    assert!(error.contains("cannot reach the agent"), "{error}");
    let error = run("http://x".into(), TOKEN);
    assert!(error.contains("not an agent address"), "{error}");
}

#[test]
fn of_twenty_concurrent_requests_exactly_those_that_hit_the_breakpoint_stop() {
    let server = serve_with_agent(&guest("http-routes-O0-component"));
    let mut agent = connect_agent(server.agent);
    agent.request("initialize", json!({ "adapterID": "wasmscope", "pathFormat": "path" }));
    agent.request("attach", json!({ "sourceMap": { "/wasmscope": repo_root() } }));
    agent.event("initialized");
    let source = repo_root().join("examples/http-routes/routes.c");
    let line = routes_line("work_route");
    agent.request("setBreakpoints", json!({ "source": { "path": source }, "breakpoints": [{ "line": line }] }));
    agent.request("configurationDone", json!({}));

    let addr = server.http;
    let paths: Vec<String> =
        (0..20).map(|i| if i % 4 == 0 { format!("/work/{}", 100 + i) } else { format!("/hello/c{i}") }).collect();
    let clients: Vec<_> =
        paths.iter().cloned().map(|path| std::thread::spawn(move || (path.clone(), http::get(addr, &path)))).collect();
    let mut stopped = Vec::new();
    while stopped.len() < 5 {
        let body = agent.event("stopped")["body"].clone();
        assert_eq!(body["allThreadsStopped"], false);
        stopped.push(body["threadId"].as_i64().unwrap());
    }
    // The other fifteen are answered while five wait.
    let (slow, fast): (Vec<_>, Vec<_>) = clients.into_iter().enumerate().partition(|(i, _)| i % 4 == 0);
    for (_, client) in fast {
        let (path, response) = client.join().unwrap();
        assert_eq!((response.status, response.text()), (200, format!("Hello, {}!\n", &path[7..])));
    }
    let threads = agent.request("threads", json!({}));
    let names: Vec<String> = threads["threads"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| stopped.contains(&t["id"].as_i64().unwrap()))
        .map(|t| t["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names.len(), 5, "{threads}");
    assert!(names.iter().all(|n| n.starts_with("GET /work/1")), "only the slow route stops: {names:?}");
    let mut stopped_sorted = stopped.clone();
    stopped_sorted.sort();
    stopped_sorted.dedup();
    assert_eq!(stopped_sorted.len(), 5, "each on its own thread");
    for thread in &stopped {
        let trace = agent.request("stackTrace", json!({ "threadId": thread, "levels": 1 }));
        assert_eq!(trace["stackFrames"][0]["line"].as_u64(), Some(u64::from(line)));
    }
    for thread in &stopped {
        agent.request("continue", json!({ "threadId": thread }));
    }
    for (_, client) in slow {
        let (path, response) = client.join().unwrap();
        let rounds = &path["/work/".len()..];
        assert_eq!(response.status, 200, "{path}: {}", response.text());
        assert!(response.text().starts_with(&format!("{rounds} rounds: ")), "{path}: {}", response.text());
    }

    // Detaching in the middle of a stream of requests loses none.
    let stream: Vec<_> = (0..30)
        .map(|i| {
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(i * 5));
                http::get(addr, &format!("/hello/late{i}"))
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(60));
    agent.request("disconnect", json!({}));
    for (i, client) in stream.into_iter().enumerate() {
        let response = client.join().unwrap();
        assert_eq!((response.status, response.text()), (200, format!("Hello, late{i}!\n")));
    }
}

#[test]
fn the_bridge_answers_the_ide_with_its_error_and_takes_lsp4ij_launches_as_attach() {
    let server = serve_with_agent(&guest("http-routes-O2-component"));
    // A wrong token: the IDE's first request gets the reason as its error.
    let mut child = Command::new(env!("CARGO_BIN_EXE_wasmscope"))
        .args(["dap", "--connect", &format!("ws://{}", server.agent)])
        .env("WASMSCOPE_TOKEN", "a-wrong-token-that-is-long-enough")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut ide = client::Client::over(child.stdout.take().unwrap(), child.stdin.take().unwrap());
    let error = ide.request_error("initialize", json!({ "adapterID": "wasmscope" }));
    assert!(error.contains("refused the token (401)"), "{error}");
    assert!(!child.wait().unwrap().success());

    // LSP4IJ starts adapters in launch mode and passes the configuration
    // through: a launch that says `"request": "attach"` attaches.
    let (mut child, mut ide) = bridge(&server, &server.dir.0.join("token"));
    ide.request("initialize", json!({ "adapterID": "wasmscope" }));
    let config = json!({
        "type": "wasmscope", "request": "attach", "name": "Attach", "noDebug": false,
        "connect": format!("ws://{}", server.agent), "sourceMap": { "/wasmscope": repo_root() },
    });
    ide.request("launch", config);
    ide.event("initialized");
    assert_eq!(ide.event("process")["body"]["startMethod"], "attach");
    ide.request("disconnect", json!({}));
    assert!(child.wait().unwrap().success());
}

#[test]
fn the_agent_refuses_an_address_other_than_loopback() {
    let output = Command::new(env!("CARGO_BIN_EXE_wasmscope"))
        .arg("serve")
        .arg(guest("http-routes-O2-component"))
        .args(["--addr", "127.0.0.1:0", "--debug-addr", "0.0.0.0:0"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let error = String::from_utf8_lossy(&output.stderr);
    assert!(error.contains("not a loopback address"), "{error}");
}

#[test]
fn over_tls_the_agent_is_reached_with_wss_and_a_trusted_certificate() {
    // Off loopback: TLS makes it allowed.
    let server = serve_with_agent_on(&guest("http-routes-O2-component"), "0.0.0.0:0", true);
    let (cert, port) = (server.dir.0.join("cert.pem"), server.agent.port());
    let bridge = |url: String, ca: Option<&Path>| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_wasmscope"));
        command.args(["dap", "--connect", &url]).env("WASMSCOPE_TOKEN", TOKEN);
        if let Some(ca) = ca {
            command.arg("--ca-file").arg(ca);
        }
        let mut child = command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        let ide = client::Client::over(child.stdout.take().unwrap(), child.stdin.take().unwrap());
        (child, ide)
    };
    // Trusting the agent's certificate: a session.
    let (mut child, mut ide) = bridge(format!("wss://127.0.0.1:{port}"), Some(&cert));
    ide.request("initialize", json!({ "adapterID": "wasmscope" }));
    ide.request("attach", json!({ "sourceMap": { "/wasmscope": repo_root() } }));
    ide.event("initialized");
    ide.request("configurationDone", json!({}));
    assert_eq!(http::get(server.http, "/hello/tls").text(), "Hello, tls!\n");
    ide.request("disconnect", json!({}));
    assert!(child.wait().unwrap().success());
    // Without trusting it, or without TLS: refused, with the reason.
    let (mut child, mut ide) = bridge(format!("wss://127.0.0.1:{port}"), None);
    let error = ide.request_error("initialize", json!({ "adapterID": "wasmscope" }));
    assert!(error.contains("TLS") && error.contains("certificate"), "{error}");
    assert!(!child.wait().unwrap().success());
    let (mut child, mut ide) = bridge(format!("ws://127.0.0.1:{port}"), None);
    let error = ide.request_error("initialize", json!({ "adapterID": "wasmscope" }));
    assert!(error.contains("no debugging agent answered"), "{error}");
    assert!(!child.wait().unwrap().success());
}
