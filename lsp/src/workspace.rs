//! The workspace as the server knows it: its programs (with DWARF naming
//! its sources) and its latest profile, reloaded when their files change,
//! and the facts an editor asks for about a document.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use wasmscope_debugger::symbols::{PathMapping, best_matches};

use crate::heat::{Heat, Samples};
use crate::options::Options;
use crate::program_facts::{FunctionFact, LineFact, ProgramFacts};

/// Where `wasmscope profile` and the IDE put a workspace's profiles.
pub const PROFILE_DIR: &str = ".wasmscope";
/// A workspace scan looks this deep and at this many `.wasm` files at most.
const SCAN_DEPTH: usize = 6;
const SCAN_FILES: usize = 64;

#[derive(Debug)]
pub struct LoadedProfile {
    pub path: PathBuf,
    pub heat: Heat,
}

#[derive(Debug, Default)]
pub struct Workspace {
    root: Option<PathBuf>,
    options: Options,
    mappings: Vec<PathMapping>,
    programs: Vec<ProgramFacts>,
    profile: Option<LoadedProfile>,
    /// The `.wasm` files the last load considered (given, or found by its
    /// scan): the watch looks at these, not at the whole tree again.
    program_files: Vec<PathBuf>,
    /// What the inputs looked like at the last load: (path, modified).
    seen: Vec<(PathBuf, Option<SystemTime>)>,
}

/// A code lens: a line (1-based) and its title.
#[derive(Clone, Debug, PartialEq)]
pub struct Lens {
    pub line: u32,
    pub title: String,
}

impl Workspace {
    pub fn new(root: Option<PathBuf>, options: Options) -> Self {
        let mappings = options.mappings();
        Workspace { root, options, mappings, ..Workspace::default() }
    }

    pub fn program_count(&self) -> usize {
        self.programs.len()
    }

    pub fn profile(&self) -> Option<&LoadedProfile> {
        self.profile.as_ref()
    }

    /// (Re)reads programs and the latest profile; returns what could not be
    /// read, for the user.
    pub fn load(&mut self) -> Vec<String> {
        let mut problems = Vec::new();
        self.programs.clear();
        self.program_files = self.program_paths();
        for path in self.program_files.clone() {
            match ProgramFacts::load(&path) {
                Ok(facts) => self.programs.push(facts),
                Err(error) if !self.options.programs.is_empty() => problems.push(error),
                Err(_) => {}
            }
        }
        if self.options.programs.is_empty() {
            // Found by scanning: only programs whose sources are here.
            let root = self.root.clone();
            let mappings = self.mappings.clone();
            self.programs.retain(|p| {
                p.recorded_files(&mappings).iter().any(|f| root.as_deref().is_some_and(|r| Path::new(f).starts_with(r)))
            });
        }
        self.profile = None;
        let mut candidates = self.profile_candidates();
        candidates.sort_by_key(|(_, modified)| std::cmp::Reverse(*modified));
        for (path, _) in candidates {
            match read_heat(&path) {
                Ok(heat) => {
                    self.profile = Some(LoadedProfile { path, heat });
                    break;
                }
                Err(error) => problems.push(error),
            }
        }
        self.seen = self.inputs();
        problems
    }

    /// Whether a program or profile changed since the last load (checked
    /// every second: a file's time each, and `.wasmscope/`'s listing; a
    /// program new to the workspace is found at the next load).
    pub fn changed(&self) -> bool {
        self.inputs() != self.seen
    }

    fn inputs(&self) -> Vec<(PathBuf, Option<SystemTime>)> {
        let mut inputs: Vec<(PathBuf, Option<SystemTime>)> =
            self.program_files.iter().map(|p| (p.clone(), modified(p))).collect();
        inputs.extend(self.profile_candidates());
        inputs
    }

    fn program_paths(&self) -> Vec<PathBuf> {
        if !self.options.programs.is_empty() {
            return self.options.programs.clone();
        }
        let mut found = Vec::new();
        if let Some(root) = &self.root {
            scan(root, 0, &mut found);
        }
        found
    }

    fn profile_candidates(&self) -> Vec<(PathBuf, Option<SystemTime>)> {
        let mut paths: Vec<PathBuf> = self.options.profiles.clone();
        if let Some(dir) = self.root.as_ref().map(|r| r.join(PROFILE_DIR))
            && let Ok(entries) = std::fs::read_dir(dir)
        {
            paths.extend(entries.flatten().map(|e| e.path()).filter(|p| is_profile(p)));
        }
        paths.into_iter().filter(|p| p.is_file()).map(|p| (p.clone(), modified(&p))).collect()
    }

    /// The program whose DWARF names `document`.
    pub fn program_for(&self, document: &Path) -> Option<&ProgramFacts> {
        self.programs.iter().find(|p| p.has_source(document, &self.mappings))
    }

    /// The profile's samples per line of `document` (1-based lines).
    pub fn line_heat(&self, document: &Path) -> Vec<(u32, Samples)> {
        let Some(profile) = &self.profile else { return Vec::new() };
        let files = profile.heat.files();
        let mut lines: std::collections::BTreeMap<u32, Samples> = Default::default();
        for i in best_matches(&document.to_string_lossy(), &files, &self.mappings) {
            for (line, samples) in profile.heat.lines_of(&files[i]).into_iter().flatten() {
                let entry = lines.entry(*line).or_default();
                entry.own += samples.own;
                entry.total += samples.total;
            }
        }
        lines.into_iter().collect()
    }

