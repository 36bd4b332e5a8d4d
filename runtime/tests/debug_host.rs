//! The instrumented runtime on the C guest: breakpoints bound from source
//! markers, stops, stacks, DWARF variables read through the debuggee,
//! stepping, traps caught before unwinding.

#![allow(clippy::unwrap_used)]

use wasmscope_debugger::address::{CodeOffset, MemoryAddress, ModuleOffset};
use wasmscope_debugger::symbols::{
    EvalStep, LoadOptions, ModuleSymbols, Need, PieceLocation, WasmSymbols, bind_line, read_uint, size_of,
};
use wasmscope_debugger::target::Resume;
use wasmscope_runtime::{Debuggee, DebuggeeEvent, GuestConfig, RunOutcome, StopReason, TrapKind};
use wasmscope_test_support::{guest, marker, repo_root};

fn config(name: &str, args: &[&str]) -> GuestConfig {
    GuestConfig {
        program: guest(name),
        args: args.iter().map(|a| a.to_string()).collect(),
        quiet: true,
        ..Default::default()
    }
}

fn marker_offset(symbols: &ModuleSymbols, name: &str) -> ModuleOffset {
    let line = marker(&repo_root().join("tests/guests/c/main.c"), name);
    let binding = bind_line(symbols, "main.c", line, &[]).unwrap().unwrap();
    symbols.module().code.unwrap().to_module(binding.offsets[0])
}

fn code_offset(symbols: &ModuleSymbols, offset: ModuleOffset) -> CodeOffset {
    symbols.module().code.unwrap().to_code(offset).unwrap()
}

/// Reads a scalar variable of the innermost frame through DWARF, asking the
/// debuggee for every Wasm local and memory word the location needs.
fn read_variable(debuggee: &Debuggee, symbols: &ModuleSymbols, name: &str) -> u64 {
    let pc = code_offset(symbols, debuggee.frames().unwrap()[0].offset);
    let frames = symbols.variables_at(pc).unwrap();
    let variable = frames[0].variables.iter().find(|v| v.name == name).unwrap_or_else(|| panic!("no {name}"));
    let mut eval = variable.location_eval(frames[0].frame_base.as_ref()).unwrap().unwrap();
    let mut step = eval.evaluate().unwrap();
    loop {
        match step {
            EvalStep::Needs(Need::WasmLocal(i)) => {
                step = eval.resume(debuggee.local(0, i).unwrap().as_u64().unwrap()).unwrap()
            }
            EvalStep::Needs(Need::WasmGlobal(i)) => {
                step = eval.resume(debuggee.global(i).unwrap().as_u64().unwrap()).unwrap()
            }
            EvalStep::Needs(Need::Memory { address, size }) => {
                let bytes = debuggee.read_memory(address, size as usize).unwrap();
                step = eval.resume(read_uint(&bytes, u64::from(size)).unwrap()).unwrap();
            }
            EvalStep::Needs(other) => panic!("unexpected need {other:?}"),
            EvalStep::Done(pieces) => {
                let size = size_of(symbols, variable.ty).unwrap();
                return match &pieces[0].location {
                    PieceLocation::Memory(address) => {
                        read_uint(&debuggee.read_memory(*address, size as usize).unwrap(), size).unwrap()
                    }
                    PieceLocation::WasmLocal(i) => debuggee.local(0, *i).unwrap().as_u64().unwrap(),
                    PieceLocation::Value(v) => *v,
                    other => panic!("unexpected location {other:?}"),
                };
            }
        }
    }
}

