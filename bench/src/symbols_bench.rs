//! Symbolization benchmark: wasmscope against llvm-symbolizer-14 on every
//! instruction offset of one module, in the same run, plus the time and peak
//! memory to index the module's DWARF.
//!
//!   symbols-bench APP.wasm PATH/TO/wasmscope
//!
//! Both symbolizers run as whole processes on the same stdin, so process
//! start, parsing and output are counted alike; their outputs must be equal.

#![allow(clippy::print_stdout, clippy::unwrap_used)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use wasmscope_debugger::symbols::{LoadOptions, WasmSymbols};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let [_, wasm, wasmscope] = &args[..] else { bail!("usage: symbols-bench APP.wasm PATH/TO/wasmscope") };
    let wasm = PathBuf::from(wasm);

    // Indexing first, while this process's peak memory is still its own.
    let before = peak_rss_kib()?;
    let start = Instant::now();
    let symbols = WasmSymbols::load(&wasm, &LoadOptions::default())?;
    let module = symbols.module(0)?;
    module.line_index()?;
    module.function_index()?;
    // One lookup per function body makes addr2line parse every unit.
    for body in &module.module().functions {
        module.frames_at(body.first_instruction)?;
    }
    let index_time = start.elapsed();
    let peak = peak_rss_kib()?;
    let dwarf_bytes: usize = module
        .module()
        .custom_sections
        .iter()
        .filter(|(name, _)| name.starts_with(".debug_"))
        .map(|(_, range)| range.len())
        .sum();

    let offsets = module.module().instruction_offsets()?;
    let input: String = offsets.iter().map(|o| format!("{o}\n")).collect();
    let (llvm_time, llvm_out) =
        timed(Command::new("llvm-symbolizer-14").arg(format!("--obj={}", wasm.display())), &input)?;
    let (ours_time, ours_out) = timed(Command::new(wasmscope).arg("symbolize").arg(&wasm), &input)?;
    let blocks: Vec<&str> = llvm_out.split("\n\n").filter(|b| !b.is_empty()).collect();
    let inlined = blocks.iter().filter(|b| b.lines().count() > 2).count();
    let differing = blocks.iter().zip(ours_out.split("\n\n")).filter(|(a, b)| **a != *b).count();

    let n = offsets.len() as f64;
    let rate = |t: Duration| n / t.as_secs_f64();
    let mib = |kib: u64| kib as f64 / 1024.0;
    println!(
        "module            {} ({:.1} MiB, DWARF {:.1} MiB)",
        wasm.display(),
        file_mib(&wasm)?,
        dwarf_bytes as f64 / 1048576.0
    );
    println!(
        "addresses         {} instruction offsets, {} ({:.0}%) with inlined frames",
        offsets.len(),
        inlined,
        100.0 * inlined as f64 / n
    );
    println!("llvm-symbolizer   {:>8.3} s  {:>12.0} addresses/s", llvm_time.as_secs_f64(), rate(llvm_time));
    println!("wasmscope         {:>8.3} s  {:>12.0} addresses/s", ours_time.as_secs_f64(), rate(ours_time));
    println!(
        "ratio             {:>8.1}x llvm-symbolizer's throughput (target >= 5x)",
        rate(ours_time) / rate(llvm_time)
    );
    println!(
        "outputs           {}",
        if differing == 0 { "identical".to_owned() } else { format!("{differing} addresses DIFFER") }
    );
    let per_7mb = index_time.as_secs_f64() * 7.0 * 1048576.0 / dwarf_bytes as f64;
    println!(
        "index             {:>8.3} s ({:.3} s per 7 MiB of DWARF, target <= 0.2)",
        index_time.as_secs_f64(),
        per_7mb
    );
    println!(
        "peak memory       {:>8.1} MiB while indexing ({:.1} MiB before loading; target <= 200)",
        mib(peak),
        mib(before)
    );
    if differing != 0 {
        bail!("wasmscope and llvm-symbolizer disagree on {differing} addresses");
    }
    Ok(())
}

fn timed(command: &mut Command, input: &str) -> anyhow::Result<(Duration, String)> {
    let start = Instant::now();
    let mut child = command.stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().context("spawn symbolizer")?;
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_owned();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child.wait_with_output()?;
    writer.join().unwrap()?;
    let elapsed = start.elapsed();
    if !output.status.success() {
        bail!("{command:?} failed: {}", output.status);
    }
    Ok((elapsed, String::from_utf8(output.stdout)?))
}

/// Peak resident memory of this process (VmHWM), in KiB.
fn peak_rss_kib() -> anyhow::Result<u64> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).context("no VmHWM in /proc/self/status")?;
    Ok(line.split_whitespace().nth(1).context("VmHWM value")?.parse()?)
}

fn file_mib(path: &Path) -> anyhow::Result<f64> {
    Ok(std::fs::metadata(path)?.len() as f64 / 1048576.0)
}
