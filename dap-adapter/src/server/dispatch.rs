//! The requests wasmscope answers: one table from command to handler, with
//! the capabilities each brings (the `initialize` response is built from
//! it, so it never announces what is missing).

use serde_json::Value;

use super::Session;
use crate::handlers::{breakpoints, completions, execution, lifecycle, memory, sources, stack, variables};
use crate::message::Request;
use crate::protocol::capabilities::Supports;

pub(crate) type Handler = fn(&mut Session, &Request) -> Result<Option<Value>, String>;

macro_rules! table {
    ($($command:literal => $handler:path, [$($capability:literal),*];)*) => {
        const HANDLERS: &[(&str, Handler)] = &[$(($command, $handler)),*];
        pub(crate) const SUPPORTED: &[Supports] = &[$(Supports { command: $command, capabilities: &[$($capability),*] }),*];
    };
}

table! {
    "initialize" => lifecycle::initialize, [];
    "launch" => lifecycle::launch, [];
    "attach" => lifecycle::attach, [];
    "configurationDone" => lifecycle::configuration_done, ["supportsConfigurationDoneRequest"];
    "disconnect" => lifecycle::disconnect, [];
    "terminate" => lifecycle::terminate, ["supportsTerminateRequest"];
    "restart" => lifecycle::restart, ["supportsRestartRequest"];
    "cancel" => lifecycle::cancel, ["supportsCancelRequest"];
    "setBreakpoints" => breakpoints::set_breakpoints,
        ["supportsConditionalBreakpoints", "supportsHitConditionalBreakpoints", "supportsLogPoints"];
    "setFunctionBreakpoints" => breakpoints::set_function_breakpoints, ["supportsFunctionBreakpoints"];
    "setExceptionBreakpoints" => breakpoints::set_exception_breakpoints, [];
    "setInstructionBreakpoints" => breakpoints::set_instruction_breakpoints, ["supportsInstructionBreakpoints"];
    "breakpointLocations" => breakpoints::breakpoint_locations, ["supportsBreakpointLocationsRequest"];
    "threads" => stack::threads, [];
    "stackTrace" => stack::stack_trace, ["supportsDelayedStackTraceLoading"];
    "scopes" => stack::scopes, [];
    "variables" => variables::variables, [];
    "setVariable" => variables::set_variable, ["supportsSetVariable"];
    "setExpression" => variables::set_expression, ["supportsSetExpression"];
    "evaluate" => variables::evaluate, ["supportsEvaluateForHovers", "supportsClipboardContext"];
    "completions" => completions::completions, ["supportsCompletionsRequest"];
    "continue" => execution::continue_, [];
    "next" => execution::next, ["supportsSteppingGranularity"];
    "stepIn" => execution::step_in, [];
    "stepOut" => execution::step_out, [];
    "stepInTargets" => execution::step_in_targets, ["supportsStepInTargetsRequest"];
    "pause" => execution::pause, [];
    "exceptionInfo" => execution::exception_info, ["supportsExceptionInfoRequest"];
    "loadedSources" => sources::loaded_sources, ["supportsLoadedSourcesRequest"];
    "modules" => sources::modules, ["supportsModulesRequest"];
    "source" => sources::source, [];
    "readMemory" => memory::read_memory, ["supportsReadMemoryRequest"];
    "writeMemory" => memory::write_memory, ["supportsWriteMemoryRequest"];
    "disassemble" => memory::disassemble, ["supportsDisassembleRequest"];
}

pub(crate) fn handler(command: &str) -> Option<Handler> {
    HANDLERS.iter().find(|(name, _)| *name == command).map(|(_, handler)| *handler)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `supports…Request` capability names a request in the table.
    #[test]
    fn request_capabilities_name_handled_requests() {
        let capabilities = crate::protocol::capabilities::capabilities(SUPPORTED);
        for (name, _) in capabilities.as_object().into_iter().flatten() {
            let Some(request) = name.strip_prefix("supports").and_then(|n| n.strip_suffix("Request")) else {
                continue;
            };
            let mut command = request.to_owned();
            command[..1].make_ascii_lowercase();
            assert!(handler(&command).is_some(), "{name} announced but `{command}` is not handled");
        }
        assert!(capabilities["exceptionBreakpointFilters"].is_array());
    }
}
