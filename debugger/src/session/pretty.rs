//! Readable views of library types whose DWARF shape is not what a user
//! means: Rust `String`, `&str`, `Vec<T>` and slices, and libc++'s
//! `std::string` and `std::vector` show their contents, read from linear
//! memory through the target.

use crate::address::MemoryAddress;
use crate::symbols::{
    DieRef, ModuleSymbols, SummaryViews, Type, format_value_with, quote, read_uint, resolve, size_of,
};
use crate::target::TargetView;

/// Elements shown inline.
const MAX_ELEMENTS: u64 = 16;
/// Bytes of a string shown inline.
const MAX_STRING: u64 = 1024;

/// A readable summary for values of known library types; `None` for the rest.
pub fn pretty(
    symbols: &ModuleSymbols,
    view: &mut dyn TargetView,
    ty: Option<DieRef>,
    bytes: &[u8],
    depth: usize,
) -> Option<String> {
    if depth > 3 {
        return None;
    }
    let t = resolve(symbols, ty)?;
    if let Type::Pointer { pointee, .. } = &*t {
        return c_string(symbols, view, *pointee, bytes);
    }
    let Type::Composite { name: Some(name), .. } = &*t else {
        return None;
    };
    if name == "String" {
        let (vec_ty, vec_bytes) = member(symbols, ty, bytes, "vec")?;
        let (data, len) = vec_parts(symbols, vec_ty, &vec_bytes)?;
        return Some(read_string(view, data, len));
    }
    if name == "&str" {
        let (data, len) = slice_parts(symbols, ty, bytes)?;
        return Some(read_string(view, data.1, len));
    }
    if name.starts_with("Vec<") {
        let ((element, data), len) = vec_elements(symbols, ty, bytes)?;
        return Some(elements(symbols, view, element, data, len, depth));
    }
    if name.starts_with("basic_string<char,") {
        return libcxx_string(view, bytes);
    }
    if name.starts_with("vector<") {
        let (element, data, len) = libcxx_vector(symbols, ty, bytes)?;
        return Some(elements(symbols, view, element, data, len, depth));
    }
    if name.starts_with("HashMap<") {
        return hash_map(symbols, view, ty, bytes, depth);
    }
    if name.starts_with("&[") || name.starts_with("&mut [") {
        let ((element, data), len) = slice_parts(symbols, ty, bytes)?;
        return Some(elements(symbols, view, element, data, len, depth));
    }
    None
}

/// The summary of a value from its type, with the library views above for
/// the values nested in it (a `String` inside an enum variant).
pub fn summarize(
    symbols: &ModuleSymbols,
    view: &mut dyn TargetView,
    ty: Option<DieRef>,
    bytes: &[u8],
    depth: usize,
) -> String {
    format_value_with(symbols, ty, bytes, depth, &mut Views { symbols, view })
}

struct Views<'a, 'b> {
    symbols: &'a ModuleSymbols,
    view: &'b mut dyn TargetView,
}

impl SummaryViews for Views<'_, '_> {
    fn summary(&mut self, ty: Option<DieRef>, bytes: &[u8], depth: usize) -> Option<String> {
        // Plain C pointers stay addresses inside a summary; only `char *`
        // (a C string) is worth a read there, and `pretty` knows it.
        pretty(self.symbols, self.view, ty, bytes, depth)
    }
}

/// A `char *` shows its address and the C string there, as gdb and LLDB
/// do: `0x00000451 "add"` (at most MAX_STRING bytes, up to the NUL).
fn c_string(
    symbols: &ModuleSymbols,
    view: &mut dyn TargetView,
    pointee: Option<DieRef>,
    bytes: &[u8],
) -> Option<String> {
    let is_char = matches!(
        resolve(symbols, pointee).as_deref(),
        Some(Type::Base {
            encoding: crate::symbols::BaseEncoding::SignedChar | crate::symbols::BaseEncoding::UnsignedChar,
            size: 1,
            ..
        })
    );
    let address = read_uint(bytes, 4)?;
    if !is_char || address == 0 {
        return None;
    }
    let shown = format!("0x{address:08x}");
    // Read in chunks: the string may end near the end of memory.
    let mut text = Vec::new();
    while (text.len() as u64) < MAX_STRING {
        let Ok(chunk) = view.read_memory(MemoryAddress(address + text.len() as u64), 64) else {
            break;
        };
        match chunk.iter().position(|b| *b == 0) {
            Some(end) => {
                text.extend_from_slice(&chunk[..end]);
                return Some(format!("{shown} {}", quote(&text)));
            }
            None => text.extend_from_slice(&chunk),
        }
    }
    Some(if text.is_empty() { format!("{shown} <unreadable>") } else { format!("{shown} {}...", quote(&text)) })
}

