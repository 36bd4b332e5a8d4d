//! A spinner on standard error while a program compiles for a run the user
//! watches (`wasmscope profile` on a terminal): a large module takes
//! seconds, and nothing else shows meanwhile.

use std::io::IsTerminal as _;
use std::path::Path;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

/// Runs `compile`, with a spinner naming `program` when `show` and standard
/// error is a terminal.
pub(crate) fn while_compiling<T>(program: &Path, show: bool, compile: impl FnOnce() -> T) -> T {
    if !show || !std::io::stderr().is_terminal() {
        return compile();
    }
    let bar = ProgressBar::new_spinner();
    if let Ok(style) = ProgressStyle::with_template("{spinner} compiling {msg} ({elapsed})") {
        bar.set_style(style);
    }
    let name = program.file_name().unwrap_or(program.as_os_str()).to_string_lossy();
    let size = std::fs::metadata(program).map(|m| m.len() as f64 / 1e6).unwrap_or(0.0);
    bar.set_message(format!("{name}, {size:.1} MB"));
    bar.enable_steady_tick(Duration::from_millis(120));
    let compiled = compile();
    bar.finish_and_clear();
    compiled
}
