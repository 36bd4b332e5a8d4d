//! One DevTools protocol connection: commands from any thread, each waiting
//! for its own answer; events in arrival order on one channel. The socket
//! lives on a thread of its own (a current-thread tokio runtime), so a
//! command sent while another waits, or while events pour in, is never held
//! up by a reader.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine as _;

use futures_util::{SinkExt as _, StreamExt as _};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use crate::quick_ack::QuickAck;

/// What a command can meet.
#[derive(Debug, thiserror::Error)]
pub enum CdpError {
    #[error("the DevTools connection is closed")]
    Closed,
    #[error("{method} got no answer within {} s", .timeout.as_secs())]
    Timeout { method: String, timeout: Duration },
    #[error("{method} failed: {message}")]
    Failed { method: String, message: String },
    #[error("cannot connect to {url}: {message}")]
    Connect { url: String, message: String },
}

/// A protocol event: its method and parameters.
#[derive(Clone, Debug)]
pub struct CdpEvent {
    pub method: String,
    pub params: Value,
}

/// Console events beyond this many unread are dropped (a page that logs in
/// a loop must not fill memory); debugger events are never dropped.
const MAX_UNREAD_CONSOLE: usize = 10_000;
/// The most a command may wait (`Profiler.stop` hands over a whole profile).
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(60);

/// A command sent, its answer awaited.
struct Waiting<'m> {
    id: u64,
    method: &'m str,
    wait: Receiver<Result<Value, String>>,
    sent: bool,
}

/// What the socket's thread sends.
#[derive(Debug)]
enum Outgoing {
    Text(String),
    Close,
}

type Pending = Arc<Mutex<HashMap<u64, Sender<Result<Value, String>>>>>;

/// A connected protocol endpoint (a page, or Node's one target).
#[derive(Debug)]
pub struct Cdp {
    outgoing: tokio::sync::mpsc::UnboundedSender<Outgoing>,
    pending: Pending,
    next_id: AtomicU64,
    unread_console: Arc<AtomicUsize>,
}

