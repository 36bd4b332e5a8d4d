//! Evaluates DWARF location expressions without touching a guest: when the
//! evaluation needs a Wasm local, global, operand-stack slot or memory, it
//! stops and asks; the caller answers and resumes. gimli's own evaluator
//! rejects the `DW_OP_WASM_location` operations, so this one covers what
//! Wasm producers emit: Wasm locations, `fbreg` through the frame base,
//! `addr`, constants and arithmetic, `deref`, branches, `piece`,
//! `stack_value` and `implicit_value`.

use gimli::{Operation, Reader as _};

use super::dwarf_sections::DwarfReader;
use crate::address::MemoryAddress;

/// What the evaluation needs before it can go on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Need {
    /// The value of Wasm local `N` of the frame.
    WasmLocal(u32),
    /// The value of Wasm global `N`.
    WasmGlobal(u32),
    /// Operand-stack slot `N`, counted from the bottom of the frame's stack.
    WasmStack(u32),
    /// `size` bytes of linear memory at `address`, as a little-endian number.
    Memory { address: MemoryAddress, size: u8 },
}

/// Where (part of) a variable lives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PieceLocation {
    Memory(MemoryAddress),
    WasmLocal(u32),
    WasmGlobal(u32),
    WasmStack(u32),
    /// The value itself was computed (`stack_value`).
    Value(u64),
    /// The bytes are in the expression (`implicit_value`).
    Bytes(Vec<u8>),
    /// Optimized out: no location for this piece.
    Unavailable,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Piece {
    pub location: PieceLocation,
    /// Size of the piece; `None` for a location that covers the whole value.
    pub size_bits: Option<u64>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EvalStep {
    Needs(Need),
    Done(Vec<Piece>),
}

#[derive(Clone, Debug, thiserror::Error, PartialEq, Eq)]
pub enum EvalError {
    #[error("cannot decode the location expression: {0}")]
    Decode(String),
    #[error("location expression uses {0}, which wasmscope does not evaluate")]
    Unsupported(&'static str),
    #[error("location expression pops an empty stack")]
    StackUnderflow,
    #[error("location expression divides by zero")]
    DivisionByZero,
    #[error("location expression branches outside itself")]
    BadBranch,
    #[error("resume() called with no question pending")]
    NothingPending,
    #[error("the variable's frame has no frame base")]
    NoFrameBase,
}

/// Where the evaluation should put the answer it is waiting for.
#[derive(Clone, Copy, Debug)]
enum Pending {
    Push,
    PushPlus(i64),
}

/// A decoded expression: each operation with its start and end offsets.
/// Shared, so a variable's expression is decoded once, not at every
/// evaluation (conditions evaluate at every breakpoint hit).
pub type DecodedOps = std::sync::Arc<[(usize, usize, Operation<DwarfReader>)]>;

/// The state of one evaluation.
#[derive(Debug)]
pub struct LocationEval {
    ops: DecodedOps,
    frame_base: Option<DecodedOps>,
    /// Running the frame base expression (for `fbreg`), with its offset.
    in_frame_base: Option<(usize, i64)>,
    next: usize,
    stack: Vec<u64>,
    pieces: Vec<Piece>,
    /// A location description waiting for the end of its piece.
    pending_location: Option<PieceLocation>,
    pending: Option<Pending>,
    steps: usize,
}

const ADDRESS_MASK: u64 = 0xffff_ffff;
/// Bounds a loop written with branches in corrupt DWARF.
const MAX_STEPS: usize = 10_000;

pub fn decode(expression: gimli::Expression<DwarfReader>, encoding: gimli::Encoding) -> Result<DecodedOps, EvalError> {
    let total = expression.0.len();
    let mut reader = expression.0;
    let mut ops = Vec::new();
    while !reader.is_empty() {
        let start = total - reader.len();
        let op = Operation::parse(&mut reader, encoding).map_err(|e| EvalError::Decode(e.to_string()))?;
        ops.push((start, total - reader.len(), op));
    }
    Ok(ops.into())
}

/// `decode`, remembering the last expression decoded on this thread: a
/// function's frame base is the same expression for all its variables and
/// at every hit of a conditional breakpoint in it.
pub fn decode_frame_base(
    expression: &gimli::Expression<DwarfReader>,
    encoding: gimli::Encoding,
) -> Result<DecodedOps, EvalError> {
    use gimli::Reader as _;
    thread_local! {
        static LAST: std::cell::RefCell<Option<(Vec<u8>, gimli::Encoding, DecodedOps)>> = const { std::cell::RefCell::new(None) };
    }
    // Keyed by content: equal bytes and encoding decode to equal operations.
    let bytes = expression.0.to_slice().map_err(|e| EvalError::Decode(e.to_string()))?;
    let hit = LAST.with_borrow(|last| match last {
        Some((seen, enc, ops)) if seen[..] == bytes[..] && *enc == encoding => Some(ops.clone()),
        _ => None,
    });
    if let Some(ops) = hit {
        return Ok(ops);
    }
    let ops = decode(expression.clone(), encoding)?;
    LAST.with_borrow_mut(|last| *last = Some((bytes.to_vec(), encoding, ops.clone())));
    Ok(ops)
}

impl LocationEval {
    /// Starts evaluating `expression`; `frame_base` is the enclosing
    /// function's `DW_AT_frame_base`, needed by `fbreg`.
    pub fn new(
        expression: gimli::Expression<DwarfReader>,
        frame_base: Option<gimli::Expression<DwarfReader>>,
        encoding: gimli::Encoding,
    ) -> Result<Self, EvalError> {
        Ok(Self::from_decoded(decode(expression, encoding)?, frame_base.map(|f| decode(f, encoding)).transpose()?))
    }

    /// Starts evaluating expressions decoded earlier.
    pub fn from_decoded(ops: DecodedOps, frame_base: Option<DecodedOps>) -> Self {
        LocationEval {
            ops,
            frame_base,
            in_frame_base: None,
            next: 0,
            stack: Vec::new(),
            pieces: Vec::new(),
            pending_location: None,
            pending: None,
            steps: 0,
        }
    }

    /// Runs until the evaluation needs something or is done.
    pub fn evaluate(&mut self) -> Result<EvalStep, EvalError> {
        loop {
            if let Some(step) = self.step()? {
                return Ok(step);
            }
        }
    }

    /// Gives the answer to the last [`Need`] and runs on.
    pub fn resume(&mut self, value: u64) -> Result<EvalStep, EvalError> {
        match self.pending.take().ok_or(EvalError::NothingPending)? {
            Pending::Push => self.stack.push(value),
            Pending::PushPlus(offset) => self.stack.push(value.wrapping_add_signed(offset) & ADDRESS_MASK),
        }
        self.evaluate()
    }

    fn current_ops(&self) -> &[(usize, usize, Operation<DwarfReader>)] {
        match (&self.in_frame_base, &self.frame_base) {
            (Some(_), Some(base)) => base,
            _ => &self.ops,
        }
    }

    fn pop(&mut self) -> Result<u64, EvalError> {
        self.stack.pop().ok_or(EvalError::StackUnderflow)
    }

    fn finish_piece(&mut self, size_bits: Option<u64>) -> Result<(), EvalError> {
        let location = match self.pending_location.take() {
            Some(location) => location,
            None => match self.stack.pop() {
                Some(address) => PieceLocation::Memory(MemoryAddress(address & ADDRESS_MASK)),
                None => PieceLocation::Unavailable,
            },
        };
        self.pieces.push(Piece { location, size_bits });
        Ok(())
    }

    /// One operation. `Ok(None)` means keep going.
    fn step(&mut self) -> Result<Option<EvalStep>, EvalError> {
        self.steps += 1;
        if self.steps > MAX_STEPS {
            return Err(EvalError::BadBranch);
        }
        let ops_len = self.current_ops().len();
        if self.next >= ops_len {
            if let Some((resume_at, offset)) = self.in_frame_base.take() {
                // The frame base is done: it named where the frame pointer
                // is; fetch it and add the fbreg offset.
                self.next = resume_at;
                return match self.pending_location.take() {
                    Some(PieceLocation::WasmLocal(i)) => self.ask(Need::WasmLocal(i), Pending::PushPlus(offset)),
                    Some(PieceLocation::WasmGlobal(i)) => self.ask(Need::WasmGlobal(i), Pending::PushPlus(offset)),
                    Some(PieceLocation::WasmStack(i)) => self.ask(Need::WasmStack(i), Pending::PushPlus(offset)),
                    Some(PieceLocation::Value(v)) => {
                        self.stack.push(v.wrapping_add_signed(offset) & ADDRESS_MASK);
                        Ok(None)
                    }
                    _ => {
                        let base = self.pop()?;
                        self.stack.push(base.wrapping_add_signed(offset) & ADDRESS_MASK);
                        Ok(None)
                    }
                };
            }
            if self.pieces.is_empty() || self.pending_location.is_some() || !self.stack.is_empty() {
                self.finish_piece(None)?;
            }
            return Ok(Some(EvalStep::Done(std::mem::take(&mut self.pieces))));
        }
        let (_, end, op) = self.current_ops()[self.next].clone();
        let followed_by_stack_value =
            matches!(self.current_ops().get(self.next + 1), Some((_, _, Operation::StackValue)));
        self.next += 1;
        match op {
            Operation::WasmLocal { index } | Operation::WasmGlobal { index } | Operation::WasmStack { index } => {
                let (location, need) = match op {
                    Operation::WasmLocal { .. } => (PieceLocation::WasmLocal(index), Need::WasmLocal(index)),
                    Operation::WasmGlobal { .. } => (PieceLocation::WasmGlobal(index), Need::WasmGlobal(index)),
                    _ => (PieceLocation::WasmStack(index), Need::WasmStack(index)),
                };
                // LLVM's convention, which LLDB follows: the operation pushes
                // the slot's value. Followed by `stack_value`, that value is
                // the variable (kept as a slot, so it can be named); anywhere
                // else it is a number, and an expression (or piece) that ends
                // on it without `stack_value` names memory at that address:
                // how aggregates passed by value (really by pointer) are
                // described.
                if followed_by_stack_value {
                    self.pending_location = Some(location);
                } else {
                    return self.ask(need, Pending::Push);
                }
            }
            Operation::FrameOffset { offset } => {
                if self.in_frame_base.is_some() || self.frame_base.is_none() {
                    return Err(EvalError::NoFrameBase);
                }
                self.in_frame_base = Some((self.next, offset));
                self.next = 0;
            }
            Operation::Address { address } => self.stack.push(address),
            Operation::UnsignedConstant { value } => self.stack.push(value),
            Operation::SignedConstant { value } => self.stack.push(value as u64),
            Operation::PlusConstant { value } => {
                let top = self.pop()?;
                self.stack.push(top.wrapping_add(value));
            }
            Operation::Deref { size, .. } => {
                let address = self.pop()?;
                let need = Need::Memory { address: MemoryAddress(address & ADDRESS_MASK), size };
                return self.ask(need, Pending::Push);
            }
            Operation::StackValue => {
                let location = match self.pending_location.take() {
                    Some(location) => location,
                    None => PieceLocation::Value(self.pop()?),
                };
                self.pending_location = Some(location);
            }
            Operation::ImplicitValue { data } => {
                let bytes = data.to_slice().map_err(|e| EvalError::Decode(e.to_string()))?.into_owned();
                self.pending_location = Some(PieceLocation::Bytes(bytes));
            }
            Operation::Piece { size_in_bits, .. } => self.finish_piece(Some(size_in_bits))?,
            Operation::Drop => {
                self.pop()?;
            }
            Operation::Pick { index } => {
                let i = self.stack.len().checked_sub(1 + index as usize).ok_or(EvalError::StackUnderflow)?;
                self.stack.push(self.stack[i]);
            }
            Operation::Swap => {
                let (a, b) = (self.pop()?, self.pop()?);
                self.stack.extend([a, b]);
            }
            Operation::Rot => {
                let (a, b, c) = (self.pop()?, self.pop()?, self.pop()?);
                self.stack.extend([a, c, b]);
            }
            Operation::Nop => {}
            Operation::Skip { target } => self.jump(end, target)?,
            Operation::Bra { target } => {
                if self.pop()? != 0 {
                    self.jump(end, target)?;
                }
            }
            Operation::Neg | Operation::Not | Operation::Abs => {
                let a = self.pop()?;
                self.stack.push(match op {
                    Operation::Neg => (a as i64).wrapping_neg() as u64,
                    Operation::Not => !a,
                    _ => (a as i64).unsigned_abs(),
                });
            }
            Operation::Plus
            | Operation::Minus
            | Operation::Mul
            | Operation::Div
            | Operation::Mod
            | Operation::And
            | Operation::Or
            | Operation::Xor
            | Operation::Shl
            | Operation::Shr
            | Operation::Shra
            | Operation::Eq
            | Operation::Ne
            | Operation::Lt
            | Operation::Le
            | Operation::Gt
            | Operation::Ge => {
                let b = self.pop()?;
                let a = self.pop()?;
                self.stack.push(binary(&op, a, b)?);
            }
            Operation::Register { .. } | Operation::RegisterOffset { .. } => {
                return Err(EvalError::Unsupported("machine registers"));
            }
            Operation::EntryValue { .. } => {
                return Err(EvalError::Unsupported("DW_OP_entry_value"));
            }
            Operation::ImplicitPointer { .. } => {
                return Err(EvalError::Unsupported("DW_OP_implicit_pointer"));
            }
            Operation::TLS => return Err(EvalError::Unsupported("thread-local storage")),
            Operation::CallFrameCFA => return Err(EvalError::Unsupported("DW_OP_call_frame_cfa")),
            _ => {
                return Err(EvalError::Unsupported("an operation outside the Wasm subset"));
            }
        }
        Ok(None)
    }

    fn ask(&mut self, need: Need, pending: Pending) -> Result<Option<EvalStep>, EvalError> {
        self.pending = Some(pending);
        Ok(Some(EvalStep::Needs(need)))
    }

    fn jump(&mut self, end_of_op: usize, target: i16) -> Result<(), EvalError> {
        let destination = end_of_op as i64 + i64::from(target);
        let ops = self.current_ops();
        let total = ops.last().map_or(0, |(_, end, _)| *end) as i64;
        if destination == total {
            self.next = ops.len();
            return Ok(());
        }
        self.next = ops.iter().position(|(start, _, _)| *start as i64 == destination).ok_or(EvalError::BadBranch)?;
        Ok(())
    }
}

fn binary(op: &Operation<DwarfReader>, a: u64, b: u64) -> Result<u64, EvalError> {
    let (sa, sb) = (a as i64, b as i64);
    Ok(match op {
        Operation::Plus => a.wrapping_add(b),
        Operation::Minus => a.wrapping_sub(b),
        Operation::Mul => a.wrapping_mul(b),
        Operation::Div => sa.checked_div(sb).ok_or(EvalError::DivisionByZero)? as u64,
        Operation::Mod => a.checked_rem(b).ok_or(EvalError::DivisionByZero)?,
        Operation::And => a & b,
        Operation::Or => a | b,
        Operation::Xor => a ^ b,
        Operation::Shl => a.checked_shl(b as u32).unwrap_or(0),
        Operation::Shr => a.checked_shr(b as u32).unwrap_or(0),
        Operation::Shra => sa.checked_shr(b as u32).unwrap_or(if sa < 0 { -1 } else { 0 }) as u64,
        Operation::Eq => u64::from(a == b),
        Operation::Ne => u64::from(a != b),
        Operation::Lt => u64::from(sa < sb),
        Operation::Le => u64::from(sa <= sb),
        Operation::Gt => u64::from(sa > sb),
        _ => u64::from(sa >= sb),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn expr(bytes: &[u8]) -> gimli::Expression<DwarfReader> {
        gimli::Expression(DwarfReader::new(Arc::from(bytes), gimli::LittleEndian))
    }

    fn encoding() -> gimli::Encoding {
        gimli::Encoding { address_size: 4, format: gimli::Format::Dwarf32, version: 4 }
    }

    const WASM_LOCAL_1: [u8; 3] = [0xed, 0x00, 0x01];

    #[test]
    fn a_wasm_local_with_stack_value_is_the_value_s_location() {
        let bytes = [0xed, 0x00, 0x01, 0x9f];
        let mut eval = LocationEval::new(expr(&bytes), None, encoding()).unwrap();
        let done = eval.evaluate().unwrap();
        assert_eq!(done, EvalStep::Done(vec![Piece { location: PieceLocation::WasmLocal(1), size_bits: None }]));
    }

    #[test]
    fn a_bare_wasm_local_holds_the_address_of_the_value() {
        // clang and rustc describe an aggregate passed by value this way.
        let mut eval = LocationEval::new(expr(&WASM_LOCAL_1), None, encoding()).unwrap();
        assert_eq!(eval.evaluate().unwrap(), EvalStep::Needs(Need::WasmLocal(1)));
        let done = eval.resume(0x2_0010).unwrap();
        let at = PieceLocation::Memory(MemoryAddress(0x2_0010));
        assert_eq!(done, EvalStep::Done(vec![Piece { location: at, size_bits: None }]));
    }

    #[test]
    fn fbreg_asks_for_the_frame_pointer_local_and_adds_the_offset() {
        // DW_OP_fbreg +12 with frame base DW_OP_WASM_location 0x0 0x1, as clang -O0 emits.
        let mut eval = LocationEval::new(expr(&[0x91, 12]), Some(expr(&WASM_LOCAL_1)), encoding()).unwrap();
        assert_eq!(eval.evaluate().unwrap(), EvalStep::Needs(Need::WasmLocal(1)));
        let done = eval.resume(0x1000).unwrap();
        let at = PieceLocation::Memory(MemoryAddress(0x100c));
        assert_eq!(done, EvalStep::Done(vec![Piece { location: at, size_bits: None }]));
    }

    #[test]
    fn pieces_split_a_value_between_a_local_and_memory() {
        // WASM_location local 2; stack_value; piece 4; addr 0x400; piece 4
        let bytes = [0xed, 0x00, 0x02, 0x9f, 0x93, 0x04, 0x03, 0x00, 0x04, 0x00, 0x00, 0x93, 0x04];
        let mut eval = LocationEval::new(expr(&bytes), None, encoding()).unwrap();
        let EvalStep::Done(pieces) = eval.evaluate().unwrap() else { panic!("needs nothing") };
        assert_eq!(pieces[0], Piece { location: PieceLocation::WasmLocal(2), size_bits: Some(32) });
        assert_eq!(pieces[1], Piece { location: PieceLocation::Memory(MemoryAddress(0x400)), size_bits: Some(32) });
    }

    #[test]
    fn a_wasm_local_used_in_arithmetic_is_read_and_deref_asks_for_memory() {
        // WASM_location local 0; plus_uconst 8; deref; stack_value
        let bytes = [0xed, 0x00, 0x00, 0x23, 0x08, 0x06, 0x9f];
        let mut eval = LocationEval::new(expr(&bytes), None, encoding()).unwrap();
        assert_eq!(eval.evaluate().unwrap(), EvalStep::Needs(Need::WasmLocal(0)));
        let need = Need::Memory { address: MemoryAddress(0x208), size: 4 };
        assert_eq!(eval.resume(0x200).unwrap(), EvalStep::Needs(need));
        let done = eval.resume(42).unwrap();
        assert_eq!(done, EvalStep::Done(vec![Piece { location: PieceLocation::Value(42), size_bits: None }]));
    }

    #[test]
    fn corrupt_expressions_are_errors() {
        assert!(LocationEval::new(expr(&[0xed]), None, encoding()).is_err(), "truncated");
        let mut eval = LocationEval::new(expr(&[0x22]), None, encoding()).unwrap();
        assert_eq!(eval.evaluate(), Err(EvalError::StackUnderflow));
        let mut eval = LocationEval::new(expr(&[0x2f, 0xfd, 0xff]), None, encoding()).unwrap();
        assert_eq!(eval.evaluate(), Err(EvalError::BadBranch), "a skip back to itself loops");
        let mut eval = LocationEval::new(expr(&[0x91, 0x04]), None, encoding()).unwrap();
        assert_eq!(eval.evaluate(), Err(EvalError::NoFrameBase));
    }
}
