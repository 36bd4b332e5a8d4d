//! Typed addresses. A Wasm module has three address spaces that are all plain
//! integers on the wire; mixing them up is the classic symbolizer bug, so each
//! gets its own type and conversions are explicit.

use std::fmt;

/// An offset into the contents of a module's Code section. This is what DWARF
/// for Wasm calls an address, and what `llvm-symbolizer` takes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct CodeOffset(pub u64);

/// An offset from the first byte of a core module's binary (what wasmtime
/// calls `ModulePC`). For a module inside a component it is relative to that
/// core module, not to the component.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct ModuleOffset(pub u64);

/// An address in a guest's linear memory.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct MemoryAddress(pub u64);

/// Where the Code section's contents sit in a module: the bridge between
/// [`CodeOffset`] and [`ModuleOffset`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CodeSection {
    /// Module offset of the first byte after the section's size field (the
    /// function count), which is DWARF address 0.
    pub contents_start: ModuleOffset,
    /// Length of the section contents in bytes.
    pub len: u64,
}

impl CodeSection {
    pub fn to_module(&self, offset: CodeOffset) -> ModuleOffset {
        ModuleOffset(self.contents_start.0 + offset.0)
    }

    /// The code offset of a module offset, or `None` when it lies outside the
    /// Code section.
    pub fn to_code(&self, offset: ModuleOffset) -> Option<CodeOffset> {
        let relative = offset.0.checked_sub(self.contents_start.0)?;
        (relative < self.len).then_some(CodeOffset(relative))
    }

    pub fn contains(&self, offset: CodeOffset) -> bool {
        offset.0 < self.len
    }
}

macro_rules! hex_display {
    ($($ty:ty),*) => {$(
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{:#x}", self.0)
            }
        }
    )*};
}
hex_display!(CodeOffset, ModuleOffset, MemoryAddress);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_and_module_offsets_round_trip_inside_the_section() {
        let code = CodeSection { contents_start: ModuleOffset(0x120), len: 0x40 };
        assert_eq!(code.to_module(CodeOffset(0x10)), ModuleOffset(0x130));
        assert_eq!(code.to_code(ModuleOffset(0x130)), Some(CodeOffset(0x10)));
        assert_eq!(code.to_code(ModuleOffset(0x11f)), None, "before the section");
        assert_eq!(code.to_code(ModuleOffset(0x160)), None, "one past the end");
        assert_eq!(code.to_code(ModuleOffset(0x15f)), Some(CodeOffset(0x3f)));
    }

    #[test]
    fn offsets_print_as_hex() {
        assert_eq!(CodeOffset(255).to_string(), "0xff");
    }
}
