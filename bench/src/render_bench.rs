//! Rendering benchmark: 1M samples with stacks 50 deep over a real module's
//! code (SQLite), symbolized with DWARF from a fresh load, folded and drawn
//! as an SVG flamegraph; next to inferno's own CLI drawing the same folded
//! stacks (the baseline, measured in the same run).
//!
//!   render-bench APP.wasm INFERNO_FLAMEGRAPH_CLI

#![allow(clippy::print_stdout, clippy::unwrap_used)]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::bail;
use wasmscope_debugger::address::ModuleOffset;
use wasmscope_debugger::symbols::{LoadOptions, WasmSymbols};
use wasmscope_profiler::{RawFrame, RawProfile, RawSample, SvgOptions, symbolize, write_folded, write_svg};

const SAMPLES: u64 = 1_000_000;
const DEPTH: usize = 50;
/// Divides SAMPLES, so the weights sum to it exactly.
const DISTINCT_STACKS: u64 = 20_000;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let [_, wasm, inferno] = &args[..] else { bail!("usage: render-bench APP.wasm INFERNO_FLAMEGRAPH_CLI") };
    let wasm = PathBuf::from(wasm);
    let raw = synthetic_profile(&wasm)?;

    let start = Instant::now();
    let symbols = WasmSymbols::load(&wasm, &LoadOptions::default())?;
    let profile = symbolize(&raw, &symbols);
    let symbolized = start.elapsed();
    let mut folded = Vec::new();
    write_folded(&profile, &mut folded)?;
    let folded_at = start.elapsed();
    let mut svg = Vec::new();
    write_svg(&profile, &SvgOptions::default(), &mut svg)?;
    let total = start.elapsed();

    let folded_path = std::env::temp_dir().join("wasmscope-render-bench.folded");
    std::fs::write(&folded_path, &folded)?;
    let inferno_start = Instant::now();
    let output = Command::new(inferno).arg(&folded_path).stdout(Stdio::piped()).output()?;
    let inferno_time = inferno_start.elapsed();
    if !output.status.success() {
        bail!("inferno-flamegraph failed: {}", String::from_utf8_lossy(&output.stderr));
    }

    println!(
        "samples           {} in {} distinct stacks, {} frames deep",
        raw.sample_count(),
        raw.samples.len(),
        DEPTH
    );
    println!("symbolize         {:>8.3} s (fresh load and DWARF index included)", symbolized.as_secs_f64());
    println!("fold              {:>8.3} s", (folded_at - symbolized).as_secs_f64());
    println!("draw svg          {:>8.3} s ({} KiB)", (total - folded_at).as_secs_f64(), svg.len() / 1024);
    println!("wasmscope total   {:>8.3} s (target <= 1 s)", total.as_secs_f64());
    println!("inferno CLI       {:>8.3} s drawing the same folded stacks", inferno_time.as_secs_f64());
    println!(
        "ratio             {:>8.2}x inferno's time for the whole pipeline",
        total.as_secs_f64() / inferno_time.as_secs_f64()
    );
    std::io::stdout().flush()?;
    Ok(())
}

/// Stacks built from the module's real call sites: each stack is a walk of
/// DEPTH call instructions chosen by a fixed pseudo-random sequence, so runs
/// are identical. Weights sum to SAMPLES.
fn synthetic_profile(wasm: &std::path::Path) -> anyhow::Result<RawProfile> {
    let symbols = WasmSymbols::load(wasm, &LoadOptions::default())?;
    let module = symbols.module(0)?.module();
    let code = module.code.unwrap();
    let calls: Vec<(u32, ModuleOffset)> = module
        .instruction_offsets()?
        .into_iter()
        .filter(|o| module.call_target(*o).is_some())
        .map(|o| (module.function_at(o).unwrap().index, code.to_module(o)))
        .collect();
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    // A few shared roots, then diverging: like real programs.
    let roots: Vec<(u32, ModuleOffset)> = (0..DEPTH).map(|_| calls[(next() % calls.len() as u64) as usize]).collect();
    let samples = (0..DISTINCT_STACKS)
        .map(|_| {
            let shared = (next() % DEPTH as u64) as usize;
            let mut frames: Vec<RawFrame> = roots[..shared]
                .iter()
                .chain((shared..DEPTH).map(|_| &calls[(next() % calls.len() as u64) as usize]).collect::<Vec<_>>())
                .map(|&(function_index, offset)| RawFrame { module: 0, function_index, offset: Some(offset) })
                .collect();
            frames.reverse(); // innermost first
            RawSample { frames, in_host: false, weight: SAMPLES / DISTINCT_STACKS }
        })
        .collect();
    Ok(RawProfile { program: wasm.display().to_string(), requested_rate_hz: 1000, samples, ..RawProfile::default() })
}
