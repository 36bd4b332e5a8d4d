//! `wasmscope symbolize`: a drop-in for `llvm-symbolizer --obj=APP.wasm`.

use std::io::{BufRead, BufWriter, Write};

use clap::Args;
use serde::Serialize;
use wasmscope_debugger::address::CodeOffset;
use wasmscope_debugger::symbols::{ModuleSymbols, NameOrigin, NameStyle, SourceFrame};

use super::ModuleArgs;

#[derive(Debug, Args)]
pub struct SymbolizeArgs {
    #[command(flatten)]
    module: ModuleArgs,
    /// Code-section offsets (`0x1a2b`, or decimal); read from stdin, one per
    /// line, when none are given.
    offsets: Vec<String>,
    /// One JSON object per address instead of llvm-symbolizer's text.
    #[arg(long)]
    json: bool,
    /// Readable names (Rust without hashes) instead of llvm-symbolizer's.
    #[arg(long)]
    pretty: bool,
}

pub fn run(args: &SymbolizeArgs) -> anyhow::Result<()> {
    let symbols = args.module.load()?;
    let module = symbols.module(args.module.module)?;
    let style = if args.pretty { NameStyle::Pretty } else { NameStyle::Llvm };
    if !module.has_dwarf() {
        #[allow(clippy::print_stderr)]
        {
            eprintln!(
                "wasmscope: {} has no DWARF: no file:line; names from the name section with --pretty (rebuild with -g for source mapping)",
                args.module.wasm.display()
            );
        }
    }
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    if args.offsets.is_empty() {
        let mut input = std::io::BufReader::with_capacity(1 << 16, std::io::stdin().lock());
        let mut line = String::new();
        while input.read_line(&mut line)? > 0 {
            answer(module, line.trim(), style, args.json, &mut out)?;
            line.clear();
            // An interactive caller waits for each answer; a pipe full of
            // offsets gets them in big writes.
            if input.buffer().is_empty() {
                out.flush()?;
            }
        }
    } else {
        for offset in &args.offsets {
            answer(module, offset, style, args.json, &mut out)?;
        }
    }
    out.flush()?;
    Ok(())
}

fn answer(
    module: &ModuleSymbols,
    input: &str,
    style: NameStyle,
    json: bool,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let Some(offset) = parse_offset(input) else {
        // Like llvm-symbolizer: what cannot be read as an address is echoed.
        writeln!(out, "{input}")?;
        return Ok(());
    };
    let frames = module.frames_at(offset)?;
    if json {
        serde_json::to_writer(&mut *out, &JsonAnswer::new(offset, &frames, style))?;
        writeln!(out)?;
        return Ok(());
    }
    if frames.is_empty() {
        writeln!(out, "??\n??:0:0\n")?;
        return Ok(());
    }
    for frame in &frames {
        // llvm-symbolizer names only what DWARF names; the name-section
        // fallback is ours, shown with --pretty.
        let name = match &frame.function {
            Some(f) if style == NameStyle::Pretty || frame.name_origin == NameOrigin::Dwarf => f.display(style),
            _ => "??".to_owned(),
        };
        match &frame.location {
            Some(l) => writeln!(out, "{name}\n{}:{}:{}", l.file.as_deref().unwrap_or("??"), l.line, l.column)?,
            None => writeln!(out, "{name}\n??:0:0")?,
        }
    }
    writeln!(out)?;
    Ok(())
}

/// Reads an address as llvm-symbolizer does: `0x` hex, else decimal.
fn parse_offset(text: &str) -> Option<CodeOffset> {
    let value = match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16).ok()?,
        None => text.parse().ok()?,
    };
    Some(CodeOffset(value))
}

#[derive(Serialize)]
struct JsonAnswer {
    address: String,
    frames: Vec<JsonFrame>,
}

#[derive(Serialize)]
struct JsonFrame {
    function: Option<String>,
    linkage_name: Option<String>,
    name_origin: NameOrigin,
    file: Option<String>,
    line: u32,
    column: u32,
    inlined: bool,
}

impl JsonAnswer {
    fn new(offset: CodeOffset, frames: &[SourceFrame], style: NameStyle) -> Self {
        let frames = frames
            .iter()
            .map(|f| JsonFrame {
                function: f.function.as_ref().map(|n| n.display(style)),
                linkage_name: f.function.as_ref().map(|n| n.raw.clone()),
                name_origin: f.name_origin,
                file: f.location.as_ref().and_then(|l| l.file.clone()),
                line: f.location.as_ref().map_or(0, |l| l.line),
                column: f.location.as_ref().map_or(0, |l| l.column),
                inlined: f.inlined,
            })
            .collect();
        JsonAnswer { address: offset.to_string(), frames }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_read_like_llvm_symbolizer() {
        assert_eq!(parse_offset("0x1f"), Some(CodeOffset(31)));
        assert_eq!(parse_offset("31"), Some(CodeOffset(31)));
        assert_eq!(parse_offset("zz"), None);
    }
}
