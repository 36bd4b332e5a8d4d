//! Reads back any profile wasmscope writes (folded, speedscope, pprof) as
//! folded stacks, for `wasmscope diff`.

use std::io::Read;

use prost::Message;

use crate::pprof::proto;

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("an SVG flamegraph cannot be read back: profile to folded, speedscope or pprof for diffs")]
    Svg,
    #[error("not a profile wasmscope reads: {0}")]
    Format(String),
}

/// Folded stacks (root first, `;`-joined) with their counts.
pub type FoldedStacks = Vec<(String, u64)>;

pub fn read_profile(bytes: &[u8]) -> Result<FoldedStacks, ReadError> {
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut raw = Vec::new();
        flate2::read::GzDecoder::new(bytes).read_to_end(&mut raw)?;
        return read_pprof(&raw);
    }
    let text = std::str::from_utf8(bytes).map_err(|_| ReadError::Format("binary data that is not gzip".into()))?;
    let trimmed = text.trim_start();
    if trimmed.starts_with("<?xml") || trimmed.starts_with("<svg") {
        return Err(ReadError::Svg);
    }
    if trimmed.starts_with('{') {
        let json: serde_json::Value = serde_json::from_str(trimmed).map_err(|e| ReadError::Format(e.to_string()))?;
        return if json.get("threads").is_some() { read_firefox(&json) } else { read_speedscope(&json) };
    }
    read_folded(text)
}

fn read_folded(text: &str) -> Result<FoldedStacks, ReadError> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let (stack, count) = line
                .rsplit_once(' ')
                .ok_or_else(|| ReadError::Format(format!("folded line without a count: `{line}`")))?;
            let count = count.trim().parse().map_err(|_| ReadError::Format(format!("bad count in `{line}`")))?;
            Ok((stack.to_owned(), count))
        })
        .collect()
}

fn read_speedscope(json: &serde_json::Value) -> Result<FoldedStacks, ReadError> {
    let bad = |what: &str| ReadError::Format(format!("speedscope file without {what}"));
    let frames = json["shared"]["frames"].as_array().ok_or_else(|| bad("shared.frames"))?;
    let names: Vec<&str> = frames.iter().map(|f| f["name"].as_str().unwrap_or("??")).collect();
    let profile = &json["profiles"][0];
    let samples = profile["samples"].as_array().ok_or_else(|| bad("samples"))?;
    let weights = profile["weights"].as_array().ok_or_else(|| bad("weights"))?;
    // Weights are milliseconds; folded counts are samples.
    let unit = sample_weight(&profile["wasmscopeSamplePeriodMs"], weights);
    samples
        .iter()
        .zip(weights)
        .map(|(stack, weight)| {
            let indexes = stack.as_array().ok_or_else(|| bad("sample stacks"))?;
            let path: Vec<&str> = indexes
                .iter()
                .map(|i| {
                    i.as_u64().and_then(|i| names.get(i as usize).copied()).ok_or_else(|| bad("valid frame indexes"))
                })
                .collect::<Result<_, _>>()?;
            Ok((path.join(";"), (weight.as_f64().unwrap_or(0.0) / unit).round() as u64))
        })
        .collect()
}

/// What one sample weighs: as wasmscope's files say; else the greatest
/// common divisor of whole-number weights (exact unless every count shares
/// a factor, when the shares still are); else the smallest weight.
pub(crate) fn sample_weight(recorded: &serde_json::Value, weights: &[serde_json::Value]) -> f64 {
    if let Some(period) = recorded.as_f64().filter(|p| p.is_finite() && *p > 0.0) {
        return period;
    }
    let weights: Vec<f64> = weights.iter().filter_map(serde_json::Value::as_f64).filter(|w| *w > 0.0).collect();
    if weights.is_empty() {
        return 1.0;
    }
    if weights.iter().all(|w| w.fract() == 0.0 && *w < 1e15) {
        let gcd = weights.iter().fold(0u64, |a, w| gcd(a, *w as u64));
        return gcd as f64;
    }
    weights.iter().copied().fold(f64::MAX, f64::min)
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 { a } else { gcd(b, a % b) }
}

