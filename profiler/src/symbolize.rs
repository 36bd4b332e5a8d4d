//! Raw offsets → source frames, once per distinct offset, after the run.

use std::collections::HashMap;

use wasmscope_debugger::address::{CodeOffset, ModuleOffset};
use wasmscope_debugger::symbols::{ModuleSymbols, NameStyle, WasmSymbols};

use crate::profile::{Frame, FrameKind, Profile, ProfileMeta};
use crate::raw::{RawFrame, RawProfile};

/// Source frames of raw frames already looked up, kept between calls of
/// [`symbolize_with`] (a live profile symbolizes a chunk every second, and
/// its chunks share most of their frames).
#[derive(Debug, Default)]
pub struct FrameCache {
    frames: HashMap<(RawFrame, bool), Vec<Frame>>,
    host: HashMap<Vec<RawFrame>, Frame>,
}

/// Symbolizes a raw profile with the program's symbols. Every distinct
/// (module, offset, role) is looked up once, and stacks are built from
/// interned frame ids, so a million samples cost hash lookups, not strings.
pub fn symbolize(raw: &RawProfile, symbols: &WasmSymbols) -> Profile {
    symbolize_with(raw, symbols, &mut FrameCache::default())
}

/// [`symbolize`], looking frames up in `cache` first and keeping new ones.
pub fn symbolize_with(raw: &RawProfile, symbols: &WasmSymbols, frame_cache: &mut FrameCache) -> Profile {
    let meta = ProfileMeta {
        program: raw.program.clone(),
        requested_rate_hz: raw.requested_rate_hz,
        duration: raw.duration,
        dropped_ticks: raw.dropped_ticks,
    };
    let mut interner = Interner::default();
    let mut cache: HashMap<(RawFrame, bool), Vec<usize>> = HashMap::new();
    let mut stacks: HashMap<Vec<usize>, u64> = HashMap::new();
    let mut stack = Vec::new();
    for sample in &raw.samples {
        // Root first: walk the raw frames outermost to innermost.
        stack.clear();
        for (depth, raw_frame) in sample.frames.iter().enumerate().rev() {
            // Only the innermost frame of a sample in Wasm is at the
            // instruction itself; every other frame is at a call.
            let at_call = depth > 0 || sample.in_host;
            let ids = cache.entry((*raw_frame, at_call)).or_insert_with(|| {
                let frames = frame_cache
                    .frames
                    .entry((*raw_frame, at_call))
                    .or_insert_with(|| frames_for(symbols, *raw_frame, at_call));
                frames.iter().map(|f| interner.intern(f.clone())).collect()
            });
            stack.extend_from_slice(ids);
        }
        if sample.in_host && !sample.frames.is_empty() {
            let callers = &sample.frames[..sample.frames.len().min(2)];
            let host = match frame_cache.host.get(callers) {
                Some(frame) => frame.clone(),
                None => {
                    let frame = host_frame(symbols, &sample.frames);
                    frame_cache.host.insert(callers.to_vec(), frame.clone());
                    frame
                }
            };
            stack.push(interner.intern(host));
        }
        *stacks.entry(stack.clone()).or_default() += sample.weight;
    }
    let mut stacks: Vec<(Vec<usize>, u64)> = stacks.into_iter().collect();
    stacks.sort_unstable();
    Profile { meta, frames: interner.frames, stacks }
}

#[derive(Default)]
struct Interner {
    frames: Vec<Frame>,
    ids: HashMap<Frame, usize>,
}

impl Interner {
    fn intern(&mut self, frame: Frame) -> usize {
        if let Some(&id) = self.ids.get(&frame) {
            return id;
        }
        self.frames.push(frame.clone());
        self.ids.insert(frame, self.frames.len() - 1);
        self.frames.len() - 1
    }
}

/// Source frames for one raw frame, outermost first (ready to append).
fn frames_for(symbols: &WasmSymbols, raw: RawFrame, at_call: bool) -> Vec<Frame> {
    let Ok(module) = symbols.module(raw.module) else {
        return vec![unknown(raw)];
    };
    let Some(offset) = code_offset(module, raw.offset, at_call) else {
        return vec![unknown(raw)];
    };
    let Ok(found) = module.frames_at(offset) else {
        return vec![unknown(raw)];
    };
    if found.is_empty() {
        return vec![unknown(raw)];
    }
    profile_frames(&found)
}

/// A code offset's source frames (innermost first, as `frames_at` gives
/// them) as profile frames, outermost first.
pub fn profile_frames(found: &[wasmscope_debugger::symbols::SourceFrame]) -> Vec<Frame> {
    found
        .iter()
        .rev()
        .map(|f| Frame {
            name: f.function.as_ref().map_or_else(|| "??".to_owned(), |n| n.display(NameStyle::Pretty)),
            file: f.location.as_ref().and_then(|l| l.file.clone()),
            line: f.location.as_ref().map_or(0, |l| l.line),
            kind: if f.inlined { FrameKind::Inlined } else { FrameKind::Function },
        })
        .collect()
}

/// The code offset to symbolize. wasmtime reports a caller frame at its
/// call instruction; should a runtime report the return address instead,
/// the call is the instruction before it.
fn code_offset(module: &ModuleSymbols, offset: Option<ModuleOffset>, at_call: bool) -> Option<CodeOffset> {
    let code = module.module().code?;
    let offset = code.to_code(offset?)?;
    if !at_call || module.module().is_call(offset) {
        return Some(offset);
    }
    module.module().instruction_before(offset)
}

/// The leaf frame of time spent in a host call, named after the import the
/// innermost frame called. In a component the adapter's imports are often
/// provided by a glue module that forwards them through a table: then the
/// innermost frame is the glue, and its caller's import names the call.
fn host_frame(symbols: &WasmSymbols, frames: &[RawFrame]) -> Frame {
    let name =
        frames.iter().take(2).find_map(|frame| imported_call(symbols, *frame)).unwrap_or_else(|| "host".to_owned());
    Frame { name, file: None, line: 0, kind: FrameKind::Host }
}

/// `module::name` of the import `caller` calls directly, if it does.
fn imported_call(symbols: &WasmSymbols, caller: RawFrame) -> Option<String> {
    let module = symbols.module(caller.module).ok()?;
    let call = code_offset(module, caller.offset, true)?;
    let target = module.module().call_target(call)?;
    let (import_module, name) = module.module().function_imports.get(target as usize)?;
    Some(format!("{import_module}::{name}"))
}

fn unknown(raw: RawFrame) -> Frame {
    Frame { name: format!("wasm-function[{}]", raw.function_index), file: None, line: 0, kind: FrameKind::Function }
}
