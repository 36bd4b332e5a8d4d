//! A stopped page or Node, as the session inspects it: the call frames of
//! the `Debugger.paused` event, and the Wasm state of each frame fetched
//! when first asked for (one evaluation per frame) and kept until the
//! program runs again.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{Value, json};
use wasmscope_debugger::address::{CodeOffset, MemoryAddress, ModuleOffset};
use wasmscope_debugger::target::{HostFrame, TargetError, TargetFrame, TargetView, WasmState, WasmValue};

use crate::shared::Shared;
use crate::wasm_values;

/// One frame of a paused stack, JavaScript or Wasm.
#[derive(Clone, Debug)]
pub struct CallFrame {
    pub id: String,
    /// V8's id of the frame's script.
    pub script: String,
    pub function: String,
    pub url: String,
    /// 0-based, as the protocol counts (a Wasm frame's line is 0).
    pub line: u32,
    /// A Wasm frame's column is its module offset.
    pub column: u32,
    /// Set when the frame runs the program's module.
    pub wasm: Option<TargetFrame>,
}

impl CallFrame {
    /// Reads a `Debugger.paused` call frame; Wasm frames of the program's
    /// module (script `program_script`) are placed in it.
    pub fn read(frame: &Value, program_script: Option<&str>, shared: &Shared, caller: bool) -> Option<CallFrame> {
        let location = &frame["location"];
        let script = location["scriptId"].as_str()?;
        let column = location["columnNumber"].as_u64().unwrap_or(0) as u32;
        let wasm = (Some(script) == program_script).then(|| place(&shared.module, column, caller)).flatten();
        let url = match frame["url"].as_str() {
            Some(url) if !url.is_empty() => url.to_owned(),
            _ => shared.state().script_urls.get(script).cloned().unwrap_or_default(),
        };
        Some(CallFrame {
            id: frame["callFrameId"].as_str()?.to_owned(),
            script: script.to_owned(),
            function: frame["functionName"].as_str().unwrap_or_default().to_owned(),
            url,
            line: location["lineNumber"].as_u64().unwrap_or(0) as u32,
            column,
            wasm,
        })
    }
}

#[derive(Debug)]
pub struct PausedView {
    shared: Arc<Shared>,
    frames: Vec<CallFrame>,
    /// Indices in `frames` of the program's Wasm frames, innermost first.
    wasm: Vec<usize>,
    states: HashMap<usize, WasmState>,
    globals: Option<Vec<WasmValue>>,
}

impl PausedView {
    pub fn new(shared: Arc<Shared>, frames: Vec<CallFrame>) -> Self {
        let wasm = frames.iter().enumerate().filter(|(_, f)| f.wasm.is_some()).map(|(i, _)| i).collect();
        PausedView { shared, frames, wasm, states: HashMap::new(), globals: None }
    }

    /// Whether the innermost frame runs the program's Wasm.
    pub fn in_program(&self) -> bool {
        self.wasm.first() == Some(&0)
    }

    /// The innermost frame, when it runs the program's Wasm.
    pub fn innermost_frame(&self) -> Option<TargetFrame> {
        self.frames.first().and_then(|f| f.wasm)
    }

    pub fn has_program_frames(&self) -> bool {
        !self.wasm.is_empty()
    }

    fn wasm_frame(&self, n: usize) -> Result<&CallFrame, TargetError> {
        self.wasm.get(n).map(|i| &self.frames[*i]).ok_or_else(|| TargetError::refused(format!("no frame {n}")))
    }

    /// Evaluates `expression` in Wasm frame `n`, by value.
    fn evaluate(&self, n: usize, expression: &str) -> Result<Value, TargetError> {
        let frame = self.wasm_frame(n)?;
        let answer = self
            .shared
            .cdp
            .call(
                "Debugger.evaluateOnCallFrame",
                json!({ "callFrameId": frame.id, "expression": expression, "returnByValue": true, "silent": true }),
            )
            .map_err(TargetError::internal)?;
        if let Some(details) = answer.get("exceptionDetails") {
            let text = details["exception"]["description"].as_str().or(details["text"].as_str()).unwrap_or("error");
            return Err(TargetError::internal(format!("V8 could not read the frame: {text}")));
        }
        Ok(answer["result"]["value"].clone())
    }

    fn evaluate_json(&self, n: usize, expression: &str) -> Result<Value, TargetError> {
        let text = self.evaluate(n, expression)?;
        let text = text.as_str().ok_or_else(|| TargetError::internal("V8 gave no text for the frame's state"))?;
        serde_json::from_str(text).map_err(TargetError::internal)
    }

