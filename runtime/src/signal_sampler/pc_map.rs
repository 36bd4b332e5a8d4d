//! Native code addresses → Wasm functions and module offsets, through the
//! address map wasmtime keeps for each compiled module.

use wasmscope_debugger::address::ModuleOffset;

#[derive(Debug)]
pub struct PcMap {
    /// Where the module's compiled text starts in memory.
    pub text_start: usize,
    pub text_len: usize,
    /// (text offset, module offset) pairs, sorted by text offset; `None`
    /// for code with no Wasm position (trampolines).
    address_map: Vec<(usize, Option<u32>)>,
    /// (text offset, length, function index), sorted by text offset.
    functions: Vec<(usize, usize, u32)>,
}

impl PcMap {
    pub fn new(module: &wasmtime::Module) -> Self {
        let text = module.text();
        let mut address_map: Vec<(usize, Option<u32>)> =
            module.address_map().map(|map| map.collect()).unwrap_or_default();
        address_map.sort_by_key(|(offset, _)| *offset);
        let mut functions: Vec<(usize, usize, u32)> =
            module.functions().map(|f| (f.offset, f.len, f.index.as_u32())).collect();
        functions.sort_unstable();
        PcMap { text_start: text.as_ptr() as usize, text_len: text.len(), address_map, functions }
    }

    /// The Wasm function and instruction of native `pc`. `return_address`
    /// marks a caller frame: the call is the byte before it.
    pub fn lookup(&self, pc: usize, return_address: bool) -> Option<(u32, ModuleOffset)> {
        let offset = pc.checked_sub(self.text_start)?.checked_sub(usize::from(return_address))?;
        let i = self.functions.partition_point(|(start, _, _)| *start <= offset).checked_sub(1)?;
        let (start, len, index) = self.functions[i];
        if offset >= start + len {
            return None;
        }
        // Code Cranelift added (moves, spills) has no Wasm position; it
        // belongs to the instruction before it, else the one after.
        let j = self.address_map.partition_point(|(native, _)| *native <= offset);
        let before = self.address_map[..j].iter().rev().take_while(|(native, _)| *native >= start).find_map(|e| e.1);
        let after = || self.address_map[j..].iter().take_while(|(native, _)| *native < start + len).find_map(|e| e.1);
        let wasm = before.or_else(after)?;
        Some((index, ModuleOffset(u64::from(wasm))))
    }
}
