//! Profiling a running server through its agent: what a client asks for,
//! what the agent sends back (a symbolized chunk about every second, so a
//! profile cut short keeps what came), the trait a server implements, and
//! the collector that adds chunks up on either side.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::profile::{Profile, ProfileMeta};

/// The longest live profile, in seconds (an hour: longer is surely a
/// mistake, and the agent holds the profile in memory).
pub const MAX_LIVE_SECONDS: f64 = 3600.0;
/// The highest sampling rate a live profile may ask for.
pub const MAX_LIVE_RATE_HZ: u32 = 10_000;

/// What a client asks the agent for.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LiveRequest {
    pub seconds: f64,
    pub rate_hz: u32,
    /// Route patterns (see `RoutePatterns`), first match wins.
    #[serde(default)]
    pub routes: Vec<String>,
}

impl LiveRequest {
    /// The request's own errors, said as a user reads them.
    pub fn check(&self) -> Result<(), String> {
        if !self.seconds.is_finite() || self.seconds <= 0.0 || self.seconds > MAX_LIVE_SECONDS {
            return Err(format!("the duration must be above 0 and at most {MAX_LIVE_SECONDS} seconds"));
        }
        if self.rate_hz == 0 || self.rate_hz > MAX_LIVE_RATE_HZ {
            return Err(format!("the rate must be between 1 and {MAX_LIVE_RATE_HZ} samples per second"));
        }
        crate::route::RoutePatterns::parse(&self.routes).map(|_| ())
    }
}

/// Requests of one route finished during a chunk, and their wall time.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RouteTime {
    pub route: String,
    pub requests: u64,
    pub wall_seconds: f64,
}

/// What a server's profiler hands over about every second.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LiveChunk {
    /// Stacks rooted at their route (a `FrameKind::Route` frame).
    pub profile: Profile,
    pub routes: Vec<RouteTime>,
}

/// How a live profile ended.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LiveEnd {
    /// The program the server runs.
    pub program: String,
    pub duration_seconds: f64,
    /// Threads that ran Wasm while the profile was taken, all sampled.
    pub threads: u32,
    /// Requests the profile could not see (run under the debugger).
    pub unsampled_requests: u64,
}

/// A running server that can be profiled while it serves.
pub trait LiveProfiler: Send + Sync + std::fmt::Debug {
    /// Profiles for `request.seconds`, handing `sink` a chunk about every
    /// second; stops early when `sink` returns false or `stop` is set (its
    /// client is gone). An error is the request's (a bad pattern, a profile
    /// already running).
    fn profile(
        &self,
        request: &LiveRequest,
        stop: &std::sync::atomic::AtomicBool,
        sink: &mut dyn FnMut(LiveChunk) -> bool,
    ) -> Result<LiveEnd, String>;
}

/// Chunks added up into one profile, with wall time per route.
#[derive(Debug, Default)]
pub struct LiveCollector {
    profile: Option<Profile>,
    routes: BTreeMap<String, RouteTime>,
    chunks: u64,
    dropped_ticks: u64,
}

impl LiveCollector {
    /// Adds a chunk; a malformed one is refused and changes nothing.
    pub fn add(&mut self, chunk: LiveChunk) -> Result<(), String> {
        chunk.profile.check()?;
        self.chunks += 1;
        self.dropped_ticks += chunk.profile.meta.dropped_ticks;
        self.profile = Some(match self.profile.take() {
            Some(profile) => profile.merged(&chunk.profile),
            None => chunk.profile,
        });
        for time in chunk.routes {
            let total = self
                .routes
                .entry(time.route.clone())
                .or_insert_with(|| RouteTime { route: time.route.clone(), ..RouteTime::default() });
            total.requests += time.requests;
            total.wall_seconds += time.wall_seconds;
        }
        Ok(())
    }

    pub fn chunks(&self) -> u64 {
        self.chunks
    }

    /// The profile so far, with `meta` (program, rate, duration) and the
    /// chunks' dropped ticks.
    pub fn profile(&self, meta: ProfileMeta) -> Profile {
        let mut profile = self.profile.clone().unwrap_or_default();
        profile.meta = ProfileMeta { dropped_ticks: self.dropped_ticks, ..meta };
        profile
    }

    /// Wall time per route, most first.
    pub fn routes(&self) -> Vec<RouteTime> {
        let mut routes: Vec<RouteTime> = self.routes.values().cloned().collect();
        routes.sort_by(|a, b| b.wall_seconds.total_cmp(&a.wall_seconds).then_with(|| a.route.cmp(&b.route)));
        routes
    }
}

/// The meta of a live profile of `program`.
pub fn live_meta(program: &str, request: &LiveRequest, duration: Duration) -> ProfileMeta {
    ProfileMeta { program: program.to_owned(), requested_rate_hz: request.rate_hz, duration, dropped_ticks: 0 }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::{Frame, FrameKind};

    fn chunk(route: &str, leaf: &str, weight: u64, wall: f64) -> LiveChunk {
        let frame = |name: &str, kind| Frame { name: name.into(), file: None, line: 0, kind };
        LiveChunk {
            profile: Profile::from_stacks(
                ProfileMeta::default(),
                [(vec![frame(route, FrameKind::Route), frame(leaf, FrameKind::Function)], weight)],
            ),
            routes: vec![RouteTime { route: route.into(), requests: 1, wall_seconds: wall }],
        }
    }

    #[test]
    fn chunks_add_up_and_survive_a_round_trip_through_json() {
        let mut collector = LiveCollector::default();
        for chunk in [chunk("GET /a", "f", 3, 0.5), chunk("GET /b", "g", 1, 2.0), chunk("GET /a", "f", 2, 0.25)] {
            let text = serde_json::to_string(&chunk).unwrap();
            collector.add(serde_json::from_str(&text).unwrap()).unwrap();
        }
        let profile = collector.profile(ProfileMeta { program: "p".into(), ..ProfileMeta::default() });
        assert_eq!(profile.sample_count(), 6);
        assert_eq!(profile.meta.program, "p");
        let routes = collector.routes();
        assert_eq!(routes[0], RouteTime { route: "GET /b".into(), requests: 1, wall_seconds: 2.0 });
        assert_eq!(routes[1], RouteTime { route: "GET /a".into(), requests: 2, wall_seconds: 0.75 });
        let mut bad = chunk("GET /c", "h", 1, 0.0);
        bad.profile.stacks.push((vec![99], 1));
        assert!(collector.add(bad).is_err());
        assert_eq!(collector.chunks(), 3);
    }

    #[test]
    fn requests_are_checked() {
        let ok = LiveRequest { seconds: 5.0, rate_hz: 1000, routes: vec!["/hello/:name".into()] };
        assert!(ok.check().is_ok());
        assert!(LiveRequest { seconds: 0.0, ..ok.clone() }.check().is_err());
        assert!(LiveRequest { seconds: f64::NAN, ..ok.clone() }.check().is_err());
        assert!(LiveRequest { rate_hz: 20_000, ..ok.clone() }.check().is_err());
        assert!(LiveRequest { routes: vec!["nope".into()], ..ok }.check().is_err());
        assert!(serde_json::from_str::<LiveRequest>(r#"{"seconds":1,"rateHz":10,"extra":1}"#).is_err());
    }
}
