//! Flamegraph SVG through inferno: interactive (zoom, search) in a browser.

use std::io::{self, Write};

use crate::folded::folded_lines;
use crate::profile::Profile;

#[derive(Clone, Debug, Default)]
pub struct SvgOptions {
    /// Icicle graph: roots at the top.
    pub reverse: bool,
    pub title: Option<String>,
}

pub fn write_svg(profile: &Profile, options: &SvgOptions, out: &mut impl Write) -> io::Result<()> {
    let lines = folded_lines(profile);
    let mut inferno = inferno::flamegraph::Options::default();
    inferno.title = options.title.clone().unwrap_or_else(|| {
        format!("{} — {} Hz", profile.meta.program, profile.meta.requested_rate_hz)
    });
    inferno.subtitle = Some(format!(
        "{} samples over {:.2} s; time in WASI calls shown as wasi_* frames; _[i] marks inlined frames",
        profile.sample_count(),
        profile.meta.duration.as_secs_f64()
    ));
    inferno.count_name = "samples".to_owned();
    inferno.deterministic = true;
    // folded_lines are sorted already.
    inferno.no_sort = true;
    if options.reverse {
        inferno.direction = inferno::flamegraph::Direction::Inverted;
    }
    inferno::flamegraph::from_lines(&mut inferno, lines.iter().map(String::as_str), out)
}
