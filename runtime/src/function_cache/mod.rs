//! Cranelift's incremental cache on disk: compiled functions by the hash of
//! their content (and of the compiler's settings), so a rebuilt program
//! recompiles only the functions whose code changed, where Wasmtime's module
//! cache misses as soon as one byte of the module does.
//!
//! Compiling must not wait for the disk: a first compile of a large module
//! inserts tens of thousands of functions, and a file for each cost more
//! than the compile itself (inode creation and renames serialised on the
//! directory). So lookups go to an index in memory, read once per process
//! from `<cache>/functions/*.index`, and inserts go to a writer thread that
//! appends them to one pack per process (pack_format.rs, pack_writer.rs).
//! The directory is bounded (trim.rs).

mod pack_format;
mod pack_writer;
mod trim;

use std::borrow::Cow;
use std::collections::HashMap;
use std::fs::File;
use std::os::unix::fs::FileExt as _;
use std::path::{Path, PathBuf};
use std::sync::mpsc::SyncSender;
use std::sync::{Arc, Mutex, OnceLock, RwLock};

use pack_format::{MAX_KEY_LENGTH, ValueSpan, checksum, decode_entries};

/// The cache of one directory, shared by every engine of the process.
#[derive(Debug, Clone)]
pub(crate) struct FunctionCache {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    directory: PathBuf,
    index: RwLock<HashMap<Box<[u8]>, Location>>,
    open_packs: Mutex<Vec<(Arc<str>, Arc<File>)>>,
    writer: OnceLock<Option<SyncSender<pack_writer::Message>>>,
}

/// Where a cached function is: the pack's name (without extension) and
/// the span in it.
#[derive(Debug, Clone)]
struct Location {
    pack: Arc<str>,
    span: ValueSpan,
}

/// Read handles kept open at once; a rebuilt module's functions come from
/// a few packs.
const OPEN_PACKS: usize = 16;

impl FunctionCache {
    /// The cache in `directory`: the first open in a process reads its
    /// index and trims it on a thread of its own; later opens share it.
    pub(crate) fn open(directory: PathBuf) -> Option<Self> {
        let mut opened = OPENED.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
        if let Some(shared) = opened.get(&directory) {
            return Some(FunctionCache { shared: shared.clone() });
        }
        std::fs::create_dir_all(&directory).ok()?;
        let shared = Arc::new(Shared::reading(directory.clone()));
        let trimmed = directory.clone();
        let _ = std::thread::Builder::new().name("wasmscope-cache-trim".into()).spawn(move || trim::trim(&trimmed));
        opened.insert(directory, shared.clone());
        Some(FunctionCache { shared })
    }

    /// Waits until everything inserted so far is on disk and findable (a
    /// compile never waits; a process about to end does).
    pub(crate) fn settle(&self) {
        if let Some(Some(sender)) = self.shared.writer.get() {
            let (done, settled) = std::sync::mpsc::channel();
            if sender.send(pack_writer::Message::Settle(done)).is_ok() {
                let _ = settled.recv();
            }
        }
    }
}

/// The caches this process opened, by directory.
static OPENED: OnceLock<Mutex<HashMap<PathBuf, Arc<Shared>>>> = OnceLock::new();

/// Waits for every cache of this process to have written what it was given.
pub(crate) fn settle_all() {
    let opened: Vec<Arc<Shared>> = match OPENED.get() {
        Some(opened) => opened.lock().unwrap_or_else(|e| e.into_inner()).values().cloned().collect(),
        None => return,
    };
    for shared in opened {
        FunctionCache { shared }.settle();
    }
}

impl Shared {
    /// The cache of `directory` as its index files describe it now.
    fn reading(directory: PathBuf) -> Shared {
        Shared {
            index: RwLock::new(read_indexes(&directory)),
            directory,
            open_packs: Mutex::new(Vec::new()),
            writer: OnceLock::new(),
        }
    }

    fn read(&self, location: &Location) -> Option<Vec<u8>> {
        let pack = self.pack(&location.pack)?;
        let mut value = vec![0; location.span.length as usize];
        pack.read_exact_at(&mut value, location.span.offset).ok()?;
        (checksum(&value) == location.span.crc32).then_some(value)
    }

