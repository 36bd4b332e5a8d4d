//! wasmscope's target for WebAssembly in V8, over the Chrome DevTools
//! protocol: Node started under its inspector, or Debian's chromium on a
//! page. The same session logic as the local target drives it through the
//! seam (`wasmscope_debugger::target`); V8 gives frames, Wasm locals, the
//! operand stack, globals and memory, and single instruction steps.
//!
//! - connection.rs: the protocol over one WebSocket, commands from any thread
//!   (quick_ack.rs: without delayed acknowledgements, which cost Node 40 ms a command);
//! - node.rs, chromium.rs, host.rs: the processes that run the program;
//!   endpoint.rs: a running one's targets, to attach to by port;
//! - opening.rs: a host started and connected, its program found when unnamed;
//! - target.rs: the launcher and the target the session drives;
//! - event_loop.rs: the protocol's events as the session's, breaks judged;
//! - shared.rs: the run's state both threads see, breakpoints installed;
//! - paused_view.rs: a stop, as the session inspects it;
//! - wasm_values.rs, trap_message.rs: V8's values and trap messages.

mod chromium;
mod connection;
mod endpoint;
mod event_loop;
mod host;
mod node;
mod opening;
mod paused_view;
mod quick_ack;
mod shared;
mod target;
mod temp_file;
mod trap_message;
mod wasm_values;

pub use chromium::Chromium;
pub use connection::{Cdp, CdpError, CdpEvent};
pub use node::WASI_RUNNER;
pub use target::DevtoolsLauncher;
