//! A WASI program as wasmtime compiles it: a preview1 command module or a
//! preview2 command component. Everything that runs guests (plain runs, both
//! samplers, the debug host) goes through here, so each works with both.
//!
//! Store data always holds a `WasiP1Ctx`: it carries the preview2 context
//! too, so one kind of store data serves both kinds of program.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context as _;
use wasmtime::component::{Component, Linker as ComponentLinker};
use wasmtime::{AsContextMut, Engine, Linker, Module, Store, TypedFunc};
use wasmtime_wasi::I32Exit;
use wasmtime_wasi::p1::WasiP1Ctx;
use wasmtime_wasi::p2::bindings::Command as AsyncCommand;
use wasmtime_wasi::p2::bindings::sync::Command;

use wasmscope_debugger::address::ModuleOffset;

/// Store data that can lend its WASI context; `WasiView` is implemented for
/// it by [`wasi_view!`].
pub(crate) trait HasWasi: Send + 'static {
    fn wasi(&mut self) -> &mut WasiP1Ctx;
}

/// Implements wasmtime-wasi's `WasiView` for store data types that are
/// [`HasWasi`] (a blanket impl of a foreign trait is not allowed).
macro_rules! wasi_view {
    ($($data:ty),+) => {$(
        impl wasmtime_wasi::WasiView for $data {
            fn ctx(&mut self) -> wasmtime_wasi::WasiCtxView<'_> {
                wasmtime_wasi::WasiView::ctx(crate::program::HasWasi::wasi(self))
            }
        }
    )+};
}
pub(crate) use wasi_view;

/// A compiled program.
#[derive(Clone)]
pub(crate) enum Compiled {
    Module(Module),
    Component(Component, ModuleStarts),
}

/// Which core module of the program `module` is: its index among a
/// component's core modules (in the order they appear in the file, as the
/// symbols layer counts them), 0 for a program that is a module.
pub(crate) fn core_module_index(module: &Module) -> usize {
    module.functions().next().map_or(0, |f| f.module.as_u32() as usize)
}

/// Where each core module of a program begins in its file. Wasmtime's
/// address maps and backtraces give a component's code positions as offsets
/// in the component file; wasmscope's are offsets in the core module (as the
/// module would read alone, and as the guest-debug API gives them).
#[derive(Clone, Debug, Default)]
pub(crate) struct ModuleStarts(Arc<[u64]>);

impl ModuleStarts {
    /// The core modules' starts, in the order they appear in the file, which
    /// is the order of wasmtime's static module indices.
    pub(crate) fn of_component(bytes: &[u8]) -> anyhow::Result<Self> {
        let mut starts = Vec::new();
        for payload in wasmparser::Parser::new(0).parse_all(bytes) {
            if let wasmparser::Payload::ModuleSection { unchecked_range, .. } = payload? {
                starts.push(unchecked_range.start as u64);
            }
        }
        Ok(ModuleStarts(starts.into()))
    }

    /// The offset in core module `module` of position `file_offset` in the
    /// program file (the same number for a program that is a module).
    pub(crate) fn module_offset(&self, module: usize, file_offset: u64) -> Option<ModuleOffset> {
        let start = if self.0.is_empty() { 0 } else { *self.0.get(module)? };
        file_offset.checked_sub(start).map(ModuleOffset)
    }
}

impl Compiled {
    /// Compiles the file at `path`, a core module or a component.
    pub(crate) fn from_file(engine: &Engine, path: &Path) -> anyhow::Result<Self> {
        let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        let cannot = || format!("cannot compile {}", path.display());
        if wasmparser::Parser::is_component(&bytes) {
            let starts = ModuleStarts::of_component(&bytes).with_context(cannot)?;
            let component = crate::module_cache::compile::<Component>(engine, &bytes)
                .map_err(anyhow::Error::from)
                .with_context(cannot)?;
            Ok(Compiled::Component(component, starts))
        } else {
            let input = crate::compile_input::without_trailing_dwarf(&bytes);
            let module = crate::module_cache::compile::<Module>(engine, &input);
            Ok(Compiled::Module(module.map_err(anyhow::Error::from).with_context(cannot)?))
        }
    }

    /// Where the program's core modules begin in its file.
    pub(crate) fn module_starts(&self) -> ModuleStarts {
        match self {
            Compiled::Module(_) => ModuleStarts::default(),
            Compiled::Component(_, starts) => starts.clone(),
        }
    }

