//! Debian's chromium with a private profile directory and its DevTools
//! port chosen by the system (`--remote-debugging-port=0`, read back from
//! the `DevToolsActivePort` file), ended and cleaned up when dropped.

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// How long the browser may take to start listening.
const STARTUP: Duration = Duration::from_secs(30);
/// How long the browser may take to answer its HTTP endpoint.
const HTTP_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug)]
pub struct Chromium {
    child: Child,
    port: u16,
    profile_dir: PathBuf,
}

impl Chromium {
    /// Starts chromium (`WASMSCOPE_CHROME` names another binary) on
    /// about:blank.
    pub fn launch(headless: bool) -> Result<Self, String> {
        static LAUNCHES: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = LAUNCHES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let profile_dir = std::env::temp_dir().join(format!("wasmscope-chrome-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&profile_dir);
        std::fs::create_dir_all(&profile_dir).map_err(|e| format!("{}: {e}", profile_dir.display()))?;
        let binary = std::env::var_os("WASMSCOPE_CHROME").unwrap_or_else(|| "chromium".into());
        let mut command = Command::new(&binary);
        if headless {
            command.arg("--headless=new");
        }
        command
            .arg("--remote-debugging-port=0")
            .arg(format!("--user-data-dir={}", profile_dir.display()))
            .args(["--no-first-run", "--no-default-browser-check", "--disable-gpu", "about:blank"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if is_root() {
            // Chromium's sandbox refuses to run as root.
            command.arg("--no-sandbox");
        }
        let child = command.spawn().map_err(|e| {
            format!("cannot start {} (install chromium, or set WASMSCOPE_CHROME): {e}", binary.to_string_lossy())
        })?;
        let mut browser = Chromium { child, port: 0, profile_dir };
        let file = browser.profile_dir.join("DevToolsActivePort");
        let started = Instant::now();
        loop {
            if let Ok(text) = std::fs::read_to_string(&file)
                && let Some(port) = text.lines().next().and_then(|l| l.trim().parse().ok())
            {
                browser.port = port;
                return Ok(browser);
            }
            if let Ok(Some(status)) = browser.child.try_wait() {
                return Err(format!("the browser ended before listening ({status})"));
            }
            if started.elapsed() > STARTUP {
                return Err(format!("the browser did not open its DevTools port within {} s", STARTUP.as_secs()));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// A new blank page's WebSocket address (`PUT /json/new`).
    pub fn new_page(&self) -> Result<String, String> {
        let target = self.http("PUT", "/json/new?about:blank")?;
        target["webSocketDebuggerUrl"].as_str().map(str::to_owned).ok_or("the new page has no WebSocket address".into())
    }

    /// Whether the browser has ended (a user closed its window).
    pub fn has_ended(&mut self) -> bool {
        !matches!(self.child.try_wait(), Ok(None))
    }

    fn http(&self, method: &str, path: &str) -> Result<Value, String> {
        let fail = |e: std::io::Error| format!("the browser's DevTools endpoint: {e}");
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).map_err(fail)?;
        stream.set_read_timeout(Some(HTTP_TIMEOUT)).map_err(fail)?;
        write!(stream, "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n", self.port)
            .map_err(fail)?;
        // The browser keeps the connection open: read the head, then the
        // body's Content-Length.
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") && head.len() < 16 * 1024 {
            stream.read_exact(&mut byte).map_err(fail)?;
            head.push(byte[0]);
        }
        let head = String::from_utf8_lossy(&head).into_owned();
        let length: usize = head
            .lines()
            .find_map(|l| l.split_once(':').filter(|(k, _)| k.eq_ignore_ascii_case("content-length")))
            .and_then(|(_, v)| v.trim().parse().ok())
            .ok_or_else(|| format!("the browser's answer has no length: {head}"))?;
        let mut body = vec![0; length.min(1 << 20)];
        stream.read_exact(&mut body).map_err(fail)?;
        serde_json::from_slice(&body).map_err(|e| format!("the browser's answer: {e}"))
    }
}

impl Drop for Chromium {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.profile_dir);
    }
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find_map(|l| l.strip_prefix("Uid:").map(|u| u.split_whitespace().next() == Some("0"))))
        .unwrap_or(false)
}
