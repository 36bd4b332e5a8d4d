//! `wasmscope profile`: run a WASI program under the sampler and write its
//! profile; with no program, the bundled example.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::{Context, bail};
use clap::Args;
use wasmscope_debugger::symbols::{LoadOptions, WasmSymbols};
use wasmscope_profiler::RawProfile;
use wasmscope_profiler::{
    OutputFormat, Profile, Summary, SvgOptions, symbolize, write_firefox, write_folded, write_pprof, write_speedscope,
    write_svg,
};
use wasmscope_runtime::{InterruptHook, RunOutcome, SampledEnd, SamplerKind, SamplingOptions, StopCause, run_sampled};

#[derive(Debug, Args)]
pub struct ProfileArgs {
    /// The WASI program (.wasm); the bundled example when omitted.
    program: Option<PathBuf>,
    /// Arguments for the program, after `--`.
    #[arg(last = true)]
    pub args: Vec<String>,
    /// Samples per second (at most 10000: the most the sampler serves
    /// without slowing the program much; bench/profile.sh measures it).
    /// Default 1000; with --node and --chrome, 10000, V8's highest.
    #[arg(long = "rate", value_name = "HZ")]
    rate_asked: Option<u32>,
    /// Where to write the profile (default: profile.svg, or per --format).
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// svg, folded, speedscope, pprof or firefox (default: from the output's
    /// extension — .folded, .json, .pb.gz, .firefox.json — else svg).
    #[arg(long)]
    format: Option<String>,
    /// Stop the program after this many seconds and keep the profile.
    #[arg(long, value_parser = parse_duration)]
    pub duration: Option<Duration>,
    /// Draw an icicle graph (roots at the top) instead of a flame graph.
    #[arg(long)]
    pub reverse: bool,
    /// signal (timer signal + frame-pointer walk, no instrumentation; the
    /// default on Linux) or epoch (Wasmtime epoch checks; portable, slower).
    #[arg(long)]
    sampler: Option<String>,
    /// Profile a running server through its agent instead (ws://HOST:PORT
    /// or wss://…, as printed by `wasmscope serve --debug-addr`): its
    /// production engine goes on serving; stacks are rooted at their
    /// request's route. Needs --duration (default 30 s).
    #[arg(long, value_name = "URL", conflicts_with_all = ["program", "args", "sampler"])]
    pub connect: Option<String>,
    /// With --connect: the agent's token in FILE (else WASMSCOPE_TOKEN).
    #[arg(long, value_name = "FILE", requires = "connect")]
    pub token_file: Option<PathBuf>,
    /// With --connect to wss://: the certificates to trust (PEM), else the
    /// web's roots.
    #[arg(long, value_name = "FILE", requires = "connect")]
    pub ca_file: Option<PathBuf>,
    /// With --connect: a route pattern (repeatable, first match wins), e.g.
    /// `/users/:id/posts` or `POST /upload/**`; `:name` and `*` match one
    /// path segment, a final `**` the rest. Without one, numeric and hex
    /// segments are collapsed to :id.
    #[arg(long = "route", value_name = "PATTERN", requires = "connect")]
    pub routes: Vec<String>,
    /// Profile a Node.js script that runs Wasm instead (with Node's own
    /// sampler, `node --cpu-prof`); its Wasm frames are symbolized from the
    /// modules given with --wasm.
    #[arg(long, value_name = "APP.mjs", conflicts_with_all = ["program", "sampler", "connect"])]
    pub node: Option<PathBuf>,
    /// Profile a web page in chromium (headless) instead, with the DevTools
    /// protocol's sampler, for --duration (default 10 s); its Wasm frames are
    /// symbolized from the modules given with --wasm, else the page's own.
    #[arg(long, value_name = "URL", conflicts_with_all = ["program", "sampler", "connect", "node"])]
    pub chrome: Option<String>,
    /// With --node or --chrome: a .wasm it runs, with DWARF (repeatable).
    #[arg(long = "wasm", value_name = "APP.wasm")]
    pub wasm: Vec<PathBuf>,
    /// Also keep the profile as DIR/PROGRAM.pb.gz, where `wasmscope lsp`
    /// (and so the editor) finds the workspace's latest profile.
    #[arg(long, value_name = "DIR", default_value = ".wasmscope")]
    pub save_dir: PathBuf,
    /// Do not keep the profile for the editor (see --save-dir).
    #[arg(long, conflicts_with = "save_dir")]
    pub no_save: bool,
    #[command(flatten)]
    guest: super::GuestArgs,
}

