//! Compiled code cached on disk, so relaunching an unchanged program does
//! not recompile it (module_cache.rs), and the functions of earlier builds
//! (function_cache.rs), so a rebuilt program recompiles what changed.
//! Where: `WASMSCOPE_CACHE_DIR`, else `$XDG_CACHE_HOME/wasmscope`, else
//! `~/.cache/wasmscope`. A cache that cannot be set up is skipped, never
//! an error: it only saves time.

use std::path::PathBuf;

use wasmtime::Config;

/// The directory compiled modules are cached in.
pub fn cache_directory() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("WASMSCOPE_CACHE_DIR") {
        return Some(PathBuf::from(dir));
    }
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))?;
    Some(base.join("wasmscope"))
}

/// Waits for the cache writes of this process to end, so that a command
/// that compiled a program leaves it cached for the next one.
pub fn finish_cache_writes() {
    crate::module_cache::finish_writes();
    crate::function_cache::settle_all();
}

/// Turns Cranelift's function cache on for `config`, when it can be (the
/// compiled programs themselves are cached by module_cache.rs).
pub(crate) fn enable(config: &mut Config) {
    let Some(directory) = cache_directory() else {
        return;
    };
    if std::fs::create_dir_all(&directory).is_err() {
        return;
    }
    remove_wasmtime_cache(&directory);
    // Cranelift's incremental cache is marked experimental:
    // WASMSCOPE_FUNCTION_CACHE=0 turns it off.
    if std::env::var_os("WASMSCOPE_FUNCTION_CACHE").is_none_or(|v| v != "0")
        && let Some(functions) = crate::function_cache::FunctionCache::open(directory.join("functions"))
    {
        let _ = config.enable_incremental_compilation(std::sync::Arc::new(functions));
    }
}

/// Earlier versions kept compiled programs in Wasmtime's own cache, under
/// `<cache>/wasmtime`: nothing reads it any more.
fn remove_wasmtime_cache(directory: &std::path::Path) {
    static REMOVED: std::sync::Once = std::sync::Once::new();
    let old = directory.join("wasmtime");
    REMOVED.call_once(|| {
        if old.is_dir() {
            let _ = std::thread::Builder::new()
                .name("wasmscope-cache-trim".into())
                .spawn(move || std::fs::remove_dir_all(old));
        }
    });
}
