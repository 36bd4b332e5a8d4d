//! Sampling a running guest for the profiler: the options, how a sampled run
//! ends, and the parts both samplers share. Two samplers exist:
//! - `signal` (Linux x86_64/aarch64, the default there): a timer signal
//!   interrupts the guest thread and its handler walks Cranelift's frame
//!   pointers; no instrumentation, so Wasm runs at full speed;
//! - `epoch`: Wasmtime's epoch interruption; portable, safe code, but the
//!   epoch checks at every loop back-edge cost time, and samples land at the
//!   next check rather than at the running instruction.
//!
//! Both charge time inside host calls (WASI imports) to the calling stack,
//! measured with call hooks.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use wasmscope_profiler::{RawFrame, RawProfile};
use wasmtime::WasmBacktrace;

use crate::program::{ModuleStarts, core_module_index};
use wasmscope_debugger::target::GuestConfig;
use wasmscope_debugger::target::RunOutcome;

/// Enough for any real stack; wasmtime's default of 20 would cut them.
pub(crate) const MAX_FRAMES: usize = 4096;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SamplerKind {
    Signal,
    Epoch,
}

impl SamplerKind {
    /// The best sampler this platform has.
    pub fn platform_default() -> Self {
        if cfg!(all(target_os = "linux", any(target_arch = "x86_64", target_arch = "aarch64"))) {
            SamplerKind::Signal
        } else {
            SamplerKind::Epoch
        }
    }
}

/// Called from another thread with the profile so far when a signal-sampled
/// run is asked to stop and cannot be: Wasm without epochs, or a guest
/// blocked in a host call (reading stdin, say) that no epoch reaches.
#[derive(Clone)]
pub struct InterruptHook(pub Arc<dyn Fn(RawProfile, StopCause) + Send + Sync>);

/// Why a run was stopped before its end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopCause {
    /// `SamplingOptions::stop` was set (Ctrl-C).
    Asked,
    /// `SamplingOptions::max_duration` passed.
    Deadline,
}

/// How long a stop may take to reach a guest before the profile so far is
/// handed over instead (a guest blocked in a host call never reaches one).
pub(crate) const STOP_GRACE: Duration = Duration::from_millis(500);

impl std::fmt::Debug for InterruptHook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("InterruptHook")
    }
}

#[derive(Clone, Debug)]
pub struct SamplingOptions {
    pub rate_hz: u32,
    pub sampler: SamplerKind,
    /// Stop the guest after this long (the signal sampler then also turns on
    /// epoch checks, to be able to stop Wasm).
    pub max_duration: Option<Duration>,
    /// Set (e.g. on Ctrl-C) to stop and keep what was sampled.
    pub stop: Arc<AtomicBool>,
    /// With the signal sampler, what to do with the profile so far when
    /// `stop` is set while Wasm runs.
    pub on_interrupt: Option<InterruptHook>,
    /// Show elapsed time and samples on stderr when it is a terminal.
    pub progress: bool,
}

/// How the sampled run ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SampledEnd {
    /// The program ran to its end (exit or trap).
    Finished(RunOutcome),
    /// Stopped by `max_duration` or `stop`.
    Stopped,
}

/// Runs a WASI command to its end (or until stopped) while sampling it.
pub fn run_sampled(guest: &GuestConfig, options: &SamplingOptions) -> anyhow::Result<(SampledEnd, RawProfile)> {
    crate::stack_limits::on_a_stack_for(guest, || match options.sampler {
        SamplerKind::Epoch => crate::epoch_sampler::run_epoch_sampled(guest, options),
        #[cfg(all(target_os = "linux", any(target_arch = "x86_64", target_arch = "aarch64")))]
        SamplerKind::Signal => crate::signal_sampler::run_signal_sampled(guest, options),
        #[cfg(not(all(target_os = "linux", any(target_arch = "x86_64", target_arch = "aarch64"))))]
        SamplerKind::Signal => {
            anyhow::bail!("the signal sampler needs Linux on x86_64 or aarch64; use the epoch sampler")
        }
    })?
}

pub(crate) fn period_of(rate_hz: u32) -> Duration {
    Duration::from_secs_f64(1.0 / f64::from(rate_hz.max(1)))
}

/// Wall time spent in host calls, turned into whole sampling periods.
#[derive(Debug)]
pub(crate) struct HostClock {
    period: Duration,
    entered: Option<Instant>,
    carry: Duration,
}

impl HostClock {
    pub(crate) fn new(period: Duration) -> Self {
        HostClock { period, entered: None, carry: Duration::ZERO }
    }

    pub(crate) fn enter(&mut self) {
        self.entered = Some(Instant::now());
    }

    /// Forgets the current host call (it was the sampler's own work).
    pub(crate) fn discard(&mut self) {
        self.entered = None;
    }

    /// Ends a host call; returns how many whole periods are now due.
    pub(crate) fn leave(&mut self) -> u64 {
        let Some(entered) = self.entered.take() else {
            return 0;
        };
        self.carry += entered.elapsed();
        let whole = (self.carry.as_nanos() / self.period.as_nanos().max(1)) as u64;
        self.carry -= self.period * whole as u32;
        whole
    }
}

/// A backtrace as raw frames, innermost first; `starts` turns a
/// component's file offsets into module offsets.
pub(crate) fn raw_frames(backtrace: &WasmBacktrace, starts: &ModuleStarts) -> Vec<RawFrame> {
    backtrace
        .frames()
        .iter()
        .map(|f| {
            let module = core_module_index(f.module());
            RawFrame {
                module,
                function_index: f.func_index(),
                offset: f.module_offset().and_then(|o| starts.module_offset(module, o as u64)),
            }
        })
        .collect()
}

/// One status line on stderr, rewritten in place.
pub(crate) fn print_progress(elapsed: Duration, samples: u64) {
    #[allow(clippy::print_stderr)]
    {
        eprint!("\rprofiling: {:.1} s, {samples} samples (Ctrl-C stops and writes the profile)", elapsed.as_secs_f64());
    }
}

pub(crate) fn clear_progress() {
    #[allow(clippy::print_stderr)]
    {
        eprint!("\r\x1b[2K");
    }
}
