//! wasmscope's debugger core. `symbols` maps Wasm code to source through
//! DWARF; `target` is the seam to whatever runs the guest; `session` is
//! the debugging logic on top. It knows nothing of DAP, JSON or any runtime.

pub mod address;
pub mod coredump;
pub mod output_budget;
pub mod session;
pub mod symbols;
pub mod target;
