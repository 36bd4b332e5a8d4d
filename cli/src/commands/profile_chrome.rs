//! `wasmscope profile --chrome URL [--wasm APP.wasm]`: loads the page in
//! Debian's chromium (headless, a private profile directory), records it
//! with the DevTools protocol's sampling profiler (`Profiler.start`/`stop`,
//! at the rate asked for) for --duration seconds, and symbolizes the Wasm
//! frames from the modules' DWARF, as `symbolize-profile` does. Without
//! --wasm, the modules are the page's own, fetched through the protocol
//! once the profile is taken (the debugger domain, enabled earlier, would
//! make V8 run Wasm on its baseline compiler and change the profile).
//!
//! The browser and the protocol are wasmscope-devtools' (the debugger's
//! DevTools target).

use std::path::{Path, PathBuf};
use std::sync::mpsc::Receiver;
use std::time::Duration;

use anyhow::{Context as _, bail};
use serde_json::json;
use wasmscope_debugger::symbols::{LoadOptions, WasmSymbols};
use wasmscope_devtools::{Cdp, CdpEvent, Chromium};
use wasmscope_profiler::{OutputFormat, Summary, read_v8_profile};

use super::profile::ProfileArgs;

pub fn run(args: &ProfileArgs, url: &str, format: OutputFormat, output: &Path) -> anyhow::Result<i32> {
    let given = super::symbolize_profile::load_modules(&args.wasm)?;
    let duration = args.duration.unwrap_or(Duration::from_secs(10));
    let browser = Chromium::launch(true).map_err(anyhow::Error::msg)?;
    let (page, events) = Cdp::connect(&browser.new_page().map_err(anyhow::Error::msg)?)?;
    let interval_us = (1_000_000 / args.rate().max(1)).max(1);
    page.call("Profiler.enable", json!({}))?;
    page.call("Profiler.setSamplingInterval", json!({ "interval": interval_us }))?;
    page.call("Profiler.start", json!({}))?;
    page.call("Page.navigate", json!({ "url": url }))?;
    std::thread::sleep(duration);
    let stopped = page.call("Profiler.stop", json!({}))?;
    let modules = if given.is_empty() { wasm_modules(&page, &events)? } else { given };
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

/// The page's Wasm modules, from the debugger domain: enabling it
/// announces every script already loaded, and a Wasm script's source is its
/// module's bytes.
fn wasm_modules(page: &Cdp, events: &Receiver<CdpEvent>) -> anyhow::Result<Vec<WasmSymbols>> {
    page.call("Debugger.enable", json!({}))?;
    let scripts: Vec<(String, String)> = events
        .try_iter()
        .filter(|e| e.method == "Debugger.scriptParsed" && e.params["scriptLanguage"] == "WebAssembly")
        .filter_map(|e| Some((e.params["scriptId"].as_str()?.to_owned(), e.params["url"].as_str()?.to_owned())))
        .collect();
    let options = LoadOptions { names_if_dwarf_is_bad: true, ..LoadOptions::default() };
    let mut modules = Vec::new();
    for (id, url) in scripts {
        let bytes = page.wasm_bytes(&id).with_context(|| format!("the bytes of {url}"))?;
        modules.push(WasmSymbols::from_bytes(&bytes.into(), Path::new(&url), &options)?);
    }
    if modules.is_empty() {
        bail!("the page loaded no WebAssembly module");
    }
    Ok(modules)
}
