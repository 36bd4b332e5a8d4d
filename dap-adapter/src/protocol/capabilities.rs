//! The capabilities announced in the `initialize` response. They are
//! gathered from the request handlers actually registered, each of which
//! names the capabilities it implements, so the announcement cannot claim
//! a request the adapter does not answer (design.md §2, invariant 7).

use serde_json::{Map, Value, json};

use super::types::ExceptionBreakpointsFilter;

/// A request the adapter answers and the capabilities it brings.
#[derive(Clone, Copy, Debug)]
pub struct Supports {
    pub command: &'static str,
    pub capabilities: &'static [&'static str],
}

/// The exception filters: Wasm traps, all or by kind of none.
pub const TRAP_FILTERS: &[ExceptionBreakpointsFilter] = &[ExceptionBreakpointsFilter {
    filter: "trap",
    label: "WebAssembly traps",
    description: "Stop where a trap happens (out-of-bounds access, unreachable, division by zero, …), before the stack unwinds.",
    default: true,
}];

/// The `initialize` response body for the handlers in `registered`.
pub fn capabilities<'a>(registered: impl IntoIterator<Item = &'a Supports>) -> Value {
    let mut body = Map::new();
    for supports in registered {
        for capability in supports.capabilities {
            body.insert((*capability).to_owned(), Value::Bool(true));
        }
        if supports.command == "setExceptionBreakpoints" {
            body.insert("exceptionBreakpointFilters".into(), json!(TRAP_FILTERS));
        }
        if supports.command == "completions" {
            body.insert("completionTriggerCharacters".into(), json!([".", ">"]));
        }
    }
    Value::Object(body)
}
