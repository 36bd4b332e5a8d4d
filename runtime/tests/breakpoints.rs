//! Breakpoints as a client sets them, judged in the runtime's event
//! handler: conditions, hit counts, logpoints, function breakpoints, moved
//! and pending lines; on the live C guest.

#![allow(clippy::unwrap_used)]

use std::sync::mpsc::{Receiver, channel};
use std::sync::{Arc, Mutex};

use wasmscope_debugger::session::breakpoints::{Binding, BreakpointOptions, BreakpointTable, HitCondition};
use wasmscope_debugger::session::expr::{EvalContext, evaluate, parse};
use wasmscope_debugger::session::judge::{BreakpointJudge, JudgeOutput};
use wasmscope_debugger::symbols::{LoadOptions, WasmSymbols};
use wasmscope_debugger::target::{Resume, TargetView};
use wasmscope_runtime::{Debuggee, DebuggeeEvent, GuestConfig, RunOutcome, StopReason};
use wasmscope_test_support::{guest, marker, repo_root};

struct Session {
    symbols: Arc<WasmSymbols>,
    debuggee: Debuggee,
    output: Receiver<JudgeOutput>,
    last_hits: wasmscope_debugger::session::judge::LastHits,
}

fn main_c_line(name: &str) -> u32 {
    marker(&repo_root().join("tests/guests/c/main.c"), name)
}

/// Launches c-O0 with `table`'s breakpoints judged in the handler.
fn launch(table: BreakpointTable, symbols: Arc<WasmSymbols>) -> Session {
    let offsets = table.module_offsets(&symbols);
    let (sender, output) = channel();
    let judge = BreakpointJudge::new(Arc::new(Mutex::new(table)), symbols.clone(), sender);
    let last_hits = judge.last_hits.clone();
    let config = GuestConfig { program: guest("c-O0"), quiet: true, ..Default::default() };
    let debuggee = Debuggee::launch_with_judge(&config, offsets, Some(Box::new(judge)));
    Session { symbols, debuggee, output, last_hits }
}

impl Session {
    fn eval(&mut self, text: &str) -> String {
        let module = self.symbols.module(0).unwrap();
        let frames = TargetView::frames(&mut self.debuggee).unwrap();
        let pc = module.module().code.unwrap().to_code(frames[0].offset).unwrap();
        let mut context = EvalContext { symbols: module, view: &mut self.debuggee, frame: 0, pc, inline_frame: 0 };
        evaluate(&parse(text).unwrap(), &mut context).unwrap().display(module)
    }

    /// The values of `expr` at each stop until the program ends.
    fn values_at_each_stop(&mut self, expr: &str) -> Vec<String> {
        let mut seen = Vec::new();
        loop {
            match self.debuggee.wait() {
                DebuggeeEvent::Stopped(StopReason::Breakpoint) => {
                    seen.push(self.eval(expr));
                    self.debuggee.resume(Resume::Continue).unwrap();
                }
                DebuggeeEvent::Ended(RunOutcome::Exited(0)) => return seen,
                other => panic!("unexpected {other:?}"),
            }
        }
    }
}

fn with(options: BreakpointOptions) -> Vec<(u32, BreakpointOptions)> {
    vec![(main_c_line("factorial_recurse"), options)]
}

fn symbols() -> Arc<WasmSymbols> {
    Arc::new(WasmSymbols::load(&guest("c-O0"), &LoadOptions::default()).unwrap())
}

#[test]
fn a_condition_stops_only_where_it_holds() {
    let symbols = symbols();
    let mut table = BreakpointTable::default();
    let set = table.set_line_breakpoints(
        Some(&symbols),
        "main.c",
        &with(BreakpointOptions { condition: Some("n == 3 || n == 7".into()), ..Default::default() }),
    );
    let mut session = launch(table, symbols);
    assert_eq!(session.values_at_each_stop("n"), ["7", "3"]);
    assert_eq!(session.last_hits.lock().unwrap()[&0], vec![set[0].id]);
}

