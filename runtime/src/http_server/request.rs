//! One request: a store and an instance of its own, the guest's handler
//! called on a task of its own (so the response streams to the client while
//! the guest writes it), and `wasmtime serve`'s 500 page when the guest
//! traps or returns without answering.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use wasmtime::Store;
use wasmtime_wasi_http::WasiHttpView;
use wasmtime_wasi_http::p2::bindings::ProxyPre;
use wasmtime_wasi_http::p2::bindings::http::types::Scheme;
use wasmtime_wasi_http::p2::body::HyperOutgoingBody;

use anyhow::Context as _;

use super::ServedGuest;
use super::debugging::ServerLauncher;
use super::live_profile::ServerProfiler;
use crate::coredump_writer::CoredumpWriter;
use crate::host_data::HostData;

pub(super) struct RequestRunner {
    pre: ProxyPre<HostData>,
    guest: ServedGuest,
    debug: Option<ServerLauncher>,
    profiler: Option<ServerProfiler>,
    coredumps: Option<std::sync::Arc<CoredumpWriter>>,
}

/// What `wasmtime serve` answers when the guest gives no response (its
/// page, byte for byte, so clients see the same thing from both).
const INTERNAL_ERROR_PAGE: &str = "<!doctype html>
<html>
<head>
    <title>500 Internal Server Error</title>
</head>
<body>
    <center>
        <h1>500 Internal Server Error</h1>
        <hr>
        wasmtime
    </center>
</body>
</html>";

impl RequestRunner {
    pub(super) fn new(
        pre: ProxyPre<HostData>,
        guest: ServedGuest,
        debug: Option<ServerLauncher>,
        profiler: Option<ServerProfiler>,
        coredumps: Option<std::sync::Arc<CoredumpWriter>>,
    ) -> Self {
        RequestRunner { pre, guest, debug, profiler, coredumps }
    }

    /// The guest's response, or the 500 page (the reason goes to stderr):
    /// under the debugger while a client is attached, else in production.
    pub(super) async fn handle(&self, request: hyper::Request<Incoming>) -> hyper::Response<HyperOutgoingBody> {
        let result = match &self.debug {
            Some(debug) => match debug.maybe_debug(request).await {
                Ok(debugged) => {
                    if let Some(live) = self.profiler.as_ref().and_then(ServerProfiler::current) {
                        live.missed();
                    }
                    debugged
                }
                Err(request) => self.run(request).await,
            },
            None => self.run(request).await,
        };
        match result {
            Ok(response) => response,
            Err(error) => {
                // The operator's log, as `wasmtime serve` writes it.
                #[allow(clippy::print_stderr)]
                {
                    eprintln!("error: {error:?}");
                }
                internal_error()
            }
        }
    }

    async fn run(&self, request: hyper::Request<Incoming>) -> anyhow::Result<hyper::Response<HyperOutgoingBody>> {
        let started = std::time::Instant::now();
        // A live profile samples the request under its route.
        let live = self.profiler.as_ref().and_then(ServerProfiler::current).map(|live| {
            let route = live.route(request.method().as_str(), request.uri().path());
            (live, route)
        });
        let context = format!("{} {}", request.method(), request.uri().path());
        let mut store = Store::new(self.pre.engine(), request_data(&self.guest)?);
        if let Some((live, route)) = &live {
            live.watch_host_calls(&mut store, *route);
        }
        let (sender, receiver) = tokio::sync::oneshot::channel();
        let incoming = store.data_mut().http().new_incoming_request(Scheme::Http, request)?;
        let outparam = store.data_mut().http().new_response_outparam(sender)?;
        let pre = self.pre.clone();
        let coredumps = self.coredumps.clone();
        let guest = async move {
            let proxy = pre.instantiate_async(&mut store).await?;
            let result = proxy.wasi_http_incoming_handler().call_handle(&mut store, incoming, outparam).await;
            if let (Err(error), Some(writer)) = (&result, &coredumps) {
                report_coredump(writer.write(&mut store, error, &context));
            }
            result
        };
        let task = match live {
            Some((live, route)) => tokio::spawn(async move {
                let result = live.sampled(route, guest).await;
                live.finished(route, started.elapsed());
                result
            }),
            None => tokio::spawn(guest),
        };
        match receiver.await {
            Ok(Ok(response)) => Ok(response),
            Ok(Err(code)) => Err(anyhow::anyhow!("the guest answered with an error: {code:?}")),
            // The store is gone without an answer: the task says why.
            Err(_) => {
                let why = match task.await {
                    Ok(Ok(())) => anyhow::anyhow!("the guest returned"),
                    Ok(Err(error)) => anyhow::Error::from(error),
                    Err(error) => anyhow::Error::from(error),
                };
                Err(why.context("guest never invoked `response-outparam::set` method"))
            }
        }
    }
}

/// The operator's log says where a trapping request's coredump went.
fn report_coredump(written: Option<Result<std::path::PathBuf, String>>) {
    #[allow(clippy::print_stderr)]
    match written {
        Some(Ok(path)) => eprintln!("wasmscope: wrote a coredump of the trap to {}", path.display()),
        Some(Err(why)) => eprintln!("wasmscope: no coredump written: {why}"),
        None => {}
    }
}

/// A request's WASI context: the server's stdout and stderr, the
/// environment and the directories.
pub(super) fn request_data(guest: &ServedGuest) -> anyhow::Result<HostData> {
    let mut wasi = wasmtime_wasi::WasiCtx::builder();
    wasi.inherit_stdout().inherit_stderr();
    for (name, value) in &guest.env {
        wasi.env(name, value);
    }
    for dir in &guest.dirs {
        wasi.preopened_dir(&dir.host, &dir.guest, wasmtime_wasi::FsPerms::ReadWrite)
            .map_err(anyhow::Error::from)
            .with_context(|| format!("cannot open directory {} for the guest", dir.host.display()))?;
    }
    Ok(HostData::new(wasi.build_p1()))
}

fn internal_error() -> hyper::Response<HyperOutgoingBody> {
    let body =
        Full::new(Bytes::from_static(INTERNAL_ERROR_PAGE.as_bytes())).map_err(|never| match never {}).boxed_unsync();
    let mut response = hyper::Response::new(body);
    *response.status_mut() = hyper::StatusCode::INTERNAL_SERVER_ERROR;
    response
        .headers_mut()
        .insert(hyper::header::CONTENT_TYPE, hyper::header::HeaderValue::from_static("text/html; charset=UTF-8"));
    response
}
