//! The program compiles from `launch` on, while the client sets its
//! breakpoints; clients that show progress (`supportsProgressReporting`)
//! see it as DAP progress events: started at `launch`, the seconds spent
//! every second (Wasmtime reports no finer progress), ended when the code is
//! ready.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::json;
use wasmscope_debugger::target::CompileReport;

use super::{Input, Session};

/// What the compiler thread and its ticker tell the session.
#[derive(Debug)]
pub(crate) enum CompileInput {
    Tick(Duration),
    Done(CompileReport),
}

/// The compilation the client is shown.
#[derive(Debug)]
pub(crate) struct ShownCompile {
    progress_id: String,
}

const TICK: Duration = Duration::from_secs(1);

impl Session {
    /// Starts compiling the launched program for the run that
    /// `configurationDone` will start; the target refuses a program it
    /// cannot run.
    pub(crate) fn start_compiling(&mut self) -> Result<(), String> {
        let (Some(launch), Some(symbols)) = (&self.launch, &self.symbols) else { return Ok(()) };
        let done = Arc::new(AtomicBool::new(false));
        let (inputs, finished) = (self.inputs.clone(), done.clone());
        let on_compiled = Box::new(move |report| {
            finished.store(true, Ordering::Relaxed);
            let _ = inputs.send(Input::Compile(CompileInput::Done(report)));
        });
        // A coredump is opened, not run: its launcher is the launch's own.
        let launcher: Arc<dyn wasmscope_debugger::target::Launcher> = match &launch.core {
            Some(core) => core.clone(),
            None => self.launcher.clone(),
        };
        self.prepared = Some(launcher.prepare(&launch.guest, symbols.bytes(), on_compiled)?);
        if !self.client.progress || launch.core.is_some() {
            return Ok(());
        }
        let name = launch.guest.program.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let megabytes = symbols.bytes().len() as f64 / 1e6;
        let progress_id = format!("wasmscope-compile-{}", self.run_number + 1);
        self.out.event_after_response(
            "progressStart",
            Some(json!({
                "progressId": progress_id,
                "title": format!("Compiling {name}"),
                "message": format!("{megabytes:.1} MB of Wasm, for guest debugging"),
                "cancellable": false,
            })),
        );
        self.shown_compile = Some(ShownCompile { progress_id });
        let inputs = self.inputs.clone();
        let started = Instant::now();
        let _ = std::thread::Builder::new().name("wasmscope-compile-ticker".into()).spawn(move || {
            loop {
                std::thread::sleep(TICK);
                if done.load(Ordering::Relaxed)
                    || inputs.send(Input::Compile(CompileInput::Tick(started.elapsed()))).is_err()
                {
                    return;
                }
            }
        });
        Ok(())
    }

    pub(crate) fn on_compile_input(&mut self, input: CompileInput) {
        let Some(shown) = &self.shown_compile else { return };
        let id = shown.progress_id.clone();
        match input {
            CompileInput::Tick(elapsed) => {
                let message = format!("{} s", elapsed.as_secs());
                self.out.event("progressUpdate", Some(json!({ "progressId": id, "message": message })));
            }
            CompileInput::Done(report) => {
                let message = match report {
                    Ok(took) => format!("compiled in {:.1} s", took.as_secs_f64()),
                    Err(_) => "compilation failed".to_owned(),
                };
                self.out.event("progressEnd", Some(json!({ "progressId": id, "message": message })));
                self.shown_compile = None;
            }
        }
    }
}
