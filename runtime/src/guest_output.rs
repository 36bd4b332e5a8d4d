//! The guest's stdout and stderr sent to the debug session as they are
//! written (a DAP client shows them as output events), through the event
//! channel, so output and stops arrive in the order they happened. Each
//! write first takes its bytes from the session's `OutputBudget`: when the
//! client reads slowly, the guest waits in its write instead of queues
//! growing.

use std::pin::Pin;
use std::sync::mpsc::Sender;
use std::task::{Context, Poll};

use tokio::io::AsyncWrite;
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};

use wasmscope_debugger::output_budget::{Grant, OutputBudget};

use crate::debug_host::DebuggeeEvent;
use wasmscope_debugger::target::OutputStream;

pub(crate) struct ChannelOutput {
    stream: OutputStream,
    events: Sender<DebuggeeEvent>,
    budget: OutputBudget,
}

impl ChannelOutput {
    pub(crate) fn new(stream: OutputStream, events: Sender<DebuggeeEvent>, budget: OutputBudget) -> Self {
        ChannelOutput { stream, events, budget }
    }
}

impl IsTerminal for ChannelOutput {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for ChannelOutput {
    fn async_stream(&self) -> Box<dyn AsyncWrite + Send + Sync> {
        Box::new(ChannelWriter { stream: self.stream, events: self.events.clone(), budget: self.budget.clone() })
    }
}

struct ChannelWriter {
    stream: OutputStream,
    events: Sender<DebuggeeEvent>,
    budget: OutputBudget,
}

impl AsyncWrite for ChannelWriter {
    fn poll_write(self: Pin<&mut Self>, context: &mut Context<'_>, bytes: &[u8]) -> Poll<std::io::Result<usize>> {
        if bytes.is_empty() {
            return Poll::Ready(Ok(0));
        }
        match self.budget.poll_take(bytes.len(), context) {
            Poll::Pending => Poll::Pending,
            // A session that went away loses the output, not the guest.
            Poll::Ready(Grant::Discard) => Poll::Ready(Ok(bytes.len())),
            Poll::Ready(Grant::Send(granted)) => {
                let event = DebuggeeEvent::Output { stream: self.stream, bytes: bytes[..granted].to_vec() };
                if self.events.send(event).is_err() {
                    self.budget.release(granted);
                }
                Poll::Ready(Ok(granted))
            }
        }
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}
