//! The console debugger talks DAP to the same server IDEs use, in this
//! process over a pair of pipes: one debugger behind every front end.

use std::collections::VecDeque;
use std::io::{BufReader, Write};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, channel};

use anyhow::{Context, anyhow, bail};
use serde_json::{Value, json};
use wasmscope_dap::codec::{FrameReader, write_frame};
use wasmscope_dap::log::MessageLog;

use super::progress::ProgressView;

pub struct DapClient {
    to_server: std::io::PipeWriter,
    from_server: Receiver<Value>,
    pending_events: VecDeque<Value>,
    seq: i64,
}

impl std::fmt::Debug for DapClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DapClient").field("seq", &self.seq).finish_non_exhaustive()
    }
}

/// How a resumed program came back.
#[derive(Debug)]
pub enum Outcome {
    Stopped(Value),
    Exited(i64),
    Terminated,
}

impl DapClient {
    pub fn start() -> anyhow::Result<Self> {
        let (server_in, to_server) = std::io::pipe()?;
        let (from_server_pipe, server_out) = std::io::pipe()?;
        std::thread::Builder::new().name("wasmscope-dap-server".into()).spawn(move || {
            let backend = wasmscope_dap::Backend::new(
                Arc::new(crate::commands::host_launcher::HostLauncher::default()),
                MessageLog::default(),
            );
            wasmscope_dap::serve(server_in, server_out, backend)
        })?;
        let (sender, from_server) = channel();
        std::thread::Builder::new().name("wasmscope-dap-client".into()).spawn(move || {
            let mut reader = FrameReader::new(BufReader::new(from_server_pipe));
            while let Ok(Some(body)) = reader.read_frame() {
                let Ok(message) = serde_json::from_slice::<Value>(&body) else {
                    continue;
                };
                if sender.send(message).is_err() {
                    return;
                }
            }
        })?;
        Ok(DapClient { to_server, from_server, pending_events: VecDeque::new(), seq: 0 })
    }

    /// Sends a request; its body, or the server's error message.
    pub fn request(&mut self, command: &str, arguments: Value) -> anyhow::Result<Value> {
        self.seq += 1;
        let mut message = json!({ "seq": self.seq, "type": "request", "command": command });
        message["arguments"] = arguments;
        write_frame(&mut self.to_server, message.to_string().as_bytes())?;
        self.to_server.flush()?;
        loop {
            let message = self.from_server.recv().context("the debug server stopped")?;
            if message["type"] == "event" {
                self.pending_events.push_back(message);
            } else if message["request_seq"] == self.seq {
                if message["success"] == true {
                    return Ok(message.get("body").cloned().unwrap_or(Value::Null));
                }
                bail!("{}", message["message"].as_str().unwrap_or("request failed"));
            }
        }
    }

    /// The next event (blocking), earlier ones first.
    pub fn next_event(&mut self) -> anyhow::Result<Value> {
        if let Some(event) = self.pending_events.pop_front() {
            return Ok(event);
        }
        loop {
            let message = self.from_server.recv().map_err(|_| anyhow!("the debug server stopped"))?;
            if message["type"] == "event" {
                return Ok(message);
            }
        }
    }

    /// Waits until the program stops or ends, handing every output event
    /// to `print` and every progress event to `progress` meanwhile.
    pub fn wait(&mut self, progress: &mut ProgressView, mut print: impl FnMut(&str, &str)) -> anyhow::Result<Outcome> {
        loop {
            let event = self.next_event()?;
            if progress.show(&event) {
                continue;
            }
            match event["event"].as_str() {
                Some("output") => print(
                    event["body"]["category"].as_str().unwrap_or("console"),
                    event["body"]["output"].as_str().unwrap_or_default(),
                ),
                Some("stopped") => return Ok(Outcome::Stopped(event["body"].clone())),
                Some("exited") => {
                    return Ok(Outcome::Exited(event["body"]["exitCode"].as_i64().unwrap_or(0)));
                }
                Some("terminated") => return Ok(Outcome::Terminated),
                _ => {}
            }
        }
    }
}
