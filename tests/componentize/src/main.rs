//! Wraps a WASI preview1 command module into a WASI preview2 command
//! component, as `wasm-tools component new --adapt` does: the guest fixtures
//! come from compilers that only target preview1 (Debian's clang 14 and
//! rustc 1.63), and the component tests need the same programs as components.
//!
//!     wasmscope-componentize IN.wasm OUT.wasm

use anyhow::Context as _;
use wasi_preview1_component_adapter_provider::{
    WASI_SNAPSHOT_PREVIEW1_ADAPTER_NAME, WASI_SNAPSHOT_PREVIEW1_COMMAND_ADAPTER,
};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, output] = args.as_slice() else {
        anyhow::bail!("usage: wasmscope-componentize IN.wasm OUT.wasm");
    };
    let module = std::fs::read(input).with_context(|| format!("cannot read {input}"))?;
    let component = wit_component::ComponentEncoder::default()
        .module(&module)
        .with_context(|| format!("{input} is not a core module wit-component accepts"))?
        .adapter(WASI_SNAPSHOT_PREVIEW1_ADAPTER_NAME, WASI_SNAPSHOT_PREVIEW1_COMMAND_ADAPTER)?
        .validate(true)
        .encode()
        .with_context(|| format!("cannot make a component of {input}"))?;
    std::fs::write(output, component).with_context(|| format!("cannot write {output}"))?;
    Ok(())
}
