//! The WebSocket transport: one DAP message per text frame (what the
//! remote agent and browser-hosted clients speak). A handshake must carry
//! the token (`Authorization: Bearer …`) and no foreign `Origin`; it and the
//! first message must arrive within the first-message deadline. Each
//! admitted connection is bridged to the same stream-based session as stdio
//! and TCP: frames in become Content-Length frames on a pipe into `serve`,
//! and what `serve` writes is cut back into one text frame per message,
//! through a bounded queue (a slow client slows the session's writer, which
//! slows the guest's output; nothing piles up here).

use std::io::{BufReader, Write as _};
use std::net::{Ipv4Addr, SocketAddr};

use futures_util::{SinkExt as _, StreamExt as _};
use std::sync::Arc;

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::http::StatusCode;

use super::admission::{Credentials, FIRST_MESSAGE_DEADLINE, Gate, Refusal, busy_reply};
use super::http_head::{RequestHead, read_head};
use super::live_profiling::{PPROF_PATH, PROFILE_PATH, serve_pprof, serve_profile_stream, text_reply};
use crate::Backend;
use crate::codec::{FrameReader, write_frame};

/// Messages on their way to the client, at most.
const OUTGOING_QUEUE: usize = 16;

/// A bound WebSocket listener, before it serves (so callers learn the port
/// first).
pub struct WebSocketListener {
    listener: TcpListener,
    runtime: tokio::runtime::Runtime,
    credentials: Credentials,
    tls: Option<TlsAcceptor>,
}

impl std::fmt::Debug for WebSocketListener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebSocketListener").field("tls", &self.tls.is_some()).finish_non_exhaustive()
    }
}

/// What an admitted connection is: plain TCP, or TLS over it.
trait Connection: AsyncRead + AsyncWrite + Unpin + Send + 'static {}
impl<S: AsyncRead + AsyncWrite + Unpin + Send + 'static> Connection for S {}

impl WebSocketListener {
    /// Binds 127.0.0.1:`port` (0 picks a free port); only clients holding
    /// `credentials` are served.
    pub fn bind(port: u16, credentials: Credentials) -> std::io::Result<Self> {
        Self::bind_addr(SocketAddr::from((Ipv4Addr::LOCALHOST, port)), credentials, None)
    }

    /// Binds `addr`, serving TLS with `tls` (a rustls server configuration,
    /// `tls::server_config`). The token travels in the handshake: an address
    /// other than loopback requires TLS.
    pub fn bind_addr(
        addr: SocketAddr,
        credentials: Credentials,
        tls: Option<Arc<tokio_rustls::rustls::ServerConfig>>,
    ) -> std::io::Result<Self> {
        if !addr.ip().is_loopback() && tls.is_none() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::PermissionDenied,
                format!(
                    "{addr} is not a loopback address: off loopback the agent requires TLS (give --tls-cert and \
                     --tls-key), since the token travels in the handshake"
                ),
            ));
        }
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        let listener = runtime.block_on(TcpListener::bind(addr))?;
        Ok(WebSocketListener { listener, runtime, credentials, tls: tls.map(TlsAcceptor::from) })
    }

    /// Whether clients connect with `wss://`.
    pub fn is_tls(&self) -> bool {
        self.tls.is_some()
    }

    pub fn port(&self) -> std::io::Result<u16> {
        Ok(self.listener.local_addr()?.port())
    }

    /// Serves one session at a time, forever; each connection proves itself
    /// on a task of its own.
    pub fn serve(self, backend: &Backend) -> std::io::Result<()> {
        let WebSocketListener { listener, runtime, credentials, tls } = self;
        let log = &backend.log;
        let gate = Gate::default();
        runtime.block_on(async {
            loop {
                let (stream, peer) = listener.accept().await?;
                let Some(pending) = gate.pending() else {
                    log.line("too many connections proving themselves: closed one");
                    continue;
                };
                let _ = stream.set_nodelay(true);
                let (gate, backend, credentials, tls) =
                    (gate.clone(), backend.clone(), credentials.clone(), tls.clone());
                tokio::spawn(async move {
                    // TLS, the WebSocket handshake and the first message all
                    // within the deadline.
                    let deadline = tokio::time::Instant::now() + FIRST_MESSAGE_DEADLINE;
                    match tls {
                        Some(acceptor) => match tokio::time::timeout_at(deadline, acceptor.accept(stream)).await {
                            Ok(Ok(stream)) => {
                                serve_connection(stream, deadline, pending, peer, gate, backend, credentials).await
                            }
                            Ok(Err(error)) => backend.log.line(&format!("refused {peer}: TLS: {error}")),
                            Err(_) => backend.log.line(&format!("refused {peer}: no TLS handshake in time")),
                        },
                        None => serve_connection(stream, deadline, pending, peer, gate, backend, credentials).await,
                    }
                });
            }
        })
    }
}

