//! The Firefox Profiler's processed format (https://profiler.firefox.com),
//! through fxprof-processed-profile, the crate Wasmtime's own profiler uses.
//! One thread; inlined frames keep their `_[i]` suffix and their own
//! category, and host calls are in a WASI category.
//!
//! Source positions: that crate (0.8) writes label frames with empty
//! `fileName` and `line` columns. So each of our frames goes in under a
//! label of its own (the crate then makes one func and one frame for it),
//! and the serialized thread is completed afterwards: funcs are merged back
//! by (name, file) and get their file name, frames get their line.

use std::collections::HashMap;
use std::io::{self, Write};

use fxprof_processed_profile::{
    CategoryColor, CategoryPairHandle, CpuDelta, Frame as FxFrame, FrameFlags, FrameInfo, Profile as FxProfile,
    ReferenceTimestamp, SamplingInterval, Timestamp,
};

use serde_json::Value;

use crate::profile::{Frame, FrameKind, Profile};

pub fn write_firefox(profile: &Profile, out: &mut impl Write) -> io::Result<()> {
    let rate = profile.meta.requested_rate_hz.max(1);
    let mut fx = FxProfile::new(
        &profile.meta.program,
        ReferenceTimestamp::from_millis_since_unix_epoch(0.0),
        SamplingInterval::from_hz(rate as f32),
    );
    let start = Timestamp::from_millis_since_reference(0.0);
    let process = fx.add_process(&profile.meta.program, 1, start);
    let thread = fx.add_thread(process, 1, start, true);
    fx.set_thread_name(thread, "wasm");
    let wasm: CategoryPairHandle = fx.add_category("Wasm", CategoryColor::Blue).into();
    let inlined: CategoryPairHandle = fx.add_category("Inlined", CategoryColor::Green).into();
    let host: CategoryPairHandle = fx.add_category("WASI", CategoryColor::Orange).into();
    let route: CategoryPairHandle = fx.add_category("Route", CategoryColor::Purple).into();
    let labels: Vec<_> = profile.frames.iter().enumerate().map(|(i, _)| fx.intern_string(&unique_label(i))).collect();
    let period_ms = 1000.0 / f64::from(rate);
    let mut elapsed_ms = 0.0;
    for (stack, weight) in &profile.stacks {
        let frames = stack.iter().map(|&i| FrameInfo {
            frame: FxFrame::Label(labels[i]),
            category_pair: match profile.frames[i].kind {
                FrameKind::Function => wasm,
                FrameKind::Inlined => inlined,
                FrameKind::Host => host,
                FrameKind::Route => route,
            },
            flags: FrameFlags::empty(),
        });
        let handle = fx.intern_stack_frames(thread, frames);
        // Samples are aggregated: one sample per stack, weighted, laid out
        // one after another on the timeline.
        let weight = i32::try_from(*weight).unwrap_or(i32::MAX);
        fx.add_sample(thread, Timestamp::from_millis_since_reference(elapsed_ms), handle, CpuDelta::ZERO, weight);
        elapsed_ms += f64::from(weight) * period_ms;
    }
    fx.set_thread_end_time(thread, Timestamp::from_millis_since_reference(elapsed_ms));
    let mut json = serde_json::to_value(&fx).map_err(io::Error::other)?;
    if let Some(thread) = json.pointer_mut("/threads/0") {
        attach_source_positions(thread, profile).map_err(io::Error::other)?;
    }
    serde_json::to_writer(&mut *out, &json).map_err(io::Error::other)?;
    writeln!(out)
}

/// A label no frame name can have: our frame's index behind a NUL.
fn unique_label(frame: usize) -> String {
    format!("\0{frame}")
}

fn frame_of_label(label: &str) -> Option<usize> {
    label.strip_prefix('\0')?.parse().ok()
}

/// Turns the thread's one-func-per-frame tables (from [`unique_label`])
/// into funcs per (name, file) with their file, and frames with their line.
fn attach_source_positions(thread: &mut Value, profile: &Profile) -> Result<(), String> {
    let mut strings = StringTable::new(thread["stringArray"].as_array().ok_or("no stringArray")?.clone());
    let old_names = thread["funcTable"]["name"].as_array().ok_or("no funcTable.name")?.clone();
    // Old func index → our frame.
    let frame_of_func: Vec<&Frame> = old_names
        .iter()
        .map(|name| {
            let label = name.as_u64().and_then(|i| strings.get(i as usize)).unwrap_or("");
            frame_of_label(label).and_then(|i| profile.frames.get(i)).ok_or_else(|| format!("unknown label {label}"))
        })
        .collect::<Result<_, _>>()?;
    let mut funcs: Vec<(usize, Option<usize>)> = Vec::new();
    let mut func_ids: HashMap<(usize, Option<usize>), usize> = HashMap::new();
    let mut new_func_of_old = Vec::with_capacity(frame_of_func.len());
    for frame in &frame_of_func {
        let key = (strings.intern(&frame.folded_name()), frame.file.as_deref().map(|f| strings.intern(f)));
        let index = *func_ids.entry(key).or_insert_with(|| {
            funcs.push(key);
            funcs.len() - 1
        });
        new_func_of_old.push(index);
    }
    let count = funcs.len();
    let column = |values: Vec<Value>| Value::Array(values);
    thread["funcTable"] = serde_json::json!({
        "length": count,
        "name": column(funcs.iter().map(|f| Value::from(f.0)).collect()),
        "isJS": column(vec![Value::Bool(false); count]),
        "relevantForJS": column(vec![Value::Bool(false); count]),
        "resource": column(vec![Value::from(-1); count]),
        "fileName": column(funcs.iter().map(|f| f.1.map_or(Value::Null, Value::from)).collect()),
        "lineNumber": column(vec![Value::Null; count]),
        "columnNumber": column(vec![Value::Null; count]),
    });
    let frames = &mut thread["frameTable"];
    let old_funcs = frames["func"].as_array().ok_or("no frameTable.func")?.clone();
    let mut lines = Vec::with_capacity(old_funcs.len());
    let mut new_funcs = Vec::with_capacity(old_funcs.len());
    for func in &old_funcs {
        let old = func.as_u64().ok_or("a frame without a func")? as usize;
        let frame = frame_of_func.get(old).ok_or("a frame's func is out of range")?;
        lines.push(if frame.line > 0 { Value::from(frame.line) } else { Value::Null });
        new_funcs.push(Value::from(new_func_of_old[old]));
    }
    frames["func"] = Value::Array(new_funcs);
    frames["line"] = Value::Array(lines);
    thread["stringArray"] = Value::Array(strings.values);
    Ok(())
}

/// The thread's string array, with lookups by text.
struct StringTable {
    values: Vec<Value>,
    ids: HashMap<String, usize>,
}

impl StringTable {
    fn new(values: Vec<Value>) -> Self {
        let ids = values.iter().enumerate().filter_map(|(i, v)| Some((v.as_str()?.to_owned(), i))).collect();
        StringTable { values, ids }
    }

    fn get(&self, index: usize) -> Option<&str> {
        self.values.get(index)?.as_str()
    }

    fn intern(&mut self, text: &str) -> usize {
        if let Some(&id) = self.ids.get(text) {
            return id;
        }
        self.values.push(Value::from(text));
        self.ids.insert(text.to_owned(), self.values.len() - 1);
        self.values.len() - 1
    }
}
