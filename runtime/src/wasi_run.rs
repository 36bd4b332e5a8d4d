//! Plain execution of a WASI preview1 command module: no instrumentation,
//! the baseline everything else is compared with.

use anyhow::Context as _;
use wasmtime::{Config, Engine, Linker, Module, Store, Trap, TypedFunc, WasmBacktrace};
use wasmtime_wasi::p1::WasiP1Ctx;
use wasmtime_wasi::{FsPerms, I32Exit, WasiCtxBuilder};

use crate::guest::GuestConfig;
use crate::outcome::{RunOutcome, TrapFrame, TrapKind};

/// Deep enough for real recursion in a trap report, bounded for a runaway one.
const TRAP_FRAMES: usize = 1000;

/// Runs the program to its end with the guest's stdio inherited.
pub fn run_to_completion(guest: &GuestConfig) -> anyhow::Result<RunOutcome> {
    run_timed(guest).map(|(outcome, _)| outcome)
}

/// Like [`run_to_completion`], also returning the time spent running the
/// program (after compilation and instantiation): the baseline of the
/// profiler's overhead benchmark.
pub fn run_timed(guest: &GuestConfig) -> anyhow::Result<(RunOutcome, std::time::Duration)> {
    let mut config = Config::new();
    config.wasm_backtrace_max_frames(std::num::NonZeroUsize::new(TRAP_FRAMES));
    crate::compile_cache::enable(&mut config);
    let engine = Engine::new(&config)?;
    let (mut store, start, _) = instantiate_command(&engine, guest, |ctx| ctx, |ctx| ctx)?;
    let started = std::time::Instant::now();
    let result = start.call(&mut store, ());
    let elapsed = started.elapsed();
    Ok((outcome_of(result)?, elapsed))
}

/// Compiles and instantiates a WASI command in a new store whose data is
/// `T`, made from the WASI context by `make_data` (`wasi` gets it back);
/// returns the store, the command's `_start` and the compiled module.
pub(crate) fn instantiate_command<T: Send + 'static>(
    engine: &Engine,
    guest: &GuestConfig,
    make_data: impl FnOnce(WasiP1Ctx) -> T,
    wasi: fn(&mut T) -> &mut WasiP1Ctx,
) -> anyhow::Result<(Store<T>, TypedFunc<(), ()>, Module)> {
    let module = Module::from_file(engine, &guest.program)
        .map_err(anyhow::Error::from)
        .with_context(|| format!("cannot compile {}", guest.program.display()))?;
    let mut linker: Linker<T> = Linker::new(engine);
    wasmtime_wasi::p1::add_to_linker_sync(&mut linker, wasi)?;
    let mut store = Store::new(engine, make_data(wasi_context(guest)?));
    let instance = linker.instantiate(&mut store, &module)?;
    let start = instance
        .get_typed_func::<(), ()>(&mut store, "_start")
        .map_err(anyhow::Error::from)
        .context("the module has no `_start` export: it is not a WASI command")?;
    Ok((store, start, module))
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
        let file = std::fs::File::open(path).with_context(|| format!("cannot open {} as the guest's stdin", path.display()))?;
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
pub(crate) fn outcome_of(result: wasmtime::Result<()>) -> anyhow::Result<RunOutcome> {
    match result {
        Ok(()) => Ok(RunOutcome::Exited(0)),
        Err(error) => {
            if let Some(exit) = error.downcast_ref::<I32Exit>() {
                return Ok(RunOutcome::Exited(exit.0));
            }
            let Some(trap) = error.downcast_ref::<Trap>().copied() else { return Err(error.into()) };
            let frames = error.downcast_ref::<WasmBacktrace>().map(trap_frames).unwrap_or_default();
            Ok(RunOutcome::Trapped { kind: trap_kind(trap), message: trap.to_string(), frames })
        }
    }
}

fn trap_frames(backtrace: &WasmBacktrace) -> Vec<TrapFrame> {
    crate::sampling::raw_frames(backtrace)
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
