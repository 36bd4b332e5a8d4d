//! V8's CPU profiles (`.cpuprofile`: what `node --cpu-prof` writes, what
//! DevTools saves, what the protocol's `Profiler.stop` returns), with their
//! Wasm frames symbolized from the modules' DWARF. V8 places a Wasm sample
//! per function (the frame's `columnNumber` is the function's offset in its
//! module; its line is always 0 or 1), so a Wasm frame becomes the function,
//! named from DWARF, at its declaration's file and line: no inlined frames,
//! no line within the function.

use std::collections::HashMap;
use std::time::Duration;

use serde::Deserialize;
use wasmscope_debugger::address::ModuleOffset;
use wasmscope_debugger::symbols::{ModuleSymbols, NameStyle, WasmSymbols};

use crate::profile::{Frame, FrameKind, Profile, ProfileMeta};

#[derive(Debug, thiserror::Error)]
pub enum V8ProfileError {
    #[error("not a V8 CPU profile: {0}")]
    Format(String),
    #[error(
        "the profile's Wasm module {url} is none of the modules given (its function at offset {column} is `{name}`): \
         give its .wasm with --wasm"
    )]
    UnknownModule { url: String, name: String, column: u64 },
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CpuProfile {
    nodes: Vec<Node>,
    #[serde(default)]
    start_time: f64,
    #[serde(default)]
    end_time: f64,
    #[serde(default)]
    samples: Vec<u64>,
    /// Microseconds between samples.
    #[serde(default)]
    time_deltas: Vec<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Node {
    id: u64,
    call_frame: CallFrame,
    #[serde(default)]
    hit_count: u64,
    #[serde(default)]
    children: Vec<u64>,
}

#[derive(Debug, Deserialize, Clone)]
#[serde(rename_all = "camelCase")]
struct CallFrame {
    function_name: String,
    #[serde(default)]
    url: String,
    #[serde(default)]
    line_number: i64,
    #[serde(default)]
    column_number: i64,
}

/// V8's pseudo-frames that are not code: the tree's root and idle time.
const NOT_CODE: &[&str] = &["(root)", "(idle)"];

/// Reads `bytes` as a CPU profile and symbolizes its Wasm frames with the
/// first of `modules` that has a function of that name at that offset.
/// `rate_hz` is the sampling rate asked for (V8 does not record it); 0:
/// the one the samples' intervals show (their median).
pub fn read_v8_profile(
    bytes: &[u8],
    program: &str,
    modules: &[WasmSymbols],
    rate_hz: u32,
) -> Result<Profile, V8ProfileError> {
    let profile: CpuProfile = serde_json::from_slice(bytes).map_err(|e| V8ProfileError::Format(e.to_string()))?;
    if profile.nodes.is_empty() {
        return Err(V8ProfileError::Format("it has no nodes".into()));
    }
    let parents: HashMap<u64, u64> =
        profile.nodes.iter().flat_map(|n| n.children.iter().map(move |c| (*c, n.id))).collect();
    let by_id: HashMap<u64, &Node> = profile.nodes.iter().map(|n| (n.id, n)).collect();
    // Which module each Wasm script is, decided by its first frame.
    let mut scripts: HashMap<String, usize> = HashMap::new();
    let mut frames: HashMap<u64, Option<Frame>> = HashMap::new();
    for node in &profile.nodes {
        let frame = convert(&node.call_frame, modules, &mut scripts)?;
        frames.insert(node.id, frame);
    }
    // Samples per node: the `samples` list when there is one, else the
    // nodes' hit counts.
    let mut hits: HashMap<u64, u64> = HashMap::new();
    if profile.samples.is_empty() {
        for node in &profile.nodes {
            *hits.entry(node.id).or_default() += node.hit_count;
        }
    } else {
        for id in &profile.samples {
            *hits.entry(*id).or_default() += 1;
        }
    }
    let mut stacks = Vec::new();
    for (id, count) in hits {
        if count == 0 || !by_id.contains_key(&id) {
            continue;
        }
        let mut stack = Vec::new();
        let mut at = Some(id);
        // Leaf to root; a cycle in a corrupt file ends at the node count.
        for _ in 0..=profile.nodes.len() {
            let Some(node) = at else { break };
            if let Some(Some(frame)) = frames.get(&node) {
                stack.push(frame.clone());
            }
            at = parents.get(&node).copied();
        }
        if let Some(leaf) = by_id.get(&id)
            && NOT_CODE.contains(&leaf.call_frame.function_name.as_str())
        {
            continue;
        }
        stack.reverse();
        if !stack.is_empty() {
            stacks.push((stack, count));
        }
    }
    let micros = (profile.end_time - profile.start_time).max(0.0);
    let rate_hz = if rate_hz > 0 { rate_hz } else { median_rate(&profile.time_deltas) };
    let meta = ProfileMeta {
        program: program.to_owned(),
        requested_rate_hz: rate_hz,
        duration: Duration::from_secs_f64(micros / 1e6),
        dropped_ticks: 0,
    };
    Ok(Profile::from_stacks(meta, stacks))
}

/// The rate the median interval between samples gives (1 kHz, node's
/// default, when there are none).
fn median_rate(deltas: &[i64]) -> u32 {
    let mut positive: Vec<i64> = deltas.iter().copied().filter(|d| *d > 0).collect();
    if positive.is_empty() {
        return 1000;
    }
    positive.sort_unstable();
    let median = positive[positive.len() / 2] as f64;
    (1e6 / median).round().clamp(1.0, 1e6) as u32
}

/// A node's frame: `None` for the tree's root.
fn convert(
    call: &CallFrame,
    modules: &[WasmSymbols],
    scripts: &mut HashMap<String, usize>,
) -> Result<Option<Frame>, V8ProfileError> {
    if call.function_name == "(root)" {
        return Ok(None);
    }
    if call.url.starts_with("wasm://") {
        return wasm_frame(call, modules, scripts).map(Some);
    }
    let name = if call.function_name.is_empty() { "(anonymous)" } else { &call.function_name };
    let file = (!call.url.is_empty()).then(|| call.url.clone());
    // V8 counts lines from 0; -1 is no line (a builtin).
    let line = if file.is_some() { u32::try_from(call.line_number + 1).unwrap_or(0) } else { 0 };
    Ok(Some(Frame { name: name.to_owned(), file, line, kind: FrameKind::Function }))
}

fn wasm_frame(
    call: &CallFrame,
    modules: &[WasmSymbols],
    scripts: &mut HashMap<String, usize>,
) -> Result<Frame, V8ProfileError> {
    let column = u64::try_from(call.column_number).unwrap_or(0);
    let unknown = || V8ProfileError::UnknownModule { url: call.url.clone(), name: call.function_name.clone(), column };
    let index = match scripts.get(&call.url) {
        Some(index) => *index,
        None => {
            let index = modules
                .iter()
                .position(|m| {
                    m.program().is_ok_and(|p| {
                        function_name_at(p, column).is_some_and(|n| names_agree(&n, &call.function_name))
                    })
                })
                .ok_or_else(unknown)?;
            scripts.insert(call.url.clone(), index);
            index
        }
    };
    let module = modules[index].program().map_err(|_| unknown())?;
    let Some(code) = module.module().code.and_then(|c| c.to_code(ModuleOffset(column))) else {
        return Err(unknown());
    };
    // The function's own name and declaration from DWARF, else the name V8 gives.
    let function = module.function_index().ok().flatten().and_then(|index| index.body_at(code));
    let name = function.map_or_else(|| call.function_name.clone(), |f| f.name.display(NameStyle::Pretty));
    let place = function.and_then(|f| {
        let row = module.line_index().ok().flatten()?.row_at(f.entry, None)?;
        let file = module.line_index().ok().flatten()?.file(row.file).to_owned();
        Some((file, f.decl_line.unwrap_or(row.line)))
    });
    Ok(Frame {
        name,
        file: place.as_ref().map(|(file, _)| file.clone()),
        line: place.map_or(0, |(_, line)| line),
        kind: FrameKind::Function,
    })
}

/// The name-section name (else `wasm-function[N]`) of the function at
/// module offset `column`.
fn function_name_at(module: &ModuleSymbols, column: u64) -> Option<String> {
    let core = module.module();
    let code = core.code?.to_code(ModuleOffset(column))?;
    let body = core.function_at(code)?;
    Some(core.fallback_function_name(body.index))
}

/// V8 names a function from the name section, or `$func<N>` / `js-to-wasm`
/// style placeholders without one; names agree when equal or when V8 had
/// none.
fn names_agree(ours: &str, v8: &str) -> bool {
    ours == v8 || v8.is_empty() || v8.starts_with("$func") || v8.starts_with("wasm-function[")
}
