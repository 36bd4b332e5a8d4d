//! The console's commands, in gdb's spirit: break, run, continue, next,
//! step, finish, bt, frame, up, down, locals, print, quit. Each becomes DAP
//! requests; what comes back is printed plainly.

use std::collections::BTreeMap;
use std::io::{BufRead, IsTerminal as _, Write};

use anyhow::{Context, anyhow, bail};
use serde_json::{Value, json};

use super::dap_client::{DapClient, Outcome};
use super::progress::ProgressView;

const HELP: &str = "\
commands:
  break FILE:LINE | FUNCTION   (b)   set a breakpoint
  run                          (r)   start the program
  continue                     (c)   run to the next stop
  next                         (n)   step over a line
  step                         (s)   step into calls
  finish                       (fin) run until the current function returns
  bt                                 the call stack (* marks the selected frame)
  frame [N]                    (f)   select frame N of `bt` (0 = where it stopped); show it
  up [N] | down [N]                  select the caller (up) or the callee (down), N frames away
  locals                             variables of the selected frame
  print EXPRESSION             (p)   evaluate a C-like expression in the selected frame
  quit                         (q)   end the session
";

pub struct Console {
    client: DapClient,
    out: std::io::Stdout,
    /// Line breakpoints by file (DAP sets a file's lines all at once).
    lines: BTreeMap<String, Vec<u32>>,
    functions: Vec<String>,
    started: bool,
    /// The thread of the last stop, while stopped.
    stopped: Option<i64>,
    /// The frame `locals` and `print` look at: an index into `bt`, 0 at
    /// each stop.
    selected: usize,
    exit_code: Option<i64>,
    progress: ProgressView,
}

impl std::fmt::Debug for Console {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Console").field("started", &self.started).finish_non_exhaustive()
    }
}

impl Console {
    pub fn launch(arguments: &Value) -> anyhow::Result<Self> {
        let mut client = DapClient::start()?;
        // The compilation `launch` starts shows as a spinner on a terminal.
        let progress = std::io::stderr().is_terminal();
        let initialize =
            json!({ "adapterID": "wasmscope", "clientID": "wasmscope-console", "supportsProgressReporting": progress });
        client.request("initialize", initialize)?;
        client.request("launch", arguments.clone()).context("cannot launch")?;
        Ok(Console {
            client,
            out: std::io::stdout(),
            lines: BTreeMap::new(),
            functions: Vec::new(),
            started: false,
            stopped: None,
            selected: 0,
            exit_code: None,
            progress: ProgressView::default(),
        })
    }

    fn say(&mut self, text: &str) {
        let _ = writeln!(self.out, "{text}");
        let _ = self.out.flush();
    }

