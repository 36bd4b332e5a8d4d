//! speedscope's file format (https://www.speedscope.app/file-format-schema.json):
//! one sampled profile whose frames keep file and line.

use std::io::{self, Write};

use serde::Serialize;

use crate::profile::Profile;

#[derive(Serialize)]
struct File<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    shared: Shared<'a>,
    profiles: Vec<SampledProfile>,
    name: &'a str,
    exporter: String,
}

#[derive(Serialize)]
struct Shared<'a> {
    frames: Vec<FrameEntry<'a>>,
}

#[derive(Serialize)]
struct FrameEntry<'a> {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    file: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<u32>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SampledProfile {
    #[serde(rename = "type")]
    kind: &'static str,
    name: String,
    unit: &'static str,
    start_value: f64,
    end_value: f64,
    samples: Vec<Vec<usize>>,
    weights: Vec<f64>,
    /// One sample's weight: speedscope weighs stacks in milliseconds, and
    /// readers (wasmscope's own) recover sample counts with it. An extra
    /// property, which the format's schema allows.
    #[serde(rename = "wasmscopeSamplePeriodMs")]
    sample_period_ms: f64,
}

pub fn write_speedscope(profile: &Profile, out: &mut impl Write) -> io::Result<()> {
    let period_ms = 1000.0 / f64::from(profile.meta.requested_rate_hz.max(1));
    let frames = profile
        .frames
        .iter()
        .map(|f| FrameEntry { name: f.folded_name(), file: f.file.as_deref(), line: (f.line != 0).then_some(f.line) })
        .collect();
    let samples: Vec<Vec<usize>> = profile.stacks.iter().map(|(stack, _)| stack.clone()).collect();
    let weights: Vec<f64> = profile.stacks.iter().map(|(_, w)| *w as f64 * period_ms).collect();
    let total = weights.iter().sum();
    let file = File {
        schema: "https://www.speedscope.app/file-format-schema.json",
        shared: Shared { frames },
        profiles: vec![SampledProfile {
            kind: "sampled",
            name: profile.meta.program.clone(),
            unit: "milliseconds",
            start_value: 0.0,
            end_value: total,
            samples,
            weights,
            sample_period_ms: period_ms,
        }],
        name: &profile.meta.program,
        exporter: format!("wasmscope {}", env!("CARGO_PKG_VERSION")),
    };
    serde_json::to_writer(&mut *out, &file).map_err(io::Error::other)?;
    writeln!(out)
}
