//! Compiled code cached on disk, so relaunching an unchanged module does not
//! recompile it: Wasmtime's own cache, keyed by the module's bytes and every
//! engine setting (a guest-debug build and a plain build are separate
//! entries), and beside it the functions of earlier builds
//! (function_cache.rs), so a rebuilt module recompiles what changed. Where: `WASMSCOPE_CACHE_DIR`, else `$XDG_CACHE_HOME/wasmscope`,
//! else `~/.cache/wasmscope`. A cache that cannot be set up is skipped, never
//! an error: it only saves time.

use std::path::PathBuf;

use wasmtime::{Cache, CacheConfig, Config};

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

/// Turns the on-disk cache on for `config`, when it can be.
pub(crate) fn enable(config: &mut Config) {
    let Some(directory) = cache_directory() else {
        return;
    };
    if std::fs::create_dir_all(&directory).is_err() {
        return;
    }
    let mut cache_config = CacheConfig::new();
    // Wasmtime's cleanup removes what it does not know from its directory:
    // the function cache lives beside it, not in it.
    cache_config.with_directory(directory.join("wasmtime"));
    if let Ok(cache) = Cache::new(cache_config) {
        config.cache(Some(cache));
    }
    // Cranelift's incremental cache is marked experimental:
    // WASMSCOPE_FUNCTION_CACHE=0 turns it off.
    if std::env::var_os("WASMSCOPE_FUNCTION_CACHE").is_none_or(|v| v != "0")
        && let Some(functions) = crate::function_cache::FunctionCache::open(directory.join("functions"))
    {
        let _ = config.enable_incremental_compilation(std::sync::Arc::new(functions));
    }
}
