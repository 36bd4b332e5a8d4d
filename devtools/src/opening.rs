//! Opening a V8 host for a program: starting Node or chromium (or finding
//! the running one's target), connecting, enabling the protocol's domains,
//! letting the page or script go, and, when the configuration names no
//! program, waiting for the module it loads.

use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;
use wasmscope_debugger::output_budget::{Grant, OutputBudget};
use wasmscope_debugger::symbols::parse_wasm_file;
use wasmscope_debugger::target::{GuestConfig, GuestHost, OutputStream, TargetError, TargetEvent};

use crate::chromium::Chromium;
use crate::connection::{Cdp, CdpEvent};
use crate::event_loop::SharedSink;
use crate::host::Host;
use crate::node::NodeProcess;
use crate::temp_file::TempFile;

/// How long a page or script may take to compile a module with DWARF.
const FIND_PROGRAM: Duration = Duration::from_secs(60);
/// Node's output kept before the session listens.
const MAX_EARLY_OUTPUT: usize = 1 << 20;

/// A host, connected, its domains enabled.
pub struct Opened {
    pub host: Host,
    pub cdp: Cdp,
    pub events: Receiver<CdpEvent>,
    pub thread_name: String,
    pub output: OutputRelay,
    /// Events read while finding the program, for the event thread.
    pub replay: Vec<CdpEvent>,
    /// Whether the page or script has been let go.
    pub running: bool,
    /// The program's script, when found here.
    pub program_script: Option<String>,
    /// Its DWARF, fetched (a file of ours, removed with the target).
    pub debug_file: Option<TempFile>,
}

impl std::fmt::Debug for Opened {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Opened").field("thread_name", &self.thread_name).finish_non_exhaustive()
    }
}

/// Whether the host runs in a browser (where the renderer cannot pause on
/// caught exceptions through Wasm: see the target).
pub fn is_browser(host: &GuestHost) -> bool {
    matches!(host, GuestHost::Chrome { .. } | GuestHost::DevtoolsPort { browser: true, .. })
}

pub fn open(program: &GuestConfig) -> Result<Opened, TargetError> {
    let output = OutputRelay::default();
    let (host, url, thread_name) = match &program.host {
        GuestHost::Node { script } => {
            let relay = output.clone();
            let write = Box::new(move |is_stderr: bool, bytes: Vec<u8>| relay.write(is_stderr, bytes));
            let node = NodeProcess::launch(script.as_deref(), &program.program, &program.args, &program.env, write)
                .map_err(TargetError::refused)?;
            let url = node.inspector_url.clone();
            (Host::Node(node), url, "node".to_owned())
        }
        GuestHost::Chrome { url, headless } => {
            let browser = Chromium::launch(*headless).map_err(TargetError::refused)?;
            let page = browser.new_page().map_err(TargetError::refused)?;
            (Host::Chrome(browser), page, url.clone())
        }
        GuestHost::DevtoolsPort { port, browser, page } => {
            let url = crate::endpoint::find_target(*port, page.as_deref()).map_err(TargetError::refused)?;
            let name = if *browser { page.clone().unwrap_or_else(|| "page".into()) } else { "node".into() };
            (Host::Attached { browser: *browser }, url, name)
        }
        GuestHost::Wasmtime => return Err(TargetError::internal("not a DevTools program")),
    };
    let (cdp, events) = Cdp::connect(&url).map_err(TargetError::internal)?;
    // Traps are exceptions; the event thread lets JavaScript's own go on.
    let exceptions = if is_browser(&program.host) { "uncaught" } else { "all" };
    for (method, params) in [
        ("Runtime.enable", json!({})),
        ("Debugger.enable", json!({})),
        ("Debugger.setPauseOnExceptions", json!({ "state": exceptions })),
        // V8 stops before a script's (and a Wasm module's) first
        // execution: breakpoints go in before the program runs.
        ("Debugger.setInstrumentationBreakpoint", json!({ "instrumentation": "beforeScriptExecution" })),
    ] {
        cdp.call(method, params).map_err(TargetError::internal)?;
    }
    Ok(Opened {
        host,
        cdp,
        events,
        thread_name,
        output,
        replay: Vec::new(),
        running: false,
        program_script: None,
        debug_file: None,
    })
}

