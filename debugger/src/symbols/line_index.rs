//! Every row of every line table, decoded once into flat arrays: the index
//! behind "which code belongs to FILE:LINE" and the list of source files.

use std::collections::HashMap;

use gimli::Reader as _;

use super::dwarf_sections::{Dwarf, DwarfReader};
use super::error::{Result, SymbolsError};
use crate::address::CodeOffset;

/// Index into [`LineIndex::files`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineRow {
    pub address: CodeOffset,
    pub file: FileId,
    pub line: u32,
    pub column: u32,
    pub is_stmt: bool,
    pub prologue_end: bool,
    /// The first address past a sequence; not itself code of `line`.
    pub end_sequence: bool,
}

#[derive(Debug, Default)]
pub struct LineIndex {
    files: Vec<String>,
    /// Rows in line-program order: each sequence ascending, ending with an
    /// `end_sequence` row.
    rows: Vec<LineRow>,
    /// `(start address, end address, rows)` of every sequence, by start
    /// address; the rows exclude the `end_sequence` row.
    sequences: Vec<(CodeOffset, CodeOffset, std::ops::Range<usize>)>,
    /// DWARF versions seen, for `info`.
    pub versions: Vec<u16>,
}

impl LineIndex {
    pub fn build(dwarf: &Dwarf, what: &str) -> Result<Self> {
        let err = |e: gimli::Error| SymbolsError::dwarf(what, ".debug_line", e);
        let mut index = LineIndex::default();
        let mut file_ids: HashMap<String, FileId> = HashMap::new();
        let mut units = dwarf.units();
        while let Some(header) = units.next().map_err(|e| SymbolsError::dwarf(what, ".debug_info", e))? {
            if !index.versions.contains(&header.version()) {
                index.versions.push(header.version());
            }
            let section = super::dwarf_sections::unit_error_section(dwarf, &header);
            let unit = dwarf.unit(header).map_err(|e| SymbolsError::dwarf(what, section, e))?;
            let Some(program) = unit.line_program.clone() else {
                continue;
            };
            // Paths are rendered once per file entry, not once per row.
            let mut unit_files: HashMap<u64, FileId> = HashMap::new();
            let mut rows = program.rows();
            while let Some((line_header, row)) = rows.next_row().map_err(err)? {
                let file = match unit_files.get(&row.file_index()) {
                    Some(id) => *id,
                    None => {
                        let path = match line_header.file(row.file_index()) {
                            Some(entry) => render_path(dwarf, &unit, line_header, entry).map_err(err)?,
                            None => String::from("??"),
                        };
                        let next = FileId(file_ids.len() as u32);
                        let id = *file_ids.entry(path.clone()).or_insert_with(|| {
                            index.files.push(path);
                            next
                        });
                        unit_files.insert(row.file_index(), id);
                        id
                    }
                };
                index.rows.push(LineRow {
                    address: CodeOffset(row.address()),
                    file,
                    line: row.line().map_or(0, |l| l.get() as u32),
                    column: match row.column() {
                        gimli::ColumnType::LeftEdge => 0,
                        gimli::ColumnType::Column(c) => c.get() as u32,
                    },
                    is_stmt: row.is_stmt(),
                    prologue_end: row.prologue_end(),
                    end_sequence: row.end_sequence(),
                });
            }
        }
        index.index_sequences();
        Ok(index)
    }

    fn index_sequences(&mut self) {
        let mut start = 0;
        for (i, row) in self.rows.iter().enumerate() {
            if row.end_sequence {
                if self.rows[start].address < row.address {
                    self.sequences.push((self.rows[start].address, row.address, start..i));
                }
                start = i + 1;
            }
        }
        self.sequences.sort_unstable_by_key(|(start, end, _)| (*start, *end));
    }

    /// The row that covers `address`: the last row at or before it in a
    /// sequence that contains it. Among overlapping sequences (code the
    /// linker dropped can leave some) one whose row is in `file` wins.
    pub fn row_at(&self, address: CodeOffset, file: Option<&str>) -> Option<&LineRow> {
        let last = self.sequences.partition_point(|(start, _, _)| *start <= address);
        let mut found = None;
        for (_, end, rows) in self.sequences[..last].iter().rev() {
            if address >= *end {
                continue;
            }
            let rows = &self.rows[rows.clone()];
            let n = rows.partition_point(|r| r.address <= address);
            let Some(row) = n.checked_sub(1).map(|i| &rows[i]) else {
                continue;
            };
            if file.is_none_or(|f| self.file(row.file) == f) {
                return Some(row);
            }
            found.get_or_insert(row);
        }
        found
    }

