//! Bad input gets a one-line error that names the problem and exit status 1,
//! from every command that reads a module; never a panic.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use wasmscope_debugger::symbols::{LoadOptions, WasmSymbols};
use wasmscope_test_support::guest;

fn scratch(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("bad_input");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// Runs each command on `path` and checks the failure is clean and says `needle`.
fn assert_clean_failure(path: &Path, needle: &str) {
    let commands: [&[&str]; 3] = [&["symbolize", "0x10"], &["lines", "main.c:10"], &["info"]];
    for args in commands {
        let mut command = Command::new(env!("CARGO_BIN_EXE_wasmscope"));
        command.arg(args[0]).arg(path).args(&args[1..]);
        let output = command.output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(
            output.status.code(),
            Some(1),
            "{args:?} on {}: status {:?}, stderr {stderr}",
            path.display(),
            output.status
        );
        assert!(!stderr.contains("panicked"), "{args:?}: panic: {stderr}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "{args:?}: not one line: {stderr}");
        assert!(stderr.contains(needle), "{args:?}: `{needle}` not in: {stderr}");
    }
}

/// The guest's bytes with `edit` applied to the contents of one custom section.
fn with_section_edited(section: &str, edit: impl Fn(&mut [u8])) -> Vec<u8> {
    let path = guest("c-O0");
    let mut bytes = std::fs::read(&path).unwrap();
    let symbols = WasmSymbols::load(&path, &LoadOptions::default()).unwrap();
    let module = symbols.module(0).unwrap().module();
    let (_, range) = module.custom_sections.iter().find(|(n, _)| n == section).unwrap();
    edit(&mut bytes[range.clone()]);
    bytes
}

#[test]
fn empty_file() {
    assert_clean_failure(&scratch("empty.wasm", b""), "is empty");
}

#[test]
fn not_wasm() {
    assert_clean_failure(&scratch("text.wasm", b"#!/bin/sh\necho hello\n"), "is not WebAssembly");
}

#[test]
fn missing_file() {
    assert_clean_failure(Path::new("/nonexistent/app.wasm"), "cannot read /nonexistent/app.wasm");
}

#[test]
fn truncated_module() {
    let bytes = std::fs::read(guest("c-O0")).unwrap();
    // 8 bytes is a valid empty module; from 9 on, a section is cut short.
    for cut in [9, 100, bytes.len() / 2, bytes.len() - 1] {
        let path = scratch(&format!("truncated-{cut}.wasm"), &bytes[..cut]);
        assert_clean_failure(&path, "is malformed at byte");
    }
}

#[test]
fn corrupt_debug_info() {
    // The first unit header claims DWARF version 99.
    let bytes = with_section_edited(".debug_info", |s| s[4..6].copy_from_slice(&99u16.to_le_bytes()));
    assert_clean_failure(&scratch("bad-info.wasm", &bytes), "corrupt DWARF in .debug_info");
}

#[test]
fn corrupt_debug_line() {
    // The first line program header (the crt1 unit holding 0x10) claims version 99.
    let bytes = with_section_edited(".debug_line", |s| s[4..6].copy_from_slice(&99u16.to_le_bytes()));
    assert_clean_failure(&scratch("bad-line.wasm", &bytes), "corrupt DWARF in .debug_line");
}

#[test]
fn the_cause_of_an_error_is_said_once() {
    let output =
        Command::new(env!("CARGO_BIN_EXE_wasmscope")).args(["info", "/nonexistent/app.wasm"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.matches("No such file").count(), 1, "{stderr}");
}

#[test]
fn files_that_are_not_regular_are_refused_without_reading_them() {
    let fifo = Path::new(env!("CARGO_TARGET_TMPDIR")).join("bad_input").join("a.fifo");
    std::fs::create_dir_all(fifo.parent().unwrap()).unwrap();
    let _ = std::fs::remove_file(&fifo);
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    assert_clean_failure(&fifo, "is a FIFO");
    assert_clean_failure(Path::new("/dev/zero"), "is a device");
    assert_clean_failure(Path::new("/"), "is a directory");
}

#[test]
fn a_debug_file_without_dwarf_is_an_error_not_an_empty_success() {
    let stripped = scratch("stripped.wasm", b"\0asm\x01\0\0\0");
    let output = Command::new(env!("CARGO_BIN_EXE_wasmscope"))
        .args(["info", "--debug-file"])
        .arg(&stripped)
        .arg(guest("c-O0"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("has no DWARF"), "{stderr}");
}

#[test]
fn names_from_a_corrupt_string_section_print_no_control_characters() {
    // Every byte of .debug_str becomes a control character: names read
    // from it must be escaped, whatever else the commands say.
    let bytes =
        with_section_edited(".debug_str", |s| s.iter_mut().enumerate().for_each(|(i, b)| *b = 1 + (i % 30) as u8));
    let path = scratch("control-str.wasm", &bytes);
    for args in [&["info", "--functions"][..], &["symbolize", "0x10"][..]] {
        let output =
            Command::new(env!("CARGO_BIN_EXE_wasmscope")).arg(args[0]).arg(&path).args(&args[1..]).output().unwrap();
        for text in [&output.stdout, &output.stderr] {
            let raw = text.iter().filter(|&&b| b < 0x20 && b != b'\n').count();
            assert_eq!(raw, 0, "{args:?}: {}", String::from_utf8_lossy(text));
        }
    }
}
