//! Everything known about one core module's symbols, behind one type that is
//! `Send + Sync` and parses DWARF lazily: nothing beyond unit headers is read
//! until a question needs it, and each answer's index is built once.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

use super::disassembly::{Disassembly, Instruction};
use super::dwarf_sections::{DebugSource, Dwarf, DwarfReader, load_dwarf};
use super::error::{Result, SymbolsError};
use super::frames::{NameOrigin, SourceFrame, frames_from_dwarf};
use super::function_index::{FunctionIndex, FunctionInfo};
use super::line_index::LineIndex;
use super::names::FunctionName;
use super::type_names::TypeLookup;
use super::types::{Type, read_type};
use super::units::{DieRef, Units};
use super::variables::{FrameVariables, Variable, frame_variables, unit_globals};
use super::wasm_file::CoreModule;
use super::wasm_symbols::LoadOptions;
use crate::address::CodeOffset;

#[derive(Debug)]
pub struct ModuleSymbols {
    module: CoreModule,
    disassembly: OnceLock<Result<Disassembly, String>>,
    source: DebugSource,
    debug: Option<DebugInfo>,
    what: String,
    dwarf_problem: Option<String>,
}

struct DebugInfo {
    dwarf: Arc<Dwarf>,
    // addr2line's context caches with `OnceCell`, so it is not `Sync`; a
    // mutex makes it shareable. Lookups take microseconds, so contention
    // only matters for many threads symbolizing the same module at once.
    frames: Mutex<addr2line::Context<DwarfReader>>,
    lines: OnceLock<Result<LineIndex, String>>,
    units: OnceLock<Result<Units, String>>,
    functions: OnceLock<Result<FunctionIndex, String>>,
    types: Mutex<HashMap<DieRef, Arc<Type>>>,
    /// Row types of multi-dimensional arrays (`int[4]` of an `int[3][4]`),
    /// which DWARF has no DIE for: kept in `types` under synthetic refs.
    subarrays: Mutex<HashMap<SubArray, DieRef>>,
    /// Scopes by pc: conditions and logpoints ask at the same pc many times.
    scopes: Mutex<HashMap<CodeOffset, Arc<Vec<FrameVariables>>>>,
    /// Struct, class and union definitions by qualified name, for types a
    /// unit only declares (built when the first declaration is met).
    definitions: OnceLock<HashMap<String, DieRef>>,
    /// Set while `definitions` is built: naming a template's arguments can
    /// meet a declaration, which must not wait for the index it is in.
    building_definitions: std::sync::atomic::AtomicBool,
}

impl DebugInfo {
    fn new(dwarf: Dwarf, what: &str) -> Result<Self> {
        let dwarf = Arc::new(dwarf);
        let context = addr2line::Context::from_arc_dwarf(dwarf.clone())
            .map_err(|e| SymbolsError::dwarf(what, ".debug_info", e))?;
        Ok(DebugInfo {
            dwarf,
            frames: Mutex::new(context),
            lines: OnceLock::new(),
            units: OnceLock::new(),
            functions: OnceLock::new(),
            types: Mutex::new(HashMap::new()),
            subarrays: Mutex::new(HashMap::new()),
            scopes: Mutex::new(HashMap::new()),
            definitions: OnceLock::new(),
            building_definitions: Default::default(),
        })
    }
}

impl std::fmt::Debug for DebugInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DebugInfo").finish_non_exhaustive()
    }
}

impl ModuleSymbols {
    pub(crate) fn load(module: CoreModule, path: &Path, options: &LoadOptions) -> Result<Self> {
        let what = path.display().to_string();
        let loaded = load_dwarf(&module, path, options.debug_file.as_deref())
            .and_then(|(source, dwarf)| Ok((source, dwarf.map(|dwarf| DebugInfo::new(dwarf, &what)).transpose()?)));
        let (source, debug, dwarf_problem) = match loaded {
            Ok((source, debug)) => (source, debug, None),
            Err(problem) if options.names_if_dwarf_is_bad => (DebugSource::None, None, Some(problem.to_string())),
            Err(problem) => return Err(problem),
        };
        Ok(ModuleSymbols { module, disassembly: OnceLock::new(), source, debug, what, dwarf_problem })
    }

