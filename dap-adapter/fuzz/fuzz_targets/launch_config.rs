//! Any JSON as the arguments of a `launch` request: the configuration is
//! checked into a launch or an error that says what is wrong, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wasmscope_dap::launch_config::LaunchConfig;

fuzz_target!(|data: &[u8]| {
    let Ok(arguments) = serde_json::from_slice::<serde_json::Value>(data) else { return };
    if let Err(message) = LaunchConfig::parse(&arguments) {
        assert!(!message.is_empty());
    }
});