    /// A lens per function body of `document`: its share of samples, or
    /// that the profile has none, and its inlined copies.
    pub fn lenses(&self, document: &Path) -> Vec<Lens> {
        let Some(program) = self.program_for(document) else { return Vec::new() };
        program
            .functions_in(document, &self.mappings)
            .into_iter()
            .map(|f| Lens { line: f.decl_line, title: self.lens_title(&f) })
            .collect()
    }

    fn lens_title(&self, function: &FunctionFact) -> String {
        let copies = match function.inlined_copies {
            0 => String::new(),
            1 => " · inlined in 1 place".to_owned(),
            n => format!(" · inlined in {n} places"),
        };
        let Some(profile) = &self.profile else { return format!("no profile yet{copies}") };
        let heat = &profile.heat;
        match heat.function(&function.name) {
            Some(f) => format!(
                "{} self · {} total · {} samples{copies}",
                percent(heat.share(f.samples.own)),
                percent(heat.share(f.samples.total)),
                f.samples.total
            ),
            None => format!("not in the profile{copies}"),
        }
    }

    /// Hints at the end of `document`'s hot lines: line (1-based) → label.
    pub fn hints(&self, document: &Path) -> Vec<(u32, String)> {
        let Some(profile) = &self.profile else { return Vec::new() };
        let heat = &profile.heat;
        self.line_heat(document)
            .into_iter()
            .filter(|(_, s)| heat.share(s.total) >= self.options.heat_threshold && s.total > 0)
            .map(|(line, s)| {
                let label = if s.own == s.total {
                    format!("{} of samples", percent(heat.share(s.own)))
                } else {
                    format!("{} self · {} total", percent(heat.share(s.own)), percent(heat.share(s.total)))
                };
                (line, label)
            })
            .collect()
    }

    /// Markdown for a hover on `line` (1-based) of `document`.
    pub fn hover(&self, document: &Path, line: u32) -> Option<String> {
        let program = self.program_for(document)?;
        let mut out = String::new();
        if let Some(function) = program.functions_in(document, &self.mappings).into_iter().find(|f| f.decl_line == line)
        {
            out.push_str(&self.function_hover(&function));
        }
        if let Some(fact) = program.line(document, line, &self.mappings) {
            out.push_str(&line_hover(&fact, line));
        }
        (!out.is_empty()).then_some(out)
    }

    fn function_hover(&self, function: &FunctionFact) -> String {
        let mut out = format!(
            "**{}**  \nlinkage name `{}` · {} bytes of code",
            function.name, function.linkage_name, function.size
        );
        if function.inlined_copies > 0 {
            out.push_str(&format!(" · {} inlined copies", function.inlined_copies));
        }
        out.push('\n');
        if let Some(heat) = self.profile.as_ref().map(|p| &p.heat)
            && let Some(f) = heat.function(&function.name)
            && !f.callers.is_empty()
        {
            let mut callers: Vec<(&String, &u64)> = f.callers.iter().collect();
            callers.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            out.push_str("\ncallers in the profile:\n");
            for (caller, samples) in callers.into_iter().take(10) {
                out.push_str(&format!("- `{caller}`: {samples} samples\n"));
            }
        }
        out.push('\n');
        out
    }

    /// Why `document`'s line numbers may be off: its program is older.
    pub fn stale(&self, document: &Path) -> Option<String> {
        let program = self.program_for(document)?;
        let built = program.modified?;
        let edited = modified(document)?;
        (edited > built).then(|| {
            format!(
                "{} is older than this file: its lines, breakpoints and profile may be off until it is rebuilt",
                program
                    .path
                    .file_name()
                    .map_or_else(|| program.path.display().to_string(), |n| n.to_string_lossy().into())
            )
        })
    }
}

fn line_hover(fact: &LineFact, line: u32) -> String {
    let offsets: Vec<String> = fact.binding.offsets.iter().map(|o| format!("0x{:x}", o.0)).collect();
    let mut out = if fact.binding.line == line {
        format!("line {line}: code at {} (a breakpoint binds here)", offsets.join(", "))
    } else {
        format!(
            "line {line} has no code: a breakpoint here moves to line {} ({})",
            fact.binding.line,
            offsets.join(", ")
        )
    };
    if !fact.inlined_into.is_empty() {
        let names: Vec<String> = fact.inlined_into.iter().map(|n| format!("`{n}`")).collect();
        out.push_str(&format!("  \ninlined into {}", names.join(", ")));
    }
    out.push('\n');
    out
}

fn percent(share: f64) -> String {
    format!("{:.1}%", share * 100.0)
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

fn is_profile(path: &Path) -> bool {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    name.ends_with(".pb.gz") || name.ends_with(".pprof") || name.ends_with(".json") || name.ends_with(".folded")
}

fn read_heat(path: &Path) -> Result<Heat, String> {
    let bytes = wasmscope_debugger::symbols::read_input_file(path).map_err(|e| e.to_string())?;
    let profile = wasmscope_profiler::read_profile_back(&bytes)
        .map_err(|e| format!("cannot read the profile {}: {e}", path.display()))?;
    Ok(Heat::from_profile(&profile))
}

/// `.wasm` files under `dir`, skipping dependencies and VCS data.
fn scan(dir: &Path, depth: usize, found: &mut Vec<PathBuf>) {
    if depth > SCAN_DEPTH || found.len() >= SCAN_FILES {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<_> = entries.flatten().collect();
    entries.sort_by_key(std::fs::DirEntry::file_name);
    for entry in entries {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        let Ok(kind) = entry.file_type() else { continue };
        if kind.is_dir() && !name.starts_with('.') && name != "node_modules" {
            scan(&path, depth + 1, found);
        } else if kind.is_file() && name.ends_with(".wasm") && found.len() < SCAN_FILES {
            found.push(path);
        }
    }
}
