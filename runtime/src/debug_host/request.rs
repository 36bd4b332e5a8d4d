//! One request of a server under guest debugging: a store of its own on the
//! guest-debug engine, the component instantiated in it, the debug handler
//! installed, then the guest's `handle` called. The response reaches the
//! server through `respond` as soon as the guest sets it; a guest that
//! traps or returns without answering drops it, and the server answers 500.

use std::sync::Arc;

use wasmtime::Engine;
use wasmtime_wasi_http::WasiHttpView;
use wasmtime_wasi_http::p2::bindings::ProxyPre;
use wasmtime_wasi_http::p2::bindings::http::types::{ErrorCode, Scheme};
use wasmtime_wasi_http::p2::body::HyperOutgoingBody;

use super::Control;
use super::launch::{StopSetup, debug_store, install_handler};
use crate::host_data::HostData;
use crate::program::ModuleStarts;
use crate::wasi_run::outcome_of;
use wasmscope_debugger::target::{GuestConfig, RunOutcome};

/// Where a request's response goes.
pub(crate) type Respond = tokio::sync::oneshot::Sender<Result<hyper::Response<HyperOutgoingBody>, ErrorCode>>;

/// A request to run on the guest-debug engine.
pub(crate) struct HttpCall {
    pub(crate) pre: ProxyPre<HostData>,
    pub(crate) request: hyper::Request<hyper::body::Incoming>,
    pub(crate) respond: Respond,
    /// Where the component's core modules begin (trap frames).
    pub(crate) starts: ModuleStarts,
}

pub(super) fn run_request(
    guest: &GuestConfig,
    engine: &Engine,
    call: HttpCall,
    stop: StopSetup,
    control: &Arc<Control>,
) -> anyhow::Result<RunOutcome> {
    let HttpCall { pre, request, respond, starts } = call;
    let mut store = debug_store(engine, guest, &stop.events, control)?;
    let incoming = store.data_mut().http().new_incoming_request(Scheme::Http, request)?;
    let outparam = store.data_mut().http().new_response_outparam(respond)?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async {
        let proxy = pre.instantiate_async(&mut store).await?;
        install_handler(&mut store, None, guest.core_module, stop, control)?;
        let handled = proxy.wasi_http_incoming_handler().call_handle(&mut store, incoming, outparam).await;
        outcome_of(handled, &starts)
    })
}
