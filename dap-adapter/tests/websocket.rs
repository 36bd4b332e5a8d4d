//! The WebSocket transport: one DAP message per text frame, sessions one
//! after another on one listener, every message valid against the schema.

#![allow(clippy::unwrap_used, clippy::needless_pass_by_value)]

mod client;

use client::{launch_args, marker_line, schema_problems, source_path};
use serde_json::{Value, json};
use tungstenite::Message;
use wasmscope_dap::transport::WebSocketListener;

type Socket = tungstenite::WebSocket<tungstenite::stream::MaybeTlsStream<std::net::TcpStream>>;

struct WsClient {
    socket: Socket,
    seq: i64,
    events: Vec<Value>,
}

impl WsClient {
    fn connect(port: u16) -> Self {
        let (socket, _) = tungstenite::connect(format!("ws://127.0.0.1:{port}")).unwrap();
        WsClient { socket, seq: 0, events: Vec::new() }
    }

    fn next(&mut self) -> Value {
        loop {
            match self.socket.read().unwrap() {
                Message::Text(text) => {
                    let message: Value = serde_json::from_str(&text).unwrap();
                    let problems = schema_problems(&message);
                    assert!(problems.is_empty(), "{problems:?}");
                    return message;
                }
                Message::Ping(_) | Message::Pong(_) => {}
                other => panic!("unexpected {other:?}"),
            }
        }
    }

    fn request(&mut self, command: &str, arguments: Value) -> Value {
        self.seq += 1;
        let message = json!({ "seq": self.seq, "type": "request", "command": command, "arguments": arguments });
        self.socket.send(Message::text(message.to_string())).unwrap();
        loop {
            let message = self.next();
            if message["type"] == "response" && message["request_seq"] == self.seq {
                assert_eq!(message["success"], true, "{message}");
                return message["body"].clone();
            }
            self.events.push(message);
        }
    }

    fn event(&mut self, name: &str) -> Value {
        if let Some(i) = self.events.iter().position(|e| e["event"] == name) {
            return self.events.remove(i);
        }
        loop {
            let message = self.next();
            if message["event"] == name {
                return message;
            }
            self.events.push(message);
        }
    }
}

#[test]
fn a_breakpoint_session_over_websocket_then_a_second_session() {
    let listener = WebSocketListener::bind(0).unwrap();
    let port = listener.port().unwrap();
    std::thread::spawn(move || listener.serve(&wasmscope_dap::log::MessageLog::default()));

    let mut client = WsClient::connect(port);
    client.request("initialize", json!({ "adapterID": "wasmscope" }));
    client.request("launch", launch_args("c-O0"));
    client.event("initialized");
    let line = marker_line("c/main.c", "factorial_recurse");
    let set = client.request("setBreakpoints", json!({ "source": { "path": source_path("c/main.c") }, "breakpoints": [{ "line": line }] }));
    assert_eq!(set["breakpoints"][0]["verified"], true);
    client.request("configurationDone", json!({}));
    assert_eq!(client.event("stopped")["body"]["reason"], "breakpoint");
    let trace = client.request("stackTrace", json!({ "threadId": 1 }));
    assert_eq!(trace["stackFrames"][0]["line"], line);
    client.request("disconnect", json!({}));
    drop(client);

    // The listener takes the next session.
    let mut client = WsClient::connect(port);
    client.request("initialize", json!({ "adapterID": "wasmscope" }));
    client.request("launch", launch_args("c-O0"));
    client.event("initialized");
    client.request("configurationDone", json!({}));
    assert_eq!(client.event("exited")["body"]["exitCode"], 0);
    client.request("disconnect", json!({}));
}
