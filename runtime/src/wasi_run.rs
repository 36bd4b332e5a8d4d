//! Plain execution of a WASI preview1 command module: no instrumentation,
//! the baseline everything else is compared with.

use anyhow::Context as _;
use wasmtime::{Config, Engine, Store, Trap, WasmBacktrace};
use wasmtime_wasi::p1::WasiP1Ctx;
use wasmtime_wasi::{FsPerms, I32Exit, WasiCtxBuilder};

use crate::coredump_writer::CoredumpWriter;
use crate::program::{Compiled, Entry, HasWasi, ModuleStarts, wasi_view};
use wasmscope_debugger::target::GuestConfig;
use wasmscope_debugger::target::{RunOutcome, TrapFrame, TrapKind};

/// Deep enough for real recursion in a trap report, bounded for a runaway one.
const TRAP_FRAMES: usize = 1000;

/// A plain run's store data: nothing but WASI.
struct PlainData(WasiP1Ctx);

impl HasWasi for PlainData {
    fn wasi(&mut self) -> &mut WasiP1Ctx {
        &mut self.0
    }
}
wasi_view!(PlainData);

/// Runs the program to its end with the guest's stdio inherited.
pub fn run_to_completion(guest: &GuestConfig) -> anyhow::Result<RunOutcome> {
    run_timed(guest).map(|(outcome, _)| outcome)
}

/// Like [`run_to_completion`], also returning the time spent running the
/// program (after compilation and instantiation): the baseline of the
/// profiler's overhead benchmark.
pub fn run_timed(guest: &GuestConfig) -> anyhow::Result<(RunOutcome, std::time::Duration)> {
    run_plain(guest, None).map(|run| (run.outcome, run.elapsed))
}

/// How a plain run went.
#[derive(Debug)]
pub struct PlainRun {
    pub outcome: RunOutcome,
    /// Running time, after compilation and instantiation.
    pub elapsed: std::time::Duration,
    /// The coredump of its trap: where it was written, or why it was not.
    pub coredump: Option<Result<std::path::PathBuf, String>>,
}

/// Runs the program to its end; a trap leaves a coredump with `coredumps`.
pub fn run_plain(guest: &GuestConfig, coredumps: Option<&CoredumpWriter>) -> anyhow::Result<PlainRun> {
    crate::stack_limits::on_a_stack_for(guest, || {
        let mut config = Config::new();
        config.wasm_backtrace_max_frames(std::num::NonZeroUsize::new(TRAP_FRAMES));
        config.coredump_on_trap(coredumps.is_some());
        crate::stack_limits::configure_plain(&mut config, guest);
        crate::compile_cache::enable(&mut config);
        let engine = Engine::new(&config)?;
        let (mut store, start, program) = instantiate_command(&engine, guest, PlainData, false)?;
        let started = std::time::Instant::now();
        let result = start.call(&mut store);
        let elapsed = started.elapsed();
        let coredump = match (&result, coredumps) {
            (Err(error), Some(writer)) => writer.write(&mut store, error, ""),
            _ => None,
        };
        Ok(PlainRun { outcome: outcome_of(result, &program.module_starts())?, elapsed, coredump })
    })?
}

/// Compiles and instantiates a WASI command (module or component) in a new
/// store whose data is `T`, made from the WASI context by `make_data`;
/// returns the store, where the program starts, and the compiled program.
/// `progress`: a spinner while compiling, on a terminal.
pub(crate) fn instantiate_command<T: HasWasi + wasmtime_wasi::WasiView>(
    engine: &Engine,
    guest: &GuestConfig,
    make_data: impl FnOnce(WasiP1Ctx) -> T,
    progress: bool,
) -> anyhow::Result<(Store<T>, Entry, Compiled)> {
    let compile = || Compiled::from_file(engine, &guest.program);
    let compiled = crate::compile_spinner::while_compiling(&guest.program, progress, compile)?;
    let mut store = Store::new(engine, make_data(wasi_context(guest)?));
    // A component runs Wasm while instantiating (the adapter's set-up):
    // with epochs on, the default deadline would interrupt it at once. The
    // caller sets its own deadline before starting the program.
    store.set_epoch_deadline(u64::MAX / 2);
    let entry = compiled.instantiate(&mut store)?;
    Ok((store, entry, compiled))
}

