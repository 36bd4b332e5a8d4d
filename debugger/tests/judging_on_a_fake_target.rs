//! Breakpoint judging and expressions against a fake target, without
//! Wasmtime: a stopped frame of c-O0 whose stack pointer and linear memory
//! are the test's. The test writes a parameter through the symbols layer,
//! then conditions, hit counts, logpoints and expressions read it back.

#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::sync::mpsc::{Receiver, channel};
use std::sync::{Arc, Mutex};

use wasmscope_debugger::address::{CodeOffset, MemoryAddress, ModuleOffset};
use wasmscope_debugger::session::breakpoints::{BreakpointOptions, BreakpointTable, HitCondition};
use wasmscope_debugger::session::judge::{BreakpointJudge, JudgeOutput, interpolate};
use wasmscope_debugger::session::values::set_variable;
use wasmscope_debugger::symbols::{LoadOptions, WasmSymbols, bind_line};
use wasmscope_debugger::target::{BreakPolicy, Resume, TargetError, TargetFrame, TargetView, WasmState, WasmValue};
use wasmscope_test_support::{guest, marker, repo_root};

/// Where the fake's shadow stack sits: every Wasm local holds it, so the
/// frame base of any -O0 function is this address.
const STACK: i32 = 0x8000;
const MEMORY_SIZE: u64 = 0x10000;

/// A stopped frame with sparse linear memory.
struct FakeTarget {
    frame: TargetFrame,
    memory: HashMap<u64, u8>,
}

impl TargetView for FakeTarget {
    fn frames(&mut self) -> Result<Vec<TargetFrame>, TargetError> {
        Ok(vec![self.frame])
    }
    fn local(&mut self, frame: usize, _: u32) -> Result<WasmValue, TargetError> {
        match frame {
            0 => Ok(WasmValue::I32(STACK)),
            _ => Err(TargetError::refused(format!("no frame {frame}"))),
        }
    }
    fn global(&mut self, _: u32) -> Result<WasmValue, TargetError> {
        Ok(WasmValue::I32(STACK))
    }
    fn wasm_state(&mut self, _: usize) -> Result<WasmState, TargetError> {
        Ok(WasmState::default())
    }
    fn read_memory(&mut self, address: MemoryAddress, len: usize) -> Result<Vec<u8>, TargetError> {
        if address.0 + len as u64 > MEMORY_SIZE {
            return Err(TargetError::refused("out of bounds"));
        }
        Ok((0..len as u64).map(|i| self.memory.get(&(address.0 + i)).copied().unwrap_or(0)).collect())
    }
    fn write_memory(&mut self, address: MemoryAddress, bytes: &[u8]) -> Result<(), TargetError> {
        if address.0 + bytes.len() as u64 > MEMORY_SIZE {
            return Err(TargetError::refused("out of bounds"));
        }
        for (i, byte) in bytes.iter().enumerate() {
            self.memory.insert(address.0 + i as u64, *byte);
        }
        Ok(())
    }
    fn set_breakpoints(&mut self, _: &[ModuleOffset]) -> Result<(), TargetError> {
        Ok(())
    }
}

struct Stop {
    symbols: Arc<WasmSymbols>,
    target: FakeTarget,
    pc: CodeOffset,
    line: u32,
}

/// c-O0 stopped at `return n;` in `fib`, with `n` set to `n_value`.
fn stopped_in_fib(n_value: i32) -> Stop {
    let symbols = Arc::new(WasmSymbols::load(&guest("c-O0"), &LoadOptions::default()).unwrap());
    let module = symbols.program().unwrap();
    let line = marker(&repo_root().join("tests/guests/c/main.c"), "fib_base");
    let pc = bind_line(module, "main.c", line, &[]).unwrap().unwrap().offsets[0];
    let offset = module.module().code.unwrap().to_module(pc);
    let mut target = FakeTarget { frame: TargetFrame { module: 0, function_index: 0, offset }, memory: HashMap::new() };
    let scopes = module.variables_at(pc).unwrap();
    let n = scopes[0].variables.iter().find(|v| v.name == "n").unwrap();
    let shown =
        set_variable(module, &mut target, 0, pc, n, scopes[0].frame_base.as_ref(), &n_value.to_string()).unwrap();
    assert_eq!(shown.value, n_value.to_string());
    assert!(!target.memory.is_empty(), "an -O0 parameter lives in linear memory");
    Stop { symbols, target, pc, line }
}

