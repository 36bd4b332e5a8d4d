//! The HTTP side of a DevTools endpoint (`/json/...` on the same port as
//! the WebSocket): new pages, and the list of targets to attach to.

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::time::Duration;

use serde_json::Value;

/// How long the endpoint may take to answer.
const HTTP_TIMEOUT: Duration = Duration::from_secs(30);
/// The most of an answer read (a list of a browser's targets).
const MAX_BODY: usize = 4 << 20;

/// `METHOD path` on 127.0.0.1:`port`, its JSON answer.
pub fn http(port: u16, method: &str, path: &str) -> Result<Value, String> {
    let stream = TcpStream::connect(("127.0.0.1", port)).map_err(|e| {
        format!(
            "the DevTools endpoint at 127.0.0.1:{port}: {e} (is Node started with --inspect={port}, or Chromium with \
             --remote-debugging-port={port}?)"
        )
    })?;
    let what = format!("the DevTools endpoint at 127.0.0.1:{port}");
    let (_, body) = exchange(stream, ("HTTP/1.1", method, path), &format!("127.0.0.1:{port}"), MAX_BODY as u64, &what)?;
    serde_json::from_slice(&body).map_err(|e| format!("{what}'s answer: {e}"))
}

/// One request and its answer: the status line and the body. The body is as
/// long as Content-Length says (Chromium keeps the connection open), else
/// runs to the connection's end; at most `max` bytes. Web servers are asked
/// in HTTP/1.0 (`version`), so that they never answer in chunks.
fn exchange(
    mut stream: TcpStream,
    request: (&str, &str, &str),
    authority: &str,
    max: u64,
    what: &str,
) -> Result<(String, Vec<u8>), String> {
    let (version, method, path) = request;
    let fail = |e: std::io::Error| format!("{what}: {e}");
    stream.set_read_timeout(Some(HTTP_TIMEOUT)).map_err(fail)?;
    write!(stream, "{method} {path} {version}\r\nHost: {authority}\r\nConnection: close\r\n\r\n").map_err(fail)?;
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && head.len() < 16 * 1024 {
        stream.read_exact(&mut byte).map_err(fail)?;
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let status = head.lines().next().unwrap_or_default().to_owned();
    let length: Option<u64> = head
        .lines()
        .find_map(|l| l.split_once(':').filter(|(k, _)| k.eq_ignore_ascii_case("content-length")))
        .and_then(|(_, v)| v.trim().parse().ok());
    if length.is_some_and(|n| n > max) {
        return Err(format!("{what}: the answer is too long ({} bytes)", length.unwrap_or(0)));
    }
    let mut body = Vec::new();
    match length {
        Some(length) => {
            body.resize(length as usize, 0);
            stream.read_exact(&mut body).map_err(fail)?;
        }
        None => {
            stream.take(max).read_to_end(&mut body).map_err(fail)?;
        }
    }
    Ok((status, body))
}

/// The WebSocket address of the target to debug at 127.0.0.1:`port`: Node's
/// one target, or the browser's first page whose address starts with
/// `page` (any page without it).
pub fn find_target(port: u16, page: Option<&str>) -> Result<String, String> {
    let list = http(port, "GET", "/json/list")?;
    let targets = list.as_array().ok_or("the DevTools endpoint did not list its targets")?;
    let chosen = targets.iter().find(|t| {
        let kind = t["type"].as_str().unwrap_or_default();
        let url = t["url"].as_str().unwrap_or_default();
        (kind == "node" || kind == "page") && page.is_none_or(|p| url.starts_with(p))
    });
    let Some(target) = chosen else {
        let urls: Vec<&str> = targets.iter().filter_map(|t| t["url"].as_str()).collect();
        return Err(match page {
            Some(page) => format!("no page at 127.0.0.1:{port} starts with {page} (its pages: {})", urls.join(", ")),
            None => format!("nothing to debug at 127.0.0.1:{port}: no Node or page target"),
        });
    };
    target["webSocketDebuggerUrl"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| "the target has no WebSocket address (is another debugger attached to it?)".into())
}

/// The most of a separate debug file fetched.
const MAX_DEBUG_FILE: u64 = 1 << 30;

/// The bytes at an `http://` or `file://` address (a module's separate
/// DWARF, where its `external_debug_info` points); no TLS.
pub fn fetch(url: &str) -> Result<Vec<u8>, String> {
    if let Some(path) = url.strip_prefix("file://") {
        return std::fs::read(path).map_err(|e| format!("{path}: {e}"));
    }
    let rest = url.strip_prefix("http://").ok_or_else(|| {
        format!("{url}: only http:// and file:// addresses are fetched (give the file in `debugFiles`)")
    })?;
    let (authority, path) = rest.split_once('/').map_or((rest, "/".to_owned()), |(a, p)| (a, format!("/{p}")));
    let address = if authority.contains(':') { authority.to_owned() } else { format!("{authority}:80") };
    let stream = TcpStream::connect(address).map_err(|e| format!("{url}: {e}"))?;
    let (status, body) = exchange(stream, ("HTTP/1.0", "GET", &path), authority, MAX_DEBUG_FILE, url)?;
    if status.split_whitespace().nth(1) != Some("200") {
        return Err(format!("{url}: {status}"));
    }
    Ok(body)
}
