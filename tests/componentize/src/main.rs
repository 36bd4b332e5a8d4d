//! Wraps a WASI preview1 module into a WASI preview2 component, as
//! `wasm-tools component new --adapt` does: the guest fixtures come from
//! compilers that only target preview1 (Debian's clang 14 and rustc 1.63),
//! and the component tests need the same programs as components.
//!
//!     wasmscope-componentize [--proxy | --http-cli] IN.wasm OUT.wasm
//!
//! A command module becomes a `wasi:cli/command` component; with `--proxy`,
//! a reactor module whose component type (wit-bindgen's object file) says
//! it exports `wasi:http/incoming-handler` becomes a `wasi:http/proxy`
//! component, with the adapter that imports only what that world allows;
//! with `--http-cli`, the same module with the reactor adapter, which
//! imports the WASI CLI interfaces too (files, environment): what `wasmtime
//! serve -S cli` and `wasmscope serve --cli` run.

use anyhow::Context as _;
use wasi_preview1_component_adapter_provider::{
    WASI_SNAPSHOT_PREVIEW1_ADAPTER_NAME, WASI_SNAPSHOT_PREVIEW1_COMMAND_ADAPTER, WASI_SNAPSHOT_PREVIEW1_PROXY_ADAPTER,
    WASI_SNAPSHOT_PREVIEW1_REACTOR_ADAPTER,
};

fn main() -> anyhow::Result<()> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let adapter = match args.first().map(String::as_str) {
        Some("--proxy") => WASI_SNAPSHOT_PREVIEW1_PROXY_ADAPTER,
        Some("--http-cli") => WASI_SNAPSHOT_PREVIEW1_REACTOR_ADAPTER,
        _ => WASI_SNAPSHOT_PREVIEW1_COMMAND_ADAPTER,
    };
    if args.first().is_some_and(|a| a.starts_with("--")) {
        args.remove(0);
    }
    let [input, output] = args.as_slice() else {
        anyhow::bail!("usage: wasmscope-componentize [--proxy | --http-cli] IN.wasm OUT.wasm");
    };
    let module = std::fs::read(input).with_context(|| format!("cannot read {input}"))?;
    let component = wit_component::ComponentEncoder::default()
        .module(&module)
        .with_context(|| format!("{input} is not a core module wit-component accepts"))?
        .adapter(WASI_SNAPSHOT_PREVIEW1_ADAPTER_NAME, adapter)?
        .validate(true)
        .encode()
        .with_context(|| format!("cannot make a component of {input}"))?;
    std::fs::write(output, component).with_context(|| format!("cannot write {output}"))?;
    Ok(())
}