/// The first thread of a Firefox processed profile.
fn read_firefox(json: &serde_json::Value) -> Result<FoldedStacks, ReadError> {
    let bad = |what: &str| ReadError::Format(format!("Firefox profile without {what}"));
    let thread = &json["threads"][0];
    let numbers = |value: &serde_json::Value, what: &str| -> Result<Vec<Option<u64>>, ReadError> {
        Ok(value.as_array().ok_or_else(|| bad(what))?.iter().map(serde_json::Value::as_u64).collect())
    };
    let strings: Vec<&str> = thread["stringArray"]
        .as_array()
        .ok_or_else(|| bad("stringArray"))?
        .iter()
        .map(|s| s.as_str().unwrap_or("??"))
        .collect();
    let func_names = numbers(&thread["funcTable"]["name"], "funcTable.name")?;
    let frame_funcs = numbers(&thread["frameTable"]["func"], "frameTable.func")?;
    let stack_frames = numbers(&thread["stackTable"]["frame"], "stackTable.frame")?;
    let stack_prefixes = numbers(&thread["stackTable"]["prefix"], "stackTable.prefix")?;
    let samples = numbers(&thread["samples"]["stack"], "samples.stack")?;
    let weights = thread["samples"]["weight"].as_array();
    let name_of_stack = |stack: usize| -> Option<&str> {
        let func = frame_funcs.get((*stack_frames.get(stack)?)? as usize).copied()??;
        strings.get((*func_names.get(func as usize)?)? as usize).copied()
    };
    let mut out = Vec::new();
    for (i, stack) in samples.iter().enumerate() {
        let Some(mut stack) = stack.map(|s| s as usize) else {
            continue;
        };
        let mut path = Vec::new();
        // Follow prefixes leaf to root; a cycle in corrupt input ends it.
        for _ in 0..=stack_frames.len() {
            path.push(name_of_stack(stack).ok_or_else(|| bad("consistent tables"))?);
            match stack_prefixes.get(stack).copied().flatten() {
                Some(prefix) => stack = prefix as usize,
                None => break,
            }
        }
        path.reverse();
        let weight = weights.and_then(|w| w.get(i)).and_then(serde_json::Value::as_u64).unwrap_or(1);
        out.push((path.join(";"), weight));
    }
    Ok(out)
}

fn read_pprof(raw: &[u8]) -> Result<FoldedStacks, ReadError> {
    let profile = proto::Profile::decode(raw).map_err(|e| ReadError::Format(format!("pprof: {e}")))?;
    let string = |i: i64| profile.string_table.get(i as usize).map_or("??", String::as_str);
    let function_name = |id: u64| profile.function.iter().find(|f| f.id == id).map_or("??", |f| string(f.name));
    let location = |id: u64| profile.location.iter().find(|l| l.id == id);
    profile
        .sample
        .iter()
        .map(|sample| {
            let mut path = Vec::new();
            for id in sample.location_id.iter().rev() {
                let location = location(*id).ok_or_else(|| ReadError::Format(format!("pprof: no location {id}")))?;
                // Lines are innermost first; the path is root first.
                for (i, line) in location.line.iter().rev().enumerate() {
                    let name = function_name(line.function_id);
                    path.push(if i == 0 { name.to_owned() } else { format!("{name}_[i]") });
                }
            }
            Ok((path.join(";"), sample.value.first().copied().unwrap_or(0).max(0) as u64))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speedscope_counts_without_a_recorded_period_come_from_the_weights_gcd() {
        // Weights in whole milliseconds (1000 Hz), no stack of one sample.
        let file = serde_json::json!({
            "shared": { "frames": [{ "name": "a" }, { "name": "b" }] },
            "profiles": [{ "type": "sampled", "samples": [[0], [0, 1], [1]], "weights": [32.0, 6.0, 10.0] }],
        });
        let stacks = read_profile(file.to_string().as_bytes()).unwrap();
        assert_eq!(stacks, vec![("a".into(), 16), ("a;b".into(), 3), ("b".into(), 5)], "divided by their GCD, 2");
        let mut recorded = file.clone();
        recorded["profiles"][0]["wasmscopeSamplePeriodMs"] = 1.0.into();
        let stacks = read_profile(recorded.to_string().as_bytes()).unwrap();
        assert_eq!(stacks, vec![("a".into(), 32), ("a;b".into(), 6), ("b".into(), 10)], "the recorded period wins");
    }
}
