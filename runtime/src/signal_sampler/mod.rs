//! The signal sampler: a timer sends SIGPROF to the guest's thread at the
//! sampling rate; the handler (native.rs) records the native return
//! addresses of the interrupted Wasm stack into a lock-free ring; a drainer
//! thread aggregates them while the guest runs. After the run, native
//! addresses are mapped to Wasm functions and offsets (pc_map.rs). The Wasm
//! code carries no instrumentation, so it runs at full speed; signals are
//! blocked during host calls, whose time call hooks measure instead.

pub(crate) mod live;
mod native;
mod ring;

use std::collections::HashMap;
use std::io::IsTerminal as _;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use wasmscope_profiler::{RawFrame, RawProfile, RawSample};
use wasmtime::{CallHook, Config, Engine, StoreContextMut, UpdateDeadline, WasmBacktrace};
use wasmtime_wasi::p1::WasiP1Ctx;

use self::native::{Activation, Shared, Timer, block_sigprof, stack_top};
use self::ring::Ring;
use crate::pc_map::PcMap;
use crate::program::{HasWasi, ModuleStarts, wasi_view};
use crate::sampling::{
    HostClock, MAX_FRAMES, STOP_GRACE, SampledEnd, SamplingOptions, StopCause, clear_progress, period_of,
    print_progress, raw_frames,
};
use crate::wasi_run::{instantiate_command, outcome_of};
use wasmscope_debugger::target::GuestConfig;
use wasmscope_debugger::target::{RunOutcome, TrapKind};

/// Ring size in words: seconds of samples at full depth between drains.
const RING_WORDS: usize = 1 << 21;
const DRAIN_EVERY: Duration = Duration::from_millis(5);

/// Stacks seen in host calls, shared with the drainer for interrupt snapshots.
type HostStacks = Arc<Mutex<HashMap<Vec<RawFrame>, u64>>>;

struct StoreData {
    wasi: WasiP1Ctx,
    host: HostClock,
    host_stacks: HostStacks,
    stop: Arc<AtomicBool>,
    deadline: Option<Instant>,
    stopped: bool,
    starts: ModuleStarts,
}

impl HasWasi for StoreData {
    fn wasi(&mut self) -> &mut WasiP1Ctx {
        &mut self.wasi
    }
}
wasi_view!(StoreData);

pub(crate) fn run_signal_sampled(
    guest: &GuestConfig,
    options: &SamplingOptions,
) -> anyhow::Result<(SampledEnd, RawProfile)> {
    let use_epochs = options.max_duration.is_some();
    let mut config = Config::new();
    config.epoch_interruption(use_epochs);
    config.wasm_backtrace_max_frames(std::num::NonZeroUsize::new(MAX_FRAMES));
    crate::stack_limits::configure_plain(&mut config, guest);
    crate::compile_cache::enable(&mut config);
    let engine = Engine::new(&config)?;
    let period = period_of(options.rate_hz);
    let host_stacks: HostStacks = Arc::default();
    let data = |wasi| StoreData {
        wasi,
        host: HostClock::new(period),
        host_stacks: host_stacks.clone(),
        stop: options.stop.clone(),
        deadline: options.max_duration.map(|d| Instant::now() + d),
        stopped: false,
        starts: ModuleStarts::default(),
    };
    let (mut store, start, program) = instantiate_command(&engine, guest, data, options.progress)?;
    store.data_mut().starts = program.module_starts();
    let pc_map = Arc::new(PcMap::new(&program));

    store.call_hook(|mut ctx: StoreContextMut<'_, StoreData>, hook| {
        match hook {
            CallHook::CallingHost => {
                block_sigprof(true);
                ctx.data_mut().host.enter();
            }
            CallHook::ReturningFromHost => {
                let whole = ctx.data_mut().host.leave();
                if whole > 0 {
                    let frames = raw_frames(&WasmBacktrace::force_capture(&ctx), &ctx.data().starts);
                    if !frames.is_empty() {
                        let stacks = ctx.data_mut().host_stacks.clone();
                        *stacks.lock().unwrap_or_else(|p| p.into_inner()).entry(frames).or_default() += whole;
                    }
                }
                block_sigprof(false);
            }
            _ => {}
        }
        Ok(())
    });
    if use_epochs {
        // Only to stop Wasm at --duration: checked every 50 ms.
        store.set_epoch_deadline(1);
        store.epoch_deadline_callback(|mut ctx: StoreContextMut<'_, StoreData>| {
            let data = ctx.data_mut();
            let stop = data.stop.load(Ordering::Relaxed) || data.deadline.is_some_and(|d| Instant::now() >= d);
            data.stopped |= stop;
            Ok(if stop { UpdateDeadline::Interrupt } else { UpdateDeadline::Continue(1) })
        });
    }

    let shared = Arc::new(Shared {
        text_start: pc_map.text_start,
        text_len: pc_map.text_len,
        stack_top: stack_top()?,
        tagged: false,
        functions: Vec::new(),
        ring: Ring::with_capacity(RING_WORDS),
        outside: AtomicU64::new(0),
        ticks: AtomicU64::new(0),
    });
    let finished = Arc::new(AtomicBool::new(false));
    let drainer = spawn_drainer(Drainer {
        shared: shared.clone(),
        finished: finished.clone(),
        engine: use_epochs.then(|| engine.clone()),
        stop: options.stop.clone(),
        deadline: options.max_duration.map(|d| Instant::now() + d),
        on_interrupt: options.on_interrupt.clone(),
        pc_map: pc_map.clone(),
        host_stacks: host_stacks.clone(),
        program: guest.program.display().to_string(),
        rate_hz: options.rate_hz,
        progress: options.progress && std::io::stderr().is_terminal(),
    });

    let started = Instant::now();
    let result = {
        let _active = Activation::new(&shared)?;
        let _timer = Timer::start(period)?;
        start.call(&mut store)
    };
    let duration = started.elapsed();
    finished.store(true, Ordering::Relaxed);
    let native_stacks = drainer.join().map_err(|_| anyhow::anyhow!("the sample drainer panicked"))?;

    let stopped = store.data().stopped;
    let end = match outcome_of(result, &program.module_starts())? {
        RunOutcome::Trapped { kind: TrapKind::Interrupted, .. } if stopped => SampledEnd::Stopped,
        other => SampledEnd::Finished(other),
    };
    let host = std::mem::take(&mut *host_stacks.lock().unwrap_or_else(|p| p.into_inner()));
    let mut raw = build_profile(&pc_map, &native_stacks, &host, guest.program.display().to_string(), options.rate_hz);
    raw.duration = duration;
    raw.dropped_ticks = shared.outside.load(Ordering::Relaxed) + shared.ring.overflowed.load(Ordering::Relaxed);
    Ok((end, raw))
}

