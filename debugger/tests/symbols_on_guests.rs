//! The symbols layer's queries on the real guests: line binding at every
//! marker, function lookup, variables in scope, types and values. Expected
//! values come from the guest sources, never from wasmscope itself.

#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use wasmscope_debugger::address::CodeOffset;
use wasmscope_debugger::symbols::{
    EvalStep, LoadOptions, ModuleSymbols, Need, PieceLocation, Type, VariableKind, WasmSymbols, bind_line,
    format_value, size_of, type_name,
};
use wasmscope_test_support::{guest, marker, repo_root};

fn load(name: &str) -> WasmSymbols {
    WasmSymbols::load(&guest(name), &LoadOptions::default()).unwrap()
}

fn source(relative: &str) -> PathBuf {
    repo_root().join("tests/guests").join(relative)
}

/// Every `// BP:` marker of a source file, as (name, line).
fn markers(relative: &str) -> Vec<(String, u32)> {
    let path = source(relative);
    std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .filter_map(|l| l.split("// BP: ").nth(1).map(|n| n.trim().to_owned()))
        .filter(|n| !n.starts_with('<'))
        .map(|n| {
            let line = marker(&path, &n);
            (n, line)
        })
        .collect()
}

fn innermost_line(module: &ModuleSymbols, offset: CodeOffset) -> (String, u32) {
    let frames = module.frames_at(offset).unwrap();
    let location = frames[0].location.clone().unwrap();
    (location.file.unwrap(), location.line)
}

#[test]
fn every_marker_binds_to_its_own_line_at_o0() {
    for (guest_name, files) in [
        ("c-O0", vec!["c/main.c", "c/shapes.c"]),
        ("cpp-O0", vec!["cpp/main.cpp", "cpp/geometry.cpp", "cpp/geometry.h"]),
        ("rust-O0", vec!["rust/main.rs"]),
    ] {
        let symbols = load(guest_name);
        let module = symbols.module(0).unwrap();
        for file in files {
            for (name, line) in markers(file) {
                // An absolute path from another machine: the tail must match.
                let asked = format!("/home/someone/checkout/tests/guests/{file}");
                let binding = bind_line(module, &asked, line, &[])
                    .unwrap()
                    .unwrap_or_else(|| panic!("{guest_name}: marker {name} ({file}:{line}) does not bind"));
                assert_eq!(binding.line, line, "{guest_name}: marker {name} moved");
                assert!(!binding.offsets.is_empty());
                for offset in &binding.offsets {
                    let (found_file, found_line) = innermost_line(module, *offset);
                    assert!(found_file.ends_with(file), "{guest_name} {name}: {found_file}");
                    assert_eq!(found_line, line, "{guest_name} {name}: {offset} symbolizes elsewhere");
                }
            }
        }
    }
}

#[test]
fn an_inlined_helper_binds_once_per_inlined_copy_at_o2() {
    let symbols = load("c-O2");
    let module = symbols.module(0).unwrap();
    let path = source("c/util.h");
    let text = std::fs::read_to_string(&path).unwrap();
    // The body line of mix32 in util.h, found by its text.
    let line = text.lines().position(|l| l.contains("h ^= v")).unwrap() as u32 + 1;
    let binding = bind_line(module, "util.h", line, &[]).unwrap().unwrap();
    let callers: Vec<String> = binding
        .offsets
        .iter()
        .map(|o| {
            let frames = module.frames_at(*o).unwrap();
            assert!(frames[0].inlined, "{o}: mix32 is inlined at -O2");
            frames[1].function.as_ref().unwrap().raw.clone()
        })
        .collect();
    assert!(callers.iter().any(|c| c == "checksum"), "inlined into checksum: {callers:?}");
}

#[test]
fn a_line_without_code_moves_to_the_next_line_with_code() {
    let symbols = load("c-O0");
    let module = symbols.module(0).unwrap();
    let line = marker(&source("c/main.c"), "after_struct_init");
    // The comment line above the `Shape shapes[3]` initializer has no code.
    let text = std::fs::read_to_string(source("c/main.c")).unwrap();
    let comment = text.lines().position(|l| l.contains("/* Structs, nested structs")).unwrap() as u32 + 1;
    let binding = bind_line(module, "main.c", comment, &[]).unwrap().unwrap();
    assert!(binding.moved());
    assert!(binding.line > comment && binding.line < line, "moved to {}", binding.line);
    assert!(bind_line(module, "no_such_file.c", 10, &[]).unwrap().is_none());
}

