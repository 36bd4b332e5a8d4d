//! Output formats and how one is chosen.

use std::path::Path;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputFormat {
    Svg,
    Folded,
    Speedscope,
    Pprof,
    Firefox,
}

impl OutputFormat {
    pub const NAMES: &'static [&'static str] = &["svg", "folded", "speedscope", "pprof", "firefox"];

    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "svg" => Some(OutputFormat::Svg),
            "folded" => Some(OutputFormat::Folded),
            "speedscope" => Some(OutputFormat::Speedscope),
            "pprof" => Some(OutputFormat::Pprof),
            "firefox" => Some(OutputFormat::Firefox),
            _ => None,
        }
    }

    /// The format a file name implies; SVG when it implies none.
    pub fn from_path(path: &Path) -> Self {
        let name = path.file_name().map(|n| n.to_string_lossy().to_lowercase()).unwrap_or_default();
        if name.ends_with(".folded") || name.ends_with(".txt") {
            OutputFormat::Folded
        } else if name.ends_with(".pb.gz") || name.ends_with(".pprof") || name.ends_with(".pb") {
            OutputFormat::Pprof
        } else if name.ends_with(".firefox.json") {
            OutputFormat::Firefox
        } else if name.ends_with(".speedscope.json") || name.ends_with(".json") {
            OutputFormat::Speedscope
        } else {
            OutputFormat::Svg
        }
    }

    pub fn default_file_name(self) -> &'static str {
        match self {
            OutputFormat::Svg => "profile.svg",
            OutputFormat::Folded => "profile.folded",
            OutputFormat::Speedscope => "profile.speedscope.json",
            OutputFormat::Pprof => "profile.pb.gz",
            OutputFormat::Firefox => "profile.firefox.json",
        }
    }
}
