//! Debugger benchmark, ratios against plain execution measured in the same
//! run: execution under the debugger with no breakpoint; the cost of a
//! breakpoint whose condition is false (µs per hit, over 1.3M hits); launch
//! to first stop, cold and warm compile cache, on a small guest and on
//! SQLite; large -O0 modules (SQLite, a Rust program in four sizes) from `launch` to
//! the first stop through `wasmscope dap`, cold and after a rebuild; a stop
//! 100 frames deep: the stack, every frame's scopes and top-level
//! variables.
//!
//!   debug-bench GUESTS_DIR BENCH_DIR   (BENCH_DIR: what bench/programs/build-sqlite.sh
//!                                       and build-markdown-stats.sh built)

#![allow(clippy::print_stdout, clippy::unwrap_used)]

mod dap_stdio;
mod framing;

use std::path::{Path, PathBuf};
use std::sync::mpsc::channel;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::bail;
use dap_stdio::{DapProcess, FirstBreakpoint};
use wasmscope_debugger::session::breakpoints::{BreakpointOptions, BreakpointTable};
use wasmscope_debugger::session::judge::BreakpointJudge;
use wasmscope_debugger::symbols::{LoadOptions, WasmSymbols};
use wasmscope_runtime::{Debuggee, DebuggeeEvent, GuestConfig, RunOutcome, run_to_completion};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let [_, guests, bench] = &args[..] else { bail!("usage: debug-bench GUESTS_DIR BENCH_DIR (with sqlite-*.wasm)") };
    let guests = PathBuf::from(guests);
    let bench = PathBuf::from(bench);
    let sqlite = bench.join("sqlite-O2.wasm");
    let cache = std::env::temp_dir().join("wasmscope-debug-bench-cache");
    use_cache_dir(&cache);

    let guest = |name: &str, args: &[&str]| GuestConfig {
        program: guests.join(format!("{name}.wasm")),
        args: args.iter().map(|a| a.to_string()).collect(),
        quiet: true,
        ..Default::default()
    };

    // 1. Execution with no breakpoint (compile cached for both sides). The
    // debug engine's code keeps every Wasm local and operand in its frame
    // slot at each instruction: nearly free in -O2 code, several times the
    // plain time in -O0 code, where every C variable lives in memory and
    // each instruction does little.
    for name in ["hotspots-O2", "hotspots-O0"] {
        let hot = guest(name, &["10"]);
        run_to_completion(&hot)?;
        run_debuggee(&hot, Vec::new(), None)?;
        let plain = best_of(3, || time(|| run_to_completion(&hot).map(|_| ())))?;
        let debugged = best_of(3, || time(|| run_debuggee(&hot, Vec::new(), None).map(|_| ())))?;
        println!(
            "no breakpoint       plain {:.3} s, under the debugger {:.3} s: {:.2}x      ({name}, 10 rounds)",
            plain.as_secs_f64(),
            debugged.as_secs_f64(),
            ratio(debugged, plain)
        );
    }

    // 2. A breakpoint whose condition is always false, on fib's recursion
    // line: fib(30) passes it F(31) - 1 = 1346268 times (fib(n), n >= 2).
    let c = guest("c-O0", &["30"]);
    let symbols = Arc::new(WasmSymbols::load(&c.program, &LoadOptions::default())?);
    let line = marker_line(&guests.join("../../tests/guests/c/main.c"), "fib_recurse")?;
    let mut table = BreakpointTable::default();
    table.set_line_breakpoints(
        Some(&symbols),
        "main.c",
        &[(line, BreakpointOptions { condition: Some("n == 100000".into()), ..Default::default() })],
    );
    let offsets = table.module_offsets(&symbols);
    let table = Arc::new(Mutex::new(table));
    let without = best_of(3, || time(|| run_debuggee(&c, Vec::new(), None).map(|_| ())))?;
    let with = best_of(3, || {
        let (sender, _log) = channel();
        let judge = BreakpointJudge::new(table.clone(), symbols.clone(), sender);
        time(|| run_debuggee(&c, offsets.clone(), Some(Box::new(judge))).map(|_| ()))
    })?;
    let hits = 1_346_268.0;
    println!(
        "false condition     {:.1} µs per hit ({} hits; {:.3} s vs {:.3} s without the breakpoint; target <= 1 µs)",
        (with.as_secs_f64() - without.as_secs_f64()) * 1e6 / hits,
        hits,
        with.as_secs_f64(),
        without.as_secs_f64()
    );

    // 3. Launch to first stop, cold and warm cache.
    let sqlite_config = GuestConfig { program: sqlite, args: vec!["100".into()], quiet: true, ..Default::default() };
    let programs = [
        ("c-O0", guest("c-O0", &[]), "factorial"),
        ("c-O0 component", guest("c-O0-component", &[]), "factorial"),
        ("sqlite-O2", sqlite_config, "sqlite3_open"),
    ];
    for (label, config, function) in programs {
        let symbols = WasmSymbols::load(&config.program, &LoadOptions::default())?;
        // A component's breakpoints are in its own core module's offsets.
        let config = GuestConfig { core_module: symbols.program_index(), ..config };
        let mut table = BreakpointTable::default();
        table.set_function_breakpoints(Some(&symbols), &[(function.to_owned(), BreakpointOptions::default())]);
        let offsets = table.module_offsets(&symbols);
        let _ = std::fs::remove_dir_all(&cache);
        let cold = first_stop(&config, offsets.clone())?;
        let warm = best_of(3, || first_stop(&config, offsets.clone()))?;
        println!(
            "first stop {label:<14} cold cache {:.3} s, warm cache {:.3} s (target <= 0.150 s warm on a small guest)",
            cold.as_secs_f64(),
            warm.as_secs_f64()
        );
    }

    // 3b. Large -O0 modules, as a user waits for them: `wasmscope dap`,
    // from `launch` to the `stopped` event at the first breakpoint, with a
    // cold cache, and after a rebuild that changed one function (the module
    // cache misses; the function cache has the other functions), against
    // the same rebuilt module compiled cold.
    let wasmscope = std::env::current_exe()?.with_file_name("wasmscope");
    let binary = std::fs::metadata(&wasmscope)?.len() as f64 / 1e6;
    println!("release binary      {binary:.1} MB (target <= 40 MB)");
    let markdown_source = "/markdown-stats/src/main.rs";
    let markdown_line = marker_line(&guests.join("../../bench/programs/markdown-stats/src/main.rs"), "first_stop")?;
    let large = [
        ("sqlite-O0", &["100"][..], FirstBreakpoint::Function("sqlite3_open")),
        ("markdown-stats", &[][..], FirstBreakpoint::Line { source: markdown_source, line: markdown_line }),
        ("markdown-stats-syntax", &[][..], FirstBreakpoint::Line { source: markdown_source, line: markdown_line }),
        ("markdown-stats-url", &[][..], FirstBreakpoint::Line { source: markdown_source, line: markdown_line }),
        ("markdown-stats-regex", &[][..], FirstBreakpoint::Line { source: markdown_source, line: markdown_line }),
    ];
    for (name, args, breakpoint) in large {
        let original = bench.join(format!("{name}.wasm"));
        let edited = bench.join(format!("{name}-edited.wasm"));
        let first_stop =
            |program: &Path| DapProcess::start(&wasmscope, &cache)?.time_first_stop(program, args, breakpoint);
        let _ = std::fs::remove_dir_all(&cache);
        let edited_cold = first_stop(&edited)?;
        let _ = std::fs::remove_dir_all(&cache);
        let cold = first_stop(&original)?;
        let _ = std::fs::remove_dir_all(cache.join("modules"));
        let after_edit = first_stop(&edited)?;
        let megabytes = std::fs::metadata(&original)?.len() as f64 / 1e6;
        let code = code_section_megabytes(&original)?;
        println!(
            "first stop {name} ({megabytes:.1} MB, {code:.2} MB of code) cold cache {:.3} s; rebuilt with one \
             function changed {:.3} s, {:.2}x faster than its cold {:.3} s (targets: 10 MB cold <= 3 s, rebuilt <= 1 s)",
            cold.as_secs_f64(),
            after_edit.as_secs_f64(),
            ratio(edited_cold, after_edit),
            edited_cold.as_secs_f64()
        );
    }

    // 4. A stop 101 frames deep (deep_sum(100) down to 0): what an IDE
    // reads, and everything a user could open.
    let deep = guest("c-O0", &["deep"]);
    let symbols = WasmSymbols::load(&deep.program, &LoadOptions::default())?;
    let line = marker_line(&guests.join("../../tests/guests/c/deep.c"), "deep_bottom")?;
    let mut table = BreakpointTable::default();
    table.set_line_breakpoints(Some(&symbols), "deep.c", &[(line, BreakpointOptions::default())]);
    let offsets = table.module_offsets(&symbols);
    let mut debuggee = Debuggee::launch(&deep, offsets);
    if !matches!(debuggee.wait(), DebuggeeEvent::Stopped(_)) {
        bail!("deep_sum did not stop");
    }
    let mut frames_seen = 0;
    let mut variables_seen = 0;
    let everything = best_of(5, || {
        let started = Instant::now();
        let (frames, variables) = read_whole_stack(&symbols, &mut debuggee)?;
        frames_seen = frames;
        variables_seen = variables;
        Ok(started.elapsed())
    })?;
    println!(
        "stop 100 deep       stack + scopes + top-level variables of all {frames_seen} frames ({variables_seen} values): {:.1} ms (target <= 30 ms)",
        everything.as_secs_f64() * 1e3
    );
    debuggee.terminate();
    let _ = std::fs::remove_dir_all(&cache);
    Ok(())
}