    /// Runs `commands`, then ends the session; the program's exit code.
    pub fn run_script<'a>(&mut self, commands: impl Iterator<Item = &'a str>) -> anyhow::Result<i32> {
        for command in commands {
            let command = command.trim();
            if command.is_empty() {
                continue;
            }
            self.say(&format!("(wasmscope) {command}"));
            if !self.execute(command)? {
                break;
            }
        }
        self.finish()
    }

    pub fn run_stdin(&mut self) -> anyhow::Result<i32> {
        self.say("wasmscope console debugger; `help` lists the commands");
        let stdin = std::io::stdin();
        let mut line = String::new();
        loop {
            let _ = write!(self.out, "(wasmscope) ");
            let _ = self.out.flush();
            line.clear();
            if stdin.lock().read_line(&mut line)? == 0 || !self.execute(line.trim())? {
                break;
            }
        }
        self.finish()
    }

    fn finish(&mut self) -> anyhow::Result<i32> {
        let _ = self.client.request("disconnect", json!({ "terminateDebuggee": true }));
        Ok(self.exit_code.map_or(0, |c| i32::try_from(c).unwrap_or(1)))
    }

    /// One command; false to end the session. A failing command prints its
    /// error and the session goes on.
    pub fn execute(&mut self, command: &str) -> anyhow::Result<bool> {
        let (verb, rest) = command.split_once(' ').map_or((command, ""), |(v, r)| (v, r.trim()));
        let result = match verb {
            "" => Ok(()),
            "help" | "h" => {
                self.say(HELP.trim_end());
                Ok(())
            }
            "break" | "b" => self.set_breakpoint(rest),
            "run" | "r" => self.start(),
            "continue" | "c" => self.resume("continue"),
            "next" | "n" => self.resume("next"),
            "step" | "s" => self.resume("stepIn"),
            "finish" | "fin" => self.resume("stepOut"),
            "bt" | "where" | "backtrace" => self.backtrace(),
            "frame" | "f" => self.select_frame(FrameMove::To, rest),
            "up" => self.select_frame(FrameMove::Up, rest),
            "down" => self.select_frame(FrameMove::Down, rest),
            "locals" | "info" => self.locals(),
            "print" | "p" => self.print(rest),
            "quit" | "q" => return Ok(false),
            other => Err(anyhow::anyhow!("unknown command `{other}`; `help` lists the commands")),
        };
        if let Err(error) = result {
            self.say(&format!("error: {error:#}"));
        }
        Ok(true)
    }

    fn set_breakpoint(&mut self, location: &str) -> anyhow::Result<()> {
        if location.is_empty() {
            bail!("break FILE:LINE or break FUNCTION");
        }
        let reply = match location.rsplit_once(':').and_then(|(file, line)| Some((file, line.parse::<u32>().ok()?))) {
            Some((file, line)) => {
                let lines = self.lines.entry(file.to_owned()).or_default();
                lines.push(line);
                let breakpoints: Vec<Value> = lines.iter().map(|l| json!({ "line": l })).collect();
                let reply = self
                    .client
                    .request("setBreakpoints", json!({ "source": { "path": file }, "breakpoints": breakpoints }))?;
                reply["breakpoints"].as_array().and_then(|b| b.last()).cloned().unwrap_or_default()
            }
            None => {
                self.functions.push(location.to_owned());
                let breakpoints: Vec<Value> = self.functions.iter().map(|f| json!({ "name": f })).collect();
                let reply = self.client.request("setFunctionBreakpoints", json!({ "breakpoints": breakpoints }))?;
                reply["breakpoints"].as_array().and_then(|b| b.last()).cloned().unwrap_or_default()
            }
        };
        if reply["verified"] == true {
            let line = reply["line"].as_u64().map(|l| format!(" (line {l})")).unwrap_or_default();
            self.say(&format!("breakpoint {} at {location}{line}", reply["id"]));
        } else {
            let state = if reply["reason"] == "failed" { "not bound" } else { "pending" };
            self.say(&format!(
                "breakpoint {} {state}: {}",
                reply["id"],
                reply["message"].as_str().unwrap_or("no code")
            ));
        }
        Ok(())
    }

    fn start(&mut self) -> anyhow::Result<()> {
        if self.started {
            bail!("the program is already running; `continue` it");
        }
        self.started = true;
        self.client.request("configurationDone", json!({}))?;
        self.wait()
    }

    fn resume(&mut self, command: &str) -> anyhow::Result<()> {
        if !self.started {
            return self.start();
        }
        let Some(thread) = self.stopped else {
            bail!("the program is not stopped");
        };
        self.client.request(command, json!({ "threadId": thread }))?;
        self.wait()
    }

    fn wait(&mut self) -> anyhow::Result<()> {
        self.stopped = None;
        self.selected = 0;
        let out = &mut self.out;
        let outcome = self.client.wait(&mut self.progress, |category, text| {
            let _ = match category {
                "stdout" | "stderr" => write!(out, "{text}"),
                _ => write!(out, "[{category}] {text}"),
            };
        })?;
        match outcome {
            Outcome::Stopped(body) => {
                let thread = body["threadId"].as_i64().unwrap_or(1);
                self.stopped = Some(thread);
                let reason = body["reason"].as_str().unwrap_or("stopped").to_owned();
                let description = body["description"].as_str().map(|d| format!(": {d}")).unwrap_or_default();
                let frame = self.client.request("stackTrace", json!({ "threadId": thread, "levels": 1 }))?;
                let frame = &frame["stackFrames"][0];
                self.say(&format!("stopped ({reason}{description}) in {}", describe_frame(frame)));
                if let Some(text) = source_line(frame) {
                    self.say(&format!("{:>6}  {text}", frame["line"]));
                }
            }
            Outcome::Exited(code) => {
                self.exit_code = Some(code);
                self.say(&format!("the program exited with code {code}"));
            }
            Outcome::Terminated => {
                // Ended without an exit code: it could not run, or was cut
                // short; either way not a success.
                self.exit_code.get_or_insert(1);
                self.say("the program ended without an exit status");
            }
        }
        Ok(())
    }

    fn stopped_thread(&self) -> anyhow::Result<i64> {
        self.stopped.ok_or_else(|| anyhow!("the program is not stopped"))
    }

    fn backtrace(&mut self) -> anyhow::Result<()> {
        let trace = self.client.request("stackTrace", json!({ "threadId": self.stopped_thread()? }))?;
        let lines: Vec<String> = trace["stackFrames"]
            .as_array()
            .into_iter()
            .flatten()
            .enumerate()
            .map(|(i, frame)| {
                let mark = if i == self.selected { '*' } else { ' ' };
                format!("{mark}#{i:<2} {}", describe_frame(frame))
            })
            .collect();
        self.say(&lines.join("\n"));
        Ok(())
    }

    /// `frame [N]`, `up [N]`, `down [N]`: selects a frame and shows it.
    /// `frame` alone shows the selected one; `up` and `down` move one frame
    /// unless told how many.
    fn select_frame(&mut self, motion: FrameMove, argument: &str) -> anyhow::Result<()> {
        let thread = self.stopped_thread()?;
        let n = match argument {
            "" => None,
            text => Some(text.parse::<usize>().map_err(|_| anyhow!("`{text}` is not a frame number or count"))?),
        };
        let wanted = match motion {
            FrameMove::To => n.unwrap_or(self.selected),
            FrameMove::Up => self.selected.saturating_add(n.unwrap_or(1)),
            FrameMove::Down => {
                self.selected.checked_sub(n.unwrap_or(1)).context("no frame below #0, where the program stopped")?
            }
        };
        let trace =
            self.client.request("stackTrace", json!({ "threadId": thread, "startFrame": wanted, "levels": 1 }))?;
        let Some(frame) = trace["stackFrames"].as_array().and_then(|frames| frames.first()).cloned() else {
            let total =
                trace["totalFrames"].as_u64().map(|t| format!(" (the stack has {t}, #0 to #{})", t.saturating_sub(1)));
            bail!("no frame #{wanted}{}", total.unwrap_or_default());
        };
        self.selected = wanted;
        self.say(&format!("#{wanted:<2} {}", describe_frame(&frame)));
        if let Some(text) = source_line(&frame) {
            self.say(&format!("{:>6}  {text}", frame["line"]));
        }
        Ok(())
    }

    /// The DAP id of the selected frame.
    fn selected_frame_id(&mut self) -> anyhow::Result<i64> {
        let thread = self.stopped_thread()?;
        let trace = self
            .client
            .request("stackTrace", json!({ "threadId": thread, "startFrame": self.selected, "levels": 1 }))?;
        trace["stackFrames"][0]["id"].as_i64().context("no frame")
    }

    fn locals(&mut self) -> anyhow::Result<()> {
        let frame = self.selected_frame_id()?;
        let scopes = self.client.request("scopes", json!({ "frameId": frame }))?;
        let Some(locals) = scopes["scopes"].as_array().into_iter().flatten().find(|s| s["name"] == "Locals") else {
            bail!("no source-level variables here (no DWARF for this frame)");
        };
        let variables =
            self.client.request("variables", json!({ "variablesReference": locals["variablesReference"] }))?;
        let lines: Vec<String> = variables["variables"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|v| {
                format!(
                    "{} = {} ({})",
                    v["name"].as_str().unwrap_or("?"),
                    v["value"].as_str().unwrap_or(""),
                    v["type"].as_str().unwrap_or("?")
                )
            })
            .collect();
        let text = if lines.is_empty() { "no locals".to_owned() } else { lines.join("\n") };
        self.say(&text);
        Ok(())
    }

    fn print(&mut self, expression: &str) -> anyhow::Result<()> {
        let frame = self.selected_frame_id()?;
        let value = self
            .client
            .request("evaluate", json!({ "expression": expression, "frameId": frame, "context": "repl" }))?;
        self.say(&format!("{} ({})", value["result"].as_str().unwrap_or(""), value["type"].as_str().unwrap_or("?")));
        Ok(())
    }
}

/// How `frame`, `up` and `down` choose the frame to select.
#[derive(Clone, Copy, Debug)]
enum FrameMove {
    /// Frame N of `bt`.
    To,
    /// N frames towards the callers.
    Up,
    /// N frames towards the callees.
    Down,
}

fn describe_frame(frame: &Value) -> String {
    let name = frame["name"].as_str().unwrap_or("?");
    match frame["source"]["path"].as_str() {
        Some(path) => format!("{name} at {path}:{}", frame["line"]),
        None => format!("{name} [{}]", frame["instructionPointerReference"].as_str().unwrap_or("?")),
    }
}

/// The text of the frame's line, when the source file is here.
fn source_line(frame: &Value) -> Option<String> {
    let path = frame["source"]["path"].as_str()?;
    let line = usize::try_from(frame["line"].as_u64()?).ok()?;
    // Whatever path the DWARF names: only a regular file of a source's size
    // is read (a FIFO or /dev/zero would hang the console).
    std::fs::metadata(path).ok().filter(|m| m.is_file() && m.len() <= 32 << 20)?;
    let text = std::fs::read_to_string(path).ok()?;
    text.lines().nth(line.checked_sub(1)?).map(|l| l.trim_end().to_owned())
}
