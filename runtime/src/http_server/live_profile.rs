//! Live profiles of `wasmscope serve`, asked for through the agent: the
//! production engine goes on serving (no guest debugging, no restart), each
//! request's future is sampled under its route's tag on whichever thread
//! polls it, time in host calls is measured by a call hook on the request's
//! store, and about every second the samples are symbolized and handed over
//! as a chunk whose stacks are rooted at their route. One profile at a time.

use std::collections::HashMap;
use std::future::Future;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use wasmscope_debugger::symbols::WasmSymbols;
use wasmscope_profiler::{
    Frame, FrameCache, FrameKind, LiveChunk, LiveEnd, LiveProfiler, LiveRequest, Profile, ProfileMeta, RawFrame,
    RawProfile, RawSample, RoutePatterns, RouteTable, RouteTime, live_meta, symbolize_with,
};
use wasmtime::{CallHook, Store, StoreContextMut, WasmBacktrace};

use crate::host_data::HostData;
use crate::pc_map::PcMap;
use crate::program::ModuleStarts;
use crate::sampling::{period_of, raw_frames};
use crate::signal_sampler::live::{LiveSampling, Sampled};

/// How often a chunk goes to the client.
const CHUNK_EVERY: Duration = Duration::from_secs(1);
/// Raw paths whose route is remembered per profile.
const MAX_SEEN_PATHS: u64 = 4096;
/// How often the rings are drained in between.
const DRAIN_EVERY: Duration = Duration::from_millis(10);
/// One request in this many has its host calls timed (call hooks cost a
/// few percent of a cheap request); their time is scaled up by as much.
const HOST_TIMING_EVERY: u64 = 8;

/// The server's profiler, shared by the agent (which asks for profiles)
/// and the request runner (which asks whether one is on).
#[derive(Clone, Debug)]
pub struct ServerProfiler {
    state: Arc<ProfilerState>,
}

#[derive(Debug)]
struct ProfilerState {
    program: PathBuf,
    symbols: Arc<WasmSymbols>,
    /// Set once the server has compiled the component.
    code: OnceLock<(Arc<PcMap>, ModuleStarts)>,
    current: Mutex<Option<Arc<LiveSession>>>,
}

/// One live profile in progress.
#[derive(Debug)]
pub(super) struct LiveSession {
    sampling: Arc<LiveSampling>,
    period: Duration,
    starts: ModuleStarts,
    patterns: RoutePatterns,
    routes: Mutex<RouteTable>,
    /// Method → raw path → route id: a path seen before costs one lookup,
    /// not a new route name (the cheapest requests feel a per-request cost).
    seen: Mutex<HashMap<String, HashMap<String, u32>>>,
    seen_count: AtomicU64,
    /// Route → (requests finished, their wall time) since the last chunk.
    times: Mutex<HashMap<u32, (u64, Duration)>>,
    /// (route, stack) → sampling periods spent in host calls.
    host: Mutex<HashMap<(u32, Vec<RawFrame>), u64>>,
    /// Host-call time of every request not yet charged, in nanoseconds:
    /// each whole period is charged to the stack whose call completes it,
    /// so calls far shorter than a period are counted in proportion.
    host_debt: AtomicU64,
    unsampled: AtomicU64,
    /// Requests started, to pick those whose host calls are timed.
    started: AtomicU64,
    symbols_seen: Mutex<FrameCache>,
}

impl ServerProfiler {
    pub fn new(program: PathBuf, symbols: Arc<WasmSymbols>) -> Self {
        let state = ProfilerState { program, symbols, code: OnceLock::new(), current: Mutex::new(None) };
        ServerProfiler { state: Arc::new(state) }
    }

    /// The compiled component's code map, once the server has it.
    pub(super) fn set_code(&self, pc_map: PcMap, starts: ModuleStarts) {
        let _ = self.state.code.set((Arc::new(pc_map), starts));
    }

