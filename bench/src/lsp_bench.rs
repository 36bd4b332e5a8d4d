//! Language server benchmark: `wasmscope lsp` on SQLite-sized DWARF with a
//! 1M-sample profile. From spawning the server to its first code lenses on
//! sqlite3.c, and its peak memory, next to the time one `wasmscope lines`
//! call (a cold DWARF load and a line binding) takes in the same run.
//!
//!   lsp-bench SQLITE.wasm WASMSCOPE_BINARY OUT_DIR

#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::needless_pass_by_value)]

mod framing;

use std::io::{BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::bail;
use serde_json::{Value, json};
use wasmscope_debugger::address::CodeOffset;
use wasmscope_debugger::symbols::{LoadOptions, WasmSymbols};
use wasmscope_profiler::{Frame, Profile, ProfileMeta, profile_frames, write_pprof};

const SAMPLES: u64 = 1_000_000;
const STACKS: u64 = 50_000;
/// Distinct code locations the stacks are made of: a long profile samples
/// the same hot code again and again (a real 1M-sample profile of SQLite has
/// some thousands), so this is on the heavy side. Each calls up to 4 others.
const LOCATIONS: u64 = 20_000;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let [_, program, binary, out] = &args[..] else { bail!("usage: lsp-bench SQLITE.wasm WASMSCOPE OUT_DIR") };
    let (program, out) = (PathBuf::from(program), PathBuf::from(out));
    std::fs::create_dir_all(&out)?;
    let profile_path = out.join("sqlite-1M.pb.gz");
    let made = Instant::now();
    let (samples, stacks, line) = synthesize_profile(&program, &profile_path)?;
    println!(
        "profile             {samples} samples in {stacks} stacks, walks of a call graph of {LOCATIONS} SQLite code locations (inlined chains included; {:.1} s to make)",
        made.elapsed().as_secs_f64()
    );

    let lines_cli = best_of(3, || {
        let started = Instant::now();
        let status = Command::new(binary).arg("lines").arg(&program).arg(format!("sqlite3.c:{line}")).output()?;
        if !status.status.success() {
            bail!("wasmscope lines failed: {}", String::from_utf8_lossy(&status.stderr));
        }
        Ok(started.elapsed())
    })?;
    let mut firsts = Vec::new();
    let mut peak_kb = 0;
    for _ in 0..3 {
        let (first, kb) = first_lenses(binary, &program, &profile_path)?;
        firsts.push(first);
        peak_kb = peak_kb.max(kb);
    }
    firsts.sort();
    let first = firsts[0];
    println!(
        "first code lenses   {:.3} s from spawn (best of 3; target <= 0.200 s); one `wasmscope lines` {:.3} s: {:.2}x",
        first.as_secs_f64(),
        lines_cli.as_secs_f64(),
        first.as_secs_f64() / lines_cli.as_secs_f64()
    );
    println!("peak memory         {:.0} MB (VmHWM; target <= 200 MB)", peak_kb as f64 / 1024.0);
    Ok(())
}

/// A profile of `SAMPLES` samples over `STACKS` stacks whose frames are
/// SQLite's own (inlined chains included), as a long profile of it has.
/// Returns its samples, stacks, and a line of sqlite3.c with code.
fn synthesize_profile(program: &Path, out: &Path) -> anyhow::Result<(u64, u64, u32)> {
    let symbols = WasmSymbols::load(program, &LoadOptions::default())?;
    let module = symbols.program()?;
    let functions: Vec<(CodeOffset, CodeOffset)> = module
        .function_index()?
        .map(|index| {
            index
                .functions()
                .iter()
                .filter(|f| !f.inlined)
                .flat_map(|f| f.ranges.clone())
                .filter(|r| r.end > r.start)
                .map(|r| (r.start, r.end))
                .collect()
        })
        .unwrap_or_default();
    if functions.is_empty() {
        bail!("{} has no functions with DWARF", program.display());
    }
    let mut random = Lcg(0x5eed);
    let mut locations: Vec<Vec<Frame>> = Vec::new();
    for _ in 0..LOCATIONS {
        let (start, end) = functions[random.below(functions.len() as u64) as usize];
        let at = CodeOffset(start.0 + random.below(end.0 - start.0));
        locations.push(profile_frames(&module.frames_at(at)?));
    }
    // A call graph: each location calls up to 4 others; stacks are walks
    // down it from one of 50 entry points, as a program's are.
    let callees: Vec<Vec<usize>> =
        (0..LOCATIONS).map(|_| (0..1 + random.below(4)).map(|_| random.below(LOCATIONS) as usize).collect()).collect();
    let mut stacks = Vec::new();
    for _ in 0..STACKS {
        let depth = 3 + random.below(25);
        let mut at = random.below(50) as usize;
        let mut stack = Vec::new();
        for _ in 0..depth {
            stack.extend(locations[at].iter().cloned());
            at = callees[at][random.below(callees[at].len() as u64) as usize];
        }
        stacks.push((stack, SAMPLES / STACKS));
    }
    let meta =
        ProfileMeta { program: program.display().to_string(), requested_rate_hz: 1000, ..ProfileMeta::default() };
    let profile = Profile::from_stacks(meta, stacks);
    let mut file = std::io::BufWriter::new(std::fs::File::create(out)?);
    write_pprof(&profile, &mut file)?;
    file.flush()?;
    let line = profile
        .frames
        .iter()
        .find(|f| f.file.as_deref().is_some_and(|f| f.ends_with("sqlite3.c")) && f.line != 0)
        .map_or(1, |f| f.line);
    Ok((profile.sample_count(), STACKS, line))
}

