//! wasmscope's Debug Adapter Protocol server. Only this crate knows DAP's
//! wire format and JSON; the debugger core never sees either.
//!
//! - `codec`, `message`: Content-Length framing and the base messages;
//! - `protocol`: typed arguments, bodies and capabilities;
//! - `launch_config`: the `wasmscope` launch configuration, checked;
//! - `server`: one client's session (dispatch, run state, handles), on a
//!   target the CLI's `Backend` launches (the adapter names no runtime);
//! - `handlers`: the requests, by area;
//! - `transport`: stdio, TCP and WebSocket, each checking that a client
//!   speaks DAP (and, for WebSocket, holds the token) before serving it;
//! - `log`: `--log FILE` message summaries.

pub mod codec;
mod handlers;
pub mod launch_config;
pub mod log;
pub mod message;
pub mod protocol;
mod server;
pub mod transport;

pub use server::{Backend, serve, serve_frames};
