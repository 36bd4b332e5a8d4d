//! `wasmscope profile --node APP.mjs --wasm APP.wasm`: runs the script under
//! Node's own sampling profiler (`node --cpu-prof`, at the rate asked for)
//! and symbolizes the Wasm frames of what it records from the modules'
//! DWARF. V8 places Wasm samples per function: the profile has no inlined
//! frames and no lines inside functions (README, Accuracy).

use std::path::Path;
use std::process::Command;

use anyhow::{Context as _, bail};
use wasmscope_profiler::{OutputFormat, Summary};

use super::profile::ProfileArgs;

pub fn run(args: &ProfileArgs, script: &Path, format: OutputFormat, output: &Path) -> anyhow::Result<i32> {
    if args.wasm.is_empty() {
        bail!("--node needs the .wasm the script runs, with DWARF: --wasm APP.wasm (repeatable)");
    }
    let modules = super::symbolize_profile::load_modules(&args.wasm)?;
    let dir = std::env::temp_dir().join(format!("wasmscope-node-profile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot make {}", dir.display()))?;
    let interval_us = (1_000_000 / args.rate().max(1)).max(1);
    let status = Command::new(node())
        .arg("--cpu-prof")
        .arg("--cpu-prof-dir")
        .arg(&dir)
        .arg(format!("--cpu-prof-interval={interval_us}"))
        .arg(script)
        .args(&args.args)
        .status()
        .context("cannot run node (install Node.js, or set WASMSCOPE_NODE to its path)")?;
    let recorded = std::fs::read_dir(&dir)?
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "cpuprofile"))
        .with_context(|| format!("node wrote no CPU profile (it exited with {status})"))?;
    let profile = super::symbolize_profile::symbolized(&recorded, &modules, args.rate());
    let _ = std::fs::remove_dir_all(&dir);
    let profile = profile?;
    super::profile::write_profile(&profile, format, args.reverse, output)?;
    super::profile::save_copy(&profile, args.saved_copy(script).as_deref());
    #[allow(clippy::print_stderr)]
    {
        eprintln!("wasmscope: {} (node exited with {status}); wrote {}", Summary::new(&profile, 5), output.display());
    }
    Ok(status.code().unwrap_or(1))
}

/// The `node` to run: $WASMSCOPE_NODE, else from PATH.
fn node() -> std::ffi::OsString {
    std::env::var_os("WASMSCOPE_NODE").unwrap_or_else(|| "node".into())
}