    /// The profile in progress, if any (a mutex read per request).
    pub(super) fn current(&self) -> Option<Arc<LiveSession>> {
        self.state.current.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

impl LiveSession {
    /// The route id of a request.
    pub(super) fn route(&self, method: &str, path: &str) -> u32 {
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(&id) = seen.get(method).and_then(|paths| paths.get(path)) {
            return id;
        }
        let name = self.patterns.route(method, path);
        let id = self.routes.lock().unwrap_or_else(|p| p.into_inner()).id(&name);
        // Bounded: a scan of random paths must not grow it without end.
        if self.seen_count.fetch_add(1, Ordering::Relaxed) < MAX_SEEN_PATHS {
            seen.entry(method.to_owned()).or_default().insert(path.to_owned(), id);
        }
        id
    }

    /// `future` (a request's guest), sampled as `route` wherever it runs.
    pub(super) fn sampled<F: Future>(&self, route: u32, future: F) -> Sampled<F> {
        Sampled::new(future, self.sampling.clone(), self.sampling.tag(route))
    }

    /// Charges the time `store`'s guest spends in host calls to its stack,
    /// for one request in `HOST_TIMING_EVERY` (scaled up by as much). A host
    /// call that calls back into Wasm (`cabi_realloc` to return a string)
    /// pauses its clock meanwhile: that Wasm is sampled as Wasm.
    pub(super) fn watch_host_calls(self: &Arc<Self>, store: &mut Store<HostData>, route: u32) {
        if !self.started.fetch_add(1, Ordering::Relaxed).is_multiple_of(HOST_TIMING_EVERY) {
            return;
        }
        let session = self.clone();
        // One entry per host call in progress: time so far, and since when
        // it runs host code (None while it is in Wasm it called).
        let mut calls: Vec<(Duration, Option<Instant>)> = Vec::new();
        store.call_hook(move |ctx: StoreContextMut<'_, HostData>, hook| {
            match hook {
                CallHook::CallingHost => calls.push((Duration::ZERO, Some(Instant::now()))),
                CallHook::CallingWasm => {
                    if let Some((spent, since)) = calls.last_mut()
                        && let Some(since) = since.take()
                    {
                        *spent += since.elapsed();
                    }
                }
                CallHook::ReturningFromWasm => {
                    if let Some((_, since)) = calls.last_mut() {
                        *since = Some(Instant::now());
                    }
                }
                CallHook::ReturningFromHost => {
                    let spent = calls.pop().map_or(Duration::ZERO, |(spent, since)| {
                        spent + since.map_or(Duration::ZERO, |since| since.elapsed())
                    });
                    let whole = session.charge_host(spent * HOST_TIMING_EVERY as u32);
                    if whole > 0 {
                        let frames = raw_frames(&WasmBacktrace::force_capture(&ctx), &session.starts);
                        if !frames.is_empty() {
                            *session
                                .host
                                .lock()
                                .unwrap_or_else(|p| p.into_inner())
                                .entry((route, frames))
                                .or_default() += whole;
                        }
                    }
                }
            }
            Ok(())
        });
    }

    /// Adds a host call's time to the debt; returns the whole periods it
    /// completes.
    fn charge_host(&self, spent: Duration) -> u64 {
        let period = self.period.as_nanos().max(1) as u64;
        let spent = u64::try_from(spent.as_nanos()).unwrap_or(u64::MAX);
        let mut debt = self.host_debt.load(Ordering::Relaxed);
        loop {
            let total = debt.saturating_add(spent);
            let whole = total / period;
            match self.host_debt.compare_exchange_weak(
                debt,
                total - whole * period,
                Ordering::Relaxed,
                Ordering::Relaxed,
            ) {
                Ok(_) => return whole,
                Err(now) => debt = now,
            }
        }
    }

    /// A request of `route` finished after `wall`.
    pub(super) fn finished(&self, route: u32, wall: Duration) {
        let mut times = self.times.lock().unwrap_or_else(|p| p.into_inner());
        let entry = times.entry(route).or_default();
        entry.0 += 1;
        entry.1 += wall;
    }

    /// A request ran where the profile cannot see it (under the debugger).
    pub(super) fn missed(&self) {
        self.unsampled.fetch_add(1, Ordering::Relaxed);
    }
}

impl LiveProfiler for ServerProfiler {
    fn profile(
        &self,
        request: &LiveRequest,
        stop: &AtomicBool,
        sink: &mut dyn FnMut(LiveChunk) -> bool,
    ) -> Result<LiveEnd, String> {
        request.check()?;
        let patterns = RoutePatterns::parse(&request.routes)?;
        let Some((pc_map, starts)) = self.state.code.get().cloned() else {
            return Err("the server is still compiling its component; try again in a moment".into());
        };
        let period = period_of(request.rate_hz);
        let session = Arc::new(LiveSession {
            sampling: Arc::new(LiveSampling::new(period, pc_map)),
            period,
            starts,
            patterns,
            routes: Mutex::new(RouteTable::default()),
            seen: Mutex::new(HashMap::new()),
            seen_count: AtomicU64::new(0),
            times: Mutex::default(),
            host: Mutex::default(),
            host_debt: AtomicU64::new(0),
            unsampled: AtomicU64::new(0),
            started: AtomicU64::new(0),
            symbols_seen: Mutex::default(),
        });
        {
            let mut current = self.state.current.lock().unwrap_or_else(|p| p.into_inner());
            if current.is_some() {
                return Err("a live profile of this server is already running; ask again when it ends".into());
            }
            *current = Some(session.clone());
        }
        // Whatever happens below, the server stops sampling.
        let _off = ProfileOff(&self.state);
        let started = Instant::now();
        let until = started + Duration::from_secs_f64(request.seconds);
        let mut native: HashMap<(u32, Vec<u64>), u64> = HashMap::new();
        let mut last_chunk = started;
        let mut outside = 0;
        let program = self.state.program.display().to_string();
        let chunk_meta =
            |duration, dropped_ticks| ProfileMeta { dropped_ticks, ..live_meta(&program, request, duration) };
        loop {
            let now = Instant::now();
            if now >= until {
                break;
            }
            std::thread::sleep(DRAIN_EVERY.min(until - now));
            if stop.load(Ordering::Relaxed) {
                session.sampling.stop(&mut HashMap::new());
                return Err("the client went away".into());
            }
            outside += session.sampling.drain(&mut native);
            if last_chunk.elapsed() >= CHUNK_EVERY {
                let meta = chunk_meta(last_chunk.elapsed(), std::mem::take(&mut outside));
                let chunk = self.chunk(&session, std::mem::take(&mut native), meta);
                last_chunk = Instant::now();
                if !sink(chunk) {
                    session.sampling.stop(&mut HashMap::new());
                    return Err("the client went away".into());
                }
            }
        }
        *self.state.current.lock().unwrap_or_else(|p| p.into_inner()) = None;
        outside += session.sampling.stop(&mut native);
        sink(self.chunk(&session, native, chunk_meta(last_chunk.elapsed(), outside)));
        Ok(LiveEnd {
            program,
            duration_seconds: started.elapsed().as_secs_f64(),
            threads: session.sampling.thread_count(),
            unsampled_requests: session.unsampled.load(Ordering::Relaxed),
        })
    }
}

/// Clears the server's current profile when a profile ends, however.
struct ProfileOff<'a>(&'a ProfilerState);

