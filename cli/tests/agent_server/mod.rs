//! `wasmscope serve` with its agent, as the agent's tests start it: a token
//! file, the HTTP and agent addresses read from what the server prints.

#![allow(dead_code)]

use std::io::BufReader;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use wasmscope_test_support::http::wait_for_serving;

pub const TOKEN: &str = "serve-agent-test-token-0123456789";

pub struct Server {
    pub child: Child,
    pub http: SocketAddr,
    pub agent: SocketAddr,
    pub dir: TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub struct TempDir(pub PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn serve_with_agent(program: &Path) -> Server {
    serve_with_agent_on(program, "127.0.0.1:0", false)
}

/// `wasmscope serve` with its agent on `debug_addr` (over TLS with a
/// self-signed certificate, `cert.pem` in the server's directory, when
/// `tls`); the agent's address as a client reaches it (loopback).
pub fn serve_with_agent_on(program: &Path, debug_addr: &str, tls: bool) -> Server {
    serve_with_agent_and(program, debug_addr, tls, &[])
}

/// [`serve_with_agent_on`], with more of serve's options.
pub fn serve_with_agent_and(program: &Path, debug_addr: &str, tls: bool, options: &[&str]) -> Server {
    let dir =
        std::env::temp_dir().join(format!("wasmscope-agent-{}-{:?}", std::process::id(), std::thread::current().id()));
    std::fs::create_dir_all(&dir).unwrap();
    let token_file = dir.join("token");
    std::fs::write(&token_file, TOKEN).unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_wasmscope"));
    command.arg("serve").arg(program).args(["--addr", "127.0.0.1:0", "--debug-addr", debug_addr, "--token-file"]);
    command.arg(&token_file).args(options);
    if tls {
        let (cert, key) = self_signed(&dir);
        command.arg("--tls-cert").arg(cert).arg("--tls-key").arg(key);
    }
    let mut child = command.stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let (http, before) = wait_for_serving(&mut stderr);
    std::thread::spawn(move || std::io::copy(&mut stderr, &mut std::io::sink()));
    let scheme = if tls { "wss" } else { "ws" };
    let announced: SocketAddr = before
        .iter()
        .find_map(|line| line.trim().strip_prefix(&format!("Debugging agent (DAP over WebSocket) at {scheme}://")))
        .unwrap_or_else(|| panic!("no {scheme} agent line in {before:?}"))
        .parse()
        .unwrap();
    let agent = SocketAddr::from(([127, 0, 0, 1], announced.port()));
    Server { child, http, agent, dir: TempDir(dir) }
}

/// A self-signed certificate for 127.0.0.1 and its key, made by openssl
/// (scripts/install-toolchains.sh installs it).
pub fn self_signed(dir: &Path) -> (PathBuf, PathBuf) {
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    let status = Command::new("openssl")
        .args(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"])
        .args(["-days", "1", "-subj", "/CN=wasmscope-test", "-addext", "subjectAltName=IP:127.0.0.1"])
        // A server certificate, not a CA's: rustls refuses a CA used as one.
        .args(["-addext", "basicConstraints=critical,CA:FALSE", "-addext", "extendedKeyUsage=serverAuth"])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stderr(Stdio::null())
        .status()
        .expect("openssl (scripts/install-toolchains.sh installs it)");
    assert!(status.success());
    (cert, key)
}
