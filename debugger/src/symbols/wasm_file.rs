//! Reading the structure of a `.wasm` file: its core modules (one, or each
//! module inside a component), their Code section, function bodies, custom
//! sections and name section. No DWARF here; see `dwarf_sections`.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use wasmparser::{Encoding, KnownCustom, Name, Parser, Payload};

use super::error::{Result, SymbolsError};
use crate::address::{CodeOffset, CodeSection, MemoryAddress, ModuleOffset};

/// The bytes of one core module: a window into the file it came from.
#[derive(Clone, Debug)]
pub struct ModuleBytes {
    file: Arc<[u8]>,
    range: Range<usize>,
}

impl ModuleBytes {
    pub fn as_slice(&self) -> &[u8] {
        &self.file[self.range.clone()]
    }

    /// The whole file this module lives in, shared.
    pub fn shared_file(&self) -> Arc<[u8]> {
        self.file.clone()
    }

    /// Where this module starts in its file (non-zero inside a component).
    pub fn file_offset(&self) -> usize {
        self.range.start
    }
}

/// One function body in the Code section.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FunctionBody {
    /// Index in the module's function index space (imports come first).
    pub index: u32,
    /// The whole entry, from its size field to its `end`, as code offsets.
    pub entry: Range<CodeOffset>,
    /// Where the body starts, after its size field: where runtimes count a
    /// frame's offset in its function from (wasmtime, coredumps).
    pub body_start: CodeOffset,
    /// The first instruction, after the locals declarations.
    pub first_instruction: CodeOffset,
}

/// A core module, parsed just enough to symbolize it.
#[derive(Clone, Debug)]
pub struct CoreModule {
    pub bytes: ModuleBytes,
    /// Module name from the name section, when present.
    pub name: Option<String>,
    pub code: Option<CodeSection>,
    pub imported_functions: u32,
    pub functions: Vec<FunctionBody>,
    /// `(module, name)` of each imported function, in index order.
    pub function_imports: Vec<(String, String)>,
    /// Function names from the name section, by function index.
    pub function_names: HashMap<u32, String>,
    /// Custom sections by name, as ranges within the module bytes.
    pub custom_sections: Vec<(String, Range<usize>)>,
    /// Active data segments with a constant address: the initial contents
    /// of linear memory, which is where globals and statics start out.
    pub data_segments: Vec<(MemoryAddress, Range<usize>)>,
    /// Globals in the index space (imported ones first).
    pub global_count: u32,
    /// Memories in the index space (imported ones first).
    pub memory_count: u32,
    /// Global names from the name section (`__stack_pointer`), by index.
    pub global_names: HashMap<u32, String>,
}

impl CoreModule {
    pub fn custom_section(&self, name: &str) -> Option<&[u8]> {
        self.custom_sections.iter().find(|(n, _)| n == name).map(|(_, range)| &self.bytes.as_slice()[range.clone()])
    }

    /// The URL of a separate debug file, from the `external_debug_info` section.
    pub fn external_debug_info(&self) -> Option<String> {
        let data = self.custom_section("external_debug_info")?;
        let mut reader = wasmparser::BinaryReader::new(data, 0);
        reader.read_string().ok().map(str::to_owned)
    }

    /// `len` bytes of linear memory at `address` as the module initializes
    /// it (zero where no data segment writes).
    pub fn initial_memory(&self, address: MemoryAddress, len: usize) -> Vec<u8> {
        let mut out = vec![0; len];
        let (start, end) = (address.0, address.0 + len as u64);
        for (at, range) in &self.data_segments {
            let data = &self.bytes.as_slice()[range.clone()];
            let (seg_start, seg_end) = (at.0, at.0 + data.len() as u64);
            let (from, to) = (start.max(seg_start), end.min(seg_end));
            if from < to {
                out[(from - start) as usize..(to - start) as usize]
                    .copy_from_slice(&data[(from - seg_start) as usize..(to - seg_start) as usize]);
            }
        }
        out
    }

    /// The function body containing `offset`, found by binary search.
    pub fn function_at(&self, offset: CodeOffset) -> Option<&FunctionBody> {
        let i = self.functions.partition_point(|f| f.entry.end <= offset);
        self.functions.get(i).filter(|f| f.entry.start <= offset)
    }

    /// Name of a function from the name section, else `wasm-function[N]`.
    pub fn fallback_function_name(&self, index: u32) -> String {
        match self.function_names.get(&index) {
            Some(name) => name.clone(),
            None => format!("wasm-function[{index}]"),
        }
    }

    /// The function a `call` at `offset` calls, when there is one there.
    pub fn call_target(&self, offset: CodeOffset) -> Option<u32> {
        let code = self.code?;
        let start = usize::try_from(code.to_module(offset).0).ok()?;
        let reader = wasmparser::BinaryReader::new(self.bytes.as_slice().get(start..)?, start);
        match wasmparser::OperatorsReader::new(reader).read().ok()? {
            wasmparser::Operator::Call { function_index } | wasmparser::Operator::ReturnCall { function_index } => {
                Some(function_index)
            }
            _ => None,
        }
    }

