//! Reading a Wasm coredump (WebAssembly tool-conventions, `Coredump.md`): a
//! Wasm module whose memory and global sections hold the state at the trap,
//! its data section the memory's non-zero bytes, and custom sections the
//! rest: `core` (the program's name), `coremodules`, `coreinstances` and
//! `corestack` (one per thread: frames, innermost first, with their locals
//! and operand stack when the writer had them). wasmscope adds `wasmscope`
//! (what it knows besides: the trap, the program's fingerprint).
//!
//! Everything is checked as read: a corrupt or truncated file is an error
//! that says where, never a panic or an allocation the file did not pay for.

use std::ops::Range;
use std::sync::Arc;

use wasmparser::{BinaryReader, CoreDumpValue, Parser, Payload};

use super::note::DumpNote;
use crate::address::MemoryAddress;
use crate::target::WasmValue;

/// The largest memory a dump may declare (a 64-bit memory's size is not
/// allocated, but it bounds every read).
const MAX_MEMORY_BYTES: u64 = 1 << 48;

/// A parsed coredump; memory contents stay in the file's bytes.
#[derive(Clone, Debug)]
pub struct CoreDump {
    /// The program's name as the writer gave it (a path, for wasmtime's CLI).
    pub program_name: String,
    /// The names of the core modules, as the writer knew them.
    pub modules: Vec<String>,
    pub instances: Vec<DumpInstance>,
    pub memories: Vec<MemoryImage>,
    pub globals: Vec<WasmValue>,
    pub threads: Vec<DumpThread>,
    /// What wasmscope wrote besides the standard sections, when it wrote it.
    pub note: Option<DumpNote>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DumpInstance {
    /// Index into [`CoreDump::modules`].
    pub module: u32,
    /// The instance's memories (its index space) as indices into [`CoreDump::memories`].
    pub memories: Vec<u32>,
    /// The instance's globals (its index space) as indices into [`CoreDump::globals`].
    pub globals: Vec<u32>,
}

#[derive(Clone, Debug)]
pub struct DumpThread {
    pub name: String,
    /// Innermost first.
    pub frames: Vec<DumpFrame>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct DumpFrame {
    /// Index into [`CoreDump::instances`].
    pub instance: u32,
    pub function_index: u32,
    /// From the start of the function's body (after its size field).
    pub code_offset: u32,
    /// `None` where the writer recorded a value as missing.
    pub locals: Vec<Option<WasmValue>>,
    pub stack: Vec<Option<WasmValue>>,
}

/// A linear memory at the trap: its size and the byte ranges of the file
/// that hold its non-zero parts.
#[derive(Clone, Debug)]
pub struct MemoryImage {
    file: Arc<[u8]>,
    pub size: u64,
    /// (address, range in the file), sorted by address, not overlapping.
    segments: Vec<(u64, Range<usize>)>,
}

impl MemoryImage {
    /// `len` bytes at `address`, or `None` when they are not all inside.
    pub fn read(&self, address: MemoryAddress, len: usize) -> Option<Vec<u8>> {
        let address = address.0;
        let end = address.checked_add(len as u64).filter(|end| *end <= self.size)?;
        let mut out = vec![0; len];
        let first = self.segments.partition_point(|(at, range)| at + range.len() as u64 <= address);
        for (at, range) in &self.segments[first..] {
            if *at >= end {
                break;
            }
            let data = &self.file[range.clone()];
            let from = address.max(*at);
            let to = end.min(at + data.len() as u64);
            out[(from - address) as usize..(to - address) as usize]
                .copy_from_slice(&data[(from - at) as usize..(to - at) as usize]);
        }
        Some(out)
    }
}

/// Why a file is not a coredump wasmscope can read: one line, naming the
/// place.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DumpError {
    #[error("{what} is empty")]
    Empty { what: String },
    #[error("{what} is not a Wasm coredump (it does not start with the Wasm magic number)")]
    NotWasm { what: String },
    #[error("{what} is a Wasm module, not a coredump: it has no `core` section")]
    NotACoredump { what: String },
    #[error("{what} is corrupt or truncated at byte {offset}: {message}")]
    Corrupt { what: String, offset: usize, message: String },
    #[error("{what} holds no stack (`corestack` section): there is nothing to show")]
    NoStack { what: String },
}

impl CoreDump {
    /// Parses the bytes of a coredump file; `what` names it in errors.
    pub fn parse(file: &Arc<[u8]>, what: &str) -> Result<CoreDump, DumpError> {
        if file.is_empty() {
            return Err(DumpError::Empty { what: what.to_owned() });
        }
        if !file.starts_with(b"\0asm") {
            return Err(DumpError::NotWasm { what: what.to_owned() });
        }
        let corrupt = |e: wasmparser::BinaryReaderError| DumpError::Corrupt {
            what: what.to_owned(),
            offset: e.offset(),
            message: e.message().to_owned(),
        };
        let mut program_name = None;
        let mut dump = CoreDump {
            program_name: String::new(),
            modules: Vec::new(),
            instances: Vec::new(),
            memories: Vec::new(),
            globals: Vec::new(),
            threads: Vec::new(),
            note: None,
        };
        for payload in Parser::new(0).parse_all(file) {
            match payload.map_err(corrupt)? {
                Payload::Version { encoding: wasmparser::Encoding::Component, range, .. } => {
                    return Err(DumpError::Corrupt {
                        what: what.to_owned(),
                        offset: range.start,
                        message: "this is a component, not a coredump".into(),
                    });
                }
                Payload::MemorySection(memories) => {
                    for memory in memories {
                        let memory = memory.map_err(corrupt)?;
                        let page = 1u64 << memory.page_size_log2.unwrap_or(16);
                        let size = memory.initial.saturating_mul(page).min(MAX_MEMORY_BYTES);
                        dump.memories.push(MemoryImage { file: file.clone(), size, segments: Vec::new() });
                    }
                }
                Payload::GlobalSection(globals) => {
                    for global in globals {
                        let global = global.map_err(corrupt)?;
                        dump.globals.push(constant(&global.init_expr).map_err(corrupt)?);
                    }
                }
                Payload::DataSection(data) => {
                    for segment in data {
                        let segment = segment.map_err(corrupt)?;
                        let at = segment.range.end - segment.data.len();
                        let wasmparser::DataKind::Active { memory_index, offset_expr } = segment.kind else {
                            continue;
                        };
                        let address = constant(&offset_expr).map_err(corrupt)?.as_u64();
                        let bad = |message: &str| DumpError::Corrupt {
                            what: what.to_owned(),
                            offset: segment.range.start,
                            message: message.to_owned(),
                        };
                        let address = address.ok_or_else(|| bad("a data segment's address is not a constant"))?;
                        let memory = dump
                            .memories
                            .get_mut(memory_index as usize)
                            .ok_or_else(|| bad("a data segment names a memory the dump does not have"))?;
                        if address.checked_add(segment.data.len() as u64).is_none_or(|end| end > memory.size) {
                            return Err(bad("a data segment lies outside its memory"));
                        }
                        memory.segments.push((address, at..segment.range.end));
                    }
                }
                Payload::CustomSection(section) => {
                    let reader = BinaryReader::new(section.data(), section.data_offset());
                    match section.name() {
                        "core" => program_name = Some(wasmparser::CoreDumpSection::new(reader).map_err(corrupt)?.name),
                        "coremodules" => {
                            dump.modules = wasmparser::CoreDumpModulesSection::new(reader)
                                .map_err(corrupt)?
                                .modules
                                .into_iter()
                                .map(str::to_owned)
                                .collect();
                        }
                        "coreinstances" => {
                            dump.instances = wasmparser::CoreDumpInstancesSection::new(reader)
                                .map_err(corrupt)?
                                .instances
                                .into_iter()
                                .map(|i| DumpInstance {
                                    module: i.module_index,
                                    memories: i.memories,
                                    globals: i.globals,
                                })
                                .collect();
                        }
                        "corestack" => {
                            let stack = wasmparser::CoreDumpStackSection::new(reader).map_err(corrupt)?;
                            dump.threads.push(DumpThread {
                                name: stack.name.to_owned(),
                                frames: stack.frames.iter().map(frame).collect(),
                            });
                        }
                        DumpNote::SECTION => {
                            dump.note = Some(DumpNote::decode(section.data()).map_err(|message| {
                                DumpError::Corrupt { what: what.to_owned(), offset: section.data_offset(), message }
                            })?);
                        }
                        _ => {}
                    }
                }
                _ => {}
            }
        }
        dump.program_name = program_name.ok_or_else(|| DumpError::NotACoredump { what: what.to_owned() })?.to_owned();
        if dump.threads.iter().all(|t| t.frames.is_empty()) {
            return Err(DumpError::NoStack { what: what.to_owned() });
        }
        for memory in &mut dump.memories {
            memory.segments.sort_by_key(|(at, _)| *at);
            let overlap = memory.segments.windows(2).find(|w| w[0].0 + w[0].1.len() as u64 > w[1].0);
            if let Some(w) = overlap {
                return Err(DumpError::Corrupt {
                    what: what.to_owned(),
                    offset: w[1].1.start,
                    message: "two data segments overlap".into(),
                });
            }
        }
        dump.check_indices(what)?;
        Ok(dump)
    }

