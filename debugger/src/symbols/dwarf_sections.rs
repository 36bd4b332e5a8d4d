//! Where a module's DWARF comes from, and turning it into a `gimli::Dwarf`
//! without copying: every section is a window into the file's shared bytes.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::error::{Result, SymbolsError};
use super::wasm_file::{CoreModule, parse_wasm_file};

/// The reader every DWARF consumer in wasmscope uses: cheap to clone, `Send +
/// Sync`, and sharing the file's bytes.
pub type DwarfReader = gimli::EndianArcSlice<gimli::LittleEndian>;
pub type Dwarf = gimli::Dwarf<DwarfReader>;

/// Where the DWARF of a module was found.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", content = "path", rename_all = "snake_case")]
pub enum DebugSource {
    /// `.debug_*` custom sections of the module itself.
    Embedded,
    /// A separate file: named by `external_debug_info`, given by the user, or
    /// found as `APP.debug.wasm` beside the module.
    SeparateFile(PathBuf),
    /// No DWARF anywhere: names come from the name section or are synthetic.
    None,
}

/// Finds and loads the DWARF for `module`, which was read from `module_path`.
/// `explicit` is a debug file the user named; it wins over everything else.
pub fn load_dwarf(
    module: &CoreModule,
    module_path: &Path,
    explicit: Option<&Path>,
) -> Result<(DebugSource, Option<Dwarf>)> {
    if let Some(path) = explicit {
        return load_separate(path);
    }
    if module.custom_section(".debug_info").is_some() {
        let dwarf = dwarf_from_module(module, &module_path.display().to_string())?;
        return Ok((DebugSource::Embedded, Some(dwarf)));
    }
    let dir = module_path.parent().unwrap_or(Path::new("."));
    if let Some(url) = module.external_debug_info() {
        // Relative names are relative to the module, as browsers resolve them.
        let path = dir.join(url.strip_prefix("file://").unwrap_or(&url));
        return load_separate(&path);
    }
    let beside = module_path.with_extension("debug.wasm");
    if beside.is_file() {
        return load_separate(&beside);
    }
    Ok((DebugSource::None, None))
}

fn load_separate(path: &Path) -> Result<(DebugSource, Option<Dwarf>)> {
    let bytes: Arc<[u8]> = super::input_file::read_input_file(path)?.into();
    let what = path.display().to_string();
    let modules = parse_wasm_file(&bytes, &what)?;
    let first = modules.first().ok_or_else(|| SymbolsError::NoSuchModule { what: what.clone(), index: 0, count: 0 })?;
    if first.custom_section(".debug_info").is_none() {
        return Err(SymbolsError::NoDwarf { what });
    }
    let dwarf = dwarf_from_module(first, &what)?;
    Ok((DebugSource::SeparateFile(path.to_owned()), Some(dwarf)))
}

fn dwarf_from_module(module: &CoreModule, what: &str) -> Result<Dwarf> {
    let file = module.bytes.shared_file();
    let base = module.bytes.file_offset();
    let empty = DwarfReader::new(Arc::from(&[][..]), gimli::LittleEndian);
    let load = |id: gimli::SectionId| -> Result<DwarfReader, SymbolsError> {
        Ok(match module.custom_sections.iter().find(|(name, _)| name == id.name()) {
            Some((_, range)) => {
                DwarfReader::new(file.clone(), gimli::LittleEndian).range(base + range.start..base + range.end)
            }
            None => empty.clone(),
        })
    };
    let dwarf = gimli::Dwarf::load(load)?;
    // A header that does not parse is reported now, with the section name,
    // rather than as a mystery on the first lookup.
    let mut units = dwarf.units();
    loop {
        match units.next() {
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(err) => return Err(SymbolsError::dwarf(what, ".debug_info", err)),
        }
    }
    Ok(dwarf)
}

/// Which section to blame when `gimli::Dwarf::unit` fails for `header`: it
/// reads the unit's root entry from .debug_info, then its line program from
/// .debug_line. When the root entry reads, the line program is at fault.
pub(crate) fn unit_error_section(dwarf: &Dwarf, header: &gimli::UnitHeader<DwarfReader>) -> &'static str {
    let root_reads = dwarf
        .abbreviations(header)
        .ok()
        .is_some_and(|abbreviations| header.entries(&abbreviations).next_dfs().is_ok_and(|root| root.is_some()));
    if root_reads { ".debug_line" } else { ".debug_info" }
}
