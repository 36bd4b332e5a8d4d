//! Writing a coredump of a stopped thread: what the debugger writes at a
//! trap. It holds every frame's Wasm locals and operand stack (a production
//! engine's dump has none), the program module's globals and memory, and
//! wasmscope's note (the trap, the program's fingerprint, modules in file
//! order).

use std::borrow::Cow;

use wasm_encoder::{
    ConstExpr, CoreDumpInstancesSection, CoreDumpModulesSection, CoreDumpSection, CoreDumpStackSection, CoreDumpValue,
    CustomSection, DataSection, GlobalSection, GlobalType, MemorySection, MemoryType, Module, ValType,
};

use super::matching::body_of;
use super::note::{DumpNote, ProgramFingerprint};
use crate::address::MemoryAddress;
use crate::symbols::CoreModule;
use crate::target::{TargetView, WasmValue};

/// Memory is read and scanned for non-zero bytes in pages of this size;
/// runs of zeros inside a chunk are kept (as wasmtime's writer does).
const CHUNK: usize = 4096;
const PAGE: u64 = 65536;

/// How large a dump may get: a guest with gigabytes of memory must not fill
/// the disk at every trap.
#[derive(Clone, Copy, Debug)]
pub struct WriteLimits {
    pub max_bytes: u64,
}

impl Default for WriteLimits {
    fn default() -> Self {
        WriteLimits { max_bytes: 1 << 30 }
    }
}

/// What is being dumped: the program's file and core modules, and the one
/// whose globals and memory the view reads.
#[derive(Debug)]
pub struct DumpedProgram<'a> {
    pub file: &'a [u8],
    pub path: &'a str,
    pub modules: &'a [&'a CoreModule],
    pub program_index: usize,
}

/// A coredump of the thread `view` looks at; `note` says the trap.
pub fn write_coredump(
    view: &mut dyn TargetView,
    program: &DumpedProgram<'_>,
    thread_name: &str,
    mut note: DumpNote,
    limits: WriteLimits,
) -> Result<Vec<u8>, String> {
    let frames = view.frames().map_err(|e| format!("cannot read the stack: {e}"))?;
    let own = program.modules.get(program.program_index).ok_or("the program has no such module")?;
    let mut dump = Module::new();
    dump.section(&CoreDumpSection::new(program.path));

    let mut memories = MemorySection::new();
    let mut data = DataSection::new();
    let mut dumped_memory = Vec::new();
    let mut size_so_far = 0u64;
    if own.memory_count > 0
        && let Ok(size) = view.memory_size()
    {
        memories.memory(MemoryType {
            minimum: size / PAGE,
            maximum: None,
            memory64: false,
            shared: false,
            page_size_log2: None,
        });
        dumped_memory.push(0);
        let mut address = 0u64;
        while address < size {
            let len = (size - address).min(16 * CHUNK as u64) as usize;
            let bytes =
                view.read_memory(MemoryAddress(address), len).map_err(|e| format!("cannot read memory: {e}"))?;
            for (i, chunk) in bytes.chunks(CHUNK).enumerate() {
                let Some(first) = chunk.iter().position(|b| *b != 0) else { continue };
                let last = chunk.iter().rposition(|b| *b != 0).unwrap_or(first) + 1;
                size_so_far += (last - first) as u64 + 8;
                if size_so_far > limits.max_bytes {
                    return Err(format!(
                        "the coredump would be larger than {} bytes (the program's memory is {size} bytes)",
                        limits.max_bytes
                    ));
                }
                let at = address + (i * CHUNK + first) as u64;
                data.active(0, &ConstExpr::i32_const(at as u32 as i32), chunk[first..last].iter().copied());
            }
            address += len as u64;
        }
    }
    dump.section(&memories);

    let mut globals = GlobalSection::new();
    for index in 0..own.global_count {
        let (val_type, init) = match view.global(index) {
            Ok(WasmValue::I64(v)) => (ValType::I64, ConstExpr::i64_const(v)),
            Ok(WasmValue::F32(v)) => (ValType::F32, ConstExpr::f32_const(v.into())),
            Ok(WasmValue::F64(v)) => (ValType::F64, ConstExpr::f64_const(v.into())),
            Ok(WasmValue::I32(v)) => (ValType::I32, ConstExpr::i32_const(v)),
            // A reference or vector, or unreadable: its index is kept.
            Ok(WasmValue::Other) | Err(_) => (ValType::I32, ConstExpr::i32_const(0)),
        };
        globals.global(GlobalType { val_type, mutable: true, shared: false }, &init);
    }
    dump.section(&globals);
    dump.section(&data);

    let mut modules = CoreDumpModulesSection::new();
    let mut instances = CoreDumpInstancesSection::new();
    let file_name =
        std::path::Path::new(program.path).file_name().map_or(Cow::Borrowed(program.path), |n| n.to_string_lossy());
    for (index, module) in program.modules.iter().enumerate() {
        match &module.name {
            Some(name) => modules.module(name),
            None if program.modules.len() == 1 => modules.module(&file_name),
            None => modules.module(format!("{file_name}#{index}")),
        };
        if index == program.program_index {
            instances.instance(index as u32, dumped_memory.clone(), 0..own.global_count);
        } else {
            instances.instance(index as u32, Vec::new(), Vec::new());
        }
    }
    dump.section(&modules);
    dump.section(&instances);

    let mut stack = CoreDumpStackSection::new(thread_name);
    for (n, frame) in frames.iter().enumerate() {
        let module = &program.modules[frame.module];
        let (Some(code), Some(body)) = (module.code, body_of(module, frame.function_index)) else {
            return Err(format!("frame {n} is not in a function of its module"));
        };
        let mut at = code.to_code(frame.offset).ok_or_else(|| format!("frame {n} is outside the code"))?;
        if n > 0 {
            // Callers are recorded at their call, as wasmtime records them.
            at = module.instruction_before(at).unwrap_or(at);
        }
        let offset = at.0.checked_sub(body.body_start.0).ok_or_else(|| format!("frame {n} is before its function"))?;
        let state = view.wasm_state(n).unwrap_or_default();
        stack.frame(
            frame.module as u32,
            frame.function_index,
            u32::try_from(offset).map_err(|_| format!("frame {n} is beyond 4 GiB"))?,
            state.locals.iter().map(dump_value).collect::<Vec<_>>(),
            state.stack.iter().map(dump_value).collect::<Vec<_>>(),
        );
    }
    dump.section(&stack);

    note.program_fingerprint = Some(ProgramFingerprint::of(program.file));
    note.modules_in_file_order = true;
    note.program_path.get_or_insert_with(|| program.path.to_owned());
    let encoded = note.encode();
    dump.section(&CustomSection { name: Cow::Borrowed(DumpNote::SECTION), data: Cow::Owned(encoded) });
    Ok(dump.finish())
}

fn dump_value(value: &WasmValue) -> CoreDumpValue {
    match *value {
        WasmValue::I32(v) => CoreDumpValue::I32(v),
        WasmValue::I64(v) => CoreDumpValue::I64(v),
        WasmValue::F32(v) => CoreDumpValue::F32(v.into()),
        WasmValue::F64(v) => CoreDumpValue::F64(v.into()),
        WasmValue::Other => CoreDumpValue::Missing,
    }
}
