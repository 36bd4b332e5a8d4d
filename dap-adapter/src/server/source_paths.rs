//! Where the client finds a source the DWARF names. The launch's
//! `sourceMap` first; then the roots the client's own paths imply for the
//! files it set breakpoints in: a program built elsewhere and debugged
//! without a `sourceMap` binds its breakpoints by the paths' tails, and its
//! stack must open the client's files too, not the build machine's paths.

use wasmscope_debugger::session::breakpoints::Location;
use wasmscope_debugger::symbols::{PathMapping, best_matches, implied_mapping, map_path};

use super::Session;

impl Session {
    /// The launch's `sourceMap`, then the mappings implied by breakpoints.
    pub(crate) fn source_mappings(&self) -> Vec<PathMapping> {
        let mut mappings = self.launch.as_ref().map(|l| l.source_map.clone()).unwrap_or_default();
        let implied = self.implied_mappings(&mappings);
        mappings.extend(implied);
        mappings
    }

    fn implied_mappings(&self, explicit: &[PathMapping]) -> Vec<PathMapping> {
        let Some(symbols) = &self.symbols else { return Vec::new() };
        let Ok(module) = symbols.program() else { return Vec::new() };
        let Ok(Some(lines)) = module.line_index() else { return Vec::new() };
        let mut client_files: Vec<String> = {
            let table = self.breakpoints.lock().unwrap_or_else(|p| p.into_inner());
            table
                .all()
                .iter()
                .filter_map(|b| match &b.location {
                    Location::Line { file, .. } => Some(file.clone()),
                    _ => None,
                })
                .collect()
        };
        client_files.sort();
        client_files.dedup();
        let mut implied: Vec<PathMapping> = Vec::new();
        for client in client_files {
            // One recorded file per client file: an ambiguous name (two
            // `main.c`) implies nothing.
            let [index] = best_matches(&client, lines.files(), explicit)[..] else { continue };
            let recorded = &lines.files()[index];
            if map_path(recorded, explicit) == client {
                continue;
            }
            if let Some(mapping) = implied_mapping(recorded, &client)
                && !implied.contains(&mapping)
            {
                implied.push(mapping);
            }
        }
        implied
    }
}