impl Opened {
    /// Runs the page or script until it compiles a Wasm module with DWARF,
    /// which is held before its first instruction (V8's instrumentation
    /// stop); its address and bytes. Modules without DWARF are passed by.
    pub fn find_program(&mut self, program: &GuestConfig) -> Result<(String, Arc<[u8]>), TargetError> {
        go(&self.cdp, program)?;
        self.running = true;
        let deadline = Instant::now() + FIND_PROGRAM;
        loop {
            let event = match self.events.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                Ok(event) => event,
                Err(RecvTimeoutError::Timeout) => {
                    return Err(TargetError::refused(format!(
                        "the page or script compiled no WebAssembly module with DWARF within {} s (name the module \
                         with `program`, or its DWARF with `debugFiles`)",
                        FIND_PROGRAM.as_secs()
                    )));
                }
                Err(RecvTimeoutError::Disconnected) => {
                    return Err(TargetError::refused("the page or script ended before it loaded a WebAssembly module"));
                }
            };
            match event.method.as_str() {
                "Debugger.scriptParsed" if event.params["scriptLanguage"] == "WebAssembly" => {
                    let script = event.params["scriptId"].as_str().unwrap_or_default().to_owned();
                    let url = event.params["url"].as_str().unwrap_or("wasm://module").to_owned();
                    let bytes: Arc<[u8]> = self.cdp.wasm_bytes(&script).map_err(TargetError::internal)?.into();
                    match dwarf_of(&bytes, &url, &event.params["debugSymbols"]) {
                        Dwarf::Embedded => {}
                        Dwarf::External(address) => {
                            match crate::endpoint::fetch(&resolve_against(page_address(program).as_deref(), &address)) {
                                Ok(debug) => {
                                    self.debug_file =
                                        Some(TempFile::write("debug", ".wasm", &debug).map_err(TargetError::refused)?);
                                }
                                Err(error) => {
                                    self.output
                                        .note(&format!("wasmscope: {url}: its DWARF cannot be fetched: {error}"));
                                    continue;
                                }
                            }
                        }
                        Dwarf::None => {
                            self.output.note(&format!("wasmscope: {url} has no DWARF: passed by"));
                            continue;
                        }
                    }
                    self.program_script = Some(script);
                    return Ok((url, bytes));
                }
                // Before the program's module, nothing is debugged: the
                // page's own scripts run on.
                "Debugger.paused" => {
                    self.cdp.call("Debugger.resume", json!({})).map_err(TargetError::internal)?;
                }
                "Inspector.targetCrashed" => return Err(TargetError::refused("the page crashed while loading")),
                _ => self.replay.push(event),
            }
        }
    }
}

/// Lets the page load (`url`), or the script run.
pub fn go(cdp: &Cdp, program: &GuestConfig) -> Result<(), TargetError> {
    let call = match &program.host {
        GuestHost::Chrome { url, .. } => cdp.call("Page.navigate", json!({ "url": url })),
        // A page attached to runs already.
        GuestHost::DevtoolsPort { browser: true, .. } => return Ok(()),
        // Node may wait for us (`--inspect-brk`).
        _ => cdp.call("Runtime.runIfWaitingForDebugger", json!({})),
    };
    call.map(drop).map_err(TargetError::internal)
}

/// Where the program's page or script is, for the addresses it names.
fn page_address(program: &GuestConfig) -> Option<String> {
    match &program.host {
        GuestHost::Chrome { url, .. } => Some(url.clone()),
        GuestHost::DevtoolsPort { page, .. } => page.clone(),
        GuestHost::Node { script: Some(script) } => Some(format!("file://{}", script.display())),
        _ => None,
    }
}

enum Dwarf {
    Embedded,
    /// In a separate file, at this address.
    External(String),
    None,
}

