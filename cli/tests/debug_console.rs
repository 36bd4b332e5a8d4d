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
    assert!(text.contains("not bound: no code for nowhere.c:1"), "{text}");
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

#[test]
fn a_module_that_is_not_a_command_is_refused_at_launch_with_a_failing_status() {
    // A valid module with no `_start`: a library, not a program.
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("not_a_command");
    std::fs::create_dir_all(&dir).unwrap();
    let library = dir.join("library.wasm");
    std::fs::write(&library, b"\0asm\x01\0\0\0").unwrap();
    let (text, status) = debug(&[library.to_str().unwrap(), "-x", "run"], "");
    assert_ne!(status, 0, "{text}");
    assert!(text.contains("not a WASI command"), "{text}");
    assert_eq!(text.trim_end().lines().count(), 1, "one line: {text}");
}

#[test]
fn the_console_gives_the_program_stdin_directories_and_environment() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("console_io");
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("input.txt");
    std::fs::write(&input, "line one\nline two\n").unwrap();
    let (text, status) =
        debug(&[guest("io-O0").to_str().unwrap(), "--stdin", input.to_str().unwrap(), "-x", "run", "--", "cat"], "");
    assert_eq!(status, 0, "{text}");
    assert!(text.contains("line two"), "the program read the file as its stdin: {text}");
    let (text, status) = debug(
        &[guest("io-O0").to_str().unwrap(), "--env", "GREETING=hello there", "-x", "run", "--", "env", "GREETING"],
        "",
    );
    assert_eq!(status, 0, "{text}");
    assert!(text.contains("hello there"), "{text}");
}

#[test]
fn the_bundled_example_is_unpacked_where_a_planted_symlink_is_not_followed() {
    let cache = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("xdg_cache_planted");
    let _ = std::fs::remove_dir_all(&cache);
    let dir = cache.join("wasmscope").join(format!("example-{}", env!("CARGO_PKG_VERSION")));
    std::fs::create_dir_all(&dir).unwrap();
    let victim = cache.join("victim.txt");
    std::fs::write(&victim, "precious").unwrap();
    std::os::unix::fs::symlink(&victim, dir.join("hotspots.wasm")).unwrap();
    std::os::unix::fs::symlink(&victim, dir.join("hotspots.c")).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_wasmscope"))
        .args(["debug", "-x", "bt"])
        .env("XDG_CACHE_HOME", &cache)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious", "the symlink's target was written");
    for name in ["hotspots.wasm", "hotspots.c"] {
        assert!(std::fs::symlink_metadata(dir.join(name)).unwrap().is_file(), "{name} is a file of its own now");
    }
    use std::os::unix::fs::PermissionsExt as _;
    assert_eq!(std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777, 0o700);
}

#[test]
fn frame_up_and_down_select_the_frame_that_locals_and_print_read() {
    let program = guest("c-O0");
    let recurse = marker(&repo_root().join("tests/guests/c/main.c"), "factorial_recurse");
    // The breakpoint is met at each level of factorial(10): the second stop
    // is in factorial(9), whose caller is factorial(10).
    let commands = "run; continue; print n; up; print n; locals; bt; down; print n; frame 1; print n * 2; \
                    down 2; frame 999; up many; continue; print n";
    let (text, code) = debug(&["-b", &format!("main.c:{recurse}"), "-x", commands, program.to_str().unwrap()], "");
    assert_eq!(code, 0, "{text}");
    let printed: Vec<&str> = text.lines().filter(|l| l.ends_with(" (int)") && !l.contains(" = ")).collect();
    // The last `print n`, after `frame 1` and a stop in factorial(8): a stop
    // selects its own frame again.
    assert_eq!(printed, ["9 (int)", "10 (int)", "9 (int)", "20 (int)", "8 (int)"], "{text}");
    assert!(text.contains("\n#1  factorial at "), "`up` shows the frame it selected:\n{text}");
    assert!(text.contains("n = 10 (int)"), "`locals` reads the selected frame:\n{text}");
    assert!(text.contains("*#1  factorial at "), "`bt` marks the selected frame:\n{text}");
    assert!(text.contains("error: no frame below #0"), "{text}");
    assert!(text.contains("error: no frame #999 (the stack has "), "{text}");
    assert!(text.contains("error: `many` is not a frame number or count"), "{text}");
}