    /// The addresses in `range` where a statement begins (an is_stmt row
    /// with a line), ascending: where a step over a line may end.
    pub fn statement_starts(&self, range: std::ops::Range<CodeOffset>) -> Vec<CodeOffset> {
        let mut starts = Vec::new();
        for (start, end, rows) in &self.sequences {
            if *end <= range.start || *start >= range.end {
                continue;
            }
            let rows = &self.rows[rows.clone()];
            let from = rows.partition_point(|r| r.address < range.start);
            let within = rows[from..].iter().take_while(|r| r.address < range.end);
            starts.extend(within.filter(|r| r.is_stmt && r.line != 0 && !r.end_sequence).map(|r| r.address));
        }
        starts.sort_unstable();
        starts.dedup();
        starts
    }

    pub fn files(&self) -> &[String] {
        &self.files
    }

    pub fn file(&self, id: FileId) -> &str {
        &self.files[id.0 as usize]
    }

    pub fn rows(&self) -> &[LineRow] {
        &self.rows
    }

    /// Rows that start a run of `line` in one of `files`: the places where
    /// execution enters that line. Each is an is_stmt row whose predecessor
    /// in its sequence belongs to another line or file.
    pub fn line_entries(&self, files: &[FileId], line: u32) -> Vec<LineRow> {
        let mut out = Vec::new();
        let mut previous: Option<&LineRow> = None;
        for row in &self.rows {
            let same_as_previous = previous.is_some_and(|p| p.file == row.file && p.line == row.line);
            if !row.end_sequence && row.is_stmt && row.line == line && files.contains(&row.file) && !same_as_previous {
                out.push(*row);
            }
            previous = if row.end_sequence { None } else { Some(row) };
        }
        out
    }

    /// The smallest line ≥ `line` that has code in `files`.
    pub fn next_line_with_code(&self, files: &[FileId], line: u32) -> Option<u32> {
        self.rows
            .iter()
            .filter(|r| !r.end_sequence && r.is_stmt && r.line >= line && files.contains(&r.file))
            .map(|r| r.line)
            .min()
    }
}

/// A file entry's full path as LLVM renders it: absolute names as written,
/// relative ones joined to their directory, and that to the compilation
/// directory when it is relative too.
pub(crate) fn render_path(
    dwarf: &Dwarf,
    unit: &gimli::Unit<DwarfReader>,
    header: &gimli::LineProgramHeader<DwarfReader>,
    entry: &gimli::FileEntry<DwarfReader>,
) -> gimli::Result<String> {
    let name = attr_text(dwarf, unit, entry.path_name())?;
    if is_absolute(&name) {
        return Ok(name);
    }
    let mut path = String::new();
    if let Some(dir) = entry.directory(header) {
        let dir = attr_text(dwarf, unit, dir)?;
        if !is_absolute(&dir)
            && let Some(comp_dir) = &unit.comp_dir
        {
            path.push_str(&super::printable::printable(&comp_dir.to_string_lossy()?));
        }
        push_component(&mut path, &dir);
    }
    push_component(&mut path, &name);
    Ok(path)
}

fn attr_text(
    dwarf: &Dwarf,
    unit: &gimli::Unit<DwarfReader>,
    value: gimli::AttributeValue<DwarfReader>,
) -> gimli::Result<String> {
    Ok(super::printable::printable(&dwarf.attr_string(unit, value)?.to_string_lossy()?).into_owned())
}

fn is_absolute(path: &str) -> bool {
    super::url_paths::scheme_length(path).is_some()
        || path.starts_with('/')
        || path.as_bytes().get(1..3) == Some(b":\\")
        || path.starts_with('\\')
}

fn push_component(path: &mut String, component: &str) {
    if component.is_empty() {
        return;
    }
    if is_absolute(component) {
        path.clear();
    } else if !path.is_empty() && !path.ends_with('/') {
        path.push('/');
    }
    path.push_str(component);
}
