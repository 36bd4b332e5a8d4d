//! The breakpoints a client asked for, bound to code: by source line
//! (verified, moved to the next line with code, or pending until code for it
//! loads), by function name, by instruction; each with an optional condition,
//! hit condition and log message.

use crate::address::{CodeOffset, ModuleOffset};
use crate::symbols::{PathMapping, WasmSymbols, bind_line};

/// When a breakpoint's hit count lets it stop: `N`, `>= N`, `% N`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HitCondition {
    Equal(u64),
    AtLeast(u64),
    Multiple(u64),
}

impl HitCondition {
    /// Parses the forms IDEs send; `None` for text that is none of them.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        let number = |s: &str| s.trim().parse::<u64>().ok();
        if let Some(rest) = text.strip_prefix(">=") {
            return number(rest).map(HitCondition::AtLeast);
        }
        if let Some(rest) = text.strip_prefix('%') {
            return number(rest).filter(|n| *n > 0).map(HitCondition::Multiple);
        }
        number(text.strip_prefix("==").unwrap_or(text)).map(HitCondition::Equal)
    }

    pub fn allows(self, hits: u64) -> bool {
        match self {
            HitCondition::Equal(n) => hits == n,
            HitCondition::AtLeast(n) => hits >= n,
            HitCondition::Multiple(n) => hits.is_multiple_of(n),
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BreakpointOptions {
    pub condition: Option<String>,
    pub hit_condition: Option<HitCondition>,
    /// A logpoint: print this (with `{expression}`s interpolated) instead
    /// of stopping.
    pub log_message: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    Line { file: String, line: u32 },
    Function { name: String },
    Instruction { offset: CodeOffset },
}

/// Whether a breakpoint is bound to code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Binding {
    /// Bound at these offsets; `line` is where it really is (moved when it
    /// differs from the line asked for).
    Verified { line: Option<u32>, offsets: Vec<CodeOffset> },
    /// Not bound yet: the program is not loaded.
    Pending { reason: String },
    /// Not bound in the loaded program (no such code, file or function),
    /// with the reason to show the user; a rebuilt program may bind it.
    Failed { reason: String },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Breakpoint {
    pub id: u32,
    pub location: Location,
    pub options: BreakpointOptions,
    pub binding: Binding,
    pub hits: u64,
}

#[derive(Debug, Default)]
pub struct BreakpointTable {
    breakpoints: Vec<Breakpoint>,
    next_id: u32,
    mappings: Vec<PathMapping>,
}

impl BreakpointTable {
    pub fn new(mappings: Vec<PathMapping>) -> Self {
        BreakpointTable { breakpoints: Vec::new(), next_id: 0, mappings }
    }

    pub fn all(&self) -> &[Breakpoint] {
        &self.breakpoints
    }

    /// Replaces the line breakpoints of `file` (a client always sends all of
    /// a file's breakpoints at once); binds them if `symbols` is loaded.
    pub fn set_line_breakpoints(
        &mut self,
        symbols: Option<&WasmSymbols>,
        file: &str,
        lines: &[(u32, BreakpointOptions)],
    ) -> Vec<Breakpoint> {
        self.breakpoints.retain(|b| !matches!(&b.location, Location::Line { file: f, .. } if f == file));
        self.add(
            symbols,
            lines
                .iter()
                .map(|(line, options)| (Location::Line { file: file.to_owned(), line: *line }, options.clone())),
        )
    }

    /// Replaces all function breakpoints.
    pub fn set_function_breakpoints(
        &mut self,
        symbols: Option<&WasmSymbols>,
        names: &[(String, BreakpointOptions)],
    ) -> Vec<Breakpoint> {
        self.breakpoints.retain(|b| !matches!(b.location, Location::Function { .. }));
        self.add(
            symbols,
            names.iter().map(|(name, options)| (Location::Function { name: name.clone() }, options.clone())),
        )
    }

    /// Replaces all instruction breakpoints.
    pub fn set_instruction_breakpoints(
        &mut self,
        symbols: Option<&WasmSymbols>,
        offsets: &[(CodeOffset, BreakpointOptions)],
    ) -> Vec<Breakpoint> {
        self.breakpoints.retain(|b| !matches!(b.location, Location::Instruction { .. }));
        self.add(
            symbols,
            offsets.iter().map(|(offset, options)| (Location::Instruction { offset: *offset }, options.clone())),
        )
    }

    fn add(
        &mut self,
        symbols: Option<&WasmSymbols>,
        new: impl Iterator<Item = (Location, BreakpointOptions)>,
    ) -> Vec<Breakpoint> {
        let mut added = Vec::new();
        for (location, options) in new {
            // Ids start at 1: DAP clients treat 0 as "no id".
            self.next_id += 1;
            let id = self.next_id;
            let binding = match symbols {
                Some(symbols) => bind(symbols, &location, &self.mappings),
                None => Binding::Pending { reason: "the program is not loaded yet".into() },
            };
            let breakpoint = Breakpoint { id, location, options, binding, hits: 0 };
            added.push(breakpoint.clone());
            self.breakpoints.push(breakpoint);
        }
        added
    }

    /// Binds every pending breakpoint against newly loaded symbols; returns
    /// the ones whose binding changed.
    pub fn bind_pending(&mut self, symbols: &WasmSymbols) -> Vec<Breakpoint> {
        let mut changed = Vec::new();
        for breakpoint in &mut self.breakpoints {
            if let Binding::Pending { .. } = breakpoint.binding {
                let binding = bind(symbols, &breakpoint.location, &self.mappings);
                if binding != breakpoint.binding {
                    breakpoint.binding = binding;
                    changed.push(breakpoint.clone());
                }
            }
        }
        changed
    }

    /// Binds every breakpoint again, against a program loaded anew (a
    /// restart after a rebuild); returns the ones whose binding changed.
    pub fn rebind_all(&mut self, symbols: &WasmSymbols) -> Vec<Breakpoint> {
        let mut changed = Vec::new();
        for breakpoint in &mut self.breakpoints {
            let binding = bind(symbols, &breakpoint.location, &self.mappings);
            if binding != breakpoint.binding {
                breakpoint.binding = binding;
                changed.push(breakpoint.clone());
            }
        }
        changed
    }

    /// Every module offset a breakpoint is bound at (for the target).
    pub fn module_offsets(&self, symbols: &WasmSymbols) -> Vec<ModuleOffset> {
        let Some(code) = symbols.program().ok().and_then(|m| m.module().code) else {
            return Vec::new();
        };
        let mut offsets: Vec<ModuleOffset> = self
            .breakpoints
            .iter()
            .filter_map(|b| match &b.binding {
                Binding::Verified { offsets, .. } => Some(offsets),
                Binding::Pending { .. } | Binding::Failed { .. } => None,
            })
            .flatten()
            .map(|o| code.to_module(*o))
            .collect();
        offsets.sort();
        offsets.dedup();
        offsets
    }

    /// The breakpoints bound at `offset`.
    pub fn at_mut(&mut self, offset: CodeOffset) -> impl Iterator<Item = &mut Breakpoint> {
        self.breakpoints
            .iter_mut()
            .filter(move |b| matches!(&b.binding, Binding::Verified { offsets, .. } if offsets.contains(&offset)))
    }
}

fn bind(symbols: &WasmSymbols, location: &Location, mappings: &[PathMapping]) -> Binding {
    let Ok(module) = symbols.program() else {
        return Binding::Failed { reason: "no module".into() };
    };
    match location {
        Location::Line { file, line } => {
            if !module.has_dwarf() {
                return Binding::Failed { reason: "the module has no DWARF line information".into() };
            }
            match bind_line(module, file, *line, mappings) {
                Ok(Some(binding)) => Binding::Verified { line: Some(binding.line), offsets: binding.offsets },
                Ok(None) => Binding::Failed { reason: format!("no code for {file}:{line} in the loaded module") },
                Err(error) => Binding::Failed { reason: error.to_string() },
            }
        }
        Location::Function { name } => match module.find_functions(name) {
            Ok(found) if !found.is_empty() => {
                let mut offsets: Vec<CodeOffset> = found.iter().map(|f| own_first_statement(module, f)).collect();
                offsets.sort();
                offsets.dedup();
                let line = module.frames_at(offsets[0]).ok().and_then(|f| f.first()?.location.as_ref().map(|l| l.line));
                Binding::Verified { line, offsets }
            }
            Ok(_) => Binding::Failed { reason: format!("no function named `{name}`") },
            Err(error) => Binding::Failed { reason: error.to_string() },
        },
        Location::Instruction { offset } => {
            if module.module().function_at(*offset).is_some() {
                Binding::Verified { line: None, offsets: vec![*offset] }
            } else {
                Binding::Failed { reason: format!("{offset} is not inside a function's code") }
            }
        }
    }
}

/// Where a function breakpoint stops in `function`: its first statement
/// after the prologue that is its own, not that of a function inlined
/// into it (at -O2 the first instruction is often an inlined callee's,
/// and a user who asked for `checksum` should stop in `checksum`).
fn own_first_statement(module: &crate::symbols::ModuleSymbols, function: &crate::symbols::FunctionInfo) -> CodeOffset {
    /// Candidate statements looked at before settling for the prologue's end.
    const LOOK_AHEAD: usize = 64;
    let Ok(Some(lines)) = module.line_index() else {
        return function.after_prologue;
    };
    let mut candidates: Vec<CodeOffset> = lines
        .rows()
        .iter()
        .filter(|row| {
            row.is_stmt && row.line != 0 && row.address >= function.after_prologue && function.contains(row.address)
        })
        .map(|row| row.address)
        .collect();
    candidates.sort_unstable();
    candidates.dedup();
    candidates
        .into_iter()
        .take(LOOK_AHEAD)
        .find(|&at| {
            module
                .frames_at(at)
                .ok()
                .and_then(|frames| frames.into_iter().next())
                .is_some_and(|innermost| innermost.function.as_ref().is_some_and(|name| name.raw == function.name.raw))
        })
        .unwrap_or(function.after_prologue)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hit_conditions_parse_in_the_forms_ides_send() {
        assert_eq!(HitCondition::parse("3"), Some(HitCondition::Equal(3)));
        assert_eq!(HitCondition::parse("== 3"), Some(HitCondition::Equal(3)));
        assert_eq!(HitCondition::parse(">= 2"), Some(HitCondition::AtLeast(2)));
        assert_eq!(HitCondition::parse("% 4"), Some(HitCondition::Multiple(4)));
        assert_eq!(HitCondition::parse("%0"), None);
        assert_eq!(HitCondition::parse("often"), None);
        assert!(HitCondition::Multiple(2).allows(4) && !HitCondition::Multiple(2).allows(3));
        assert!(HitCondition::AtLeast(2).allows(5) && !HitCondition::AtLeast(2).allows(1));
    }
}
