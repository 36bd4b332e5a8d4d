//! `wasmscope profile --connect URL`: a live profile of a running server,
//! taken by its agent and written here in any of the usual formats. A
//! profile cut short (Ctrl-C, the server going away) is still written, and
//! the summary says so.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::Context as _;
use wasmscope_dap::transport::profile_remote;
use wasmscope_profiler::{LiveRequest, OutputFormat, Summary, live_meta};

use super::agent::say;
use super::profile::ProfileArgs;

/// A live profile's length when --duration is not given.
const DEFAULT_SECONDS: f64 = 30.0;

pub fn run(args: &ProfileArgs, url: &str, format: OutputFormat, output: &Path) -> anyhow::Result<i32> {
    let token = super::dap::agent_token(args.token_file.as_deref())?;
    let request = LiveRequest {
        seconds: args.duration.map_or(DEFAULT_SECONDS, |d| d.as_secs_f64()),
        rate_hz: args.rate(),
        routes: args.routes.clone(),
    };
    request.check().map_err(anyhow::Error::msg)?;
    let stop = Arc::new(AtomicBool::new(false));
    let on_interrupt = stop.clone();
    ctrlc::set_handler(move || on_interrupt.store(true, Ordering::Relaxed))
        .context("cannot install the Ctrl-C handler")?;
    say(&format!(
        "profiling {url} for {} s at {} Hz (Ctrl-C stops and writes the profile)",
        request.seconds, request.rate_hz
    ));
    let remote = profile_remote(url, &token, args.ca_file.as_deref(), &request, &stop)?;
    let (program, duration) = match &remote.end {
        Some(end) => (end.program.clone(), Duration::from_secs_f64(end.duration_seconds)),
        None => (url.to_owned(), Duration::from_secs(remote.collector.chunks())),
    };
    let profile = remote.collector.profile(live_meta(&program, &request, duration));
    super::profile::write_profile(&profile, format, args.reverse, output)?;
    // `routes-live.pb.gz` for a server running routes.wasm.
    let stem = std::path::Path::new(&profile.meta.program).file_stem().map(|s| s.to_string_lossy().into_owned());
    let server = std::path::PathBuf::from(format!("{}-live", stem.as_deref().unwrap_or("server")));
    super::profile::save_copy(&profile, args.saved_copy(&server).as_deref());
    let summary = Summary::new(&profile, 5).with_routes(&profile, &remote.collector.routes());
    let how = match (&remote.end, &remote.cut_short) {
        (_, Some(why)) => format!("cut short: {why}; the profile holds what came before"),
        (Some(end), None) if end.unsampled_requests > 0 => format!(
            "{} threads sampled; {} requests ran under the debugger, unsampled",
            end.threads, end.unsampled_requests
        ),
        (Some(end), None) => format!("{} threads sampled", end.threads),
        (None, None) => "ended".to_owned(),
    };
    say(&format!("wasmscope: {summary} ({how}); wrote {}", output.display()));
    Ok(if remote.cut_short.is_some() && remote.end.is_none() && remote.collector.chunks() == 0 { 1 } else { 0 })
}