    /// The start of the instruction that ends at or contains `at - 1`: for a
    /// return address, the call that returns there.
    pub fn instruction_before(&self, at: CodeOffset) -> Option<CodeOffset> {
        let code = self.code?;
        let function = self.function_at(CodeOffset(at.0.checked_sub(1)?))?;
        let base = code.contents_start.0 as usize;
        let start = base + function.first_instruction.0 as usize;
        let end = base + function.entry.end.0 as usize;
        let reader = wasmparser::BinaryReader::new(self.bytes.as_slice().get(start..end)?, start);
        let mut ops = wasmparser::OperatorsReader::new(reader);
        let mut previous = None;
        while !ops.eof() {
            let (_, position) = ops.read_with_offset().ok()?;
            let offset = CodeOffset((position - base) as u64);
            if offset >= at {
                break;
            }
            previous = Some(offset);
        }
        previous
    }

    /// Whether the instruction at `offset` is a call of any kind (direct,
    /// indirect, by reference, tail).
    pub fn is_call(&self, offset: CodeOffset) -> bool {
        let Some(code) = self.code else { return false };
        let Ok(start) = usize::try_from(code.to_module(offset).0) else {
            return false;
        };
        let Some(bytes) = self.bytes.as_slice().get(start..) else {
            return false;
        };
        let reader = wasmparser::BinaryReader::new(bytes, start);
        matches!(
            wasmparser::OperatorsReader::new(reader).read(),
            Ok(wasmparser::Operator::Call { .. }
                | wasmparser::Operator::CallIndirect { .. }
                | wasmparser::Operator::CallRef { .. }
                | wasmparser::Operator::ReturnCall { .. }
                | wasmparser::Operator::ReturnCallIndirect { .. }
                | wasmparser::Operator::ReturnCallRef { .. })
        )
    }

    /// The return address of a call at `offset` (the next instruction's
    /// offset), where frame positions want callers; `None` when no call is
    /// there. Engines (wasmtime's backtraces and dumps, V8's call frames)
    /// place callers at the call itself.
    pub fn return_address_of_call(&self, offset: CodeOffset) -> Option<CodeOffset> {
        if !self.is_call(offset) {
            return None;
        }
        let code = self.code?;
        let start = usize::try_from(code.to_module(offset).0).ok()?;
        let bytes = self.bytes.as_slice().get(start..)?;
        let mut reader = wasmparser::OperatorsReader::new(wasmparser::BinaryReader::new(bytes, start));
        reader.read().ok()?;
        code.to_code(ModuleOffset(reader.original_position() as u64))
    }

    /// Every offset that starts an instruction, in order. Used to check
    /// symbolization exhaustively and to disassemble.
    pub fn instruction_offsets(&self) -> Result<Vec<CodeOffset>> {
        self.instructions_where(|_| true)
    }

