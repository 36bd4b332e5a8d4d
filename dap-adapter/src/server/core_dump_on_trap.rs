//! `coreDumpOnTrap`: at a trap stop, the state is written as a coredump
//! before the client hears of the stop, so the file holds what the client
//! then shows (every frame's Wasm locals included).

use wasmscope_debugger::coredump::{DumpNote, DumpedProgram, WriteLimits, write_coredump};
use wasmscope_debugger::symbols::CoreModule;
use wasmscope_debugger::target::{ThreadId, TrapKind};

use super::Session;

impl Session {
    pub(super) fn write_core_dump_on_trap(&mut self, thread: ThreadId, kind: TrapKind) {
        let Some(path) = self.launch.as_ref().and_then(|l| l.core_dump_on_trap.clone()) else { return };
        let Some(symbols) = self.symbols.clone() else { return };
        let Some(run) = self.run.as_mut() else { return };
        let thread_name = run.threads.get(&thread).map_or_else(|| "main".to_owned(), |t| t.name.clone());
        let Ok(view) = run.target.view(thread) else { return };
        let modules: Vec<&CoreModule> = symbols.modules().iter().map(|m| m.module()).collect();
        let program_path = std::path::absolute(symbols.path()).unwrap_or_else(|_| symbols.path().to_owned());
        let program_path = program_path.display().to_string();
        let program = DumpedProgram {
            file: symbols.bytes(),
            path: &program_path,
            modules: &modules,
            program_index: symbols.program_index(),
        };
        let note = DumpNote { trap: Some(kind), trap_message: Some(kind.describe().to_owned()), ..DumpNote::default() };
        let written = write_coredump(view, &program, &thread_name, note, WriteLimits::default())
            .and_then(|bytes| std::fs::write(&path, &bytes).map(|()| bytes.len()).map_err(|e| e.to_string()));
        let line = match written {
            Ok(size) => format!("wasmscope: wrote a coredump of the trap to {} ({size} bytes)\n", path.display()),
            Err(error) => format!("wasmscope: no coredump written to {}: {error}\n", path.display()),
        };
        self.out.output("console", &line);
    }
}
