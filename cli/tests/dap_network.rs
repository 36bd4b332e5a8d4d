//! `wasmscope dap --port` and `--ws-port` as a hostile web page or a second
//! client would meet them: nothing runs for a connection that has not sent
//! a DAP frame, an idle connection delays nobody and is closed, a second
//! client is told the port is busy, bad frames cost one frame.

#![allow(clippy::unwrap_used)]

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// Deadline for a first message, as the server has it (5 s), with slack.
const DEADLINE: Duration = Duration::from_secs(5);

struct Server {
    child: Child,
    port: u16,
    stdout_lines: Vec<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `wasmscope dap ARGS` and reads its stdout up to the line that
/// names the port.
fn start(args: &[&str]) -> Server {
    let child = Command::new(env!("CARGO_BIN_EXE_wasmscope"))
        .arg("dap")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Owned by the guard from here on: killed and waited for, panic or not.
    let mut server = Server { child, port: 0, stdout_lines: Vec::new() };
    let mut stdout = BufReader::new(server.child.stdout.take().unwrap());
    loop {
        let mut line = String::new();
        assert!(stdout.read_line(&mut line).unwrap() > 0, "no port line: {:?}", server.stdout_lines);
        let line = line.trim_end().to_owned();
        let port =
            line.rsplit_once(':').filter(|_| line.contains("listening at")).map(|(_, port)| port.parse().unwrap());
        server.stdout_lines.push(line);
        if let Some(port) = port {
            server.port = port;
            return server;
        }
    }
}

fn frame(message: &Value) -> Vec<u8> {
    let body = message.to_string();
    format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

fn request(seq: i64, command: &str) -> Value {
    json!({ "seq": seq, "type": "request", "command": command, "arguments": { "adapterID": "test" } })
}

/// Reads messages until `stop` accepts one or the stream ends; all of them.
fn read_until(stream: &mut TcpStream, stop: impl Fn(&Value) -> bool) -> Vec<Value> {
    stream.set_read_timeout(Some(DEADLINE * 2)).unwrap();
    let mut reader = wasmscope_dap::codec::FrameReader::new(stream.try_clone().unwrap());
    let mut messages = Vec::new();
    while let Ok(Some(body)) = reader.read_frame() {
        let message: Value = serde_json::from_slice(&body).unwrap();
        let done = stop(&message);
        messages.push(message);
        if done {
            break;
        }
    }
    messages
}

fn is_response_to(seq: i64) -> impl Fn(&Value) -> bool {
    move |m| m["type"] == "response" && m["request_seq"] == seq
}

/// Whether the server closed `stream` (end of stream or reset) within `within`.
fn closed_within(stream: &mut TcpStream, within: Duration) -> bool {
    stream.set_read_timeout(Some(within)).unwrap();
    let mut rest = Vec::new();
    match stream.read_to_end(&mut rest) {
        Ok(_) => rest.is_empty(),
        Err(e) => e.kind() == std::io::ErrorKind::ConnectionReset,
    }
}

#[test]
fn a_browser_post_carrying_dap_frames_runs_nothing_and_is_closed() {
    let server = start(&["--port", "0"]);
    let mut page = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    let body = frame(&request(1, "initialize"));
    let post = format!(
        "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    page.write_all(post.as_bytes()).unwrap();
    page.write_all(&body).unwrap();
    assert!(closed_within(&mut page, DEADLINE), "the server answered or kept the connection");
    // The server is still there for a real client.
    let mut client = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    client.write_all(&frame(&request(1, "initialize"))).unwrap();
    let messages = read_until(&mut client, is_response_to(1));
    assert_eq!(messages.last().unwrap()["success"], true, "{messages:?}");
}

#[test]
fn an_idle_connection_delays_nobody_and_a_second_client_hears_the_port_is_busy() {
    let server = start(&["--port", "0"]);
    let started = Instant::now();
    let mut idle = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    let mut first = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    first.write_all(&frame(&request(1, "initialize"))).unwrap();
    let messages = read_until(&mut first, is_response_to(1));
    assert_eq!(messages.last().unwrap()["success"], true, "{messages:?}");
    assert!(started.elapsed() < DEADLINE, "the first client waited for the idle one");

    let mut second = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    second.write_all(&frame(&request(1, "initialize"))).unwrap();
    let told = read_until(&mut second, |_| false);
    assert!(told.iter().any(|m| is_response_to(1)(m) && m["success"] == false), "{told:?}");
    assert!(
        told.iter().any(|m| m["event"] == "output" && m["body"]["output"].as_str().unwrap().contains("another client")),
        "{told:?}"
    );

    assert!(closed_within(&mut idle, DEADLINE * 2), "the idle connection is still open");
    assert!(started.elapsed() < DEADLINE * 2 + Duration::from_secs(2));
    // The first session is still served.
    first.write_all(&frame(&request(2, "threads"))).unwrap();
    let messages = read_until(&mut first, is_response_to(2));
    assert_eq!(messages.last().unwrap()["success"], true, "{messages:?}");
}

#[test]
fn oversized_and_mis_sized_frames_cost_one_frame_and_are_reported_at_once() {
    let server = start(&["--port", "0"]);
    let mut client = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    client.write_all(&frame(&request(1, "initialize"))).unwrap();
    read_until(&mut client, is_response_to(1));
    // A length nobody will send: refused at once, without waiting for it.
    client.write_all(b"Content-Length: 1099511627776\r\n\r\n").unwrap();
    let notice = read_until(&mut client, |m| m["event"] == "output");
    assert!(notice.last().unwrap()["body"]["output"].as_str().unwrap().contains("over the"), "{notice:?}");
    client.write_all(&frame(&request(2, "threads"))).unwrap();
    assert_eq!(read_until(&mut client, is_response_to(2)).last().unwrap()["success"], true);
    // Lengths off by one either way.
    for (seq, delta) in [(3i64, 1i64), (5, -1)] {
        let body = request(seq, "threads").to_string();
        let wrong = format!("Content-Length: {}\r\n\r\n{body}", body.len() as i64 + delta);
        client.write_all(wrong.as_bytes()).unwrap();
        client.write_all(&frame(&request(seq + 1, "threads"))).unwrap();
        client.write_all(&frame(&request(seq + 100, "threads"))).unwrap();
        let messages = read_until(&mut client, is_response_to(seq + 100));
        assert_eq!(messages.last().unwrap()["success"], true, "delta {delta}: {messages:?}");
        assert!(
            messages.iter().any(|m| m["event"] == "output"),
            "delta {delta}: nothing said of the bad frame: {messages:?}"
        );
    }
}

#[test]
fn the_websocket_server_prints_a_generated_token_when_given_none() {
    let server = start(&["--ws-port", "0"]);
    let token = server.stdout_lines.iter().find_map(|l| l.strip_prefix("token: ")).unwrap();
    assert!(token.len() >= 32 && token.chars().all(|c| c.is_ascii_hexdigit()), "{token}");
    // A handshake without it gets 401 and nothing else.
    let mut stream = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    stream
        .write_all(
            b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
              Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
        )
        .unwrap();
    stream.set_read_timeout(Some(DEADLINE)).unwrap();
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
}