    /// Indices between sections point at something.
    fn check_indices(&self, what: &str) -> Result<(), DumpError> {
        let bad = |message: String| DumpError::Corrupt { what: what.to_owned(), offset: 0, message };
        for (i, instance) in self.instances.iter().enumerate() {
            if instance.module as usize >= self.modules.len() {
                return Err(bad(format!("instance {i} names module {}, of {}", instance.module, self.modules.len())));
            }
            if let Some(m) = instance.memories.iter().find(|m| **m != u32::MAX && **m as usize >= self.memories.len()) {
                return Err(bad(format!("instance {i} names memory {m}, of {}", self.memories.len())));
            }
            if let Some(g) = instance.globals.iter().find(|g| **g as usize >= self.globals.len()) {
                return Err(bad(format!("instance {i} names global {g}, of {}", self.globals.len())));
            }
        }
        for thread in &self.threads {
            if let Some(f) = thread.frames.iter().find(|f| f.instance as usize >= self.instances.len()) {
                return Err(bad(format!("a frame names instance {}, of {}", f.instance, self.instances.len())));
            }
        }
        Ok(())
    }

    /// The thread that trapped: the first with frames.
    pub fn trapped_thread(&self) -> &DumpThread {
        self.threads.iter().find(|t| !t.frames.is_empty()).expect("parse checks that a thread has frames")
    }
}

fn frame(frame: &wasmparser::CoreDumpStackFrame) -> DumpFrame {
    DumpFrame {
        instance: frame.instanceidx,
        function_index: frame.funcidx,
        code_offset: frame.codeoffset,
        locals: frame.locals.iter().map(value).collect(),
        stack: frame.stack.iter().map(value).collect(),
    }
}

fn value(value: &CoreDumpValue) -> Option<WasmValue> {
    match value {
        CoreDumpValue::Missing => None,
        CoreDumpValue::I32(v) => Some(WasmValue::I32(*v)),
        CoreDumpValue::I64(v) => Some(WasmValue::I64(*v)),
        CoreDumpValue::F32(v) => Some(WasmValue::F32(f32::from_bits(v.bits()))),
        CoreDumpValue::F64(v) => Some(WasmValue::F64(f64::from_bits(v.bits()))),
    }
}

/// The value of a constant expression (its first instruction: a dump's are
/// one `*.const`); a reference or vector is shown, not decoded.
fn constant(expr: &wasmparser::ConstExpr<'_>) -> wasmparser::Result<WasmValue> {
    let mut ops = expr.get_operators_reader();
    Ok(match ops.read()? {
        wasmparser::Operator::I32Const { value } => WasmValue::I32(value),
        wasmparser::Operator::I64Const { value } => WasmValue::I64(value),
        wasmparser::Operator::F32Const { value } => WasmValue::F32(f32::from_bits(value.bits())),
        wasmparser::Operator::F64Const { value } => WasmValue::F64(f64::from_bits(value.bits())),
        _ => WasmValue::Other,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coredump::note::append_note;
    use wasm_encoder::{
        ConstExpr, CoreDumpInstancesSection, CoreDumpModulesSection, CoreDumpSection, CoreDumpStackSection,
        CoreDumpValue as Value, DataSection, GlobalSection, GlobalType, MemorySection, MemoryType, Module, ValType,
    };

    /// A dump as a writer would make it: one module, a 2-page memory with
    /// bytes at 0x10 and 0x1_0000, two globals, two frames.
    fn sample() -> Vec<u8> {
        let mut dump = Module::new();
        dump.section(&CoreDumpSection::new("app.wasm"));
        let mut memories = MemorySection::new();
        memories.memory(MemoryType { minimum: 2, maximum: None, memory64: false, shared: false, page_size_log2: None });
        dump.section(&memories);
        let mut globals = GlobalSection::new();
        let ty = |val_type| GlobalType { val_type, mutable: true, shared: false };
        globals.global(ty(ValType::I32), &ConstExpr::i32_const(0x1000));
        globals.global(ty(ValType::I64), &ConstExpr::i64_const(-5));
        dump.section(&globals);
        let mut data = DataSection::new();
        data.active(0, &ConstExpr::i32_const(0x10), [1u8, 2, 3]);
        data.active(0, &ConstExpr::i32_const(0x1_0000), [9u8]);
        dump.section(&data);
        let mut modules = CoreDumpModulesSection::new();
        modules.module("app.wasm");
        dump.section(&modules);
        let mut instances = CoreDumpInstancesSection::new();
        instances.instance(0, [0], [0, 1]);
        dump.section(&instances);
        let mut stack = CoreDumpStackSection::new("main");
        stack.frame(0, 3, 7, [Value::I32(42), Value::Missing], [Value::F64(1.5.into())]);
        stack.frame(0, 2, 20, [], []);
        dump.section(&stack);
        append_note(
            dump.finish(),
            &DumpNote { trap: Some(crate::target::TrapKind::Unreachable), ..DumpNote::default() },
        )
    }

    #[test]
    fn a_dump_reads_back_with_its_memory_globals_frames_and_note() {
        let dump = CoreDump::parse(&Arc::from(sample()), "sample").unwrap();
        assert_eq!(dump.program_name, "app.wasm");
        assert_eq!(dump.globals, vec![WasmValue::I32(0x1000), WasmValue::I64(-5)]);
        assert_eq!(dump.instances, vec![DumpInstance { module: 0, memories: vec![0], globals: vec![0, 1] }]);
        let memory = &dump.memories[0];
        assert_eq!(memory.size, 2 * 65536);
        assert_eq!(memory.read(MemoryAddress(0x0f), 5), Some(vec![0, 1, 2, 3, 0]));
        assert_eq!(memory.read(MemoryAddress(0xffff), 2), Some(vec![0, 9]));
        assert_eq!(memory.read(MemoryAddress(2 * 65536 - 1), 2), None, "past the end");
        assert_eq!(memory.read(MemoryAddress(u64::MAX), 2), None, "overflowing");
        let frames = &dump.trapped_thread().frames;
        assert_eq!(frames.len(), 2);
        assert_eq!(frames[0].locals, vec![Some(WasmValue::I32(42)), None]);
        assert_eq!(frames[0].stack, vec![Some(WasmValue::F64(1.5))]);
        assert_eq!((frames[1].function_index, frames[1].code_offset), (2, 20));
        assert_eq!(dump.note.unwrap().trap, Some(crate::target::TrapKind::Unreachable));
    }

    #[test]
    fn every_truncation_and_corruption_is_an_error_not_a_panic() {
        let bytes = sample();
        // A cut between sections leaves a shorter, complete file.
        let section_ends: Vec<usize> =
            Parser::new(0).parse_all(&bytes).filter_map(|p| p.ok()?.as_section().map(|(_, range)| range.end)).collect();
        for len in 0..bytes.len() {
            let result = CoreDump::parse(&Arc::from(&bytes[..len]), "cut");
            if !section_ends.contains(&len) {
                assert!(result.is_err(), "a dump cut at {len} of {} bytes was accepted", bytes.len());
            }
        }
        for at in 8..bytes.len() {
            for flip in [0x01, 0x80, 0xff] {
                let mut corrupt = bytes.clone();
                corrupt[at] ^= flip;
                // Either reading is fine; what matters is no panic and, if
                // it reads, reads that stay in bounds.
                if let Ok(dump) = CoreDump::parse(&Arc::from(corrupt), "flipped") {
                    for memory in &dump.memories {
                        let _ = memory.read(MemoryAddress(0), 64);
                        let _ = memory.read(MemoryAddress(memory.size.saturating_sub(8)), 8);
                    }
                }
            }
        }
    }

    #[test]
    fn a_data_segment_outside_its_memory_is_refused() {
        let mut dump = Module::new();
        dump.section(&CoreDumpSection::new("x"));
        let mut memories = MemorySection::new();
        memories.memory(MemoryType { minimum: 1, maximum: None, memory64: false, shared: false, page_size_log2: None });
        dump.section(&memories);
        let mut data = DataSection::new();
        data.active(0, &ConstExpr::i32_const(65535), [1u8, 2]);
        dump.section(&data);
        let error = CoreDump::parse(&Arc::from(dump.finish()), "outside").unwrap_err();
        assert!(error.to_string().contains("outside its memory"), "{error}");
    }
}
