//! A scripted DAP client over WebSocket (one message per text frame), for
//! the WebSocket transport and the agent of `wasmscope serve`: every
//! message it receives is checked against the DAP schema.

use std::net::SocketAddr;
use std::time::Duration;

use serde_json::{Value, json};
use tungstenite::Message;

/// The upgrade request, with a token and an `Origin` when given.
pub fn handshake(
    addr: SocketAddr,
    token: Option<&str>,
    origin: Option<&str>,
) -> tungstenite::handshake::client::Request {
    use tungstenite::client::IntoClientRequest as _;
    let mut request = format!("ws://{addr}").into_client_request().unwrap();
    if let Some(token) = token {
        request.headers_mut().insert("Authorization", format!("Bearer {token}").parse().unwrap());
    }
    if let Some(origin) = origin {
        request.headers_mut().insert("Origin", origin.parse().unwrap());
    }
    request
}

/// The HTTP status a handshake gets (101 when it is accepted).
pub fn handshake_status(addr: SocketAddr, token: Option<&str>, origin: Option<&str>) -> u16 {
    match tungstenite::connect(handshake(addr, token, origin)) {
        Ok(_) => 101,
        Err(tungstenite::Error::Http(response)) => response.status().as_u16(),
        Err(other) => panic!("{other}"),
    }
}

type Socket = tungstenite::WebSocket<tungstenite::stream::MaybeTlsStream<std::net::TcpStream>>;

pub struct WsClient {
    socket: Socket,
    seq: i64,
    /// Events received while waiting for something else.
    pub pending: Vec<Value>,
}

impl WsClient {
    pub fn connect(addr: SocketAddr, token: &str) -> Self {
        let (socket, _) = tungstenite::connect(handshake(addr, Some(token), None)).unwrap();
        if let tungstenite::stream::MaybeTlsStream::Plain(stream) = socket.get_ref() {
            stream.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        }
        WsClient { socket, seq: 0, pending: Vec::new() }
    }

    pub fn next(&mut self) -> Value {
        loop {
            match self.socket.read().unwrap() {
                Message::Text(text) => {
                    let message: Value = serde_json::from_str(&text).unwrap();
                    let problems = super::schema_problems(&message);
                    assert!(problems.is_empty(), "{problems:?}");
                    return message;
                }
                Message::Ping(_) | Message::Pong(_) => {}
                other => panic!("unexpected {other:?}"),
            }
        }
    }

    pub fn send(&mut self, command: &str, arguments: Value) -> i64 {
        self.seq += 1;
        let message = json!({ "seq": self.seq, "type": "request", "command": command, "arguments": arguments });
        self.socket.send(Message::text(message.to_string())).unwrap();
        self.seq
    }

    /// The response to request `seq`; events on the way are kept.
    pub fn response(&mut self, seq: i64) -> Value {
        loop {
            let message = self.next();
            if message["type"] == "response" && message["request_seq"] == seq {
                return message;
            }
            self.pending.push(message);
        }
    }

    /// Sends a request and returns its successful response's body.
    pub fn request(&mut self, command: &str, arguments: Value) -> Value {
        let seq = self.send(command, arguments);
        let response = self.response(seq);
        assert_eq!(response["success"], true, "{command}: {response}");
        response["body"].clone()
    }

    /// The next event named `name` (earlier ones of other names are kept).
    pub fn event(&mut self, name: &str) -> Value {
        if let Some(i) = self.pending.iter().position(|e| e["event"] == name) {
            return self.pending.remove(i);
        }
        loop {
            let message = self.next();
            if message["event"] == name {
                return message;
            }
            self.pending.push(message);
        }
    }
}
