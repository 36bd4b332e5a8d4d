//! Folded stacks (`root;caller;leaf COUNT`), the format inferno and
//! Brendan Gregg's flamegraph.pl read. Lines are sorted, so equal profiles
//! give equal files.

use std::io::{self, Write};

use crate::profile::{Frame, Profile};

/// The folded lines of a profile, sorted, one per distinct line of names:
/// stacks that differ only in lines (the same functions at other file:line
/// positions) are one stack in this format, so their weights add up.
pub fn folded_lines(profile: &Profile) -> Vec<String> {
    let names: Vec<String> = profile.frames.iter().map(Frame::folded_name).collect();
    let mut weights: std::collections::BTreeMap<String, u64> = std::collections::BTreeMap::new();
    for (stack, weight) in profile.stacks.iter().filter(|(stack, _)| !stack.is_empty()) {
        let mut key = String::with_capacity(stack.len() * 24);
        for (i, &frame) in stack.iter().enumerate() {
            if i > 0 {
                key.push(';');
            }
            key.push_str(&names[frame]);
        }
        *weights.entry(key).or_default() += *weight;
    }
    weights.into_iter().map(|(stack, weight)| format!("{stack} {weight}")).collect()
}

pub fn write_folded(profile: &Profile, out: &mut impl Write) -> io::Result<()> {
    for line in folded_lines(profile) {
        writeln!(out, "{line}")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::{FrameKind, ProfileMeta};

    fn frame(name: &str, kind: FrameKind) -> Frame {
        Frame { name: name.to_owned(), file: None, line: 0, kind }
    }

    #[test]
    fn stacks_that_differ_only_in_lines_are_one_folded_line() {
        let main = frame("main", FrameKind::Function);
        let at = |line| Frame { name: "work".into(), file: Some("w.c".into()), line, kind: FrameKind::Function };
        let profile = Profile::from_stacks(
            ProfileMeta::default(),
            vec![(vec![main.clone(), at(3)], 4), (vec![main.clone(), at(7)], 5)],
        );
        assert_eq!(folded_lines(&profile), vec!["main;work 9".to_owned()]);
    }

    #[test]
    fn stacks_fold_root_first_merged_and_sorted_with_inlined_marked() {
        let main = frame("main", FrameKind::Function);
        let work = frame("work", FrameKind::Function);
        let helper = frame("helper", FrameKind::Inlined);
        let write = frame("wasi_snapshot_preview1::fd_write", FrameKind::Host);
        let odd = frame("a;b", FrameKind::Function);
        let profile = Profile::from_stacks(
            ProfileMeta::default(),
            vec![
                (vec![main.clone(), work.clone(), helper.clone()], 3),
                (vec![main.clone(), write.clone()], 2),
                (vec![main.clone(), work.clone(), helper], 4),
                (vec![main.clone(), odd], 1),
                (vec![main, work], 5),
            ],
        );
        let mut out = Vec::new();
        write_folded(&profile, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "main;a:b 1\n\
             main;wasi_snapshot_preview1::fd_write 2\n\
             main;work 5\n\
             main;work;helper_[i] 7\n"
        );
    }
}
