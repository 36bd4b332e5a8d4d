//! The pprof export read back by a protobuf wire-format reader written here
//! from profile.proto's field numbers (not the writer's prost structs), and
//! `wasmscope diff` on two profiles of different formats.

#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use wasmscope_test_support::{guest, marker, repo_root};

fn out_dir(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("pprof_and_diff").join(test);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn wasmscope(args: &[&str]) -> std::process::Output {
    let output = Command::new(env!("CARGO_BIN_EXE_wasmscope")).args(args).output().unwrap();
    assert!(output.status.success(), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
    output
}

/// A protobuf field: number and either a varint or bytes.
enum Value<'a> {
    Varint(u64),
    Bytes(&'a [u8]),
}

fn varint(data: &[u8], at: &mut usize) -> u64 {
    let (mut value, mut shift) = (0u64, 0);
    loop {
        let byte = data[*at];
        *at += 1;
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return value;
        }
        shift += 7;
    }
}

fn fields(data: &[u8]) -> Vec<(u64, Value<'_>)> {
    let mut at = 0;
    let mut out = Vec::new();
    while at < data.len() {
        let key = varint(data, &mut at);
        match key & 7 {
            0 => out.push((key >> 3, Value::Varint(varint(data, &mut at)))),
            2 => {
                let len = varint(data, &mut at) as usize;
                out.push((key >> 3, Value::Bytes(&data[at..at + len])));
                at += len;
            }
            wire => panic!("unexpected wire type {wire} in a pprof profile"),
        }
    }
    out
}

/// Repeated integers, packed or not.
fn integers(values: &[&Value<'_>]) -> Vec<u64> {
    let mut out = Vec::new();
    for value in values {
        match value {
            Value::Varint(v) => out.push(*v),
            Value::Bytes(packed) => {
                let mut at = 0;
                while at < packed.len() {
                    out.push(varint(packed, &mut at));
                }
            }
        }
    }
    out
}

fn field<'a>(message: &'a [(u64, Value<'a>)], number: u64) -> Vec<&'a Value<'a>> {
    message.iter().filter(|(n, _)| *n == number).map(|(_, v)| v).collect()
}

fn bytes<'a>(value: &'a Value<'a>) -> &'a [u8] {
    match value {
        Value::Bytes(b) => b,
        Value::Varint(_) => panic!("expected a length-delimited field"),
    }
}

/// Decodes a profile into stacks of function names (root first, inlined
/// frames in place) with their first value.
fn decode_pprof(gzipped: &[u8]) -> Vec<(Vec<String>, i64)> {
    let mut raw = Vec::new();
    flate2::read::GzDecoder::new(gzipped).read_to_end(&mut raw).unwrap();
    let profile = fields(&raw);
    let strings: Vec<String> =
        field(&profile, 6).iter().map(|v| String::from_utf8(bytes(v).to_vec()).unwrap()).collect();
    assert_eq!(strings[0], "", "string_table[0] must be empty");
    let functions: HashMap<u64, String> = field(&profile, 5)
        .iter()
        .map(|v| {
            let f = fields(bytes(v));
            (integers(&field(&f, 1))[0], strings[integers(&field(&f, 2))[0] as usize].clone())
        })
        .collect();
    let locations: HashMap<u64, Vec<String>> = field(&profile, 4)
        .iter()
        .map(|v| {
            let location = fields(bytes(v));
            let lines = field(&location, 4)
                .iter()
                .map(|line| functions[&integers(&field(&fields(bytes(line)), 1))[0]].clone())
                .collect();
            (integers(&field(&location, 1))[0], lines)
        })
        .collect();
    field(&profile, 2)
        .iter()
        .map(|v| {
            let sample = fields(bytes(v));
            let mut stack = Vec::new();
            for id in integers(&field(&sample, 1)).iter().rev() {
                // A location's lines are innermost first.
                stack.extend(locations[id].iter().rev().cloned());
            }
            (stack, integers(&field(&sample, 2))[0] as i64)
        })
        .collect()
}

#[test]
fn pprof_holds_inlined_frames_inside_their_location() {
    let out = out_dir("pprof").join("hotspots.pb.gz");
    let program = guest("hotspots-O2");
    wasmscope(&["profile", "-o", out.to_str().unwrap(), program.to_str().unwrap(), "--", "20"]);
    let stacks = decode_pprof(&std::fs::read(&out).unwrap());
    let total: i64 = stacks.iter().map(|(_, v)| v).sum();
    assert!(total > 100, "{total} samples");
    let through_mix: i64 = stacks
        .iter()
        .filter(|(s, _)| {
            s.ends_with(&["heavy_work".to_owned(), "mix".to_owned()])
                || s.ends_with(&["light_work".to_owned(), "mix".to_owned()])
        })
        .map(|(_, v)| v)
        .sum();
    assert!(through_mix * 2 > total, "most samples are in mix inlined into the work functions: {through_mix}/{total}");
    assert!(stacks.iter().all(|(s, _)| s.first().is_some_and(|f| f.contains("_start"))), "stacks start at _start");
}

#[test]
fn diff_draws_a_differential_flamegraph_from_two_formats() {
    let dir = out_dir("diff");
    let program = guest("hotspots-O2");
    let before = dir.join("before.folded");
    let after = dir.join("after.pb.gz");
    wasmscope(&["profile", "-o", before.to_str().unwrap(), program.to_str().unwrap(), "--", "10"]);
    wasmscope(&["profile", "-o", after.to_str().unwrap(), program.to_str().unwrap(), "--", "20"]);
    let svg = dir.join("diff.svg");
    wasmscope(&["diff", before.to_str().unwrap(), after.to_str().unwrap(), "-o", svg.to_str().unwrap()]);
    let text = std::fs::read_to_string(&svg).unwrap();
    let options = roxmltree::ParsingOptions { allow_dtd: true, ..Default::default() };
    roxmltree::Document::parse_with_options(&text, options).expect("the diff SVG parses as XML");
    assert!(text.contains("heavy_work"), "the diff shows the program's frames");

    let output = Command::new(env!("CARGO_BIN_EXE_wasmscope"))
        .args(["diff", svg.to_str().unwrap(), before.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("SVG flamegraph cannot be read back"));
}

#[test]
fn the_firefox_export_has_the_processed_format_tables_and_diff_reads_it() {
    let dir = out_dir("firefox");
    let program = guest("hotspots-O2");
    let firefox = dir.join("hotspots.firefox.json");
    wasmscope(&["profile", "-o", firefox.to_str().unwrap(), program.to_str().unwrap(), "--", "10"]);
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&firefox).unwrap()).unwrap();
    // The fields the Firefox Profiler requires of a processed profile.
    for key in ["meta", "threads", "libs"] {
        assert!(json.get(key).is_some(), "no `{key}`");
    }
    assert!(json["meta"]["interval"].as_f64().unwrap() > 0.0);
    let thread = &json["threads"][0];
    for table in ["samples", "stackTable", "frameTable", "funcTable", "stringArray"] {
        assert!(thread.get(table).is_some(), "thread without `{table}`");
    }
    let strings: Vec<&str> = thread["stringArray"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect();
    assert!(strings.contains(&"mix_[i]") && strings.contains(&"heavy_work"), "{strings:?}");
    let lengths = ["samples", "stackTable", "frameTable", "funcTable"].map(|t| thread[t]["length"].as_u64().unwrap());
    assert!(lengths.iter().all(|l| *l > 0), "{lengths:?}");
    assert_eq!(thread["samples"]["stack"].as_array().unwrap().len() as u64, lengths[0]);

    // Source positions: funcs carry their file, frames their line. The
    // inlined `mix` frames lie within mix's body in hotspots.c.
    let source = repo_root().join("examples/hotspots/hotspots.c");
    let text = std::fs::read_to_string(&source).unwrap();
    let first = text.lines().position(|l| l.starts_with("static inline uint32_t mix(")).unwrap() as u64 + 1;
    let last = u64::from(marker(&source, "hot_mix")) + 2;
    let (funcs, frames) = (&thread["funcTable"], &thread["frameTable"]);
    let mut mix_frames = 0;
    for (func, line) in frames["func"].as_array().unwrap().iter().zip(frames["line"].as_array().unwrap()) {
        let func = func.as_u64().unwrap() as usize;
        if strings[funcs["name"][func].as_u64().unwrap() as usize] != "mix_[i]" {
            continue;
        }
        mix_frames += 1;
        let file = strings[funcs["fileName"][func].as_u64().expect("mix has its file") as usize];
        assert!(file.ends_with("examples/hotspots/hotspots.c"), "{file}");
        let line = line.as_u64().expect("mix's frames have their line");
        assert!((first..=last).contains(&line), "mix_[i] at line {line}, outside mix ({first}..={last})");
    }
    assert!(mix_frames > 0, "mix_[i] frames");
    let names: Vec<_> = (0..lengths[3] as usize).map(|i| (&funcs["name"][i], &funcs["fileName"][i])).collect();
    let distinct: std::collections::HashSet<_> = names.iter().collect();
    assert_eq!(distinct.len(), names.len(), "one func per (name, file)");

    let svg = dir.join("diff.svg");
    wasmscope(&["diff", firefox.to_str().unwrap(), firefox.to_str().unwrap(), "-o", svg.to_str().unwrap()]);
    assert!(std::fs::read_to_string(&svg).unwrap().contains("heavy_work"));
}

#[test]
fn diff_refuses_inputs_that_are_not_regular_files_at_once() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_wasmscope"))
        .args(["diff", "/dev/zero", "/dev/zero", "-o"])
        .arg(out_dir("not_regular").join("diff.svg"))
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > std::time::Duration::from_secs(10) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("diff is still reading /dev/zero after 10 s");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("/dev/zero is a device, not a regular file"), "{stderr}");
}
