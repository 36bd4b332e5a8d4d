//! Wasm in Node, profiled with V8's own sampler (`profile --node`) and
//! symbolized from DWARF (`symbolize-profile`): the known 3:1 split between
//! the bundled example's heavy and light work, each function placed at its
//! definition in the source; and clear errors for a wrong module or a file
//! that is not a CPU profile.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
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

/// The 1-based line where `function` is defined in `file` (its name
/// followed by a parameter list, at the start of a line or after a type).
fn definition_line(file: &Path, function: &str) -> u32 {
    let text = std::fs::read_to_string(file).unwrap();
    let position = text
        .lines()
        .position(|l| {
            let code = l.trim_start();
            code.contains(&format!(" {function}(")) && !code.starts_with(['*', '/']) && !code.ends_with(';')
        })
        .unwrap();
    position as u32 + 1
}

#[test]
fn a_node_run_names_the_hot_functions_with_their_file_and_line() {
    let program = guest("hotspots-O2");
    let script = repo_root().join("tests/node/run-wasi.mjs");
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
    let frames = profile["shared"]["frames"].as_array().unwrap();
    let source = repo_root().join("examples/hotspots/hotspots.c");
    let index_of = |name: &str| frames.iter().position(|f| f["name"] == name).unwrap_or_else(|| panic!("no {name}"));
    for name in ["heavy_work", "light_work"] {
        let frame = &frames[index_of(name)];
        assert!(frame["file"].as_str().unwrap().ends_with("examples/hotspots/hotspots.c"), "{frame}");
        assert_eq!(frame["line"], definition_line(&source, name), "{name} at its definition: {frame}");
    }
    // Self samples of each: heavy_work does three times light_work's work.
    let (heavy, light) = (index_of("heavy_work"), index_of("light_work"));
    let (mut heavy_ms, mut light_ms) = (0.0, 0.0);
    let samples = profile["profiles"][0]["samples"].as_array().unwrap();
    let weights = profile["profiles"][0]["weights"].as_array().unwrap();
    for (stack, weight) in samples.iter().zip(weights) {
        let leaf = stack.as_array().unwrap().last().and_then(serde_json::Value::as_u64).unwrap() as usize;
        let weight = weight.as_f64().unwrap();
        if leaf == heavy {
            heavy_ms += weight;
        } else if leaf == light {
            light_ms += weight;
        }
    }
    let share = heavy_ms / (heavy_ms + light_ms);
    assert!((share - 0.75).abs() <= 0.05, "heavy_work's share of the work: {share:.3}");
}

#[test]
fn a_module_that_is_not_the_profiles_and_a_file_that_is_no_profile_are_said() {
    let program = guest("hotspots-O2");
    let script = repo_root().join("tests/node/run-wasi.mjs");
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
