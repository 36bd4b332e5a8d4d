//! The guest's stdout and stderr sent to the debug session as they are
//! written (a DAP client shows them as output events), through the event
//! channel, so output and stops arrive in the order they happened.

use std::pin::Pin;
use std::sync::mpsc::Sender;
use std::task::{Context, Poll};

use tokio::io::AsyncWrite;
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};

use crate::debug_host::{DebuggeeEvent, OutputStream};

pub(crate) struct ChannelOutput {
    stream: OutputStream,
    events: Sender<DebuggeeEvent>,
}

impl ChannelOutput {
    pub(crate) fn new(stream: OutputStream, events: Sender<DebuggeeEvent>) -> Self {
        ChannelOutput { stream, events }
    }
}

impl IsTerminal for ChannelOutput {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for ChannelOutput {
    fn async_stream(&self) -> Box<dyn AsyncWrite + Send + Sync> {
        Box::new(ChannelWriter { stream: self.stream, events: self.events.clone() })
    }
}

struct ChannelWriter {
    stream: OutputStream,
    events: Sender<DebuggeeEvent>,
}

impl AsyncWrite for ChannelWriter {
    fn poll_write(self: Pin<&mut Self>, _: &mut Context<'_>, bytes: &[u8]) -> Poll<std::io::Result<usize>> {
        // A session that went away loses the output, not the guest.
        let _ = self.events.send(DebuggeeEvent::Output { stream: self.stream, bytes: bytes.to_vec() });
        Poll::Ready(Ok(bytes.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}
