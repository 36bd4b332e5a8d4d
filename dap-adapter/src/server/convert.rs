//! Conversions between wasmscope's types and DAP's, in one place
//! (design.md §2, invariant 1): sources, breakpoints, memory references.

use wasmscope_debugger::address::{CodeOffset, MemoryAddress};
use wasmscope_debugger::session::breakpoints::{Binding, Breakpoint, Location};
use wasmscope_debugger::symbols::{PathMapping, mapped_paths};

use crate::protocol::types;

/// A source as the client sees it: the recorded path mapped to a local
/// one, by the first mapping that gives a file that exists here; else as
/// the first mapping that applies gives it (dimmed).
pub(crate) fn source(recorded: &str, mappings: &[PathMapping]) -> types::Source {
    let mut candidates = mapped_paths(recorded, mappings);
    candidates.push(recorded.to_owned());
    let found = candidates.iter().map(|c| normalize(c)).find(|c| std::path::Path::new(c).is_file());
    let exists = found.is_some();
    let path = found.unwrap_or_else(|| normalize(&candidates[0]));
    let name = std::path::Path::new(&path).file_name().map(|n| n.to_string_lossy().into_owned());
    types::Source {
        name,
        path: Some(path),
        source_reference: None,
        // A file missing here is still worth naming, but dimmed.
        presentation_hint: if exists { None } else { Some("deemphasize".into()) },
    }
}

/// A path without `.` components and with `dir/..` pairs folded, as
/// lexically as an editor compares paths (`././dlmalloc/src/x.c` is
/// `dlmalloc/src/x.c`); a `..` that climbs above the start is kept.
fn normalize(path: &str) -> String {
    // A URL's `scheme://` is kept whole; the rest is a path.
    if let Some(length) = wasmscope_debugger::symbols::url_paths::scheme_length(path) {
        let rest = normalize(&path[length..]);
        return format!("{}{rest}", &path[..length]);
    }
    let absolute = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|last| *last != "..") => {
                parts.pop();
            }
            ".." if absolute => {}
            other => parts.push(other),
        }
    }
    let joined = parts.join("/");
    if absolute {
        format!("/{joined}")
    } else if joined.is_empty() {
        ".".into()
    } else {
        joined
    }
}

pub(crate) fn breakpoint(
    bp: &Breakpoint,
    client: &super::ClientInfo,
    source: Option<&types::Source>,
) -> types::Breakpoint {
    let mut out = types::Breakpoint { id: bp.id, ..Default::default() };
    match &bp.binding {
        Binding::Verified { line, offsets } => {
            out.verified = true;
            out.line = line.map(|l| client.line_out(l));
            out.instruction_reference = offsets.first().map(|o| code_reference(*o));
            if let Location::Line { line: asked, .. } = &bp.location
                && line.is_some_and(|l| l != *asked)
            {
                out.message = Some(format!("moved from line {} to the next line with code", client.line_out(*asked)));
            }
        }
        Binding::Pending { reason } => {
            out.verified = false;
            out.message = Some(reason.clone());
            out.reason = Some("pending");
        }
        Binding::Failed { reason } => {
            out.verified = false;
            out.message = Some(reason.clone());
            out.reason = Some("failed");
        }
    }
    if let Location::Line { line: asked, .. } = &bp.location {
        out.source = source.cloned();
        // Clients (nvim-dap among them) match answers to their breakpoints
        // by line: every line breakpoint says one, the requested line when
        // nothing is bound.
        out.line = out.line.or(Some(client.line_out(*asked)));
    }
    out
}

/// Instruction references are code-section offsets, the addresses
/// llvm-symbolizer and `wasmscope symbolize` use.
pub(crate) fn code_reference(offset: CodeOffset) -> String {
    format!("0x{:x}", offset.0)
}

pub(crate) fn memory_reference(address: MemoryAddress) -> String {
    format!("0x{:x}", address.0)
}

/// Parses a reference (`0x…` or decimal) plus a signed offset.
pub(crate) fn parse_reference(text: &str, offset: Option<i64>) -> Result<u64, String> {
    let base = match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => text.parse::<u64>(),
    }
    .map_err(|_| format!("`{text}` is not a memory reference wasmscope gave out"))?;
    base.checked_add_signed(offset.unwrap_or(0)).ok_or_else(|| format!("`{text}` plus the offset is out of range"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn references_round_trip_and_reject_garbage() {
        assert_eq!(super::parse_reference("0x10", Some(-1)), Ok(15));
        assert_eq!(super::parse_reference("32", None), Ok(32));
        assert!(super::parse_reference("main", None).is_err());
        assert!(super::parse_reference("0x0", Some(-1)).is_err());
    }

    #[test]
    fn paths_are_normalized_lexically() {
        assert_eq!(super::normalize("././dlmalloc/src/dlmalloc.c"), "dlmalloc/src/dlmalloc.c");
        assert_eq!(super::normalize("/a/b/../c/./d.c"), "/a/c/d.c");
        assert_eq!(super::normalize("../x/../../y.c"), "../../y.c");
        assert_eq!(super::normalize("/../etc"), "/etc");
        assert_eq!(super::normalize("/wasmscope//tests/guests/c/main.c"), "/wasmscope/tests/guests/c/main.c");
        assert_eq!(
            super::normalize("wasisdk://v30.0/src/./crt/crt1-command.c"),
            "wasisdk://v30.0/src/crt/crt1-command.c"
        );
        assert_eq!(super::normalize("file:///tmp//x.c"), "file:///tmp/x.c");
    }
}
