//! Native code addresses → Wasm functions and module offsets, through the
//! address map wasmtime keeps for each compiled module or component (whose
//! text holds all its core modules' code).

use wasmscope_debugger::address::ModuleOffset;
use wasmscope_profiler::RawFrame;

use crate::program::{Compiled, ModuleStarts};

#[derive(Debug)]
pub struct PcMap {
    /// Where the module's compiled text starts in memory.
    pub text_start: usize,
    pub text_len: usize,
    /// (text offset, module offset) pairs, sorted by text offset; `None`
    /// for code with no Wasm position (trampolines).
    address_map: Vec<(usize, Option<u32>)>,
    /// (text offset, length, core module index, function index), sorted by
    /// text offset.
    functions: Vec<(usize, usize, usize, u32)>,
    starts: ModuleStarts,
}

/// A Wasm position found for a native address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WasmPosition {
    pub module: usize,
    pub function_index: u32,
    pub offset: ModuleOffset,
}

impl PcMap {
    pub fn new(program: &Compiled) -> Self {
        let row = |f: wasmtime::ModuleFunction| (f.offset, f.len, f.module.as_u32() as usize, f.index.as_u32());
        let (text, address_map, functions): (&[u8], Option<Vec<_>>, Vec<_>) = match program {
            Compiled::Module(module) => {
                (module.text(), module.address_map().map(Iterator::collect), module.functions().map(row).collect())
            }
            Compiled::Component(component, _) => (
                component.text(),
                component.address_map().map(Iterator::collect),
                component.functions().map(row).collect(),
            ),
        };
        let mut address_map = address_map.unwrap_or_default();
        address_map.sort_by_key(|(offset, _)| *offset);
        let mut functions = functions;
        functions.sort_unstable();
        PcMap {
            text_start: text.as_ptr() as usize,
            text_len: text.len(),
            address_map,
            functions,
            starts: program.module_starts(),
        }
    }

    /// Where each Wasm function's code is in memory: (start, end) addresses,
    /// sorted (trampolines are not among them).
    pub fn function_ranges(&self) -> Vec<(usize, usize)> {
        self.functions
            .iter()
            .map(|&(start, len, ..)| (self.text_start + start, self.text_start + start + len))
            .collect()
    }

    /// The Wasm frames of a native stack (innermost first: the interrupted
    /// PC, then return addresses); native frames with no Wasm position are
    /// left out.
    pub fn raw_frames(&self, pcs: &[u64]) -> Vec<RawFrame> {
        pcs.iter()
            .enumerate()
            .filter_map(|(depth, &pc)| self.lookup(pc as usize, depth > 0))
            .map(|at| RawFrame { module: at.module, function_index: at.function_index, offset: Some(at.offset) })
            .collect()
    }

    /// The Wasm function and instruction of native `pc`. `return_address`
    /// marks a caller frame: the call is the byte before it.
    pub fn lookup(&self, pc: usize, return_address: bool) -> Option<WasmPosition> {
        let offset = pc.checked_sub(self.text_start)?.checked_sub(usize::from(return_address))?;
        let i = self.functions.partition_point(|(start, ..)| *start <= offset).checked_sub(1)?;
        let (start, len, module, function_index) = self.functions[i];
        if offset >= start + len {
            return None;
        }
        // Code Cranelift added (moves, spills) has no Wasm position; it
        // belongs to the instruction before it, else the one after.
        let j = self.address_map.partition_point(|(native, _)| *native <= offset);
        let before = self.address_map[..j].iter().rev().take_while(|(native, _)| *native >= start).find_map(|e| e.1);
        let after = || self.address_map[j..].iter().take_while(|(native, _)| *native < start + len).find_map(|e| e.1);
        let wasm = before.or_else(after)?;
        let offset = self.starts.module_offset(module, u64::from(wasm))?;
        Some(WasmPosition { module, function_index, offset })
    }
}
