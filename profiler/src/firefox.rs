//! The Firefox Profiler's processed format (https://profiler.firefox.com),
//! through fxprof-processed-profile, the crate Wasmtime's own profiler uses.
//! One thread; frames are labels (that crate version has no source
//! positions for label frames), inlined frames keep their `_[i]` suffix and
//! their own category, and host calls are in a WASI category.

use std::io::{self, Write};

use fxprof_processed_profile::{
    CategoryColor, CategoryPairHandle, CpuDelta, Frame as FxFrame, FrameFlags, FrameInfo, Profile as FxProfile,
    ReferenceTimestamp, SamplingInterval, Timestamp,
};

use crate::profile::{FrameKind, Profile};

pub fn write_firefox(profile: &Profile, out: &mut impl Write) -> io::Result<()> {
    let rate = profile.meta.requested_rate_hz.max(1);
    let mut fx = FxProfile::new(
        &profile.meta.program,
        ReferenceTimestamp::from_millis_since_unix_epoch(0.0),
        SamplingInterval::from_hz(rate as f32),
    );
    let start = Timestamp::from_millis_since_reference(0.0);
    let process = fx.add_process(&profile.meta.program, 1, start);
    let thread = fx.add_thread(process, 1, start, true);
    fx.set_thread_name(thread, "wasm");
    let wasm: CategoryPairHandle = fx.add_category("Wasm", CategoryColor::Blue).into();
    let inlined: CategoryPairHandle = fx.add_category("Inlined", CategoryColor::Green).into();
    let host: CategoryPairHandle = fx.add_category("WASI", CategoryColor::Orange).into();
    let labels: Vec<_> = profile.frames.iter().map(|f| fx.intern_string(&f.folded_name())).collect();
    let period_ms = 1000.0 / f64::from(rate);
    let mut elapsed_ms = 0.0;
    for (stack, weight) in &profile.stacks {
        let frames = stack.iter().map(|&i| FrameInfo {
            frame: FxFrame::Label(labels[i]),
            category_pair: match profile.frames[i].kind {
                FrameKind::Function => wasm,
                FrameKind::Inlined => inlined,
                FrameKind::Host => host,
            },
            flags: FrameFlags::empty(),
        });
        let handle = fx.intern_stack_frames(thread, frames);
        // Samples are aggregated: one sample per stack, weighted, laid out
        // one after another on the timeline.
        let weight = i32::try_from(*weight).unwrap_or(i32::MAX);
        fx.add_sample(thread, Timestamp::from_millis_since_reference(elapsed_ms), handle, CpuDelta::ZERO, weight);
        elapsed_ms += f64::from(weight) * period_ms;
    }
    fx.set_thread_end_time(thread, Timestamp::from_millis_since_reference(elapsed_ms));
    serde_json::to_writer(&mut *out, &fx).map_err(io::Error::other)?;
    writeln!(out)
}
