//! The bundled examples and their sources, embedded so that `wasmscope
//! profile`, `wasmscope debug` and `wasmscope serve` work on a fresh machine
//! with nothing else: examples/hotspots (a WASI command) and
//! examples/http-routes (a wasi:http/proxy component), both -O2 with DWARF.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

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

const SERVER_PROGRAM: &[u8] = include_bytes!("../../../examples/http-routes/routes.wasm");
const SERVER_SOURCE: &str = include_str!("../../../examples/http-routes/routes.c");

/// The profiler's and the debugger's example, hotspots.wasm.
pub fn example() -> anyhow::Result<Example> {
    unpack("hotspots.wasm", PROGRAM, "hotspots.c", SOURCE)
}

/// The server example, routes.wasm (its DWARF names
/// /wasmscope/examples/http-routes/routes.c).
pub fn server_example() -> anyhow::Result<Example> {
    unpack("routes.wasm", SERVER_PROGRAM, "routes.c", SERVER_SOURCE)
}

/// Writes an example and its source where the runtime and the user can
/// read them: a directory only this user can write (another user could
/// otherwise plant a symlink there and have us overwrite its target).
fn unpack(program_name: &str, program: &[u8], source_name: &str, source: &str) -> anyhow::Result<Example> {
    let dir = private_dir()?;
    let program_path = dir.join(program_name);
    for (path, bytes) in [(&program_path, program), (&dir.join(source_name), source.as_bytes())] {
        let current =
            std::fs::symlink_metadata(path).ok().filter(|m| m.is_file()).and_then(|_| std::fs::read(path).ok());
        if current.as_deref() != Some(bytes) {
            replace_file(path, bytes)?;
        }
    }
    Ok(Example { program: program_path, source_dir: dir })
}

/// `$XDG_CACHE_HOME/wasmscope/example-VERSION` (else `~/.cache/…`),
/// made private; with neither, a fresh private directory under the
/// system's temporary directory.
fn private_dir() -> anyhow::Result<PathBuf> {
    let cache = std::env::var_os("XDG_CACHE_HOME").map(PathBuf::from).filter(|p| p.is_absolute()).or_else(|| {
        std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")).filter(|p| p.is_absolute())
    });
    let name = format!("example-{}", env!("CARGO_PKG_VERSION"));
    match cache {
        Some(cache) => {
            let dir = cache.join("wasmscope").join(name);
            std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
            make_private(&dir)?;
            Ok(dir)
        }
        None => fresh_temp_dir(&name),
    }
}

/// A directory that is really one (not a symlink to elsewhere), writable by
/// this user alone.
fn make_private(dir: &Path) -> anyhow::Result<()> {
    let metadata = std::fs::symlink_metadata(dir).with_context(|| format!("cannot read {}", dir.display()))?;
    if !metadata.is_dir() {
        bail!("{} is not a directory (a symlink?): remove it and try again", dir.display());
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .with_context(|| format!("{} is not ours to use: cannot make it private", dir.display()))?;
    }
    Ok(())
}

fn fresh_temp_dir(name: &str) -> anyhow::Result<PathBuf> {
    let base = std::env::temp_dir();
    for attempt in 0..100u32 {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
        let dir = base.join(format!("wasmscope-{name}-{}-{nanos:x}-{attempt}", std::process::id()));
        let mut builder = std::fs::DirBuilder::new();
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        // `create`, not `create_all`: it fails on anything already there.
        match builder.create(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e).with_context(|| format!("cannot create {}", dir.display())),
        }
    }
    bail!("cannot create a private directory under {}", base.display())
}

/// Writes `bytes` to a new file beside `path` and renames it over `path`:
/// a rename replaces a symlink at `path` rather than writing through it.
fn replace_file(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let temporary = path.with_extension(format!("tmp-{}", std::process::id()));
    let _ = std::fs::remove_file(&temporary);
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&temporary)
        .with_context(|| format!("cannot write {}", temporary.display()))?;
    std::io::Write::write_all(&mut file, bytes).with_context(|| format!("cannot write {}", temporary.display()))?;
    drop(file);
    std::fs::rename(&temporary, path).with_context(|| format!("cannot write {}", path.display()))
}