    /// Instantiates the program in `store` for a synchronous run.
    pub(crate) fn instantiate<T: HasWasi + wasmtime_wasi::WasiView>(
        &self,
        store: &mut Store<T>,
    ) -> anyhow::Result<Entry> {
        match self {
            Compiled::Module(module) => {
                let mut linker: Linker<T> = Linker::new(store.engine());
                wasmtime_wasi::p1::add_to_linker_sync(&mut linker, T::wasi)?;
                let instance = linker.instantiate(&mut *store, module)?;
                let start = instance
                    .get_typed_func::<(), ()>(&mut *store, "_start")
                    .map_err(anyhow::Error::from)
                    .context("the module has no `_start` export: it is not a WASI command")?;
                Ok(Entry::Module(start))
            }
            Compiled::Component(component, _) => {
                let mut linker: ComponentLinker<T> = ComponentLinker::new(store.engine());
                wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;
                let command = Command::instantiate(&mut *store, component, &linker)
                    .map_err(anyhow::Error::from)
                    .context("the component is not a WASI command (it must export wasi:cli/run)")?;
                Ok(Entry::Component(command))
            }
        }
    }

    /// Instantiates the program in `store` for an async run (a store with a
    /// debug handler is async-only).
    pub(crate) async fn instantiate_async<T: HasWasi + wasmtime_wasi::WasiView>(
        &self,
        store: &mut Store<T>,
    ) -> anyhow::Result<AsyncEntry> {
        match self {
            Compiled::Module(module) => {
                let mut linker: Linker<T> = Linker::new(store.engine());
                wasmtime_wasi::p1::add_to_linker_async(&mut linker, T::wasi)?;
                let instance = linker.instantiate_async(&mut *store, module).await?;
                let start = instance
                    .get_func(&mut *store, "_start")
                    .context("the module has no `_start` export: it is not a WASI command")?;
                Ok(AsyncEntry::Module(start))
            }
            Compiled::Component(component, _) => {
                let mut linker: ComponentLinker<T> = ComponentLinker::new(store.engine());
                wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
                let command = AsyncCommand::instantiate_async(&mut *store, component, &linker)
                    .await
                    .map_err(anyhow::Error::from)
                    .context("the component is not a WASI command (it must export wasi:cli/run)")?;
                Ok(AsyncEntry::Component(command))
            }
        }
    }
}

/// Checks, without compiling, that `bytes` hold a program wasmscope can
/// run: a module exporting the function `_start`, or a component exporting
/// `wasi:cli/run`. Launching says so at once rather than after starting.
pub fn check_command(bytes: &[u8]) -> Result<(), String> {
    let is_component = wasmparser::Parser::is_component(bytes);
    let mut depth = 0usize;
    for payload in wasmparser::Parser::new(0).parse_all(bytes) {
        let payload = payload.map_err(|e| format!("it is malformed: {e}"))?;
        match payload {
            // Nested modules and components have exports of their own.
            wasmparser::Payload::ModuleSection { .. } | wasmparser::Payload::ComponentSection { .. } => depth += 1,
            wasmparser::Payload::End(_) => depth = depth.saturating_sub(1),
            wasmparser::Payload::ExportSection(exports) if depth == 0 && !is_component => {
                for export in exports {
                    let export = export.map_err(|e| format!("it is malformed: {e}"))?;
                    if export.name == "_start" && export.kind == wasmparser::ExternalKind::Func {
                        return Ok(());
                    }
                }
            }
            wasmparser::Payload::ComponentExportSection(exports) if depth == 0 && is_component => {
                for export in exports {
                    let export = export.map_err(|e| format!("it is malformed: {e}"))?;
                    if export.name.name.starts_with("wasi:cli/run@0.2") {
                        return Ok(());
                    }
                }
            }
            _ => {}
        }
    }
    Err(if is_component {
        "the component is not a WASI command: it does not export wasi:cli/run@0.2 (a wasi:http or library component \
         cannot be launched)"
            .into()
    } else {
        "the module is not a WASI command: it has no `_start` function export (a reactor or library module cannot be \
         launched)"
            .into()
    })
}

/// Where a synchronous run starts.
pub(crate) enum Entry {
    Module(TypedFunc<(), ()>),
    Component(Command),
}

impl Entry {
    /// Runs the program; its end is read by `wasi_run::outcome_of`.
    pub(crate) fn call<T: 'static>(&self, store: impl AsContextMut<Data = T>) -> wasmtime::Result<()> {
        match self {
            Entry::Module(start) => start.call(store, ()),
            Entry::Component(command) => command_result(command.wasi_cli_run().call_run(store)),
        }
    }
}

/// Where an async run starts.
pub(crate) enum AsyncEntry {
    Module(wasmtime::Func),
    Component(AsyncCommand),
}

impl AsyncEntry {
    pub(crate) async fn call<T: Send + 'static>(&self, mut store: impl AsContextMut<Data = T>) -> wasmtime::Result<()> {
        match self {
            AsyncEntry::Module(start) => start.call_async(&mut store, &[], &mut []).await,
            AsyncEntry::Component(command) => command_result(command.wasi_cli_run().call_run(&mut store).await),
        }
    }
}

/// `wasi:cli/run` returns `Err(())` for a failed program: exit status 1, as
/// `wasmtime run` reports it.
fn command_result(result: wasmtime::Result<Result<(), ()>>) -> wasmtime::Result<()> {
    match result? {
        Ok(()) => Ok(()),
        Err(()) => Err(wasmtime::Error::new(I32Exit(1))),
    }
}
