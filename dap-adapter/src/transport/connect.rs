//! `wasmscope dap --connect ws://HOST:PORT`: a bridge from stdio (what IDEs
//! start adapters on, Content-Length frames) to a debugging agent (one DAP
//! message per WebSocket text frame), with the agent's token. The session
//! runs in the agent; the bridge only moves messages, bounded both ways.

use std::io::{BufReader, Read, Write};

use futures_util::{SinkExt as _, StreamExt as _};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
use tokio_tungstenite::tungstenite::http::HeaderValue;

use crate::codec::{FrameReader, write_frame};
use crate::log::MessageLog;

/// Messages on their way to the agent, at most.
const TO_AGENT_QUEUE: usize = 16;

/// Why the bridge could not start.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("`{0}` is not an agent address: write ws://HOST:PORT")]
    BadAddress(String),
    #[error("TLS: {0}")]
    Tls(String),
    #[error("cannot reach the agent at {address}: {reason}")]
    Unreachable { address: String, reason: std::io::Error },
    #[error("the agent refused the token (401): check --token-file or WASMSCOPE_TOKEN")]
    BadToken,
    #[error("the agent refused the connection ({0})")]
    Refused(String),
    #[error("no debugging agent answered at {0} (is it `wasmscope serve --debug-addr`?): {1}")]
    NotAnAgent(String, String),
}

/// Bridges `input`/`output` (Content-Length frames) to the agent at `url`
/// (`ws://` or `wss://`; for `wss://`, `ca_file` holds the certificates to
/// trust, else the web's roots) until either side closes.
pub fn connect(
    url: &str,
    token: &str,
    ca_file: Option<&std::path::Path>,
    input: impl Read + Send + 'static,
    mut output: impl Write + Send + 'static,
    log: &MessageLog,
) -> Result<(), ConnectError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|reason| ConnectError::Unreachable { address: url.to_owned(), reason })?;
    let socket = match runtime.block_on(handshake(url, token, ca_file)) {
        Ok(socket) => socket,
        Err(error) => {
            // IDEs show an error response, not a process's stderr.
            refuse(input, &mut output, &error);
            return Err(error);
        }
    };
    log.line(&format!("connected to {url}"));
    runtime.block_on(bridge(socket, input, output, log))
}

/// A connection to the agent, with or without TLS.
pub(super) trait AgentStream: AsyncRead + AsyncWrite + Unpin + Send + 'static {}
impl<S: AsyncRead + AsyncWrite + Unpin + Send + 'static> AgentStream for S {}

pub(super) type AgentSocket = tokio_tungstenite::WebSocketStream<Box<dyn AgentStream>>;

/// Connects to the agent and passes its handshake with the token.
pub(super) async fn handshake(
    url: &str,
    token: &str,
    ca_file: Option<&std::path::Path>,
) -> Result<AgentSocket, ConnectError> {
    let (secure, rest) = match (url.strip_prefix("ws://"), url.strip_prefix("wss://")) {
        (Some(rest), _) => (false, rest),
        (_, Some(rest)) => (true, rest),
        _ => return Err(ConnectError::BadAddress(url.to_owned())),
    };
    let address = rest.split('/').next().unwrap_or_default().to_owned();
    if address.is_empty() {
        return Err(ConnectError::BadAddress(url.to_owned()));
    }
    // The certificates are read before connecting: a bad --ca-file is the
    // user's mistake whether or not the agent is up.
    let tls = match (secure, ca_file) {
        (true, _) => {
            let host = address.rsplit_once(':').map_or(address.as_str(), |(host, _)| host);
            let name = super::tls::server_name(host).map_err(ConnectError::Tls)?;
            Some((name, super::tls::client_config(ca_file).map_err(ConnectError::Tls)?))
        }
        (false, Some(_)) => {
            return Err(ConnectError::Tls(format!("--ca-file applies to wss:// agents, and `{url}` is not one")));
        }
        (false, None) => None,
    };
    {
        let stream = TcpStream::connect(&address)
            .await
            .map_err(|reason| ConnectError::Unreachable { address: address.clone(), reason })?;
        let _ = stream.set_nodelay(true);
        let stream: Box<dyn AgentStream> = match tls {
            Some((name, config)) => {
                let connector = tokio_rustls::TlsConnector::from(config);
                Box::new(connector.connect(name, stream).await.map_err(|e| ConnectError::Tls(e.to_string()))?)
            }
            None => Box::new(stream),
        };
        let mut request = url.into_client_request().map_err(|_| ConnectError::BadAddress(url.to_owned()))?;
        let bearer = HeaderValue::from_str(&format!("Bearer {}", token.trim()))
            .map_err(|_| ConnectError::Refused("the token has characters a header cannot carry".into()))?;
        request.headers_mut().insert("Authorization", bearer);
        let (socket, _) = match tokio_tungstenite::client_async(request, stream).await {
            Ok(connected) => connected,
            Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
                return Err(match response.status().as_u16() {
                    401 => ConnectError::BadToken,
                    403 => ConnectError::Refused("HTTP 403".into()),
                    status => ConnectError::NotAnAgent(url.to_owned(), format!("it answered HTTP {status}")),
                });
            }
            Err(other) => return Err(ConnectError::NotAnAgent(url.to_owned(), other.to_string())),
        };
        Ok(socket)
    }
}

