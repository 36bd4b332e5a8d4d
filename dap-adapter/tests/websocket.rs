//! The WebSocket transport: one DAP message per text frame, sessions one
//! after another on one listener, every message valid against the schema.

#![allow(clippy::unwrap_used, clippy::needless_pass_by_value)]

mod client;

use client::{launch_args, marker_line, source_path};
use serde_json::json;
use tungstenite::Message;
use wasmscope_dap::transport::{Credentials, WebSocketListener};

const TOKEN: &str = "a-test-token-of-some-length";

fn listen() -> u16 {
    let credentials = Credentials::new(TOKEN, vec!["http://good.example".into()]).unwrap();
    let listener = WebSocketListener::bind(0, credentials).unwrap();
    let port = listener.port().unwrap();
    std::thread::spawn(move || listener.serve(&client::local_backend(wasmscope_dap::log::MessageLog::default())));
    port
}

/// A client of the listener on 127.0.0.1:`port`, with the token.
fn connect(port: u16) -> client::ws::WsClient {
    client::ws::WsClient::connect(local(port), TOKEN)
}

fn local(port: u16) -> std::net::SocketAddr {
    std::net::SocketAddr::from(([127, 0, 0, 1], port))
}

fn handshake(port: u16, token: Option<&str>, origin: Option<&str>) -> tungstenite::handshake::client::Request {
    client::ws::handshake(local(port), token, origin)
}

#[test]
fn a_breakpoint_session_over_websocket_then_a_second_session() {
    let port = listen();

    let mut client = connect(port);
    client.request("initialize", json!({ "adapterID": "wasmscope" }));
    client.request("launch", launch_args("c-O0"));
    client.event("initialized");
    let line = marker_line("c/main.c", "factorial_recurse");
    let set = client.request(
        "setBreakpoints",
        json!({ "source": { "path": source_path("c/main.c") }, "breakpoints": [{ "line": line }] }),
    );
    assert_eq!(set["breakpoints"][0]["verified"], true);
    client.request("configurationDone", json!({}));
    assert_eq!(client.event("stopped")["body"]["reason"], "breakpoint");
    let trace = client.request("stackTrace", json!({ "threadId": 1 }));
    assert_eq!(trace["stackFrames"][0]["line"], line);
    client.request("disconnect", json!({}));
    drop(client);

    // The listener takes the next session.
    let mut client = connect(port);
    client.request("initialize", json!({ "adapterID": "wasmscope" }));
    client.request("launch", launch_args("c-O0"));
    client.event("initialized");
    client.request("configurationDone", json!({}));
    assert_eq!(client.event("exited")["body"]["exitCode"], 0);
    client.request("disconnect", json!({}));
}

#[test]
fn handshakes_without_the_token_or_from_a_foreign_origin_are_refused_before_anything_runs() {
    let port = listen();
    let status = |token, origin| client::ws::handshake_status(local(port), token, origin);
    assert_eq!(status(None, None), 401);
    assert_eq!(status(Some("a-test-token-of-some-lengtH"), None), 401);
    assert_eq!(status(Some(TOKEN), Some("http://evil.example")), 403);
    assert_eq!(status(None, Some("http://evil.example")), 403);
    // The right token, from no web page or from an allowed one.
    let mut client = connect(port);
    client.request("initialize", json!({ "adapterID": "wasmscope" }));
    // While that session lasts, a second client is told so and closed.
    let (mut second, _) = tungstenite::connect(handshake(port, Some(TOKEN), Some("http://good.example"))).unwrap();
    second
        .send(Message::text(
            json!({ "seq": 1, "type": "request", "command": "initialize", "arguments": {} }).to_string(),
        ))
        .unwrap();
    let mut texts = Vec::new();
    while let Ok(message) = second.read() {
        if let Message::Text(text) = message {
            texts.push(text.to_string());
        }
    }
    assert!(texts.iter().any(|t| t.contains(r#""success":false"#) && t.contains("another client")), "{texts:?}");
    client.request("disconnect", json!({}));
}

#[test]
fn a_connection_that_never_speaks_blocks_nobody_and_is_closed_after_the_deadline() {
    use std::io::Read as _;
    use wasmscope_dap::transport::FIRST_MESSAGE_DEADLINE;
    let port = listen();
    let started = std::time::Instant::now();
    let mut idle = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    // While it idles, a real client is served at once.
    let mut client = connect(port);
    client.request("initialize", json!({ "adapterID": "wasmscope" }));
    client.request("disconnect", json!({}));
    assert!(started.elapsed() < FIRST_MESSAGE_DEADLINE, "the real client waited for the idle one");
    idle.set_read_timeout(Some(FIRST_MESSAGE_DEADLINE * 3)).unwrap();
    let mut buffer = [0u8; 64];
    let end = idle.read(&mut buffer);
    assert!(
        matches!(end, Ok(0)) || end.as_ref().is_err_and(|e| e.kind() == std::io::ErrorKind::ConnectionReset),
        "{end:?}"
    );
    assert!(started.elapsed() < FIRST_MESSAGE_DEADLINE * 2, "closed only after {:?}", started.elapsed());
}