/// The whole stack with inlined frames, then for every frame its scopes
/// and each top-level variable's value, as a debugger front end shows them.
fn read_whole_stack(symbols: &WasmSymbols, debuggee: &mut Debuggee) -> anyhow::Result<(usize, usize)> {
    use wasmscope_debugger::session::stack::{inline_index, stack_frames};
    use wasmscope_debugger::session::values::show_variable;
    use wasmscope_debugger::target::TargetView;
    let module = symbols.module(0)?;
    let frames = TargetView::frames(debuggee).map_err(anyhow::Error::msg)?;
    let stack = stack_frames(symbols, &frames);
    let mut values = 0;
    for (index, frame) in stack.iter().enumerate() {
        let Some(at) = frame.offset else { continue };
        let inline = inline_index(&stack, index);
        let scopes = module.variables_at(at)?;
        if let Some(scope) = scopes.get(inline) {
            for variable in &scope.variables {
                let shown = show_variable(module, debuggee, frame.physical, variable, scope.frame_base.as_ref());
                std::hint::black_box(shown);
                values += 1;
            }
        }
        for global in module.globals_at(at)? {
            std::hint::black_box(show_variable(module, debuggee, frame.physical, &global, None));
            values += 1;
        }
    }
    Ok((stack.len(), values))
}

