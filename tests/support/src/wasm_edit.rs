//! Byte-level edits of Wasm binaries for tests: drop custom sections, add
//! one, wrap modules in a component. Written against the binary format
//! directly so that the code under test is not used to make its own inputs.

/// Appends `value` as unsigned LEB128.
pub fn leb(out: &mut Vec<u8>, mut value: usize) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn read_leb(bytes: &[u8], at: &mut usize) -> usize {
    let (mut value, mut shift) = (0usize, 0);
    loop {
        let byte = bytes[*at];
        *at += 1;
        value |= usize::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return value;
        }
        shift += 7;
    }
}

/// The top-level sections of a module: (id, custom name, whole section bytes).
fn sections(module: &[u8]) -> Vec<(u8, Option<String>, &[u8])> {
    let mut out = Vec::new();
    let mut at = 8;
    while at < module.len() {
        let start = at;
        let id = module[at];
        at += 1;
        let size = read_leb(module, &mut at);
        let body_start = at;
        at += size;
        let name = (id == 0).then(|| {
            let mut p = body_start;
            let len = read_leb(module, &mut p);
            String::from_utf8_lossy(&module[p..p + len]).into_owned()
        });
        out.push((id, name, &module[start..at]));
    }
    out
}

/// The module without the custom sections `drop` selects.
pub fn without_custom_sections(module: &[u8], drop: impl Fn(&str) -> bool) -> Vec<u8> {
    let mut out = module[..8].to_vec();
    for (_, name, bytes) in sections(module) {
        if !name.as_deref().is_some_and(&drop) {
            out.extend_from_slice(bytes);
        }
    }
    out
}

/// The module with a custom section appended.
pub fn with_custom_section(module: &[u8], name: &str, payload: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    leb(&mut body, name.len());
    body.extend_from_slice(name.as_bytes());
    body.extend_from_slice(payload);
    let mut out = module.to_vec();
    out.push(0);
    leb(&mut out, body.len());
    out.extend_from_slice(&body);
    out
}

/// A component whose only contents are the given core modules (module
/// sections, id 1), in order.
pub fn component_of(modules: &[&[u8]]) -> Vec<u8> {
    let mut out = b"\0asm\x0d\x00\x01\x00".to_vec();
    for module in modules {
        out.push(1);
        leb(&mut out, module.len());
        out.extend_from_slice(module);
    }
    out
}
