//! The session's view of a stopped guest: the stack with inlined frames and
//! variables read through DWARF, on the real guests at -O0 and -O2.

#![allow(clippy::unwrap_used)]

use wasmscope_debugger::session::stack::stack_frames;
use wasmscope_debugger::session::values::show_variable;
use wasmscope_debugger::symbols::{LoadOptions, WasmSymbols, bind_line};
use wasmscope_debugger::target::{Resume, TargetView};
use wasmscope_runtime::{Debuggee, DebuggeeEvent, GuestConfig, StopReason};
use wasmscope_test_support::{guest, hotspots_light_work, marker, repo_root};

/// Launches `name` and stops at the `hit`-th pass over marker `bp` of `source`.
fn stop_at(name: &str, source: &str, bp: &str, hit: usize) -> (WasmSymbols, Debuggee) {
    let symbols = WasmSymbols::load(&guest(name), &LoadOptions::default()).unwrap();
    let module = symbols.module(0).unwrap();
    let path = repo_root().join("tests/guests").join(source);
    let line = marker(&path, bp);
    let binding = bind_line(module, source, line, &[]).unwrap().unwrap();
    let code = module.module().code.unwrap();
    let offsets = binding.offsets.iter().map(|o| code.to_module(*o)).collect();
    let config = GuestConfig { program: guest(name), quiet: true, ..Default::default() };
    let debuggee = Debuggee::launch(&config, offsets);
    for i in 0..hit {
        assert_eq!(debuggee.wait(), DebuggeeEvent::Stopped(StopReason::Breakpoint), "{name}: stop {i} at {bp}");
        if i + 1 < hit {
            debuggee.resume(Resume::Continue).unwrap();
        }
    }
    (symbols, debuggee)
}

/// The value of `name` in physical frame `frame`, as the user would see it.
fn value_of(symbols: &WasmSymbols, debuggee: &mut Debuggee, frame: usize, name: &str) -> String {
    let module = symbols.module(0).unwrap();
    let frames = TargetView::frames(debuggee).unwrap();
    let code = module.module().code.unwrap().to_code(frames[frame].offset).unwrap();
    let at = if frame > 0 { module.module().instruction_before(code).unwrap() } else { code };
    let scopes = module.variables_at(at).unwrap();
    let (scope, variable) = scopes
        .iter()
        .flat_map(|s| s.variables.iter().map(move |v| (s, v)))
        .find(|(_, v)| v.name == name)
        .unwrap_or_else(|| panic!("no variable {name}"));
    show_variable(module, debuggee, frame, variable, scope.frame_base.as_ref()).value
}

#[test]
fn the_stack_shows_each_recursion_level_and_main_with_their_lines() {
    let (symbols, mut debuggee) = stop_at("c-O0", "c/main.c", "factorial_recurse", 3);
    let frames = TargetView::frames(&mut debuggee).unwrap();
    let stack = stack_frames(&symbols, &frames);
    let recurse = marker(&repo_root().join("tests/guests/c/main.c"), "factorial_recurse");
    for frame in &stack[..3] {
        assert_eq!(frame.function, "factorial");
        assert_eq!(frame.location.as_ref().unwrap().line, recurse, "{frame:?}");
        assert!(frame.has_source && !frame.inlined);
    }
    let text = std::fs::read_to_string(repo_root().join("tests/guests/c/main.c")).unwrap();
    let call_line = text.lines().position(|l| l.contains("long fact = factorial(")).unwrap() as u32 + 1;
    assert_eq!(stack[3].location.as_ref().unwrap().line, call_line, "main, at its call of factorial");
    assert!(stack.last().unwrap().function.contains("_start"), "down to _start: {:?}", stack.last());

    // n in each of the three factorial frames, innermost first.
    for (frame, n) in [(0, "8"), (1, "9"), (2, "10")] {
        assert_eq!(value_of(&symbols, &mut debuggee, frame, "n"), n);
    }
    // main's locals: fib(10) was computed before, depth is the default.
    assert_eq!(value_of(&symbols, &mut debuggee, 3, "depth"), "10");
    assert_eq!(value_of(&symbols, &mut debuggee, 3, "f"), "55");
    assert_eq!(value_of(&symbols, &mut debuggee, 3, "argc"), "1");
}

