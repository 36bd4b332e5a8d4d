//! Type names as a C-family debugger prints them: `const char *`,
//! `int[3][4]`, `int (*)(int, int)`. Composite and enum names are bare, as
//! LLDB shows them, so one rendering serves C, C++ and Rust.

use super::types::{Qualifier, Type};
use super::units::DieRef;

/// Where type names come from; `ModuleSymbols` implements it with a cache.
pub trait TypeLookup {
    fn lookup(&self, at: DieRef) -> Option<std::sync::Arc<Type>>;

    /// A type for the rows of a multi-dimensional array: an array of
    /// `element` with the remaining `counts`. `None` where types cannot
    /// be made up (the rows then show as their first element's type).
    fn sub_array(&self, element: Option<DieRef>, counts: &[Option<u64>]) -> Option<DieRef> {
        let _ = (element, counts);
        None
    }
}

/// Deep enough for any real declarator, shallow enough to stop a cycle.
const MAX_DEPTH: usize = 16;

pub fn type_name(types: &dyn TypeLookup, ty: Option<DieRef>) -> String {
    let (base, declarator) = split(types, ty, String::new(), 0);
    if declarator.is_empty() { base } else { format!("{base} {declarator}").replace(" [", "[") }
}

/// Builds a declarator inside-out: returns the innermost named type and the
/// declarator text around it (`*`, `[3]`, `(*)(int)`).
fn split(types: &dyn TypeLookup, ty: Option<DieRef>, inner: String, depth: usize) -> (String, String) {
    if depth > MAX_DEPTH {
        return ("…".to_owned(), inner);
    }
    let Some(at) = ty else {
        return ("void".to_owned(), inner);
    };
    let Some(t) = types.lookup(at) else {
        return ("<unreadable type>".to_owned(), inner);
    };
    match &*t {
        Type::Void => ("void".to_owned(), inner),
        Type::Base { name, .. } | Type::Typedef { name, .. } => (name.clone(), inner),
        Type::Composite { name, kind, .. } => {
            (name.clone().unwrap_or_else(|| format!("(anonymous {})", format!("{kind:?}").to_lowercase())), inner)
        }
        Type::Enum { name, .. } => (name.clone().unwrap_or_else(|| "(anonymous enum)".to_owned()), inner),
        Type::Other { name, .. } => (name.clone().unwrap_or_else(|| "<unknown type>".to_owned()), inner),
        // A named pointer (Rust's `Box<T>`, `&T`) is shown by its name.
        Type::Pointer { name: Some(name), .. } => (rust_pointer_name(name), inner),
        Type::Pointer { pointee, .. } => split(types, *pointee, format!("*{inner}"), depth + 1),
        Type::Reference { pointee, rvalue, .. } => {
            split(types, *pointee, format!("{}{inner}", if *rvalue { "&&" } else { "&" }), depth + 1)
        }
        Type::Qualified { qualifier, target } => {
            let word = match qualifier {
                Qualifier::Const => "const",
                Qualifier::Volatile => "volatile",
                Qualifier::Restrict => "restrict",
                Qualifier::Atomic => "_Atomic",
            };
            if is_named(types, *target) {
                // `const char`: the qualifier goes before a named type.
                let (base, declarator) = split(types, *target, inner, depth + 1);
                (format!("{word} {base}"), declarator)
            } else {
                // `char *const`: after the `*` it applies to.
                split(types, *target, format!("{word} {inner}").trim_end().to_owned(), depth + 1)
            }
        }
        Type::Array { element, counts } => {
            let dims: String = counts.iter().map(|c| c.map_or_else(|| "[]".to_owned(), |n| format!("[{n}]"))).collect();
            let inner = if inner.is_empty() { dims } else { format!("({inner}){dims}") };
            split(types, *element, inner, depth + 1)
        }
        Type::Function { return_type, params } => {
            let params: Vec<String> = params.iter().map(|p| type_name(types, *p)).collect();
            let params = if params.is_empty() { "void".to_owned() } else { params.join(", ") };
            let inner = if inner.is_empty() { format!("({params})") } else { format!("({inner})({params})") };
            split(types, *return_type, inner, depth + 1)
        }
    }
}

fn is_named(types: &dyn TypeLookup, ty: Option<DieRef>) -> bool {
    let Some(t) = ty.and_then(|at| types.lookup(at)) else {
        return true;
    };
    !matches!(
        &*t,
        Type::Pointer { name: None, .. } | Type::Reference { .. } | Type::Array { .. } | Type::Function { .. }
    )
}

/// A Rust pointer type's name without the default allocator parameter:
/// `alloc::boxed::Box<List, alloc::alloc::Global>` → `alloc::boxed::Box<List>`.
fn rust_pointer_name(name: &str) -> String {
    name.replace(", alloc::alloc::Global>", ">")
}
