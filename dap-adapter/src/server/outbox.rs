//! Everything the adapter sends goes through here: sequence numbers, the
//! writer, the message log, and events held back until the response that
//! announces them has gone out (`initialized` after `launch`, say).

use std::io::Write;
use std::time::Duration;

use serde_json::Value;
use wasmscope_debugger::output_budget::OutputBudget;

use super::writer::{Credit, FrameWriter};
use crate::log::MessageLog;
use crate::message::{Event, Request, Response};

pub struct Outbox {
    writer: FrameWriter,
    next_seq: i64,
    deferred: Vec<(String, Option<Value>)>,
    pub log: MessageLog,
}

impl std::fmt::Debug for Outbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outbox").field("next_seq", &self.next_seq).finish_non_exhaustive()
    }
}

impl Outbox {
    pub fn new(writer: Box<dyn Write + Send>, log: MessageLog) -> Self {
        Outbox { writer: FrameWriter::spawn(writer, log.clone()), next_seq: 1, deferred: Vec::new(), log }
    }

    /// The client is gone, or stopped reading: the session should end.
    pub fn is_broken(&self) -> bool {
        self.writer.is_broken()
    }

    /// Gives what is queued a moment to reach the client.
    pub fn finish(&mut self) {
        self.writer.finish(Duration::from_secs(2));
    }

    fn seq(&mut self) -> i64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        seq
    }

    fn send(&mut self, message: &impl serde::Serialize) {
        self.send_with_credit(message, None);
    }

    fn send_with_credit(&mut self, message: &impl serde::Serialize, credit: Credit) {
        match serde_json::to_vec(message) {
            // A refused frame means the client is gone or not reading: the
            // writer logs it and the session ends (`is_broken`).
            Ok(bytes) => {
                self.writer.send(bytes, credit);
            }
            Err(error) => {
                self.log.line(&format!("cannot encode a message: {error}"));
                if let Some((budget, credit)) = credit {
                    budget.release(credit);
                }
            }
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

    /// The guest's output, whose `credit` bytes of `budget` are given back
    /// once it is written to the client.
    pub fn guest_output(&mut self, category: &str, text: &str, budget: &OutputBudget, credit: usize) {
        let seq = self.seq();
        let body = serde_json::json!({ "category": category, "output": text });
        self.send_with_credit(&Event::new(seq, "output", Some(body)), Some((budget.clone(), credit)));
    }
}
