//! A loaded `.wasm` file: a core module, or a component and its core modules.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::error::{Result, SymbolsError};
use super::module_symbols::ModuleSymbols;
use super::wasm_file::parse_wasm_file;

#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    /// A separate file holding the DWARF, overriding the module's own and the
    /// `external_debug_info` / `APP.debug.wasm` lookups.
    pub debug_file: Option<PathBuf>,
    /// Load a module whose DWARF cannot be read (corrupt, or a debug file
    /// that is missing) with names only, keeping the problem for
    /// `ModuleSymbols::dwarf_problem`, instead of failing (the profiler's
    /// choice: the program runs all the same).
    pub names_if_dwarf_is_bad: bool,
}

#[derive(Debug)]
pub struct WasmSymbols {
    path: PathBuf,
    /// The whole file, shared with the modules' DWARF readers.
    bytes: Arc<[u8]>,
    is_component: bool,
    modules: Vec<ModuleSymbols>,
}

impl WasmSymbols {
    pub fn load(path: &Path, options: &LoadOptions) -> Result<Self> {
        let bytes = super::input_file::read_input_file(path)?;
        Self::from_bytes(&bytes.into(), path, options)
    }

    /// Loads from bytes already in memory; `path` names them in messages and
    /// anchors the lookup of separate debug files.
    pub fn from_bytes(bytes: &Arc<[u8]>, path: &Path, options: &LoadOptions) -> Result<Self> {
        let what = path.display().to_string();
        let is_component = bytes.get(4..8).is_some_and(|version| version[2..] == [1, 0]);
        let modules = parse_wasm_file(bytes, &what)?
            .into_iter()
            .map(|module| ModuleSymbols::load(module, path, options))
            .collect::<Result<Vec<_>>>()?;
        Ok(WasmSymbols { path: path.to_owned(), bytes: bytes.clone(), is_component, modules })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The file's bytes as loaded.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub fn is_component(&self) -> bool {
        self.is_component
    }

    /// The core module the debugger works on: the program's own. A module
    /// is its own; in a component it is the first core module with DWARF
    /// (the WASI adapter and the glue modules have none), else the first.
    pub fn program_index(&self) -> usize {
        self.modules.iter().position(ModuleSymbols::has_dwarf).unwrap_or(0)
    }

    /// The module [`WasmSymbols::program_index`] names.
    pub fn program(&self) -> Result<&ModuleSymbols> {
        self.module(self.program_index())
    }

    pub fn modules(&self) -> &[ModuleSymbols] {
        &self.modules
    }

    pub fn module(&self, index: usize) -> Result<&ModuleSymbols> {
        self.modules.get(index).ok_or_else(|| SymbolsError::NoSuchModule {
            what: self.path.display().to_string(),
            index,
            count: self.modules.len(),
        })
    }
}
