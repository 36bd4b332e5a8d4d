//! The DWARF symbols layer: load a module or component, then ask it questions
//! (code offset → frames, line → offsets, function → entries, …). It does no
//! I/O after loading and knows nothing of a runtime: values it needs from a
//! running guest are requested from the caller.

mod dwarf_sections;
mod error;
mod file_match;
mod frames;
mod itanium;
mod line_breakpoints;
mod line_index;
mod location_eval;
mod module_symbols;
mod names;
mod units;
mod wasm_file;
mod wasm_symbols;

pub use dwarf_sections::DebugSource;
pub use error::{Result, SymbolsError};
pub use file_match::PathMapping;
pub use frames::{NameOrigin, SourceFrame, SourceLocation};
pub use line_breakpoints::{LineBinding, bind_line};
pub use line_index::{FileId, LineIndex, LineRow};
pub use location_eval::{EvalError, EvalStep, LocationEval, Need, Piece, PieceLocation};
pub use units::{DieRef, Units};
pub use module_symbols::ModuleSymbols;
pub use names::{FunctionName, Language, NameStyle, demangle_without_params};
pub use wasm_file::{CoreModule, FunctionBody};
pub use wasm_symbols::{LoadOptions, WasmSymbols};
