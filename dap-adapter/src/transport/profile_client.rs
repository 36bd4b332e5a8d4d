//! `wasmscope profile --connect ws://HOST:PORT`: asks a server's agent for a
//! live profile and adds up the chunks it streams. Whatever ends the
//! profile early (the server going away, Ctrl-C, a silent agent), what came
//! is kept and the outcome says why it is short.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use futures_util::{SinkExt as _, StreamExt as _};
use tokio_tungstenite::tungstenite::Message;
use wasmscope_profiler::{LiveCollector, LiveEnd, LiveRequest};

use super::connect::{ConnectError, handshake};
use super::live_profiling::{LiveMessage, PROFILE_PATH};

/// How long past the profile's own duration a silent agent is waited for.
const GRACE: Duration = Duration::from_secs(30);

/// What a live profile brought back.
#[derive(Debug, Default)]
pub struct RemoteProfile {
    pub collector: LiveCollector,
    /// The agent's end message, when the profile ran its course.
    pub end: Option<LiveEnd>,
    /// Why the profile is shorter than asked, when it is.
    pub cut_short: Option<String>,
}

/// Profiles the server whose agent is at `url` (`ws://` or `wss://`, its
/// path ignored) as `request` says; `stop` ends it early, keeping what came.
pub fn profile_remote(
    url: &str,
    token: &str,
    ca_file: Option<&std::path::Path>,
    request: &LiveRequest,
    stop: &AtomicBool,
) -> Result<RemoteProfile, ConnectError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|reason| ConnectError::Unreachable { address: url.to_owned(), reason })?;
    let endpoint = profile_url(url)?;
    runtime.block_on(async {
        let socket = handshake(&endpoint, token, ca_file).await?;
        let (mut sink, mut stream) = socket.split();
        let first = serde_json::to_string(request).unwrap_or_default();
        sink.send(Message::text(first)).await.map_err(|e| ConnectError::NotAnAgent(url.to_owned(), e.to_string()))?;
        let mut outcome = RemoteProfile::default();
        let deadline = tokio::time::Instant::now() + Duration::from_secs_f64(request.seconds) + GRACE;
        loop {
            let next = tokio::select! {
                next = tokio::time::timeout_at(deadline, stream.next()) => next,
                () = until_set(stop) => {
                    outcome.cut_short = Some("interrupted".into());
                    let _ = sink.close().await;
                    return Ok(outcome);
                }
            };
            let message = match next {
                Err(_) => {
                    outcome.cut_short = Some("the agent went silent".into());
                    return Ok(outcome);
                }
                Ok(Some(Ok(Message::Text(text)))) => text,
                Ok(Some(Ok(Message::Close(_))) | None) => {
                    outcome.cut_short = Some("the server closed the connection".into());
                    return Ok(outcome);
                }
                Ok(Some(Err(error))) => {
                    outcome.cut_short = Some(format!("the connection broke ({error})"));
                    return Ok(outcome);
                }
                Ok(Some(Ok(_))) => continue,
            };
            match serde_json::from_str::<LiveMessage>(&message) {
                Ok(LiveMessage::Chunk(chunk)) => {
                    if let Err(problem) = outcome.collector.add(chunk) {
                        outcome.cut_short = Some(format!("the agent sent a malformed profile ({problem})"));
                        return Ok(outcome);
                    }
                }
                Ok(LiveMessage::End(end)) => {
                    outcome.end = Some(end);
                    let _ = sink.close().await;
                    return Ok(outcome);
                }
                Ok(LiveMessage::Error { message }) if outcome.collector.chunks() == 0 => {
                    return Err(ConnectError::Refused(message));
                }
                Ok(LiveMessage::Error { message }) => {
                    outcome.cut_short = Some(message);
                    return Ok(outcome);
                }
                Err(_) => {
                    return Err(ConnectError::NotAnAgent(url.to_owned(), "it answered with something else".into()));
                }
            }
        }
    })
}

/// The agent's profile endpoint for an agent URL.
fn profile_url(url: &str) -> Result<String, ConnectError> {
    let (scheme, rest) = url.split_once("://").ok_or_else(|| ConnectError::BadAddress(url.to_owned()))?;
    let authority = rest.split('/').next().unwrap_or_default();
    if authority.is_empty() || !matches!(scheme, "ws" | "wss") {
        return Err(ConnectError::BadAddress(url.to_owned()));
    }
    Ok(format!("{scheme}://{authority}{PROFILE_PATH}"))
}

async fn until_set(flag: &AtomicBool) {
    while !flag.load(Ordering::Relaxed) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_profile_endpoint_is_on_the_agents_address() {
        assert_eq!(profile_url("ws://127.0.0.1:9229").unwrap(), "ws://127.0.0.1:9229/profile");
        assert_eq!(profile_url("wss://h:1/anything").unwrap(), "wss://h:1/profile");
        assert!(profile_url("http://h:1").is_err());
        assert!(profile_url("ws://").is_err());
    }
}
