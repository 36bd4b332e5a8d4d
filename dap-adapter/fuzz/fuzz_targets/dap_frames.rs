//! Any byte stream fed to the DAP frame reader and message decoder: no
//! panic, no unbounded allocation, every body within the limit, and the
//! reader either makes progress or ends.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wasmscope_dap::codec::{FrameReader, MAX_BODY};
use wasmscope_dap::message::decode;

fuzz_target!(|data: &[u8]| {
    let mut reader = FrameReader::new(data);
    // Each iteration consumes input or returns; bound it anyway.
    for _ in 0..data.len() + 1 {
        match reader.read_frame() {
            Ok(Some(body)) => {
                assert!(body.len() <= MAX_BODY);
                let _ = decode(&body);
            }
            Ok(None) => break,
            Err(error) if error.is_recoverable() => {}
            Err(_) => break,
        }
    }
});
