//! Transports: each reduces to a byte stream in and a byte stream out for
//! [`serve`](crate::serve): stdio, TCP (`tcp`), and WebSocket (`websocket`);
//! `connect` bridges stdio to a remote agent instead.
//! The network ones admit a client only once it has proved itself
//! (`admission`).

mod admission;
mod connect;
mod http_head;
mod live_profiling;
mod profile_client;
mod tcp;
pub mod tls;
mod websocket;

pub use admission::{Credentials, FIRST_MESSAGE_DEADLINE, Refusal};
pub use connect::{ConnectError, connect};
pub use live_profiling::{PPROF_PATH, PROFILE_PATH};
pub use profile_client::{RemoteProfile, profile_remote};
pub use tcp::serve_tcp;
pub use websocket::WebSocketListener;

use crate::Backend;

/// Serves one session on stdin/stdout (what VS Code starts).
pub fn serve_stdio(backend: &Backend) {
    crate::serve(std::io::stdin(), std::io::stdout(), backend.clone());
}
