//! A symbolized profile: interned frames and weighted stacks.

use std::collections::HashMap;
use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FrameKind {
    /// A function with code of its own.
    Function,
    /// A function inlined into its caller: present in the source only.
    Inlined,
    /// A host function the guest imported (time spent outside Wasm).
    Host,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Frame {
    pub name: String,
    pub file: Option<String>,
    /// 0 when unknown.
    pub line: u32,
    pub kind: FrameKind,
}

impl Frame {
    /// The name in stack-collapsing formats: inlined frames carry the `_[i]`
    /// suffix that flamegraph tools color as inlined.
    pub fn folded_name(&self) -> String {
        let name = self.name.replace(';', ":");
        match self.kind {
            FrameKind::Inlined => format!("{name}_[i]"),
            _ => name,
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct ProfileMeta {
    pub program: String,
    pub requested_rate_hz: u32,
    pub duration: Duration,
    pub dropped_ticks: u64,
}

impl ProfileMeta {
    pub fn achieved_rate_hz(&self, samples: u64) -> f64 {
        let seconds = self.duration.as_secs_f64();
        if seconds > 0.0 { samples as f64 / seconds } else { 0.0 }
    }
}

#[derive(Clone, Debug, Default)]
pub struct Profile {
    pub meta: ProfileMeta,
    pub frames: Vec<Frame>,
    /// Stacks root first, as indexes into `frames`, with their weights.
    pub stacks: Vec<(Vec<usize>, u64)>,
}

impl Profile {
    pub fn sample_count(&self) -> u64 {
        self.stacks.iter().map(|(_, w)| w).sum()
    }

    /// Builds a profile from stacks of frames (root first), merging equal
    /// frames and equal stacks.
    pub fn from_stacks(meta: ProfileMeta, stacks: impl IntoIterator<Item = (Vec<Frame>, u64)>) -> Self {
        let mut frame_ids: HashMap<Frame, usize> = HashMap::new();
        let mut frames = Vec::new();
        let mut weights: HashMap<Vec<usize>, u64> = HashMap::new();
        for (stack, weight) in stacks {
            let ids = stack
                .into_iter()
                .map(|frame| {
                    *frame_ids.entry(frame.clone()).or_insert_with(|| {
                        frames.push(frame);
                        frames.len() - 1
                    })
                })
                .collect();
            *weights.entry(ids).or_default() += weight;
        }
        let mut stacks: Vec<_> = weights.into_iter().collect();
        stacks.sort();
        Profile { meta, frames, stacks }
    }
}
