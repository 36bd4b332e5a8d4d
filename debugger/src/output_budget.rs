//! Back-pressure for the guest's output. Everything a guest prints travels
//! to a client that may read slowly (or not at all); without a bound the
//! queues between them grow without limit. The guest takes bytes from this
//! budget before it may write, and the transport gives them back once they
//! are on the wire: when `limit` bytes are in flight, the guest waits in its
//! write. Output is never dropped while someone listens.
//!
//! Two ways out of a wait, so the guest can always be stopped: `close` (the
//! session is gone: writes pass, and are dropped as nobody listens) and
//! `interrupt` (a pause or terminate must reach the guest, which only stops
//! once back in Wasm: one more write passes).

use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

/// Bytes of guest output in flight by default.
pub const DEFAULT_LIMIT: usize = 256 * 1024;

#[derive(Clone, Debug)]
pub struct OutputBudget(Arc<Inner>);

#[derive(Debug)]
struct Inner {
    limit: usize,
    state: Mutex<State>,
    freed: Condvar,
}

#[derive(Debug, Default)]
struct State {
    in_flight: usize,
    closed: bool,
    interrupted: bool,
    waiting: Vec<Waker>,
}

/// What a writer may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Grant {
    /// Send this many bytes (at most the asked-for amount), and have the
    /// receiver `release` them once delivered.
    Send(usize),
    /// Nobody listens any more: the output goes nowhere.
    Discard,
}

impl OutputBudget {
    pub fn new(limit: usize) -> Self {
        OutputBudget(Arc::new(Inner { limit: limit.max(1), state: Mutex::default(), freed: Condvar::new() }))
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.0.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// For an async writer: a grant, or `Pending` with the task woken when
    /// bytes are released.
    pub fn poll_take(&self, wanted: usize, context: &mut Context<'_>) -> Poll<Grant> {
        let mut state = self.state();
        match self.grant(&mut state, wanted) {
            Some(grant) => Poll::Ready(grant),
            None => {
                if !state.waiting.iter().any(|w| w.will_wake(context.waker())) {
                    state.waiting.push(context.waker().clone());
                }
                Poll::Pending
            }
        }
    }

    /// For a writer on a thread of its own: waits for a grant.
    pub fn take(&self, wanted: usize) -> Grant {
        let mut state = self.state();
        loop {
            if let Some(grant) = self.grant(&mut state, wanted) {
                return grant;
            }
            state = self.0.freed.wait(state).unwrap_or_else(|p| p.into_inner());
        }
    }

    /// Like [`take`](Self::take), for a message that cannot be cut (a
    /// logpoint's line): waits for room, then takes all of it.
    pub fn take_whole(&self, wanted: usize) -> Grant {
        let mut state = self.state();
        loop {
            if let Some(grant) = self.grant_whole(&mut state, wanted) {
                return grant;
            }
            state = self.0.freed.wait(state).unwrap_or_else(|p| p.into_inner());
        }
    }

    fn grant_whole(&self, state: &mut State, wanted: usize) -> Option<Grant> {
        match self.grant(state, 1)? {
            Grant::Discard => Some(Grant::Discard),
            Grant::Send(one) => {
                state.in_flight = state.in_flight - one + wanted;
                Some(Grant::Send(wanted))
            }
        }
    }

    fn grant(&self, state: &mut State, wanted: usize) -> Option<Grant> {
        if state.closed {
            return Some(Grant::Discard);
        }
        let room = self.0.limit.saturating_sub(state.in_flight);
        let granted = if room > 0 {
            wanted.min(room)
        } else if std::mem::take(&mut state.interrupted) {
            // One write past the limit lets the guest reach its next stop.
            wanted.min(self.0.limit)
        } else {
            return None;
        };
        state.in_flight += granted;
        Some(Grant::Send(granted))
    }

    /// Bytes taken earlier have reached the client.
    pub fn release(&self, bytes: usize) {
        let mut state = self.state();
        state.in_flight = state.in_flight.saturating_sub(bytes);
        self.wake_all(&mut state);
    }

    /// Nobody will receive more output: every wait ends, later writes are
    /// discarded.
    pub fn close(&self) {
        let mut state = self.state();
        state.closed = true;
        self.wake_all(&mut state);
    }

    /// A stop request must reach a guest that may be waiting in a write:
    /// let one write through.
    pub fn interrupt(&self) {
        let mut state = self.state();
        state.interrupted = true;
        self.wake_all(&mut state);
    }

    /// Bytes given out and not yet released.
    pub fn in_flight(&self) -> usize {
        self.state().in_flight
    }

    fn wake_all(&self, state: &mut State) {
        for waker in state.waiting.drain(..) {
            waker.wake();
        }
        self.0.freed.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn writers_wait_at_the_limit_until_bytes_are_released() {
        let budget = OutputBudget::new(10);
        assert_eq!(budget.take(6), Grant::Send(6));
        assert_eq!(budget.take(6), Grant::Send(4), "only what is left of the limit");
        let waiter = {
            let budget = budget.clone();
            std::thread::spawn(move || budget.take(3))
        };
        std::thread::sleep(Duration::from_millis(50));
        assert!(!waiter.is_finished(), "a writer at the limit waits");
        budget.release(5);
        assert_eq!(waiter.join().unwrap(), Grant::Send(3));
        assert_eq!(budget.in_flight(), 8);
    }

    #[test]
    fn a_whole_message_waits_for_room_then_goes_in_one_piece() {
        let budget = OutputBudget::new(10);
        assert_eq!(budget.take_whole(8), Grant::Send(8));
        assert_eq!(budget.take_whole(30), Grant::Send(30), "room left: all of it, past the limit");
        let waiter = {
            let budget = budget.clone();
            std::thread::spawn(move || budget.take_whole(5))
        };
        std::thread::sleep(Duration::from_millis(50));
        assert!(!waiter.is_finished());
        budget.release(38);
        assert_eq!(waiter.join().unwrap(), Grant::Send(5));
    }

    #[test]
    fn close_and_interrupt_end_a_wait() {
        let budget = OutputBudget::new(4);
        assert_eq!(budget.take(4), Grant::Send(4));
        budget.interrupt();
        assert_eq!(budget.take(2), Grant::Send(2), "one write passes an interrupt");
        let waiter = {
            let budget = budget.clone();
            std::thread::spawn(move || budget.take(1))
        };
        std::thread::sleep(Duration::from_millis(50));
        assert!(!waiter.is_finished(), "only one");
        budget.close();
        assert_eq!(waiter.join().unwrap(), Grant::Discard);
        assert_eq!(budget.take(100), Grant::Discard);
    }

    #[test]
    fn an_async_writer_is_woken_by_a_release() {
        struct Flag(std::sync::atomic::AtomicBool);
        impl std::task::Wake for Flag {
            fn wake(self: Arc<Self>) {
                self.0.store(true, std::sync::atomic::Ordering::SeqCst);
            }
        }
        let flag = Arc::new(Flag(false.into()));
        let waker = Waker::from(flag.clone());
        let mut context = Context::from_waker(&waker);
        let budget = OutputBudget::new(2);
        assert_eq!(budget.poll_take(2, &mut context), Poll::Ready(Grant::Send(2)));
        assert_eq!(budget.poll_take(1, &mut context), Poll::Pending);
        budget.release(1);
        assert!(flag.0.load(std::sync::atomic::Ordering::SeqCst));
        assert_eq!(budget.poll_take(1, &mut context), Poll::Ready(Grant::Send(1)));
    }
}
