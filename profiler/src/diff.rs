//! Differential flamegraphs: two profiles of the same program, drawn as the
//! second with each frame colored by how its share changed from the first.

use std::io::{self, Write};

use crate::reader::FoldedStacks;

fn as_folded_text(stacks: &FoldedStacks) -> String {
    let mut lines: Vec<String> = stacks.iter().map(|(s, c)| format!("{s} {c}")).collect();
    lines.sort();
    lines.join("\n") + "\n"
}

pub fn write_diff_svg(
    before: &FoldedStacks,
    after: &FoldedStacks,
    title: &str,
    out: &mut impl Write,
) -> io::Result<()> {
    let mut diff = Vec::new();
    // Normalize, so a longer second run is not all red.
    let options = inferno::differential::Options { normalize: true, ..Default::default() };
    inferno::differential::from_readers(
        options,
        as_folded_text(before).as_bytes(),
        as_folded_text(after).as_bytes(),
        &mut diff,
    )?;
    let diff = String::from_utf8_lossy(&diff).into_owned();
    let mut flamegraph = inferno::flamegraph::Options::default();
    flamegraph.title = title.to_owned();
    flamegraph.subtitle = Some("red: more time than before, blue: less (shares normalized)".to_owned());
    flamegraph.count_name = "samples".to_owned();
    flamegraph.deterministic = true;
    inferno::flamegraph::from_lines(&mut flamegraph, diff.lines(), out)
}
