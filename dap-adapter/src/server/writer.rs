//! The thread that writes to the client. The session never blocks on a slow
//! client: it queues frames here and goes on handling requests (a pause or
//! a disconnect is answered while a flood of output is still on its way).
//! The queue is bounded twice over: guest output carries credit of the run's
//! `OutputBudget`, given back once written, so the guest waits when the
//! client does not read; and a client that stops reading altogether, with
//! more than `MAX_QUEUED` bytes waiting, is cut off.

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::Duration;

use wasmscope_debugger::output_budget::OutputBudget;

use crate::codec::write_frame;
use crate::log::MessageLog;

/// Bytes queued for a client before it is taken to have stopped reading.
pub(crate) const MAX_QUEUED: usize = 64 * 1024 * 1024;

/// Output credit to give back once a frame is written.
pub(crate) type Credit = Option<(OutputBudget, usize)>;

struct Frame {
    bytes: Vec<u8>,
    credit: Credit,
}

pub(crate) struct FrameWriter {
    queue: Option<Sender<Frame>>,
    queued: Arc<AtomicUsize>,
    broken: Arc<AtomicBool>,
    done: Receiver<()>,
}

impl std::fmt::Debug for FrameWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FrameWriter").field("queued", &self.queued.load(Ordering::Relaxed)).finish_non_exhaustive()
    }
}

impl FrameWriter {
    pub(crate) fn spawn(mut output: Box<dyn Write + Send>, log: MessageLog) -> Self {
        let (queue, frames) = channel::<Frame>();
        let (finished, done) = channel();
        let queued = Arc::new(AtomicUsize::new(0));
        let broken = Arc::new(AtomicBool::new(false));
        let (thread_queued, thread_broken) = (queued.clone(), broken.clone());
        let spawned = std::thread::Builder::new().name("wasmscope-dap-writer".into()).spawn(move || {
            for frame in frames {
                if !thread_broken.load(Ordering::Relaxed)
                    && let Err(error) = write_frame(&mut output, &frame.bytes)
                {
                    log.line(&format!("the client's stream is closed: {error}"));
                    thread_broken.store(true, Ordering::Relaxed);
                }
                thread_queued.fetch_sub(frame.bytes.len(), Ordering::Relaxed);
                if let Some((budget, credit)) = frame.credit {
                    budget.release(credit);
                }
            }
            let _ = finished.send(());
        });
        if spawned.is_err() {
            broken.store(true, Ordering::Relaxed);
        }
        FrameWriter { queue: Some(queue), queued, broken, done }
    }

    /// Queues one frame; false when the client cannot take it (gone, or not
    /// reading: then the session should end).
    pub(crate) fn send(&self, bytes: Vec<u8>, credit: Credit) -> bool {
        let give_back = |credit: Credit| {
            if let Some((budget, credit)) = credit {
                budget.release(credit);
            }
        };
        if self.is_broken() {
            give_back(credit);
            return false;
        }
        if self.queued.fetch_add(bytes.len(), Ordering::Relaxed) + bytes.len() > MAX_QUEUED {
            self.queued.fetch_sub(bytes.len(), Ordering::Relaxed);
            self.broken.store(true, Ordering::Relaxed);
            give_back(credit);
            return false;
        }
        let length = bytes.len();
        match self.queue.as_ref().map(|queue| queue.send(Frame { bytes, credit })) {
            Some(Ok(())) => true,
            Some(Err(unsent)) => {
                self.queued.fetch_sub(length, Ordering::Relaxed);
                give_back(unsent.0.credit);
                self.broken.store(true, Ordering::Relaxed);
                false
            }
            None => {
                self.queued.fetch_sub(length, Ordering::Relaxed);
                false
            }
        }
    }

    /// The client is gone or has stopped reading.
    pub(crate) fn is_broken(&self) -> bool {
        self.broken.load(Ordering::Relaxed)
    }

    /// No more frames: waits up to `within` for the queued ones to be
    /// written (a client that reads too slowly is not waited for).
    pub(crate) fn finish(&mut self, within: Duration) {
        if self.queue.take().is_some() {
            let _ = self.done.recv_timeout(within);
        }
    }
}
