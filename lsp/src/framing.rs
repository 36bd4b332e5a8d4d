//! The server's stdio, checked frame by frame around tower-lsp. Its decoder
//! stops for good at the first body that is not JSON (the framed stream it
//! reads ends after an error), so one bad message would end the session.
//! Here a frame that cannot be read is answered with JSON-RPC's Parse error
//! (-32700, id null) and never reaches the server; the session goes on.
//! Both the server's messages and those answers go out through one writer,
//! whole frames at a time, through a bounded queue. The framing is DAP's and
//! LSP's alike: one bounded, resynchronising reader (wasmscope-dap's codec)
//! serves both.

use std::io::{Read, Write};
use std::sync::mpsc::{SyncSender, sync_channel};

use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream};
use tokio::runtime::Handle;
use wasmscope_dap::codec::{FrameError, FrameReader, write_frame};

/// Bytes in flight between the threads and the server.
const PIPE: usize = 1 << 20;
/// Messages queued for the client before the server waits.
const OUTGOING: usize = 64;
/// JSON-RPC's code for a message that is not JSON.
const PARSE_ERROR: i64 = -32700;

/// The server's two ends: what it reads (checked frames of `input`) and
/// what it writes (sent to `output` with the answers to bad frames).
pub fn checked_stdio(
    input: impl Read + Send + 'static,
    output: impl Write + Send + 'static,
    runtime: &Handle,
) -> (DuplexStream, DuplexStream) {
    let (to_client, outgoing) = sync_channel::<Vec<u8>>(OUTGOING);
    spawn("wasmscope-lsp-writer", move || write_all(outgoing, output));
    let (server_reads, our_writes) = tokio::io::duplex(PIPE);
    let (server_writes, our_reads) = tokio::io::duplex(PIPE);
    let (handle, answers) = (runtime.clone(), to_client.clone());
    spawn("wasmscope-lsp-reader", move || read_input(input, our_writes, &handle, &answers));
    let handle = runtime.clone();
    spawn("wasmscope-lsp-output", move || {
        let mut frames = FrameReader::new(BlockingRead { stream: our_reads, runtime: handle });
        while let Ok(Some(body)) = frames.read_frame() {
            if to_client.send(body).is_err() {
                return;
            }
        }
    });
    (server_reads, server_writes)
}

fn spawn(name: &str, work: impl FnOnce() + Send + 'static) {
    let _ = std::thread::Builder::new().name(name.into()).spawn(work);
}

fn write_all(outgoing: std::sync::mpsc::Receiver<Vec<u8>>, mut output: impl Write) {
    for body in outgoing {
        if write_frame(&mut output, &body).and_then(|()| output.flush()).is_err() {
            return;
        }
    }
}

/// Forwards `input`'s readable frames to the server; answers the others.
fn read_input(input: impl Read, mut server: DuplexStream, runtime: &Handle, answers: &SyncSender<Vec<u8>>) {
    let mut frames = FrameReader::new(input);
    loop {
        let reason = match frames.read_frame() {
            Ok(Some(body)) if serde_json::from_slice::<serde::de::IgnoredAny>(&body).is_ok() => {
                let mut framed = Vec::with_capacity(body.len() + 32);
                if write_frame(&mut framed, &body).is_err() || runtime.block_on(server.write_all(&framed)).is_err() {
                    return;
                }
                continue;
            }
            Ok(Some(_)) => "the message body is not JSON".to_owned(),
            Ok(None) => return,
            Err(error) => {
                let _ = answers.send(parse_error(&describe(&error)));
                if !error.is_recoverable() {
                    return;
                }
                continue;
            }
        };
        if answers.send(parse_error(&reason)).is_err() {
            return;
        }
    }
}

fn describe(error: &FrameError) -> String {
    match error {
        FrameError::NotDap => "the stream does not start with a Content-Length header".to_owned(),
        other => other.to_string(),
    }
}

fn parse_error(reason: &str) -> Vec<u8> {
    let message = serde_json::json!({
        "jsonrpc": "2.0",
        "id": null,
        "error": { "code": PARSE_ERROR, "message": format!("wasmscope: an unreadable message was dropped: {reason}") },
    });
    message.to_string().into_bytes()
}

/// The server's output, read from a plain thread.
struct BlockingRead {
    stream: DuplexStream,
    runtime: Handle,
}

impl Read for BlockingRead {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        self.runtime.block_on(self.stream.read(buffer))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_that_is_not_json_is_answered_and_the_stream_goes_on() {
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let input = b"Content-Length: 9\r\n\r\n{garbage}Content-Length: 2\r\n\r\n{}".to_vec();
        let (mut written, output) = std::io::pipe().unwrap();
        let (mut server_reads, server_writes) = checked_stdio(std::io::Cursor::new(input), output, runtime.handle());
        let mut forwarded = Vec::new();
        runtime.block_on(server_reads.read_to_end(&mut forwarded)).unwrap();
        assert_eq!(forwarded, b"Content-Length: 2\r\n\r\n{}", "only the readable frame reaches the server");
        drop(server_writes);
        let mut answered = String::new();
        written.read_to_string(&mut answered).unwrap();
        assert!(answered.contains("\"code\":-32700") && answered.contains("not JSON"), "{answered}");
    }
}