    /// Why the module's DWARF was set aside, when it was loaded with
    /// `LoadOptions::names_if_dwarf_is_bad` and could not be read.
    pub fn dwarf_problem(&self) -> Option<&str> {
        self.dwarf_problem.as_deref()
    }

    pub fn module(&self) -> &CoreModule {
        &self.module
    }

    pub fn debug_source(&self) -> &DebugSource {
        &self.source
    }

    pub fn has_dwarf(&self) -> bool {
        self.debug.is_some()
    }

    /// All line-table rows, decoded on first use. `None` without DWARF.
    pub fn line_index(&self) -> Result<Option<&LineIndex>> {
        let Some(debug) = &self.debug else {
            return Ok(None);
        };
        cached(&debug.lines, || LineIndex::build(&debug.dwarf, &self.what)).map(Some)
    }

    /// Instructions around `offset` as Wasm text, each with its source
    /// position when it begins a new line (disassembly views).
    pub fn disassemble(&self, offset: CodeOffset, before: usize, after: usize) -> Result<Vec<Instruction>> {
        let disassembly = cached(&self.disassembly, || Disassembly::build(&self.module, &self.what))?;
        let mut previous: Option<(Option<String>, u32)> = None;
        let mut out = Vec::new();
        for (at, text) in disassembly.window(offset, before, after) {
            let location = self.frames_at(*at)?.into_iter().next().and_then(|f| f.location);
            let key = location.as_ref().map(|l| (l.file.clone(), l.line));
            let changed = key.is_some() && key != previous;
            previous = key.or(previous);
            out.push(Instruction { offset: *at, text: text.clone(), location: location.filter(|_| changed) });
        }
        Ok(out)
    }

    /// All compilation units, parsed on first use. `None` without DWARF.
    pub fn units(&self) -> Result<Option<&Units>> {
        let Some(debug) = &self.debug else {
            return Ok(None);
        };
        cached(&debug.units, || Units::parse(&debug.dwarf, &self.what)).map(Some)
    }

    /// Every function with code, bodies and inlined copies.
    pub fn function_index(&self) -> Result<Option<&FunctionIndex>> {
        let Some(debug) = &self.debug else {
            return Ok(None);
        };
        let (Some(units), Some(lines)) = (self.units()?, self.line_index()?) else {
            return Ok(None);
        };
        cached(&debug.functions, || {
            FunctionIndex::build(&debug.dwarf, units, &self.module, lines)
                .map_err(|e| SymbolsError::dwarf(&self.what, ".debug_info", e))
        })
        .map(Some)
    }

    /// The functions a name designates (see [`FunctionInfo::matches`]).
    pub fn find_functions(&self, query: &str) -> Result<Vec<&FunctionInfo>> {
        Ok(self.function_index()?.map(|index| index.find(query)).unwrap_or_default())
    }

    /// Parameters and locals in scope at `offset`, one entry per frame of
    /// the inlined chain, innermost first (as [`Self::frames_at`]).
    pub fn variables_at(&self, offset: CodeOffset) -> Result<Arc<Vec<FrameVariables>>> {
        let (Some(debug), Some(units), Some(functions)) = (&self.debug, self.units()?, self.function_index()?) else {
            return Ok(Arc::default());
        };
        if let Some(cached) = debug.scopes.lock().unwrap_or_else(|p| p.into_inner()).get(&offset) {
            return Ok(cached.clone());
        }
        let Some(body) = functions.body_at(offset) else {
            return Ok(Arc::default());
        };
        let scopes = Arc::new(
            frame_variables(&debug.dwarf, units, body.die, offset)
                .map_err(|e| SymbolsError::dwarf(&self.what, ".debug_info", e))?,
        );
        debug.scopes.lock().unwrap_or_else(|p| p.into_inner()).insert(offset, scopes.clone());
        Ok(scopes)
    }

