//! wasmscope's Wasmtime host. The only crate that names wasmtime types; what
//! leaves it is in wasmscope's own terms (typed offsets, trap kinds, exit
//! codes), so the debugger and profiler never see wasmtime.

mod compile_cache;
mod compile_input;
mod compile_spinner;
mod coredump_writer;
mod debug_host;
mod epoch_sampler;
mod function_cache;
mod guest_output;
mod host_data;
mod http_server;
mod local_target;
mod module_cache;
mod pc_map;
mod program;
mod run_agent;
mod sampling;
#[cfg(all(target_os = "linux", any(target_arch = "x86_64", target_arch = "aarch64")))]
mod signal_sampler;
pub mod stack_limits;
mod wasi_run;

pub use compile_cache::{cache_directory, finish_cache_writes};
pub use coredump_writer::{CoredumpDir, CoredumpWriter, DEFAULT_MAX_COREDUMP_BYTES, DEFAULT_MAX_COREDUMPS};
pub use debug_host::{Debuggee, DebuggeeEvent, PreparedProgram};
pub use http_server::{DEFAULT_DEBUG_REQUESTS, ServeOptions, ServedGuest, ServerLauncher, ServerProfiler, serve_http};
pub use local_target::LocalLauncher;
// The seam's types, where the runtime's users have always found them.
pub use program::check_command;
pub use run_agent::RunAgent;
pub use sampling::{InterruptHook, SampledEnd, SamplerKind, SamplingOptions, StopCause, run_sampled};
pub use wasi_run::{PlainRun, run_plain, run_timed, run_to_completion};
pub use wasmscope_debugger::target::{
    CompileReport, DirMapping, GuestConfig, OutputStream, RunOutcome, StopReason, TrapFrame, TrapKind,
};
