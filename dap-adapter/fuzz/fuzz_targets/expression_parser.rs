//! Any text as a watch/condition/logpoint expression: the parser answers
//! with a tree or an error, never a panic or a stack overflow, and no tree
//! it accepts is deeper than the bound that keeps evaluation's recursion
//! safe.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wasmscope_debugger::session::expr::{Expr, MAX_DEPTH, parse};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(expr) = parse(text) {
        assert!(depth(&expr) <= MAX_DEPTH, "a tree deeper than {MAX_DEPTH} for {text:?}");
    }
});

/// Recursion here is bounded by the property checked: a tree within the
/// bound is measured, one beyond it fails the assertion first.
fn depth(expr: &Expr) -> usize {
    1 + match expr {
        Expr::Identifier(_) | Expr::Int(_) | Expr::Float(_) | Expr::Char(_) | Expr::Str(_) => 0,
        Expr::Unary(_, operand) | Expr::Cast(_, operand) => depth(operand),
        Expr::Member { base, .. } | Expr::Method { base, .. } => depth(base),
        Expr::Binary(_, left, right) | Expr::Index(left, right) => depth(left).max(depth(right)),
    }
}
