//! Coredumps from the command line: `run --coredump`, `serve
//! --coredump-dir` (one file per trapping request, within its bounds), and
//! `debug --core` opening them at the trap.

#![allow(clippy::unwrap_used)]

use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use wasmscope_test_support::http::{get, wait_for_serving};
use wasmscope_test_support::{guest, marker, repo_root};

fn wasmscope(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wasmscope")).args(args).output().unwrap()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("wasmscope-cli-coredumps-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// The line of the first line of `file` containing `text`.
fn line_of(file: &Path, text: &str) -> usize {
    std::fs::read_to_string(file).unwrap().lines().position(|l| l.contains(text)).unwrap() + 1
}

/// `wasmscope debug --core DUMP -x COMMANDS` with the guests' sources mapped.
fn open(dump: &Path, commands: &str) -> String {
    let map = format!("/wasmscope={}", repo_root().display());
    let out = wasmscope(&["debug", "--core", dump.to_str().unwrap(), "--source-map", &map, "-x", commands]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn a_run_that_traps_leaves_a_coredump_that_opens_at_the_trap() {
    let dump = scratch("run-trap-oob.coredump");
    let program = guest("c-O0");
    let run = wasmscope(&["run", "--coredump", dump.to_str().unwrap(), program.to_str().unwrap(), "--", "trap-oob"]);
    assert_eq!(run.status.code(), Some(134));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("wrote a coredump of the trap to"), "{stderr}");
    let main_c = repo_root().join("tests/guests/c/main.c");
    // The run's own report places the caller at its call, as the dump does.
    assert!(
        stderr.contains(&format!("#1 main at /wasmscope/tests/guests/c/main.c:{}", line_of(&main_c, "trap_oob();")))
    );

    // No program given: the one the dump names.
    let shown = open(&dump, "bt; print p; up; continue");
    let trap = marker(&main_c, "trap_oob");
    assert!(shown.contains("Trapped (coredump): out-of-bounds memory access"), "{shown}");
    assert!(shown.contains(&format!("#0  trap_oob at {}:{trap}", main_c.display())), "{shown}");
    assert!(
        shown.contains(&format!("#1  main at {}:{}", main_c.display(), line_of(&main_c, "trap_oob();"))),
        "{shown}"
    );
    // `up` selects the caller in a dump as in a live stop.
    let caller = format!("\n#1  main at {}:{}", main_c.display(), line_of(&main_c, "trap_oob();"));
    assert!(shown.contains(&caller), "{shown}");
    // A production engine's dump has no Wasm locals: said, not guessed.
    assert!(shown.contains("holds no Wasm locals"), "{shown}");
    assert!(shown.contains("error: this is a coredump"), "continue is refused: {shown}");

    // A run that does not trap writes nothing.
    let clean = scratch("run-clean.coredump");
    let run = wasmscope(&["run", "--coredump", clean.to_str().unwrap(), program.to_str().unwrap()]);
    assert!(run.status.success());
    assert!(!clean.exists());
}

#[test]
fn a_server_leaves_one_coredump_per_trapping_request_within_its_bounds() {
    let dir = scratch("serve-dumps");
    let mut child = Command::new(env!("CARGO_BIN_EXE_wasmscope"))
        .args(["serve", "--addr", "127.0.0.1:0", "--coredump-dir", dir.to_str().unwrap(), "--coredump-max-files", "2"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let (addr, _) = wait_for_serving(&mut stderr);
    std::thread::spawn(move || std::io::copy(&mut stderr, &mut std::io::sink()));
    assert_eq!(get(addr, "/hello/x").status, 200);
    for _ in 0..3 {
        assert_eq!(get(addr, "/crash").status, 500);
    }
    assert_eq!(get(addr, "/hello/y").status, 200, "the server goes on");
    let _ = child.kill();
    let _ = child.wait();
    let mut dumps: Vec<PathBuf> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    dumps.sort();
    assert_eq!(dumps.len(), 2, "bounded by --coredump-max-files: {dumps:?}");
    let name = dumps[0].file_name().unwrap().to_string_lossy().into_owned();
    assert!(name.ends_with("-1-GET__crash.coredump"), "{name}");

    let routes_c = repo_root().join("examples/http-routes/routes.c");
    let map = format!("/wasmscope={}", repo_root().display());
    let out = wasmscope(&["debug", "--core", dumps[0].to_str().unwrap(), "--source-map", &map, "-x", "bt"]);
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(shown.contains("unreachable instruction executed"), "{shown}");
    assert!(shown.contains(&format!("#0  route at {}:{}", routes_c.display(), marker(&routes_c, "crash"))), "{shown}");
    assert!(shown.contains("exports_wasi_http_incoming_handler_handle"), "{shown}");
}

#[test]
fn broken_coredumps_are_one_line_errors_naming_the_problem() {
    let program = guest("c-O0");
    let cases: [(&str, &[u8], &str); 3] = [
        ("empty.coredump", b"", "is empty"),
        ("garbage.coredump", b"\0asm\x01\0\0\0\x00\x05\x04core", "corrupt or truncated"),
        ("module.coredump", b"\0asm\x01\0\0\0", "no `core` section"),
    ];
    for (name, bytes, expected) in cases {
        let path = scratch(name);
        std::fs::write(&path, bytes).unwrap();
        let out = wasmscope(&["debug", "--core", path.to_str().unwrap(), program.to_str().unwrap(), "-x", "bt"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{name}");
        let error: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
        assert!(error.iter().any(|l| l.contains(expected)), "{name}: {stderr}");
    }
    // A dump of one program opened with another.
    let dump = scratch("foreign.coredump");
    wasmscope(&["run", "--coredump", dump.to_str().unwrap(), program.to_str().unwrap(), "--", "trap-unreachable"]);
    let other = guest("cpp-O0");
    let out = wasmscope(&["debug", "--core", dump.to_str().unwrap(), other.to_str().unwrap(), "-x", "bt"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && stderr.contains("another build of the program"), "{stderr}");
}
