//! The debug session's logic on top of the target seam: the call stack with
//! inlined frames (`stack`), variable values (`values`) and source-level
//! stepping (`stepping`).

pub mod expr;
pub mod stack;
pub mod stepping;
pub mod values;