/// Spawns the server, initializes it on the program and profile, opens
/// sqlite3.c and asks for its code lenses: the time to the answer, and the
/// server's peak resident memory in kB.
fn first_lenses(binary: &str, program: &Path, profile: &Path) -> anyhow::Result<(Duration, u64)> {
    let started = Instant::now();
    let mut server = Server::spawn(binary)?;
    let source = program.parent().unwrap().join("sqlite-src/sqlite3.c");
    let uri = format!("file://{}", source.display());
    let sqlite_src = program.parent().unwrap().join("sqlite-src");
    server.request(
        "initialize",
        json!({
            "processId": null,
            "rootUri": format!("file://{}", program.parent().unwrap().display()),
            "capabilities": {},
            "initializationOptions": {
                "programs": [program], "profiles": [profile], "sourceMap": { "/sqlite": sqlite_src },
            },
        }),
    )?;
    server.notify("initialized", json!({}))?;
    server.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri, "languageId": "c", "version": 1, "text": "" } }),
    )?;
    let lenses = server.request("textDocument/codeLens", json!({ "textDocument": { "uri": uri } }))?;
    let elapsed = started.elapsed();
    let count = lenses["result"].as_array().map_or(0, Vec::len);
    if count < 1000 {
        bail!("only {count} code lenses on sqlite3.c: {lenses}");
    }
    let peak = server.peak_kb();
    server.finish()?;
    Ok((elapsed, peak))
}

struct Server {
    child: Child,
    input: ChildStdin,
    output: BufReader<ChildStdout>,
    next_id: u64,
}

impl Server {
    fn spawn(binary: &str) -> anyhow::Result<Self> {
        let mut child = Command::new(binary).arg("lsp").stdin(Stdio::piped()).stdout(Stdio::piped()).spawn()?;
        let input = child.stdin.take().unwrap();
        let output = BufReader::new(child.stdout.take().unwrap());
        Ok(Server { child, input, output, next_id: 1 })
    }

    fn send(&mut self, message: &Value) -> anyhow::Result<()> {
        framing::write_message(&mut self.input, message)
    }

    fn notify(&mut self, method: &str, params: Value) -> anyhow::Result<()> {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }))
    }

    fn request(&mut self, method: &str, params: Value) -> anyhow::Result<Value> {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }))?;
        loop {
            let message = self.receive()?;
            if message["id"] == id && message.get("method").is_none() {
                if message.get("error").is_some() {
                    bail!("{method} failed: {message}");
                }
                return Ok(message);
            }
        }
    }

    fn receive(&mut self) -> anyhow::Result<Value> {
        framing::read_message(&mut self.output)
    }

    fn peak_kb(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    }

    fn finish(mut self) -> anyhow::Result<()> {
        self.request("shutdown", Value::Null)?;
        self.notify("exit", Value::Null)?;
        self.child.wait()?;
        Ok(())
    }
}

fn best_of(n: usize, mut run: impl FnMut() -> anyhow::Result<Duration>) -> anyhow::Result<Duration> {
    let mut best = Duration::MAX;
    for _ in 0..n {
        best = best.min(run()?);
    }
    Ok(best)
}

/// A small deterministic generator: the same profile every run.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % n.max(1)
    }
}
