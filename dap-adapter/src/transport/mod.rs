//! Transports: each reduces to a byte stream in and a byte stream out for
//! [`serve`](crate::serve): stdio, TCP, and WebSocket (`websocket`).

mod websocket;

pub use websocket::WebSocketListener;

use std::io::Write as _;
use std::net::{Ipv4Addr, TcpListener};

use crate::log::MessageLog;

/// Serves one session on stdin/stdout (what VS Code starts).
pub fn serve_stdio(log: &MessageLog) {
    crate::serve(std::io::stdin(), std::io::stdout(), log.clone());
}

/// Listens on 127.0.0.1:`port` (0 picks a free port), says where on
/// stdout in the form IntelliJ's LSP4IJ waits for, and serves sessions
/// one after another until the process is stopped.
pub fn serve_tcp(port: u16, log: &MessageLog) -> std::io::Result<()> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port))?;
    let address = listener.local_addr()?;
    let mut stdout = std::io::stdout();
    writeln!(stdout, "DAP server listening at: 127.0.0.1:{}", address.port())?;
    stdout.flush()?;
    for connection in listener.incoming() {
        let stream = match connection {
            Ok(stream) => stream,
            Err(error) => {
                log.line(&format!("accept failed: {error}"));
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        log.line(&format!("session from {}", stream.peer_addr().map_or_else(|_| "?".into(), |a| a.to_string())));
        let reader = stream.try_clone()?;
        let closer = stream.try_clone()?;
        crate::serve(reader, stream, log.clone());
        // The session is over (disconnect, or the client left): close the
        // connection so the client sees it and the reader thread ends.
        let _ = closer.shutdown(std::net::Shutdown::Both);
        log.line("session ended");
    }
    Ok(())
}