fn judge(stop: &Stop, options: BreakpointOptions) -> (BreakpointJudge, Receiver<JudgeOutput>, u32) {
    let mut table = BreakpointTable::new(Vec::new());
    let set = table.set_line_breakpoints(Some(&stop.symbols), "main.c", &[(stop.line, options)]);
    let (sender, output) = channel();
    let judge = BreakpointJudge::new(Arc::new(Mutex::new(table)), stop.symbols.clone(), sender);
    (judge, output, set[0].id)
}

fn condition(text: &str) -> BreakpointOptions {
    BreakpointOptions { condition: Some(text.into()), ..BreakpointOptions::default() }
}

#[test]
fn a_condition_stops_only_when_it_holds() {
    let mut stop = stopped_in_fib(1);
    let (mut holds, _, id) = judge(&stop, condition("n == 1 && n < 2"));
    assert_eq!(holds.on_break(&mut stop.target), None, "a true condition stops");
    assert_eq!(holds.last_hits.lock().unwrap()[&0], [id]);
    let (mut fails, _, _) = judge(&stop, condition("n == 2"));
    assert_eq!(fails.on_break(&mut stop.target), Some(Resume::Continue), "a false one goes on");
}

#[test]
fn a_condition_that_cannot_be_evaluated_stops_and_says_why() {
    let mut stop = stopped_in_fib(1);
    let (mut broken, output, id) = judge(&stop, condition("no_such_name > 0"));
    assert_eq!(broken.on_break(&mut stop.target), None);
    match output.try_recv().unwrap() {
        JudgeOutput::ConditionError { id: said, error } => {
            assert_eq!(said, id);
            assert!(error.contains("no_such_name"), "{error}");
        }
        other => panic!("expected a condition error, got {other:?}"),
    }
}

#[test]
fn a_hit_count_lets_the_third_hit_stop() {
    let mut stop = stopped_in_fib(0);
    let options = BreakpointOptions { hit_condition: HitCondition::parse(">= 3"), ..BreakpointOptions::default() };
    let (mut judge, _, _) = judge(&stop, options);
    assert_eq!(judge.on_break(&mut stop.target), Some(Resume::Continue));
    assert_eq!(judge.on_break(&mut stop.target), Some(Resume::Continue));
    assert_eq!(judge.on_break(&mut stop.target), None);
}

#[test]
fn a_logpoint_prints_its_expressions_and_goes_on() {
    let mut stop = stopped_in_fib(7);
    let options =
        BreakpointOptions { log_message: Some("fib({n}) {{n*6}} = {n * 6}".into()), ..BreakpointOptions::default() };
    let (mut judge, output, _) = judge(&stop, options);
    assert_eq!(judge.on_break(&mut stop.target), Some(Resume::Continue));
    assert_eq!(output.try_recv().unwrap(), JudgeOutput::Log("fib(7) {n*6} = 42".into()));
}

#[test]
fn expressions_read_the_targets_memory_and_report_its_errors() {
    let mut stop = stopped_in_fib(-5);
    let module = stop.symbols.program().unwrap();
    let shown = interpolate("{n * n - 1}|{(unsigned char)(n + 300)}|{*&n}", module, &mut stop.target, stop.pc);
    assert_eq!(shown, "24|39|-5");
    // 0x4000 ints past `n` is past the end of the fake's memory.
    let shown = interpolate("{*(&n + 0x4000)}", module, &mut stop.target, stop.pc);
    assert!(shown.starts_with("<error:") && shown.contains("out of bounds"), "{shown}");
}