/// Reads the request a connection opens with, by `deadline`: a plain HTTP
/// request goes to the pprof endpoint (`serve_plain`); an upgrade is admitted
/// (the token, then a first message) and becomes a live profile stream
/// (`/profile`) or a DAP session, unless another client has that.
async fn serve_connection(
    stream: impl Connection,
    deadline: tokio::time::Instant,
    pending: impl Send,
    peer: SocketAddr,
    gate: Gate,
    backend: Backend,
    credentials: Credentials,
) {
    let log = backend.log.clone();
    let (head, stream) = match tokio::time::timeout_at(deadline, read_head(stream)).await {
        Ok(Ok(read)) => read,
        Ok(Err(reason)) => return log.line(&format!("refused {peer}: {reason}")),
        Err(_) => return log.line(&format!("refused {peer}: no request in time")),
    };
    if !head.is_upgrade() {
        drop(pending);
        return serve_plain(stream, &head, peer, &backend, &credentials).await;
    }
    let admitted = tokio::time::timeout_at(deadline, admit(stream, &credentials)).await;
    drop(pending);
    let (socket, first) = match admitted {
        Ok(Ok(admitted)) => admitted,
        Ok(Err(reason)) => return log.line(&format!("refused {peer}: {reason}")),
        Err(_) => {
            return log.line(&format!("refused {peer}: no handshake and first message in time"));
        }
    };
    if head.path == PROFILE_PATH {
        log.line(&format!("profiling client from {peer}"));
        return serve_profile_stream(socket, first, backend.profiler.clone(), &log).await;
    }
    match gate.session_soon_async().await {
        Some(_session) => {
            log.line(&format!("websocket session from {peer}"));
            bridge(socket, first, backend).await;
            log.line("websocket session ended");
        }
        None => {
            log.line(&format!("refused {peer}: another session is active"));
            let (mut sink, _) = socket.split();
            for frame in busy_reply(&first) {
                let _ = sink.send(Message::text(String::from_utf8_lossy(&frame).into_owned())).await;
            }
            let _ = sink.close().await;
        }
    }
}

/// A request that is not a WebSocket upgrade: the pprof endpoint, with the
/// token, or nothing.
async fn serve_plain(
    mut stream: impl Connection,
    head: &RequestHead,
    peer: SocketAddr,
    backend: &Backend,
    credentials: &Credentials,
) {
    let log = &backend.log;
    if let Err(refusal) = credentials.check(head.header("origin"), head.header("authorization")) {
        log.line(&format!("refused {peer}: {} {}: {refusal:?}", head.method, head.path));
        let reply = match refusal {
            Refusal::ForeignOrigin => text_reply(403, "Forbidden", "this origin may not use the agent"),
            Refusal::BadToken => {
                text_reply(401, "Unauthorized", "the agent's token is required (Authorization: Bearer, or Basic)")
            }
        };
        let _ = tokio::io::AsyncWriteExt::write_all(&mut stream, &reply).await;
        return;
    }
    if head.path == PPROF_PATH {
        return serve_pprof(stream, head, backend.profiler.clone(), log).await;
    }
    let text = format!("no {}: the agent serves DAP over WebSocket, {PROFILE_PATH} and {PPROF_PATH}", head.path);
    let _ = tokio::io::AsyncWriteExt::write_all(&mut stream, &text_reply(404, "Not Found", &text)).await;
}