    fn state(&mut self, n: usize) -> Result<&WasmState, TargetError> {
        if !self.states.contains_key(&n) {
            let both = self.evaluate_json(n, wasm_values::FRAME_STATE)?;
            let locals = wasm_values::parse_values(&both[0]).map_err(TargetError::internal)?;
            let stack = wasm_values::parse_values(&both[1]).map_err(TargetError::internal)?;
            self.states.insert(n, WasmState { locals, stack });
        }
        Ok(&self.states[&n])
    }

    fn memory_frame(&self) -> Result<usize, TargetError> {
        if self.wasm.is_empty() {
            return Err(TargetError::refused(
                "no Wasm frame of the program is on the stack: its memory is out of reach",
            ));
        }
        Ok(0)
    }
}

impl TargetView for PausedView {
    fn frames(&mut self) -> Result<Vec<TargetFrame>, TargetError> {
        Ok(self.wasm.iter().filter_map(|i| self.frames[*i].wasm).collect())
    }

    fn host_frames(&mut self) -> Result<Vec<HostFrame>, TargetError> {
        let mut above = 0;
        let mut out = Vec::new();
        for frame in &self.frames {
            if frame.wasm.is_some() {
                above += 1;
                continue;
            }
            // Another module's Wasm is named as V8 names it, at its offset.
            let (line, column) = if frame.url.starts_with("wasm://") {
                (1, frame.column + 1)
            } else {
                (frame.line + 1, frame.column + 1)
            };
            out.push(HostFrame {
                wasm_frames_above: above,
                function: frame.function.clone(),
                url: frame.url.clone(),
                script: frame.script.clone(),
                line,
                column,
            });
        }
        Ok(out)
    }

    fn local(&mut self, frame: usize, index: u32) -> Result<WasmValue, TargetError> {
        let state = self.state(frame)?;
        state.locals.get(index as usize).copied().ok_or_else(|| {
            TargetError::refused(format!("frame {frame} has {} locals: there is no local {index}", state.locals.len()))
        })
    }

    fn global(&mut self, index: u32) -> Result<WasmValue, TargetError> {
        if self.globals.is_none() {
            let frame = self.memory_frame()?;
            let list = self.evaluate_json(frame, wasm_values::GLOBALS)?;
            self.globals = Some(wasm_values::parse_values(&list).map_err(TargetError::internal)?);
        }
        let globals = self.globals.as_deref().unwrap_or_default();
        globals.get(index as usize).copied().ok_or_else(|| TargetError::refused(format!("there is no global {index}")))
    }

    fn wasm_state(&mut self, frame: usize) -> Result<WasmState, TargetError> {
        self.state(frame).cloned()
    }

    fn read_memory(&mut self, address: MemoryAddress, len: usize) -> Result<Vec<u8>, TargetError> {
        let frame = self.memory_frame()?;
        let hex = self.evaluate(frame, &wasm_values::read_memory(address.0, len))?;
        let Some(hex) = hex.as_str() else {
            return Err(TargetError::refused(format!("{len} bytes at {address} are outside the program's memory")));
        };
        (0..hex.len() / 2)
            .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).map_err(TargetError::internal))
            .collect()
    }

    fn memory_size(&mut self) -> Result<u64, TargetError> {
        let frame = self.memory_frame()?;
        self.evaluate(frame, wasm_values::MEMORY_SIZE)?
            .as_u64()
            .ok_or_else(|| TargetError::internal("V8 gave no memory size"))
    }

    fn write_memory(&mut self, address: MemoryAddress, bytes: &[u8]) -> Result<(), TargetError> {
        let frame = self.memory_frame()?;
        match self.evaluate(frame, &wasm_values::write_memory(address.0, bytes))? {
            Value::Bool(true) => {
                // Values read before the write may have changed.
                self.states.clear();
                Ok(())
            }
            _ => Err(TargetError::refused(format!(
                "{} bytes at {address} are outside the program's memory",
                bytes.len()
            ))),
        }
    }

    fn set_breakpoints(&mut self, offsets: &[ModuleOffset]) -> Result<(), TargetError> {
        self.shared.install_breakpoints(offsets)
    }

    fn breakpoint_stops_here(&mut self) -> bool {
        let judge = self.shared.state().judge.take();
        let Some(mut judge) = judge else { return true };
        let stops = judge.on_break(self).is_none();
        self.shared.state().judge = Some(judge);
        stops
    }
}

/// Where a frame at module offset `column` is, in the program's module.
pub fn place(module: &wasmscope_debugger::symbols::CoreModule, column: u32, caller: bool) -> Option<TargetFrame> {
    let code = module.code?;
    let at = code.to_code(ModuleOffset(u64::from(column)))?;
    let function = module.function_at(at)?;
    let at: CodeOffset = if caller { module.return_address_of_call(at).unwrap_or(at) } else { at };
    Some(TargetFrame { module: 0, function_index: function.index, offset: code.to_module(at) })
}
