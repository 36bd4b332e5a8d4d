//! A profile turned into what an editor shows: per source line and per
//! function, the samples spent there (self: as the innermost frame; total:
//! anywhere on the stack, once per stack), and each function's callers.

use std::collections::{BTreeMap, HashMap, HashSet};

use wasmscope_profiler::{Frame, FrameStacks};

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
    pub fn from_stacks(stacks: &FrameStacks) -> Heat {
        let mut heat = Heat::default();
        for (stack, count) in stacks {
            let count = *count;
            heat.total_samples += count;
            let mut lines_seen: HashSet<(&str, u32)> = HashSet::new();
            let mut functions_seen: HashSet<&str> = HashSet::new();
            let mut callers_seen: HashSet<(&str, &str)> = HashSet::new();
            for (i, frame) in stack.iter().enumerate() {
                let leaf = i + 1 == stack.len();
                if let Some(file) = source_line(frame) {
                    let first = lines_seen.insert((file, frame.line));
                    let entry = heat.lines.entry(file.to_owned()).or_default().entry(frame.line).or_default();
                    entry.total += if first { count } else { 0 };
                    entry.own += if leaf { count } else { 0 };
                }
                let first = functions_seen.insert(&frame.name);
                let function = heat.functions.entry(frame.name.clone()).or_default();
                function.samples.total += if first { count } else { 0 };
                function.samples.own += if leaf { count } else { 0 };
                if let Some(caller) = i.checked_sub(1).map(|c| stack[c].name.as_str())
                    && caller != frame.name
                    && callers_seen.insert((caller, &frame.name))
                {
                    *function.callers.entry(caller.to_owned()).or_default() += count;
                }
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
        let heat = Heat::from_stacks(&stacks);
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
