//! wasmscope's debugger core. `symbols` maps Wasm code to source through
//! DWARF; it knows nothing of DAP, JSON or any runtime.

pub mod address;
pub mod symbols;
