//! The seam between the debugger and whatever runs the guest (design.md §2):
//! the local Wasmtime host implements it, so can a server's agent, a Chrome
//! target, or a fake one in tests. Only wasmscope's own types cross it.
//!
//! - view.rs: what can be asked of a stopped thread (frames, values,
//!   memory) and the policies that judge its breaks on the guest's side;
//! - control.rs: starting a program, its threads, running and stopping them,
//!   and the events a target reports;
//! - program.rs: what to run and with what (a WASI command's settings);
//! - outcome.rs: how a run ends and why Wasm stops (trap kinds);
//! - error.rs: the typed errors of all of it.

mod control;
mod error;
mod outcome;
mod program;
mod view;

pub use control::{
    Attachable, CompileReport, EventSink, FoundProgram, JudgeFactory, Launcher, OutputStream, PreparedTarget,
    StartOptions, StopReason, Target, TargetEvent, ThreadId, ThreadInfo,
};
pub use error::TargetError;
pub use outcome::{RunOutcome, TrapFrame, TrapKind};
pub use program::{
    DirMapping, GuestConfig, GuestHost, LARGEST_MAX_WASM_STACK, SMALLEST_MAX_WASM_STACK, check_stack_size,
    parse_stack_size,
};
pub use view::{BreakPolicy, HostFrame, Resume, TargetFrame, TargetView, WasmState, WasmValue};
