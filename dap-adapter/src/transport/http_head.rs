//! The head of the HTTP request a connection to the agent opens with, read
//! before anything else, so the agent can tell a WebSocket upgrade (a DAP
//! session, a live profile) from a plain `GET` of the pprof endpoint. The
//! bytes read are replayed to whoever handles the connection next.

use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncReadExt as _, AsyncWrite, ReadBuf};

/// The most a request head may take.
const MAX_HEAD: usize = 16 * 1024;
/// Headers a request head may have.
const MAX_HEADERS: usize = 64;

/// What the agent needs to know of a request before handling it.
#[derive(Debug)]
pub(crate) struct RequestHead {
    pub method: String,
    /// The path, without the query.
    pub path: String,
    pub query: String,
    headers: Vec<(String, Vec<u8>)>,
}

impl RequestHead {
    /// A header's value (names compare without case).
    pub fn header(&self, name: &str) -> Option<&[u8]> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_slice())
    }

    /// Whether the client asks for a WebSocket.
    pub fn is_upgrade(&self) -> bool {
        self.header("upgrade").is_some_and(|v| v.eq_ignore_ascii_case(b"websocket"))
    }

    /// A query parameter's value (the first, undecoded: the endpoint's
    /// parameters are numbers).
    pub fn query_param(&self, name: &str) -> Option<&str> {
        self.query.split('&').filter_map(|pair| pair.split_once('=')).find(|(n, _)| *n == name).map(|(_, v)| v)
    }
}

/// Reads the head of the request `stream` opens with; returns it and the
/// stream, which replays every byte read.
pub(crate) async fn read_head<S: AsyncRead + Unpin>(mut stream: S) -> Result<(RequestHead, Replay<S>), String> {
    let mut buffer = Vec::with_capacity(1024);
    loop {
        let mut chunk = [0u8; 2048];
        let read = stream.read(&mut chunk).await.map_err(|e| e.to_string())?;
        if read == 0 {
            return Err("closed before a complete request head".into());
        }
        buffer.extend_from_slice(&chunk[..read]);
        let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut request = httparse::Request::new(&mut headers);
        match request.parse(&buffer) {
            Ok(httparse::Status::Complete(_)) => {
                let target = request.path.unwrap_or("/");
                let (path, query) = target.split_once('?').unwrap_or((target, ""));
                let head = RequestHead {
                    method: request.method.unwrap_or_default().to_owned(),
                    path: path.to_owned(),
                    query: query.to_owned(),
                    headers: request.headers.iter().map(|h| (h.name.to_owned(), h.value.to_vec())).collect(),
                };
                return Ok((head, Replay { prefix: buffer, position: 0, inner: stream }));
            }
            Ok(httparse::Status::Partial) if buffer.len() < MAX_HEAD => {}
            Ok(httparse::Status::Partial) => return Err("a request head over 16 KiB".into()),
            Err(error) => return Err(format!("not an HTTP request ({error})")),
        }
    }
}

/// A stream that first gives back bytes already read from it.
#[derive(Debug)]
pub(crate) struct Replay<S> {
    prefix: Vec<u8>,
    position: usize,
    inner: S,
}

impl<S: AsyncRead + Unpin> AsyncRead for Replay<S> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        if self.position < self.prefix.len() {
            let n = buf.remaining().min(self.prefix.len() - self.position);
            let start = self.position;
            buf.put_slice(&self.prefix[start..start + n]);
            self.position += n;
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Replay<S> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncWriteExt as _;

    #[test]
    fn a_head_is_read_and_its_bytes_replayed() {
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        runtime.block_on(async {
            let (mut client, server) = tokio::io::duplex(64 * 1024);
            let request =
                b"GET /debug/pprof/profile?seconds=5&hz=99 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t\r\n\r\nrest";
            client.write_all(request).await.unwrap();
            let (head, mut replay) = read_head(server).await.unwrap();
            assert_eq!((head.method.as_str(), head.path.as_str()), ("GET", "/debug/pprof/profile"));
            assert_eq!(head.query_param("seconds"), Some("5"));
            assert_eq!(head.query_param("hz"), Some("99"));
            assert_eq!(head.query_param("nope"), None);
            assert_eq!(head.header("AUTHORIZATION"), Some(&b"Bearer t"[..]));
            assert!(!head.is_upgrade());
            let mut again = vec![0u8; request.len()];
            replay.read_exact(&mut again).await.unwrap();
            assert_eq!(&again, request);

            let (mut client, server) = tokio::io::duplex(64 * 1024);
            client.write_all(b"\x16\x03\x01 garbage\r\n\r\n").await.unwrap();
            assert!(read_head(server).await.unwrap_err().contains("not an HTTP request"));
            let (mut client, server) = tokio::io::duplex(64 * 1024);
            client.write_all(&vec![b'a'; 20_000]).await.unwrap();
            assert!(read_head(server).await.is_err());
        });
    }
}
