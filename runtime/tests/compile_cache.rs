//! The on-disk cache of compiled code. Alone in its test binary, so no
//! other test compiles into the cache while this one counts its entries.

#![allow(clippy::unwrap_used)]

use wasmscope_runtime::{Debuggee, DebuggeeEvent, GuestConfig, RunOutcome};
use wasmscope_test_support::guest;

fn config(name: &str, args: &[&str]) -> GuestConfig {
    GuestConfig {
        program: guest(name),
        args: args.iter().map(|a| a.to_string()).collect(),
        quiet: true,
        ..Default::default()
    }
}

#[test]
fn compiled_code_is_cached_on_disk_for_the_next_launch() {
    let directory = wasmscope_runtime::cache_directory().expect("a cache directory");
    let count = || walk(&directory);
    fn walk(dir: &std::path::Path) -> usize {
        std::fs::read_dir(dir)
            .map_or(0, |entries| entries.flatten().map(|e| if e.path().is_dir() { walk(&e.path()) } else { 1 }).sum())
    }
    // hotspots-O2 under the debugger: a guest-debug build of it.
    let debuggee = Debuggee::launch(&config("hotspots-O2", &["1"]), Vec::new());
    assert_eq!(debuggee.wait(), DebuggeeEvent::Ended(RunOutcome::Exited(0)));
    let after_first = count();
    assert!(after_first > 0, "the cache in {} holds the compiled module", directory.display());
    let debuggee = Debuggee::launch(&config("hotspots-O2", &["1"]), Vec::new());
    assert_eq!(debuggee.wait(), DebuggeeEvent::Ended(RunOutcome::Exited(0)));
    assert_eq!(count(), after_first, "the second launch reused the entry instead of adding one");
}
