//! Pausing a running guest (through epochs), resuming it, terminating it
//! while it runs and while it is stopped, and dropping a debuggee.

#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use wasmscope_debugger::symbols::{LoadOptions, WasmSymbols};
use wasmscope_debugger::target::Resume;
use wasmscope_runtime::{Debuggee, DebuggeeEvent, GuestConfig, StopReason};
use wasmscope_test_support::guest;

/// hotspots-O0 with enough rounds to run for minutes if left alone.
fn long_running() -> GuestConfig {
    GuestConfig { program: guest("hotspots-O0"), args: vec!["100000".into()], quiet: true, ..Default::default() }
}

#[test]
fn pause_stops_a_running_guest_inside_its_hot_code_and_it_resumes() {
    let symbols = WasmSymbols::load(&guest("hotspots-O0"), &LoadOptions::default()).unwrap();
    let module = symbols.module(0).unwrap();
    let debuggee = Debuggee::launch(&long_running(), Vec::new());
    for _ in 0..2 {
        std::thread::sleep(Duration::from_millis(300));
        let asked = Instant::now();
        debuggee.pause();
        assert_eq!(debuggee.wait(), DebuggeeEvent::Stopped(StopReason::Pause));
        assert!(asked.elapsed() < Duration::from_secs(2), "paused in {:?}", asked.elapsed());
        let frames = debuggee.frames().unwrap();
        let code = module.module().code.unwrap().to_code(frames[0].offset).unwrap();
        let names: Vec<String> =
            module.frames_at(code).unwrap().iter().map(|f| f.function.as_ref().unwrap().raw.clone()).collect();
        assert!(
            names.iter().any(|n| ["heavy_work", "light_work", "mix"].contains(&n.as_str())),
            "paused in the hot code: {names:?}"
        );
        debuggee.resume(Resume::Continue).unwrap();
    }
    let asked = Instant::now();
    debuggee.terminate();
    assert_eq!(debuggee.wait(), DebuggeeEvent::Terminated);
    assert!(asked.elapsed() < Duration::from_secs(2));
}

#[test]
fn terminate_while_stopped_and_drop_leave_nothing_running() {
    let debuggee = Debuggee::launch(&long_running(), Vec::new());
    std::thread::sleep(Duration::from_millis(200));
    debuggee.pause();
    assert_eq!(debuggee.wait(), DebuggeeEvent::Stopped(StopReason::Pause));
    debuggee.terminate();
    assert_eq!(debuggee.wait(), DebuggeeEvent::Terminated);

    // Dropping a running debuggee ends it (the drop would hang otherwise).
    let started = Instant::now();
    drop(Debuggee::launch(&long_running(), Vec::new()));
    assert!(started.elapsed() < Duration::from_secs(10), "drop took {:?}", started.elapsed());
}