struct Drainer {
    shared: Arc<Shared>,
    finished: Arc<AtomicBool>,
    /// Advanced every 50 ms when epochs are on (for --duration).
    engine: Option<Engine>,
    stop: Arc<AtomicBool>,
    deadline: Option<Instant>,
    on_interrupt: Option<crate::sampling::InterruptHook>,
    pc_map: Arc<PcMap>,
    host_stacks: HostStacks,
    program: String,
    rate_hz: u32,
    progress: bool,
}

/// Aggregates native stacks from the ring until the run finishes.
fn spawn_drainer(d: Drainer) -> std::thread::JoinHandle<HashMap<Vec<u64>, u64>> {
    std::thread::spawn(move || {
        let mut stacks: HashMap<Vec<u64>, u64> = HashMap::new();
        let mut samples = 0u64;
        let started = Instant::now();
        let (mut last_epoch, mut last_shown) = (started, started);
        let mut interrupted = false;
        let mut stop_since: Option<(Instant, StopCause)> = None;
        loop {
            let done = d.finished.load(Ordering::Relaxed);
            d.shared.ring.drain(|record| {
                *stacks.entry(record.to_vec()).or_default() += 1;
                samples += 1;
            });
            if done {
                break;
            }
            if let Some(engine) = &d.engine
                && last_epoch.elapsed() >= Duration::from_millis(50)
            {
                engine.increment_epoch();
                last_epoch = Instant::now();
            }
            if d.progress && last_shown.elapsed() >= Duration::from_millis(500) {
                print_progress(started.elapsed(), samples);
                last_shown = Instant::now();
            }
            if stop_since.is_none() {
                if d.stop.load(Ordering::Relaxed) {
                    stop_since = Some((Instant::now(), StopCause::Asked));
                } else if d.deadline.is_some_and(|deadline| Instant::now() >= deadline) {
                    stop_since = Some((Instant::now(), StopCause::Deadline));
                }
            }
            // Wasm cannot be stopped without epochs, and a guest blocked in a
            // host call is reached by none: hand over what we have; the hook
            // decides (the CLI writes it and exits).
            let grace = if d.engine.is_none() { Duration::ZERO } else { STOP_GRACE };
            if let Some((since, cause)) = stop_since
                && !interrupted
                && since.elapsed() >= grace
            {
                interrupted = true;
                if let Some(hook) = &d.on_interrupt {
                    let host = d.host_stacks.lock().unwrap_or_else(|p| p.into_inner()).clone();
                    let mut raw = build_profile(&d.pc_map, &stacks, &host, d.program.clone(), d.rate_hz);
                    raw.duration = started.elapsed();
                    (hook.0)(raw, cause);
                }
            }
            std::thread::sleep(DRAIN_EVERY);
        }
        if d.progress && last_shown > started {
            clear_progress();
        }
        stacks
    })
}

/// Maps native stacks to Wasm frames and merges in the host-call stacks.
fn build_profile(
    pc_map: &PcMap,
    native: &HashMap<Vec<u64>, u64>,
    host: &HashMap<Vec<RawFrame>, u64>,
    program: String,
    rate_hz: u32,
) -> RawProfile {
    let mut merged: HashMap<(Vec<RawFrame>, bool), u64> = HashMap::new();
    for (pcs, count) in native {
        let frames = pc_map.raw_frames(pcs);
        if !frames.is_empty() {
            *merged.entry((frames, false)).or_default() += count;
        }
    }
    for (frames, count) in host {
        *merged.entry((frames.clone(), true)).or_default() += count;
    }
    RawProfile {
        program,
        requested_rate_hz: rate_hz,
        samples: merged.into_iter().map(|((frames, in_host), weight)| RawSample { frames, in_host, weight }).collect(),
        ..RawProfile::default()
    }
}
