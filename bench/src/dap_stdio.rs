//! Just enough of a DAP client to time what a user waits for: `wasmscope
//! dap` on stdio, launched with one breakpoint, from the `launch` request to
//! the `stopped` event.

use std::io::BufReader;
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use serde_json::{Value, json};

pub struct DapProcess {
    child: Child,
    input: ChildStdin,
    output: BufReader<ChildStdout>,
    seq: u64,
}

/// Where the first stop is asked for.
#[derive(Clone, Copy)]
pub enum FirstBreakpoint<'a> {
    Line { source: &'a str, line: u32 },
    Function(&'a str),
}

impl DapProcess {
    /// `wasmscope dap` with its compile cache in `cache`.
    pub fn start(wasmscope: &Path, cache: &Path) -> anyhow::Result<DapProcess> {
        let mut child = Command::new(wasmscope)
            .arg("dap")
            .env("WASMSCOPE_CACHE_DIR", cache)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("cannot start {}", wasmscope.display()))?;
        let input = child.stdin.take().context("no stdin")?;
        let output = BufReader::new(child.stdout.take().context("no stdout")?);
        Ok(DapProcess { child, input, output, seq: 0 })
    }

    /// From `launch` to the first `stopped` event; the session is then
    /// ended and the debuggee terminated.
    pub fn time_first_stop(
        mut self,
        program: &Path,
        args: &[&str],
        breakpoint: FirstBreakpoint<'_>,
    ) -> anyhow::Result<Duration> {
        self.request("initialize", &json!({ "adapterID": "bench", "linesStartAt1": true, "columnsStartAt1": true }))?;
        self.wait_for(|m| is_response(m, "initialize"))?;
        let started = Instant::now();
        self.request("launch", &json!({ "program": program, "args": args }))?;
        self.wait_for(|m| m["type"] == "event" && m["event"] == "initialized")?;
        match breakpoint {
            FirstBreakpoint::Line { source, line } => self.request(
                "setBreakpoints",
                &json!({ "source": { "path": source }, "breakpoints": [{ "line": line }] }),
            )?,
            FirstBreakpoint::Function(name) => {
                self.request("setFunctionBreakpoints", &json!({ "breakpoints": [{ "name": name }] }))?
            }
        }
        self.request("configurationDone", &json!({}))?;
        self.wait_for(|m| m["type"] == "event" && m["event"] == "stopped")?;
        let elapsed = started.elapsed();
        self.request("disconnect", &json!({ "terminateDebuggee": true }))?;
        let _ = self.wait_for(|m| is_response(m, "disconnect"));
        let _ = self.child.wait();
        Ok(elapsed)
    }

    fn request(&mut self, command: &str, arguments: &Value) -> anyhow::Result<()> {
        self.seq += 1;
        let request = json!({ "seq": self.seq, "type": "request", "command": command, "arguments": arguments });
        crate::framing::write_message(&mut self.input, &request)
    }

    /// Reads messages until one matches; a failed response is an error.
    fn wait_for(&mut self, wanted: impl Fn(&Value) -> bool) -> anyhow::Result<Value> {
        loop {
            let message = crate::framing::read_message(&mut self.output)?;
            if message["type"] == "response" && message["success"] == false {
                bail!("{} failed: {}", message["command"], message["message"]);
            }
            if wanted(&message) {
                return Ok(message);
            }
        }
    }
}

fn is_response(message: &Value, command: &str) -> bool {
    message["type"] == "response" && message["command"] == command
}
