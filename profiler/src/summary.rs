//! The one-line summary printed after a run.

use std::collections::HashMap;
use std::fmt;

use crate::profile::Profile;

#[derive(Debug)]
pub struct Summary {
    pub samples: u64,
    pub requested_rate_hz: u32,
    pub achieved_rate_hz: f64,
    pub dropped_ticks: u64,
    /// Functions by self samples (leaf frames), most first, with percent.
    pub top: Vec<(String, f64)>,
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
        }
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
        Ok(())
    }
}
