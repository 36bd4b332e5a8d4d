//! Wasm in Node, profiled with V8's own sampler (`profile --node`) and
//! symbolized from DWARF (`symbolize-profile`): the known 3:1 split between
//! the bundled example's heavy and light work, each function placed at its
//! definition in the source; and clear errors for a wrong module or a file
//! that is not a CPU profile.

#![allow(clippy::unwrap_used)]

mod v8_profiles;

use std::path::PathBuf;
use std::process::{Command, Output};

use wasmscope_test_support::{guest, repo_root};

fn wasmscope(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wasmscope")).args(args).output().unwrap()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("wasmscope-node-profile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

#[test]
fn a_node_run_names_the_hot_functions_with_their_file_and_line() {
    let program = guest("hotspots-O2");
    let script = repo_root().join("devtools/assets/run-wasi.mjs");
    let out = scratch("node.json");
    let run = wasmscope(&[
        "profile",
        "--node",
        script.to_str().unwrap(),
        "--wasm",
        program.to_str().unwrap(),
        "--rate",
        "5000",
        "--no-save",
        "-o",
        out.to_str().unwrap(),
        "--",
        program.to_str().unwrap(),
        "80",
    ]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let profile: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    v8_profiles::check_hotspots_profile(&profile);
}

#[test]
fn a_module_that_is_not_the_profiles_and_a_file_that_is_no_profile_are_said() {
    let program = guest("hotspots-O2");
    let script = repo_root().join("devtools/assets/run-wasi.mjs");
    let dir = scratch("cpuprofiles");
    std::fs::create_dir_all(&dir).unwrap();
    let node = Command::new("node")
        .arg("--cpu-prof")
        .arg("--cpu-prof-dir")
        .arg(&dir)
        .arg(&script)
        .arg(&program)
        .arg("10")
        .output()
        .unwrap();
    assert!(node.status.success(), "{}", String::from_utf8_lossy(&node.stderr));
    let recorded = std::fs::read_dir(&dir).unwrap().flatten().map(|e| e.path()).next().unwrap();
    let other = guest("c-O0");
    let wrong = wasmscope(&["symbolize-profile", recorded.to_str().unwrap(), "--wasm", other.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&wrong.stderr);
    assert!(!wrong.status.success() && stderr.contains("none of the modules given"), "{stderr}");
    let right = scratch("right.folded");
    let ok = wasmscope(&[
        "symbolize-profile",
        recorded.to_str().unwrap(),
        "--wasm",
        other.to_str().unwrap(),
        "--wasm",
        program.to_str().unwrap(),
        "-o",
        right.to_str().unwrap(),
    ]);
    assert!(ok.status.success(), "the right module among others: {}", String::from_utf8_lossy(&ok.stderr));
    assert!(std::fs::read_to_string(&right).unwrap().contains(";heavy_work "));

    let garbage = scratch("garbage.cpuprofile");
    std::fs::write(&garbage, b"{\"nodes\": 3}").unwrap();
    let bad = wasmscope(&["symbolize-profile", garbage.to_str().unwrap(), "--wasm", program.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(!bad.status.success() && stderr.contains("not a V8 CPU profile"), "{stderr}");
}