/// Where a module's DWARF is: in it, or where its `external_debug_info`
/// points (V8 resolves that against the page: `debugSymbols.externalURL`).
fn dwarf_of(bytes: &Arc<[u8]>, url: &str, debug_symbols: &serde_json::Value) -> Dwarf {
    let Ok(modules) = parse_wasm_file(bytes, url) else { return Dwarf::None };
    if modules.iter().any(|m| m.custom_section(".debug_info").is_some()) {
        return Dwarf::Embedded;
    }
    // Node gives one object, Chromium a list; neither resolves the address.
    let listed = match debug_symbols {
        serde_json::Value::Array(list) => list.iter().find_map(|d| d["externalURL"].as_str()),
        other => other["externalURL"].as_str(),
    };
    match listed.map(str::to_owned).or_else(|| modules.iter().find_map(|m| m.external_debug_info())) {
        Some(address) => Dwarf::External(address),
        None => Dwarf::None,
    }
}

/// `address` against the page (or script) that loaded the module, as a
/// browser resolves a link.
fn resolve_against(base: Option<&str>, address: &str) -> String {
    if address.contains("://") {
        return address.to_owned();
    }
    let Some(base) = base else { return address.to_owned() };
    let base = base.split(['?', '#']).next().unwrap_or(base);
    if let Some(absolute) = address.strip_prefix('/') {
        // The base's origin, then the path.
        let origin_end = base.find("://").map_or(0, |s| base[s + 3..].find('/').map_or(base.len(), |p| s + 3 + p));
        return format!("{}/{absolute}", &base[..origin_end]);
    }
    let directory = base.rfind('/').map_or(base, |slash| &base[..=slash]);
    format!("{directory}{address}")
}

/// The program's output (Node's stdout and stderr, notes of the target),
/// kept until the session listens, then delivered in order under its
/// budget.
#[derive(Clone, Default)]
pub struct OutputRelay(Arc<Mutex<Relay>>);

#[derive(Default)]
struct Relay {
    sink: Option<(SharedSink, Option<OutputBudget>)>,
    early: Vec<(bool, Vec<u8>)>,
    early_bytes: usize,
}

impl std::fmt::Debug for OutputRelay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutputRelay").finish_non_exhaustive()
    }
}

impl OutputRelay {
    pub fn write(&self, is_stderr: bool, bytes: Vec<u8>) {
        let mut relay = self.0.lock().unwrap_or_else(|p| p.into_inner());
        match &relay.sink {
            Some((sink, budget)) => deliver(sink, budget.as_ref(), is_stderr, bytes),
            None if relay.early_bytes < MAX_EARLY_OUTPUT => {
                relay.early_bytes += bytes.len();
                relay.early.push((is_stderr, bytes));
            }
            None => {}
        }
    }

    /// A line of the target's own on stderr.
    pub fn note(&self, line: &str) {
        self.write(true, format!("{line}\n").into_bytes());
    }

    /// From now on output goes to the session; what came before first.
    pub fn connect(&self, sink: SharedSink, budget: Option<OutputBudget>) {
        let mut relay = self.0.lock().unwrap_or_else(|p| p.into_inner());
        for (is_stderr, bytes) in std::mem::take(&mut relay.early) {
            deliver(&sink, budget.as_ref(), is_stderr, bytes);
        }
        relay.sink = Some((sink, budget));
    }
}

fn deliver(sink: &SharedSink, budget: Option<&OutputBudget>, is_stderr: bool, bytes: Vec<u8>) {
    if let Some(budget) = budget
        && budget.take_whole(bytes.len()) == Grant::Discard
    {
        return;
    }
    let stream = if is_stderr { OutputStream::Stderr } else { OutputStream::Stdout };
    (sink.lock().unwrap_or_else(|p| p.into_inner()))(TargetEvent::Output { stream, bytes });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_file_addresses_resolve_as_links_do() {
        let page = Some("http://127.0.0.1:8000/app/index.html?program=a.wasm");
        assert_eq!(resolve_against(page, "a.debug.wasm"), "http://127.0.0.1:8000/app/a.debug.wasm");
        assert_eq!(resolve_against(page, "/dbg/a.debug.wasm"), "http://127.0.0.1:8000/dbg/a.debug.wasm");
        assert_eq!(resolve_against(page, "file:///tmp/a.debug.wasm"), "file:///tmp/a.debug.wasm");
        assert_eq!(resolve_against(Some("file:///srv/run.mjs"), "a.debug.wasm"), "file:///srv/a.debug.wasm");
        assert_eq!(resolve_against(None, "a.debug.wasm"), "a.debug.wasm");
    }
}
