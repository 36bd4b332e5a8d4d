//! Who gets a session on a listening port. A loopback port is reachable from
//! every web page the user opens, so nothing runs for a connection until it
//! has proved it speaks DAP (its first frame, within a deadline) and, on
//! WebSocket, holds the token; one client is served at a time and a second
//! one is told so, never left waiting in silence.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::codec::write_frame;
use crate::message::{Event, Incoming, Response, decode};

/// How long a new connection has to send its first complete message.
pub const FIRST_MESSAGE_DEADLINE: Duration = Duration::from_secs(5);
/// How long a new client waits for a session that is ending.
const SESSION_HANDOVER: Duration = Duration::from_secs(1);
/// Connections allowed to be proving themselves at once; more are closed.
const MAX_PENDING: usize = 32;

/// The port's one session, and the connections still proving themselves.
#[derive(Clone, Debug, Default)]
pub(crate) struct Gate {
    busy: Arc<AtomicBool>,
    pending: Arc<AtomicUsize>,
}

/// Held while a connection proves itself; lets the next one in when dropped.
#[derive(Debug)]
pub(crate) struct PendingSlot(Arc<AtomicUsize>);

impl Drop for PendingSlot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Held by the connection being served.
#[derive(Debug)]
pub(crate) struct SessionSlot(Arc<AtomicBool>);

impl Drop for SessionSlot {
    fn drop(&mut self) {
        self.0.store(false, Ordering::SeqCst);
    }
}

impl Gate {
    /// A slot for a new connection to prove itself in, unless too many are.
    pub(crate) fn pending(&self) -> Option<PendingSlot> {
        if self.pending.fetch_add(1, Ordering::SeqCst) >= MAX_PENDING {
            self.pending.fetch_sub(1, Ordering::SeqCst);
            return None;
        }
        Some(PendingSlot(self.pending.clone()))
    }

    /// The session, waiting a moment for one that is ending (a client that
    /// reconnects right after its disconnect).
    pub(crate) fn session_soon(&self) -> Option<SessionSlot> {
        let until = Instant::now() + SESSION_HANDOVER;
        loop {
            if let Some(slot) = self.session() {
                return Some(slot);
            }
            if Instant::now() >= until {
                return None;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// [`Gate::session_soon`] for a task on an async runtime.
    pub(crate) async fn session_soon_async(&self) -> Option<SessionSlot> {
        let until = tokio::time::Instant::now() + SESSION_HANDOVER;
        loop {
            if let Some(slot) = self.session() {
                return Some(slot);
            }
            if tokio::time::Instant::now() >= until {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// The session, unless another client has it.
    pub(crate) fn session(&self) -> Option<SessionSlot> {
        self.busy
            .compare_exchange(false, true, Ordering::SeqCst, Ordering::SeqCst)
            .ok()
            .map(|_| SessionSlot(self.busy.clone()))
    }
}

/// What a client that came second is sent: an error response to its first
/// request (when it was one) and a console line saying why, then the
/// connection closes.
pub(crate) fn busy_reply(first_frame: &[u8]) -> Vec<Vec<u8>> {
    let text = "wasmscope: another client is being debugged on this port; connect again when it has disconnected";
    let mut frames = Vec::new();
    if let Incoming::Request(request) = decode(first_frame) {
        frames.push(serde_json::to_vec(&Response::error(1, request.seq, &request.command, text)).unwrap_or_default());
    }
    let event =
        Event::new(2, "output", Some(serde_json::json!({ "category": "important", "output": format!("{text}\n") })));
    frames.push(serde_json::to_vec(&event).unwrap_or_default());
    frames
}

/// Writes `busy_reply` as Content-Length frames.
pub(crate) fn send_busy(output: &mut impl Write, first_frame: &[u8]) {
    for frame in busy_reply(first_frame) {
        if write_frame(output, &frame).is_err() {
            return;
        }
    }
}

/// A TCP stream whose reads fail once a deadline has passed (until the
/// deadline is lifted), so a client that connects and sends nothing, or
/// a byte a minute, is dropped.
#[derive(Debug)]
pub(crate) struct DeadlineStream {
    stream: TcpStream,
    until: Option<Instant>,
}

impl DeadlineStream {
    pub(crate) fn new(stream: TcpStream, deadline: Duration) -> Self {
        DeadlineStream { stream, until: Some(Instant::now() + deadline) }
    }

    /// From now on reads wait as long as the client takes.
    pub(crate) fn lift(&mut self) -> io::Result<()> {
        self.until = None;
        self.stream.set_read_timeout(None)
    }
}

impl Read for DeadlineStream {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        let Some(until) = self.until else {
            return self.stream.read(buffer);
        };
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::Error::new(io::ErrorKind::TimedOut, "no complete first message in time"));
        }
        self.stream.set_read_timeout(Some(left))?;
        self.stream.read(buffer).map_err(|e| match e.kind() {
            io::ErrorKind::WouldBlock => io::Error::new(io::ErrorKind::TimedOut, "no complete first message in time"),
            _ => e,
        })
    }
}

/// The secret a WebSocket client must present, and the web origins allowed
/// to connect (none by default: a browser page always sends its Origin).
#[derive(Clone)]
pub struct Credentials {
    token: String,
    allowed_origins: Vec<String>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the token itself.
        f.debug_struct("Credentials").field("allowed_origins", &self.allowed_origins).finish_non_exhaustive()
    }
}

/// Why a handshake was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// 403: a web page of an origin not allowed.
    ForeignOrigin,
    /// 401: no token, or the wrong one.
    BadToken,
}

impl Credentials {
    /// `token` must be long enough to resist guessing.
    pub fn new(token: &str, allowed_origins: Vec<String>) -> Result<Self, String> {
        let token = token.trim();
        if token.len() < 16 {
            return Err("the token must be at least 16 characters long".into());
        }
        if token.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err("the token must not contain spaces or control characters".into());
        }
        Ok(Credentials { token: token.to_owned(), allowed_origins })
    }