/// Rust's `HashMap` (std wraps hashbrown): `base.table` is a
/// `RawTable<(K, V)>` whose `table` holds `bucket_mask`, `ctrl` and `items`.
/// Bucket i is full when control byte i has its top bit clear, and its
/// element sits just below `ctrl`, at `ctrl - (i + 1) * size_of((K, V))`.
fn hash_map(
    symbols: &ModuleSymbols,
    view: &mut dyn TargetView,
    ty: Option<DieRef>,
    bytes: &[u8],
    depth: usize,
) -> Option<String> {
    let (base_ty, base) = member(symbols, ty, bytes, "base")?;
    let (raw_ty, raw) = member(symbols, base_ty, &base, "table")?;
    let element = template_type(symbols, raw_ty, "T")?;
    let (inner_ty, inner) = member(symbols, raw_ty, &raw, "table")?;
    let mask = read_uint(&member(symbols, inner_ty, &inner, "bucket_mask")?.1, 4)?;
    let items = read_uint(&member(symbols, inner_ty, &inner, "items")?.1, 4)?;
    let (ctrl_ty, ctrl) = member(symbols, inner_ty, &inner, "ctrl")?;
    let (_, ctrl) = first_pointer(symbols, ctrl_ty, &ctrl, 0)?;
    if items == 0 {
        return Some("(len 0) {}".to_owned());
    }
    let size = size_of(symbols, element)?.max(1);
    let buckets = mask.checked_add(1)?.min(1 << 20);
    let control = view.read_memory(ctrl, buckets as usize).ok()?;
    let mut parts = Vec::new();
    for (i, byte) in control.iter().enumerate() {
        if byte & 0x80 != 0 {
            continue;
        }
        if parts.len() as u64 >= MAX_ELEMENTS {
            parts.push("...".to_owned());
            break;
        }
        let at = ctrl.0.checked_sub((i as u64 + 1) * size)?;
        let entry = view.read_memory(MemoryAddress(at), size as usize).ok()?;
        let shown = |view: &mut dyn TargetView, field: &str| -> Option<String> {
            let (field_ty, field_bytes) = member(symbols, element, &entry, field)?;
            Some(
                pretty(symbols, view, field_ty, &field_bytes, depth + 1)
                    .unwrap_or_else(|| summarize(symbols, view, field_ty, &field_bytes, depth + 1)),
            )
        };
        parts.push(format!("{}: {}", shown(view, "__0")?, shown(view, "__1")?));
    }
    Some(format!("(len {items}) {{{}}}", parts.join(", ")))
}

/// A composite type's template type parameter `name`.
fn template_type(symbols: &ModuleSymbols, ty: Option<DieRef>, name: &str) -> Option<Option<DieRef>> {
    let t = resolve(symbols, ty)?;
    let Type::Composite { template_types, .. } = &*t else {
        return None;
    };
    template_types.iter().find(|(n, _)| n == name).map(|(_, ty)| *ty)
}

/// libc++'s `std::string` as Debian's wasm32 libc++ 14 lays it out (the
/// layout was read off the fixtures): 12 bytes; when the high bit of the
/// last byte is clear the string is short, its characters in place and its
/// length in that last byte; else it is long: data pointer, size, capacity.
fn libcxx_string(view: &mut dyn TargetView, bytes: &[u8]) -> Option<String> {
    if bytes.len() != 12 {
        return None;
    }
    if bytes[11] & 0x80 == 0 {
        let len = usize::from(bytes[11]);
        return Some(quote(bytes.get(..len.min(11))?));
    }
    let data = read_uint(&bytes[0..4], 4)?;
    let size = read_uint(&bytes[4..8], 4)?;
    Some(read_string(view, MemoryAddress(data), size))
}

