//! The on-disk cache of compiled code. Alone in its test binary, and its
//! tests one at a time (`ONE_AT_A_TIME`), so no other test compiles into
//! the cache while one counts its entries.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use wasmscope_runtime::{Debuggee, DebuggeeEvent, GuestConfig, RunOutcome};
use wasmscope_test_support::{guest, wasm_edit};

static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn launch_to_the_end(name: &str, args: &[&str]) {
    let config = GuestConfig {
        program: guest(name),
        args: args.iter().map(|a| a.to_string()).collect(),
        quiet: true,
        ..Default::default()
    };
    let debuggee = Debuggee::launch(&config, Vec::new());
    assert_eq!(debuggee.wait(), DebuggeeEvent::Ended(RunOutcome::Exited(0)));
    // The cache is written in the background: wait, as the CLI does.
    wasmscope_runtime::finish_cache_writes();
}

fn files(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir).map_or(Vec::new(), |entries| {
        entries.flatten().flat_map(|e| if e.path().is_dir() { files(&e.path()) } else { vec![e.path()] }).collect()
    })
}

/// Compiled programs, and packs and indexes of compiled functions (an older
/// layout's files may be going away meanwhile).
fn cache_entries(directory: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = files(directory)
        .into_iter()
        .filter(|path| path.extension().is_some_and(|e| e == "cwasm" || e == "pack" || e == "index"))
        .collect();
    entries.sort();
    entries
}

/// The compiled program most recently written or used.
fn newest_entry(directory: &Path) -> PathBuf {
    let modified =
        |path: &PathBuf| std::fs::metadata(path).and_then(|m| m.modified()).unwrap_or(SystemTime::UNIX_EPOCH);
    files(&directory.join("modules"))
        .into_iter()
        .filter(|path| path.extension().is_some_and(|e| e == "cwasm"))
        .max_by_key(modified)
        .expect("a compiled program in the cache")
}

#[test]
fn compiled_code_is_cached_on_disk_for_the_next_launch_and_a_torn_entry_is_replaced() {
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let directory = wasmscope_runtime::cache_directory().expect("a cache directory");
    // hotspots-O2 under the debugger: a guest-debug build of it.
    launch_to_the_end("hotspots-O2", &["1"]);
    let after_first = cache_entries(&directory);
    let entry = newest_entry(&directory);
    let whole = std::fs::read(&entry).unwrap();
    launch_to_the_end("hotspots-O2", &["1"]);
    assert!(
        cache_entries(&directory) == after_first,
        "the second launch reused the entry instead of adding one: {} entries, then {}",
        after_first.len(),
        cache_entries(&directory).len()
    );

    // An entry cut short (a full disk, a crash of an older version) is
    // compiled again and written whole; the program runs as before.
    std::fs::write(&entry, &whole[..whole.len() / 2]).unwrap();
    launch_to_the_end("hotspots-O2", &["1"]);
    assert!(std::fs::read(&entry).unwrap() == whole, "the torn entry was written again");
}

/// `program` with a custom section `name` appended, written to a file of
/// its own.
fn with_custom_section(program: &Path, name: &str, data: &[u8]) -> PathBuf {
    let bytes = wasm_edit::with_custom_section(&std::fs::read(program).unwrap(), name, data);
    let path = std::env::temp_dir().join(format!("wasmscope-cache-test-{}-{name}.wasm", std::process::id()));
    std::fs::write(&path, bytes).unwrap();
    path
}

fn launch_file_to_the_end(program: PathBuf) {
    let config = GuestConfig { program, args: vec!["1".into()], quiet: true, ..Default::default() };
    let debuggee = Debuggee::launch(&config, Vec::new());
    assert_eq!(debuggee.wait(), DebuggeeEvent::Ended(RunOutcome::Exited(0)));
    wasmscope_runtime::finish_cache_writes();
}

#[test]
fn a_program_changed_only_in_its_trailing_dwarf_is_not_compiled_again() {
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let directory = wasmscope_runtime::cache_directory().expect("a cache directory");
    let program = guest("hotspots-O0");
    launch_file_to_the_end(program.clone());
    let before = cache_entries(&directory);

    // New bytes each run: no earlier run can have cached them.
    let nonce = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap().as_nanos().to_le_bytes();
    launch_file_to_the_end(with_custom_section(&program, ".debug_wasmscope_test", &nonce));
    assert!(cache_entries(&directory) == before, "the DWARF-only change found the compiled program cached");

    // Any other change is a new program.
    launch_file_to_the_end(with_custom_section(&program, "wasmscope_test", &nonce));
    assert!(cache_entries(&directory).len() > before.len(), "a change outside DWARF compiled the program again");
}
