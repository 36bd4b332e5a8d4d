//! `wasmscope profile --chrome URL [--wasm APP.wasm]`: loads the page in
//! Debian's chromium (headless, a private profile directory), records it
//! with the DevTools protocol's sampling profiler (`Profiler.start`/`stop`,
//! at the rate asked for) for --duration seconds, and symbolizes the Wasm
//! frames from the modules' DWARF, as `symbolize-profile` does. Without
//! --wasm, the modules are the page's own, fetched through the protocol
//! once the profile is taken (the debugger domain, enabled earlier, would
//! make V8 run Wasm on its baseline compiler and change the profile).
//!
//! The protocol is spoken over the same WebSocket stack as the agent's
//! (tungstenite), synchronously: a handful of commands, one page.

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::{Value, json};
use wasmscope_debugger::symbols::{LoadOptions, WasmSymbols};
use wasmscope_profiler::{OutputFormat, Summary, read_v8_profile};

use super::profile::ProfileArgs;

/// How long the browser may take to start listening.
const STARTUP: Duration = Duration::from_secs(30);
/// How long a protocol command may take (Profiler.stop hands over the
/// whole profile).
const COMMAND: Duration = Duration::from_secs(60);
/// Events kept between commands.
const MAX_EVENTS: usize = 10_000;

pub fn run(args: &ProfileArgs, url: &str, format: OutputFormat, output: &Path) -> anyhow::Result<i32> {
    let given = super::symbolize_profile::load_modules(&args.wasm)?;
    let duration = args.duration.unwrap_or(Duration::from_secs(10));
    let browser = Browser::launch()?;
    let mut page = Cdp::connect(&browser.new_page()?)?;
    let interval_us = (1_000_000 / args.rate().max(1)).max(1);
    page.call("Profiler.enable", &json!({}))?;
    page.call("Profiler.setSamplingInterval", &json!({ "interval": interval_us }))?;
    page.call("Profiler.start", &json!({}))?;
    page.call("Page.navigate", &json!({ "url": url }))?;
    std::thread::sleep(duration);
    let stopped = page.call("Profiler.stop", &json!({}))?;
    let modules = if given.is_empty() { page.wasm_modules()? } else { given };
    drop(page);
    drop(browser);
    let recorded = serde_json::to_vec(&stopped["profile"])?;
    let profile = read_v8_profile(&recorded, url, &modules, args.rate()).context("the browser's profile")?;
    super::profile::write_profile(&profile, format, args.reverse, output)?;
    let name =
        args.wasm.first().map_or_else(|| PathBuf::from("page"), |w| PathBuf::from(format!("{}-chrome", stem(w))));
    super::profile::save_copy(&profile, args.saved_copy(&name).as_deref());
    #[allow(clippy::print_stderr)]
    {
        eprintln!(
            "wasmscope: {} ({url} for {} s); wrote {}",
            Summary::new(&profile, 5),
            duration.as_secs_f64(),
            output.display()
        );
    }
    Ok(0)
}

fn stem(path: &Path) -> String {
    path.file_stem().map_or_else(|| "page".into(), |s| s.to_string_lossy().into_owned())
}

/// A headless chromium with a profile directory of its own, ended when
/// dropped.
struct Browser {
    child: Child,
    port: u16,
    profile_dir: PathBuf,
}

