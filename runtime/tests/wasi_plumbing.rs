//! The guest's WASI world under the debug host and the plain host, for a
//! preview1 module and the same program as a preview2 component: arguments,
//! environment, stdin from a file, files through preopened directories
//! (`HOST::GUEST`), streamed stdout/stderr, exit statuses. The io guest's
//! modes are in tests/guests/io/main.c.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use wasmscope_runtime::{
    Debuggee, DebuggeeEvent, DirMapping, GuestConfig, OutputStream, RunOutcome, run_to_completion,
};
use wasmscope_test_support::guest;

const PROGRAMS: [&str; 2] = ["io-O0", "io-O0-component"];

fn scratch(test: &str, program: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("wasi_plumbing").join(test).join(program);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn config(program: &str, args: &[&str]) -> GuestConfig {
    GuestConfig {
        program: guest(program),
        args: args.iter().map(|a| a.to_string()).collect(),
        capture_output: true,
        ..Default::default()
    }
}

/// Runs under the debug host with no breakpoints: stdout, stderr, the end.
fn run(config: &GuestConfig) -> (String, String, RunOutcome) {
    let debuggee = Debuggee::launch(config, Vec::new());
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    loop {
        match debuggee.wait() {
            DebuggeeEvent::Output { stream: OutputStream::Stdout, bytes } => stdout.extend(bytes),
            DebuggeeEvent::Output { stream: OutputStream::Stderr, bytes } => stderr.extend(bytes),
            DebuggeeEvent::Ended(outcome) => {
                return (String::from_utf8(stdout).unwrap(), String::from_utf8(stderr).unwrap(), outcome);
            }
            other => panic!("{}: unexpected {other:?}", config.program.display()),
        }
    }
}

#[test]
fn environment_variables_reach_the_guest() {
    for program in PROGRAMS {
        let mut config = config(program, &["env"]);
        config.env = vec![("WASMSCOPE_TEST".into(), "hello from the host".into())];
        let (stdout, _, outcome) = run(&config);
        assert_eq!(stdout, "env: hello from the host\n", "{program}");
        assert_eq!(outcome, RunOutcome::Exited(0), "{program}");
        let (stdout, _, _) = run(&self::config(program, &["env"]));
        assert_eq!(stdout, "env: (unset)\n", "{program}: nothing leaks from the host's environment");
    }
}

#[test]
fn stdin_comes_from_a_file() {
    for program in PROGRAMS {
        let dir = scratch("stdin", program);
        let input = dir.join("input.txt");
        let text = "first line\nsecond line, ünïcode\n";
        std::fs::write(&input, text).unwrap();
        let mut config = config(program, &["cat"]);
        config.stdin = Some(input);
        let (stdout, stderr, outcome) = run(&config);
        assert_eq!(stdout, text, "{program}");
        assert_eq!(stderr, format!("cat: {} bytes\n", text.len()), "{program}");
        assert_eq!(outcome, RunOutcome::Exited(0));
    }
}

#[test]
fn preopened_directories_are_read_and_written_under_their_guest_name() {
    for program in PROGRAMS {
        let dir = scratch("dirs", program);
        std::fs::write(dir.join("in.txt"), "from the host\n").unwrap();
        let mapping: DirMapping = format!("{}::/data", dir.display()).parse().unwrap();
        let mut config = config(program, &["read", "/data/in.txt"]);
        config.dirs = vec![mapping.clone()];
        let (stdout, _, outcome) = run(&config);
        assert_eq!((stdout.as_str(), outcome), ("from the host\n", RunOutcome::Exited(0)), "{program}");

        let mut config = self::config(program, &["write", "/data/out.txt", "from the guest"]);
        config.dirs = vec![mapping];
        assert_eq!(run(&config).2, RunOutcome::Exited(0), "{program}");
        assert_eq!(std::fs::read_to_string(dir.join("out.txt")).unwrap(), "from the guest");

        // Without the mapping the file is out of the guest's reach.
        let (_, stderr, outcome) = run(&self::config(program, &["read", "/data/in.txt"]));
        assert_eq!(outcome, RunOutcome::Exited(if program.ends_with("component") { 1 } else { 2 }), "{program}");
        assert!(stderr.contains("cannot open /data/in.txt"), "{program}: {stderr}");
    }
}

#[test]
fn exit_statuses_are_reported_by_both_hosts() {
    // A module's status is C's return value. A preview2 component's
    // `wasi:cli/exit` (WASI 0.2) carries only success or failure, so any
    // failure is status 1, as `wasmtime run` reports it too.
    for (program, expected) in [("io-O0", 3), ("io-O0-component", 1)] {
        let config = config(program, &["exit", "3"]);
        assert_eq!(run(&config).2, RunOutcome::Exited(expected), "{program} under the debugger");
        let plain = GuestConfig { capture_output: false, quiet: true, ..config };
        assert_eq!(run_to_completion(&plain).unwrap(), RunOutcome::Exited(expected), "{program} plain");
        let ok = GuestConfig { args: vec!["exit".into(), "0".into()], ..plain };
        assert_eq!(run_to_completion(&ok).unwrap(), RunOutcome::Exited(0), "{program} plain");
    }
}
