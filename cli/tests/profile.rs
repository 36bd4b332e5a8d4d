//! `wasmscope profile` end to end on guests whose split of work is known by
//! construction; every output format read back by an independent reader.

#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use wasmscope_test_support::{guest, guests_dir, marker, repo_root};

fn out_dir(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("profile").join(test);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `wasmscope profile ARGS` and returns its stderr (the summary).
fn profile(args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_wasmscope")).arg("profile").args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "profile {args:?} failed: {stderr}");
    stderr
}

/// Samples per leaf-to-root path element: how many samples have a frame
/// whose name contains `name` anywhere in their stack.
fn samples_through(folded: &str, name: &str) -> u64 {
    folded
        .lines()
        .filter(|l| l.rsplit_once(' ').unwrap().0.split(';').any(|f| f.trim_end_matches("_[i]") == name))
        .map(|l| l.rsplit_once(' ').unwrap().1.parse::<u64>().unwrap())
        .sum()
}

#[test]
fn the_bundled_example_is_built_from_its_source() {
    let built = std::fs::read(guests_dir().join("hotspots-O2.wasm")).unwrap();
    let bundled = std::fs::read(repo_root().join("examples/hotspots/hotspots.wasm")).unwrap();
    assert!(built == bundled, "examples/hotspots/hotspots.wasm is stale: copy target/guests/hotspots-O2.wasm over it");
}

#[test]
fn a_function_doing_three_times_the_work_gets_three_quarters_of_the_samples() {
    for name in ["hotspots-O0", "hotspots-O2", "hotspots-O2-component"] {
        let out = out_dir("split").join(format!("{name}.folded"));
        let program = guest(name);
        // Enough rounds for 200 samples at 1 kHz on a fast, idle machine.
        let rounds = if name.ends_with("O0") { "45" } else { "60" };
        profile(&["-o", out.to_str().unwrap(), program.to_str().unwrap(), "--", rounds]);
        let folded = std::fs::read_to_string(&out).unwrap();
        let (heavy, light) = (samples_through(&folded, "heavy_work"), samples_through(&folded, "light_work"));
        assert!(heavy + light > 200, "{name}: too few samples ({heavy} + {light})");
        let share = 100.0 * heavy as f64 / (heavy + light) as f64;
        assert!((share - 75.0).abs() <= 5.0, "{name}: heavy_work has {share:.1}% of heavy+light, expected 75 ± 5");
    }
}

#[test]
fn time_in_a_wasi_call_is_charged_to_the_import_under_its_caller() {
    assert_host_share("sleeper-O2", &|name| name == "wasi_snapshot_preview1::poll_oneoff");
}

#[test]
fn in_a_component_host_time_is_charged_to_the_preview2_import() {
    // The adapter turns poll_oneoff into wasi:io/poll's `poll`, reached
    // through the component's glue module.
    assert_host_share("sleeper-O2-component", &|name| name.starts_with("wasi:io/poll@") && name.ends_with("::poll"));
}

/// Profiles `guest_name` (the sleeper) and checks the time in the import
/// `is_import` names is the share of its sleeps, under `main`.
fn assert_host_share(guest_name: &str, is_import: &dyn Fn(&str) -> bool) {
    let out = out_dir("host").join(format!("{guest_name}.speedscope.json"));
    profile(&["-o", out.to_str().unwrap(), guest(guest_name).to_str().unwrap()]);
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let frames = json["shared"]["frames"].as_array().unwrap();
    let poll = frames.iter().position(|f| is_import(f["name"].as_str().unwrap())).expect("host frame");
    // A frame is a function at a line: main appears once per call line.
    let mains: Vec<usize> = (0..frames.len()).filter(|&i| frames[i]["name"] == "main").collect();
    assert!(!mains.is_empty(), "main");
    let profile = &json["profiles"][0];
    let (mut host_ms, mut total_ms) = (0.0, 0.0);
    for (stack, weight) in profile["samples"].as_array().unwrap().iter().zip(profile["weights"].as_array().unwrap()) {
        let stack: Vec<usize> = stack.as_array().unwrap().iter().map(|v| v.as_u64().unwrap() as usize).collect();
        let weight = weight.as_f64().unwrap();
        total_ms += weight;
        if stack.last() == Some(&poll) {
            assert!(stack.iter().any(|f| mains.contains(f)), "the sleep is under main");
            host_ms += weight;
        }
    }
    // By construction the guest sleeps 4 × 100 ms; the rest is its loop.
    let expected = 100.0 * 400.0 / total_ms;
    let measured = 100.0 * host_ms / total_ms;
    assert!(
        (measured - expected).abs() <= 5.0,
        "{guest_name}: host share {measured:.1}%, expected {expected:.1}% (total {total_ms} ms)"
    );
}

/// Profiles `guest_name` and checks that `helper`, inlined at -O2, shows up
/// as `helper_[i]` frames whose lines lie within the helper's body: from
/// the line starting with `signature` to the marker's line plus `tail`.
fn assert_inlined_frames(
    guest_name: &str,
    args: &[&str],
    source: &str,
    signature: &str,
    helper: &str,
    end_marker: &str,
    tail: u64,
) {
    let out = out_dir("inlined").join(format!("{guest_name}.speedscope.json"));
    let program = guest(guest_name);
    let mut command = vec!["-o", out.to_str().unwrap(), program.to_str().unwrap(), "--"];
    command.extend_from_slice(args);
    profile(&command);
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let source_path = repo_root().join(source);
    let text = std::fs::read_to_string(&source_path).unwrap();
    let first = text.lines().position(|l| l.trim_start().starts_with(signature)).unwrap() as u64 + 1;
    let last = u64::from(marker(&source_path, end_marker)) + tail;
    let name = format!("{helper}_[i]");
    let inlined: Vec<&serde_json::Value> =
        json["shared"]["frames"].as_array().unwrap().iter().filter(|f| f["name"] == name.as_str()).collect();
    assert!(!inlined.is_empty(), "{helper} is inlined at -O2 and sampled in {guest_name}");
    for frame in inlined {
        assert!(frame["file"].as_str().unwrap().ends_with(source), "{frame}");
        let line = frame["line"].as_u64().unwrap();
        assert!((first..=last).contains(&line), "{name} at line {line}, outside {helper} ({first}..={last})");
    }
}

#[test]
fn inlined_frames_are_named_with_their_lines() {
    // hotspots' `mix` is inlined into both loops; sleeper's `spin` into main.
    assert_inlined_frames(
        "hotspots-O2",
        &["20"],
        "examples/hotspots/hotspots.c",
        "static inline uint32_t mix(",
        "mix",
        "hot_mix",
        2,
    );
    assert_inlined_frames(
        "sleeper-O2",
        &[],
        "tests/guests/profile/sleeper.c",
        "static uint32_t spin(",
        "spin",
        "spin_loop",
        1,
    );
}

#[test]
fn the_flamegraph_is_well_formed_svg_with_the_hot_function() {
    let dir = out_dir("svg");
    let out = dir.join("profile.svg");
    let summary = profile(&["-o", out.to_str().unwrap(), "--rate", "500"]);
    assert!(summary.contains("heavy_work"), "{summary}");
    let svg = std::fs::read_to_string(&out).unwrap();
    let options = roxmltree::ParsingOptions { allow_dtd: true, ..Default::default() };
    let document = roxmltree::Document::parse_with_options(&svg, options).expect("the SVG parses as XML");
    let titles: HashMap<String, usize> = document
        .descendants()
        .filter(|n| n.has_tag_name("title"))
        .filter_map(|n| n.text())
        .map(|t| (t.split(' ').next().unwrap().to_owned(), 1))
        .collect();
    assert!(titles.contains_key("heavy_work"), "a frame titled heavy_work");
    assert!(svg.contains("hotspots (bundled example)"), "the title names the program");
}

#[test]
fn a_program_that_ends_before_the_first_sample_still_gets_a_valid_flamegraph() {
    // At 1 Hz the C guest ends long before its first sample.
    let out = out_dir("no_samples").join("profile.svg");
    let summary = profile(&["-o", out.to_str().unwrap(), "--rate", "1", guest("c-O0").to_str().unwrap()]);
    assert!(summary.contains("0 samples"), "{summary}");
    let svg = std::fs::read_to_string(&out).unwrap();
    let document = roxmltree::Document::parse(&svg).expect("the SVG parses as XML");
    let text: String = document.descendants().filter_map(|n| n.text()).collect();
    assert!(text.contains("No samples") && text.contains("less than one sampling period"), "{svg}");
}

#[test]
fn bad_input_is_a_clean_error() {
    let output =
        Command::new(env!("CARGO_BIN_EXE_wasmscope")).args(["profile", "--format", "gif", "x.wasm"]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("unknown format `gif`"));
    let output = Command::new(env!("CARGO_BIN_EXE_wasmscope"))
        .args(["profile", "-o", "/tmp/never.svg"])
        .arg(repo_root().join("README.md"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("is not WebAssembly"));
}

/// speedscope's published file format schema, from its npm package
/// (tests/formats, installed by scripts/install-node-deps.sh). Required
/// when CI is set; elsewhere its absence is announced, never silent.
fn speedscope_schema() -> Option<serde_json::Value> {
    let path = repo_root().join("tests/formats/node_modules/speedscope/dist/release/file-format-schema.json");
    match std::fs::read_to_string(&path) {
        Ok(text) => Some(serde_json::from_str(&text).unwrap()),
        Err(error) => {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI needs {} (scripts/install-node-deps.sh): {error}",
                path.display()
            );
            #[allow(clippy::print_stderr)]
            {
                eprintln!("NOTICE: {} is missing ({error}); speedscope output NOT validated", path.display());
            }
            None
        }
    }
}

#[test]
fn speedscope_output_matches_the_published_schema() {
    let Some(schema) = speedscope_schema() else {
        return;
    };
    let validator = jsonschema::validator_for(&schema).unwrap();
    for (name, args) in [("hotspots-O2", vec!["10"]), ("c-O2", vec![]), ("rust-O2", vec![])] {
        let out = out_dir("schema").join(format!("{name}.speedscope.json"));
        let program = guest(name);
        let mut command = vec!["-o", out.to_str().unwrap(), program.to_str().unwrap(), "--"];
        command.extend(args.iter().copied());
        profile(&command);
        let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
        let problems: Vec<String> =
            validator.iter_errors(&json).map(|e| format!("{e} at {}", e.instance_path())).collect();
        assert!(problems.is_empty(), "{name}: speedscope output does not match the schema:\n{}", problems.join("\n"));
    }
}

#[test]
fn ctrl_c_writes_the_profile_of_what_ran_so_far() {
    // hotspots-O0 with 1000 rounds runs for minutes; interrupt it after a
    // second. The signal sampler hands over its samples and exits 130; the
    // epoch sampler stops the guest and ends normally.
    for (sampler, status, said) in [("signal", 130, "(interrupted)"), ("epoch", 0, "(stopped early)")] {
        let out = out_dir("interrupt").join(format!("{sampler}.folded"));
        let _ = std::fs::remove_file(&out);
        let mut child = Command::new(env!("CARGO_BIN_EXE_wasmscope"))
            .args([
                "profile",
                "--sampler",
                sampler,
                "-o",
                out.to_str().unwrap(),
                guest("hotspots-O0").to_str().unwrap(),
                "--",
                "1000",
            ])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(1500));
        // The shell's own `kill` (a builtin): no procps needed.
        let killed = Command::new("sh").args(["-c", &format!("kill -INT {}", child.id())]).status().unwrap();
        assert!(killed.success());
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        let code = loop {
            if let Some(exit) = child.try_wait().unwrap() {
                break exit.code();
            }
            assert!(std::time::Instant::now() < deadline, "{sampler}: still running 30 s after Ctrl-C");
            std::thread::sleep(std::time::Duration::from_millis(50));
        };
        let mut stderr = String::new();
        std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
        assert_eq!(code, Some(status), "{sampler}: {stderr}");
        assert!(stderr.contains(said), "{sampler}: {stderr}");
        let folded = std::fs::read_to_string(&out).unwrap();
        assert!(samples_through(&folded, "heavy_work") > 100, "{sampler}: the second of work is in the profile");
    }
}
