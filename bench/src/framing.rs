//! The `Content-Length` framing DAP and LSP share, for the benchmarks'
//! clients of `wasmscope dap` and `wasmscope lsp`.

use std::io::{BufRead, Write};

use anyhow::bail;
use serde_json::Value;

/// Writes one message.
pub fn write_message(output: &mut impl Write, message: &Value) -> anyhow::Result<()> {
    let body = serde_json::to_vec(message)?;
    write!(output, "Content-Length: {}\r\n\r\n", body.len())?;
    output.write_all(&body)?;
    output.flush()?;
    Ok(())
}

/// Reads one message; the peer closing its output is an error.
pub fn read_message(input: &mut impl BufRead) -> anyhow::Result<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if input.read_line(&mut line)? == 0 {
            bail!("the server closed its output");
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(value) = line.strip_prefix("Content-Length:") {
            length = Some(value.trim().parse::<usize>()?);
        }
    }
    let Some(length) = length else { bail!("a message without Content-Length") };
    let mut body = vec![0; length];
    input.read_exact(&mut body)?;
    Ok(serde_json::from_slice(&body)?)
}
