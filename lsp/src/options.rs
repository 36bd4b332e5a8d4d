//! What the client tells the server at `initialize` (its
//! `initializationOptions`): the programs and profiles to use when the
//! workspace alone does not say, how recorded paths map to local ones, and
//! from what share of samples a line is hot.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Deserialize;
use wasmscope_debugger::symbols::PathMapping;

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Options {
    /// `.wasm` files to use (default: those found in the workspace whose
    /// DWARF names sources in it).
    #[serde(default)]
    pub programs: Vec<PathBuf>,
    /// Profiles to use besides the workspace's `.wasmscope/` directory; the
    /// newest readable one wins.
    #[serde(default)]
    pub profiles: Vec<PathBuf>,
    /// Build path prefix → local path, as the launch configuration's.
    #[serde(default)]
    pub source_map: BTreeMap<String, String>,
    /// Lines with at least this share of samples (0..1) get an inlay hint.
    #[serde(default = "default_threshold")]
    pub heat_threshold: f64,
}

fn default_threshold() -> f64 {
    0.01
}

impl Default for Options {
    fn default() -> Self {
        Options { programs: Vec::new(), profiles: Vec::new(), source_map: BTreeMap::new(), heat_threshold: 0.01 }
    }
}

impl Options {
    /// Reads the options; `null` or absent means the defaults.
    pub fn parse(value: Option<serde_json::Value>) -> Result<Self, String> {
        let options = match value {
            None | Some(serde_json::Value::Null) => Options::default(),
            Some(value) => serde_json::from_value(value).map_err(|e| format!("invalid initializationOptions: {e}"))?,
        };
        if !(0.0..=1.0).contains(&options.heat_threshold) {
            return Err(format!("heatThreshold must be between 0 and 1, not {}", options.heat_threshold));
        }
        Ok(options)
    }

    pub fn mappings(&self) -> Vec<PathMapping> {
        self.source_map.iter().map(|(from, to)| PathMapping { from: from.clone(), to: to.clone() }).collect()
    }
}
