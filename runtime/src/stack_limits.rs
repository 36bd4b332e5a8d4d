//! How much Wasm stack a guest may use. Plain runs allow what `wasmtime run`
//! allows (its default, or the user's `max_wasm_stack`). Guest debugging
//! keeps every local and operand in a stack slot, so its frames are several
//! times larger (a C recursion 10,000 deep at -O0 ran out at 3,600 frames
//! with the same limit): the debugger allows `DEBUG_STACK_FACTOR` times as
//! much, so that every program that runs under `wasmtime run` runs under the
//! debugger too.

use wasmtime::Config;

use wasmscope_debugger::target::GuestConfig;
pub use wasmscope_debugger::target::{
    LARGEST_MAX_WASM_STACK, SMALLEST_MAX_WASM_STACK, check_stack_size, parse_stack_size,
};

/// Wasmtime's own default (`Config::max_wasm_stack`), what `wasmtime run`
/// allows.
pub const DEFAULT_MAX_WASM_STACK: usize = 512 * 1024;
/// How much more stack guest-debug frames take, with room to spare.
pub const DEBUG_STACK_FACTOR: usize = 16;
/// Room for host code (WASI calls, the debug handler, expression
/// evaluation) on the stack the Wasm runs on.
const HOST_HEADROOM: usize = 2 * 1024 * 1024;

/// The limit a plain run of `guest` has.
pub fn plain_limit(guest: &GuestConfig) -> usize {
    guest.max_wasm_stack.unwrap_or(DEFAULT_MAX_WASM_STACK)
}

/// The limit a debugged run of `guest` has.
pub fn debug_limit(guest: &GuestConfig) -> usize {
    plain_limit(guest).saturating_mul(DEBUG_STACK_FACTOR)
}

/// Applies the plain limit (synchronous calls run on the caller's stack:
/// see [`on_a_stack_for`]).
pub(crate) fn configure_plain(config: &mut Config, guest: &GuestConfig) {
    config.max_wasm_stack(plain_limit(guest));
}

/// Applies the debug limit; async calls run on a fiber stack of their own,
/// sized to hold it.
pub(crate) fn configure_debug(config: &mut Config, guest: &GuestConfig) {
    let limit = debug_limit(guest);
    config.max_wasm_stack(limit);
    config.async_stack_size(limit + HOST_HEADROOM);
}

/// Runs `run` on a thread whose stack holds the guest's plain limit when
/// the user raised it; wasmtime's default fits any caller's stack, as under
/// `wasmtime run`.
pub(crate) fn on_a_stack_for<T: Send>(guest: &GuestConfig, run: impl FnOnce() -> T + Send) -> anyhow::Result<T> {
    if plain_limit(guest) <= DEFAULT_MAX_WASM_STACK {
        return Ok(run());
    }
    let needed = plain_limit(guest) + HOST_HEADROOM;
    std::thread::scope(|scope| {
        let thread =
            std::thread::Builder::new().name("wasmscope-guest".into()).stack_size(needed).spawn_scoped(scope, run)?;
        thread.join().map_err(|_| anyhow::anyhow!("the guest's thread panicked"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_debugger_allows_more_than_a_plain_run() {
        let guest = GuestConfig::default();
        assert_eq!(plain_limit(&guest), DEFAULT_MAX_WASM_STACK);
        assert_eq!(debug_limit(&guest), DEFAULT_MAX_WASM_STACK * DEBUG_STACK_FACTOR);
        let big = GuestConfig { max_wasm_stack: Some(4 << 20), ..GuestConfig::default() };
        assert_eq!(on_a_stack_for(&big, || 7).unwrap(), 7);
    }
}
