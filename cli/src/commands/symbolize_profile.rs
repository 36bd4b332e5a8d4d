//! `wasmscope symbolize-profile`: a V8 CPU profile (`node --cpu-prof`,
//! DevTools' saved profiles) with its Wasm frames named and placed from the
//! modules' DWARF, written in any of the profile formats. Also the end of
//! `wasmscope profile --node`.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::Args;
use wasmscope_debugger::symbols::{LoadOptions, WasmSymbols};
use wasmscope_profiler::{OutputFormat, Profile, Summary, read_v8_profile};

#[derive(Debug, Args)]
pub struct SymbolizeProfileArgs {
    /// A V8 CPU profile (.cpuprofile).
    profile: PathBuf,
    /// The .wasm the profile ran, with DWARF (repeatable: each Wasm script
    /// of the profile is matched to the one whose functions it names).
    #[arg(long = "wasm", value_name = "APP.wasm", required = true)]
    wasm: Vec<PathBuf>,
    /// Where to write the profile (default: profile.svg, or per --format).
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// svg, folded, speedscope, pprof or firefox (default: from the output's
    /// extension, else svg).
    #[arg(long)]
    format: Option<String>,
    /// The rate the profile was taken at (V8 does not record it; default:
    /// what the intervals between its samples show).
    #[arg(long, value_name = "HZ")]
    rate: Option<u32>,
    /// Draw an icicle graph (roots at the top).
    #[arg(long)]
    reverse: bool,
}

/// The output format and file `--format` and `-o` ask for.
pub(super) fn output_of(format: Option<&str>, output: Option<&Path>) -> anyhow::Result<(OutputFormat, PathBuf)> {
    let format = match format {
        Some(name) => OutputFormat::from_name(name)
            .with_context(|| format!("unknown format `{name}`: use one of {}", OutputFormat::NAMES.join(", ")))?,
        None => output.map_or(OutputFormat::Svg, OutputFormat::from_path),
    };
    let output = output.map_or_else(|| PathBuf::from(format.default_file_name()), Path::to_owned);
    Ok((format, output))
}

/// The modules, with their DWARF, or their names alone when it is bad.
pub(super) fn load_modules(paths: &[PathBuf]) -> anyhow::Result<Vec<WasmSymbols>> {
    let options = LoadOptions { names_if_dwarf_is_bad: true, ..LoadOptions::default() };
    paths.iter().map(|p| WasmSymbols::load(p, &options).map_err(anyhow::Error::from)).collect()
}

/// Symbolizes the CPU profile at `path` with `modules`.
pub(super) fn symbolized(path: &Path, modules: &[WasmSymbols], rate: u32) -> anyhow::Result<Profile> {
    let bytes = wasmscope_debugger::symbols::read_input_file(path)?;
    read_v8_profile(&bytes, &path.display().to_string(), modules, rate)
        .with_context(|| format!("cannot read {}", path.display()))
}

pub fn run(args: &SymbolizeProfileArgs) -> anyhow::Result<()> {
    let (format, output) = output_of(args.format.as_deref(), args.output.as_deref())?;
    let modules = load_modules(&args.wasm)?;
    let profile = symbolized(&args.profile, &modules, args.rate.unwrap_or(0))?;
    super::profile::write_profile(&profile, format, args.reverse, &output)?;
    #[allow(clippy::print_stderr)]
    {
        eprintln!("wasmscope: {}; wrote {}", Summary::new(&profile, 5), output.display());
    }
    Ok(())
}
