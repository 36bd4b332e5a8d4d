//! Wasm text for every instruction of a module (through wasmprinter), by
//! code offset, with the source line each one belongs to: the debugger's
//! disassembly view.

use super::error::{Result, SymbolsError};
use super::frames::SourceLocation;
use super::wasm_file::CoreModule;
use crate::address::CodeOffset;

/// One instruction's text, sorted by offset.
#[derive(Debug, Default)]
pub struct Disassembly {
    instructions: Vec<(CodeOffset, String)>,
}

/// An instruction as shown, with its source position when it starts a new
/// one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Instruction {
    pub offset: CodeOffset,
    pub text: String,
    pub location: Option<SourceLocation>,
}

/// An instruction's name, decoded directly (the fallback).
fn plain_text(module: &CoreModule, offset: CodeOffset) -> String {
    let Some(code) = module.code else {
        return "??".into();
    };
    let start = code.to_module(offset).0 as usize;
    let Some(bytes) = module.bytes.as_slice().get(start..) else {
        return "??".into();
    };
    let reader = wasmparser::BinaryReader::new(bytes, start);
    match wasmparser::OperatorsReader::new(reader).read() {
        Ok(wasmparser::Operator::End) => "end".into(),
        Ok(other) => format!("{other:?}"),
        Err(_) => "??".into(),
    }
}

impl Disassembly {
    pub fn build(module: &CoreModule, what: &str) -> Result<Self> {
        let Some(code) = module.code else {
            return Ok(Disassembly::default());
        };
        let starts = module.instruction_offsets()?;
        let mut storage = String::new();
        let printer = wasmprinter::Config::new();
        let lines = printer
            .offsets_and_lines(module.bytes.as_slice(), &mut storage)
            .map_err(|e| SymbolsError::Malformed { what: what.to_owned(), offset: 0, message: e.to_string() })?;
        let mut instructions: Vec<(CodeOffset, String)> = lines
            .filter_map(|(offset, text)| {
                let offset = code.to_code(crate::address::ModuleOffset(offset? as u64))?;
                starts.binary_search(&offset).ok()?;
                // A function's final `end` prints as the `)` closing it.
                let text = text.trim();
                Some((offset, if text == ")" { "end".to_owned() } else { text.to_owned() }))
            })
            .collect();
        instructions.sort_by_key(|(offset, _)| *offset);
        instructions.dedup_by_key(|(offset, _)| *offset);
        // wasmprinter leaves out the module's very last line (the final
        // `end`); any instruction it did not print is decoded here.
        if instructions.len() < starts.len() {
            let have: std::collections::HashSet<CodeOffset> = instructions.iter().map(|(o, _)| *o).collect();
            for start in starts.iter().filter(|o| !have.contains(o)) {
                instructions.push((*start, plain_text(module, *start)));
            }
            instructions.sort_by_key(|(offset, _)| *offset);
        }
        Ok(Disassembly { instructions })
    }

    pub fn len(&self) -> usize {
        self.instructions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.instructions.is_empty()
    }

    /// `before` instructions before `around`, it, and `after` after it (as
    /// many as exist).
    pub fn window(&self, around: CodeOffset, before: usize, after: usize) -> &[(CodeOffset, String)] {
        let at = self.instructions.partition_point(|(o, _)| *o < around);
        let start = at.saturating_sub(before);
        let end = (at + after + 1).min(self.instructions.len());
        &self.instructions[start..end]
    }
}
