//! A profile turned into what an editor shows: per source line and per
//! function, the samples spent there (self: as the innermost frame; total:
//! anywhere on the stack, once per stack), and each function's callers.

use std::collections::{BTreeMap, HashMap};

use wasmscope_profiler::{Frame, Profile};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Samples {
    pub own: u64,
    pub total: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FunctionHeat {
    pub samples: Samples,
    /// Caller name → samples with that caller directly above.
    pub callers: BTreeMap<String, u64>,
}

/// The heat of one profile.
#[derive(Clone, Debug, Default)]
pub struct Heat {
    pub total_samples: u64,
    /// Recorded source path → line → samples.
    lines: HashMap<String, BTreeMap<u32, Samples>>,
    /// Function name → samples and callers (a name's inlined copies and its
    /// body together, as a flamegraph merges them).
    functions: HashMap<String, FunctionHeat>,
}

impl Heat {
    /// Counts `profile` with its frames interned: per stack, each line and
    /// function once, by stamping the stack's number on what it has seen.
    pub fn from_profile(profile: &Profile) -> Heat {
        let mut names: HashMap<&str, usize> = HashMap::new();
        let mut places: HashMap<(&str, u32), usize> = HashMap::new();
        // Per frame: its name's id and its place's id (if it has a line).
        let ids: Vec<(usize, Option<usize>)> = profile
            .frames
            .iter()
            .map(|frame| {
                let next = names.len();
                let name = *names.entry(frame.name.as_str()).or_insert(next);
                let place = source_line(frame).map(|file| {
                    let next = places.len();
                    *places.entry((file, frame.line)).or_insert(next)
                });
                (name, place)
            })
            .collect();
        let mut name_counts = vec![Samples::default(); names.len()];
        let mut place_counts = vec![Samples::default(); places.len()];
        let (mut name_seen, mut place_seen) = (vec![usize::MAX; names.len()], vec![usize::MAX; places.len()]);
        // Millions of (caller, callee) lookups: a multiply-shift hash of the
        // pair, not SipHash (the keys are our own indices, not input).
        let mut callers: HashMap<(usize, usize), (usize, u64), PairHash> = HashMap::default();
        let mut total_samples = 0;
        for (number, (stack, count)) in profile.stacks.iter().enumerate() {
            let count = *count;
            total_samples += count;
            for (i, &frame) in stack.iter().enumerate() {
                let Some(&(name, place)) = ids.get(frame) else { continue };
                let leaf = i + 1 == stack.len();
                if let Some(place) = place {
                    let first = std::mem::replace(&mut place_seen[place], number) != number;
                    place_counts[place].total += if first { count } else { 0 };
                    place_counts[place].own += if leaf { count } else { 0 };
                }
                let first = std::mem::replace(&mut name_seen[name], number) != number;
                name_counts[name].total += if first { count } else { 0 };
                name_counts[name].own += if leaf { count } else { 0 };
                if let Some(&(caller, _)) = i.checked_sub(1).and_then(|c| ids.get(stack[c]))
                    && caller != name
                {
                    let entry = callers.entry((caller, name)).or_insert((usize::MAX, 0));
                    if std::mem::replace(&mut entry.0, number) != number {
                        entry.1 += count;
                    }
                }
            }
        }
        let mut name_of = vec![""; names.len()];
        for (name, id) in &names {
            name_of[*id] = name;
        }
        let mut heat = Heat { total_samples, ..Heat::default() };
        for ((file, line), id) in places {
            heat.lines.entry(file.to_owned()).or_default().insert(line, place_counts[id]);
        }
        for (id, samples) in name_counts.into_iter().enumerate() {
            heat.functions.insert(name_of[id].to_owned(), FunctionHeat { samples, callers: BTreeMap::new() });
        }
        for ((caller, callee), (_, count)) in callers {
            if let Some(function) = heat.functions.get_mut(name_of[callee]) {
                function.callers.insert(name_of[caller].to_owned(), count);
            }
        }
        heat
    }

    /// The recorded source paths the profile has lines in.
    pub fn files(&self) -> Vec<String> {
        let mut files: Vec<String> = self.lines.keys().cloned().collect();
        files.sort();
        files
    }

    pub fn lines_of(&self, recorded: &str) -> Option<&BTreeMap<u32, Samples>> {
        self.lines.get(recorded)
    }

    pub fn function(&self, name: &str) -> Option<&FunctionHeat> {
        self.functions.get(name)
    }

    /// A count as a share of all samples.
    pub fn share(&self, samples: u64) -> f64 {
        if self.total_samples == 0 { 0.0 } else { samples as f64 / self.total_samples as f64 }
    }
}

/// Hashes small integer keys with one multiply per word.
#[derive(Clone, Copy, Default)]
struct PairHash;

impl std::hash::BuildHasher for PairHash {
    type Hasher = PairHasher;
    fn build_hasher(&self) -> PairHasher {
        PairHasher(0)
    }
}

struct PairHasher(u64);

impl std::hash::Hasher for PairHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.write_u64(u64::from(*byte));
        }
    }
    fn write_usize(&mut self, value: usize) {
        self.write_u64(value as u64);
    }
    fn write_u64(&mut self, value: u64) {
        self.0 = (self.0.rotate_left(5) ^ value).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

fn source_line(frame: &Frame) -> Option<&str> {
    frame.file.as_deref().filter(|_| frame.line != 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasmscope_profiler::FrameKind;

    fn at(name: &str, line: u32) -> Frame {
        Frame { name: name.into(), file: Some("/src/a.c".into()), line, kind: FrameKind::Function }
    }

    #[test]
    fn self_and_total_count_each_stack_once() {
        // fib recursing: its line appears twice in one stack, counted once.
        let stacks = vec![
            (vec![at("main", 3), at("fib", 10), at("fib", 10)], 4),
            (vec![at("main", 3), at("fib", 11)], 6),
            (vec![at("main", 4)], 10),
        ];
        let heat = Heat::from_profile(&Profile::from_stacks(Default::default(), stacks));
        assert_eq!(heat.total_samples, 20);
        let lines = heat.lines_of("/src/a.c").unwrap();
        assert_eq!(lines[&10], Samples { own: 4, total: 4 });
        assert_eq!(lines[&11], Samples { own: 6, total: 6 });
        assert_eq!(lines[&3], Samples { own: 0, total: 10 });
        assert_eq!(lines[&4], Samples { own: 10, total: 10 });
        let fib = heat.function("fib").unwrap();
        assert_eq!(fib.samples, Samples { own: 10, total: 10 });
        assert_eq!(fib.callers, BTreeMap::from([("main".to_owned(), 10)]), "recursion is not its own caller");
        assert_eq!(heat.function("main").unwrap().samples, Samples { own: 10, total: 20 });
        assert!((heat.share(5) - 0.25).abs() < 1e-9);
    }
}
