//! A request's store data: its WASI context (stdio, clocks, random, the
//! environment) and its wasi:http context, over one resource table.

use wasmtime::component::ResourceTable;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};

pub(super) struct RequestHost {
    table: ResourceTable,
    wasi: WasiCtx,
    http: WasiHttpCtx,
}

impl RequestHost {
    pub(super) fn new(env: &[(String, String)]) -> Self {
        let mut wasi = WasiCtx::builder();
        wasi.inherit_stdout().inherit_stderr();
        for (name, value) in env {
            wasi.env(name, value);
        }
        RequestHost { table: ResourceTable::new(), wasi: wasi.build(), http: WasiHttpCtx::new() }
    }
}

impl WasiView for RequestHost {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}

impl WasiHttpView for RequestHost {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        // The default hooks: outgoing requests go out as the guest asks.
        WasiHttpCtxView { ctx: &mut self.http, table: &mut self.table, hooks: Default::default() }
    }
}
