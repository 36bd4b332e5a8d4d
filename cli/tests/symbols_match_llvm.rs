//! Differential tests of the symbols layer against LLVM 14, the reference:
//! every instruction offset of every guest must symbolize exactly as
//! `llvm-symbolizer-14` does (through `wasmscope symbolize`, so the output
//! format is checked too), and every line-table row must agree with
//! `llvm-dwarfdump-14 --debug-line`. LLVM reads core modules only: for a
//! component, the core module with the DWARF is written out alone for it,
//! and wasmscope reads the component.

#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use wasmscope_debugger::symbols::{LoadOptions, WasmSymbols};
use wasmscope_test_support::{guest, llvm_tool};

fn run_with_stdin(mut command: Command, input: &str) -> String {
    let mut child = command.stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_owned();
    // Feed from a thread: both tools answer as they read, so a single thread
    // writing everything first would deadlock on a full pipe.
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()).unwrap());
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert!(output.status.success(), "{command:?} failed: {}", output.status);
    String::from_utf8(output.stdout).unwrap()
}

/// Splits llvm-symbolizer style output into one block per address.
fn answers(output: &str) -> Vec<&str> {
    output.split("\n\n").filter(|b| !b.trim().is_empty()).map(|b| b.trim_start_matches('\n')).collect()
}

/// A guest as LLVM reads it: the file itself, or a component's core module
/// with the DWARF, written alone to a file; and that module's index.
fn for_llvm(name: &str, symbols: &WasmSymbols) -> (PathBuf, usize) {
    let index = symbols.program_index();
    if !symbols.is_component() {
        return (symbols.path().to_path_buf(), index);
    }
    let module = symbols.module(index).unwrap().module();
    let path = std::env::temp_dir().join(format!("wasmscope-llvm-{}-{name}.wasm", std::process::id()));
    std::fs::write(&path, module.bytes.as_slice()).unwrap();
    (path, index)
}

fn symbolize_every_instruction(name: &str) {
    let path = guest(name);
    let symbols = WasmSymbols::load(&path, &LoadOptions::default()).unwrap();
    let (llvm_path, index) = for_llvm(name, &symbols);
    let offsets = symbols.module(index).unwrap().module().instruction_offsets().unwrap();
    assert!(offsets.len() > 100, "{name}: only {} instructions?", offsets.len());
    let input: String = offsets.iter().map(|o| format!("{o}\n")).collect();

    let mut llvm = Command::new(llvm_tool("llvm-symbolizer-14"));
    llvm.arg(format!("--obj={}", llvm_path.display()));
    let expected = run_with_stdin(llvm, &input);
    let mut ours = Command::new(env!("CARGO_BIN_EXE_wasmscope"));
    ours.arg("symbolize").arg(format!("--module={index}")).arg(&path);
    let actual = run_with_stdin(ours, &input);

    let (expected, actual) = (answers(&expected), answers(&actual));
    assert_eq!(
        expected.len(),
        offsets.len(),
        "{name}: llvm-symbolizer answered {} of {}",
        expected.len(),
        offsets.len()
    );
    assert_eq!(actual.len(), offsets.len(), "{name}: wasmscope answered {} of {}", actual.len(), offsets.len());
    let mismatches: Vec<String> = offsets
        .iter()
        .zip(expected.iter().zip(&actual))
        .filter(|(_, (e, a))| e != a)
        .map(|(o, (e, a))| format!("at {o}:\n--- llvm-symbolizer-14\n{e}\n--- wasmscope\n{a}\n"))
        .collect();
    assert!(
        mismatches.is_empty(),
        "{name}: {} of {} offsets differ; first ones:\n{}",
        mismatches.len(),
        offsets.len(),
        mismatches.iter().take(8).cloned().collect::<String>()
    );
}

/// One row as both sides can state it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Row {
    address: u64,
    line: u32,
    column: u32,
    file: String,
    is_stmt: bool,
    prologue_end: bool,
    end_sequence: bool,
}

