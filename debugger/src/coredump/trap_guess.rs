//! The trap's kind, for a dump that does not say it (wasmtime's): read from
//! the instruction the innermost frame stopped at. An instruction that can
//! trap one way only gives that way; one that can trap two ways (a signed
//! division) gives the likelier, and the caller says it was inferred.

use wasmparser::Operator;

use crate::address::ModuleOffset;
use crate::symbols::CoreModule;
use crate::target::TrapKind;

/// Where a production engine says a frame trapped, and what traps there:
/// the instruction's kind, and the instruction that traps. That is the one
/// at `offset`, or the `unreachable` a branch there leads to: Cranelift folds
/// such a branch into a conditional trap placed at the branch, where the
/// debugger (and the source) has it at the `unreachable`.
pub fn trap_site(module: &CoreModule, offset: ModuleOffset) -> Option<(TrapKind, ModuleOffset)> {
    let bytes = module.bytes.as_slice();
    let at = usize::try_from(offset.0).ok().filter(|at| *at < bytes.len())?;
    let (operator, next) = operator_at(bytes, at)?;
    let target = match operator {
        Operator::If { .. } => next,
        Operator::BrIf { relative_depth } => after_block_end(bytes, next, relative_depth)?,
        other => return kind_of(&other).map(|kind| (kind, offset)),
    };
    let (landing, _) = operator_at(bytes, target)?;
    matches!(landing, Operator::Unreachable).then_some((TrapKind::Unreachable, ModuleOffset(target as u64)))
}

/// The instruction at `at` and where the next one starts. A fresh reader
/// each time: a reader of a whole body would stop at the first `end` it
/// cannot match.
fn operator_at(bytes: &[u8], at: usize) -> Option<(Operator<'_>, usize)> {
    let mut reader = wasmparser::OperatorsReader::new(wasmparser::BinaryReader::new(bytes.get(at..)?, at));
    let operator = reader.read().ok()?;
    Some((operator, reader.original_position()))
}

/// Where the instruction after the `end` of the block `depth` levels out
/// from `at` starts: where a forward branch lands (a branch to a loop lands
/// elsewhere, and is then rarely an `unreachable`).
fn after_block_end(bytes: &[u8], mut at: usize, mut depth: u32) -> Option<usize> {
    let mut nested = 0u32;
    for _ in 0..100_000 {
        let (operator, next) = operator_at(bytes, at)?;
        at = next;
        match operator {
            Operator::Block { .. } | Operator::Loop { .. } | Operator::If { .. } | Operator::TryTable { .. } => {
                nested += 1
            }
            Operator::End if nested > 0 => nested -= 1,
            Operator::End if depth == 0 => return Some(at),
            Operator::End => depth -= 1,
            _ => {}
        }
    }
    None
}

fn kind_of(operator: &Operator<'_>) -> Option<TrapKind> {
    use Operator as O;
    Some(match operator {
        O::Unreachable => TrapKind::Unreachable,
        O::CallIndirect { .. } | O::ReturnCallIndirect { .. } => TrapKind::IndirectCallToNull,
        // A call traps when the callee's frame does not fit.
        O::Call { .. } | O::ReturnCall { .. } => TrapKind::StackExhausted,
        O::I32DivU | O::I64DivU | O::I32RemU | O::I64RemU | O::I32RemS | O::I64RemS => TrapKind::IntegerDivisionByZero,
        // Also `MIN / -1`; division by zero is the common one.
        O::I32DivS | O::I64DivS => TrapKind::IntegerDivisionByZero,
        O::I32TruncF32S
        | O::I32TruncF32U
        | O::I32TruncF64S
        | O::I32TruncF64U
        | O::I64TruncF32S
        | O::I64TruncF32U
        | O::I64TruncF64S
        | O::I64TruncF64U => TrapKind::BadConversionToInteger,
        O::TableGet { .. } | O::TableSet { .. } | O::TableFill { .. } | O::TableCopy { .. } | O::TableInit { .. } => {
            TrapKind::TableOutOfBounds
        }
        _ if touches_memory(operator) => TrapKind::MemoryOutOfBounds,
        _ => return None,
    })
}

fn touches_memory(operator: &Operator<'_>) -> bool {
    use Operator as O;
    matches!(
        operator,
        O::I32Load { .. }
            | O::I64Load { .. }
            | O::F32Load { .. }
            | O::F64Load { .. }
            | O::I32Load8S { .. }
            | O::I32Load8U { .. }
            | O::I32Load16S { .. }
            | O::I32Load16U { .. }
            | O::I64Load8S { .. }
            | O::I64Load8U { .. }
            | O::I64Load16S { .. }
            | O::I64Load16U { .. }
            | O::I64Load32S { .. }
            | O::I64Load32U { .. }
            | O::I32Store { .. }
            | O::I64Store { .. }
            | O::F32Store { .. }
            | O::F64Store { .. }
            | O::I32Store8 { .. }
            | O::I32Store16 { .. }
            | O::I64Store8 { .. }
            | O::I64Store16 { .. }
            | O::I64Store32 { .. }
            | O::MemoryCopy { .. }
            | O::MemoryFill { .. }
            | O::MemoryInit { .. }
            | O::V128Load { .. }
            | O::V128Store { .. }
    )
}