fn member(symbols: &ModuleSymbols, ty: Option<DieRef>, bytes: &[u8], name: &str) -> Option<(Option<DieRef>, Vec<u8>)> {
    let t = resolve(symbols, ty)?;
    let Type::Composite { members, .. } = &*t else {
        return None;
    };
    let m = members.iter().find(|m| m.name.as_deref() == Some(name))?;
    let size = size_of(symbols, m.ty)? as usize;
    Some((m.ty, bytes.get(m.offset as usize..m.offset as usize + size)?.to_vec()))
}

/// The first pointer inside a value, following first members (`RawVec` →
/// `Unique` → `NonNull` → `*const T`).
fn first_pointer(
    symbols: &ModuleSymbols,
    ty: Option<DieRef>,
    bytes: &[u8],
    depth: usize,
) -> Option<(Option<DieRef>, MemoryAddress)> {
    if depth > 8 {
        return None;
    }
    let t = resolve(symbols, ty)?;
    match &*t {
        Type::Pointer { pointee, size, .. } => Some((*pointee, MemoryAddress(read_uint(bytes, *size)?))),
        Type::Composite { members, .. } => {
            let first = members.iter().find(|m| m.offset == 0)?;
            let size = size_of(symbols, first.ty)? as usize;
            first_pointer(symbols, first.ty, bytes.get(..size)?, depth + 1)
        }
        _ => None,
    }
}

/// The text of a library string (Rust `String`, `&str`, libc++
/// `std::string`), at most `limit` bytes of it (enough to compare); `None`
/// when `object` is not one.
pub fn string_contents(
    symbols: &ModuleSymbols,
    view: &mut dyn TargetView,
    object: &crate::session::expand::Object,
    limit: usize,
) -> Option<Result<Vec<u8>, String>> {
    let (ty, bytes) = (object.ty, &object.bytes[..]);
    let Type::Composite { name: Some(name), .. } = &*resolve(symbols, ty)? else { return None };
    let (data, len) = if name == "String" {
        let (vec_ty, vec_bytes) = member(symbols, ty, bytes, "vec")?;
        vec_parts(symbols, vec_ty, &vec_bytes)?
    } else if name == "&str" {
        let ((_, data), len) = slice_parts(symbols, ty, bytes)?;
        (data, len)
    } else if name.starts_with("basic_string<char,") && bytes.len() == 12 {
        if bytes[11] & 0x80 == 0 {
            let len = usize::from(bytes[11]).min(11);
            return Some(Ok(bytes[..len].to_vec()));
        }
        (MemoryAddress(read_uint(&bytes[0..4], 4)?), read_uint(&bytes[4..8], 4)?)
    } else {
        return None;
    };
    let shown = usize::try_from(len).unwrap_or(usize::MAX).min(limit);
    Some(view.read_memory(data, shown).map_err(|e| e.to_string()))
}

/// The number of elements (bytes for strings) of a library sequence: Rust
/// `String`, `&str`, `Vec<T>` and slices, libc++ `std::string` and
/// `std::vector`. What `len()` answers in an expression.
pub fn length(symbols: &ModuleSymbols, ty: Option<DieRef>, bytes: &[u8]) -> Option<u64> {
    let Type::Composite { name: Some(name), .. } = &*resolve(symbols, ty)? else { return None };
    if name == "String" {
        let (vec_ty, vec_bytes) = member(symbols, ty, bytes, "vec")?;
        return vec_parts(symbols, vec_ty, &vec_bytes).map(|(_, len)| len);
    }
    if name == "&str" {
        return slice_parts(symbols, ty, bytes).map(|(_, len)| len);
    }
    if name.starts_with("basic_string<char,") {
        if bytes.len() != 12 {
            return None;
        }
        return if bytes[11] & 0x80 == 0 { Some(u64::from(bytes[11])) } else { read_uint(&bytes[4..8], 4) };
    }
    rust_sequence(symbols, ty, bytes).or_else(|| libcxx_vector(symbols, ty, bytes)).map(|(_, _, len)| len)
}