#[test]
fn breakpoints_stop_in_recursion_with_the_right_parameter_values() {
    let symbols = WasmSymbols::load(&guest("c-O0"), &LoadOptions::default()).unwrap();
    let module = symbols.module(0).unwrap();
    let breakpoint = marker_offset(module, "factorial_recurse");
    let debuggee = Debuggee::launch(&config("c-O0", &[]), vec![breakpoint]);

    // main calls factorial(10) (depth 10 is the default); each stop is one
    // level deeper, with n one smaller.
    let mut depth_before = 0;
    for expected_n in [10, 9, 8] {
        assert_eq!(debuggee.wait(), DebuggeeEvent::Stopped(StopReason::Breakpoint));
        let frames = debuggee.frames().unwrap();
        assert_eq!(frames[0].offset, breakpoint);
        let line = marker(&repo_root().join("tests/guests/c/main.c"), "factorial_recurse");
        let innermost = module.frames_at(code_offset(module, frames[0].offset)).unwrap();
        assert_eq!(innermost[0].location.as_ref().unwrap().line, line);
        assert_eq!(innermost[0].function.as_ref().unwrap().raw, "factorial");
        assert_eq!(read_variable(&debuggee, module, "n") as i32, expected_n);
        assert!(frames.len() > depth_before, "one frame deeper each time");
        depth_before = frames.len();
        // Guest-debug frames report a caller at its return address: the
        // instruction before it is the call, in the function the frame names.
        for frame in &frames[1..] {
            let at = code_offset(module, frame.offset);
            let call = module.module().instruction_before(at).unwrap();
            assert!(module.module().is_call(call), "no call before the caller frame at {at}");
            assert_eq!(module.module().function_at(call).unwrap().index, frame.function_index);
        }
        debuggee.resume(Resume::Continue).unwrap();
    }
    assert_eq!(debuggee.wait(), DebuggeeEvent::Stopped(StopReason::Breakpoint));
    debuggee.set_breakpoints(Vec::new()).unwrap();
    debuggee.resume(Resume::Continue).unwrap();
    assert_eq!(debuggee.wait(), DebuggeeEvent::Ended(RunOutcome::Exited(0)));
}

#[test]
fn a_step_stops_at_the_next_instruction_and_memory_can_be_written() {
    let symbols = WasmSymbols::load(&guest("c-O0"), &LoadOptions::default()).unwrap();
    let module = symbols.module(0).unwrap();
    let breakpoint = marker_offset(module, "static_local");
    let debuggee = Debuggee::launch(&config("c-O0", &[]), vec![breakpoint]);
    assert_eq!(debuggee.wait(), DebuggeeEvent::Stopped(StopReason::Breakpoint));
    let before = debuggee.frames().unwrap()[0].offset;
    debuggee.set_breakpoints(Vec::new()).unwrap();
    debuggee.resume(Resume::Step).unwrap();
    assert_eq!(debuggee.wait(), DebuggeeEvent::Stopped(StopReason::Breakpoint));
    let after = debuggee.frames().unwrap()[0].offset;
    let instructions = module.module().instruction_offsets().unwrap();
    let at = instructions.iter().position(|o| *o == code_offset(module, before)).unwrap();
    assert_eq!(code_offset(module, after), instructions[at + 1], "one instruction later");

    // `static int counter` lives at a fixed address: write it and read it back.
    let counter = read_variable(&debuggee, module, "counter");
    assert!(counter >= 100, "counter starts at 100: {counter}");
    let pc = code_offset(module, after);
    let variables = module.variables_at(pc).unwrap();
    let static_counter = variables[0].variables.iter().find(|v| v.name == "counter").unwrap();
    let mut eval = static_counter.location_eval(None).unwrap().unwrap();
    let EvalStep::Done(pieces) = eval.evaluate().unwrap() else { panic!("a static needs nothing") };
    let PieceLocation::Memory(address) = pieces[0].location else { panic!("in memory") };
    debuggee.write_memory(address, 4242u32.to_le_bytes().to_vec()).unwrap();
    assert_eq!(read_variable(&debuggee, module, "counter"), 4242);
    assert!(debuggee.read_memory(MemoryAddress(u64::MAX / 2), 4).is_err(), "out of bounds is an error");
    debuggee.resume(Resume::Continue).unwrap();
    assert_eq!(debuggee.wait(), DebuggeeEvent::Ended(RunOutcome::Exited(0)));
}

#[test]
fn a_trap_stops_before_unwinding_at_the_faulting_line() {
    let symbols = WasmSymbols::load(&guest("c-O0"), &LoadOptions::default()).unwrap();
    let module = symbols.module(0).unwrap();
    let debuggee = Debuggee::launch(&config("c-O0", &["trap-oob"]), Vec::new());
    assert_eq!(debuggee.wait(), DebuggeeEvent::Stopped(StopReason::Trap(TrapKind::MemoryOutOfBounds)));
    let frames = debuggee.frames().unwrap();
    let line = marker(&repo_root().join("tests/guests/c/main.c"), "trap_oob");
    let innermost = module.frames_at(code_offset(module, frames[0].offset)).unwrap();
    assert_eq!(innermost[0].location.as_ref().unwrap().line, line);
    debuggee.resume(Resume::Continue).unwrap();
    let DebuggeeEvent::Ended(RunOutcome::Trapped { kind, .. }) = debuggee.wait() else { panic!("ends trapped") };
    assert_eq!(kind, TrapKind::MemoryOutOfBounds);
}

