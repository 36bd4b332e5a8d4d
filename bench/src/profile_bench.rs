//! Profiler overhead benchmark: for each guest, the execution time of a
//! plain run, and under each of our samplers at the given rate, as ratios to
//! the plain run measured in the same process; next to Wasmtime's own guest
//! profiler (`wasmtime run --profile=guest,PATH,INTERVAL`) as a ratio to
//! `wasmtime run` of the same guest. Each figure is the median of N runs.
//!
//!   profile-bench WASMTIME_CLI RATE_HZ RUNS GUEST.wasm[:ARG,ARG] ...

#![allow(clippy::print_stdout, clippy::unwrap_used)]

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use wasmscope_runtime::{GuestConfig, RunOutcome, SampledEnd, SamplerKind, SamplingOptions, run_sampled, run_timed};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let [_, wasmtime, rate, runs, guests @ ..] = &args[..] else {
        bail!("usage: profile-bench WASMTIME_CLI RATE_HZ RUNS GUEST.wasm[:ARG,ARG] ...")
    };
    let rate: u32 = rate.parse()?;
    let runs: usize = runs.parse()?;
    println!("rate {rate} Hz, median of {runs} runs; ratios are to the plain run in the same row (1.00 = no cost)");
    println!(
        "{:<32} {:>9} {:>15} {:>15} | {:>11} {:>17}",
        "guest", "plain s", "signal sampler", "epoch sampler", "wasmtime s", "wasmtime --profile"
    );
    for spec in guests {
        let (path, guest_args) = match spec.split_once(':') {
            Some((p, a)) => (p, a.split(',').map(str::to_owned).collect()),
            None => (spec.as_str(), Vec::new()),
        };
        let guest = GuestConfig { program: PathBuf::from(path), args: guest_args, quiet: true, ..Default::default() };
        let plain = median(runs, || {
            let (outcome, time) = run_timed(&guest)?;
            expect_success(&outcome)?;
            Ok(time)
        })?;
        let sampled = |sampler| {
            median(runs, || {
                let options = SamplingOptions {
                    rate_hz: rate,
                    sampler,
                    max_duration: None,
                    stop: Arc::new(AtomicBool::new(false)),
                    on_interrupt: None,
                    progress: false,
                };
                let (end, raw) = run_sampled(&guest, &options)?;
                match end {
                    SampledEnd::Finished(outcome) => expect_success(&outcome)?,
                    SampledEnd::Stopped => bail!("stopped early"),
                }
                Ok(raw.duration)
            })
        };
        let signal = sampled(SamplerKind::Signal)?;
        let epoch = sampled(SamplerKind::Epoch)?;
        let profile_path = std::env::temp_dir().join("wasmscope-bench-wasmtime-profile.json");
        let interval_ms = format!("{}", 1000.0 / f64::from(rate));
        let wasmtime_plain =
            median(runs, || time_command(Command::new(wasmtime).arg("run").arg(path).args(&guest.args)))?;
        let wasmtime_profiled = median(runs, || {
            time_command(
                Command::new(wasmtime)
                    .arg("run")
                    .arg(format!("--profile=guest,{},{}ms", profile_path.display(), interval_ms))
                    .arg(path)
                    .args(&guest.args),
            )
        })?;
        let name = std::path::Path::new(path).file_name().unwrap().to_string_lossy();
        let label = if guest.args.is_empty() { name.to_string() } else { format!("{name} {}", guest.args.join(" ")) };
        let ratio = |t: Duration, base: Duration| t.as_secs_f64() / base.as_secs_f64();
        println!(
            "{:<32} {:>9.3} {:>14.3}x {:>14.3}x | {:>11.3} {:>17.3}x",
            label,
            plain.as_secs_f64(),
            ratio(signal, plain),
            ratio(epoch, plain),
            wasmtime_plain.as_secs_f64(),
            ratio(wasmtime_profiled, wasmtime_plain),
        );
    }
    println!("targets: signal sampler <= 1.05x on every guest");
    Ok(())
}

fn expect_success(outcome: &RunOutcome) -> anyhow::Result<()> {
    match outcome {
        RunOutcome::Exited(0) => Ok(()),
        other => bail!("the guest did not exit cleanly: {other:?}"),
    }
}

fn median(runs: usize, mut measure: impl FnMut() -> anyhow::Result<Duration>) -> anyhow::Result<Duration> {
    let mut times = (0..runs.max(1)).map(|_| measure()).collect::<anyhow::Result<Vec<_>>>()?;
    times.sort();
    Ok(times[times.len() / 2])
}

fn time_command(command: &mut Command) -> anyhow::Result<Duration> {
    let started = Instant::now();
    let status = command.stdout(Stdio::null()).stderr(Stdio::null()).status().context("run wasmtime")?;
    let elapsed = started.elapsed();
    if !status.success() {
        bail!("{command:?} failed: {status}");
    }
    Ok(elapsed)
}