#[test]
fn structs_arrays_and_pointers_show_their_members() {
    let (symbols, mut debuggee) = stop_at("c-O0", "c/main.c", "after_struct_init", 1);
    let shapes = value_of(&symbols, &mut debuggee, 0, "shapes");
    assert!(shapes.starts_with("{{kind = SHAPE_CIRCLE, name = \"circle\", u = {"), "{shapes}");
    assert!(shapes.contains("kind = SHAPE_RECT") && shapes.contains("kind = SHAPE_TRIANGLE"), "{shapes}");
    assert!(value_of(&symbols, &mut debuggee, 0, "biggest").starts_with("0x"), "a pointer shows its address");
}

#[test]
fn at_o2_variables_in_wasm_locals_read_and_the_rest_say_why_not() {
    // In circle_area, the parameter `s` arrives in a Wasm local. (Where a
    // location list does not cover the pc, e.g. list_sum inlined into main
    // at its loop head, "optimized out" is the right answer.)
    let (symbols, mut debuggee) = stop_at("c-O2", "c/shapes.c", "circle_area", 1);
    let module = symbols.module(0).unwrap();
    let frames = TargetView::frames(&mut debuggee).unwrap();
    let code = module.module().code.unwrap().to_code(frames[0].offset).unwrap();
    let scopes = module.variables_at(code).unwrap();
    let mut numbers = 0;
    for scope in scopes.iter() {
        for variable in &scope.variables {
            let shown = show_variable(module, &mut debuggee, 0, variable, scope.frame_base.as_ref());
            assert!(!shown.value.is_empty(), "{shown:?}");
            if shown.value.parse::<i64>().is_ok() || shown.value.starts_with("0x") {
                numbers += 1;
            }
        }
    }
    assert!(numbers > 0, "some variable of circle_area has a value at -O2");
}

#[test]
fn rust_structs_show_their_fields() {
    let (symbols, mut debuggee) = stop_at("rust-O0", "rust/main.rs", "after_struct_init", 1);
    // The stop may be in the closure on that line first; find main's frame.
    let frames = TargetView::frames(&mut debuggee).unwrap();
    let stack = stack_frames(&symbols, &frames);
    let main = stack.iter().find(|f| f.function == "rust_guest::main").expect("main on the stack");
    let frame = value_of(&symbols, &mut debuggee, main.physical, "frame");
    assert_eq!(frame, "{origin = {x = 3, y = -4}, size = {w = 640, h = 480}, depth = 2}");
}

#[test]
fn setting_a_parameter_changes_what_the_program_computes() {
    // At the first pass over `return n * factorial(n - 1)`, n = 10; make it 5
    // and main prints 5! = 120 instead of 10! = 3628800.
    let symbols = WasmSymbols::load(&guest("c-O0"), &LoadOptions::default()).unwrap();
    let module = symbols.module(0).unwrap();
    let line = marker(&repo_root().join("tests/guests/c/main.c"), "factorial_recurse");
    let offset = bind_line(module, "main.c", line, &[]).unwrap().unwrap().offsets[0];
    let config = GuestConfig { program: guest("c-O0"), capture_output: true, ..Default::default() };
    let mut debuggee = Debuggee::launch(&config, vec![module.module().code.unwrap().to_module(offset)]);
    let mut stdout = Vec::new();
    loop {
        match debuggee.wait() {
            DebuggeeEvent::Stopped(StopReason::Breakpoint) => break,
            DebuggeeEvent::Output { bytes, .. } => stdout.extend(bytes),
            other => panic!("unexpected {other:?}"),
        }
    }
    let scopes = module.variables_at(offset).unwrap();
    let n = scopes[0].variables.iter().find(|v| v.name == "n").unwrap();
    let shown = wasmscope_debugger::session::values::set_variable(
        module,
        &mut debuggee,
        0,
        offset,
        n,
        scopes[0].frame_base.as_ref(),
        "2 + 3",
    )
    .unwrap();
    assert_eq!(shown.value, "5");
    let bad = wasmscope_debugger::session::values::set_variable(
        module,
        &mut debuggee,
        0,
        offset,
        n,
        scopes[0].frame_base.as_ref(),
        "nosuch",
    );
    assert_eq!(bad.unwrap_err(), "no variable `nosuch` in scope", "a bad value is an error, n is unchanged");
    debuggee.set_breakpoints(Vec::new()).unwrap();
    debuggee.resume(Resume::Continue).unwrap();
    loop {
        match debuggee.wait() {
            DebuggeeEvent::Output { bytes, .. } => stdout.extend(bytes),
            DebuggeeEvent::Ended(_) => break,
            other => panic!("unexpected {other:?}"),
        }
    }
    let text = String::from_utf8(stdout).unwrap();
    assert!(text.contains("factorial = 120\n"), "{text}");
}

