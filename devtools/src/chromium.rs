//! Debian's chromium with a private profile directory and its DevTools
//! port chosen by the system (`--remote-debugging-port=0`, read back from
//! the `DevToolsActivePort` file), ended and cleaned up when dropped.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long the browser may take to start listening.
const STARTUP: Duration = Duration::from_secs(30);
/// How long the browser may take to close.
const CLOSE_WAIT: Duration = Duration::from_secs(5);

#[derive(Debug)]
pub struct Chromium {
    child: Child,
    port: u16,
    /// The browser's own endpoint (`/devtools/browser/…`), to close it.
    browser_path: String,
    profile_dir: PathBuf,
}

impl Chromium {
    /// Starts chromium (`WASMSCOPE_CHROME` names another binary) on
    /// about:blank.
    pub fn launch(headless: bool) -> Result<Self, String> {
        let profile_dir = crate::temp_file::temp_path("chrome", "");
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
        let mut browser = Chromium { child, port: 0, browser_path: String::new(), profile_dir };
        let file = browser.profile_dir.join("DevToolsActivePort");
        let started = Instant::now();
        loop {
            if let Ok(text) = std::fs::read_to_string(&file)
                && let Some(port) = text.lines().next().and_then(|l| l.trim().parse().ok())
                && let Some(path) = text.lines().nth(1).filter(|p| p.starts_with("/devtools/browser/"))
            {
                browser.port = port;
                browser.browser_path = path.trim().to_owned();
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
        let target = crate::endpoint::http(self.port, "PUT", "/json/new?about:blank")?;
        target["webSocketDebuggerUrl"].as_str().map(str::to_owned).ok_or("the new page has no WebSocket address".into())
    }

    /// Whether the browser has ended (a user closed its window).
    pub fn has_ended(&mut self) -> bool {
        !matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for Chromium {
    /// Closes the browser through its endpoint, so that every process of it
    /// ends (killing the main one leaves its helpers writing into the
    /// profile directory), then removes the directory.
    fn drop(&mut self) {
        let address = format!("ws://127.0.0.1:{}{}", self.port, self.browser_path);
        if let Ok((browser, _events)) = crate::connection::Cdp::connect(&address) {
            let _ = browser.call_within("Browser.close", serde_json::json!({}), CLOSE_WAIT);
        }
        let closing = Instant::now();
        while matches!(self.child.try_wait(), Ok(None)) && closing.elapsed() < CLOSE_WAIT {
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        // A helper may still be finishing a write: try again for a while.
        for _ in 0..20 {
            if std::fs::remove_dir_all(&self.profile_dir).is_ok() || !self.profile_dir.exists() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find_map(|l| l.strip_prefix("Uid:").map(|u| u.split_whitespace().next() == Some("0"))))
        .unwrap_or(false)
}
