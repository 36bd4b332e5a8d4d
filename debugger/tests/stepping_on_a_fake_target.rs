//! The stepper against a fake target, without Wasmtime: what it asks of the
//! target and how it judges each event. A step over runs between
//! breakpoints (no single steps), passes a deeper recursion, and stops in
//! the caller when the function returns; a step into single-steps.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use wasmscope_debugger::address::{MemoryAddress, ModuleOffset};
use wasmscope_debugger::session::stepping::{StepKind, Stepper};
use wasmscope_debugger::symbols::{LoadOptions, WasmSymbols, bind_line};
use wasmscope_debugger::target::{BreakPolicy, Resume, TargetError, TargetFrame, TargetView, WasmState, WasmValue};
use wasmscope_test_support::{guest, marker, repo_root};

/// A stopped guest reduced to its stack and its breakpoints.
struct FakeTarget {
    frames: Vec<TargetFrame>,
    breakpoints: Vec<ModuleOffset>,
    breakpoint_edits: usize,
}

impl TargetView for FakeTarget {
    fn frames(&mut self) -> Result<Vec<TargetFrame>, TargetError> {
        Ok(self.frames.clone())
    }
    fn local(&mut self, _: usize, _: u32) -> Result<WasmValue, TargetError> {
        Err(TargetError::refused("no locals in the fake target"))
    }
    fn global(&mut self, _: u32) -> Result<WasmValue, TargetError> {
        Err(TargetError::refused("no globals in the fake target"))
    }
    fn wasm_state(&mut self, _: usize) -> Result<WasmState, TargetError> {
        Err(TargetError::refused("no state in the fake target"))
    }
    fn read_memory(&mut self, _: MemoryAddress, _: usize) -> Result<Vec<u8>, TargetError> {
        Err(TargetError::refused("no memory in the fake target"))
    }
    fn write_memory(&mut self, _: MemoryAddress, _: &[u8]) -> Result<(), TargetError> {
        Err(TargetError::refused("no memory in the fake target"))
    }
    fn set_breakpoints(&mut self, offsets: &[ModuleOffset]) -> Result<(), TargetError> {
        self.breakpoints = offsets.to_vec();
        self.breakpoint_edits += 1;
        Ok(())
    }
}

/// c-O0's symbols, and the module offset where a breakpoint on `name`
/// (a `// BP:` marker of main.c) binds.
fn c_guest() -> (Arc<WasmSymbols>, impl Fn(&str) -> ModuleOffset) {
    let symbols = Arc::new(WasmSymbols::load(&guest("c-O0"), &LoadOptions::default()).unwrap());
    let lookup = symbols.clone();
    let at = move |name: &str| {
        let module = lookup.program().unwrap();
        let line = marker(&repo_root().join("tests/guests/c/main.c"), name);
        let offset = bind_line(module, "main.c", line, &[]).unwrap().unwrap().offsets[0];
        module.module().code.unwrap().to_module(offset)
    };
    (symbols, at)
}

fn frame(offset: ModuleOffset) -> TargetFrame {
    TargetFrame { module: 0, function_index: 0, offset }
}

#[test]
fn a_step_over_runs_between_breakpoints_and_stops_in_the_caller() {
    let (symbols, at) = c_guest();
    let (recurse, base, in_main) = (at("factorial_recurse"), at("factorial_base"), at("after_struct_init"));
    let mut target =
        FakeTarget { frames: vec![frame(recurse), frame(in_main)], breakpoints: vec![], breakpoint_edits: 0 };
    let mut stepper = Stepper::new(symbols, StepKind::Over, &mut target, Vec::new()).unwrap();
    assert_eq!(stepper.first_resume(), Resume::Continue, "no single steps");
    assert!(target.breakpoints.contains(&base), "a breakpoint on the function's other statements");
    assert!(target.breakpoints.contains(&in_main), "and on its return address");
    let edits = target.breakpoint_edits;

    // A deeper call of the same function passing one of them goes on,
    // without touching the breakpoints.
    target.frames = vec![frame(base), frame(recurse), frame(in_main)];
    assert_eq!(stepper.on_break(&mut target), Some(Resume::Continue));
    assert_eq!(target.breakpoint_edits, edits);
    assert!(!stepper.is_done());

    // The function returned: the step ends in the caller, and only the
    // client's breakpoints (none) are left.
    target.frames = vec![frame(in_main)];
    assert_eq!(stepper.on_break(&mut target), None);
    assert!(stepper.is_done());
    assert!(target.breakpoints.is_empty());
}

#[test]
fn a_step_into_single_steps() {
    let (symbols, at) = c_guest();
    let mut target = FakeTarget {
        frames: vec![frame(at("factorial_recurse")), frame(at("after_struct_init"))],
        breakpoints: vec![],
        breakpoint_edits: 0,
    };
    let stepper = Stepper::new(symbols, StepKind::Into, &mut target, Vec::new()).unwrap();
    assert_eq!(stepper.first_resume(), Resume::Step);
    assert_eq!(target.breakpoint_edits, 0);
}

#[test]
fn a_step_out_to_a_return_address_without_a_line_goes_on_to_the_callers_next_statement() {
    // At -O2 a return address is often line 0 (code merged from several
    // lines) in a caller that has lines: the step must not leave that caller.
    let symbols = Arc::new(WasmSymbols::load(&guest("c-O2"), &LoadOptions::default()).unwrap());
    let module = symbols.program().unwrap();
    let code = module.module().code.unwrap();
    let lines = module.line_index().unwrap().unwrap();
    let functions = module.function_index().unwrap().unwrap();
    let statement_in = |f: &wasmscope_debugger::symbols::FunctionInfo| {
        f.ranges.iter().flat_map(|r| lines.statement_starts(r.clone())).next()
    };
    let (line0, next) = lines
        .rows()
        .iter()
        .filter(|r| r.line == 0 && !r.end_sequence)
        .find_map(|r| Some((r.address, statement_in(functions.body_at(r.address)?)?)))
        .expect("c-O2 has line-0 code in a function with statements");
    let callee =
        lines.rows().iter().find(|r| r.is_stmt && r.line != 0 && functions.body_at(r.address).is_some()).unwrap();
    let (line0, next, callee) = (code.to_module(line0), code.to_module(next), code.to_module(callee.address));

    let mut target = FakeTarget { frames: vec![frame(callee), frame(line0)], breakpoints: vec![], breakpoint_edits: 0 };
    let mut stepper = Stepper::new(symbols, StepKind::Out, &mut target, Vec::new()).unwrap();
    assert_eq!(stepper.first_resume(), Resume::Continue);
    assert_eq!(target.breakpoints, vec![line0], "runs to the return address");

    // Back in the caller, at no line: single steps on in that frame (not a
    // run out of it), with only the client's breakpoints (none) left.
    target.frames = vec![frame(line0)];
    assert_eq!(stepper.on_break(&mut target), Some(Resume::Step));
    assert!(target.breakpoints.is_empty());
    assert!(!stepper.is_done());

    // A statement of the caller: the step ends there.
    target.frames = vec![frame(next)];
    assert_eq!(stepper.on_break(&mut target), None);
    assert!(stepper.is_done());
}
