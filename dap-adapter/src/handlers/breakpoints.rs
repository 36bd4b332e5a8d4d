//! Breakpoints: by line (with conditions, hit counts, log messages), by
//! function, by instruction, on traps; and where lines can break.

use serde_json::{Value, json};
use wasmscope_debugger::address::CodeOffset;
use wasmscope_debugger::session::breakpoints::{Breakpoint, BreakpointOptions, HitCondition};
use wasmscope_debugger::symbols::best_matches;

use crate::message::Request;
use crate::protocol::arguments::{
    BreakpointLocationsArguments, SetBreakpointsArguments, SetExceptionBreakpointsArguments,
    SetFunctionBreakpointsArguments, SetInstructionBreakpointsArguments,
};
use crate::protocol::capabilities::TRAP_FILTERS;
use crate::protocol::types::BreakpointLocation;
use crate::server::{Session, arguments, convert_breakpoint, parse_reference};

type Reply = Result<Option<Value>, String>;

fn options(
    condition: Option<&String>,
    hit_condition: Option<&String>,
    log_message: Option<&String>,
) -> Result<BreakpointOptions, String> {
    let hit_condition = match hit_condition.map(|h| h.trim()).filter(|h| !h.is_empty()) {
        Some(text) => Some(
            HitCondition::parse(text).ok_or_else(|| format!("hit condition `{text}` is not N, == N, >= N or % N"))?,
        ),
        None => None,
    };
    Ok(BreakpointOptions {
        condition: condition.filter(|c| !c.trim().is_empty()).cloned(),
        hit_condition,
        log_message: log_message.cloned(),
    })
}

pub(crate) fn set_breakpoints(session: &mut Session, request: &Request) -> Reply {
    let args: SetBreakpointsArguments = arguments(request)?;
    let file = args.source.path.clone().ok_or("wasmscope sets breakpoints in sources with a `path`")?;
    let mut lines = Vec::new();
    match &args.breakpoints {
        Some(list) => {
            for b in list {
                let options = options(b.condition.as_ref(), b.hit_condition.as_ref(), b.log_message.as_ref())?;
                lines.push((session.client.line_in(b.line), options));
            }
        }
        None => lines
            .extend(args.lines.iter().flatten().map(|l| (session.client.line_in(*l), BreakpointOptions::default()))),
    }
    let set = session.breakpoints.lock().unwrap_or_else(|p| p.into_inner()).set_line_breakpoints(
        session.symbols.as_deref(),
        &file,
        &lines,
    );
    answer(session, &set)
}

pub(crate) fn set_function_breakpoints(session: &mut Session, request: &Request) -> Reply {
    let args: SetFunctionBreakpointsArguments = arguments(request)?;
    let mut names = Vec::new();
    for b in &args.breakpoints {
        names.push((b.name.clone(), options(b.condition.as_ref(), b.hit_condition.as_ref(), None)?));
    }
    let set = session
        .breakpoints
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .set_function_breakpoints(session.symbols.as_deref(), &names);
    answer(session, &set)
}

pub(crate) fn set_instruction_breakpoints(session: &mut Session, request: &Request) -> Reply {
    let args: SetInstructionBreakpointsArguments = arguments(request)?;
    let mut offsets = Vec::new();
    for b in &args.breakpoints {
        let offset = CodeOffset(parse_reference(&b.instruction_reference, b.offset)?);
        offsets.push((offset, options(b.condition.as_ref(), b.hit_condition.as_ref(), None)?));
    }
    let set = session
        .breakpoints
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .set_instruction_breakpoints(session.symbols.as_deref(), &offsets);
    answer(session, &set)
}

pub(crate) fn set_exception_breakpoints(session: &mut Session, request: &Request) -> Reply {
    let args: SetExceptionBreakpointsArguments = arguments(request)?;
    let chosen: Vec<&str> = args
        .filters
        .iter()
        .map(String::as_str)
        .chain(args.filter_options.iter().flatten().map(|o| o.filter_id.as_str()))
        .collect();
    if let Some(unknown) = chosen.iter().find(|f| !TRAP_FILTERS.iter().any(|t| t.filter == **f)) {
        return Err(format!("unknown exception filter `{unknown}`; wasmscope has `trap`"));
    }
    session.break_on_traps = chosen.contains(&"trap");
    let verified: Vec<_> = chosen.iter().map(|_| json!({ "verified": true })).collect();
    Ok(Some(json!({ "breakpoints": verified })))
}

/// The lines between `line` and `endLine` where a breakpoint would bind.
pub(crate) fn breakpoint_locations(session: &mut Session, request: &Request) -> Reply {
    let args: BreakpointLocationsArguments = arguments(request)?;
    let (Some(symbols), Some(path)) = (&session.symbols, &args.source.path) else {
        return Ok(Some(json!({ "breakpoints": [] })));
    };
    let module = symbols.program().map_err(|e| e.to_string())?;
    let Some(lines) = module.line_index().map_err(|e| e.to_string())? else {
        return Ok(Some(json!({ "breakpoints": [] })));
    };
    // As breakpoints bind: by the launch's sourceMap only.
    let mappings = session.launch.as_ref().map(|l| l.source_map.clone()).unwrap_or_default();
    let files: Vec<_> = best_matches(path, lines.files(), &mappings)
        .into_iter()
        .map(|i| wasmscope_debugger::symbols::FileId(i as u32))
        .collect();
    let first = session.client.line_in(args.line);
    let last = args.end_line.map_or(first, |l| session.client.line_in(l));
    let mut found: Vec<u32> = lines
        .rows()
        .iter()
        .filter(|row| files.contains(&row.file) && row.is_stmt && (first..=last).contains(&row.line))
        .map(|row| row.line)
        .collect();
    found.sort_unstable();
    found.dedup();
    let locations: Vec<_> =
        found.into_iter().map(|l| BreakpointLocation { line: session.client.line_out(l) }).collect();
    Ok(Some(json!({ "breakpoints": locations })))
}

/// The response to a set-breakpoints request, once the program has them.
fn answer(session: &mut Session, set: &[Breakpoint]) -> Reply {
    let shown: Vec<_> = set.iter().map(|b| convert_breakpoint(session, b)).collect();
    push_to_target(session)?;
    Ok(Some(json!({ "breakpoints": shown })))
}

/// Hands the breakpoints to the running program; the target reaches its
/// threads, stopped or running.
fn push_to_target(session: &mut Session) -> Result<(), String> {
    if session.launch.as_ref().is_some_and(|l| l.no_debug) {
        return Ok(());
    }
    let Some(symbols) = session.symbols.clone() else { return Ok(()) };
    let offsets = session.breakpoints.lock().unwrap_or_else(|p| p.into_inner()).module_offsets(&symbols);
    match session.run.as_mut() {
        Some(run) if !run.ended => Ok(run.target.set_breakpoints(symbols.program_index(), &offsets)?),
        _ => Ok(()),
    }
}
