//! Live profiles where the signal sampler does not exist (anything but
//! Linux on x86_64 and aarch64): the same interface, never a profile in
//! progress, and a request for one is answered with the reason.

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use wasmscope_debugger::symbols::WasmSymbols;
use wasmscope_profiler::{LiveChunk, LiveEnd, LiveProfiler, LiveRequest};
use wasmtime::Store;

use crate::host_data::HostData;
use crate::pc_map::PcMap;
use crate::program::ModuleStarts;

#[derive(Clone, Debug)]
pub struct ServerProfiler;

/// Never made: no profile is ever in progress here.
#[derive(Debug)]
pub(super) enum LiveSession {}

impl ServerProfiler {
    pub fn new(_program: PathBuf, _symbols: Arc<WasmSymbols>) -> Self {
        ServerProfiler
    }

    pub(super) fn set_code(&self, _pc_map: PcMap, _starts: ModuleStarts) {}

    pub(super) fn current(&self) -> Option<Arc<LiveSession>> {
        None
    }
}

impl LiveSession {
    pub(super) fn route(&self, _method: &str, _path: &str) -> u32 {
        match *self {}
    }

    pub(super) fn sampled<F: Future>(&self, _route: u32, _future: F) -> F {
        match *self {}
    }

    pub(super) fn watch_host_calls(self: &Arc<Self>, _store: &mut Store<HostData>, _route: u32) {
        match **self {}
    }

    pub(super) fn finished(&self, _route: u32, _wall: Duration) {
        match *self {}
    }

    pub(super) fn missed(&self) {
        match *self {}
    }
}

impl LiveProfiler for ServerProfiler {
    fn profile(
        &self,
        _request: &LiveRequest,
        _stop: &std::sync::atomic::AtomicBool,
        _sink: &mut dyn FnMut(LiveChunk) -> bool,
    ) -> Result<LiveEnd, String> {
        Err("live profiles need the signal sampler: Linux on x86_64 or aarch64".into())
    }
}