/// The default rate of Wasmtime's samplers, and of V8's (its highest).
const DEFAULT_RATE_HZ: u32 = 1000;
const V8_RATE_HZ: u32 = 10_000;

impl ProfileArgs {
    /// The sampling rate: as asked, else the sampler's default.
    pub(super) fn rate(&self) -> u32 {
        let v8 = self.node.is_some() || self.chrome.is_some();
        self.rate_asked.unwrap_or(if v8 { V8_RATE_HZ } else { DEFAULT_RATE_HZ })
    }

    /// Where the editor's copy goes, if anywhere.
    pub(super) fn saved_copy(&self, program: &Path) -> Option<PathBuf> {
        let stem = program.file_stem().map_or_else(|| "profile".into(), |s| s.to_string_lossy().into_owned());
        (!self.no_save).then(|| self.save_dir.join(format!("{stem}.pb.gz")))
    }
}

/// Writes the editor's copy of `profile` (pprof keeps files and lines); a
/// failure is said, not fatal: the profile asked for is written.
pub(super) fn save_copy(profile: &Profile, copy: Option<&Path>) {
    let Some(copy) = copy else { return };
    let written = copy
        .parent()
        .map_or(Ok(()), std::fs::create_dir_all)
        .map_err(anyhow::Error::from)
        .and_then(|()| write_profile(profile, OutputFormat::Pprof, false, copy));
    if let Err(error) = written {
        #[allow(clippy::print_stderr)]
        {
            eprintln!("wasmscope: warning: could not keep a copy for the editor in {}: {error:#}", copy.display());
        }
    }
}

/// The highest sampling rate accepted.
pub const MAX_RATE_HZ: u32 = 10_000;
/// The longest `--duration` (a year; longer is surely a mistake).
const MAX_DURATION_SECS: f64 = 365.0 * 24.0 * 3600.0;

/// A positive, finite number of seconds.
pub(super) fn parse_duration(text: &str) -> Result<Duration, String> {
    let seconds: f64 = text.trim().parse().map_err(|_| format!("`{text}` is not a number of seconds"))?;
    if !seconds.is_finite() || seconds <= 0.0 || seconds > MAX_DURATION_SECS {
        return Err(format!(
            "the duration must be a number of seconds above 0 and at most {MAX_DURATION_SECS}, not `{text}`"
        ));
    }
    Ok(Duration::from_secs_f64(seconds))
}

/// Fails now, not after the run, if `output` cannot be written.
fn check_writable(output: &Path) -> anyhow::Result<()> {
    if output.is_dir() {
        bail!("cannot write {}: it is a directory", output.display());
    }
    let existed = output.exists();
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .open(output)
        .with_context(|| format!("cannot write {}", output.display()))?;
    if !existed {
        let _ = std::fs::remove_file(output);
    }
    Ok(())
}

