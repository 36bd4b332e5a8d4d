//! Text read from DWARF (names, paths) reaches terminals, JSON and editors.
//! Corrupt or hostile string sections can hold any bytes: control
//! characters are shown as escapes, never sent raw.

use std::borrow::Cow;

/// `text` with each control character written as `\xNN` (or `\u{NNNN}`).
pub fn printable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            c if c.is_control() && (c as u32) < 0x100 => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if c.is_control() => out.push_str(&format!("\\u{{{:04x}}}", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_become_escapes() {
        assert!(matches!(printable("main.c"), Cow::Borrowed("main.c")));
        assert_eq!(printable("a\u{1b}[31mb\n\u{85}"), "a\\x1b[31mb\\x0a\\x85");
    }
}
