//! What Wasmtime is given to compile: a core module without the DWARF
//! sections at its end.
//!
//! wasmscope reads DWARF from the program's file itself; Wasmtime's engines
//! here never use it (no native debug info, no DWARF backtraces), yet a
//! guest-debug build copies the whole module into the compiled artifact. In
//! a Rust -O0 program DWARF is most of the file: 11.4 of a 13.3 MB
//! module, copied into the object, paged in, hashed for the cache key and
//! written to the cache on every compile. And a change to debug info alone
//! (a comment that moves lines) now finds the compiled program cached.
//!
//! Only custom sections after the last standard section are left out, so
//! every offset Wasmtime reports (code, data, function bodies) is the same
//! as in the file the debugger reads. Anything this reader does not follow
//! leaves the bytes whole: Wasmtime then reports what is wrong with them.

use std::borrow::Cow;

/// `bytes` without the `.debug_*` custom sections that follow its last
/// standard section; `bytes` itself when there are none, or when it is a
/// component (its core modules are nested) or not a well-formed module.
pub(crate) fn without_trailing_dwarf(bytes: &[u8]) -> Cow<'_, [u8]> {
    match trailing_dwarf_sections(bytes) {
        Some(dropped) if !dropped.is_empty() => {
            let mut kept = Vec::with_capacity(bytes.len());
            let mut from = 0;
            for range in dropped {
                kept.extend_from_slice(&bytes[from..range.start]);
                from = range.end;
            }
            kept.extend_from_slice(&bytes[from..]);
            Cow::Owned(kept)
        }
        _ => Cow::Borrowed(bytes),
    }
}

/// The byte ranges (section header included) of the `.debug_*` sections
/// after the module's last standard section; `None` when `bytes` is not a
/// core module this reader can walk to its end.
fn trailing_dwarf_sections(bytes: &[u8]) -> Option<Vec<std::ops::Range<usize>>> {
    const CORE_MODULE_PREAMBLE: [u8; 8] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
    if bytes.get(..8)? != CORE_MODULE_PREAMBLE {
        return None;
    }
    let mut at = 8;
    let mut dwarf = Vec::new();
    while at < bytes.len() {
        let start = at;
        let id = bytes[at];
        let (size, size_length) = leb128_u32(&bytes[at + 1..])?;
        let contents = at + 1 + size_length;
        let end = contents.checked_add(usize::try_from(size).ok()?)?;
        if end > bytes.len() {
            return None;
        }
        if id == 0 {
            let (name_length, name_length_length) = leb128_u32(&bytes[contents..end])?;
            let name_start = contents + name_length_length;
            let name = bytes.get(name_start..name_start.checked_add(usize::try_from(name_length).ok()?)?)?;
            if name_start + name.len() > end {
                return None;
            }
            if name.starts_with(b".debug_") {
                dwarf.push(start..end);
            }
        } else {
            // A standard section after DWARF: what came before it stays.
            dwarf.clear();
        }
        at = end;
    }
    Some(dwarf)
}

/// An unsigned LEB128 of at most 5 bytes at the start of `bytes`: its value
/// and its length.
fn leb128_u32(bytes: &[u8]) -> Option<(u32, usize)> {
    let mut value: u32 = 0;
    for (index, byte) in bytes.iter().take(5).enumerate() {
        let bits = u32::from(byte & 0x7f);
        if index == 4 && bits > 0x0f {
            return None;
        }
        value |= bits << (7 * index);
        if byte & 0x80 == 0 {
            return Some((value, index + 1));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    use wasmscope_test_support::wasm_edit::leb;

    fn section(id: u8, contents: &[u8]) -> Vec<u8> {
        let mut out = vec![id];
        leb(&mut out, contents.len());
        out.extend_from_slice(contents);
        out
    }

    fn custom(name: &str, data: &[u8]) -> Vec<u8> {
        let mut contents = Vec::new();
        leb(&mut contents, name.len());
        contents.extend_from_slice(name.as_bytes());
        contents.extend_from_slice(data);
        section(0, &contents)
    }

    fn module(sections: &[Vec<u8>]) -> Vec<u8> {
        let mut out = b"\0asm\x01\0\0\0".to_vec();
        for s in sections {
            out.extend_from_slice(s);
        }
        out
    }

    #[test]
    fn trailing_dwarf_is_left_out_and_the_rest_kept_in_place() {
        let types = section(1, &[0]);
        let code = section(10, &[0]);
        let name = custom("name", b"names");
        let input = module(&[
            types.clone(),
            code.clone(),
            custom(".debug_info", &[7; 300]),
            name.clone(),
            custom(".debug_line", b"lines"),
        ]);
        let output = without_trailing_dwarf(&input);
        assert_eq!(&*output, &module(&[types, code, name])[..]);
        wasmparser::Validator::new().validate_all(&output).unwrap();
    }

    #[test]
    fn dwarf_before_a_standard_section_stays_so_no_offset_moves() {
        let input = module(&[custom(".debug_info", b"early"), section(1, &[0]), custom(".debug_str", b"late")]);
        let output = without_trailing_dwarf(&input);
        assert_eq!(&*output, &module(&[custom(".debug_info", b"early"), section(1, &[0])])[..]);
    }

    #[test]
    fn malformed_or_component_bytes_are_passed_whole() {
        let mut truncated = module(&[section(1, &[0]), custom(".debug_info", &[1; 40])]);
        truncated.truncate(truncated.len() - 3);
        assert!(matches!(without_trailing_dwarf(&truncated), Cow::Borrowed(_)));
        let component = b"\0asm\x0d\0\x01\0".to_vec();
        assert!(matches!(without_trailing_dwarf(&component), Cow::Borrowed(_)));
        assert!(matches!(without_trailing_dwarf(b"\0as"), Cow::Borrowed(_)));
        let oversized_length = [b"\0asm\x01\0\0\0".as_slice(), &[0, 0xff, 0xff, 0xff, 0xff, 0x7f]].concat();
        assert!(matches!(without_trailing_dwarf(&oversized_length), Cow::Borrowed(_)));
    }
}
