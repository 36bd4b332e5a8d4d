//! The agent's profiling endpoints, next to its DAP sessions on the same
//! address and behind the same token:
//! - `GET /debug/pprof/profile?seconds=N[&hz=R]`: a gzipped pprof profile of
//!   the next N seconds (30 by default, at 100 Hz by default: Go's
//!   conventions, which `go tool pprof`, Grafana Alloy and Parca pull from);
//! - a WebSocket at `/profile`: the client's first message is a
//!   `LiveRequest`; the agent answers with a chunk about every second and an
//!   end (or an error), one JSON message per text frame, so a client that
//!   loses the connection keeps what came.

use std::sync::Arc;

use futures_util::{SinkExt as _, StreamExt as _};
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt as _};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use wasmscope_profiler::{
    LiveChunk, LiveCollector, LiveEnd, LiveProfiler, LiveRequest, MAX_LIVE_RATE_HZ, MAX_LIVE_SECONDS, live_meta,
    write_pprof,
};

use super::http_head::RequestHead;
use crate::log::MessageLog;

/// The pprof endpoint's path.
pub const PPROF_PATH: &str = "/debug/pprof/profile";
/// The live profile's WebSocket path.
pub const PROFILE_PATH: &str = "/profile";
/// Chunks on their way to a profiling client, at most.
const CHUNK_QUEUE: usize = 4;

/// One message from the agent to a profiling client (a WebSocket text
/// frame each).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub(crate) enum LiveMessage {
    Chunk(LiveChunk),
    End(LiveEnd),
    Error { message: String },
}

/// Answers a `GET` of the pprof endpoint (the request already holds the
/// token) on `stream`.
pub(crate) async fn serve_pprof<S: AsyncRead + AsyncWrite + Unpin>(
    mut stream: S,
    head: &RequestHead,
    profiler: Option<Arc<dyn LiveProfiler>>,
    log: &MessageLog,
) {
    let reply = match pprof_request(head) {
        Err(message) => text_reply(400, "Bad Request", &message),
        Ok(_) if head.method != "GET" => text_reply(405, "Method Not Allowed", "use GET"),
        Ok(request) => match profiler {
            None => text_reply(404, "Not Found", "this agent serves no profiles"),
            Some(profiler) => {
                log.line(&format!("pprof profile for {} s at {} Hz", request.seconds, request.rate_hz));
                let profiled = tokio::task::spawn_blocking(move || {
                    let mut collector = LiveCollector::default();
                    let never = std::sync::atomic::AtomicBool::new(false);
                    let end = profiler.profile(&request, &never, &mut |chunk| collector.add(chunk).is_ok());
                    end.map(|end| {
                        let duration = std::time::Duration::from_secs_f64(end.duration_seconds);
                        let profile = collector.profile(live_meta(&end.program, &request, duration));
                        let mut bytes = Vec::new();
                        write_pprof(&profile, &mut bytes).map(|()| bytes).map_err(|e| e.to_string())
                    })
                })
                .await;
                match profiled {
                    Ok(Ok(Ok(bytes))) => binary_reply(&bytes),
                    Ok(Ok(Err(error))) => text_reply(500, "Internal Server Error", &error),
                    Ok(Err(refused)) => text_reply(503, "Service Unavailable", &refused),
                    Err(panicked) => text_reply(500, "Internal Server Error", &panicked.to_string()),
                }
            }
        },
    };
    let _ = stream.write_all(&reply).await;
    let _ = stream.shutdown().await;
}

/// The profile a pprof URL asks for.
fn pprof_request(head: &RequestHead) -> Result<LiveRequest, String> {
    let seconds = match head.query_param("seconds") {
        None => 30.0,
        Some(text) => text.parse::<f64>().map_err(|_| format!("seconds={text} is not a number"))?,
    };
    let rate_hz = match head.query_param("hz") {
        None => 100,
        Some(text) => text.parse::<u32>().map_err(|_| format!("hz={text} is not a whole number"))?,
    };
    let request = LiveRequest { seconds, rate_hz, routes: Vec::new() };
    request.check().map_err(|e| format!("{e} (seconds ≤ {MAX_LIVE_SECONDS}, hz ≤ {MAX_LIVE_RATE_HZ})"))?;
    Ok(request)
}

/// A plain reply the endpoint's clients show (curl, `go tool pprof`).
pub(crate) fn text_reply(status: u16, reason: &str, text: &str) -> Vec<u8> {
    let body = format!("{text}\n");
    format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

fn binary_reply(bytes: &[u8]) -> Vec<u8> {
    let mut reply = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; \
         filename=\"profile\"\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        bytes.len()
    )
    .into_bytes();
    reply.extend_from_slice(bytes);
    reply
}

/// Streams a live profile to a WebSocket client whose first message asked
/// for it.
pub(crate) async fn serve_profile_stream<S: AsyncRead + AsyncWrite + Unpin>(
    socket: WebSocketStream<S>,
    first: Vec<u8>,
    profiler: Option<Arc<dyn LiveProfiler>>,
    log: &MessageLog,
) {
    let (mut sink, mut incoming) = socket.split();
    let send = |message: &LiveMessage| Message::text(serde_json::to_string(message).unwrap_or_default());
    let request = match serde_json::from_slice::<LiveRequest>(&first) {
        Ok(request) => request,
        Err(error) => {
            let message = format!("not a profile request: {error}");
            let _ = sink.send(send(&LiveMessage::Error { message })).await;
            return;
        }
    };
    let Some(profiler) = profiler else {
        let message = "this agent serves no profiles".to_owned();
        let _ = sink.send(send(&LiveMessage::Error { message })).await;
        return;
    };
    log.line(&format!("live profile for {} s at {} Hz", request.seconds, request.rate_hz));
    let (chunks, mut outgoing) = tokio::sync::mpsc::channel::<LiveChunk>(CHUNK_QUEUE);
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stopped = stop.clone();
    let profiling = tokio::task::spawn_blocking(move || {
        // A full queue waits for the client; a closed one ends the profile.
        profiler.profile(&request, &stopped, &mut |chunk| chunks.blocking_send(chunk).is_ok())
    });
    let mut client_gone = false;
    loop {
        tokio::select! {
            chunk = outgoing.recv() => match chunk {
                Some(chunk) => {
                    if sink.send(send(&LiveMessage::Chunk(chunk))).await.is_err() {
                        client_gone = true;
                        break;
                    }
                }
                None => break,
            },
            message = incoming.next() => match message {
                Some(Ok(Message::Close(_)) | Err(_)) | None => {
                    client_gone = true;
                    break;
                }
                Some(Ok(_)) => {}
            },
        }
    }
    // The profile stops at its next look at `stop` (or a closed queue).
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    drop(outgoing);
    let ended = profiling.await;
    if client_gone {
        return log.line("live profile: the client went away");
    }
    let last = match ended {
        Ok(Ok(end)) => LiveMessage::End(end),
        Ok(Err(message)) => LiveMessage::Error { message },
        Err(panicked) => LiveMessage::Error { message: panicked.to_string() },
    };
    let _ = sink.send(send(&last)).await;
    let _ = sink.close().await;
}
