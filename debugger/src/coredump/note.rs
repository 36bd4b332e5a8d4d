//! The `wasmscope` custom section of a coredump: what wasmscope knows at a
//! trap that the standard sections do not say. Key/value pairs of Wasm
//! strings, so a later version can add keys that this one skips.

use std::borrow::Cow;

use wasm_encoder::{CustomSection, Encode};

use crate::target::TrapKind;

/// What wasmscope adds to a coredump it writes.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct DumpNote {
    /// The program's file, absolute when the writer knew it.
    pub program_path: Option<String>,
    /// Its size and FNV-1a hash: a dump opened with another program says so.
    pub program_fingerprint: Option<ProgramFingerprint>,
    pub trap: Option<TrapKind>,
    /// The runtime's words for the trap.
    pub trap_message: Option<String>,
    /// `coremodules` lists the program's core modules in file order (a
    /// component's embedded modules as they appear), so frames need no
    /// matching.
    pub modules_in_file_order: bool,
    /// The route of a server's request, or other context of the thread.
    pub context: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProgramFingerprint {
    pub size: u64,
    pub fnv1a: u64,
}

impl ProgramFingerprint {
    pub fn of(bytes: &[u8]) -> Self {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for byte in bytes {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
        ProgramFingerprint { size: bytes.len() as u64, fnv1a: hash }
    }
}

impl DumpNote {
    pub const SECTION: &'static str = "wasmscope";

    /// The section's contents (without its name).
    pub fn encode(&self) -> Vec<u8> {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        if let Some(path) = &self.program_path {
            pairs.push(("program", path.clone()));
        }
        if let Some(f) = self.program_fingerprint {
            pairs.push(("program-fingerprint", format!("{}:{:016x}", f.size, f.fnv1a)));
        }
        if let Some(kind) = self.trap {
            pairs.push(("trap", trap_name(kind).to_owned()));
        }
        if let Some(message) = &self.trap_message {
            pairs.push(("trap-message", message.clone()));
        }
        if self.modules_in_file_order {
            pairs.push(("modules", "file-order".to_owned()));
        }
        if let Some(context) = &self.context {
            pairs.push(("context", context.clone()));
        }
        let mut out = Vec::new();
        pairs.len().encode(&mut out);
        for (key, value) in pairs {
            key.encode(&mut out);
            value.encode(&mut out);
        }
        out
    }

    pub fn decode(data: &[u8]) -> Result<DumpNote, String> {
        let mut reader = wasmparser::BinaryReader::new(data, 0);
        let mut note = DumpNote::default();
        let count = reader.read_var_u32().map_err(|e| e.message().to_owned())?;
        for _ in 0..count {
            let key = reader.read_unlimited_string().map_err(|e| e.message().to_owned())?;
            let value = reader.read_unlimited_string().map_err(|e| e.message().to_owned())?;
            match key {
                "program" => note.program_path = Some(value.to_owned()),
                "program-fingerprint" => {
                    note.program_fingerprint = Some(parse_fingerprint(value).ok_or("a malformed program fingerprint")?)
                }
                "trap" => note.trap = Some(trap_kind(value).unwrap_or(TrapKind::Other)),
                "trap-message" => note.trap_message = Some(value.to_owned()),
                "modules" => note.modules_in_file_order = value == "file-order",
                "context" => note.context = Some(value.to_owned()),
                _ => {}
            }
        }
        Ok(note)
    }
}

/// `dump` (a coredump another writer made: wasmtime's) with `note` appended
/// as its `wasmscope` section.
pub fn append_note(mut dump: Vec<u8>, note: &DumpNote) -> Vec<u8> {
    use wasm_encoder::Section as _;
    let section = CustomSection { name: Cow::Borrowed(DumpNote::SECTION), data: Cow::Owned(note.encode()) };
    dump.push(section.id());
    section.encode(&mut dump);
    dump
}

fn parse_fingerprint(text: &str) -> Option<ProgramFingerprint> {
    let (size, hash) = text.split_once(':')?;
    Some(ProgramFingerprint { size: size.parse().ok()?, fnv1a: u64::from_str_radix(hash, 16).ok()? })
}

const TRAP_NAMES: &[(TrapKind, &str)] = &[
    (TrapKind::Unreachable, "unreachable"),
    (TrapKind::MemoryOutOfBounds, "memory-out-of-bounds"),
    (TrapKind::TableOutOfBounds, "table-out-of-bounds"),
    (TrapKind::IndirectCallToNull, "indirect-call-to-null"),
    (TrapKind::IndirectCallTypeMismatch, "indirect-call-type-mismatch"),
    (TrapKind::IntegerOverflow, "integer-overflow"),
    (TrapKind::IntegerDivisionByZero, "integer-division-by-zero"),
    (TrapKind::BadConversionToInteger, "bad-conversion-to-integer"),
    (TrapKind::StackExhausted, "stack-exhausted"),
    (TrapKind::Interrupted, "interrupted"),
    (TrapKind::Other, "other"),
];

fn trap_name(kind: TrapKind) -> &'static str {
    TRAP_NAMES.iter().find(|(k, _)| *k == kind).map_or("other", |(_, name)| name)
}

fn trap_kind(name: &str) -> Option<TrapKind> {
    TRAP_NAMES.iter().find(|(_, n)| *n == name).map(|(kind, _)| *kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_note_reads_back_as_written_and_unknown_keys_are_skipped() {
        let note = DumpNote {
            program_path: Some("/srv/app.wasm".into()),
            program_fingerprint: Some(ProgramFingerprint::of(b"\0asm")),
            trap: Some(TrapKind::IntegerDivisionByZero),
            trap_message: Some("wasm trap: integer divide by zero".into()),
            modules_in_file_order: true,
            context: Some("GET /crash".into()),
        };
        assert_eq!(DumpNote::decode(&note.encode()), Ok(note.clone()));
        let mut extended = note.encode();
        extended[0] += 1;
        "from-the-future".encode(&mut extended);
        "1".encode(&mut extended);
        assert_eq!(DumpNote::decode(&extended), Ok(note));
        assert!(DumpNote::decode(&[5, 3, b'a']).is_err());
    }

    #[test]
    fn the_fingerprint_is_fnv1a() {
        // FNV-1a 64 of "a", from the algorithm's published test vectors.
        assert_eq!(ProgramFingerprint::of(b"a").fnv1a, 0xaf63dc4c8601ec8c);
    }
}