#[test]
fn functions_are_found_by_plain_and_qualified_names() {
    let c = load("c-O0");
    let module = c.module(0).unwrap();
    let found = module.find_functions("factorial").unwrap();
    assert_eq!(found.len(), 1);
    let f = found[0];
    assert!(!f.inlined);
    assert!(f.after_prologue > f.entry, "clang -O0 marks prologue_end after the frame setup");
    // After the prologue is the first line of the body, the `if`.
    let text = std::fs::read_to_string(source("c/main.c")).unwrap();
    let signature = text.lines().position(|l| l.starts_with("static long factorial(int n)")).unwrap() as u32 + 1;
    assert_eq!(innermost_line(module, f.after_prologue).1, signature + 1);

    let cpp = load("cpp-O0");
    let module = cpp.module(0).unwrap();
    let areas = module.find_functions("area").unwrap();
    assert!(areas.len() >= 2, "Circle::area and Rect::area: {}", areas.len());
    let qualified = module.find_functions("geo::Circle::area").unwrap();
    assert_eq!(qualified.len(), 1, "{:?}", qualified.iter().map(|f| &f.name.raw).collect::<Vec<_>>());

    let rust = load("rust-O0");
    let module = rust.module(0).unwrap();
    assert_eq!(module.find_functions("rust_guest::fib").unwrap().len(), 1);

    let o2 = load("c-O2");
    let inlined = o2.module(0).unwrap().find_functions("mix32").unwrap();
    assert!(inlined.iter().any(|f| f.inlined), "mix32 has inlined copies at -O2");
}

#[test]
fn parameters_are_in_scope_and_fbreg_asks_for_the_frame_pointer() {
    let symbols = load("c-O0");
    let module = symbols.module(0).unwrap();
    let line = marker(&source("c/main.c"), "factorial_recurse");
    let offset = bind_line(module, "main.c", line, &[]).unwrap().unwrap().offsets[0];
    let frames = module.variables_at(offset).unwrap();
    let n = frames[0].variables.iter().find(|v| v.name == "n").expect("parameter n");
    assert_eq!(n.kind, VariableKind::Parameter);
    assert_eq!(type_name(module, n.ty), "int");
    let mut eval = n.location_eval(frames[0].frame_base.as_ref()).unwrap().unwrap();
    let EvalStep::Needs(Need::WasmLocal(_)) = eval.evaluate().unwrap() else { panic!("fbreg needs the frame pointer") };
    let EvalStep::Done(pieces) = eval.resume(0x10000).unwrap() else { panic!("done after the frame pointer") };
    let PieceLocation::Memory(address) = pieces[0].location else { panic!("-O0 keeps n in memory") };
    assert!(address.0 >= 0x10000 && address.0 < 0x10100, "{address}");
}

#[test]
fn locals_of_main_have_their_declared_types() {
    let symbols = load("c-O0");
    let module = symbols.module(0).unwrap();
    let line = marker(&source("c/main.c"), "after_struct_init");
    let offset = bind_line(module, "main.c", line, &[]).unwrap().unwrap().offsets[0];
    let frames = module.variables_at(offset).unwrap();
    let find = |name: &str| frames[0].variables.iter().find(|v| v.name == name).unwrap_or_else(|| panic!("{name}"));
    assert_eq!(type_name(module, find("shapes").ty), "Shape[3]");
    assert_eq!(type_name(module, find("biggest").ty), "Shape *");
    assert_eq!(type_name(module, find("argv").ty), "char **");
    assert_eq!(type_name(module, find("fact").ty), "long");
}

