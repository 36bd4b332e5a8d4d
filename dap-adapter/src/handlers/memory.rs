//! Linear memory (read, write) and the code's disassembly.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::{Value, json};
use wasmscope_debugger::address::{CodeOffset, MemoryAddress};

use crate::message::Request;
use crate::protocol::arguments::{DisassembleArguments, ReadMemoryArguments, WriteMemoryArguments};
use crate::protocol::types::DisassembledInstruction;
use crate::server::{Session, arguments, code_reference, parse_reference, source_of};

type Reply = Result<Option<Value>, String>;

/// Larger reads are refused rather than stalling the session.
const MAX_READ: u64 = 16 << 20;

pub(crate) fn read_memory(session: &mut Session, request: &Request) -> Reply {
    let args: ReadMemoryArguments = arguments(request)?;
    let start = parse_reference(&args.memory_reference, args.offset)?;
    if args.count > MAX_READ {
        return Err(format!("read at most {MAX_READ} bytes at a time"));
    }
    // Memory references carry no thread: the memory is that of the thread
    // that stopped last (a WASI program has one).
    let thread = session.default_thread()?;
    let view = session.view(thread)?;
    // Read what exists: past the end of memory, halve until a prefix reads.
    let mut count = args.count;
    let bytes = loop {
        match view.read_memory(MemoryAddress(start), count as usize) {
            Ok(bytes) => break bytes,
            Err(_) if count > 1 => count /= 2,
            Err(_) => break Vec::new(),
        }
    };
    let unreadable = args.count - bytes.len() as u64;
    let mut body = json!({ "address": format!("0x{start:x}") });
    if !bytes.is_empty() {
        body["data"] = BASE64.encode(&bytes).into();
    }
    if unreadable > 0 {
        body["unreadableBytes"] = unreadable.into();
    }
    Ok(Some(body))
}

pub(crate) fn write_memory(session: &mut Session, request: &Request) -> Reply {
    let args: WriteMemoryArguments = arguments(request)?;
    let start = parse_reference(&args.memory_reference, args.offset)?;
    let bytes = BASE64.decode(args.data.as_bytes()).map_err(|e| format!("`data` is not base64: {e}"))?;
    let thread = session.default_thread()?;
    session.view(thread)?.write_memory(MemoryAddress(start), &bytes)?;
    if session.client.memory_event {
        session.out.event_after_response(
            "memory",
            Some(json!({ "memoryReference": format!("0x{start:x}"), "offset": 0, "count": bytes.len() })),
        );
    }
    Ok(Some(json!({ "bytesWritten": bytes.len() })))
}

/// Exactly `instructionCount` instructions from `instructionOffset`
/// instructions away from the reference; positions outside the code are
/// padded with `invalid` entries, as clients expect a full window.
pub(crate) fn disassemble(session: &mut Session, request: &Request) -> Reply {
    let args: DisassembleArguments = arguments(request)?;
    let symbols = session.symbols.clone().ok_or("no program")?;
    let module = symbols.program().map_err(|e| e.to_string())?;
    let around = CodeOffset(parse_reference(&args.memory_reference, args.offset)?);
    let shift = args.instruction_offset.unwrap_or(0);
    let count = args.instruction_count;
    if count > 100_000 {
        return Err("disassemble at most 100000 instructions at a time".into());
    }
    // The window from `shift` to `shift + count`, relative to `around`.
    let before = usize::try_from(-shift).unwrap_or(0);
    let after = usize::try_from(shift + count as i64).unwrap_or(0);
    let window = module.disassemble(around, before, after).map_err(|e| e.to_string())?;
    let here = window.iter().position(|i| i.offset >= around).unwrap_or(window.len());
    let mappings = session.source_mappings();
    let mut out = Vec::with_capacity(count);
    for relative in shift..shift + count as i64 {
        let index = here as i64 + relative;
        match usize::try_from(index).ok().and_then(|i| window.get(i)) {
            Some(instruction) => {
                let location = instruction.location.as_ref();
                out.push(DisassembledInstruction {
                    address: code_reference(instruction.offset),
                    instruction: instruction.text.clone(),
                    symbol: None,
                    location: location.and_then(|l| l.file.as_deref()).map(|f| source_of(f, &mappings)),
                    line: location.map(|l| session.client.line_out(l.line)),
                    presentation_hint: None,
                });
            }
            None => out.push(DisassembledInstruction {
                // Outside the code: keep addresses monotonic for the view.
                address: format!("0x{:x}", (around.0 as i64 + relative).max(0)),
                instruction: "??".into(),
                symbol: None,
                location: None,
                line: None,
                presentation_hint: Some("invalid"),
            }),
        }
    }
    Ok(Some(json!({ "instructions": out })))
}
