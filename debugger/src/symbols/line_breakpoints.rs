//! FILE:LINE → the code offsets where a breakpoint on that line binds.

use std::collections::BTreeMap;

use super::error::Result;
use super::file_match::{PathMapping, best_matches};
use super::line_index::FileId;
use super::module_symbols::ModuleSymbols;
use crate::address::CodeOffset;

/// One instance of a line: its function body's index and the call sites
/// (file, line, column) of the inlined frames around it.
type InstanceKey = (u32, Vec<(Option<String>, u32, u32)>);

/// Where a source line's breakpoint binds.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct LineBinding {
    /// The recorded paths the request matched (one, unless the name is
    /// ambiguous and several files share the best match).
    pub files: Vec<String>,
    pub requested_line: u32,
    /// The line that has code: `requested_line`, or the next one with code.
    pub line: u32,
    /// One offset per instance of the line: per function body, per inlined
    /// copy, per template instantiation. Ascending.
    pub offsets: Vec<CodeOffset>,
}

impl LineBinding {
    pub fn moved(&self) -> bool {
        self.line != self.requested_line
    }
}

/// Binds `line` of `file`. `Ok(None)` when no recorded file matches, or the
/// file has no code at or after that line.
/// `offset`, or the first instruction inside the loop when `offset` is a
/// `loop` opcode: a loop's branches go back to just after the opcode, so a
/// breakpoint on the opcode itself fires once, not at every iteration
/// (clang puts the first line of a `for (;;)` body there).
fn inside_loop(module: &super::wasm_file::CoreModule, offset: CodeOffset) -> CodeOffset {
    const LOOP: u8 = 0x03;
    let Some(code) = module.code else { return offset };
    let bytes = module.bytes.as_slice();
    let at = code.to_module(offset).0 as usize;
    if bytes.get(at) != Some(&LOOP) {
        return offset;
    }
    let mut reader = wasmparser::OperatorsReader::new(wasmparser::BinaryReader::new(&bytes[at..], at));
    match reader.read() {
        Ok(wasmparser::Operator::Loop { .. }) => CodeOffset(offset.0 + (reader.original_position() - at) as u64),
        _ => offset,
    }
}

pub fn bind_line(
    symbols: &ModuleSymbols,
    file: &str,
    line: u32,
    mappings: &[PathMapping],
) -> Result<Option<LineBinding>> {
    let Some(index) = symbols.line_index()? else {
        return Ok(None);
    };
    let matched: Vec<FileId> =
        best_matches(file, index.files(), mappings).into_iter().map(|i| FileId(i as u32)).collect();
    if matched.is_empty() {
        return Ok(None);
    }
    let module = symbols.module();
    let functions = symbols.function_index()?;
    let mut search_from = line;
    while let Some(candidate) = index.next_line_with_code(&matched, search_from) {
        // Each instance of the line is keyed by its function body and the
        // chain of call sites it was inlined through; within one instance
        // the lowest entry wins, so a loop header binds once, not once per
        // condition block.
        let mut instances: BTreeMap<InstanceKey, CodeOffset> = BTreeMap::new();
        let mut past_its_function = false;
        for row in index.line_entries(&matched, candidate) {
            let offset = row.address;
            // Rows of code the linker dropped point outside every body.
            let Some(body) = module.function_at(offset) else {
                continue;
            };
            // A line moves only within its function: code of a function
            // declared after the requested line is not where it went.
            if candidate != line
                && functions
                    .and_then(|f| f.innermost_at(offset))
                    .and_then(|f| f.decl_line)
                    .is_some_and(|decl| decl > line)
            {
                past_its_function = true;
                continue;
            }
            let frames = symbols.frames_at(offset)?;
            let call_sites = frames
                .iter()
                .skip(1)
                .map(|f| f.location.as_ref().map_or((None, 0, 0), |l| (l.file.clone(), l.line, l.column)))
                .collect();
            let slot = instances.entry((body.index, call_sites)).or_insert(offset);
            *slot = (*slot).min(offset);
        }
        if !instances.is_empty() {
            let mut offsets: Vec<CodeOffset> = instances.into_values().map(|o| inside_loop(module, o)).collect();
            offsets.sort();
            offsets.dedup();
            let files = matched.iter().map(|id| index.file(*id).to_owned()).collect();
            return Ok(Some(LineBinding { files, requested_line: line, line: candidate, offsets }));
        }
        if past_its_function {
            // The next code is another function's: the line has none.
            return Ok(None);
        }
        search_from = candidate + 1;
    }
    Ok(None)
}