/// Moves messages both ways until either side ends.
async fn bridge(
    socket: AgentSocket,
    input: impl Read + Send + 'static,
    mut output: impl Write + Send + 'static,
    log: &MessageLog,
) -> Result<(), ConnectError> {
    {
        let (mut sink, mut stream) = socket.split();
        // Frames from the IDE, read on a thread (stdin blocks).
        let (frames, mut to_agent) = tokio::sync::mpsc::channel::<Vec<u8>>(TO_AGENT_QUEUE);
        std::thread::Builder::new()
            .name("wasmscope-bridge-in".into())
            .spawn(move || {
                let mut reader = FrameReader::new(BufReader::new(input));
                while let Ok(Some(body)) = reader.read_frame() {
                    if frames.blocking_send(body).is_err() {
                        return;
                    }
                }
            })
            .map_err(|reason| ConnectError::Unreachable { address: "stdin".into(), reason })?;
        let upstream = async move {
            while let Some(body) = to_agent.recv().await {
                let body = launch_as_attach(body);
                if sink.send(Message::text(String::from_utf8_lossy(&body).into_owned())).await.is_err() {
                    break;
                }
            }
            let _ = sink.close().await;
        };
        let downstream = async move {
            while let Some(Ok(message)) = stream.next().await {
                let body = match message {
                    Message::Text(text) => text.as_bytes().to_vec(),
                    Message::Binary(bytes) => bytes.to_vec(),
                    Message::Close(_) => break,
                    _ => continue,
                };
                if write_frame(&mut output, &body).and_then(|()| output.flush()).is_err() {
                    break;
                }
            }
        };
        // Either side ending ends the bridge: the IDE sees its adapter exit.
        futures_util::future::select(Box::pin(upstream), Box::pin(downstream)).await;
        log.line("the bridge closed");
        Ok(())
    }
}

/// A `launch` whose arguments say `"request": "attach"` goes to the agent as
/// the `attach` it means: LSP4IJ starts adapter processes in launch mode
/// only, and passes the configuration through.
fn launch_as_attach(body: Vec<u8>) -> Vec<u8> {
    let Ok(mut message) = serde_json::from_slice::<serde_json::Value>(&body) else { return body };
    let meant_attach =
        message["type"] == "request" && message["command"] == "launch" && message["arguments"]["request"] == "attach";
    if !meant_attach {
        return body;
    }
    message["command"] = "attach".into();
    serde_json::to_vec(&message).unwrap_or(body)
}

/// Answers the IDE's first request with `error` (within a few seconds), so
/// the user reads why in the IDE.
fn refuse(input: impl Read + Send + 'static, output: &mut impl Write, error: &ConnectError) {
    let (first, arrived) = std::sync::mpsc::channel();
    let _ = std::thread::Builder::new().name("wasmscope-bridge-refuse".into()).spawn(move || {
        let mut reader = FrameReader::new(BufReader::new(input));
        if let Ok(Some(body)) = reader.read_frame() {
            let _ = first.send(body);
        }
    });
    let Ok(body) = arrived.recv_timeout(std::time::Duration::from_secs(5)) else { return };
    let crate::message::Incoming::Request(request) = crate::message::decode(&body) else { return };
    let response = crate::message::Response {
        seq: 1,
        kind: "response",
        request_seq: request.seq,
        success: false,
        command: request.command,
        message: Some(format!("wasmscope: {error}")),
        body: None,
    };
    if let Ok(bytes) = serde_json::to_vec(&response) {
        let _ = write_frame(output, &bytes).and_then(|()| output.flush());
    }
}
