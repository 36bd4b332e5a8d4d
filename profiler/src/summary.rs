//! The one-line summary printed after a run.

use std::collections::HashMap;
use std::fmt;

use crate::live::RouteTime;
use crate::profile::{FrameKind, Profile};

/// Routes named in the summary line (the busiest).
const MAX_ROUTES_SHOWN: usize = 5;

#[derive(Debug)]
pub struct Summary {
    pub samples: u64,
    pub requested_rate_hz: u32,
    pub achieved_rate_hz: f64,
    pub dropped_ticks: u64,
    /// Functions by self samples (leaf frames), most first, with percent.
    pub top: Vec<(String, f64)>,
    /// A live profile's routes: share of samples, requests and wall time.
    pub routes: Vec<RouteShare>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RouteShare {
    pub route: String,
    pub percent: f64,
    pub requests: u64,
    pub wall_seconds: f64,
}

impl Summary {
    pub fn new(profile: &Profile, top: usize) -> Self {
        let samples = profile.sample_count();
        let mut self_samples: HashMap<&str, u64> = HashMap::new();
        for (stack, weight) in &profile.stacks {
            if let Some(&leaf) = stack.last() {
                *self_samples.entry(&profile.frames[leaf].name).or_default() += weight;
            }
        }
        let mut ranked: Vec<(&str, u64)> = self_samples.into_iter().collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let percent = |n: u64| {
            if samples == 0 { 0.0 } else { 100.0 * n as f64 / samples as f64 }
        };
        Summary {
            samples,
            requested_rate_hz: profile.meta.requested_rate_hz,
            achieved_rate_hz: profile.meta.achieved_rate_hz(samples),
            dropped_ticks: profile.meta.dropped_ticks,
            top: ranked.into_iter().take(top).map(|(name, n)| (name.to_owned(), percent(n))).collect(),
            routes: Vec::new(),
        }
    }

    /// Adds the routes of a live profile: each route's share of the samples
    /// (stacks rooted at it) next to its requests and wall time.
    pub fn with_routes(mut self, profile: &Profile, times: &[RouteTime]) -> Self {
        let mut samples: HashMap<&str, u64> = HashMap::new();
        for (stack, weight) in &profile.stacks {
            if let Some(root) = stack.first().map(|&i| &profile.frames[i])
                && root.kind == FrameKind::Route
            {
                *samples.entry(&root.name).or_default() += weight;
            }
        }
        let total = self.samples.max(1) as f64;
        let mut routes: Vec<RouteShare> = times
            .iter()
            .map(|t| RouteShare {
                route: t.route.clone(),
                percent: 100.0 * samples.get(t.route.as_str()).copied().unwrap_or(0) as f64 / total,
                requests: t.requests,
                wall_seconds: t.wall_seconds,
            })
            .collect();
        for (route, n) in samples {
            if !routes.iter().any(|r| r.route == route) {
                let percent = 100.0 * n as f64 / total;
                routes.push(RouteShare { route: route.to_owned(), percent, requests: 0, wall_seconds: 0.0 });
            }
        }
        routes.sort_by(|a, b| b.percent.total_cmp(&a.percent).then_with(|| a.route.cmp(&b.route)));
        self.routes = routes;
        self
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} samples at {:.0} Hz (requested {} Hz), {} dropped ticks; top:",
            self.samples, self.achieved_rate_hz, self.requested_rate_hz, self.dropped_ticks
        )?;
        for (i, (name, percent)) in self.top.iter().enumerate() {
            write!(f, "{} {name} {percent:.1}%", if i == 0 { "" } else { "," })?;
        }
        if !self.routes.is_empty() {
            write!(f, "; routes:")?;
        }
        for (i, r) in self.routes.iter().take(MAX_ROUTES_SHOWN).enumerate() {
            write!(
                f,
                "{} {} {:.1}% of samples, {} requests, {:.2} s wall",
                if i == 0 { "" } else { ";" },
                r.route,
                r.percent,
                r.requests,
                r.wall_seconds
            )?;
        }
        if self.routes.len() > MAX_ROUTES_SHOWN {
            write!(f, "; {} more routes", self.routes.len() - MAX_ROUTES_SHOWN)?;
        }
        Ok(())
    }
}
