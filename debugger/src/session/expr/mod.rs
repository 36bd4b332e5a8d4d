//! Expressions for watches, hovers, conditions, logpoints and the REPL: a
//! C-like subset evaluated against a stopped guest through DWARF. Errors
//! are values: an expression that cannot be evaluated says why.

mod ast;
mod eval;
mod integer;
mod parser;

pub use ast::{BinaryOp, Expr, UnaryOp};
pub use eval::{EvalContext, Value, as_number, evaluate, is_true, members_of, members_through};
pub use integer::{IntType, Integer};
pub use parser::{MAX_DEPTH, MAX_LENGTH, ParseError, parse};
