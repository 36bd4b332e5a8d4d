//! Reading a variable's value from a stopped guest: evaluate its DWARF
//! location, answering each question from the target, gather its bytes,
//! and format them through its type. A value that cannot be read is an
//! error value for that variable only.

use super::expand::Object;
use crate::address::MemoryAddress;
use crate::symbols::{
    EvalStep, ModuleSymbols, Need, PieceLocation, Variable, VariableLocation, children, read_uint, size_of, type_name,
};
use crate::target::{TargetView, WasmValue};

/// What the user sees of one variable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShownVariable {
    pub name: String,
    pub type_name: String,
    /// The formatted value, or `<error: …>` when it cannot be read.
    pub value: String,
    /// Where the value lives in memory, when it does (for expansion,
    /// pointers and writes).
    pub address: Option<MemoryAddress>,
    /// The value read, for opening it (members, elements, pointee).
    pub object: Option<Object>,
}

/// Reads `variable` of physical frame `frame` and formats it. Members the
/// DWARF does not give (a composite location with holes, at -O2) show as
/// optimized out, the others with their values.
pub fn show_variable(
    symbols: &ModuleSymbols,
    view: &mut dyn TargetView,
    frame: usize,
    variable: &Variable,
    frame_base: Option<&gimli::Expression<crate::symbols::DwarfReader>>,
) -> ShownVariable {
    let type_name = type_name(symbols, variable.ty);
    match read_value(symbols, view, frame, variable, frame_base) {
        Ok(object) => {
            let value = if object.unknown.is_empty() {
                super::expand::display(symbols, view, variable.ty, &object.bytes)
            } else {
                super::expand::display_with_holes(symbols, view, &object)
            };
            ShownVariable {
                name: variable.name.clone(),
                type_name,
                value,
                address: object.address,
                object: Some(object),
            }
        }
        Err(error) => ShownVariable {
            name: variable.name.clone(),
            type_name,
            value: format!("<error: {error}>"),
            address: None,
            object: None,
        },
    }
}

/// The bytes of a variable's value, and its memory address when it has one;
/// an error when the DWARF leaves some member's bytes unknown (expressions
/// compute with whole values).
fn read_bytes(
    symbols: &ModuleSymbols,
    view: &mut dyn TargetView,
    frame: usize,
    variable: &Variable,
    frame_base: Option<&gimli::Expression<crate::symbols::DwarfReader>>,
) -> Result<(Vec<u8>, Option<MemoryAddress>), String> {
    let read = read_value(symbols, view, frame, variable, frame_base)?;
    if read.unknown.is_empty() {
        return Ok((read.bytes, read.address));
    }
    let missing: u64 = read.unknown.iter().map(|r| r.end - r.start).sum();
    let size = read.bytes.len() as u64;
    Err(format!("partly optimized out: {} of its {size} bytes are known", size.saturating_sub(missing)))
}

