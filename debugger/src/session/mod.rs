//! The debug session's logic that runs while the guest is stopped. So far:
//! source-level stepping (`stepping`).

pub mod stepping;