    /// Globals and file-level statics of the unit whose code holds `offset`.
    pub fn globals_at(&self, offset: CodeOffset) -> Result<Vec<Variable>> {
        let (Some(debug), Some(units), Some(functions)) = (&self.debug, self.units()?, self.function_index()?) else {
            return Ok(Vec::new());
        };
        let Some(body) = functions.body_at(offset) else {
            return Ok(Vec::new());
        };
        unit_globals(&debug.dwarf, units, body.die.unit).map_err(|e| SymbolsError::dwarf(&self.what, ".debug_info", e))
    }

    /// Globals of every unit, for looking a global up by name.
    pub fn all_globals(&self) -> Result<Vec<Variable>> {
        let (Some(debug), Some(units)) = (&self.debug, self.units()?) else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for (index, _) in units.iter() {
            out.extend(
                unit_globals(&debug.dwarf, units, index)
                    .map_err(|e| SymbolsError::dwarf(&self.what, ".debug_info", e))?,
            );
        }
        Ok(out)
    }

    /// The type at `at`, read once and cached.
    pub fn type_info(&self, at: DieRef) -> Result<Arc<Type>> {
        let (Some(debug), Some(units)) = (&self.debug, self.units()?) else {
            return Err(SymbolsError::Cached(format!("{} has no DWARF types", self.what)));
        };
        if let Some(t) = debug.types.lock().unwrap_or_else(|p| p.into_inner()).get(&at) {
            return Ok(t.clone());
        }
        if at.unit >= units.len() {
            return Err(SymbolsError::Cached(format!("no unit {} in {}", at.unit, self.what)));
        }
        let mut t = Arc::new(
            read_type(&debug.dwarf, units, at).map_err(|e| SymbolsError::dwarf(&self.what, ".debug_info", e))?,
        );
        let one_definition_rule = matches!(
            super::function_index::unit_language(units.unit(at.unit)),
            Some(super::names::Language::C | super::names::Language::Cpp)
        );
        if let Type::Composite { declaration: true, .. } = &*t
            && one_definition_rule
        {
            if debug.building_definitions.load(std::sync::atomic::Ordering::Relaxed) {
                return Ok(t);
            }
            // A unit that only declares a class (geometry.cpp naming
            // main.cpp's Point): its definition lives in another unit. C
            // and C++ give one definition to a qualified name; Rust's
            // names (closures, impls) do not identify a type.
            // Naming it looks the declaration up: it is cached as it is
            // meanwhile.
            debug.types.lock().unwrap_or_else(|p| p.into_inner()).insert(at, t.clone());
            let name = super::type_names::type_name(self, Some(at));
            if let Some(&definition) = self.definitions(debug, units).get(&name)
                && let Ok(defined) = self.type_info(definition)
            {
                t = defined;
            }
        }
        debug.types.lock().unwrap_or_else(|p| p.into_inner()).insert(at, t.clone());
        Ok(t)
    }