#[test]
fn a_global_struct_formats_from_the_data_segment() {
    let symbols = load("c-O0");
    let module = symbols.module(0).unwrap();
    let globals = module.all_globals().unwrap();
    let config = globals.iter().find(|g| g.name == "g_config").expect("g_config");
    assert_eq!(config.kind, VariableKind::Global);
    let mut eval = config.location_eval(None).unwrap().unwrap();
    let EvalStep::Done(pieces) = eval.evaluate().unwrap() else { panic!("DW_OP_addr needs nothing") };
    let PieceLocation::Memory(address) = pieces[0].location else { panic!("a global lives in memory") };
    let size = size_of(module, config.ty).unwrap() as usize;
    let bytes = module.module().initial_memory(address, size);
    let shown = format_value(module, config.ty, &bytes);
    // From the initializer: {"wasmscope C guest", 1, {7, -3}, {10, 100, 1000}}.
    let expected_tail = "verbosity = 1, anchor = {x = 7, y = -3}, limits = {10, 100, 1000}}";
    assert!(shown.starts_with("{title = 0x"), "{shown}");
    assert!(shown.ends_with(expected_tail), "{shown}");
    // The title pointer points at the string in the data segments too.
    let title = u32::from_str_radix(&shown[11..19], 16).unwrap();
    let text = module.module().initial_memory(wasmscope_debugger::address::MemoryAddress(title.into()), 17);
    assert_eq!(text, b"wasmscope C guest");
}

#[test]
fn rust_enums_have_variant_parts_and_format_by_discriminant() {
    let symbols = load("rust-O0");
    let module = symbols.module(0).unwrap();
    let line = marker(&source("rust/main.rs"), "after_struct_init");
    // The line also holds a closure's body, a function of its own; take
    // the instance in main.
    let binding = bind_line(module, "main.rs", line, &[]).unwrap().unwrap();
    assert!(binding.offsets.len() >= 2, "main and the closure: {:?}", binding.offsets);
    let offset = *binding
        .offsets
        .iter()
        .find(|o| {
            module.frames_at(**o).unwrap().last().unwrap().function.as_ref().unwrap().to_string() == "rust_guest::main"
        })
        .expect("an instance in main");
    let frames = module.variables_at(offset).unwrap();
    let all: Vec<_> = frames.iter().flat_map(|f| f.variables.iter()).collect();
    let names: Vec<_> = all.iter().map(|v| (v.name.clone(), v.block_depth)).collect();
    let frame = all.iter().find(|v| v.name == "frame").unwrap_or_else(|| panic!("local `frame` in {names:?}"));
    assert_eq!(type_name(module, frame.ty), "Frame");
    let shapes = all.iter().find(|v| v.name == "shapes").expect("local `shapes`");
    assert!(type_name(module, shapes.ty).starts_with("Vec<rust_guest::Shape"), "{}", type_name(module, shapes.ty));

    // Option<Point>, the return type of Shape::anchor, through its DWARF.
    let anchor = module.find_functions("rust_guest::Shape::anchor").unwrap();
    assert_eq!(anchor.len(), 1);
    let option = module
        .units()
        .unwrap()
        .unwrap()
        .iter()
        .flat_map(|(i, unit)| {
            let mut entries = unit.entries();
            let mut found = Vec::new();
            while let Ok(Some(die)) = entries.next_dfs() {
                let at = wasmscope_debugger::symbols::DieRef { unit: i, offset: die.offset().0 };
                if die.tag() == gimli_tag_structure()
                    && let Ok(t) = module.type_info(at)
                    && matches!(&*t, Type::Composite { name: Some(n), .. } if n == "Option<rust_guest::Point>")
                {
                    found.push(at);
                }
            }
            found
        })
        .next()
        .expect("Option<rust_guest::Point> in the DWARF");
    let Type::Composite { variant_part: Some(part), size, .. } = &*module.type_info(option).unwrap() else {
        panic!("Option is a composite with a variant part");
    };
    let names: Vec<_> = part.variants.iter().map(|v| v.member.name.clone().unwrap()).collect();
    assert_eq!(names, ["None", "Some"]);
    // Point { x: i32, y: i32 } behind a 4-byte tag: build Some(Point {3, -4}) and None.
    let discriminant = part.discriminant.as_ref().expect("Option<Point> stores its tag");
    let some = part.variants.iter().find(|v| v.member.name.as_deref() == Some("Some")).unwrap();
    let mut bytes = vec![0u8; *size as usize];
    bytes[discriminant.offset as usize] = some.discriminant.unwrap() as u8;
    let payload_start = some.member.offset as usize;
    let shown_payload_offset = {
        // The payload struct `Some` has one field __0 at its own offset.
        let children = wasmscope_debugger::symbols::children(module, some.member.ty, &bytes[payload_start..]);
        payload_start + children[0].offset as usize
    };
    bytes[shown_payload_offset..shown_payload_offset + 4].copy_from_slice(&3i32.to_le_bytes());
    bytes[shown_payload_offset + 4..shown_payload_offset + 8].copy_from_slice(&(-4i32).to_le_bytes());
    assert_eq!(format_value(module, Some(option), &bytes), "Some({x = 3, y = -4})");
    let none = part.variants.iter().find(|v| v.member.name.as_deref() == Some("None")).unwrap();
    bytes[discriminant.offset as usize] = none.discriminant.unwrap() as u8;
    assert_eq!(format_value(module, Some(option), &bytes), "None");
}

