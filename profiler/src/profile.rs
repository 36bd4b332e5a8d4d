//! A symbolized profile: interned frames and weighted stacks.

use std::collections::HashMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FrameKind {
    /// A function with code of its own.
    Function,
    /// A function inlined into its caller: present in the source only.
    Inlined,
    /// A host function the guest imported (time spent outside Wasm).
    Host,
    /// The route of the request a server ran the stack for (`GET /work/:id`):
    /// the root of a live profile's stacks.
    Route,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
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

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
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

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
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

    /// The stacks of this profile as frames, root first.
    pub fn frame_stacks(&self) -> impl Iterator<Item = (Vec<Frame>, u64)> + '_ {
        self.stacks.iter().map(|(ids, weight)| (ids.iter().map(|&i| self.frames[i].clone()).collect(), *weight))
    }

    /// This profile with `other`'s stacks added (the meta is this one's).
    pub fn merged(self, other: &Profile) -> Profile {
        let meta = self.meta.clone();
        let ours: Vec<_> = self.frame_stacks().collect();
        Profile::from_stacks(meta, ours.into_iter().chain(other.frame_stacks()))
    }
}

impl Profile {
    /// Checks a profile read from elsewhere (an agent's message): every
    /// stack names frames that exist.
    pub fn check(&self) -> Result<(), String> {
        let count = self.frames.len();
        match self.stacks.iter().flat_map(|(ids, _)| ids).find(|&&i| i >= count) {
            Some(bad) => Err(format!("a stack names frame {bad}, but the profile has {count} frames")),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(name: &str) -> Frame {
        Frame { name: name.into(), file: None, line: 0, kind: FrameKind::Function }
    }

    #[test]
    fn merging_adds_equal_stacks_and_keeps_the_rest() {
        let meta = ProfileMeta::default();
        let a = Profile::from_stacks(meta.clone(), [(vec![frame("main"), frame("f")], 2), (vec![frame("main")], 1)]);
        let b = Profile::from_stacks(meta, [(vec![frame("main"), frame("f")], 3), (vec![frame("g")], 4)]);
        let merged = a.merged(&b);
        let mut stacks: Vec<(Vec<String>, u64)> =
            merged.frame_stacks().map(|(s, w)| (s.into_iter().map(|f| f.name).collect(), w)).collect();
        stacks.sort();
        assert_eq!(stacks, vec![(vec!["g".into()], 4), (vec!["main".into()], 1), (vec!["main".into(), "f".into()], 5)]);
        assert_eq!(merged.frames.len(), 3);
        assert!(merged.check().is_ok());
        let broken = Profile { stacks: vec![(vec![7], 1)], ..merged };
        assert!(broken.check().unwrap_err().contains("frame 7"));
    }
}
