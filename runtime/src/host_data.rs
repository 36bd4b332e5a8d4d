//! The data of every store that runs a guest with WASI: the WASI context
//! (preview1 over preview2, so one type serves modules and components) and
//! the wasi:http context over the same resource table, for proxy
//! components (unused by commands).

use wasmtime_wasi::p1::WasiP1Ctx;
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};

use crate::program::{HasWasi, wasi_view};

pub(crate) struct HostData {
    wasi: WasiP1Ctx,
    http: WasiHttpCtx,
}

impl HostData {
    pub(crate) fn new(wasi: WasiP1Ctx) -> Self {
        HostData { wasi, http: WasiHttpCtx::new() }
    }
}

impl HasWasi for HostData {
    fn wasi(&mut self) -> &mut WasiP1Ctx {
        &mut self.wasi
    }
}
wasi_view!(HostData);

impl WasiHttpView for HostData {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        let wasi = wasmtime_wasi::WasiView::ctx(&mut self.wasi);
        // The default hooks: outgoing requests go out as the guest asks.
        WasiHttpCtxView { ctx: &mut self.http, table: wasi.table, hooks: Default::default() }
    }
}
