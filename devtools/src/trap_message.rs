//! What V8's `RuntimeError` messages say, as wasmscope's trap kinds.

use wasmscope_debugger::target::TrapKind;

/// The kind of trap an exception's description names; `None` when it is
/// not a Wasm trap (a JavaScript exception thrown through Wasm).
pub fn trap_kind(class_name: &str, description: &str) -> Option<TrapKind> {
    let message = description.lines().next().unwrap_or_default();
    if class_name == "RangeError" && message.contains("Maximum call stack size exceeded") {
        return Some(TrapKind::StackExhausted);
    }
    if class_name != "RuntimeError" {
        return None;
    }
    let kinds: &[(&str, TrapKind)] = &[
        ("unreachable", TrapKind::Unreachable),
        ("memory access out of bounds", TrapKind::MemoryOutOfBounds),
        ("divide by zero", TrapKind::IntegerDivisionByZero),
        ("remainder by zero", TrapKind::IntegerDivisionByZero),
        ("divide result unrepresentable", TrapKind::IntegerOverflow),
        ("float unrepresentable in integer range", TrapKind::BadConversionToInteger),
        ("table index is out of bounds", TrapKind::TableOutOfBounds),
        ("null function", TrapKind::IndirectCallToNull),
        ("function signature mismatch", TrapKind::IndirectCallTypeMismatch),
        ("null", TrapKind::IndirectCallToNull),
    ];
    Some(kinds.iter().find(|(words, _)| message.contains(words)).map_or(TrapKind::Other, |(_, kind)| *kind))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v8_messages_name_their_kinds() {
        assert_eq!(trap_kind("RuntimeError", "RuntimeError: unreachable\n    at f"), Some(TrapKind::Unreachable));
        assert_eq!(
            trap_kind("RuntimeError", "RuntimeError: memory access out of bounds"),
            Some(TrapKind::MemoryOutOfBounds)
        );
        assert_eq!(trap_kind("RuntimeError", "RuntimeError: divide by zero"), Some(TrapKind::IntegerDivisionByZero));
        assert_eq!(
            trap_kind("RangeError", "RangeError: Maximum call stack size exceeded"),
            Some(TrapKind::StackExhausted)
        );
        assert_eq!(trap_kind("Error", "Error: exit 0"), None);
        assert_eq!(trap_kind("RuntimeError", "RuntimeError: something new"), Some(TrapKind::Other));
    }
}
