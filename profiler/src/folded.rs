//! Folded stacks (`root;caller;leaf COUNT`), the format inferno and
//! Brendan Gregg's flamegraph.pl read. Lines are sorted, so equal profiles
//! give equal files.

use std::io::{self, Write};

use crate::profile::Profile;

/// The folded lines of a profile, sorted.
pub fn folded_lines(profile: &Profile) -> Vec<String> {
    let mut lines: Vec<String> = profile
        .stacks
        .iter()
        .filter(|(stack, _)| !stack.is_empty())
        .map(|(stack, weight)| {
            let names: Vec<String> = stack.iter().map(|&i| profile.frames[i].folded_name()).collect();
            format!("{} {weight}", names.join(";"))
        })
        .collect();
    lines.sort();
    lines
}

pub fn write_folded(profile: &Profile, out: &mut impl Write) -> io::Result<()> {
    for line in folded_lines(profile) {
        writeln!(out, "{line}")?;
    }
    Ok(())
}
