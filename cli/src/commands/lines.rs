//! `wasmscope lines APP.wasm FILE:LINE`: where a breakpoint on a line binds.

use std::io::Write;

use anyhow::{Context, bail};
use clap::Args;
use wasmscope_debugger::symbols::{PathMapping, bind_line};

use super::ModuleArgs;

#[derive(Debug, Args)]
pub struct LinesArgs {
    #[command(flatten)]
    module: ModuleArgs,
    /// The source line, as FILE:LINE. FILE may be a name (`main.c`), a
    /// partial or a full path; the longest matching tail wins.
    location: String,
    /// Recorded path prefix → local path, as FROM=TO (repeatable).
    #[arg(long = "map", value_name = "FROM=TO")]
    mappings: Vec<String>,
}

pub fn run(args: &LinesArgs) -> anyhow::Result<()> {
    let (file, line) = args
        .location
        .rsplit_once(':')
        .and_then(|(file, line)| Some((file, line.parse::<u32>().ok()?)))
        .with_context(|| format!("expected FILE:LINE, got `{}`", args.location))?;
    let mappings = args
        .mappings
        .iter()
        .map(|m| {
            let (from, to) = m.split_once('=').with_context(|| format!("expected FROM=TO, got `{m}`"))?;
            Ok(PathMapping { from: from.to_owned(), to: to.to_owned() })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let symbols = args.module.load()?;
    let module = symbols.module(args.module.module)?;
    if !module.has_dwarf() {
        bail!("{} has no DWARF debug info: lines cannot be mapped (rebuild with -g)", args.module.wasm.display());
    }
    let Some(binding) = bind_line(module, file, line, &mappings)? else {
        bail!(
            "no code for {file}:{line} in {}: no statement at or after that line in its function (an optimizer may have merged it away)",
            args.module.wasm.display()
        );
    };
    let mut out = std::io::stdout().lock();
    if binding.moved() {
        writeln!(out, "moved to {}:{}", binding.files[0], binding.line)?;
    }
    for offset in &binding.offsets {
        writeln!(out, "{offset}")?;
    }
    Ok(())
}
