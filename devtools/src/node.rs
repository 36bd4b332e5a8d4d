//! Node started under its inspector (`node --inspect-brk=0 SCRIPT ARGS`):
//! it waits before the script's first line until a debugger tells it to
//! go, prints the address it listens on as its first line of stderr, and
//! hands the program's stdout and stderr to the caller.

use std::io::{BufRead as _, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::channel;

use crate::temp_file::TempFile;
use std::time::Duration;

/// The WASI runner used when the configuration names no script: it runs
/// the program as a WASI preview1 command in node:wasi.
pub const WASI_RUNNER: &str = include_str!("../assets/run-wasi.mjs");

/// How long Node may take to open its inspector.
const STARTUP: Duration = Duration::from_secs(30);

/// What Node itself prints on stderr about the inspector: not the
/// program's output.
const INSPECTOR_LINES: &[&str] =
    &["Debugger listening on ", "For help, see: https://nodejs.org", "Debugger attached.", "Waiting for the debugger"];

#[derive(Debug)]
pub struct NodeProcess {
    pub child: Child,
    pub inspector_url: String,
    /// The runner written for this run, kept until Node ends.
    _runner: Option<TempFile>,
}

/// Where the program's output goes: (is stderr, bytes).
pub type OutputSink = Box<dyn FnMut(bool, Vec<u8>) + Send>;

impl NodeProcess {
    /// Starts `node --inspect-brk=0 SCRIPT ARGS` (`WASMSCOPE_NODE` names
    /// another binary); without a script, the WASI runner with the program
    /// as its first argument.
    pub fn launch(
        script: Option<&Path>,
        program: &Path,
        args: &[String],
        env: &[(String, String)],
        output: OutputSink,
    ) -> Result<Self, String> {
        let (script, runner) = match script {
            Some(script) => (script.to_path_buf(), None),
            None => {
                let runner = TempFile::write("run-wasi", ".mjs", WASI_RUNNER.as_bytes())?;
                (runner.0.clone(), Some(runner))
            }
        };
        let binary = std::env::var_os("WASMSCOPE_NODE").unwrap_or_else(|| "node".into());
        let mut command = Command::new(&binary);
        command.arg("--inspect-brk=127.0.0.1:0");
        if runner.is_some() {
            // node:wasi warns that it is experimental: not the program's
            // output. The program's environment is `env` alone, as under
            // Wasmtime.
            let object: serde_json::Map<String, serde_json::Value> =
                env.iter().map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone()))).collect();
            command.arg("--no-warnings").arg(&script).arg(program);
            command.env("WASMSCOPE_WASI_ENV", serde_json::Value::Object(object).to_string());
        } else {
            // The user's script reads Node's own environment.
            command.arg(&script).envs(env.iter().cloned());
        }
        command.args(args).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = command.spawn().map_err(|e| {
            format!("cannot start {} (install nodejs, or set WASMSCOPE_NODE): {e}", binary.to_string_lossy())
        })?;
        let (stdout, stderr) = (child.stdout.take(), child.stderr.take());
        let output = std::sync::Arc::new(std::sync::Mutex::new(output));
        if let Some(stdout) = stdout {
            let output = output.clone();
            spawn_copier(stdout, move |bytes| (output.lock().unwrap_or_else(|p| p.into_inner()))(false, bytes));
        }
        let (address, listening) = channel();
        if let Some(stderr) = stderr {
            let mut address = Some(address);
            std::thread::Builder::new()
                .name("wasmscope-node-stderr".into())
                .spawn(move || {
                    let mut lines = BufReader::new(stderr);
                    let mut line = Vec::new();
                    while matches!(lines.read_until(b'\n', &mut line), Ok(n) if n > 0) {
                        let text = String::from_utf8_lossy(&line);
                        if let Some(url) = text.strip_prefix("Debugger listening on ") {
                            if let Some(sender) = address.take() {
                                let _ = sender.send(url.trim().to_owned());
                            }
                        } else if !INSPECTOR_LINES.iter().any(|l| text.starts_with(l)) {
                            (output.lock().unwrap_or_else(|p| p.into_inner()))(true, std::mem::take(&mut line));
                        }
                        line.clear();
                    }
                })
                .map_err(|e| e.to_string())?;
        }
        let mut process = NodeProcess { child, inspector_url: String::new(), _runner: runner };
        match listening.recv_timeout(STARTUP) {
            Ok(url) => process.inspector_url = url,
            Err(_) => {
                let status = process.child.try_wait().ok().flatten();
                return Err(match status {
                    Some(status) => format!("node ended before opening its inspector ({status})"),
                    None => format!("node did not open its inspector within {} s", STARTUP.as_secs()),
                });
            }
        }
        Ok(process)
    }

    /// Waits (at most `limit`) for Node to end; its exit code.
    pub fn wait_for_exit(&mut self, limit: Duration) -> Option<i32> {
        let started = std::time::Instant::now();
        while started.elapsed() < limit {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status.code().unwrap_or(128));
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        None
    }
}

impl Drop for NodeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn spawn_copier(mut from: impl Read + Send + 'static, mut to: impl FnMut(Vec<u8>) + Send + 'static) {
    let _ = std::thread::Builder::new().name("wasmscope-node-stdout".into()).spawn(move || {
        let mut buffer = vec![0; 64 * 1024];
        while let Ok(n) = from.read(&mut buffer) {
            if n == 0 {
                break;
            }
            to(buffer[..n].to_vec());
        }
    });
}