pub fn run(args: &ProfileArgs) -> anyhow::Result<i32> {
    let format = match &args.format {
        Some(name) => OutputFormat::from_name(name)
            .with_context(|| format!("unknown format `{name}`: use one of {}", OutputFormat::NAMES.join(", ")))?,
        None => args.output.as_deref().map_or(OutputFormat::Svg, OutputFormat::from_path),
    };
    let output = args.output.clone().unwrap_or_else(|| PathBuf::from(format.default_file_name()));
    if args.rate() == 0 || args.rate() > MAX_RATE_HZ {
        bail!("--rate must be between 1 and {MAX_RATE_HZ} samples per second, not {}", args.rate());
    }
    check_writable(&output)?;
    if let Some(url) = &args.connect {
        return super::profile_remote::run(args, url, format, &output);
    }
    if let Some(script) = &args.node {
        return super::profile_node::run(args, script, format, &output);
    }
    if let Some(url) = &args.chrome {
        return super::profile_chrome::run(args, url, format, &output);
    }
    if !args.wasm.is_empty() {
        bail!("--wasm names the modules of --node or --chrome profiles; a program profiled here needs none");
    }
    let program = match &args.program {
        Some(path) => path.clone(),
        None => super::bundled::example()?.program,
    };
    // Read symbols before running, so a bad file fails fast.
    // A module whose DWARF cannot be read still runs: profile it with the
    // names its name section gives, and say why.
    let symbols = WasmSymbols::load(&program, &LoadOptions { names_if_dwarf_is_bad: true, ..LoadOptions::default() })?;
    for module in symbols.modules() {
        if let Some(problem) = module.dwarf_problem() {
            #[allow(clippy::print_stderr)]
            {
                eprintln!("wasmscope: warning: {problem}; profiling with names only");
            }
        }
    }
    let guest = args.guest.config(program.clone(), args.args.clone())?;

    let sampler = match args.sampler.as_deref() {
        None => SamplerKind::platform_default(),
        Some("signal") => SamplerKind::Signal,
        Some("epoch") => SamplerKind::Epoch,
        Some(other) => bail!("unknown sampler `{other}`: use signal or epoch"),
    };
    let symbols = Arc::new(symbols);
    let stop = Arc::new(AtomicBool::new(false));
    let on_interrupt = stop.clone();
    ctrlc::set_handler(move || on_interrupt.store(true, Ordering::Relaxed))
        .context("cannot install the Ctrl-C handler")?;
    // The signal sampler cannot stop running Wasm: on Ctrl-C it hands over
    // the profile so far, which is written before the process exits.
    let copy = args.saved_copy(&program);
    let interrupt_hook = {
        let (symbols, output, bundled) = (symbols.clone(), output.clone(), args.program.is_none());
        let (reverse, copy) = (args.reverse, copy.clone());
        InterruptHook(Arc::new(move |raw: RawProfile, cause: StopCause| {
            let written = finish(&raw, &symbols, bundled, format, reverse, &output, copy.as_deref());
            let (how, status) = match cause {
                StopCause::Asked => ("interrupted", 130),
                StopCause::Deadline => ("stopped early, in a host call", 0),
            };
            #[allow(clippy::print_stderr)]
            match &written {
                Ok(summary) => {
                    eprintln!("\nwasmscope: {summary} ({how}); wrote {}", output.display())
                }
                Err(err) => eprintln!("\nwasmscope: error: {err:#}"),
            }
            std::process::exit(if written.is_ok() { status } else { 1 });
        }))
    };
    let options = SamplingOptions {
        rate_hz: args.rate(),
        sampler,
        max_duration: args.duration,
        stop,
        on_interrupt: Some(interrupt_hook),
        progress: true,
    };
    let (end, raw) = run_sampled(&guest, &options)?;
    let summary = finish(&raw, &symbols, args.program.is_none(), format, args.reverse, &output, copy.as_deref())?;
    let status = match &end {
        SampledEnd::Finished(RunOutcome::Exited(code)) => format!("exited with {code}"),
        SampledEnd::Finished(RunOutcome::Trapped { message, .. }) => format!("trapped: {message}"),
        SampledEnd::Stopped => "stopped early".to_owned(),
    };
    #[allow(clippy::print_stderr)]
    {
        eprintln!("wasmscope: {summary} ({status}); wrote {}", output.display());
    }
    Ok(match end {
        SampledEnd::Finished(RunOutcome::Exited(code)) => code,
        SampledEnd::Finished(RunOutcome::Trapped { .. }) => 134,
        SampledEnd::Stopped => 0,
    })
}

/// Symbolizes, writes the profile (and the editor's copy) and returns its
/// summary.
fn finish(
    raw: &RawProfile,
    symbols: &WasmSymbols,
    bundled: bool,
    format: OutputFormat,
    reverse: bool,
    output: &Path,
    copy: Option<&Path>,
) -> anyhow::Result<Summary> {
    let mut profile = symbolize(raw, symbols);
    if bundled {
        profile.meta.program = "hotspots (bundled example)".to_owned();
    }
    write_profile(&profile, format, reverse, output)?;
    save_copy(&profile, copy);
    Ok(Summary::new(&profile, 5))
}

pub(super) fn write_profile(
    profile: &Profile,
    format: OutputFormat,
    reverse: bool,
    output: &Path,
) -> anyhow::Result<()> {
    let file = std::fs::File::create(output).with_context(|| format!("cannot write {}", output.display()))?;
    let mut out = std::io::BufWriter::new(file);
    match format {
        OutputFormat::Svg => write_svg(profile, &SvgOptions { reverse, title: None }, &mut out),
        OutputFormat::Folded => write_folded(profile, &mut out),
        OutputFormat::Speedscope => write_speedscope(profile, &mut out),
        OutputFormat::Pprof => write_pprof(profile, &mut out),
        OutputFormat::Firefox => write_firefox(profile, &mut out),
    }
    .with_context(|| format!("cannot write {}", output.display()))?;
    out.flush().with_context(|| format!("cannot write {}", output.display()))?;
    Ok(())
}
