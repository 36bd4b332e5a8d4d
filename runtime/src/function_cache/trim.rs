//! Keeps the function cache's directory bounded: past [`LIMIT_BYTES`] of
//! packs, or [`LIMIT_PACKS`] of them, the oldest go first, with their
//! indexes. Files of an older layout (one file per function) are removed.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// The most the function cache keeps on disk (SQLite at -O0 under guest
/// debugging takes about 70 MB).
const LIMIT_BYTES: u64 = 1 << 30;

/// The most packs kept: every process reads every index at its first
/// compile.
const LIMIT_PACKS: usize = 256;

/// Trims `directory` to three quarters of the limits, when it is past one.
pub(super) fn trim(directory: &Path) {
    let Ok(entries) = std::fs::read_dir(directory) else { return };
    let mut packs: Vec<(SystemTime, u64, PathBuf)> = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(metadata) = entry.metadata() else { continue };
        if !metadata.is_file() {
            continue;
        }
        match path.extension().and_then(|extension| extension.to_str()) {
            Some("pack") => packs.push((metadata.modified().unwrap_or(SystemTime::UNIX_EPOCH), metadata.len(), path)),
            Some("index") => {}
            _ => {
                let _ = std::fs::remove_file(&path);
            }
        }
    }
    let mut total: u64 = packs.iter().map(|(_, length, _)| length).sum();
    if total <= LIMIT_BYTES && packs.len() <= LIMIT_PACKS {
        return;
    }
    packs.sort();
    let mut left = packs.len();
    for (_, length, path) in packs {
        if total <= LIMIT_BYTES / 4 * 3 && left <= LIMIT_PACKS / 4 * 3 {
            break;
        }
        // The index first: a pack without one is never read.
        let _ = std::fs::remove_file(path.with_extension("index"));
        if std::fs::remove_file(&path).is_ok() {
            total -= length;
            left -= 1;
        }
    }
}
