//! The bundled example (examples/hotspots, -O2 with DWARF) and its source,
//! embedded so that `wasmscope profile` and `wasmscope debug` work on a
//! fresh machine with nothing else.

use std::path::PathBuf;

use anyhow::Context;

const PROGRAM: &[u8] = include_bytes!("../../../examples/hotspots/hotspots.wasm");
const SOURCE: &str = include_str!("../../../examples/hotspots/hotspots.c");
/// Where the example's DWARF says its source is (its build remaps paths).
pub const RECORDED_SOURCE_DIR: &str = "/wasmscope/examples/hotspots";

#[derive(Debug)]
pub struct Example {
    pub program: PathBuf,
    /// The directory holding hotspots.c, for mapping RECORDED_SOURCE_DIR.
    pub source_dir: PathBuf,
}

/// Writes the example and its source where the runtime and the user can
/// read them (once per version).
pub fn example() -> anyhow::Result<Example> {
    let dir = std::env::temp_dir().join(format!("wasmscope-{}-example", env!("CARGO_PKG_VERSION")));
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let program = dir.join("hotspots.wasm");
    for (path, bytes) in [(&program, PROGRAM), (&dir.join("hotspots.c"), SOURCE.as_bytes())] {
        if std::fs::read(path).ok().as_deref() != Some(bytes) {
            std::fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
        }
    }
    Ok(Example { program, source_dir: dir })
}