impl Browser {
    fn launch() -> anyhow::Result<Self> {
        let profile_dir = std::env::temp_dir().join(format!("wasmscope-chrome-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&profile_dir);
        std::fs::create_dir_all(&profile_dir)?;
        let binary = std::env::var_os("WASMSCOPE_CHROME").unwrap_or_else(|| "chromium".into());
        let mut command = Command::new(&binary);
        command
            .arg("--headless=new")
            .arg("--remote-debugging-port=0")
            .arg(format!("--user-data-dir={}", profile_dir.display()))
            .args(["--no-first-run", "--no-default-browser-check", "--disable-gpu", "about:blank"])
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if is_root() {
            // Chromium's sandbox refuses to run as root.
            command.arg("--no-sandbox");
        }
        let child = command.spawn().with_context(|| {
            format!("cannot start {} (install chromium, or set WASMSCOPE_CHROME)", binary.to_string_lossy())
        })?;
        let mut browser = Browser { child, port: 0, profile_dir };
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
                bail!("the browser ended before listening ({status})");
            }
            if started.elapsed() > STARTUP {
                bail!("the browser did not open its DevTools port within {} s", STARTUP.as_secs());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// A new page's WebSocket address (`PUT /json/new`).
    fn new_page(&self) -> anyhow::Result<String> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port))?;
        stream.set_read_timeout(Some(COMMAND))?;
        write!(
            stream,
            "PUT /json/new?about:blank HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n",
            self.port
        )?;
        // The browser keeps the connection open: read the head, then the
        // body's Content-Length.
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") && head.len() < 16 * 1024 {
            stream.read_exact(&mut byte)?;
            head.push(byte[0]);
        }
        let head = String::from_utf8_lossy(&head).into_owned();
        let length: usize = head
            .lines()
            .find_map(|l| l.split_once(':').filter(|(k, _)| k.eq_ignore_ascii_case("content-length")))
            .and_then(|(_, v)| v.trim().parse().ok())
            .with_context(|| format!("the browser's answer has no length: {head}"))?;
        let mut body = vec![0; length.min(1 << 20)];
        stream.read_exact(&mut body)?;
        let target: Value = serde_json::from_slice(&body).with_context(|| format!("the browser's answer: {head}"))?;
        target["webSocketDebuggerUrl"].as_str().map(str::to_owned).context("the new page has no WebSocket address")
    }
}

impl Drop for Browser {
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

/// One page's protocol connection: commands answered in order, events
/// kept.
struct Cdp {
    socket: tungstenite::WebSocket<TcpStream>,
    next_id: u64,
    events: Vec<Value>,
}

impl Cdp {
    /// The page's Wasm modules, from the debugger domain: enabling it
    /// announces every script already loaded, and a Wasm script's source is
    /// its module's bytes.
    fn wasm_modules(&mut self) -> anyhow::Result<Vec<WasmSymbols>> {
        self.call("Debugger.enable", &json!({}))?;
        let scripts: Vec<(String, String)> = std::mem::take(&mut self.events)
            .into_iter()
            .filter(|e| e["method"] == "Debugger.scriptParsed" && e["params"]["scriptLanguage"] == "WebAssembly")
            .filter_map(|e| {
                Some((e["params"]["scriptId"].as_str()?.to_owned(), e["params"]["url"].as_str()?.to_owned()))
            })
            .collect();
        let options = LoadOptions { names_if_dwarf_is_bad: true, ..LoadOptions::default() };
        let mut modules = Vec::new();
        for (id, url) in scripts {
            let source = self.call("Debugger.getScriptSource", &json!({ "scriptId": id }))?;
            let bytes = BASE64
                .decode(source["bytecode"].as_str().unwrap_or_default())
                .with_context(|| format!("the bytes of {url}"))?;
            modules.push(WasmSymbols::from_bytes(&bytes.into(), Path::new(&url), &options)?);
        }
        if modules.is_empty() {
            bail!("the page loaded no WebAssembly module");
        }
        Ok(modules)
    }

    fn connect(url: &str) -> anyhow::Result<Self> {
        let address =
            url.strip_prefix("ws://").and_then(|rest| rest.split('/').next()).context("not a ws:// address")?;
        let stream = TcpStream::connect(address)?;
        stream.set_read_timeout(Some(COMMAND))?;
        let (socket, _) = tungstenite::client(url, stream).map_err(|e| anyhow::anyhow!("cannot open {url}: {e}"))?;
        Ok(Cdp { socket, next_id: 1, events: Vec::new() })
    }

    /// Sends a command and waits for its result, skipping events.
    fn call(&mut self, method: &str, params: &Value) -> anyhow::Result<Value> {
        let id = self.next_id;
        self.next_id += 1;
        let message = json!({ "id": id, "method": method, "params": params });
        self.socket.send(tungstenite::Message::text(message.to_string()))?;
        loop {
            let tungstenite::Message::Text(text) = self.socket.read()? else { continue };
            let reply: Value = serde_json::from_str(text.as_str())?;
            if reply.get("method").is_some() {
                // Bounded: only the script events are asked for.
                if self.events.len() < MAX_EVENTS {
                    self.events.push(reply);
                }
                continue;
            }
            if reply["id"] != id {
                continue;
            }
            if let Some(error) = reply.get("error") {
                bail!("{method} failed: {error}");
            }
            return Ok(reply["result"].clone());
        }
    }
}
