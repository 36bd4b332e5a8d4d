//! Every function with code: out-of-line bodies and inlined copies, their
//! names, entry points and code ranges. Answers "where does `foo` start"
//! (function breakpoints) and "which function holds this offset" (scopes).

use std::ops::Range;

use super::dies::{code_ranges, inherited_attr, inherited_string, linkage_or_name};
use super::dwarf_sections::Dwarf;
use super::line_index::LineIndex;
use super::names::{FunctionName, Language, NameStyle, demangle_without_params};
use super::units::{DieRef, Units};
use super::wasm_file::CoreModule;
use crate::address::CodeOffset;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FunctionInfo {
    pub die: DieRef,
    pub name: FunctionName,
    /// `DW_AT_name` alone: what people type (`area`, not `Shape::area`).
    pub short_name: Option<String>,
    /// Where execution enters: `low_pc`, or the first range.
    pub entry: CodeOffset,
    /// The first row marked `prologue_end` in the entry range, else `entry`:
    /// where a function breakpoint stops, so parameters are in place.
    pub after_prologue: CodeOffset,
    pub ranges: Vec<Range<CodeOffset>>,
    /// An inlined copy (`DW_TAG_inlined_subroutine`) rather than a body.
    pub inlined: bool,
    /// The line the function is declared on (its signature).
    pub decl_line: Option<u32>,
}

impl FunctionInfo {
    pub fn contains(&self, offset: CodeOffset) -> bool {
        self.ranges.iter().any(|r| r.contains(&offset))
    }

    /// Whether a name someone typed designates this function: its plain
    /// name, its qualified name without parameters (`ns::Class::method`,
    /// `crate::module::func`), a `::`-suffix of that, or its full display.
    pub fn matches(&self, query: &str) -> bool {
        if self.short_name.as_deref() == Some(query) || self.name.raw == query {
            return true;
        }
        let qualified = demangle_without_params(&self.name.raw, self.name.language);
        qualified == query
            || qualified.strip_suffix(query).is_some_and(|head| head.ends_with("::"))
            || self.name.display(NameStyle::Pretty) == query
    }
}

#[derive(Debug, Default)]
pub struct FunctionIndex {
    functions: Vec<FunctionInfo>,
}

impl FunctionIndex {
    pub fn build(dwarf: &Dwarf, units: &Units, module: &CoreModule, lines: &LineIndex) -> gimli::Result<Self> {
        let mut functions = Vec::new();
        let mut prologue_ends: Vec<CodeOffset> =
            lines.rows().iter().filter(|r| r.prologue_end && !r.end_sequence).map(|r| r.address).collect();
        prologue_ends.sort_unstable();
        for (unit_index, unit) in units.iter() {
            let language = unit_language(unit);
            let mut entries = unit.entries();
            while let Some(die) = entries.next_dfs()? {
                let inlined = match die.tag() {
                    gimli::DW_TAG_subprogram => false,
                    gimli::DW_TAG_inlined_subroutine => true,
                    _ => continue,
                };
                let at = DieRef { unit: unit_index, offset: die.offset().0 };
                // Code the linker dropped keeps tombstone addresses outside
                // every function body; such copies do not exist.
                let ranges: Vec<Range<CodeOffset>> = code_ranges(dwarf, units, at, die)?
                    .into_iter()
                    .filter(|r| module.function_at(CodeOffset(r.start)).is_some())
                    .map(|r| CodeOffset(r.start)..CodeOffset(r.end))
                    .collect();
                let Some(first) = ranges.iter().map(|r| r.start).min() else {
                    continue;
                };
                let entry = match die.attr_value(gimli::DW_AT_low_pc).and_then(|v| addr(&v)) {
                    Some(low) if module.function_at(CodeOffset(low)).is_some() => CodeOffset(low),
                    _ => die
                        .attr_value(gimli::DW_AT_entry_pc)
                        .and_then(|v| addr(&v))
                        .map(CodeOffset)
                        .filter(|e| ranges.iter().any(|r| r.contains(e)))
                        .unwrap_or(first),
                };
                let raw = linkage_or_name(dwarf, units, at)?.unwrap_or_else(|| "??".to_owned());
                let short_name = inherited_string(dwarf, units, at, gimli::DW_AT_name)?;
                let decl_line = inherited_attr(units, at, gimli::DW_AT_decl_line)?
                    .and_then(|(_, v)| v.udata_value())
                    .and_then(|l| u32::try_from(l).ok());
                let entry_range = ranges.iter().find(|r| r.contains(&entry)).cloned().unwrap_or(entry..entry);
                let after_prologue =
                    if inlined { entry } else { first_within(&prologue_ends, &entry_range).unwrap_or(entry) };
                functions.push(FunctionInfo {
                    die: at,
                    name: FunctionName::new(raw, language),
                    short_name,
                    entry,
                    after_prologue,
                    ranges,
                    inlined,
                    decl_line,
                });
            }
        }
        functions.sort_by_key(|f| (f.entry, f.inlined));
        Ok(FunctionIndex { functions })
    }

    pub fn functions(&self) -> &[FunctionInfo] {
        &self.functions
    }

    /// Every function (bodies and inlined copies) that `query` designates.
    pub fn find(&self, query: &str) -> Vec<&FunctionInfo> {
        self.functions.iter().filter(|f| f.matches(query)).collect()
    }

    /// The innermost function (body or inlined copy) whose code holds
    /// `offset`: the one with the least code around it.
    pub fn innermost_at(&self, offset: CodeOffset) -> Option<&FunctionInfo> {
        self.functions
            .iter()
            .filter(|f| f.contains(offset))
            .min_by_key(|f| f.ranges.iter().map(|r| r.end.0 - r.start.0).sum::<u64>())
    }

    /// The out-of-line function whose code holds `offset`.
    pub fn body_at(&self, offset: CodeOffset) -> Option<&FunctionInfo> {
        self.functions.iter().filter(|f| !f.inlined).find(|f| f.contains(offset))
    }
}

fn addr(value: &gimli::AttributeValue<super::dwarf_sections::DwarfReader>) -> Option<u64> {
    match value {
        gimli::AttributeValue::Addr(a) => Some(*a),
        _ => None,
    }
}

pub(crate) fn unit_language(unit: &super::units::Unit) -> Option<Language> {
    let mut entries = unit.entries();
    let root = entries.next_dfs().ok()??;
    match root.attr_value(gimli::DW_AT_language) {
        Some(gimli::AttributeValue::Language(lang)) => Some(Language::from_dwarf(lang)),
        _ => None,
    }
}

/// The first of the sorted `offsets` inside `range`.
fn first_within(offsets: &[CodeOffset], range: &Range<CodeOffset>) -> Option<CodeOffset> {
    let i = offsets.partition_point(|o| *o < range.start);
    offsets.get(i).copied().filter(|o| *o < range.end)
}
