//! DAP over TCP (`wasmscope dap --port N`, what LSP4IJ and nvim-dap's
//! server mode connect to). Each connection proves it speaks DAP within
//! the first-message deadline on a thread of its own, so an idle or
//! foreign connection delays nobody; then it gets the session, or hears
//! that another client has it.

use std::io::Write as _;
use std::net::{Ipv4Addr, Shutdown, TcpListener, TcpStream};

use super::admission::{DeadlineStream, FIRST_MESSAGE_DEADLINE, Gate, send_busy};
use crate::Backend;
use crate::codec::FrameReader;
use crate::log::MessageLog;

/// Listens on 127.0.0.1:`port` (0 picks a free port), says where on
/// stdout in the form IntelliJ's LSP4IJ waits for, and serves one session
/// at a time until the process is stopped.
pub fn serve_tcp(port: u16, backend: &Backend) -> std::io::Result<()> {
    let log = &backend.log;
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port))?;
    let address = listener.local_addr()?;
    let mut stdout = std::io::stdout();
    writeln!(stdout, "DAP server listening at: 127.0.0.1:{}", address.port())?;
    stdout.flush()?;
    let gate = Gate::default();
    for connection in listener.incoming() {
        let stream = match connection {
            Ok(stream) => stream,
            Err(error) => {
                log.line(&format!("accept failed: {error}"));
                continue;
            }
        };
        let Some(pending) = gate.pending() else {
            log.line("too many connections proving themselves: closed one");
            let _ = stream.shutdown(Shutdown::Both);
            continue;
        };
        let (connection_gate, connection_backend) = (gate.clone(), backend.clone());
        let spawned = std::thread::Builder::new().name("wasmscope-dap-tcp".into()).spawn(move || {
            let _pending = pending;
            serve_connection(stream, &connection_gate, connection_backend);
        });
        if let Err(error) = spawned {
            log.line(&format!("cannot start a connection thread: {error}"));
        }
    }
    Ok(())
}

fn serve_connection(stream: TcpStream, gate: &Gate, backend: Backend) {
    let log: MessageLog = backend.log.clone();
    let log = &log;
    let peer = stream.peer_addr().map_or_else(|_| "?".into(), |a| a.to_string());
    let _ = stream.set_nodelay(true);
    let (Ok(reader), Ok(closer)) = (stream.try_clone(), stream.try_clone()) else {
        return;
    };
    let mut frames = FrameReader::new(DeadlineStream::new(reader, FIRST_MESSAGE_DEADLINE));
    let first = match frames.read_frame() {
        Ok(Some(first)) => first,
        Ok(None) => return,
        Err(error) => {
            log.line(&format!("refused {peer}: {error}"));
            let _ = closer.shutdown(Shutdown::Both);
            return;
        }
    };
    if frames.get_mut().lift().is_err() {
        return;
    }
    match gate.session_soon() {
        Some(_session) => {
            log.line(&format!("session from {peer}"));
            crate::serve_frames(frames, Some(first), stream, backend);
            log.line("session ended");
        }
        None => {
            log.line(&format!("refused {peer}: another session is active"));
            let mut stream = stream;
            send_busy(&mut stream, &first);
        }
    }
    // The session is over (disconnect, or the client left): close the
    // connection so the client sees it and the reader thread ends.
    let _ = closer.shutdown(Shutdown::Both);
}
