//! What a program's DWARF says about a source file: the functions defined
//! in it (name, linkage name, size, inlined copies, declaration line) and,
//! for a line, where its code is, what it is inlined into, and where a
//! breakpoint on it binds. Answers the same as `wasmscope lines` and
//! `wasmscope symbolize`, from the same layer.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use wasmscope_debugger::symbols::{
    LineBinding, LoadOptions, ModuleSymbols, NameStyle, PathMapping, WasmSymbols, best_matches, bind_line, map_path,
};

/// A function body defined in a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FunctionFact {
    /// As profiles name it (the pretty demangled name).
    pub name: String,
    pub linkage_name: String,
    /// 1-based.
    pub decl_line: u32,
    /// Bytes of code in the body.
    pub size: u64,
    /// Copies of it inlined into other functions.
    pub inlined_copies: usize,
}

/// A line's code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineFact {
    pub binding: LineBinding,
    /// Functions the line's code is inlined into (outermost bodies), when
    /// the line belongs to an inlined function.
    pub inlined_into: Vec<String>,
}

#[derive(Debug)]
pub struct ProgramFacts {
    pub path: PathBuf,
    pub modified: Option<SystemTime>,
    symbols: WasmSymbols,
}

impl ProgramFacts {
    pub fn load(path: &Path) -> Result<Self, String> {
        let symbols = WasmSymbols::load(path, &LoadOptions::default()).map_err(|e| e.to_string())?;
        let modified = std::fs::metadata(path).and_then(|m| m.modified()).ok();
        Ok(ProgramFacts { path: path.to_owned(), modified, symbols })
    }

    fn module(&self) -> Option<&ModuleSymbols> {
        self.symbols.program().ok().filter(|m| m.has_dwarf())
    }

    /// Every source path the line tables record, mapped.
    pub fn recorded_files(&self, mappings: &[PathMapping]) -> Vec<String> {
        let Some(index) = self.module().and_then(|m| m.line_index().ok().flatten()) else { return Vec::new() };
        index.files().iter().map(|f| map_path(f, mappings)).collect()
    }

    /// Whether `document` is one of the program's sources.
    pub fn has_source(&self, document: &Path, mappings: &[PathMapping]) -> bool {
        self.matching_files(document, mappings).is_some_and(|m| !m.is_empty())
    }

    /// Indices of the recorded files `document` is, by the longest shared
    /// tail (at least the file name).
    fn matching_files(&self, document: &Path, mappings: &[PathMapping]) -> Option<Vec<usize>> {
        let index = self.module()?.line_index().ok()??;
        let wanted = document.to_string_lossy();
        Some(best_matches(&wanted, index.files(), mappings))
    }

    /// The functions defined in `document`, by declaration line: those
    /// with a body and those only inlined (a `static inline` helper).
    pub fn functions_in(&self, document: &Path, mappings: &[PathMapping]) -> Vec<FunctionFact> {
        let Some(module) = self.module() else { return Vec::new() };
        let (Ok(Some(index)), Ok(Some(functions))) = (module.line_index(), module.function_index()) else {
            return Vec::new();
        };
        let Some(files) = self.matching_files(document, mappings) else { return Vec::new() };
        let mut by_name: std::collections::BTreeMap<&str, FunctionFact> = std::collections::BTreeMap::new();
        for function in functions.functions() {
            let Some(row) = index.row_at(function.entry, None) else { continue };
            if !files.contains(&(row.file.0 as usize)) {
                continue;
            }
            let fact = by_name.entry(function.name.raw.as_str()).or_insert_with(|| FunctionFact {
                name: function.name.display(NameStyle::Pretty),
                linkage_name: function.name.raw.clone(),
                decl_line: function.decl_line.unwrap_or(row.line),
                size: 0,
                inlined_copies: 0,
            });
            if function.inlined {
                fact.inlined_copies += 1;
            } else {
                fact.size += function.ranges.iter().map(|r| r.end.0 - r.start.0).sum::<u64>();
            }
        }
        let mut out: Vec<FunctionFact> = by_name.into_values().collect();
        out.sort_by_key(|f| f.decl_line);
        out
    }

    /// Where the code of `line` (1-based) of `document` is.
    pub fn line(&self, document: &Path, line: u32, mappings: &[PathMapping]) -> Option<LineFact> {
        let module = self.module()?;
        let binding = bind_line(module, &document.to_string_lossy(), line, mappings).ok()??;
        let mut inlined_into: Vec<String> = Vec::new();
        for offset in &binding.offsets {
            let Ok(frames) = module.frames_at(*offset) else { continue };
            if frames.first().is_some_and(|f| f.inlined)
                && let Some(outer) = frames.last().and_then(|f| f.function.as_ref())
            {
                let name = outer.display(NameStyle::Pretty);
                if !inlined_into.contains(&name) {
                    inlined_into.push(name);
                }
            }
        }
        Some(LineFact { binding, inlined_into })
    }
}
