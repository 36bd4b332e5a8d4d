//! Cranelift's incremental cache on disk: compiled functions by the hash of
//! their content (and of the compiler's settings), so a rebuilt program
//! recompiles only the functions whose code changed, where Wasmtime's module
//! cache misses as soon as one byte of the module does. One file per
//! function under `<cache>/functions/`, bounded in size: past
//! [`LIMIT_BYTES`], the oldest files go first.

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// The most the function cache keeps on disk (SQLite at -O0 under guest
/// debugging takes about 70 MB).
const LIMIT_BYTES: u64 = 1 << 30;

#[derive(Debug)]
pub(crate) struct FunctionCache {
    directory: PathBuf,
}

impl FunctionCache {
    /// The cache in `directory`. The first one a process opens is trimmed
    /// on a thread of its own when it has grown past its bound (every engine
    /// opens it; one directory listing per process is enough).
    pub(crate) fn open(directory: PathBuf) -> Option<Self> {
        static TRIMMED: std::sync::Once = std::sync::Once::new();
        std::fs::create_dir_all(&directory).ok()?;
        TRIMMED.call_once(|| {
            let trimmed = directory.clone();
            let _ = std::thread::Builder::new().name("wasmscope-cache-trim".into()).spawn(move || trim(&trimmed));
        });
        Some(FunctionCache { directory })
    }

    fn path_of(&self, key: &[u8]) -> PathBuf {
        let name: String = key.iter().map(|byte| format!("{byte:02x}")).collect();
        self.directory.join(name)
    }
}

impl wasmtime::CacheStore for FunctionCache {
    fn get(&self, key: &[u8]) -> Option<Cow<'_, [u8]>> {
        std::fs::read(self.path_of(key)).ok().map(Cow::Owned)
    }

    fn insert(&self, key: &[u8], value: Vec<u8>) -> bool {
        // Written aside and renamed: a reader never sees half a file.
        let path = self.path_of(key);
        let partial = path.with_extension(format!("partial-{}", std::process::id()));
        let written = std::fs::write(&partial, value).and_then(|()| std::fs::rename(&partial, &path));
        if written.is_err() {
            let _ = std::fs::remove_file(&partial);
        }
        written.is_ok()
    }
}

/// Removes the oldest files until the directory holds at most three
/// quarters of the limit, when it holds more than the limit.
fn trim(directory: &Path) {
    let Ok(entries) = std::fs::read_dir(directory) else { return };
    let mut files: Vec<(SystemTime, u64, PathBuf)> = entries
        .flatten()
        .filter_map(|entry| {
            let metadata = entry.metadata().ok()?;
            metadata
                .is_file()
                .then(|| (metadata.modified().unwrap_or(SystemTime::UNIX_EPOCH), metadata.len(), entry.path()))
        })
        .collect();
    let mut total: u64 = files.iter().map(|(_, len, _)| len).sum();
    if total <= LIMIT_BYTES {
        return;
    }
    files.sort();
    for (_, len, path) in files {
        if total <= LIMIT_BYTES / 4 * 3 {
            break;
        }
        if std::fs::remove_file(path).is_ok() {
            total -= len;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasmtime::CacheStore as _;

    #[test]
    fn what_is_inserted_is_found_and_a_missing_key_is_not() {
        let directory = std::env::temp_dir().join(format!("wasmscope-function-cache-{}", std::process::id()));
        let cache = FunctionCache::open(directory.clone()).unwrap();
        assert!(cache.insert(&[1, 2, 0xff], b"compiled".to_vec()));
        assert_eq!(cache.get(&[1, 2, 0xff]).as_deref(), Some(&b"compiled"[..]));
        assert!(cache.get(&[1, 2]).is_none());
        let _ = std::fs::remove_dir_all(directory);
    }
}