    /// The offsets of the instructions `keep` picks, in order (the
    /// `unreachable`s a target without trap stops breaks on).
    pub fn instructions_where(&self, keep: impl Fn(&wasmparser::Operator<'_>) -> bool) -> Result<Vec<CodeOffset>> {
        let Some(code) = self.code else {
            return Ok(Vec::new());
        };
        let base = code.contents_start.0 as usize;
        let what = "module";
        let mut out = Vec::new();
        for function in &self.functions {
            let start = base + function.first_instruction.0 as usize;
            let end = base + function.entry.end.0 as usize;
            let data = &self.bytes.as_slice()[start..end];
            let reader = wasmparser::BinaryReader::new(data, start);
            let mut ops = wasmparser::OperatorsReader::new(reader);
            while !ops.eof() {
                let (op, at) = ops.read_with_offset().map_err(|e| SymbolsError::malformed(what, &e))?;
                if keep(&op) {
                    out.push(CodeOffset((at - base) as u64));
                }
            }
        }
        Ok(out)
    }
}

/// Parses a file's bytes into its core modules: one for a core module, one per
/// embedded core module (in order of appearance, nested components included)
/// for a component.
pub fn parse_wasm_file(bytes: &Arc<[u8]>, what: &str) -> Result<Vec<CoreModule>> {
    if bytes.is_empty() {
        return Err(SymbolsError::Empty { what: what.to_owned() });
    }
    if !bytes.starts_with(b"\0asm") {
        return Err(SymbolsError::NotWasm { what: what.to_owned() });
    }
    let mut module_ranges = Vec::new();
    let mut is_component = false;
    for payload in Parser::new(0).parse_all(bytes) {
        match payload.map_err(|e| SymbolsError::malformed(what, &e))? {
            Payload::Version { encoding: Encoding::Component, .. } => is_component = true,
            Payload::ModuleSection { unchecked_range, .. } => module_ranges.push(unchecked_range),
            _ => {}
        }
    }
    if !is_component {
        module_ranges.push(0..bytes.len());
    }
    module_ranges
        .into_iter()
        .map(|range| {
            if range.end > bytes.len() {
                return Err(SymbolsError::Malformed {
                    what: what.to_owned(),
                    offset: range.start,
                    message: "nested module extends past the end of the file".into(),
                });
            }
            parse_core_module(&ModuleBytes { file: bytes.clone(), range }, what)
        })
        .collect()
}

fn parse_core_module(bytes: &ModuleBytes, what: &str) -> Result<CoreModule> {
    let mut module = CoreModule {
        bytes: bytes.clone(),
        name: None,
        code: None,
        imported_functions: 0,
        functions: Vec::new(),
        function_imports: Vec::new(),
        function_names: HashMap::new(),
        custom_sections: Vec::new(),
        data_segments: Vec::new(),
        global_count: 0,
        memory_count: 0,
        global_names: HashMap::new(),
    };
    let malformed = |e: wasmparser::BinaryReaderError| SymbolsError::malformed(what, &e);
    let mut next_entry_start = 0;
    // Offsets are relative to this module, so a module inside a component
    // reads the same as the module on its own.
    for payload in Parser::new(0).parse_all(bytes.as_slice()) {
        match payload.map_err(malformed)? {
            Payload::ImportSection(imports) => {
                for import in imports.into_imports() {
                    let import = import.map_err(malformed)?;
                    if matches!(import.ty, wasmparser::TypeRef::Global(_)) {
                        module.global_count += 1;
                    }
                    if matches!(import.ty, wasmparser::TypeRef::Memory(_)) {
                        module.memory_count += 1;
                    }
                    if matches!(import.ty, wasmparser::TypeRef::Func(_)) {
                        module.imported_functions += 1;
                        module.function_imports.push((import.module.to_owned(), import.name.to_owned()));
                    }
                }
            }
            Payload::GlobalSection(globals) => module.global_count += globals.count(),
            Payload::MemorySection(memories) => module.memory_count += memories.count(),
            Payload::CodeSectionStart { range, .. } => {
                // DWARF address 0 is the function count that opens the
                // section's contents; the first entry follows the count.
                module.code = Some(CodeSection {
                    contents_start: ModuleOffset(range.start as u64),
                    len: (range.end - range.start) as u64,
                });
                next_entry_start = after_count(bytes.as_slice(), range.start).map_err(malformed)?;
            }
            Payload::CodeSectionEntry(body) => {
                let code = module.code.expect("code entries follow the code section start");
                let base = code.contents_start.0 as usize;
                let body_range = body.range();
                // Entries are contiguous: each starts (with its size field)
                // where the previous one ended.
                let entry_start = std::mem::replace(&mut next_entry_start, body_range.end);
                let mut locals = body.get_locals_reader().map_err(malformed)?;
                for _ in 0..locals.get_count() {
                    locals.read().map_err(malformed)?;
                }
                let first_instruction = locals.original_position();
                let index = module.imported_functions + module.functions.len() as u32;
                module.functions.push(FunctionBody {
                    index,
                    entry: CodeOffset((entry_start - base) as u64)..CodeOffset((body_range.end - base) as u64),
                    body_start: CodeOffset((body_range.start - base) as u64),
                    first_instruction: CodeOffset((first_instruction - base) as u64),
                });
            }
            Payload::DataSection(data) => {
                for segment in data {
                    let segment = segment.map_err(malformed)?;
                    if let wasmparser::DataKind::Active { offset_expr, .. } = segment.kind {
                        let mut ops = offset_expr.get_operators_reader();
                        let address = match ops.read().map_err(malformed)? {
                            wasmparser::Operator::I32Const { value } => Some(u64::from(value as u32)),
                            wasmparser::Operator::I64Const { value } => Some(value as u64),
                            _ => None,
                        };
                        if let Some(address) = address {
                            module.data_segments.push((
                                MemoryAddress(address),
                                segment.range.end - segment.data.len()..segment.range.end,
                            ));
                        }
                    }
                }
            }
            Payload::CustomSection(section) => {
                let start = section.data_offset();
                module.custom_sections.push((section.name().to_owned(), start..start + section.data().len()));
                if let KnownCustom::Name(names) = section.as_known() {
                    read_name_section(names, &mut module);
                }
            }
            _ => {}
        }
    }
    Ok(module)
}

/// The name section is advisory: a malformed one loses names, not the module.
use super::printable::printable;

fn read_name_section(names: wasmparser::NameSectionReader<'_>, module: &mut CoreModule) {
    for name in names.into_iter().flatten() {
        match name {
            Name::Module { name, .. } => module.name = Some(printable(name).into_owned()),
            Name::Global(map) => {
                for naming in map.into_iter().flatten() {
                    module.global_names.insert(naming.index, printable(naming.name).into_owned());
                }
            }
            Name::Function(map) => {
                for naming in map.into_iter().flatten() {
                    module.function_names.insert(naming.index, printable(naming.name).into_owned());
                }
            }
            _ => {}
        }
    }
}

/// Position just after the function count at the start of the Code section.
fn after_count(bytes: &[u8], contents_start: usize) -> Result<usize, wasmparser::BinaryReaderError> {
    let mut reader = wasmparser::BinaryReader::new(&bytes[contents_start..], contents_start);
    reader.read_var_u32()?;
    Ok(reader.original_position())
}