/// Runs this benchmark with its own compile cache, so "cold" is cold: the
/// runtime reads WASMSCOPE_CACHE_DIR, and setting it in a running process
/// is unsafe in edition 2024, so the benchmark re-executes itself once with
/// it set.
fn use_cache_dir(dir: &Path) {
    if std::env::var_os("WASMSCOPE_CACHE_DIR").is_none() {
        let status = std::process::Command::new(std::env::current_exe().unwrap())
            .args(std::env::args().skip(1))
            .env("WASMSCOPE_CACHE_DIR", dir)
            .status()
            .unwrap();
        std::process::exit(status.code().unwrap_or(1));
    }
}

fn run_debuggee(
    guest: &GuestConfig,
    breakpoints: Vec<wasmscope_debugger::address::ModuleOffset>,
    judge: Option<Box<dyn wasmscope_debugger::target::BreakPolicy>>,
) -> anyhow::Result<()> {
    let debuggee = Debuggee::launch_with_judge(guest, breakpoints, judge);
    match debuggee.wait() {
        DebuggeeEvent::Ended(RunOutcome::Exited(0)) => Ok(()),
        other => bail!("unexpected {other:?}"),
    }
}

fn first_stop(
    guest: &GuestConfig,
    breakpoints: Vec<wasmscope_debugger::address::ModuleOffset>,
) -> anyhow::Result<Duration> {
    let started = Instant::now();
    let debuggee = Debuggee::launch(guest, breakpoints);
    let event = debuggee.wait();
    let elapsed = started.elapsed();
    if !matches!(event, DebuggeeEvent::Stopped(_)) {
        bail!("no stop: {event:?}");
    }
    debuggee.terminate();
    Ok(elapsed)
}

/// The size of a module's code section.
fn code_section_megabytes(program: &Path) -> anyhow::Result<f64> {
    let bytes = std::fs::read(program)?;
    for payload in wasmparser::Parser::new(0).parse_all(&bytes) {
        if let wasmparser::Payload::CodeSectionStart { size, .. } = payload? {
            return Ok(f64::from(size) / 1e6);
        }
    }
    Ok(0.0)
}

fn marker_line(source: &Path, name: &str) -> anyhow::Result<u32> {
    let text = std::fs::read_to_string(source)?;
    let tag = format!("// BP: {name}");
    match text.lines().position(|l| l.trim_end().ends_with(&tag)) {
        Some(i) => Ok(i as u32 + 1),
        None => bail!("no marker {name} in {}", source.display()),
    }
}

fn time(f: impl FnOnce() -> anyhow::Result<()>) -> anyhow::Result<Duration> {
    let started = Instant::now();
    f()?;
    Ok(started.elapsed())
}

fn best_of(runs: usize, mut f: impl FnMut() -> anyhow::Result<Duration>) -> anyhow::Result<Duration> {
    (0..runs).map(|_| f()).collect::<anyhow::Result<Vec<_>>>().map(|t| t.into_iter().min().unwrap_or_default())
}

fn ratio(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64()
}
