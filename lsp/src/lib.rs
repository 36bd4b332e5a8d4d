//! `wasmscope lsp`: a language server that puts profile heat and debug-info
//! facts into any editor. It knows the workspace's Wasm programs and their
//! latest profile (workspace.rs), answers code lenses, inlay hints, hovers
//! and stale-build hints (server.rs), and `wasmscope/heat`, per-line heat for
//! editors that paint it (LSP has no colouring that would not fight the
//! language's own semantic tokens).
//!
//! - options.rs: what the client says at `initialize`;
//! - heat.rs: a profile's samples per line and per function;
//! - program_facts.rs: what the DWARF says about a source file.

mod framing;
mod heat;
mod options;
mod program_facts;
mod server;
mod workspace;

pub use server::HEAT_METHOD;
pub use workspace::PROFILE_DIR;

use tower_lsp_server::{LspService, Server};

/// Serves one client over stdin and stdout until it exits.
pub fn serve_stdio() -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let (input, output) = framing::checked_stdio(std::io::stdin(), std::io::stdout(), runtime.handle());
    runtime.block_on(async {
        let (service, socket) =
            LspService::build(server::Backend::new).custom_method(HEAT_METHOD, server::Backend::heat).finish();
        Server::new(input, output, socket).serve(service).await;
    });
    Ok(())
}