/// The variable read as an object whose `unknown` ranges are the bytes,
/// inside members, that no DWARF piece gives (zeros in `bytes`); an error
/// when nothing of it is known.
pub fn read_value(
    symbols: &ModuleSymbols,
    view: &mut dyn TargetView,
    frame: usize,
    variable: &Variable,
    frame_base: Option<&gimli::Expression<crate::symbols::DwarfReader>>,
) -> Result<Object, String> {
    let size = size_of(symbols, variable.ty).ok_or("the variable's type has no size")? as usize;
    let mut eval = match &variable.location {
        VariableLocation::Constant(bytes) => {
            return Ok(Object::new(variable.ty, resize(bytes.clone(), size), None));
        }
        VariableLocation::OptimizedOut => return Err("optimized out".into()),
        VariableLocation::Expression(_) => {
            variable.location_eval(frame_base).ok_or("no location")?.map_err(|e| e.to_string())?
        }
    };
    let mut step = eval.evaluate().map_err(|e| e.to_string())?;
    let pieces = loop {
        let answer = match step {
            EvalStep::Done(pieces) => break pieces,
            EvalStep::Needs(Need::WasmLocal(i)) => word(view.local(frame, i)?)?,
            EvalStep::Needs(Need::WasmGlobal(i)) => word(view.global(i)?)?,
            EvalStep::Needs(Need::WasmStack(i)) => word(stack_value(view, frame, i)?)?,
            EvalStep::Needs(Need::Memory { address, size }) => {
                read_uint(&view.read_memory(address, usize::from(size))?, u64::from(size)).ok_or("bad memory read")?
            }
        };
        step = eval.resume(answer).map_err(|e| e.to_string())?;
    };
    let mut bytes = Vec::with_capacity(size);
    let mut address = None;
    // Byte ranges no piece gives: an `Unavailable` piece, or past the last.
    let mut unknown: Vec<std::ops::Range<usize>> = Vec::new();
    for piece in &pieces {
        // A piece without a size covers the rest of the value (DWARF that
        // describes more than the type holds is cut to the type's size).
        let piece_size = piece.size_bits.map_or(size.saturating_sub(bytes.len()), |bits| bits.div_ceil(8) as usize);
        let part = match &piece.location {
            PieceLocation::Memory(at) => {
                if pieces.len() == 1 {
                    address = Some(*at);
                }
                view.read_memory(*at, piece_size)?
            }
            PieceLocation::WasmLocal(i) => resize(word(view.local(frame, *i)?)?.to_le_bytes().to_vec(), piece_size),
            PieceLocation::WasmGlobal(i) => resize(word(view.global(*i)?)?.to_le_bytes().to_vec(), piece_size),
            PieceLocation::WasmStack(i) => {
                resize(word(stack_value(view, frame, *i)?)?.to_le_bytes().to_vec(), piece_size)
            }
            PieceLocation::Value(v) => resize(v.to_le_bytes().to_vec(), piece_size),
            PieceLocation::Bytes(b) => resize(b.clone(), piece_size),
            PieceLocation::Unavailable if pieces.len() == 1 => return Err("optimized out".into()),
            PieceLocation::Unavailable => {
                unknown.push(bytes.len()..bytes.len() + piece_size);
                vec![0; piece_size]
            }
        };
        bytes.extend(part);
    }
    if bytes.len() < size && pieces.iter().any(|p| p.size_bits.is_some()) {
        unknown.push(bytes.len()..size);
    }
    let bytes = resize(bytes, size);
    if unknown.is_empty() {
        return Ok(Object::new(variable.ty, bytes, address));
    }
    // Unknown bytes are zeros: harmless in padding, a wrong value in a
    // member, which then shows as optimized out.
    let members = children(symbols, variable.ty, &bytes);
    let in_a_member = |r: &std::ops::Range<usize>| {
        members.is_empty()
            || members
                .iter()
                .any(|c| c.size > 0 && (c.offset as usize) < r.end && r.start < (c.offset + c.size) as usize)
    };
    let unknown: Vec<std::ops::Range<u64>> =
        unknown.into_iter().filter(|r| in_a_member(r)).map(|r| r.start as u64..r.end.min(size) as u64).collect();
    let missing: u64 = unknown.iter().map(|r| r.end - r.start).sum();
    if !unknown.is_empty() && (members.is_empty() || missing >= size as u64) {
        return Err("optimized out".to_owned());
    }
    Ok(Object { ty: variable.ty, bytes, address, unknown, raw: false })
}

/// Operand-stack slot `index` of a frame. LLVM numbers the slots of
/// `DW_OP_WASM_location 2` from the bottom of the frame's operand stack
/// (WebAssemblyDebugFixup), the order the target reports them in.
fn stack_value(view: &mut dyn TargetView, frame: usize, index: u32) -> Result<WasmValue, String> {
    let state = view.wasm_state(frame)?;
    state.stack.get(index as usize).copied().ok_or_else(|| format!("operand-stack slot {index} is not live here"))
}

fn word(value: WasmValue) -> Result<u64, String> {
    value.as_u64().ok_or_else(|| "a reference value is not a number".to_owned())
}

fn resize(mut bytes: Vec<u8>, size: usize) -> Vec<u8> {
    bytes.resize(size, 0);
    bytes
}

/// Writes `value` (an expression) into `variable` of physical frame
/// `frame`: scalars, enums and pointers that live in linear memory. A value
/// held in a Wasm local cannot be written (Wasmtime offers no way to).
pub fn set_variable(
    symbols: &ModuleSymbols,
    view: &mut dyn TargetView,
    frame: usize,
    pc: crate::address::CodeOffset,
    variable: &Variable,
    frame_base: Option<&gimli::Expression<crate::symbols::DwarfReader>>,
    value: &str,
) -> Result<ShownVariable, String> {
    use super::expr::{EvalContext, evaluate, parse};

    let (_, address) = read_bytes(symbols, view, frame, variable, frame_base)?;
    let address = address.ok_or("the variable is not in linear memory (a Wasm local cannot be written)")?;
    let expr = parse(value).map_err(|e| e.to_string())?;
    let new = evaluate(&expr, &mut EvalContext { symbols, view: &mut *view, frame, pc, inline_frame: 0 })?;
    super::expand::assign(symbols, view, variable.ty, address, &new)?;
    Ok(show_variable(symbols, view, frame, variable, frame_base))
}