fn gimli_tag_structure() -> gimli::DwTag {
    gimli::DW_TAG_structure_type
}

#[test]
fn disassembly_names_every_instruction_as_llvm_objdump_does_and_marks_lines() {
    let path = guest("c-O0");
    let symbols = WasmSymbols::load(&path, &LoadOptions::default()).unwrap();
    let module = symbols.module(0).unwrap();
    let output = std::process::Command::new(wasmscope_test_support::llvm_tool("llvm-objdump-14"))
        .arg("-d")
        .arg(&path)
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    // Lines look like `     3fb: 20 03        \tlocal.get\t3`.
    let expected: Vec<(u64, String)> = text
        .lines()
        .filter_map(|l| {
            let (offset, rest) = l.trim_start().split_once(": ")?;
            let offset = u64::from_str_radix(offset, 16).ok()?;
            let mnemonic = rest.split('\t').nth(1)?.split_whitespace().next()?.to_owned();
            // LLVM names the untyped `select` (0x1b) after its operands' type.
            let mnemonic = if mnemonic.ends_with(".select") { "select".to_owned() } else { mnemonic };
            Some((offset, mnemonic))
        })
        .collect();
    assert!(expected.len() > 1000);
    let all = module.disassemble(CodeOffset(0), 0, usize::MAX / 2).unwrap();
    let ours: std::collections::BTreeSet<u64> = all.iter().map(|i| i.offset.0).collect();
    let missing: Vec<_> = expected.iter().filter(|(o, _)| !ours.contains(o)).take(5).collect();
    assert_eq!(all.len(), expected.len(), "one line per instruction; missing {missing:?}");
    for (ours, (offset, mnemonic)) in all.iter().zip(&expected) {
        assert_eq!(ours.offset.0, *offset);
        assert_eq!(ours.text.split_whitespace().next().unwrap(), mnemonic, "at {:#x}: {}", offset, ours.text);
    }
    // Around a breakpoint: the window, with the marked line where it starts.
    let line = marker(&source("c/main.c"), "factorial_recurse");
    let at = bind_line(module, "main.c", line, &[]).unwrap().unwrap().offsets[0];
    let window = module.disassemble(at, 3, 3).unwrap();
    assert_eq!(window.len(), 7);
    assert_eq!(window[3].offset, at);
    assert_eq!(window[3].location.as_ref().unwrap().line, line, "the first instruction of the line says so");
}

#[test]
fn a_line_without_code_does_not_move_into_a_later_function() {
    // At -O2, checksum's loop body line keeps no statement of its own (the
    // loop is inlined into main and rewritten); the next line with code is
    // in list_sum, declared later: the breakpoint must not land there.
    let symbols = load("c-O2");
    let module = symbols.module(0).unwrap();
    let line = marker(&source("c/main.c"), "loop_body");
    let text = std::fs::read_to_string(source("c/main.c")).unwrap();
    let list_sum = text.lines().position(|l| l.starts_with("static int list_sum(")).unwrap() as u32 + 1;
    match bind_line(module, "main.c", line, &[]).unwrap() {
        None => {}
        Some(binding) => assert!(binding.line < list_sum, "moved into list_sum: {binding:?}"),
    }
    // At -O0 the same line binds in place.
    let o0 = load("c-O0");
    assert_eq!(bind_line(o0.module(0).unwrap(), "main.c", line, &[]).unwrap().unwrap().line, line);
}