impl Cdp {
    /// Connects to a `ws://` endpoint; events arrive on the receiver.
    pub fn connect(url: &str) -> Result<(Cdp, Receiver<CdpEvent>), CdpError> {
        let connect_error = |message: String| CdpError::Connect { url: url.to_owned(), message };
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| connect_error(e.to_string()))?;
        let socket = runtime
            .block_on(async {
                let address =
                    url.strip_prefix("ws://").and_then(|rest| rest.split('/').next()).ok_or("not a ws:// address")?;
                let stream = tokio::net::TcpStream::connect(address).await.map_err(|e| e.to_string())?;
                stream.set_nodelay(true).map_err(|e| e.to_string())?;
                let (socket, _) =
                    tokio_tungstenite::client_async(url, QuickAck(stream)).await.map_err(|e| e.to_string())?;
                Ok::<_, String>(socket)
            })
            .map_err(connect_error)?;
        let (outgoing, mut to_send) = tokio::sync::mpsc::unbounded_channel::<Outgoing>();
        let (events, received) = channel();
        let pending: Pending = Arc::default();
        let unread_console = Arc::new(AtomicUsize::new(0));
        let (answers, console) = (pending.clone(), unread_console.clone());
        std::thread::Builder::new()
            .name("wasmscope-devtools".into())
            .spawn(move || {
                runtime.block_on(async move {
                    let (mut sink, mut stream) = socket.split();
                    loop {
                        tokio::select! {
                            message = to_send.recv() => match message {
                                Some(Outgoing::Text(text)) => if sink.send(Message::text(text)).await.is_err() { break },
                                Some(Outgoing::Close) | None => { let _ = sink.close().await; break }
                            },
                            message = stream.next() => match message {
                                Some(Ok(Message::Text(text))) => route(text.as_str(), &answers, &events, &console),
                                Some(Ok(_)) => {}
                                Some(Err(_)) | None => break,
                            },
                        }
                    }
                    // Every caller still waiting hears that the connection
                    // is gone.
                    answers.lock().unwrap_or_else(|p| p.into_inner()).clear();
                });
            })
            .map_err(|e| connect_error(e.to_string()))?;
        Ok((Cdp { outgoing, pending, next_id: AtomicU64::new(1), unread_console }, received))
    }

    /// Sends a command and waits for its result.
    pub fn call(&self, method: &str, params: Value) -> Result<Value, CdpError> {
        self.call_within(method, params, COMMAND_TIMEOUT)
    }

    pub fn call_within(&self, method: &str, params: Value, timeout: Duration) -> Result<Value, CdpError> {
        let waiting = self.send_command(method, params);
        self.answer(waiting, Instant::now() + timeout, timeout)
    }

    /// Sends every command at once, then waits for each answer: hundreds
    /// of breakpoints cost one round trip rather than hundreds.
    pub fn call_all(&self, calls: Vec<(&str, Value)>) -> Vec<Result<Value, CdpError>> {
        let waiting: Vec<Waiting<'_>> =
            calls.into_iter().map(|(method, params)| self.send_command(method, params)).collect();
        let deadline = Instant::now() + COMMAND_TIMEOUT;
        waiting.into_iter().map(|w| self.answer(w, deadline, COMMAND_TIMEOUT)).collect()
    }

    /// The bytes of a Wasm script (`Debugger.getScriptSource` hands a
    /// module over in base64).
    pub fn wasm_bytes(&self, script: &str) -> Result<Vec<u8>, CdpError> {
        let method = "Debugger.getScriptSource";
        let source = self.call(method, json!({ "scriptId": script }))?;
        base64::engine::general_purpose::STANDARD
            .decode(source["bytecode"].as_str().unwrap_or_default())
            .map_err(|e| CdpError::Failed { method: method.to_owned(), message: format!("its bytecode: {e}") })
    }

    fn send_command<'m>(&self, method: &'m str, params: Value) -> Waiting<'m> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (answer, wait) = channel();
        self.pending.lock().unwrap_or_else(|p| p.into_inner()).insert(id, answer);
        let mut message = json!({ "id": id, "method": method });
        message["params"] = params;
        let sent = self.outgoing.send(Outgoing::Text(message.to_string())).is_ok();
        Waiting { id, method, wait, sent }
    }

    fn answer(&self, waiting: Waiting<'_>, deadline: Instant, timeout: Duration) -> Result<Value, CdpError> {
        let Waiting { id, method, wait, sent } = waiting;
        let result = if sent {
            wait.recv_timeout(deadline.saturating_duration_since(Instant::now()))
        } else {
            Err(RecvTimeoutError::Disconnected)
        };
        self.pending.lock().unwrap_or_else(|p| p.into_inner()).remove(&id);
        match result {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(message)) => Err(CdpError::Failed { method: method.to_owned(), message }),
            Err(RecvTimeoutError::Timeout) => Err(CdpError::Timeout { method: method.to_owned(), timeout }),
            Err(RecvTimeoutError::Disconnected) => Err(CdpError::Closed),
        }
    }

    /// Closes the connection; the event channel ends.
    pub fn close(&self) {
        let _ = self.outgoing.send(Outgoing::Close);
    }

    /// The reader of the event channel marks a console event as read.
    pub fn console_event_read(&self) {
        let _ = self.unread_console.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1));
    }
}

/// Hands an answer to its caller, or an event to the channel.
fn route(text: &str, pending: &Pending, events: &Sender<CdpEvent>, unread_console: &AtomicUsize) {
    let Ok(mut message) = serde_json::from_str::<Value>(text) else { return };
    if let Some(id) = message.get("id").and_then(Value::as_u64) {
        let Some(caller) = pending.lock().unwrap_or_else(|p| p.into_inner()).remove(&id) else { return };
        let answer = match message.get_mut("error") {
            Some(error) => Err(error["message"].as_str().unwrap_or("error").to_owned()),
            None => Ok(message["result"].take()),
        };
        let _ = caller.send(answer);
        return;
    }
    let Some(method) = message.get("method").and_then(Value::as_str).map(str::to_owned) else { return };
    if method == "Runtime.consoleAPICalled" && unread_console.fetch_add(1, Ordering::Relaxed) >= MAX_UNREAD_CONSOLE {
        unread_console.fetch_sub(1, Ordering::Relaxed);
        return;
    }
    let _ = events.send(CdpEvent { method, params: message["params"].take() });
}
