//! How much Wasm stack a guest may use. Plain runs allow what `wasmtime run`
//! allows (its default, or the user's `max_wasm_stack`). Guest debugging
//! keeps every local and operand in a stack slot, so its frames are several
//! times larger (a C recursion 10,000 deep at -O0 ran out at 3,600 frames
//! with the same limit): the debugger allows `DEBUG_STACK_FACTOR` times as
//! much, so that every program that runs under `wasmtime run` runs under the
//! debugger too.

use wasmtime::Config;

use crate::guest::GuestConfig;

/// Wasmtime's own default (`Config::max_wasm_stack`), what `wasmtime run`
/// allows.
pub const DEFAULT_MAX_WASM_STACK: usize = 512 * 1024;
/// The most a user may ask for.
pub const LARGEST_MAX_WASM_STACK: usize = 256 * 1024 * 1024;
/// The least a user may ask for.
pub const SMALLEST_MAX_WASM_STACK: usize = 64 * 1024;
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

/// Parses a size in bytes: `1048576`, `512K`, `8M`, `1G` (powers of 1024;
/// `KiB`, `MiB`, `GiB` and `B` suffixes also accepted), within the bounds.
pub fn parse_stack_size(text: &str) -> Result<usize, String> {
    let trimmed = text.trim();
    let digits_end = trimmed.find(|c: char| !c.is_ascii_digit()).unwrap_or(trimmed.len());
    let (digits, unit) = trimmed.split_at(digits_end);
    let multiplier: usize = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kib" | "kb" => 1 << 10,
        "m" | "mib" | "mb" => 1 << 20,
        "g" | "gib" | "gb" => 1 << 30,
        _ => return Err(format!("`{text}` is not a size (e.g. 8M, 512K, 1048576)")),
    };
    let size = digits
        .parse::<usize>()
        .ok()
        .and_then(|n| n.checked_mul(multiplier))
        .ok_or_else(|| format!("`{text}` is not a size (e.g. 8M, 512K, 1048576)"))?;
    check_stack_size(size)
}

/// A stack size within the accepted bounds.
pub fn check_stack_size(size: usize) -> Result<usize, String> {
    if !(SMALLEST_MAX_WASM_STACK..=LARGEST_MAX_WASM_STACK).contains(&size) {
        return Err(format!(
            "the maximum Wasm stack must be between {} KiB and {} MiB",
            SMALLEST_MAX_WASM_STACK >> 10,
            LARGEST_MAX_WASM_STACK >> 20
        ));
    }
    Ok(size)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_with_binary_units_and_bounds() {
        assert_eq!(parse_stack_size("8M"), Ok(8 << 20));
        assert_eq!(parse_stack_size("512KiB"), Ok(512 << 10));
        assert_eq!(parse_stack_size("1048576"), Ok(1 << 20));
        assert!(parse_stack_size("1g").unwrap_err().contains("between"));
        assert!(parse_stack_size("1K").unwrap_err().contains("between"));
        assert!(parse_stack_size("lots").unwrap_err().contains("not a size"));
        assert!(parse_stack_size("99999999999999999999M").unwrap_err().contains("not a size"));
        assert!(parse_stack_size("-1").is_err());
    }

    #[test]
    fn the_debugger_allows_more_than_a_plain_run() {
        let guest = GuestConfig::default();
        assert_eq!(plain_limit(&guest), DEFAULT_MAX_WASM_STACK);
        assert_eq!(debug_limit(&guest), DEFAULT_MAX_WASM_STACK * DEBUG_STACK_FACTOR);
        let big = GuestConfig { max_wasm_stack: Some(4 << 20), ..GuestConfig::default() };
        assert_eq!(on_a_stack_for(&big, || 7).unwrap(), 7);
    }
}
