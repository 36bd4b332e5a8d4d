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
    if profile.sample_count() == 0 {
        return write_empty_svg(profile, out);
    }
    let lines = folded_lines(profile);
    let mut inferno = inferno::flamegraph::Options::default();
    inferno.title = options
        .title
        .clone()
        .unwrap_or_else(|| format!("{} — {} Hz", profile.meta.program, profile.meta.requested_rate_hz));
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

/// A program that ended before the first sample still gets a valid picture
/// that says so (inferno refuses an empty profile).
fn write_empty_svg(profile: &Profile, out: &mut impl Write) -> io::Result<()> {
    let period_ms = 1000.0 / f64::from(profile.meta.requested_rate_hz.max(1));
    let message = format!(
        "No samples: {} ran for {:.3} s, less than one sampling period ({period_ms:.3} ms at {} Hz).",
        profile.meta.program,
        profile.meta.duration.as_secs_f64(),
        profile.meta.requested_rate_hz
    );
    writeln!(out, r#"<?xml version="1.0" standalone="no"?>"#)?;
    writeln!(out, r#"<svg version="1.1" width="1200" height="60" xmlns="http://www.w3.org/2000/svg">"#)?;
    writeln!(out, r#"<text x="10" y="35" font-family="Verdana" font-size="14">{}</text>"#, xml_escape(&message))?;
    writeln!(out, "</svg>")
}

fn xml_escape(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_control())
        .map(|c| match c {
            '<' => "&lt;".to_owned(),
            '>' => "&gt;".to_owned(),
            '&' => "&amp;".to_owned(),
            '"' => "&quot;".to_owned(),
            other => other.to_string(),
        })
        .collect()
}
