//! Judging breakpoint hits on the guest's thread: conditions, hit counts
//! and logpoints are decided in the runtime's event handler, so a false
//! condition or a log line costs no round trip to the client.

use std::collections::HashMap;
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex};

use super::breakpoints::BreakpointTable;
use super::expr::{EvalContext, Expr, evaluate, is_true, parse};
use crate::address::CodeOffset;
use crate::output_budget::{Grant, OutputBudget};
use crate::symbols::{ModuleSymbols, WasmSymbols};
use crate::target::{BreakPolicy, Resume, TargetView, ThreadId};

/// What the judge tells the session besides stopping.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JudgeOutput {
    /// A logpoint's message, interpolated.
    Log(String),
    /// A condition that could not be evaluated; the breakpoint stops.
    ConditionError { id: u32, error: String },
}

/// The ids of the breakpoints behind each thread's last stop.
pub type LastHits = Arc<Mutex<HashMap<ThreadId, Vec<u32>>>>;

#[derive(Debug)]
pub struct BreakpointJudge {
    pub table: Arc<Mutex<BreakpointTable>>,
    symbols: Arc<WasmSymbols>,
    output: Sender<JudgeOutput>,
    /// The thread this judge runs on, and where its stops are recorded.
    thread: ThreadId,
    pub last_hits: LastHits,
    /// Conditions parsed once, not at every hit.
    parsed: HashMap<String, Result<Expr, String>>,
    /// Logpoint lines wait for room here (the session releases each line's
    /// length once sent), so a logpoint in a hot loop cannot flood memory.
    budget: Option<OutputBudget>,
}

impl BreakpointJudge {
    pub fn new(table: Arc<Mutex<BreakpointTable>>, symbols: Arc<WasmSymbols>, output: Sender<JudgeOutput>) -> Self {
        BreakpointJudge {
            table,
            symbols,
            output,
            thread: 0,
            last_hits: Arc::default(),
            parsed: HashMap::new(),
            budget: None,
        }
    }

    /// A judge like this one for `thread` (each thread's breaks are judged
    /// where it runs; the hits of all are recorded in one place).
    pub fn for_thread(&self, thread: ThreadId) -> Self {
        BreakpointJudge {
            table: self.table.clone(),
            symbols: self.symbols.clone(),
            output: self.output.clone(),
            thread,
            last_hits: self.last_hits.clone(),
            parsed: HashMap::new(),
            budget: self.budget.clone(),
        }
    }

    /// Logpoint lines take their length from `budget` before they are sent.
    pub fn with_budget(mut self, budget: OutputBudget) -> Self {
        self.budget = Some(budget);
        self
    }
}

impl BreakPolicy for BreakpointJudge {
    fn on_break(&mut self, view: &mut dyn TargetView) -> Option<Resume> {
        let Ok(module) = self.symbols.program() else {
            return None;
        };
        let frame = view.innermost().ok()??;
        if frame.module != self.symbols.program_index() {
            return None;
        }
        let pc = module.module().code?.to_code(frame.offset)?;
        let mut table = self.table.lock().unwrap_or_else(|p| p.into_inner());
        let mut stopping = Vec::new();
        let mut any = false;
        for breakpoint in table.at_mut(pc) {
            any = true;
            if let Some(condition) = &breakpoint.options.condition {
                let parsed =
                    self.parsed.entry(condition.clone()).or_insert_with(|| parse(condition).map_err(|e| e.to_string()));
                // Borrowed, not cloned: this runs at every hit.
                let verdict = match parsed {
                    Ok(expr) => {
                        let mut context =
                            EvalContext { symbols: module, view: &mut *view, frame: 0, pc, inline_frame: 0 };
                        evaluate(expr, &mut context).and_then(|v| is_true(&v, module))
                    }
                    Err(error) => Err(error.clone()),
                };
                match verdict {
                    Ok(false) => continue,
                    Ok(true) => {}
                    Err(error) => {
                        let _ = self.output.send(JudgeOutput::ConditionError { id: breakpoint.id, error });
                    }
                }
            }
            breakpoint.hits += 1;
            if breakpoint.options.hit_condition.is_some_and(|h| !h.allows(breakpoint.hits)) {
                continue;
            }
            match &breakpoint.options.log_message {
                Some(message) => {
                    let line = interpolate(message, module, view, pc);
                    let discard = self.budget.as_ref().is_some_and(|b| b.take_whole(line.len()) == Grant::Discard);
                    if !discard {
                        let _ = self.output.send(JudgeOutput::Log(line));
                    }
                }
                None => stopping.push(breakpoint.id),
            }
        }
        // A break at no breakpoint of ours (a leftover step) is not ours to
        // wave through.
        if !any || !stopping.is_empty() {
            self.last_hits.lock().unwrap_or_else(|p| p.into_inner()).insert(self.thread, stopping);
            return None;
        }
        Some(Resume::Continue)
    }
}

/// Evaluates `text` in the innermost frame; the value and its display.
fn evaluate_text(
    text: &str,
    module: &ModuleSymbols,
    view: &mut dyn TargetView,
    pc: CodeOffset,
) -> Result<(super::expr::Value, String), String> {
    let expr = parse(text).map_err(|e| e.to_string())?;
    let value = evaluate(&expr, &mut EvalContext { symbols: module, view: &mut *view, frame: 0, pc, inline_frame: 0 })?;
    let shown = super::expand::show_value(module, view, &value);
    Ok((value, shown))
}

/// Replaces each `{expression}` of a log message by its value; `{{` and
/// `}}` are literal braces; a failing expression shows its error.
pub fn interpolate(message: &str, module: &ModuleSymbols, view: &mut dyn TargetView, pc: CodeOffset) -> String {
    let mut out = String::new();
    let mut rest = message;
    while let Some(open) = rest.find(['{', '}']) {
        out.push_str(&rest[..open]);
        let tail = &rest[open..];
        if tail.starts_with("{{") || tail.starts_with("}}") {
            out.push_str(&tail[..1]);
            rest = &tail[2..];
            continue;
        }
        if let Some(after) = tail.strip_prefix('}') {
            out.push('}');
            rest = after;
            continue;
        }
        match tail.find('}') {
            Some(close) => {
                match evaluate_text(&tail[1..close], module, view, pc) {
                    Ok((_, shown)) => out.push_str(&shown),
                    Err(error) => out.push_str(&format!("<error: {error}>")),
                }
                rest = &tail[close + 1..];
            }
            None => {
                out.push_str(tail);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}
