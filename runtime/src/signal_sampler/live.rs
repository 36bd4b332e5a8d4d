//! Live sampling of a server's request threads: while a live profile is on,
//! each thread that polls a sampled request gets a timer on its own CPU
//! clock (armed the first time it does, so every worker thread that runs
//! Wasm is covered, whichever the scheduler picks) and a ring of its own;
//! the thread's tag says which request's route a sample belongs to. The
//! profile's thread drains the rings. When the profile ends, the timers are
//! deleted: an idle server pays nothing.

use std::cell::Cell;
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use super::native::{Shared, Timer, activate_for_good, set_tag};
use super::ring::Ring;
use crate::pc_map::PcMap;
use wasmscope_profiler::RawFrame;

/// Ring size per thread, in words: a second of deep stacks at 10 kHz
/// between drains that come every few milliseconds.
const RING_WORDS: usize = 1 << 18;

/// Live profiles so far; a tag carries its profile's number in its high
/// half, so a stale sample of an earlier profile is told apart.
static GENERATION: AtomicU64 = AtomicU64::new(0);

thread_local! {
    /// The generation this thread's timer is armed for (0: none).
    static ARMED: Cell<u64> = const { Cell::new(0) };
    /// This thread's ring, made once and kept for the life of the process
    /// (the signal handler may still look at it after a profile ends).
    static THREAD_SHARED: Cell<Option<&'static Shared>> = const { Cell::new(None) };
}

/// One live profile's sampling.
pub(crate) struct LiveSampling {
    generation: u64,
    period: Duration,
    pc_map: Arc<PcMap>,
    threads: Mutex<Vec<(&'static Shared, Timer)>>,
    stopped: AtomicBool,
    armed: AtomicU32,
}

impl std::fmt::Debug for LiveSampling {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveSampling").field("generation", &self.generation).finish_non_exhaustive()
    }
}

impl LiveSampling {
    pub(crate) fn new(period: Duration, pc_map: Arc<PcMap>) -> Self {
        let generation = GENERATION.fetch_add(1, Ordering::Relaxed) + 1;
        LiveSampling {
            generation,
            period,
            pc_map,
            threads: Mutex::new(Vec::new()),
            stopped: AtomicBool::new(false),
            armed: AtomicU32::new(0),
        }
    }

    /// The tag of a sample taken for route `route`.
    pub(crate) fn tag(&self, route: u32) -> u64 {
        (self.generation << 32) | u64::from(route) | (1 << 31)
    }

    /// Threads sampled so far.
    pub(crate) fn thread_count(&self) -> u32 {
        self.armed.load(Ordering::Relaxed)
    }

    /// Samples this thread from now on (once per profile and thread).
    fn arm_this_thread(&self) {
        if ARMED.get() == self.generation || self.stopped.load(Ordering::Relaxed) {
            return;
        }
        ARMED.set(self.generation);
        let shared: &'static Shared = if let Some(shared) = THREAD_SHARED.get() {
            shared
        } else {
            let made: &'static Shared = Box::leak(Box::new(Shared {
                text_start: self.pc_map.text_start,
                text_len: self.pc_map.text_len,
                stack_top: 0,
                functions: self.pc_map.function_ranges(),
                tagged: true,
                ring: Ring::with_capacity(RING_WORDS),
                outside: AtomicU64::new(0),
                ticks: AtomicU64::new(0),
            }));
            THREAD_SHARED.set(Some(made));
            made
        };
        if activate_for_good(shared).is_err() {
            return;
        }
        // A failed timer leaves this thread unsampled; the profile says how
        // many threads it covered.
        let mut threads = self.threads.lock().unwrap_or_else(|p| p.into_inner());
        if !self.stopped.load(Ordering::Relaxed)
            && let Ok(timer) = Timer::start_cpu(self.period)
        {
            threads.push((shared, timer));
            self.armed.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Ends the sampling: no thread is armed any more, and the timers
    /// stop (requests still running keep their `Sampled` wrapper, idle).
    /// Returns what the rings still held.
    pub(crate) fn stop(&self, into: &mut HashMap<(u32, Vec<u64>), u64>) -> u64 {
        self.stopped.store(true, Ordering::Relaxed);
        let outside = self.drain(into);
        // Timers deleted here; the rings are drained once more for the
        // samples taken meanwhile.
        let threads = std::mem::take(&mut *self.threads.lock().unwrap_or_else(|p| p.into_inner()));
        let rings: Vec<&'static Shared> = threads.into_iter().map(|(shared, _timer)| shared).collect();
        outside + rings.into_iter().map(|shared| self.drain_ring(shared, into)).sum::<u64>()
    }

    /// Moves every complete sample of this profile out of the rings:
    /// (route, native stack) → count. Also returns ticks outside Wasm.
    pub(crate) fn drain(&self, into: &mut HashMap<(u32, Vec<u64>), u64>) -> u64 {
        let threads = self.threads.lock().unwrap_or_else(|p| p.into_inner());
        threads.iter().map(|(shared, _)| self.drain_ring(shared, into)).sum()
    }

    fn drain_ring(&self, shared: &Shared, into: &mut HashMap<(u32, Vec<u64>), u64>) -> u64 {
        shared.ring.drain(|record| {
            if let Some((&tag, pcs)) = record.split_first()
                && tag >> 32 == self.generation
            {
                *into.entry(((tag & 0x7fff_ffff) as u32, pcs.to_vec())).or_default() += 1;
            }
        });
        shared.outside.swap(0, Ordering::Relaxed)
    }

    /// Wasm frames of a native stack, innermost first.
    pub(crate) fn frames(&self, pcs: &[u64]) -> Vec<RawFrame> {
        self.pc_map.raw_frames(pcs)
    }
}

impl Drop for LiveSampling {
    fn drop(&mut self) {
        // Deleting the timers stops the signals; the rings stay (see
        // THREAD_SHARED) and a late sample is dropped by its generation.
        self.threads.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }
}

/// A request's future, sampled under `tag` while it is polled.
pub(crate) struct Sampled<F> {
    inner: Pin<Box<F>>,
    sampling: Arc<LiveSampling>,
    tag: u64,
}

impl<F> Sampled<F> {
    pub(crate) fn new(inner: F, sampling: Arc<LiveSampling>, tag: u64) -> Self {
        Sampled { inner: Box::pin(inner), sampling, tag }
    }
}

impl<F: Future> Future for Sampled<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        self.sampling.arm_this_thread();
        let previous = set_tag(self.tag);
        let result = self.inner.as_mut().poll(cx);
        set_tag(previous);
        result
    }
}
