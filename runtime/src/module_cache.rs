//! Compiled programs cached on disk, so relaunching an unchanged program
//! does not compile it again: `<cache>/modules/<key>.cwasm`, keyed by the
//! program's bytes and by every engine setting that shapes the code (a
//! guest-debug build and a plain build are separate entries).
//!
//! Wasmtime has a cache of its own, but it compresses and writes the entry
//! inside `Module::new`, on the path to the first stop (a fifth of the time
//! after a rebuild). Here the compiled program is returned at once and
//! written by a thread of its own; entries are left uncompressed and loaded
//! by mapping the file. A short command waits for the write before the
//! process ends (`compile_cache::finish_cache_writes`).
//!
//! Loading an entry is `unsafe` (it maps machine code): see `compile`.
#![allow(unsafe_code)]

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::thread::JoinHandle;
use std::time::SystemTime;

use sha2::Digest as _;
use wasmtime::component::Component;
use wasmtime::{Engine, Module};

/// The most the cache keeps on disk; past it the least recently used
/// entries go first.
const LIMIT_BYTES: u64 = 2 << 30;

/// A compiled form of a program: a core module or a component.
pub(crate) trait Artifact: Clone + Send + 'static {
    fn compile(engine: &Engine, bytes: &[u8]) -> wasmtime::Result<Self>;
    /// # Safety
    /// `path` must hold what `serialize` wrote for the same engine
    /// settings, unchanged while it is mapped.
    unsafe fn load(engine: &Engine, path: &Path) -> wasmtime::Result<Self>;
    fn serialize(&self) -> wasmtime::Result<Vec<u8>>;
}

impl Artifact for Module {
    fn compile(engine: &Engine, bytes: &[u8]) -> wasmtime::Result<Self> {
        Module::new(engine, bytes)
    }
    unsafe fn load(engine: &Engine, path: &Path) -> wasmtime::Result<Self> {
        // SAFETY: as the trait requires.
        unsafe { Module::deserialize_file(engine, path) }
    }
    fn serialize(&self) -> wasmtime::Result<Vec<u8>> {
        Module::serialize(self)
    }
}

impl Artifact for Component {
    fn compile(engine: &Engine, bytes: &[u8]) -> wasmtime::Result<Self> {
        Component::new(engine, bytes)
    }
    unsafe fn load(engine: &Engine, path: &Path) -> wasmtime::Result<Self> {
        // SAFETY: as the trait requires.
        unsafe { Component::deserialize_file(engine, path) }
    }
    fn serialize(&self) -> wasmtime::Result<Vec<u8>> {
        Component::serialize(self)
    }
}

/// `bytes` compiled for `engine`: from the cache when an earlier run
/// compiled the same bytes with the same settings, else compiled now and
/// written to the cache in the background.
pub(crate) fn compile<A: Artifact>(engine: &Engine, bytes: &[u8]) -> wasmtime::Result<A> {
    let Some(directory) = modules_directory() else { return A::compile(engine, bytes) };
    let path = directory.join(format!("{}.cwasm", key(engine, bytes)));
    if path.is_file() {
        // SAFETY: the cache directory is the user's own, entries are only
        // ever renamed into place whole and never rewritten, and Wasmtime
        // checks that the entry was compiled by this version with these
        // settings.
        match unsafe { A::load(engine, &path) } {
            Ok(artifact) => {
                mark_used(&path);
                return Ok(artifact);
            }
            Err(_) => {
                let _ = std::fs::remove_file(&path);
            }
        }
    }
    let artifact = A::compile(engine, bytes)?;
    let written = artifact.clone();
    let writer = std::thread::Builder::new()
        .name("wasmscope-module-cache".into())
        .spawn(move || write_entry(&directory, &path, &written));
    if let Ok(writer) = writer {
        PENDING.lock().unwrap_or_else(|e| e.into_inner()).push(writer);
    }
    Ok(artifact)
}

/// Cache writes still under way.
static PENDING: Mutex<Vec<JoinHandle<()>>> = Mutex::new(Vec::new());

/// Waits for this process's writes of compiled programs to end.
pub(crate) fn finish_writes() {
    let pending = std::mem::take(&mut *PENDING.lock().unwrap_or_else(|e| e.into_inner()));
    for writer in pending {
        let _ = writer.join();
    }
}

fn modules_directory() -> Option<PathBuf> {
    let directory = crate::compile_cache::cache_directory()?.join("modules");
    std::fs::create_dir_all(&directory).ok()?;
    Some(directory)
}

/// The entry's name: a SHA-256 of the engine's settings and the program.
fn key(engine: &Engine, bytes: &[u8]) -> String {
    let mut settings = Sha256Hasher(sha2::Sha256::new());
    engine.precompile_compatibility_hash().hash(&mut settings);
    let mut hasher = settings.0;
    hasher.update(bytes);
    hasher.finalize().iter().map(|byte| format!("{byte:02x}")).collect()
}

/// `Hash` into SHA-256: the same settings give the same name in every run
/// (std's hashers promise no such thing across releases).
struct Sha256Hasher(sha2::Sha256);

impl Hasher for Sha256Hasher {
    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }
    fn finish(&self) -> u64 {
        0
    }
}

/// Writes the entry aside and renames it into place: a reader never maps
/// half a file. Then trims the directory.
fn write_entry<A: Artifact>(directory: &Path, path: &Path, artifact: &A) {
    let Ok(serialized) = artifact.serialize() else { return };
    let partial = path.with_extension(format!("partial-{}", std::process::id()));
    if std::fs::write(&partial, serialized).and_then(|()| std::fs::rename(&partial, path)).is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    trim(directory);
}

/// Entries are trimmed by modification time: a load sets it to now.
fn mark_used(path: &Path) {
    if let Ok(file) = std::fs::File::options().append(true).open(path) {
        let _ = file.set_modified(SystemTime::now());
    }
}

/// Removes the least recently used entries until the directory holds at
/// most three quarters of the limit, when it holds more than the limit.
/// Unfinished writes of other processes are left alone for a day.
fn trim(directory: &Path) {
    let Ok(entries) = std::fs::read_dir(directory) else { return };
    let mut files: Vec<(SystemTime, u64, PathBuf)> = entries
        .flatten()
        .filter_map(|entry| {
            let metadata = entry.metadata().ok()?;
            let modified = metadata.modified().unwrap_or(SystemTime::UNIX_EPOCH);
            let is_entry = entry.path().extension().is_some_and(|extension| extension == "cwasm");
            let abandoned = modified.elapsed().is_ok_and(|age| age.as_secs() > 24 * 3600);
            (metadata.is_file() && (is_entry || abandoned)).then(|| (modified, metadata.len(), entry.path()))
        })
        .collect();
    let mut total: u64 = files.iter().map(|(_, length, _)| length).sum();
    if total <= LIMIT_BYTES {
        return;
    }
    files.sort();
    for (_, length, path) in files {
        if total <= LIMIT_BYTES / 4 * 3 {
            break;
        }
        if std::fs::remove_file(path).is_ok() {
            total -= length;
        }
    }
}