/// A libc++ `std::vector`'s element type, data pointer and length, when
/// `ty` is one.
pub fn libcxx_vector(
    symbols: &ModuleSymbols,
    ty: Option<DieRef>,
    bytes: &[u8],
) -> Option<(Option<DieRef>, MemoryAddress, u64)> {
    let Type::Composite { name: Some(name), .. } = &*resolve(symbols, ty)? else { return None };
    if !name.starts_with("vector<") {
        return None;
    }
    let (begin_ty, begin) = member(symbols, ty, bytes, "__begin_")?;
    let (_, end) = member(symbols, ty, bytes, "__end_")?;
    let (element, data) = first_pointer(symbols, begin_ty, &begin, 0)?;
    let end = read_uint(&end, end.len() as u64)?;
    let size = size_of(symbols, element)?.max(1);
    let len = end.checked_sub(data.0)? / size;
    Some((element, data, len))
}

/// A Rust `Vec<T>`'s or slice's (`&[T]`) element type, data pointer and
/// length, when `ty` is one: what it opens to.
pub fn rust_sequence(
    symbols: &ModuleSymbols,
    ty: Option<DieRef>,
    bytes: &[u8],
) -> Option<(Option<DieRef>, MemoryAddress, u64)> {
    let Type::Composite { name: Some(name), .. } = &*resolve(symbols, ty)? else { return None };
    let ((element, data), len) = if name.starts_with("Vec<") {
        vec_elements(symbols, ty, bytes)?
    } else if name.starts_with("&[") || name.starts_with("&mut [") {
        slice_parts(symbols, ty, bytes)?
    } else {
        return None;
    };
    Some((element, data, len))
}

/// A `Vec`'s element type, data pointer and length.
fn vec_elements(
    symbols: &ModuleSymbols,
    ty: Option<DieRef>,
    bytes: &[u8],
) -> Option<((Option<DieRef>, MemoryAddress), u64)> {
    let (buf_ty, buf_bytes) = member(symbols, ty, bytes, "buf")?;
    let data = first_pointer(symbols, buf_ty, &buf_bytes, 0)?;
    let (len_ty, len_bytes) = member(symbols, ty, bytes, "len")?;
    Some((data, read_uint(&len_bytes, size_of(symbols, len_ty)?)?))
}

fn vec_parts(symbols: &ModuleSymbols, ty: Option<DieRef>, bytes: &[u8]) -> Option<(MemoryAddress, u64)> {
    let ((_, data), len) = vec_elements(symbols, ty, bytes)?;
    Some((data, len))
}

/// A fat pointer's (`&str`, `&[T]`) element type, data pointer and length.
fn slice_parts(
    symbols: &ModuleSymbols,
    ty: Option<DieRef>,
    bytes: &[u8],
) -> Option<((Option<DieRef>, MemoryAddress), u64)> {
    let (data_ty, data_bytes) = member(symbols, ty, bytes, "data_ptr")?;
    let data = first_pointer(symbols, data_ty, &data_bytes, 0)?;
    let (len_ty, len_bytes) = member(symbols, ty, bytes, "length")?;
    Some((data, read_uint(&len_bytes, size_of(symbols, len_ty)?)?))
}

fn read_string(view: &mut dyn TargetView, data: MemoryAddress, len: u64) -> String {
    match view.read_memory(data, len.min(MAX_STRING) as usize) {
        Ok(bytes) if len > MAX_STRING => format!("{}...", quote(&bytes)),
        Ok(bytes) => quote(&bytes),
        Err(error) => format!("<error: {error}>"),
    }
}

fn elements(
    symbols: &ModuleSymbols,
    view: &mut dyn TargetView,
    element: Option<DieRef>,
    data: MemoryAddress,
    len: u64,
    depth: usize,
) -> String {
    let Some(size) = size_of(symbols, element) else {
        return format!("(len {len})");
    };
    let shown = len.min(MAX_ELEMENTS);
    let bytes = match view.read_memory(data, (size * shown) as usize) {
        Ok(bytes) => bytes,
        Err(error) => return format!("(len {len}) <error: {error}>"),
    };
    let mut parts: Vec<String> = bytes
        .chunks(size.max(1) as usize)
        .take(shown as usize)
        .map(|chunk| {
            pretty(symbols, view, element, chunk, depth + 1)
                .unwrap_or_else(|| summarize(symbols, view, element, chunk, depth + 1))
        })
        .collect();
    if len > shown {
        parts.push("...".to_owned());
    }
    format!("(len {len}) [{}]", parts.join(", "))
}