fn wasi_context(guest: &GuestConfig) -> anyhow::Result<WasiP1Ctx> {
    let mut builder = wasi_builder(guest)?;
    if !guest.quiet {
        builder.inherit_stdout().inherit_stderr();
        if guest.stdin.is_none() {
            builder.inherit_stdin();
        }
    }
    Ok(builder.build_p1())
}

/// The guest's WASI context without its output streams (which the caller
/// chooses): arguments, environment, preopened directories and stdin.
pub(crate) fn wasi_builder(guest: &GuestConfig) -> anyhow::Result<WasiCtxBuilder> {
    let mut builder = WasiCtxBuilder::new();
    let program_name = guest.program.file_name().map_or_else(|| "main.wasm".into(), |n| n.to_string_lossy());
    let mut argv = vec![program_name.into_owned()];
    argv.extend(guest.args.iter().cloned());
    builder.args(&argv);
    if let Some(path) = &guest.stdin {
        let file = std::fs::File::open(path)
            .with_context(|| format!("cannot open {} as the guest's stdin", path.display()))?;
        builder.stdin(wasmtime_wasi::cli::InputFile::new(file));
    }
    for (key, value) in &guest.env {
        builder.env(key, value);
    }
    for dir in &guest.dirs {
        builder
            .preopened_dir(&dir.host, &dir.guest, FsPerms::ReadWrite)
            .map_err(anyhow::Error::from)
            .with_context(|| format!("cannot open directory {} for the guest", dir.host.display()))?;
    }
    Ok(builder)
}

/// What a call of `_start` returning `result` means for the program.
pub(crate) fn outcome_of(result: wasmtime::Result<()>, starts: &ModuleStarts) -> anyhow::Result<RunOutcome> {
    match result {
        Ok(()) => Ok(RunOutcome::Exited(0)),
        Err(error) => {
            if let Some(exit) = error.downcast_ref::<I32Exit>() {
                return Ok(RunOutcome::Exited(exit.0));
            }
            let Some(trap) = error.downcast_ref::<Trap>().copied() else {
                return Err(error.into());
            };
            let frames = error.downcast_ref::<WasmBacktrace>().map(|b| trap_frames(b, starts)).unwrap_or_default();
            Ok(RunOutcome::Trapped { kind: trap_kind(trap), message: trap.to_string(), frames })
        }
    }
}

fn trap_frames(backtrace: &WasmBacktrace, starts: &ModuleStarts) -> Vec<TrapFrame> {
    crate::sampling::raw_frames(backtrace, starts)
        .into_iter()
        .map(|f| TrapFrame { module: f.module, function_index: f.function_index, offset: f.offset })
        .collect()
}

pub(crate) fn trap_kind(trap: Trap) -> TrapKind {
    match trap {
        Trap::UnreachableCodeReached => TrapKind::Unreachable,
        Trap::MemoryOutOfBounds | Trap::HeapMisaligned => TrapKind::MemoryOutOfBounds,
        Trap::TableOutOfBounds => TrapKind::TableOutOfBounds,
        Trap::IndirectCallToNull => TrapKind::IndirectCallToNull,
        Trap::BadSignature => TrapKind::IndirectCallTypeMismatch,
        Trap::IntegerOverflow => TrapKind::IntegerOverflow,
        Trap::IntegerDivisionByZero => TrapKind::IntegerDivisionByZero,
        Trap::BadConversionToInteger => TrapKind::BadConversionToInteger,
        Trap::StackOverflow => TrapKind::StackExhausted,
        Trap::Interrupt => TrapKind::Interrupted,
        _ => TrapKind::Other,
    }
}
