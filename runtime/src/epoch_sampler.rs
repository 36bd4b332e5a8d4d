//! The epoch sampler: a timer thread advances the engine's epoch every
//! period, and the epoch callback, which runs on the guest's own thread at
//! the next epoch check, records the Wasm stack as raw offsets.
//!
//! Accuracy: epoch checks sit at function entries and loop back-edges, so a
//! sample lands at the next check after the tick (a bias toward loop heads
//! and calls, not toward a function). Cost: the checks themselves, present
//! whether or not a tick is due.

use std::collections::HashMap;
use std::io::IsTerminal as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use wasmscope_profiler::{RawFrame, RawProfile, RawSample};
use wasmtime::{CallHook, Config, Engine, StoreContextMut, UpdateDeadline, WasmBacktrace};
use wasmtime_wasi::p1::WasiP1Ctx;

use crate::program::{HasWasi, ModuleStarts, wasi_view};
use crate::sampling::{
    HostClock, MAX_FRAMES, SampledEnd, SamplingOptions, clear_progress, period_of, print_progress, raw_frames,
};
use crate::wasi_run::{instantiate_command, outcome_of};
use wasmscope_debugger::target::GuestConfig;
use wasmscope_debugger::target::{RunOutcome, TrapKind};

struct SamplerData {
    wasi: WasiP1Ctx,
    stacks: HashMap<(Vec<RawFrame>, bool), u64>,
    host: HostClock,
    /// The current "host call" is wasmtime running our epoch callback, not
    /// an import: its time is the sampler's, not the guest's.
    in_epoch_callback: bool,
    samples: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    deadline: Option<Instant>,
    stopped: bool,
    starts: ModuleStarts,
}

impl HasWasi for SamplerData {
    fn wasi(&mut self) -> &mut WasiP1Ctx {
        &mut self.wasi
    }
}
wasi_view!(SamplerData);

impl SamplerData {
    fn record(&mut self, backtrace: &WasmBacktrace, in_host: bool, weight: u64) {
        let frames: Vec<RawFrame> = raw_frames(backtrace, &self.starts);
        if frames.is_empty() {
            return;
        }
        *self.stacks.entry((frames, in_host)).or_default() += weight;
        self.samples.fetch_add(weight, Ordering::Relaxed);
    }

    fn should_stop(&mut self) -> bool {
        let stop = self.stop.load(Ordering::Relaxed) || self.deadline.is_some_and(|d| Instant::now() >= d);
        self.stopped |= stop;
        stop
    }
}

pub(crate) fn run_epoch_sampled(
    guest: &GuestConfig,
    options: &SamplingOptions,
) -> anyhow::Result<(SampledEnd, RawProfile)> {
    let mut config = Config::new();
    config.epoch_interruption(true);
    config.wasm_backtrace_max_frames(std::num::NonZeroUsize::new(MAX_FRAMES));
    crate::stack_limits::configure_plain(&mut config, guest);
    crate::compile_cache::enable(&mut config);
    let engine = Engine::new(&config)?;
    let period = period_of(options.rate_hz);
    let samples = Arc::new(AtomicU64::new(0));
    let stop = options.stop.clone();
    let deadline = options.max_duration.map(|d| Instant::now() + d);
    let data = |wasi| SamplerData {
        wasi,
        stacks: HashMap::new(),
        host: HostClock::new(period),
        in_epoch_callback: false,
        samples: samples.clone(),
        stop: stop.clone(),
        deadline,
        stopped: false,
        starts: ModuleStarts::default(),
    };
    let (mut store, start, program) = instantiate_command(&engine, guest, data, options.progress)?;
    store.data_mut().starts = program.module_starts();
    store.set_epoch_deadline(1);
    store.epoch_deadline_callback(|mut ctx: StoreContextMut<'_, SamplerData>| {
        ctx.data_mut().in_epoch_callback = true;
        if ctx.data_mut().should_stop() {
            return Ok(UpdateDeadline::Interrupt);
        }
        let backtrace = WasmBacktrace::force_capture(&ctx);
        ctx.data_mut().record(&backtrace, false, 1);
        Ok(UpdateDeadline::Continue(1))
    });
    store.call_hook(|mut ctx: StoreContextMut<'_, SamplerData>, hook| {
        match hook {
            CallHook::CallingHost => ctx.data_mut().host.enter(),
            CallHook::ReturningFromHost => {
                let data = ctx.data_mut();
                if std::mem::take(&mut data.in_epoch_callback) {
                    data.host.discard();
                }
                let whole = data.host.leave();
                if whole > 0 {
                    let backtrace = WasmBacktrace::force_capture(&ctx);
                    ctx.data_mut().record(&backtrace, true, whole);
                }
                // Ticks that passed in the host were charged above; do not
                // charge them again to the next Wasm instruction.
                ctx.set_epoch_deadline(1);
            }
            _ => {}
        }
        Ok(())
    });

    let started = Instant::now();
    let finished = Arc::new(AtomicBool::new(false));
    let ticks = Arc::new(AtomicU64::new(0));
    let ticker =
        spawn_ticker(engine.clone(), period, finished.clone(), ticks.clone(), samples.clone(), options.progress);
    let result = start.call(&mut store);
    let duration = started.elapsed();
    finished.store(true, Ordering::Relaxed);
    let _ = ticker.join();

    let stopped = store.data().stopped;
    let outcome = outcome_of(result, &program.module_starts())?;
    let end = match outcome {
        RunOutcome::Trapped { kind: TrapKind::Interrupted, .. } if stopped => SampledEnd::Stopped,
        other => SampledEnd::Finished(other),
    };
    let data = store.into_data();
    let recorded: u64 = data.stacks.values().sum();
    let raw = RawProfile {
        program: guest.program.display().to_string(),
        requested_rate_hz: options.rate_hz,
        duration,
        dropped_ticks: ticks.load(Ordering::Relaxed).saturating_sub(recorded),
        samples: data
            .stacks
            .into_iter()
            .map(|((frames, in_host), weight)| RawSample { frames, in_host, weight })
            .collect(),
    };
    Ok((end, raw))
}

fn spawn_ticker(
    engine: Engine,
    period: Duration,
    finished: Arc<AtomicBool>,
    ticks: Arc<AtomicU64>,
    samples: Arc<AtomicU64>,
    progress: bool,
) -> std::thread::JoinHandle<()> {
    let show = progress && std::io::stderr().is_terminal();
    std::thread::spawn(move || {
        let started = Instant::now();
        let mut next = started + period;
        let mut last_shown = started;
        while !finished.load(Ordering::Relaxed) {
            // Sleep to an absolute schedule so oversleeping does not drift.
            let now = Instant::now();
            if next > now {
                std::thread::sleep(next - now);
            }
            next += period;
            engine.increment_epoch();
            ticks.fetch_add(1, Ordering::Relaxed);
            if show && last_shown.elapsed() >= Duration::from_millis(500) {
                last_shown = Instant::now();
                print_progress(started.elapsed(), samples.load(Ordering::Relaxed));
            }
        }
        if show && last_shown > started {
            clear_progress();
        }
    })
}