    /// A fresh random token (256 bits, hex).
    pub fn generate(allowed_origins: Vec<String>) -> io::Result<Self> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| io::Error::other(format!("no randomness for a token: {e}")))?;
        let token = bytes.iter().map(|b| format!("{b:02x}")).collect();
        Ok(Credentials { token, allowed_origins })
    }

    pub fn token(&self) -> &str {
        &self.token
    }

    /// Judges a handshake by its `Origin` and `Authorization` headers.
    pub fn check(&self, origin: Option<&[u8]>, authorization: Option<&[u8]>) -> Result<(), Refusal> {
        if let Some(origin) = origin
            && !self.allowed_origins.iter().any(|allowed| allowed.as_bytes() == origin)
        {
            return Err(Refusal::ForeignOrigin);
        }
        let presented = authorization.and_then(presented_token);
        match presented.as_deref() {
            Some(token) if constant_time_eq(token, self.token.as_bytes()) => Ok(()),
            _ => Err(Refusal::BadToken),
        }
    }
}

/// The token in an `Authorization` header: `Bearer TOKEN`, or `Basic` with
/// the token as the password (what a URL's `user:TOKEN@` sends, for clients
/// such as `go tool pprof` that cannot set a header).
fn presented_token(authorization: &[u8]) -> Option<Vec<u8>> {
    use base64::Engine as _;
    if let Some(token) = authorization.strip_prefix(b"Bearer ") {
        return Some(token.trim_ascii().to_vec());
    }
    let encoded = authorization.strip_prefix(b"Basic ")?.trim_ascii();
    let decoded = base64::engine::general_purpose::STANDARD.decode(encoded).ok()?;
    let colon = decoded.iter().position(|&b| b == b':')?;
    Some(decoded[colon + 1..].to_vec())
}

/// Equality whose time does not depend on where the inputs differ (only on
/// their lengths), so the token cannot be found a byte at a time.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |diff, (x, y)| diff | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handshakes_need_the_token_and_an_allowed_origin_if_any() {
        let credentials = Credentials::new("0123456789abcdef0123", vec!["http://good.example".into()]).unwrap();
        let token = Some(&b"Bearer 0123456789abcdef0123"[..]);
        assert_eq!(credentials.check(None, token), Ok(()));
        assert_eq!(credentials.check(Some(b"http://good.example"), token), Ok(()));
        assert_eq!(credentials.check(Some(b"http://evil.example"), token), Err(Refusal::ForeignOrigin));
        assert_eq!(credentials.check(None, None), Err(Refusal::BadToken));
        assert_eq!(credentials.check(None, Some(b"Bearer 0123456789abcdef0124")), Err(Refusal::BadToken));
        assert_eq!(credentials.check(None, Some(b"Bearer 0123")), Err(Refusal::BadToken));
        assert_eq!(credentials.check(None, Some(b"0123456789abcdef0123")), Err(Refusal::BadToken));
        // user:token, as a URL's userinfo sends it.
        let basic = b"Basic cHJvZjowMTIzNDU2Nzg5YWJjZGVmMDEyMw==";
        assert_eq!(credentials.check(None, Some(basic)), Ok(()));
        assert_eq!(credentials.check(None, Some(b"Basic cHJvZjp3cm9uZw==")), Err(Refusal::BadToken));
        assert_eq!(credentials.check(None, Some(b"Basic !!!")), Err(Refusal::BadToken));
        assert!(Credentials::new("short", vec![]).is_err());
        let generated = Credentials::generate(vec![]).unwrap();
        assert_eq!(generated.token().len(), 64);
        assert_ne!(generated.token(), Credentials::generate(vec![]).unwrap().token());
        assert!(!format!("{generated:?}").contains(generated.token()));
    }

    #[test]
    fn a_second_client_hears_why_it_is_not_served() {
        let frames = busy_reply(br#"{"seq":7,"type":"request","command":"initialize"}"#);
        let response: serde_json::Value = serde_json::from_slice(&frames[0]).unwrap();
        assert_eq!(response["request_seq"], 7);
        assert_eq!(response["success"], false);
        let event: serde_json::Value = serde_json::from_slice(&frames[1]).unwrap();
        assert!(event["body"]["output"].as_str().unwrap().contains("another client"));
        let gate = Gate::default();
        let first = gate.session().unwrap();
        assert!(gate.session().is_none());
        drop(first);
        assert!(gate.session().is_some());
    }
}
