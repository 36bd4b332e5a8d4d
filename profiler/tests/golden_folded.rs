//! Golden test of the folded output on a real guest. The raw stacks are
//! built from the LLVM oracles, not from wasmscope: call sites come from
//! `llvm-objdump-14 -d` (the offset of a `call` to the callee in each
//! caller), and the innermost instructions are ones `llvm-symbolizer-14`
//! places in `mix` inlined into the loop. The expected output,
//! tests/golden/hotspots-O2.folded, was written by hand from hotspots.c and
//! the libc start chain.

#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::process::Command;
use std::time::Duration;

use wasmscope_debugger::address::CodeOffset;
use wasmscope_debugger::symbols::{LoadOptions, WasmSymbols};
use wasmscope_profiler::{RawFrame, RawProfile, RawSample, symbolize, write_folded};
use wasmscope_test_support::{guest, llvm_tool};

/// A function of the disassembly: where it starts, its instructions'
/// offsets and the (offset, callee index) of its direct calls.
#[derive(Default)]
struct Function {
    index: u32,
    instructions: Vec<u64>,
    calls: Vec<(u64, u32)>,
}

/// Parses `llvm-objdump -d`: `0000011a <heavy_work>:` headers, then
/// `     11f: 10 8a 80 80 80 00    \tcall\t10` instruction lines.
fn disassemble(program: &std::path::Path, imported: u32) -> HashMap<String, Function> {
    let output = Command::new(llvm_tool("llvm-objdump-14")).arg("-d").arg(program).output().unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    let mut functions: HashMap<String, Function> = HashMap::new();
    let mut current: Option<String> = None;
    let mut next_index = imported;
    for line in text.lines() {
        if let Some(name) = line.strip_suffix(">:").and_then(|l| l.split_once(" <")).map(|(_, n)| n) {
            if name == "CODE" {
                continue;
            }
            functions.insert(name.to_owned(), Function { index: next_index, ..Function::default() });
            next_index += 1;
            current = Some(name.to_owned());
            continue;
        }
        let (Some(name), Some((offset, rest))) = (&current, line.trim_start().split_once(": ")) else {
            continue;
        };
        let Ok(offset) = u64::from_str_radix(offset, 16) else {
            continue;
        };
        let function = functions.get_mut(name).unwrap();
        function.instructions.push(offset);
        let mut fields = rest.split('\t').map(str::trim).filter(|f| !f.is_empty()).skip(1);
        if fields.next() == Some("call") {
            function.calls.push((offset, fields.next().unwrap().parse().unwrap()));
        }
    }
    functions
}

/// Instructions of `function` whose innermost frame, as llvm-symbolizer
/// says, is `inlined` (an inlined callee).
fn inlined_instructions(program: &std::path::Path, function: &Function, inlined: &str) -> Vec<u64> {
    let addresses: Vec<String> = function.instructions.iter().map(|o| format!("0x{o:x}")).collect();
    let output = Command::new(llvm_tool("llvm-symbolizer-14"))
        .arg("--inlining")
        .arg(format!("--obj={}", program.display()))
        .args(&addresses)
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    // One block per address, separated by blank lines: the first line of a
    // block is the innermost function.
    text.split("\n\n")
        .zip(&function.instructions)
        .filter(|(block, _)| block.lines().next() == Some(inlined))
        .map(|(_, offset)| *offset)
        .collect()
}

#[test]
fn folded_output_of_known_stacks_matches_the_golden_file() {
    let program = guest("hotspots-O2");
    let symbols = WasmSymbols::load(&program, &LoadOptions::default()).unwrap();
    let module = symbols.module(0).unwrap().module();
    let code = module.code.unwrap();
    let functions = disassemble(&program, module.imported_functions);

    // The caller's call of `callee`, as a raw frame of the caller.
    let call = |caller: &str, callee: &str| {
        let (caller, callee) = (&functions[caller], functions[callee].index);
        let (offset, _) = caller.calls.iter().find(|(_, target)| *target == callee).unwrap();
        RawFrame { module: 0, function_index: caller.index, offset: Some(code.to_module(CodeOffset(*offset))) }
    };
    let chain = ["_start.command_export", "_start", "__original_main", "__main_void", "main", "run_round"];
    let stack = |leaf: &str, at: u64| {
        let mut frames = vec![RawFrame {
            module: 0,
            function_index: functions[leaf].index,
            offset: Some(code.to_module(CodeOffset(at))),
        }];
        frames.push(call("run_round", leaf));
        frames.extend(chain.windows(2).rev().map(|pair| call(pair[0], pair[1])));
        frames
    };
    let heavy = inlined_instructions(&program, &functions["heavy_work"], "mix");
    let light = inlined_instructions(&program, &functions["light_work"], "mix");
    assert!(heavy.len() >= 2 && !light.is_empty(), "mix is inlined into both loops at -O2");
    // Two samples at different instructions of the inlined mix (maybe on
    // different lines): one folded line, their weights summed.
    let samples = vec![
        RawSample { frames: stack("heavy_work", heavy[0]), in_host: false, weight: 20 },
        RawSample { frames: stack("heavy_work", heavy[heavy.len() - 1]), in_host: false, weight: 10 },
        RawSample { frames: stack("light_work", light[0]), in_host: false, weight: 10 },
    ];
    let raw = RawProfile {
        program: program.display().to_string(),
        requested_rate_hz: 1000,
        duration: Duration::from_millis(40),
        samples,
        dropped_ticks: 0,
    };
    let mut folded = Vec::new();
    write_folded(&symbolize(&raw, &symbols), &mut folded).unwrap();
    let golden =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/hotspots-O2.folded")).unwrap();
    assert_eq!(String::from_utf8(folded).unwrap(), golden);
}