/// Parses `llvm-dwarfdump --debug-line` into sequences of rows. Files are
/// stated as the dwarfdump prints them (directory entry joined to name).
fn dwarfdump_sequences(path: &Path) -> Vec<Vec<Row>> {
    let output = Command::new(llvm_tool("llvm-dwarfdump-14")).arg("--debug-line").arg(path).output().unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    let mut sequences = Vec::new();
    let mut current = Vec::new();
    let mut dirs: HashMap<u64, String> = HashMap::new();
    let mut files: HashMap<u64, String> = HashMap::new();
    let mut pending_file: Option<(u64, String)> = None;
    let quoted = |s: &str| s.split('"').nth(1).unwrap_or_default().to_owned();
    let index_of = |s: &str| s.split('[').nth(1).unwrap().split(']').next().unwrap().trim().parse::<u64>().unwrap();
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("debug_line[") {
            dirs.clear();
            files.clear();
        } else if trimmed.starts_with("include_directories[") {
            dirs.insert(index_of(trimmed), quoted(trimmed));
        } else if trimmed.starts_with("file_names[") {
            pending_file = Some((index_of(trimmed), String::new()));
        } else if let Some(name) = trimmed.strip_prefix("name:") {
            if let Some((_, n)) = &mut pending_file {
                *n = quoted(name);
            }
        } else if let Some(dir) = trimmed.strip_prefix("dir_index:") {
            let (index, name) = pending_file.take().unwrap();
            let dir: u64 = dir.trim().parse().unwrap();
            let full = match dirs.get(&dir) {
                Some(d) if !name.starts_with('/') => format!("{d}/{name}"),
                _ => name,
            };
            files.insert(index, full);
        } else if trimmed.starts_with("0x") {
            let fields: Vec<&str> = trimmed.split_whitespace().collect();
            let flags = &fields[6..];
            let row = Row {
                address: u64::from_str_radix(&fields[0][2..], 16).unwrap(),
                line: fields[1].parse().unwrap(),
                column: fields[2].parse().unwrap(),
                file: files.get(&fields[3].parse::<u64>().unwrap()).cloned().unwrap_or_default(),
                is_stmt: flags.contains(&"is_stmt"),
                prologue_end: flags.contains(&"prologue_end"),
                end_sequence: flags.contains(&"end_sequence"),
            };
            let end = row.end_sequence;
            current.push(row);
            if end {
                sequences.push(std::mem::take(&mut current));
            }
        }
    }
    sequences
}

fn line_tables_agree(name: &str) {
    let path = guest(name);
    let symbols = WasmSymbols::load(&path, &LoadOptions::default()).unwrap();
    let (llvm_path, module) = for_llvm(name, &symbols);
    let index = symbols.module(module).unwrap().line_index().unwrap().expect("guest has DWARF");
    let mut ours = Vec::new();
    let mut current = Vec::new();
    for row in index.rows() {
        current.push(Row {
            address: row.address.0,
            line: row.line,
            column: row.column,
            file: index.file(row.file).to_owned(),
            is_stmt: row.is_stmt,
            prologue_end: row.prologue_end,
            end_sequence: row.end_sequence,
        });
        if row.end_sequence {
            ours.push(std::mem::take(&mut current));
        }
    }
    let mut expected = dwarfdump_sequences(&llvm_path);
    assert!(!expected.is_empty(), "{name}: dwarfdump printed no rows");
    // Our paths include the compilation directory, which --debug-line does
    // not print: theirs must be a tail of ours, component-wise.
    for sequence in &mut ours {
        for row in sequence.iter_mut() {
            row.file = expected_tail_form(&row.file);
        }
    }
    for sequence in &mut expected {
        for row in sequence.iter_mut() {
            row.file = expected_tail_form(&row.file);
        }
    }
    // Sort without the file, whose spelling differs between the two sides.
    let key = |sequence: &Vec<Row>| -> Vec<Row> {
        sequence.iter().map(|r| Row { file: String::new(), ..r.clone() }).collect()
    };
    ours.sort_by_cached_key(key);
    expected.sort_by_cached_key(key);
    assert_eq!(ours.len(), expected.len(), "{name}: sequence count differs");
    for (o, e) in ours.iter().zip(&expected) {
        assert_eq!(o.len(), e.len(), "{name}: sequence at {:#x} has a different row count", e[0].address);
        for (ro, re) in o.iter().zip(e) {
            let file_ok = ro.file == re.file || ro.file.ends_with(&format!("/{}", re.file));
            let same = Row { file: String::new(), ..ro.clone() } == Row { file: String::new(), ..re.clone() };
            assert!(same && file_ok, "{name}: row differs\n  dwarfdump: {re:?}\n  wasmscope: {ro:?}");
        }
    }
}

/// Drops `./` components so `./a/./b` and `a/b` compare equal.
fn expected_tail_form(path: &str) -> String {
    let absolute = path.starts_with('/');
    let parts: Vec<&str> = path.split('/').filter(|c| !c.is_empty() && *c != ".").collect();
    format!("{}{}", if absolute { "/" } else { "" }, parts.join("/"))
}

macro_rules! per_guest {
    ($($test:ident: $guest:literal),* $(,)?) => {$(
        mod $test {
            #[test]
            fn every_instruction_symbolizes_like_llvm_symbolizer() {
                super::symbolize_every_instruction($guest);
            }

            #[test]
            fn every_line_row_agrees_with_llvm_dwarfdump() {
                super::line_tables_agree($guest);
            }
        }
    )*};
}

per_guest! {
    c_o0: "c-O0", c_o2: "c-O2",
    cpp_o0: "cpp-O0", cpp_o2: "cpp-O2",
    rust_o0: "rust-O0", rust_o2: "rust-O2",
    hotspots_o0: "hotspots-O0", hotspots_o2: "hotspots-O2",
    // The server example, as the component `wasmscope serve` runs.
    http_routes_o0: "http-routes-O0-component", http_routes_o2: "http-routes-O2-component",
    // Paths recorded as URLs (`wasisdk://…`), as wasi-sdk 30 records its libc's.
    url_paths_o0: "url-paths-O0",
}
