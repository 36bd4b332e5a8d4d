//! Compiling a program for guest debugging ahead of its run. Compilation is
//! most of a launch on a large module (seconds), and a DAP client spends
//! time between `launch` and `configurationDone` setting breakpoints: the
//! session starts compiling at `launch` and the run takes what was compiled.

use std::sync::{Arc, Condvar, Mutex};
use std::time::Instant;

use wasmtime::Engine;

use super::launch::debug_engine;
use crate::program::Compiled;
use wasmscope_debugger::target::{CompileReport, GuestConfig};

/// A compilation started ahead of the run; [`super::Debuggee::launch_prepared`]
/// runs what it compiles, waiting for it when needed.
pub struct PreparedProgram {
    /// The engine is cheap to make and needed at once (a pause must reach
    /// the run through its epochs); compiling with it is what takes time.
    engine: Result<Engine, String>,
    slot: Arc<CompileSlot>,
}

#[derive(Default)]
struct CompileSlot {
    compiled: Mutex<Option<Result<Compiled, String>>>,
    done: Condvar,
}

impl std::fmt::Debug for PreparedProgram {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PreparedProgram").field("ready", &self.is_ready()).finish_non_exhaustive()
    }
}

impl PreparedProgram {
    /// Starts compiling `guest`'s program on a thread of its own (Wasmtime
    /// spreads the functions over every core); `on_done` hears the outcome
    /// from that thread.
    pub fn start(guest: &GuestConfig, on_done: impl FnOnce(CompileReport) + Send + 'static) -> Self {
        let slot = Arc::new(CompileSlot::default());
        let engine = debug_engine(guest).map_err(|e| format!("{e:#}"));
        let compiling = match &engine {
            Ok(engine) => {
                let (engine, slot, program) = (engine.clone(), slot.clone(), guest.program.clone());
                std::thread::Builder::new()
                    .name("wasmscope-compile".into())
                    .spawn(move || {
                        let started = Instant::now();
                        let compiled = Compiled::from_file(&engine, &program).map_err(|e| format!("{e:#}"));
                        let report = compiled.as_ref().map(|_| started.elapsed()).map_err(String::clone);
                        slot.fill(compiled);
                        on_done(report);
                    })
                    .map_err(|e| format!("cannot start the compiler thread: {e}"))
            }
            Err(error) => Err(error.clone()),
        };
        if let Err(error) = compiling {
            slot.fill(Err(error));
        }
        PreparedProgram { engine, slot }
    }

    /// Whether the compilation has ended (successfully or not).
    pub fn is_ready(&self) -> bool {
        self.slot.compiled.lock().unwrap_or_else(|p| p.into_inner()).is_some()
    }

    pub(super) fn engine(&self) -> Option<&Engine> {
        self.engine.as_ref().ok()
    }

    /// Waits for the compilation and takes its result.
    pub(super) fn take(self) -> anyhow::Result<(Engine, Compiled)> {
        let engine = self.engine.map_err(anyhow::Error::msg)?;
        let mut compiled = self.slot.compiled.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            match compiled.take() {
                Some(result) => return Ok((engine, result.map_err(anyhow::Error::msg)?)),
                None => compiled = self.slot.done.wait(compiled).unwrap_or_else(|p| p.into_inner()),
            }
        }
    }
}

impl CompileSlot {
    fn fill(&self, compiled: Result<Compiled, String>) {
        *self.compiled.lock().unwrap_or_else(|p| p.into_inner()) = Some(compiled);
        self.done.notify_all();
    }
}
