//! wasmscope's profiler, runtime-free: a target records [`RawProfile`]s
//! (stacks of raw module offsets); after the run they are symbolized once
//! with DWARF into a [`Profile`], which the output modules write as a
//! flamegraph, folded stacks, speedscope JSON or pprof, and `diff` reads
//! them back for differential flamegraphs.

mod diff;
mod firefox;
mod folded;
mod format;
mod frame_reader;
mod live;
mod pprof;
mod profile;
mod raw;
mod reader;
mod route;
mod speedscope;
mod summary;
mod svg;
mod symbolize;
mod v8_profile;

pub use diff::write_diff_svg;
pub use firefox::write_firefox;
pub use folded::write_folded;
pub use format::OutputFormat;
pub use frame_reader::read_profile_back;
pub use live::{
    LiveChunk, LiveCollector, LiveEnd, LiveProfiler, LiveRequest, MAX_LIVE_RATE_HZ, MAX_LIVE_SECONDS, RouteTime,
    live_meta,
};
pub use pprof::write_pprof;
pub use profile::{Frame, FrameKind, Profile, ProfileMeta};
pub use raw::{RawFrame, RawProfile, RawSample};
pub use reader::{FoldedStacks, ReadError, read_profile};
pub use route::{MAX_ROUTES, OTHER_ROUTES, RoutePatterns, RouteTable};
pub use speedscope::write_speedscope;
pub use summary::{RouteShare, Summary};
pub use svg::{SvgOptions, write_svg};
pub use symbolize::{FrameCache, profile_frames, symbolize, symbolize_with};
pub use v8_profile::{V8ProfileError, read_v8_profile};
