//! Files of ours in the temporary directory (the WASI runner Node runs, a
//! fetched debug file, chromium's profile directory): named per process and
//! per use, so that concurrent sessions never share one.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

/// A fresh path: `wasmscope-<prefix>-<pid>-<n><suffix>` in the temporary
/// directory.
pub fn temp_path(prefix: &str, suffix: &str) -> PathBuf {
    static USES: AtomicU32 = AtomicU32::new(0);
    let n = USES.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!("wasmscope-{prefix}-{}-{n}{suffix}", std::process::id()))
}

/// A file of ours, removed when dropped.
#[derive(Debug)]
pub struct TempFile(pub PathBuf);

impl TempFile {
    pub fn write(prefix: &str, suffix: &str, bytes: &[u8]) -> Result<TempFile, String> {
        let path = temp_path(prefix, suffix);
        std::fs::write(&path, bytes).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(TempFile(path))
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}