#[test]
fn rust_strings_and_vecs_show_their_contents() {
    let (symbols, mut debuggee) = stop_at("rust-O0", "rust/main.rs", "after_struct_init", 1);
    let frames = TargetView::frames(&mut debuggee).unwrap();
    let stack = stack_frames(&symbols, &frames);
    let main = stack.iter().find(|f| f.function == "rust_guest::main").expect("main on the stack").physical;
    // args = ["rust-O0.wasm"]: a Vec of Strings.
    assert_eq!(value_of(&symbols, &mut debuggee, main, "args"), "(len 1) [\"rust-O0.wasm\"]");
    let shapes = value_of(&symbols, &mut debuggee, main, "shapes");
    assert!(shapes.starts_with("(len 4) [Circle("), "{shapes}");
    assert!(shapes.contains("Rect {") && shapes.ends_with("Empty]"), "{shapes}");
}

#[test]
fn cpp_strings_and_vectors_show_their_contents() {
    let (symbols, mut debuggee) = stop_at("cpp-O0", "cpp/main.cpp", "after_vectors_init", 1);
    // From the source: numbers = {3, 17, 5, 11}, reals = {0.5, 2.25, 1.75},
    // points (i, 2i + 1) for i < 5, top = words.pop() = "gamma".
    assert_eq!(value_of(&symbols, &mut debuggee, 0, "numbers"), "(len 4) [3, 17, 5, 11]");
    assert_eq!(value_of(&symbols, &mut debuggee, 0, "reals"), "(len 3) [0.5, 2.25, 1.75]");
    assert!(value_of(&symbols, &mut debuggee, 0, "points").starts_with("(len 5) [{x_ = 0, y_ = 1}, {x_ = 1, y_ = 3}"));
    assert_eq!(value_of(&symbols, &mut debuggee, 0, "top"), "\"gamma\"");
}

#[test]
fn a_long_cpp_string_is_read_from_its_heap_buffer() {
    let (symbols, mut debuggee) = stop_at("cpp-O0", "cpp/main.cpp", "main_end", 1);
    // greeting = "hello" + ", wasm": 11 characters, past the 10 that fit in
    // the string object itself.
    assert_eq!(value_of(&symbols, &mut debuggee, 0, "greeting"), "\"hello, wasm\"");
}

#[test]
fn at_o2_a_value_on_the_operand_stack_reads() {
    // At `return a ^ b;` of run_round, clang -O2 keeps `b` on the Wasm
    // operand stack (DW_OP_WASM_location 2).
    let name = "hotspots-O2";
    let symbols = WasmSymbols::load(&guest(name), &LoadOptions::default()).unwrap();
    let module = symbols.module(0).unwrap();
    let line = marker(&repo_root().join("examples/hotspots/hotspots.c"), "round_end");
    let binding = bind_line(module, "hotspots.c", line, &[]).unwrap().unwrap();
    let code = module.module().code.unwrap();
    let offsets = binding.offsets.iter().map(|o| code.to_module(*o)).collect();
    let config = GuestConfig { program: guest(name), args: vec!["1".into()], quiet: true, ..Default::default() };
    let mut debuggee = Debuggee::launch(&config, offsets);
    assert_eq!(debuggee.wait(), DebuggeeEvent::Stopped(StopReason::Breakpoint));
    let a: u32 = value_of(&symbols, &mut debuggee, 0, "a").parse().unwrap();
    let b: u32 = value_of(&symbols, &mut debuggee, 0, "b").parse().unwrap();
    assert_eq!(b, hotspots_light_work(a));
}

#[test]
fn a_rust_hash_map_shows_its_entries() {
    let (symbols, mut debuggee) = stop_at("rust-O0", "rust/main.rs", "main_end", 1);
    let shown = value_of(&symbols, &mut debuggee, 0, "counts");
    // The oracle: the same words counted here, from the guest's source.
    let source = std::fs::read_to_string(repo_root().join("tests/guests/rust/main.rs")).unwrap();
    let text = source.lines().find_map(|l| l.trim().strip_prefix("let text = \"")).unwrap().trim_end_matches("\";");
    let mut expected = std::collections::HashMap::new();
    for word in text.split_whitespace() {
        *expected.entry(word).or_insert(0u32) += 1;
    }
    assert!(shown.starts_with(&format!("(len {}) {{", expected.len())), "{shown}");
    for (word, count) in &expected {
        assert!(shown.contains(&format!("\"{word}\": {count}")), "{word}: {count} missing from {shown}");
    }
}
