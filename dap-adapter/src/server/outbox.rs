//! Everything the adapter sends goes through here: sequence numbers, the
//! writer, the message log, and events held back until the response that
//! announces them has gone out (`initialized` after `launch`, say).

use std::io::Write;

use serde_json::Value;

use crate::codec::write_frame;
use crate::log::MessageLog;
use crate::message::{Event, Request, Response};

pub struct Outbox {
    writer: Box<dyn Write + Send>,
    next_seq: i64,
    deferred: Vec<(String, Option<Value>)>,
    pub log: MessageLog,
    /// The client is gone: sending is pointless, not an error.
    broken: bool,
}

impl std::fmt::Debug for Outbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outbox").field("next_seq", &self.next_seq).finish_non_exhaustive()
    }
}

impl Outbox {
    pub fn new(writer: Box<dyn Write + Send>, log: MessageLog) -> Self {
        Outbox { writer, next_seq: 1, deferred: Vec::new(), log, broken: false }
    }

    fn seq(&mut self) -> i64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        seq
    }

    fn send(&mut self, message: &impl serde::Serialize) {
        if self.broken {
            return;
        }
        let bytes = match serde_json::to_vec(message) {
            Ok(bytes) => bytes,
            Err(error) => {
                self.log.line(&format!("cannot encode a message: {error}"));
                return;
            }
        };
        if let Err(error) = write_frame(&mut self.writer, &bytes).and_then(|()| self.writer.flush()) {
            self.log.line(&format!("the client's stream is closed: {error}"));
            self.broken = true;
        }
    }

    pub fn respond(&mut self, request: &Request, outcome: Result<Option<Value>, String>) {
        let seq = self.seq();
        let response = match outcome {
            Ok(body) => Response::success(seq, request, body),
            Err(message) => Response::error(seq, request.seq, &request.command, &message),
        };
        self.log.line(&format!(
            "<- response {} to {} `{}`: {}",
            seq,
            request.seq,
            request.command,
            if response.success { "ok" } else { "error" }
        ));
        self.send(&response);
    }

    /// An error response to something that was not a proper request.
    pub fn reject(&mut self, request_seq: i64, command: &str, message: &str) {
        let seq = self.seq();
        self.log.line(&format!("<- error {seq} to {request_seq}: {message}"));
        self.send(&Response::error(seq, request_seq, command, message));
    }

    pub fn event(&mut self, event: &str, body: Option<Value>) {
        let seq = self.seq();
        self.log.line(&format!("<- event {seq} `{event}`"));
        self.send(&Event::new(seq, event, body));
    }

    /// An event sent after the current request's response.
    pub fn event_after_response(&mut self, event: &str, body: Option<Value>) {
        self.deferred.push((event.to_owned(), body));
    }

    pub fn flush_deferred(&mut self) {
        for (event, body) in std::mem::take(&mut self.deferred) {
            self.event(&event, body);
        }
    }

    /// Text for the user's debug console.
    pub fn output(&mut self, category: &str, text: &str) {
        self.event("output", Some(serde_json::json!({ "category": category, "output": text })));
    }
}
