//! Post-mortem debugging: Wasm coredumps, read and written.
//!
//! - format.rs: reading a dump (standard sections, bounded and checked);
//! - note.rs: the `wasmscope` section (trap, program fingerprint, context);
//! - write.rs: writing one from a stopped thread, with every frame's locals
//!   and operand stack;
//! - matching.rs: which core module of the program each instance runs, and
//!   whether the dump is the program's at all;
//! - trap_guess.rs: the trap's kind from the trapping instruction;
//! - target.rs: a dump behind the target seam (one thread stopped at its
//!   trap, nothing runs).

mod format;
mod matching;
mod note;
mod target;
mod trap_guess;
mod write;

pub use format::{CoreDump, DumpError, DumpFrame, DumpInstance, DumpThread, MemoryImage};
pub use note::{DumpNote, ProgramFingerprint, append_note};
pub use target::{CoreLauncher, POST_MORTEM};
pub use trap_guess::trap_site;
pub use write::{DumpedProgram, WriteLimits, write_coredump};
