//! The debug session's logic on top of the target seam: breakpoints and
//! their binding (`breakpoints`), judging hits in the event handler
//! (`judge`), expressions (`expr`), the call stack with inlined frames
//! (`stack`), variable values (`values`), opening them (`expand`) and
//! source-level stepping (`stepping`) and what a line can step into
//! (`step_targets`).

pub mod breakpoints;
pub mod expand;
pub mod expr;
pub mod judge;
pub mod pretty;
pub mod stack;
pub mod step_targets;
pub mod stepping;
pub mod values;
