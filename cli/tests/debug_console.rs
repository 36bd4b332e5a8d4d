//! `wasmscope debug`: the console debugger, driven by `-x` and by stdin,
//! on the bundled example (no program given) and on a fixture guest.

#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::process::{Command, Stdio};

use wasmscope_test_support::{guest, hotspots_light_work, marker, repo_root};

fn debug(args: &[&str], stdin: &str) -> (String, i32) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_wasmscope"))
        .arg("debug")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&output.stdout).into_owned() + &String::from_utf8_lossy(&output.stderr);
    (text, output.status.code().unwrap_or(-1))
}

fn value(text: &str, name: &str) -> u32 {
    let prefix = format!("{name} = ");
    let line = text.lines().find(|l| l.starts_with(&prefix)).unwrap_or_else(|| panic!("no {name} in:\n{text}"));
    line[prefix.len()..].split(' ').next().unwrap().parse().unwrap()
}

#[test]
fn the_bundled_example_debugs_with_no_program() {
    let line = marker(&repo_root().join("examples/hotspots/hotspots.c"), "round_end");
    let (text, code) =
        debug(&["-b", &format!("hotspots.c:{line}"), "-x", "run; bt; locals; continue; quit", "--", "2"], "");
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("stopped (breakpoint) in run_round at "), "{text}");
    assert!(text.contains("return a ^ b;"), "the source line is shown:\n{text}");
    assert!(text.contains("#1  main at "), "{text}");
    assert_eq!(value(&text, "b"), hotspots_light_work(value(&text, "a")));
}

#[test]
fn commands_from_stdin_step_print_and_run_to_the_exit_code() {
    let program = guest("c-O0");
    let map = format!("/wasmscope={}", repo_root().display());
    let recurse = marker(&repo_root().join("tests/guests/c/main.c"), "factorial_recurse");
    let script =
        format!("break main.c:{recurse}\nrun\nprint n * 2\nnosuch\nnext\nbreak nowhere.c:1\ncontinue\nlocals\nbreak\n");
    let (text, code) = debug(&[program.to_str().unwrap(), "--source-map", &map], &script);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("20 (int)"), "`n * 2` is an int, as C computes it: {text}");
    assert!(text.contains("error: unknown command `nosuch`"), "{text}");
    // `next` over the recursive call meets the breakpoint one level down.
    assert_eq!(text.matches("stopped (breakpoint) in factorial").count(), 3, "{text}");
    assert!(text.contains("pending: no code for nowhere.c:1"), "{text}");
    assert!(text.contains("n = 8 (int)"), "{text}");
    assert!(text.contains("error: break FILE:LINE or break FUNCTION"), "{text}");
}

#[test]
fn a_trap_stops_with_its_kind_and_a_bad_program_is_an_error() {
    let program = guest("c-O0");
    let (text, code) = debug(&[program.to_str().unwrap(), "-x", "run", "--", "trap-oob"], "");
    assert!(text.contains("stopped (exception: Paused on trap: out-of-bounds memory access)"), "{text}");
    assert_eq!(code, 0, "stopped, then ended by quitting: {text}");
    let (text, code) = debug(&["/no/such.wasm", "-x", "run"], "");
    assert_ne!(code, 0);
    assert!(text.contains("cannot launch") && text.contains("`program`"), "{text}");
}
