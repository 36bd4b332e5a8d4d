//! `wasmscope serve`: runs a `wasi:http/proxy` component as an HTTP/1.1
//! server, with `wasmtime serve`'s conventions: a fresh store and instance
//! per request, the proxy world's imports only, the guest's response
//! streamed back as it writes it, and a 500 page when the guest fails to
//! answer. Requests run on the production engine (no guest debugging).
//!
//! Files: this one binds the address and accepts connections;
//! request.rs runs one request in its own store (its data is the crate's
//! `HostData`); debugging.rs is the side an agent
//! attaches to (requests on the guest-debug engine, as DAP threads).

mod debugging;
#[cfg(all(target_os = "linux", any(target_arch = "x86_64", target_arch = "aarch64")))]
mod live_profile;
// Live profiles need the signal sampler: elsewhere the agent says so.
#[cfg(not(all(target_os = "linux", any(target_arch = "x86_64", target_arch = "aarch64"))))]
#[path = "live_profile_unsupported.rs"]
mod live_profile;
mod request;

pub use self::debugging::{DEFAULT_DEBUG_REQUESTS, ServerLauncher};
pub use self::live_profile::ServerProfiler;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context as _;
use hyper::server::conn::http1;
use wasmtime::component::{Component, Linker};
use wasmtime::{Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig};
use wasmtime_wasi_http::io::TokioIo;
use wasmtime_wasi_http::p2::bindings::ProxyPre;

use self::request::RequestRunner;
use crate::host_data::HostData;
use crate::pc_map::PcMap;
use crate::program::{Compiled, ModuleStarts};
use wasmscope_debugger::target::DirMapping;

/// What to serve, and where.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    /// A `wasi:http/proxy` component.
    pub program: PathBuf,
    pub addr: SocketAddr,
    /// What every request's instance sees (environment, directories), and
    /// whether the WASI CLI interfaces are linked.
    pub guest: ServedGuest,
    /// Where a trapping request leaves its coredump.
    pub coredumps: Option<crate::CoredumpDir>,
}

/// What a served component's instances are linked with and see, in
/// production and under the debugger alike.
#[derive(Clone, Debug, Default)]
pub struct ServedGuest {
    pub env: Vec<(String, String)>,
    pub dirs: Vec<DirMapping>,
    /// Link the WASI CLI interfaces (files, environment, …) as well as the
    /// proxy world's, as `wasmtime serve -S cli` does; without it a
    /// component that imports them is refused.
    pub cli: bool,
}

/// Links the imports a served component may have.
pub(crate) fn link_imports(linker: &mut Linker<HostData>, cli: bool) -> wasmtime::Result<()> {
    if cli {
        wasmtime_wasi::p2::add_to_linker_async(linker)?;
        wasmtime_wasi_http::p2::add_only_http_to_linker_async(linker)
    } else {
        wasmtime_wasi_http::p2::add_to_linker_async(linker)
    }
}

/// Compiles the component, binds the address and serves until the process
/// ends. `on_listening` hears the bound address (the port, when 0 was
/// asked for) once requests are accepted. With `debug`, requests run under
/// the debugger while a client is attached to it; with `profiler`, live
/// profiles sample them while one is asked for.
pub fn serve_http(
    options: &ServeOptions,
    debug: Option<ServerLauncher>,
    profiler: Option<ServerProfiler>,
    on_listening: impl FnOnce(SocketAddr),
) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("wasmscope-serve")
        .build()
        .context("cannot start the server's threads")?;
    // A directory that cannot be opened is said now, not at each request.
    self::request::request_data(&options.guest)?;
    let (pre, code, bytes) = prepare(&options.program, options.guest.cli, options.coredumps.is_some())?;
    let coredumps = match &options.coredumps {
        Some(c) => Some(Arc::new(crate::CoredumpWriter::to_directory(
            &c.dir,
            c.max_files,
            c.max_bytes,
            &options.program,
            &bytes,
        )?)),
        None => None,
    };
    if let Some(profiler) = &profiler {
        profiler.set_code(PcMap::new(&code), code.module_starts());
    }
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(options.addr)
            .await
            .with_context(|| format!("cannot listen on {}", options.addr))?;
        on_listening(listener.local_addr()?);
        let runner = Arc::new(RequestRunner::new(pre, options.guest.clone(), debug, profiler, coredumps));
        loop {
            let (stream, _) = match listener.accept().await {
                Ok(accepted) => accepted,
                // Out of descriptors, a connection reset before accept:
                // the server goes on.
                Err(_) => continue,
            };
            let _ = stream.set_nodelay(true);
            let runner = runner.clone();
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |request| {
                    let runner = runner.clone();
                    async move { Ok::<_, std::convert::Infallible>(runner.handle(request).await) }
                });
                // A client that goes away mid-request ends its connection
                // only.
                let _ = http1::Builder::new().keep_alive(true).serve_connection(TokioIo::new(stream), service).await;
            });
        }
    })
}

/// The production engine: a store per request, so instances come from a
/// pool of reserved memory, as in `wasmtime serve` (no mmap and munmap per
/// request); where the address space cannot hold the pool, instances are
/// allocated one by one.
fn production_engine(coredumps: bool) -> anyhow::Result<Engine> {
    let mut config = Config::new();
    config.coredump_on_trap(coredumps);
    crate::compile_cache::enable(&mut config);
    let mut pooled = config.clone();
    pooled.allocation_strategy(InstanceAllocationStrategy::Pooling(PoolingAllocationConfig::default()));
    match Engine::new(&pooled) {
        Ok(engine) => Ok(engine),
        Err(_) => Ok(Engine::new(&config)?),
    }
}

/// The production engine, and the component compiled and linked once:
/// each request only instantiates it. Also the compiled code, which live
/// profiles map samples with, and the component's bytes.
fn prepare(
    program: &std::path::Path,
    cli: bool,
    coredumps: bool,
) -> anyhow::Result<(ProxyPre<HostData>, Compiled, Vec<u8>)> {
    let engine = production_engine(coredumps)?;
    let bytes = std::fs::read(program).with_context(|| format!("cannot read {}", program.display()))?;
    if !wasmparser::Parser::is_component(&bytes) {
        anyhow::bail!(
            "{} is a core module: `wasmscope serve` runs wasi:http/proxy components (`wasmscope debug` and \
             `wasmscope profile` run WASI commands)",
            program.display()
        );
    }
    let cannot = || format!("cannot compile {}", program.display());
    let component = crate::compile_spinner::while_compiling(program, true, || {
        crate::module_cache::compile::<Component>(&engine, &bytes).map_err(anyhow::Error::from).with_context(cannot)
    })?;
    let mut linker = Linker::new(&engine);
    link_imports(&mut linker, cli)?;
    let not_proxy = || {
        let more = if cli { "" } else { " (one that imports the WASI CLI interfaces needs --cli)" };
        format!("{} is not a wasi:http/proxy component{more}", program.display())
    };
    let instance = linker.instantiate_pre(&component).map_err(anyhow::Error::from).with_context(not_proxy)?;
    let pre = ProxyPre::new(instance).map_err(anyhow::Error::from).with_context(not_proxy)?;
    let starts = ModuleStarts::of_component(&bytes)?;
    Ok((pre, Compiled::Component(component, starts), bytes))
}