    /// An open handle on the pack `name`, the most recently used first.
    fn pack(&self, name: &Arc<str>) -> Option<Arc<File>> {
        let mut open = self.open_packs.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(at) = open.iter().position(|(open_name, _)| open_name == name) {
            let entry = open.remove(at);
            let file = entry.1.clone();
            open.insert(0, entry);
            return Some(file);
        }
        let file = Arc::new(File::open(self.directory.join(format!("{name}.pack"))).ok()?);
        open.insert(0, (name.clone(), file.clone()));
        open.truncate(OPEN_PACKS);
        Some(file)
    }

    /// Records where the writer put a batch, so this process finds it too
    /// (a restarted session on a rebuilt program).
    fn publish(&self, pack: &Arc<str>, written: Vec<(Box<[u8]>, ValueSpan)>) {
        let mut index = self.index.write().unwrap_or_else(|e| e.into_inner());
        for (key, span) in written {
            index.insert(key, Location { pack: pack.clone(), span });
        }
    }
}

impl wasmtime::CacheStore for FunctionCache {
    fn get(&self, key: &[u8]) -> Option<Cow<'_, [u8]>> {
        let location = self.shared.index.read().unwrap_or_else(|e| e.into_inner()).get(key).cloned()?;
        self.shared.read(&location).map(Cow::Owned)
    }

    fn insert(&self, key: &[u8], value: Vec<u8>) -> bool {
        if key.len() > MAX_KEY_LENGTH || value.len() > u32::MAX as usize {
            return false;
        }
        let writer = self.shared.writer.get_or_init(|| pack_writer::spawn(Arc::downgrade(&self.shared)));
        writer.as_ref().is_some_and(|sender| sender.send(pack_writer::Message::Insert(key.to_vec(), value)).is_ok())
    }
}

/// Every entry of every index in `directory`; a later pack's entry for the
/// same key wins (names sort by creation time).
fn read_indexes(directory: &Path) -> HashMap<Box<[u8]>, Location> {
    let mut names: Vec<String> = std::fs::read_dir(directory)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.strip_suffix(".index").map(str::to_owned))
        .collect();
    names.sort();
    let mut index = HashMap::new();
    for name in names {
        let Ok(bytes) = std::fs::read(directory.join(format!("{name}.index"))) else { continue };
        let pack: Arc<str> = name.into();
        for (key, span) in decode_entries(&bytes) {
            index.insert(key, Location { pack: pack.clone(), span });
        }
    }
    index
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasmtime::CacheStore as _;

    fn fresh_directory(name: &str) -> PathBuf {
        let directory = std::env::temp_dir().join(format!("wasmscope-function-cache-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&directory);
        directory
    }

    #[test]
    fn what_is_inserted_is_found_here_and_by_a_later_process() {
        let directory = fresh_directory("found");
        let cache = FunctionCache::open(directory.clone()).unwrap();
        assert!(cache.insert(&[1, 2, 0xff], b"compiled".to_vec()));
        assert!(cache.insert(&[7; 32], vec![9; 100_000]));
        cache.settle();
        assert_eq!(cache.get(&[1, 2, 0xff]).as_deref(), Some(&b"compiled"[..]));
        assert!(cache.get(&[1, 2]).is_none());
        // What another process would read from the directory.
        let later = Shared::reading(directory.clone());
        assert_eq!(later.index.read().unwrap().len(), 2);
        let location = later.index.read().unwrap().get(&[7u8; 32][..]).cloned().unwrap();
        assert_eq!(later.read(&location), Some(vec![9; 100_000]));
        let _ = std::fs::remove_dir_all(directory);
    }

    #[test]
    fn a_value_damaged_on_disk_is_a_miss() {
        let directory = fresh_directory("damaged");
        let cache = FunctionCache::open(directory.clone()).unwrap();
        assert!(cache.insert(&[3; 32], b"machine code".to_vec()));
        cache.settle();
        let location = cache.shared.index.read().unwrap().get(&[3u8; 32][..]).cloned().unwrap();
        let pack = directory.join(format!("{}.pack", location.pack));
        let mut bytes = std::fs::read(&pack).unwrap();
        bytes[location.span.offset as usize] ^= 1;
        std::fs::write(&pack, bytes).unwrap();
        let reread = Shared::reading(directory.clone());
        assert_eq!(reread.read(&location), None);
        let _ = std::fs::remove_dir_all(directory);
    }
}
