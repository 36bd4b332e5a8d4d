//! Step-in targets: the functions called from the line a frame is on, so
//! the user can pick which call to step into (`f(g(x))`: f or g).

use crate::address::{CodeOffset, ModuleOffset};
use crate::symbols::{ModuleSymbols, NameStyle};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepTarget {
    /// The callee, in the module's function index space.
    pub function_index: u32,
    pub name: String,
}

/// The direct calls made from the source line at `pc`, in code order, one
/// entry per callee. Indirect calls have no static callee and are left out.
pub fn step_in_targets(module: &ModuleSymbols, pc: CodeOffset) -> Result<Vec<StepTarget>, String> {
    let lines = module.line_index().map_err(|e| e.to_string())?.ok_or("the module has no line information")?;
    let here = lines.row_at(pc, None).ok_or("no source line here")?;
    let (file, line) = (here.file, here.line);
    let core = module.module();
    let (Some(code), Some(body)) = (core.code, core.function_at(pc)) else {
        return Ok(Vec::new());
    };
    let start = code.to_module(body.first_instruction).0 as usize;
    let end = code.to_module(body.entry.end).0 as usize;
    let bytes = core.bytes.as_slice().get(start..end).ok_or("the function body is out of the module")?;
    let mut operators = wasmparser::OperatorsReader::new(wasmparser::BinaryReader::new(bytes, start));
    let mut targets: Vec<StepTarget> = Vec::new();
    while !operators.eof() {
        let Ok((operator, at)) = operators.read_with_offset() else {
            break;
        };
        let wasmparser::Operator::Call { function_index } = operator else {
            continue;
        };
        let Some(offset) = code.to_code(ModuleOffset(at as u64)) else {
            continue;
        };
        let on_line = lines.row_at(offset, None).is_some_and(|row| row.file == file && row.line == line);
        if on_line && !targets.iter().any(|t| t.function_index == function_index) {
            targets.push(StepTarget { function_index, name: callee_name(module, function_index) });
        }
    }
    Ok(targets)
}

/// A callee's name: from its DWARF when it has a body with debug info,
/// else the name section.
fn callee_name(module: &ModuleSymbols, function_index: u32) -> String {
    let core = module.module();
    let body = core.functions.iter().find(|f| f.index == function_index);
    body.and_then(|b| module.frames_at(b.first_instruction).ok())
        .and_then(|frames| frames.last()?.function.as_ref().map(|f| f.display(NameStyle::Pretty)))
        .unwrap_or_else(|| core.fallback_function_name(function_index))
}