#[test]
fn hit_counts_count_every_pass() {
    // factorial(10) passes the line with n = 10, 9, ..., 2.
    for (condition, expected) in [
        (HitCondition::Equal(3), vec!["8"]),
        (HitCondition::AtLeast(8), vec!["3", "2"]),
        (HitCondition::Multiple(4), vec!["7", "3"]),
    ] {
        let symbols = symbols();
        let mut table = BreakpointTable::default();
        table.set_line_breakpoints(
            Some(&symbols),
            "main.c",
            &with(BreakpointOptions { hit_condition: Some(condition), ..Default::default() }),
        );
        assert_eq!(launch(table, symbols).values_at_each_stop("n"), expected, "{condition:?}");
    }
}

#[test]
fn logpoints_print_interpolated_messages_without_stopping() {
    let symbols = symbols();
    let mut table = BreakpointTable::default();
    let options = BreakpointOptions {
        log_message: Some("n={n}, twice {n * 2}, {{literal}} {nosuch}".into()),
        ..Default::default()
    };
    table.set_line_breakpoints(Some(&symbols), "main.c", &with(options));
    let mut session = launch(table, symbols);
    assert!(session.values_at_each_stop("n").is_empty(), "a logpoint never stops");
    let lines: Vec<JudgeOutput> = session.output.try_iter().collect();
    assert_eq!(lines.len(), 9);
    assert_eq!(lines[0], JudgeOutput::Log("n=10, twice 20, {literal} <error: no variable `nosuch` in scope>".into()));
    assert_eq!(lines[8], JudgeOutput::Log("n=2, twice 4, {literal} <error: no variable `nosuch` in scope>".into()));
}

#[test]
fn function_breakpoints_moved_lines_and_pending_ones() {
    let symbols = symbols();
    let mut table = BreakpointTable::default();
    let functions = table.set_function_breakpoints(
        Some(&symbols),
        &[("fib".into(), BreakpointOptions::default()), ("no_such_function".into(), BreakpointOptions::default())],
    );
    let Binding::Verified { line: Some(fib_line), .. } = functions[0].binding else { panic!("fib binds") };
    assert!(matches!(&functions[1].binding, Binding::Failed { reason } if reason.contains("no function named")));
    // The first line of fib's body, after the prologue.
    let text = std::fs::read_to_string(repo_root().join("tests/guests/c/main.c")).unwrap();
    let signature = text.lines().position(|l| l.starts_with("static int fib(int n)")).unwrap() as u32 + 1;
    assert_eq!(fib_line, signature + 1);
    // A comment line moves to the next line with code; an unknown file fails.
    let comment = text.lines().position(|l| l.contains("/* Recursion. */")).unwrap() as u32 + 1;
    let lines = table.set_line_breakpoints(Some(&symbols), "main.c", &[(comment, BreakpointOptions::default())]);
    assert!(matches!(lines[0].binding, Binding::Verified { line: Some(l), .. } if l == comment + 1));
    let pending = table.set_line_breakpoints(Some(&symbols), "elsewhere.c", &[(3, BreakpointOptions::default())]);
    assert!(matches!(&pending[0].binding, Binding::Failed { .. }));

    let mut session = launch(table, symbols);
    // fib(10) is called 177 times (the guest counts them); the first stop
    // is the moved line in main, then fib with n = 10, 9, 8 ... depth first.
    assert_eq!(session.debuggee.wait(), DebuggeeEvent::Stopped(StopReason::Breakpoint));
    session.debuggee.resume(Resume::Continue).unwrap();
    assert_eq!(session.debuggee.wait(), DebuggeeEvent::Stopped(StopReason::Breakpoint));
    assert_eq!(session.eval("n"), "10");
    session.debuggee.resume(Resume::Continue).unwrap();
    assert_eq!(session.debuggee.wait(), DebuggeeEvent::Stopped(StopReason::Breakpoint));
    assert_eq!(session.eval("n"), "9");
}
