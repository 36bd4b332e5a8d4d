//! The base protocol messages (DAP's `ProtocolMessage`): requests from the
//! client, responses and events from the adapter. Arguments and bodies stay
//! JSON here; typed request structs decode them per command.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A request as received. `arguments` is decoded later, per command, so an
/// unknown command or bad arguments still has a `seq` to answer.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Request {
    pub seq: i64,
    pub command: String,
    #[serde(default)]
    pub arguments: Option<Value>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Response {
    pub seq: i64,
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Snake case on the wire: DAP's one exception to camelCase.
    pub request_seq: i64,
    pub success: bool,
    pub command: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Event {
    pub seq: i64,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub event: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
}

/// What a frame's body turned out to be.
#[derive(Clone, Debug, PartialEq)]
pub enum Incoming {
    Request(Request),
    /// Valid JSON that is not a request we can answer; the `seq`, when
    /// there is one, lets the adapter answer with an error.
    Invalid {
        seq: Option<i64>,
        command: Option<String>,
        reason: String,
    },
}

/// Decodes a frame body into a request, or says why it is not one.
pub fn decode(body: &[u8]) -> Incoming {
    let value: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => {
            return Incoming::Invalid { seq: None, command: None, reason: format!("not JSON: {e}") };
        }
    };
    let seq = value.get("seq").and_then(Value::as_i64);
    let command = value.get("command").and_then(Value::as_str).map(str::to_owned);
    match value.get("type").and_then(Value::as_str) {
        Some("request") => match serde_json::from_value::<Request>(value) {
            Ok(request) => Incoming::Request(request),
            Err(e) => Incoming::Invalid { seq, command, reason: format!("malformed request: {e}") },
        },
        Some(other) => Incoming::Invalid { seq, command, reason: format!("a client sends requests, not `{other}`") },
        None => Incoming::Invalid { seq, command, reason: "message without a `type`".into() },
    }
}

impl Response {
    pub fn success(seq: i64, request: &Request, body: Option<Value>) -> Self {
        Response {
            seq,
            kind: "response",
            request_seq: request.seq,
            success: true,
            command: request.command.clone(),
            message: None,
            body,
        }
    }

    /// An error answer: DAP puts a short message in `message` and details in
    /// `body.error`.
    pub fn error(seq: i64, request_seq: i64, command: &str, message: &str) -> Self {
        let body = serde_json::json!({ "error": { "id": 1, "format": message, "showUser": false } });
        Response {
            seq,
            kind: "response",
            request_seq,
            success: false,
            command: command.to_owned(),
            message: Some(message.to_owned()),
            body: Some(body),
        }
    }
}

impl Event {
    pub fn new(seq: i64, event: &str, body: Option<Value>) -> Self {
        Event { seq, kind: "event", event: event.to_owned(), body }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_decode_and_everything_else_says_why() {
        let good = decode(br#"{"seq":3,"type":"request","command":"threads"}"#);
        assert_eq!(good, Incoming::Request(Request { seq: 3, command: "threads".into(), arguments: None }));
        let Incoming::Invalid { seq, reason, .. } = decode(br#"{"seq":4,"type":"request"}"#) else { panic!() };
        assert_eq!(seq, Some(4));
        assert!(reason.contains("malformed request"), "{reason}");
        let Incoming::Invalid { seq, .. } = decode(b"{not json") else { panic!() };
        assert_eq!(seq, None);
        let Incoming::Invalid { reason, .. } = decode(br#"{"seq":1,"type":"event","event":"x"}"#) else { panic!() };
        assert!(reason.contains("not `event`"));
    }

    #[test]
    fn error_responses_carry_the_request_and_a_message() {
        let json = serde_json::to_value(Response::error(9, 4, "launch", "no program")).unwrap();
        assert_eq!(json["request_seq"], 4);
        assert_eq!(json["success"], false);
        assert_eq!(json["message"], "no program");
        assert_eq!(json["type"], "response");
    }
}
