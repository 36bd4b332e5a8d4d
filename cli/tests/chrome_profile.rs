//! Wasm in a web page, profiled in Debian's chromium through the DevTools
//! protocol (`profile --chrome`): the bundled example run by the test page
//! (tests/browser: a WASI shim and a page that runs a guest), served from
//! 127.0.0.1 by the test; the known 3:1 split between heavy and light work,
//! each function named and placed at its definition.

#![allow(clippy::unwrap_used)]

mod v8_profiles;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

use wasmscope_test_support::{guest, repo_root};

/// Serves `files` (name → path) on 127.0.0.1 until the process ends;
/// returns the base URL.
fn serve(files: Vec<(String, PathBuf)>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let files = files.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut request = String::new();
                if reader.read_line(&mut request).is_err() {
                    return;
                }
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                }
                let path = request.split_whitespace().nth(1).unwrap_or("/");
                let name = path.trim_start_matches('/').split('?').next().unwrap_or("");
                let mut stream = stream;
                match files.iter().find(|(n, _)| n == name) {
                    Some((_, file)) => {
                        let body = std::fs::read(file).unwrap();
                        let kind = content_type(name);
                        let head = format!(
                            "HTTP/1.1 200 OK\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                            body.len()
                        );
                        let _ = stream.write_all(head.as_bytes()).and_then(|()| stream.write_all(&body));
                    }
                    None => {
                        let _ = stream
                            .write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                    }
                }
            });
        }
    });
    base
}

fn content_type(name: &str) -> &'static str {
    match Path::new(name).extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html",
        Some("mjs") => "text/javascript",
        Some("wasm") => "application/wasm",
        _ => "application/octet-stream",
    }
}

/// Profiles the test page running the bundled example, with `extra`
/// arguments; the speedscope profile written.
fn profile_page(extra: &[&str], name: &str) -> serde_json::Value {
    let program = guest("hotspots-O2");
    let browser = repo_root().join("tests/browser");
    let base = serve(vec![
        ("index.html".into(), browser.join("index.html")),
        ("wasi-shim.mjs".into(), browser.join("wasi-shim.mjs")),
        ("hotspots-O2.wasm".into(), program),
    ]);
    let out = std::env::temp_dir().join(format!("wasmscope-chrome-profile-{}-{name}.json", std::process::id()));
    let url = format!("{base}/index.html?program=hotspots-O2.wasm&args=400");
    let run = Command::new(env!("CARGO_BIN_EXE_wasmscope"))
        .args(["profile", "--chrome", &url, "--duration", "4", "--rate", "5000"])
        .args(extra)
        .args(["--no-save", "-o", out.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap()
}

#[test]
fn a_page_in_chromium_names_the_hot_functions_with_their_file_and_line() {
    let program = guest("hotspots-O2");
    let profile = profile_page(&["--wasm", program.to_str().unwrap()], "given");
    v8_profiles::check_hotspots_profile(&profile);
}

#[test]
fn without_wasm_the_pages_own_modules_are_fetched_through_the_protocol() {
    let profile = profile_page(&[], "fetched");
    v8_profiles::check_hotspots_profile(&profile);
}
