//! `wasmscope info APP.wasm`: what is inside, and what debug info it carries.

use std::io::Write;

use clap::Args;
use wasmscope_debugger::symbols::{DebugSource, ModuleSymbols, NameStyle, WasmSymbols};

use super::ModuleArgs;

#[derive(Debug, Args)]
pub struct InfoArgs {
    #[command(flatten)]
    module: ModuleArgs,
    /// Also list every function with its code range.
    #[arg(long)]
    functions: bool,
}

pub fn run(args: &InfoArgs) -> anyhow::Result<()> {
    let symbols = args.module.load()?;
    let mut out = std::io::stdout().lock();
    let kind = if symbols.is_component() { "component" } else { "core module" };
    writeln!(out, "{}: {kind}, {} core module(s)", symbols.path().display(), symbols.modules().len())?;
    for (i, module) in symbols.modules().iter().enumerate() {
        describe(&symbols, i, module, args.functions, &mut out)?;
    }
    Ok(())
}

fn describe(
    symbols: &WasmSymbols,
    index: usize,
    symbols_of_module: &ModuleSymbols,
    list_functions: bool,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let module = symbols_of_module.module();
    let name = module.name.as_deref().unwrap_or("(unnamed)");
    writeln!(out, "\nmodule {index}: {name}, {} bytes", module.bytes.as_slice().len())?;
    if symbols.is_component() {
        writeln!(out, "  at file offset {:#x}", module.bytes.file_offset())?;
    }
    match module.code {
        Some(code) => writeln!(
            out,
            "  code section: module offsets {}..{:#x}",
            code.contents_start,
            code.contents_start.0 + code.len
        )?,
        None => writeln!(out, "  code section: none")?,
    }
    writeln!(
        out,
        "  functions: {} defined, {} imported, {} named in the name section",
        module.functions.len(),
        module.imported_functions,
        module.function_names.len()
    )?;
    match symbols_of_module.debug_source() {
        DebugSource::Embedded => writeln!(out, "  DWARF: in the module's custom sections")?,
        DebugSource::SeparateFile(path) => writeln!(out, "  DWARF: from {}", path.display())?,
        DebugSource::None => writeln!(
            out,
            "  DWARF: none; names come from the name section, else wasm-function[N] (rebuild with -g for source mapping)"
        )?,
    }
    let sections: Vec<_> = module.custom_sections.iter().filter(|(n, _)| n.starts_with(".debug_")).collect();
    for (section, range) in &sections {
        writeln!(out, "    {section:<16} {:>10} bytes", range.len())?;
    }
    if let Some(lines) = symbols_of_module.line_index()? {
        let versions: Vec<String> = lines.versions.iter().map(u16::to_string).collect();
        writeln!(out, "  DWARF version: {}", versions.join(", "))?;
        writeln!(out, "  source files: {}", lines.files().len())?;
        let mut files = lines.files().to_vec();
        files.sort();
        for file in files {
            writeln!(out, "    {file}")?;
        }
    }
    if list_functions {
        writeln!(out, "  functions (index, code offsets, name):")?;
        for body in &module.functions {
            let frames = symbols_of_module.frames_at(body.first_instruction)?;
            let name = frames
                .last()
                .and_then(|f| f.function.as_ref())
                .map_or_else(|| module.fallback_function_name(body.index), |f| f.display(NameStyle::Pretty));
            writeln!(out, "    {:>6} {}..{} {name}", body.index, body.entry.start, body.entry.end)?;
        }
    }
    Ok(())
}
