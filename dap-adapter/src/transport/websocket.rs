//! The WebSocket transport: one DAP message per text frame (what the
//! remote agent and browser-hosted clients speak). Each connection is
//! bridged to the same stream-based session as stdio and TCP: frames in
//! become Content-Length frames on a pipe into `serve`, and what `serve`
//! writes is cut back into one text frame per message.

use std::io::{BufReader, Write as _};
use std::net::Ipv4Addr;

use futures_util::{SinkExt as _, StreamExt as _};
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::Message;

use crate::codec::{FrameReader, write_frame};
use crate::log::MessageLog;

/// A bound WebSocket listener, before it serves (so callers learn the port
/// first).
#[derive(Debug)]
pub struct WebSocketListener {
    listener: TcpListener,
    runtime: tokio::runtime::Runtime,
}

impl WebSocketListener {
    /// Binds 127.0.0.1:`port` (0 picks a free port).
    pub fn bind(port: u16) -> std::io::Result<Self> {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_io().build()?;
        let listener = runtime.block_on(TcpListener::bind((Ipv4Addr::LOCALHOST, port)))?;
        Ok(WebSocketListener { listener, runtime })
    }

    pub fn port(&self) -> std::io::Result<u16> {
        Ok(self.listener.local_addr()?.port())
    }

    /// Serves sessions one after another, forever.
    pub fn serve(self, log: &MessageLog) -> std::io::Result<()> {
        let WebSocketListener { listener, runtime } = self;
        runtime.block_on(async {
            loop {
                let (stream, peer) = listener.accept().await?;
                let _ = stream.set_nodelay(true);
                match tokio_tungstenite::accept_async(stream).await {
                    Ok(socket) => {
                        log.line(&format!("websocket session from {peer}"));
                        bridge(socket, log.clone()).await;
                        log.line("websocket session ended");
                    }
                    Err(error) => log.line(&format!("websocket handshake with {peer} failed: {error}")),
                }
            }
        })
    }
}

async fn bridge(socket: tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>, log: MessageLog) {
    let Ok((server_in, mut to_server)) = std::io::pipe() else { return };
    let Ok((from_server, server_out)) = std::io::pipe() else { return };
    let session = std::thread::Builder::new().name("wasmscope-dap-ws-session".into()).spawn(move || crate::serve(server_in, server_out, log));
    // The session writes frames on a blocking pipe; a thread cuts them into
    // messages for the async side.
    let (messages, mut outgoing) = tokio::sync::mpsc::unbounded_channel::<Vec<u8>>();
    std::thread::Builder::new()
        .name("wasmscope-dap-ws-out".into())
        .spawn(move || {
            let mut reader = FrameReader::new(BufReader::new(from_server));
            while let Ok(Some(body)) = reader.read_frame() {
                if messages.send(body).is_err() {
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
        while let Some(Ok(message)) = stream.next().await {
            let body = match message {
                Message::Text(text) => text.as_bytes().to_vec(),
                Message::Binary(bytes) => bytes.to_vec(),
                Message::Close(_) => break,
                _ => continue,
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
