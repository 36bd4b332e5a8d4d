//! Any bytes as a coredump: parsed into a dump or an error that says what
//! is wrong, never a panic; a dump that parses answers every read within
//! its memory and nothing beyond it.
#![no_main]

use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use wasmscope_debugger::address::MemoryAddress;
use wasmscope_debugger::coredump::CoreDump;

fuzz_target!(|data: &[u8]| {
    match CoreDump::parse(&Arc::from(data), "fuzz") {
        Ok(dump) => {
            let _ = dump.trapped_thread();
            for memory in &dump.memories {
                assert!(memory.read(MemoryAddress(memory.size), 1).is_none());
                let _ = memory.read(MemoryAddress(0), 256);
                let _ = memory.read(MemoryAddress(memory.size.saturating_sub(16)), 16);
            }
        }
        Err(error) => assert!(!error.to_string().contains('\n')),
    }
});