    /// Every struct, class and union definition with a size, by qualified
    /// name (the first one of each name).
    fn definitions<'a>(&self, debug: &'a DebugInfo, units: &Units) -> &'a HashMap<String, DieRef> {
        debug.definitions.get_or_init(|| {
            debug.building_definitions.store(true, std::sync::atomic::Ordering::Relaxed);
            let mut found = HashMap::new();
            for (unit_index, unit) in units.iter() {
                let mut entries = unit.entries();
                while let Ok(Some(die)) = entries.next_dfs() {
                    let composite = matches!(
                        die.tag(),
                        gimli::DW_TAG_structure_type | gimli::DW_TAG_class_type | gimli::DW_TAG_union_type
                    );
                    if !composite
                        || die.attr_value(gimli::DW_AT_declaration).is_some()
                        || die.attr_value(gimli::DW_AT_byte_size).is_none()
                        || die.attr_value(gimli::DW_AT_name).is_none()
                    {
                        continue;
                    }
                    let at = DieRef { unit: unit_index, offset: die.offset().0 };
                    found.entry(super::type_names::type_name(self, Some(at))).or_insert(at);
                }
            }
            debug.building_definitions.store(false, std::sync::atomic::Ordering::Relaxed);
            found
        })
    }

    /// The call chain at `offset`, innermost (most inlined) frame first.
    /// Without DWARF for the offset, one frame named from the name section
    /// or `wasm-function[N]`; outside every function, an empty list.
    pub fn frames_at(&self, offset: CodeOffset) -> Result<Vec<SourceFrame>> {
        if let Some(debug) = &self.debug {
            // The line index is needed for line-0 columns anyway, and
            // building it first turns a corrupt .debug_line into an error
            // rather than silently missing lines.
            self.line_index()?;
            let context = debug.frames.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            let mut frames =
                frames_from_dwarf(&context, offset.0).map_err(|e| SymbolsError::dwarf(&self.what, ".debug_info", e))?;
            drop(context);
            self.fill_line_zero_column(offset, &mut frames)?;
            if !frames.is_empty() {
                // A unit with line tables but no function entries still
                // places the code; only the name comes from elsewhere.
                if let Some(fallback) = self.fallback_frame(offset) {
                    for frame in frames.iter_mut().filter(|f| f.function.is_none()) {
                        frame.function = fallback.function.clone();
                        frame.name_origin = fallback.name_origin;
                    }
                }
                return Ok(frames);
            }
        }
        Ok(self.fallback_frame(offset).into_iter().collect())
    }

    /// addr2line drops the column of a line-0 row ("no line"), but the row
    /// still has one and LLVM prints it; take it from the line table.
    fn fill_line_zero_column(&self, offset: CodeOffset, frames: &mut [SourceFrame]) -> Result<()> {
        let Some(location) = frames.first_mut().and_then(|f| f.location.as_mut()) else {
            return Ok(());
        };
        if location.line != 0 {
            return Ok(());
        }
        if let Some(index) = self.line_index()?
            && let Some(row) = index.row_at(offset, location.file.as_deref())
        {
            location.column = row.column;
        }
        Ok(())
    }

    fn fallback_frame(&self, offset: CodeOffset) -> Option<SourceFrame> {
        let body = self.module.function_at(offset)?;
        let (name, origin) = match self.module.function_names.get(&body.index) {
            Some(name) => (name.clone(), NameOrigin::NameSection),
            None => (format!("wasm-function[{}]", body.index), NameOrigin::Synthetic),
        };
        Some(SourceFrame {
            function: Some(FunctionName::new(name, None)),
            name_origin: origin,
            location: None,
            inlined: false,
        })
    }
}

impl TypeLookup for ModuleSymbols {
    fn lookup(&self, at: DieRef) -> Option<Arc<Type>> {
        self.type_info(at).ok()
    }

    fn sub_array(&self, element: Option<DieRef>, counts: &[Option<u64>]) -> Option<DieRef> {
        let debug = self.debug.as_ref()?;
        let key = (element, counts.to_vec());
        let mut subarrays = debug.subarrays.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(found) = subarrays.get(&key) {
            return Some(*found);
        }
        let synthetic = DieRef { unit: SYNTHETIC_UNIT, offset: subarrays.len() };
        let row = Arc::new(Type::Array { element, counts: counts.to_vec() });
        debug.types.lock().unwrap_or_else(|p| p.into_inner()).insert(synthetic, row);
        subarrays.insert(key, synthetic);
        Some(synthetic)
    }
}

/// A row type: the element and the remaining dimensions.
type SubArray = (Option<DieRef>, Vec<Option<u64>>);

/// The unit index of synthetic type refs: no real unit has it.
const SYNTHETIC_UNIT: usize = usize::MAX;

/// Builds a cached index once; an error is kept and reported to every caller.
fn cached<T>(cell: &OnceLock<Result<T, String>>, build: impl FnOnce() -> Result<T>) -> Result<&T> {
    match cell.get_or_init(|| build().map_err(|e| e.to_string())) {
        Ok(value) => Ok(value),
        Err(message) => Err(SymbolsError::Cached(message.clone())),
    }
}
