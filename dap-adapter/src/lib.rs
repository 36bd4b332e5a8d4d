//! wasmscope's Debug Adapter Protocol layer. Only this crate knows DAP's
//! wire format and JSON; the debugger core never sees either.
//!
//! So far: the Content-Length framing (`codec`) and the base protocol
//! messages (`message`). Requests, handlers and transports follow the debug
//! session (see ARCHITECTURE.md).

pub mod codec;
pub mod message;
