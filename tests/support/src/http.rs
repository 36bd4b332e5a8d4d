//! A minimal HTTP/1.1 client for the server tests: one request per
//! connection, the response read whole (chunked bodies decoded), so a test
//! can compare status, headers and body byte for byte. No dependency: the
//! tests must see exactly what the server sent.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// A response as it arrived.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    /// Header names lowercased, in arrival order.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends `method path` (with `extra` header lines) and reads the response.
pub fn request(addr: SocketAddr, method: &str, path: &str, extra: &[&str]) -> std::io::Result<Response> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(120)))?;
    let mut head = format!("{method} {path} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\n");
    for line in extra {
        head.push_str(line);
        head.push_str("\r\n");
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    parse(&raw)
        .ok_or_else(|| std::io::Error::other(format!("not an HTTP response: {:?}", String::from_utf8_lossy(&raw))))
}

pub fn get(addr: SocketAddr, path: &str) -> Response {
    request(addr, "GET", path, &[]).unwrap()
}

fn parse(raw: &[u8]) -> Option<Response> {
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&raw[..end]).ok()?;
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    let rest = &raw[end + 4..];
    let chunked = headers.iter().any(|(n, v)| n == "transfer-encoding" && v.eq_ignore_ascii_case("chunked"));
    let body = if chunked { unchunk(rest)? } else { rest.to_vec() };
    Some(Response { status, headers, body })
}

fn unchunk(mut rest: &[u8]) -> Option<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let line_end = rest.windows(2).position(|w| w == b"\r\n")?;
        let size_text = std::str::from_utf8(&rest[..line_end]).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        rest = &rest[line_end + 2..];
        if size == 0 {
            return Some(body);
        }
        body.extend_from_slice(rest.get(..size)?);
        rest = rest.get(size + 2..)?;
    }
}

/// Waits for `Serving HTTP on http://ADDR/` on a server's standard error
/// (wasmtime serve's words, which `wasmscope serve` prints too); the
/// lines read on the way are returned with the address.
pub fn wait_for_serving(stderr: &mut impl std::io::BufRead) -> (SocketAddr, Vec<String>) {
    let mut seen = Vec::new();
    loop {
        let mut line = String::new();
        let read = stderr.read_line(&mut line).unwrap();
        assert!(read > 0, "the server ended before serving; it said:\n{}", seen.join(""));
        if let Some(rest) = line.trim().strip_prefix("Serving HTTP on http://") {
            return (rest.trim_end_matches('/').parse().unwrap(), seen);
        }
        seen.push(line);
    }
}