#[test]
fn a_module_that_does_not_compile_fails_cleanly() {
    let mut config = config("c-O0", &[]);
    config.program = repo_root().join("README.md");
    let debuggee = Debuggee::launch(&config, Vec::new());
    let DebuggeeEvent::Failed(message) = debuggee.wait() else { panic!("fails") };
    assert!(message.contains("cannot compile"), "{message}");
}

#[test]
fn guest_output_reaches_the_session_in_order_with_the_end() {
    let mut config = config("c-O0", &[]);
    config.capture_output = true;
    let debuggee = Debuggee::launch(&config, Vec::new());
    let mut stdout = Vec::new();
    loop {
        match debuggee.wait() {
            DebuggeeEvent::Output { stream: wasmscope_runtime::OutputStream::Stdout, bytes } => stdout.extend(bytes),
            DebuggeeEvent::Output { .. } => {}
            DebuggeeEvent::Ended(outcome) => {
                assert_eq!(outcome, RunOutcome::Exited(0));
                break;
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    let text = String::from_utf8(stdout).unwrap();
    // fib(10) = 55 and 10! = 3628800; the guest counts 177 calls of fib.
    assert_eq!(text.lines().next().unwrap(), "fib(10) = 55 in 177 calls, factorial = 3628800");

    let mut config = config_for_rust_panic();
    config.capture_output = true;
    let debuggee = Debuggee::launch(&config, Vec::new());
    let mut stderr = Vec::new();
    loop {
        match debuggee.wait() {
            DebuggeeEvent::Output { stream: wasmscope_runtime::OutputStream::Stderr, bytes } => stderr.extend(bytes),
            DebuggeeEvent::Stopped(StopReason::Trap(TrapKind::Unreachable)) => {
                debuggee.resume(Resume::Continue).unwrap()
            }
            DebuggeeEvent::Ended(_) => break,
            _ => {}
        }
    }
    assert!(String::from_utf8_lossy(&stderr).contains("guest panic requested"), "the panic message is on stderr");
}

fn config_for_rust_panic() -> GuestConfig {
    config("rust-O0", &["panic"])
}

#[test]
fn the_wasm_scope_shows_locals_and_the_operand_stack() {
    let symbols = WasmSymbols::load(&guest("c-O0"), &LoadOptions::default()).unwrap();
    let module = symbols.module(0).unwrap();
    let debuggee = Debuggee::launch(&config("c-O0", &[]), vec![marker_offset(module, "factorial_recurse")]);
    assert_eq!(debuggee.wait(), DebuggeeEvent::Stopped(StopReason::Breakpoint));
    let state = debuggee.wasm_state(0).unwrap();
    // factorial(int n): one i32 parameter; clang -O0 adds i32 locals.
    assert!(state.locals.len() > 1);
    assert!(
        state.locals.iter().all(|v| matches!(v, wasmscope_debugger::target::WasmValue::I32(_))),
        "{:?}",
        state.locals
    );
    // The same local 0 through both paths.
    assert_eq!(state.locals[0], debuggee.local(0, 0).unwrap());
    assert!(debuggee.wasm_state(1).unwrap().stack.len() <= 16, "a caller's operand stack is small");
    debuggee.set_breakpoints(Vec::new()).unwrap();
    debuggee.resume(Resume::Continue).unwrap();
    assert_eq!(debuggee.wait(), DebuggeeEvent::Ended(RunOutcome::Exited(0)));
}

#[test]
fn stop_on_entry_stops_before_the_first_instruction_of_start() {
    let symbols = WasmSymbols::load(&guest("c-O0"), &LoadOptions::default()).unwrap();
    let module = symbols.module(0).unwrap();
    let debuggee = Debuggee::launch_with(&config("c-O0", &[]), Vec::new(), None, true);
    assert_eq!(debuggee.wait(), DebuggeeEvent::Stopped(StopReason::Entry));
    let frames = debuggee.frames().unwrap();
    assert_eq!(frames.len(), 1, "nothing has been called yet");
    let at = code_offset(module, frames[0].offset);
    let body = module.module().function_at(at).unwrap();
    assert_eq!(at, body.first_instruction, "the first instruction of its function");
    // wasm-ld exports `_start` through a wrapper, `_start.command_export`.
    let name = module.module().function_names.get(&body.index).unwrap();
    assert!(name.starts_with("_start"), "{name}");
    debuggee.resume(Resume::Continue).unwrap();
    assert_eq!(debuggee.wait(), DebuggeeEvent::Ended(RunOutcome::Exited(0)));
}
