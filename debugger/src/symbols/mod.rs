//! The DWARF symbols layer: load a module or component, then ask it questions
//! (code offset → frames, line → offsets, function → entries, …). It does no
//! I/O after loading and knows nothing of a runtime: values it needs from a
//! running guest are requested from the caller.

mod dies;
mod disassembly;
mod dwarf_sections;
mod error;
mod file_match;
mod frames;
mod function_index;
mod input_file;
mod itanium;
mod line_breakpoints;
mod line_index;
mod location_eval;
mod module_symbols;
mod names;
mod printable;
mod type_names;
mod types;
mod units;
pub mod url_paths;
mod values;
mod variables;
mod wasm_file;
mod wasm_symbols;

pub use disassembly::{Disassembly, Instruction};
pub use dwarf_sections::{DebugSource, DwarfReader};
pub use error::{Result, SymbolsError};
pub use file_match::{PathMapping, best_matches, implied_mapping, map_path, mapped_paths};
pub use frames::{NameOrigin, SourceFrame, SourceLocation};
pub use function_index::{FunctionIndex, FunctionInfo};
pub use input_file::read_input_file;
pub use line_breakpoints::{LineBinding, bind_line};
pub use line_index::{FileId, LineIndex, LineRow};
pub use location_eval::{EvalError, EvalStep, LocationEval, Need, Piece, PieceLocation};
pub use module_symbols::ModuleSymbols;
pub use names::{FunctionName, Language, NameStyle, demangle_without_params};
pub use type_names::{TypeLookup, type_name};
pub use types::{BaseEncoding, CompositeKind, Enumerator, Member, Qualifier, Type, Variant, VariantPart};
pub use units::{DieRef, Units};
pub use values::{
    Child, SummaryViews, children, format_float, format_value, format_value_with, quote, read_uint, resolve, size_of,
};
pub use variables::{FrameVariables, UNNAMED, Variable, VariableKind, VariableLocation};
pub use wasm_file::{CoreModule, FunctionBody, parse_wasm_file};
pub use wasm_symbols::{LoadOptions, WasmSymbols};
