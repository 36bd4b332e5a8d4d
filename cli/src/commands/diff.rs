//! `wasmscope diff BEFORE AFTER -o diff.svg`: a differential flamegraph.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use wasmscope_profiler::{read_profile, write_diff_svg};

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The earlier profile (folded, speedscope or pprof, as `profile` writes).
    before: PathBuf,
    /// The later profile.
    after: PathBuf,
    /// Where to write the differential flamegraph.
    #[arg(short, long, default_value = "diff.svg")]
    output: PathBuf,
}

pub fn run(args: &DiffArgs) -> anyhow::Result<()> {
    let read = |path: &PathBuf| -> anyhow::Result<_> {
        // A regular file only: a FIFO or /dev/zero would hang or fill memory.
        let bytes = wasmscope_debugger::symbols::read_input_file(path)?;
        read_profile(&bytes).with_context(|| format!("cannot read {}", path.display()))
    };
    let (before, after) = (read(&args.before)?, read(&args.after)?);
    let title = format!("{} → {}", args.before.display(), args.after.display());
    let file =
        std::fs::File::create(&args.output).with_context(|| format!("cannot write {}", args.output.display()))?;
    let mut out = std::io::BufWriter::new(file);
    write_diff_svg(&before, &after, &title, &mut out)?;
    std::io::Write::flush(&mut out)?;
    Ok(())
}
