//! Itanium C++ demangling that prints what LLVM 14's demangler prints.
//! cpp_demangle does the parsing; three known differences in its printing
//! (as of 0.5.1) are corrected here, each checked by the differential test
//! against llvm-symbolizer-14:
//! 1. a constructor template loses its first parameter (cpp_demangle takes it
//!    for a return type, which constructors do not have);
//! 2. an empty pack expansion leaves a trailing `, ` in a parameter list;
//! 3. binary operators in expressions are printed without spaces:
//!    `(a)&&(b)` where LLVM prints `(a) && (b)`.
//!
//! And one extension it does not know: clang's `enable_if` attribute, mangled
//! as the vendor qualifier `Ua9enable_ifI<args>E` (`strchr` in wasi-libc's
//! headers), which LLVM prints after the parameters: `strchr(char const*,
//! int) [enable_if:true]`.

use cpp_demangle::{DemangleOptions, Symbol};

/// Demangles `raw` (an Itanium `_Z…` name); `None` when it does not parse.
pub fn demangle(raw: &str, with_params: bool) -> Option<String> {
    if let Some((plain, conditions)) = without_enable_if(raw) {
        let name = demangle(&plain, with_params)?;
        return Some(if with_params { format!("{name} [enable_if:{conditions}]") } else { name });
    }
    let mut options = DemangleOptions::new();
    if !with_params {
        options = options.no_params();
    }
    let plain = run(raw, &options)?;
    if !with_params {
        return Some(plain);
    }
    let repaired = constructor_template_with_return_slot(raw).and_then(|fixed| run(&fixed, &options));
    Some(tidy(&repaired.unwrap_or(plain)))
}

fn run(raw: &str, options: &DemangleOptions) -> Option<String> {
    Symbol::new(raw.as_bytes()).ok()?.demangle_with_options(options).ok()
}

/// For a constructor template (`…C2I<args>EE<params>`), the same name with a
/// `v` slot before the parameters, so cpp_demangle's "first type is the
/// return type" rule eats the `v` instead of the first parameter. The slot
/// goes after the first `EE` that yields the same name and still parses.
fn constructor_template_with_return_slot(raw: &str) -> Option<String> {
    let bytes = raw.as_bytes();
    let ctor = (0..bytes.len().saturating_sub(2))
        .find(|&i| bytes[i] == b'C' && matches!(bytes[i + 1], b'1'..=b'5') && bytes[i + 2] == b'I')?;
    let name_only = DemangleOptions::new().no_params();
    let expected_name = run(raw, &name_only)?;
    (ctor + 3..bytes.len().saturating_sub(1))
        .filter(|&q| &bytes[q..q + 2] == b"EE")
        .map(|q| format!("{}v{}", &raw[..q + 2], &raw[q + 2..]))
        .find(|candidate| run(candidate, &name_only).as_deref() == Some(&expected_name))
}

/// `raw` without its `Ua9enable_ifI<args>E` qualifier, and the args as LLVM
/// prints them. The end of the args is the first `E` after which both the
/// rest and the args demangle.
fn without_enable_if(raw: &str) -> Option<(String, String)> {
    const QUALIFIER: &str = "Ua9enable_ifI";
    let start = raw.find(QUALIFIER)?;
    let args_start = start + QUALIFIER.len();
    let everything = DemangleOptions::new();
    raw[args_start..].match_indices('E').find_map(|(at, _)| {
        // Without the `E` that closes the qualifier's argument list.
        let args = &raw[args_start..args_start + at];
        let plain = format!("{}{}", &raw[..start], &raw[args_start + at + 1..]);
        // A template of a made-up function prints just the arguments.
        let shown = run(&format!("_Z1xI{args}Evv"), &everything)?;
        let conditions = shown.strip_prefix("void x<")?.strip_suffix(">()")?.trim_end().to_owned();
        run(&plain, &everything)?;
        Some((plain, tidy(&conditions)))
    })
}

const BINARY_OPERATORS: &[&str] =
    &["&&", "||", "==", "!=", "<=", ">=", "<<", ">>", "+", "-", "*", "/", "%", "&", "|", "^", "<", ">"];

fn tidy(text: &str) -> String {
    let mut out = text.replace(", )", ")");
    for op in BINARY_OPERATORS {
        let tight = format!("){op}(");
        if out.contains(&tight) {
            out = out.replace(&tight, &format!(") {op} ("));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::demangle;

    #[test]
    fn constructor_templates_keep_their_first_parameter() {
        let raw = "_ZNSt3__212basic_stringIcNS_11char_traitsIcEENS_9allocatorIcEEEC2IDnEEPKc";
        assert_eq!(
            demangle(raw, true).unwrap(),
            "std::__2::basic_string<char, std::__2::char_traits<char>, std::__2::allocator<char> >\
             ::basic_string<std::nullptr_t>(char const*)"
        );
    }

    #[test]
    fn empty_packs_leave_no_trailing_separator() {
        let raw = "_ZNSt3__227__do_deallocate_handle_sizeIJEEEvPvmDpT_";
        assert_eq!(demangle(raw, true).unwrap(), "void std::__2::__do_deallocate_handle_size<>(void*, unsigned long)");
    }

    #[test]
    fn enable_if_conditions_follow_the_parameters_as_llvm_prints_them() {
        // Expected outputs: llvm-cxxfilt-14.
        assert_eq!(
            demangle("_Z6strchrUa9enable_ifILb1EEPKci", true).unwrap(),
            "strchr(char const*, int) [enable_if:true]"
        );
        assert_eq!(demangle("_Z3fooUa9enable_ifILb1ELi5EEi", true).unwrap(), "foo(int) [enable_if:true, 5]");
        assert_eq!(demangle("_Z6strchrUa9enable_ifILb1EEPKci", false).unwrap(), "strchr");
    }

    #[test]
    fn binary_operators_in_expressions_are_spaced() {
        let raw = "_ZNSt3__24swapIPiEENS_9enable_ifIXaasr21is_move_constructibleIT_EE5valuesr18is_move_assignableIS3_EE5valueEvE4typeERS3_S6_";
        let shown = demangle(raw, true).unwrap();
        assert!(shown.contains("::value) && (is_move_assignable<int*>"), "{shown}");
    }
}
