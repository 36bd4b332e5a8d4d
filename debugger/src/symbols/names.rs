//! Function names as people read them. DWARF gives a linkage name (mangled)
//! or a plain name; two renderings exist because two audiences exist:
//! `llvm` reproduces `llvm-symbolizer`'s output byte for byte so scripts can
//! swap one tool for the other, `pretty` is what a debugger or flamegraph shows.

use std::fmt;

/// Source language of a function, as far as naming is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    C,
    Cpp,
    Rust,
    Other,
}

impl Language {
    pub fn from_dwarf(lang: gimli::DwLang) -> Self {
        match lang {
            gimli::DW_LANG_Rust => Language::Rust,
            gimli::DW_LANG_C_plus_plus
            | gimli::DW_LANG_C_plus_plus_03
            | gimli::DW_LANG_C_plus_plus_11
            | gimli::DW_LANG_C_plus_plus_14 => Language::Cpp,
            gimli::DW_LANG_C | gimli::DW_LANG_C89 | gimli::DW_LANG_C99 | gimli::DW_LANG_C11 => Language::C,
            _ => Language::Other,
        }
    }
}

/// A function's name as stored: the linkage name when there is one.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct FunctionName {
    pub raw: String,
    pub language: Option<Language>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameStyle {
    /// Exactly what `llvm-symbolizer` prints: Itanium demangling for every
    /// `_Z` name (Rust legacy names included, hash and `$LT$` escapes kept).
    Llvm,
    /// Rust names through rustc-demangle without the hash, C++ through the
    /// Itanium demangler, everything else as written.
    Pretty,
}

impl FunctionName {
    pub fn new(raw: impl Into<String>, language: Option<Language>) -> Self {
        FunctionName { raw: raw.into(), language }
    }

    pub fn display(&self, style: NameStyle) -> String {
        match style {
            NameStyle::Llvm => llvm_demangle(&self.raw),
            NameStyle::Pretty => pretty_demangle(&self.raw, self.language),
        }
    }
}

impl fmt::Display for FunctionName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display(NameStyle::Pretty))
    }
}

fn llvm_demangle(raw: &str) -> String {
    if raw.starts_with("_Z") {
        if let Some(name) = itanium(raw, true) {
            return name;
        }
    } else if raw.starts_with("_R")
        && let Ok(name) = rustc_demangle::try_demangle(raw)
    {
        return format!("{name:#}");
    }
    raw.to_owned()
}

fn pretty_demangle(raw: &str, language: Option<Language>) -> String {
    let looks_rust = language == Some(Language::Rust) || raw.starts_with("_R") || has_rust_hash(raw);
    if looks_rust && let Ok(name) = rustc_demangle::try_demangle(raw) {
        return format!("{name:#}");
    }
    if raw.starts_with("_Z")
        && let Some(name) = itanium(raw, true)
    {
        return name;
    }
    source_name(raw).to_owned()
}

/// The name the user wrote for a symbol the C toolchain renamed: clang
/// for WebAssembly emits `int main(int, char **)` as `__main_argc_argv`.
fn source_name(raw: &str) -> &str {
    if raw == "__main_argc_argv" { "main" } else { raw }
}

/// Demangles without parameter lists (`ns::f`, not `ns::f(int)`), for
/// matching names that people type.
pub fn demangle_without_params(raw: &str, language: Option<Language>) -> String {
    let looks_rust = language == Some(Language::Rust) || raw.starts_with("_R") || has_rust_hash(raw);
    if looks_rust && let Ok(name) = rustc_demangle::try_demangle(raw) {
        return format!("{name:#}");
    }
    if raw.starts_with("_Z")
        && let Some(name) = itanium(raw, false)
    {
        return name;
    }
    source_name(raw).to_owned()
}

/// Legacy Rust symbols end in `17h<16 hex digits>E`.
fn has_rust_hash(raw: &str) -> bool {
    raw.strip_suffix('E')
        .and_then(|s| s.get(s.len().saturating_sub(19)..))
        .is_some_and(|tail| tail.starts_with("17h") && tail[3..].bytes().all(|b| b.is_ascii_hexdigit()))
}

fn itanium(raw: &str, with_params: bool) -> Option<String> {
    super::itanium::demangle(raw, with_params)
}

#[cfg(test)]
mod tests {
    use super::*;

    const RUST_LEGACY: &str = "_ZN4core3fmt5write17h0123456789abcdefE";

    #[test]
    fn the_renamed_c_main_shows_as_main_except_in_llvm_style() {
        let main = FunctionName::new("__main_argc_argv", Some(Language::C));
        assert_eq!(main.display(NameStyle::Pretty), "main");
        assert_eq!(main.display(NameStyle::Llvm), "__main_argc_argv");
        assert_eq!(FunctionName::new("__main_void", None).display(NameStyle::Pretty), "__main_void");
    }

    #[test]
    fn llvm_style_keeps_the_rust_hash_like_llvm_symbolizer() {
        let name = FunctionName::new(RUST_LEGACY, Some(Language::Rust));
        assert_eq!(name.display(NameStyle::Llvm), "core::fmt::write::h0123456789abcdef");
        assert_eq!(name.display(NameStyle::Pretty), "core::fmt::write");
    }

    #[test]
    fn cpp_names_get_parameter_lists() {
        let name = FunctionName::new("_ZN5shape4areaEi", Some(Language::Cpp));
        assert_eq!(name.display(NameStyle::Llvm), "shape::area(int)");
        assert_eq!(demangle_without_params(&name.raw, name.language), "shape::area");
    }

    #[test]
    fn plain_c_names_are_untouched_and_garbage_survives() {
        assert_eq!(FunctionName::new("main", None).display(NameStyle::Llvm), "main");
        assert_eq!(FunctionName::new("_Zgarbage", None).display(NameStyle::Pretty), "_Zgarbage");
    }
}
