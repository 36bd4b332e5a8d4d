//! Errors of the symbols layer. Each message names the problem in one line,
//! so the command line can print it as is.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum SymbolsError {
    /// `cause` is part of the message, not an error source, so that
    /// printing the chain does not say it twice.
    #[error("cannot read {path}: {cause}")]
    Io { path: PathBuf, cause: std::io::Error },
    #[error("{path} is {kind}, not a regular file")]
    NotAFile { path: PathBuf, kind: &'static str },
    #[error("{path} is too large to read ({size} bytes)")]
    TooLarge { path: PathBuf, size: u64 },
    #[error("{what} is empty: expected a WebAssembly module or component")]
    Empty { what: String },
    #[error("{what} is not WebAssembly (no \\0asm magic at its start)")]
    NotWasm { what: String },
    #[error("{what} is malformed at byte {offset:#x}: {message}")]
    Malformed { what: String, offset: usize, message: String },
    #[error("{what} has no DWARF (no .debug_info section) to read debug info from")]
    NoDwarf { what: String },
    #[error("corrupt DWARF in {section} of {what}: {message}")]
    Dwarf { what: String, section: &'static str, message: String },
    /// An error met while building a cached index, reported again to each
    /// later caller.
    #[error("{0}")]
    Cached(String),
    #[error("no module {index} in {what} (it has {count})")]
    NoSuchModule { what: String, index: usize, count: usize },
}

impl SymbolsError {
    pub(crate) fn malformed(what: &str, err: &wasmparser::BinaryReaderError) -> Self {
        SymbolsError::Malformed { what: what.to_owned(), offset: err.offset(), message: err.message().to_owned() }
    }

    pub(crate) fn dwarf(what: &str, section: &'static str, err: impl std::fmt::Display) -> Self {
        SymbolsError::Dwarf { what: what.to_owned(), section, message: err.to_string() }
    }
}

pub type Result<T, E = SymbolsError> = std::result::Result<T, E>;