impl Drop for ProfileOff<'_> {
    fn drop(&mut self) {
        *self.0.current.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }
}

impl ServerProfiler {
    /// Symbolizes the samples of one chunk, each stack under its route.
    fn chunk(&self, session: &LiveSession, native: HashMap<(u32, Vec<u64>), u64>, meta: ProfileMeta) -> LiveChunk {
        let host = std::mem::take(&mut *session.host.lock().unwrap_or_else(|p| p.into_inner()));
        let mut per_route: HashMap<u32, Vec<RawSample>> = HashMap::new();
        for ((route, pcs), weight) in native {
            let frames = session.sampling.frames(&pcs);
            if !frames.is_empty() {
                per_route.entry(route).or_default().push(RawSample { frames, in_host: false, weight });
            }
        }
        for ((route, frames), weight) in host {
            per_route.entry(route).or_default().push(RawSample { frames, in_host: true, weight });
        }
        let routes = session.routes.lock().unwrap_or_else(|p| p.into_inner());
        let route_frame =
            |route: u32| Frame { name: routes.name(route).to_owned(), file: None, line: 0, kind: FrameKind::Route };
        let mut stacks = Vec::new();
        let mut seen = session.symbols_seen.lock().unwrap_or_else(|p| p.into_inner());
        for (route, samples) in per_route {
            let raw = RawProfile { samples, ..RawProfile::default() };
            let symbolized: Profile = symbolize_with(&raw, &self.state.symbols, &mut seen);
            let root = route_frame(route);
            stacks.extend(
                symbolized
                    .frame_stacks()
                    .map(|(frames, weight)| (std::iter::once(root.clone()).chain(frames).collect::<Vec<_>>(), weight)),
            );
        }
        let times = std::mem::take(&mut *session.times.lock().unwrap_or_else(|p| p.into_inner()));
        let routes = times
            .into_iter()
            .map(|(route, (requests, wall))| RouteTime {
                route: routes.name(route).to_owned(),
                requests,
                wall_seconds: wall.as_secs_f64(),
            })
            .collect();
        LiveChunk { profile: Profile::from_stacks(meta, stacks), routes }
    }
}