/// The handshake, judged by its headers, then the client's first message.
async fn admit<S: Connection>(stream: S, credentials: &Credentials) -> Result<(WebSocketStream<S>, Vec<u8>), String> {
    // The callback's signature is tungstenite's: its error is an HTTP response.
    #[allow(clippy::result_large_err)]
    let judge = |request: &Request, response: Response| -> Result<Response, ErrorResponse> {
        let header = |name: &str| request.headers().get(name).map(|value| value.as_bytes());
        match credentials.check(header("origin"), header("authorization")) {
            Ok(()) => Ok(response),
            Err(refusal) => Err(refused(refusal)),
        }
    };
    let mut socket = tokio_tungstenite::accept_hdr_async(stream, judge).await.map_err(|e| e.to_string())?;
    loop {
        match socket.next().await {
            Some(Ok(Message::Text(text))) => return Ok((socket, text.as_bytes().to_vec())),
            Some(Ok(Message::Binary(bytes))) => return Ok((socket, bytes.to_vec())),
            Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_))) => {}
            Some(Ok(Message::Close(_))) | None => {
                return Err("closed before its first message".into());
            }
            Some(Err(error)) => return Err(error.to_string()),
        }
    }
}

fn refused(refusal: Refusal) -> ErrorResponse {
    let (status, text) = match refusal {
        Refusal::ForeignOrigin => (StatusCode::FORBIDDEN, "this origin may not connect to the debugger\n"),
        Refusal::BadToken => (StatusCode::UNAUTHORIZED, "a valid `Authorization: Bearer <token>` header is required\n"),
    };
    let mut response = ErrorResponse::new(Some(text.to_owned()));
    *response.status_mut() = status;
    response
}

async fn bridge<S: Connection>(socket: WebSocketStream<S>, first: Vec<u8>, backend: Backend) {
    let Ok((server_in, mut to_server)) = std::io::pipe() else {
        return;
    };
    let Ok((from_server, server_out)) = std::io::pipe() else {
        return;
    };
    let session = std::thread::Builder::new()
        .name("wasmscope-dap-ws-session".into())
        .spawn(move || crate::serve(server_in, server_out, backend));
    // The session writes frames on a blocking pipe; a thread cuts them into
    // messages for the async side, waiting while the queue is full.
    let (messages, mut outgoing) = tokio::sync::mpsc::channel::<Vec<u8>>(OUTGOING_QUEUE);
    std::thread::Builder::new()
        .name("wasmscope-dap-ws-out".into())
        .spawn(move || {
            let mut reader = FrameReader::new(BufReader::new(from_server));
            while let Ok(Some(body)) = reader.read_frame() {
                if messages.blocking_send(body).is_err() {
                    return;
                }
            }
        })
        .ok();
    let (mut sink, mut stream) = socket.split();
    let to_client = async move {
        while let Some(body) = outgoing.recv().await {
            let text = String::from_utf8_lossy(&body).into_owned();
            if sink.send(Message::text(text)).await.is_err() {
                break;
            }
        }
        let _ = sink.close().await;
    };
    let from_client = async move {
        let mut next = Some(first);
        loop {
            let body = match next.take() {
                Some(body) => body,
                None => match stream.next().await {
                    Some(Ok(Message::Text(text))) => text.as_bytes().to_vec(),
                    Some(Ok(Message::Binary(bytes))) => bytes.to_vec(),
                    Some(Ok(Message::Close(_)) | Err(_)) | None => break,
                    Some(Ok(_)) => continue,
                },
            };
            if write_frame(&mut to_server, &body).and_then(|()| to_server.flush()).is_err() {
                break;
            }
        }
        // Closing the pipe tells the session its client is gone.
        drop(to_server);
    };
    futures_util::future::join(to_client, from_client).await;
    if let Ok(session) = session {
        let _ = session.join();
    }
}
