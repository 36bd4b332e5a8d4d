//! wasmscope's Wasmtime host. The only crate that names wasmtime types; the
//! debugger and profiler reach it through traits.

/// The wasmtime version this host is built against, for `--version` output.
pub const WASMTIME_VERSION: &str = "48.0.8";
