//! Recorded paths that are URLs. Toolchains remap their build directories
//! to names such as `wasisdk://v30.0/src/wasi-libc/…/crt1-command.c` (wasi-sdk
//! 30's libc): such a name is already whole, as llvm-symbolizer prints it,
//! and must not be joined to the unit's directory, nor have its `//` folded.

/// The length of the `scheme://` that `path` starts with, if it does
/// (a scheme is a letter, then letters, digits, `+`, `-` or `.`; one
/// letter is a Windows drive, not a scheme).
pub fn scheme_length(path: &str) -> Option<usize> {
    let colon = path.find("://")?;
    let scheme = &path[..colon];
    let mut chars = scheme.chars();
    let starts_with_letter = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    let rest_valid = chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    (starts_with_letter && rest_valid && scheme.len() > 1).then_some(colon + 3)
}

/// A path joined to a directory by a reader that did not know URLs
/// (`/build/dir/wasisdk://v30.0/x.c`, as addr2line joins them), from its
/// URL on; other paths unchanged.
pub fn unjoined(path: &str) -> &str {
    let mut start = 0;
    for (index, _) in path.match_indices('/') {
        let after = &path[index + 1..];
        if scheme_length(after).is_some() {
            start = index + 1;
            break;
        }
    }
    &path[start..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_told_from_paths_and_drives() {
        assert_eq!(scheme_length("wasisdk://v30.0/src/crt1.c"), Some(10));
        assert_eq!(scheme_length("file:///x.c"), Some(7));
        assert_eq!(scheme_length("/build/a://b"), None);
        assert_eq!(scheme_length("C://x.c"), None);
        assert_eq!(scheme_length("src/main.rs"), None);
        assert_eq!(scheme_length("1x://y"), None);
    }

    #[test]
    fn a_url_joined_to_a_directory_is_taken_back_out() {
        assert_eq!(
            unjoined("wasisdk://v30.0/build/sysroot/wasisdk://v30.0/src/wasi-libc/crt1-command.c"),
            "wasisdk://v30.0/src/wasi-libc/crt1-command.c"
        );
        assert_eq!(unjoined("/build/dir/wasisdk://v30.0/x.c"), "wasisdk://v30.0/x.c");
        assert_eq!(unjoined("/build/dir/x.c"), "/build/dir/x.c");
        assert_eq!(unjoined("wasisdk://v30.0/x.c"), "wasisdk://v30.0/x.c");
    }
}
