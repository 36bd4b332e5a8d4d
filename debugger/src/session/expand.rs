//! Opening a value one level at a time, as variable views do: the members
//! of a struct, the elements of an array, what a pointer points at. Also
//! writing a new value where a value lives in linear memory.

use super::expr::{Value, as_number};
use crate::address::MemoryAddress;
use crate::symbols::{BaseEncoding, DieRef, ModuleSymbols, Type, children, read_uint, resolve, size_of, type_name};
use crate::target::TargetView;

/// A typed value read from the guest: its bytes, and where they are when
/// they are in memory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Object {
    pub ty: Option<DieRef>,
    pub bytes: Vec<u8>,
    pub address: Option<MemoryAddress>,
    /// Byte ranges of `bytes` the DWARF does not give (zeros there): the
    /// members they fall in show as optimized out.
    pub unknown: Vec<std::ops::Range<u64>>,
    /// Open to the members, not to a library view's elements (a
    /// container's `[raw]` child).
    pub raw: bool,
}

impl Object {
    /// A value known in full.
    pub fn new(ty: Option<DieRef>, bytes: Vec<u8>, address: Option<MemoryAddress>) -> Self {
        Object { ty, bytes, address, unknown: Vec::new(), raw: false }
    }

    /// Whether any byte in `offset..offset + size` is unknown.
    fn has_unknown(&self, offset: u64, size: u64) -> bool {
        // A zero-sized member has nothing to be unknown.
        size > 0 && self.unknown.iter().any(|r| r.start < offset + size && offset < r.end)
    }

    /// The unknown ranges inside `offset..offset + size`, relative to it.
    fn unknown_within(&self, offset: u64, size: u64) -> Vec<std::ops::Range<u64>> {
        self.unknown
            .iter()
            .filter(|r| r.start < offset + size && offset < r.end)
            .map(|r| r.start.max(offset) - offset..r.end.min(offset + size) - offset)
            .collect()
    }

    /// A member of this value: known, partly known (its own holes), or
    /// not known at all (`None`).
    pub(crate) fn member(&self, ty: Option<DieRef>, offset: u64, bytes: &[u8]) -> Option<Object> {
        let size = bytes.len() as u64;
        let unknown = self.unknown_within(offset, size);
        let missing: u64 = unknown.iter().map(|r| r.end - r.start).sum();
        if size > 0 && missing >= size {
            return None;
        }
        let address = self.address.map(|a| MemoryAddress(a.0 + offset));
        Some(Object { ty, bytes: bytes.to_vec(), address, unknown, raw: false })
    }
}

/// One child of an opened value, as shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShownChild {
    pub name: String,
    pub type_name: String,
    pub value: String,
    /// The child itself, when it can be opened in turn or written.
    pub object: Option<Object>,
}

/// Pointees larger than this are not read for expansion (a `char *` into
/// a huge buffer shows its first element anyway).
const MAX_POINTEE: u64 = 1 << 20;

/// What a member the DWARF does not give shows.
const OPTIMIZED_OUT: &str = "<optimized out>";

/// The child of a container that holds its own members.
pub const RAW: &str = "[raw]";

/// Elements of a container shown as children (the rest are not read).
const MAX_CONTAINER_CHILDREN: u64 = 1000;

/// How a value is shown: the pretty printers first (strings, vectors),
/// else the type's own summary.
pub fn display(symbols: &ModuleSymbols, view: &mut dyn TargetView, ty: Option<DieRef>, bytes: &[u8]) -> String {
    super::pretty::pretty(symbols, view, ty, bytes, 0)
        .unwrap_or_else(|| super::pretty::summarize(symbols, view, ty, bytes, 0))
}

/// How a value with unknown bytes is shown: its members one by one, the
/// ones the unknown bytes fall in as optimized out.
pub fn display_with_holes(symbols: &ModuleSymbols, view: &mut dyn TargetView, object: &Object) -> String {
    let parts: Vec<String> = children(symbols, object.ty, &object.bytes)
        .into_iter()
        .map(|child| {
            let bytes = slice(&object.bytes, child.offset, child.size);
            let value = match bytes {
                Some(bytes) if object.has_unknown(child.offset, child.size) => {
                    match object.member(child.ty, child.offset, bytes) {
                        Some(member) if child.bits.is_none() && !children(symbols, child.ty, bytes).is_empty() => {
                            display_with_holes(symbols, view, &member)
                        }
                        _ => OPTIMIZED_OUT.to_owned(),
                    }
                }
                Some(bytes) if child.bits.is_none() => display(symbols, view, child.ty, bytes),
                _ => "...".to_owned(),
            };
            format!("{} = {value}", child.name)
        })
        .collect();
    format!("{{{}}}", parts.join(", "))
}

/// How an expression's value is shown wherever one is: evaluate, watch,
/// hover, the console's `print` and logpoint messages (one formatter, so a
/// `String` reads as text in all of them).
pub fn show_value(symbols: &ModuleSymbols, view: &mut dyn TargetView, value: &super::expr::Value) -> String {
    match value {
        super::expr::Value::Object(object) if object.unknown.is_empty() => {
            display(symbols, view, object.ty, &object.bytes)
        }
        super::expr::Value::Object(object) => display_with_holes(symbols, view, object),
        other => other.display(symbols),
    }
}

/// Whether opening `object` shows anything: a struct with members, a
/// non-empty array, a non-null pointer to a sized type.
pub fn is_expandable(symbols: &ModuleSymbols, object: &Object) -> bool {
    match resolve(symbols, object.ty).as_deref() {
        Some(Type::Pointer { pointee, .. } | Type::Reference { pointee, .. }) => {
            pointer_target(symbols, *pointee).is_some() && read_uint(&object.bytes, 4).is_some_and(|a| a != 0)
        }
        Some(Type::Composite { declaration: false, .. } | Type::Array { .. }) => {
            !children(symbols, object.ty, &object.bytes).is_empty()
        }
        _ => false,
    }
}

/// The type a pointer's expansion reads, when it has a readable size.
fn pointer_target(symbols: &ModuleSymbols, pointee: Option<DieRef>) -> Option<u64> {
    match resolve(symbols, pointee).as_deref() {
        None | Some(Type::Void | Type::Function { .. }) => None,
        Some(_) => size_of(symbols, pointee).filter(|s| *s > 0 && *s <= MAX_POINTEE),
    }
}

/// The children of `object`: members and bases, array elements, the
/// active variant of a Rust enum, or the pointee of a pointer (`*name`).
pub fn expand(
    symbols: &ModuleSymbols,
    view: &mut dyn TargetView,
    object: &Object,
    name: &str,
) -> Result<Vec<ShownChild>, String> {
    let resolved = resolve(symbols, object.ty).ok_or("the value's type is unknown")?;
    if let Type::Pointer { pointee, .. } | Type::Reference { pointee, .. } = &*resolved {
        let size = pointer_target(symbols, *pointee).ok_or("the pointer's target has no size")?;
        let address = MemoryAddress(read_uint(&object.bytes, 4).ok_or("unreadable pointer")?);
        let (value, object) = match view.read_memory(address, size as usize) {
            Ok(bytes) => (display(symbols, view, *pointee, &bytes), Some(Object::new(*pointee, bytes, Some(address)))),
            // A dangling or wild pointer: the error in the pointee's place.
            Err(error) => (format!("<error: {error}>"), None),
        };
        return Ok(vec![ShownChild {
            name: format!("*{name}"),
            type_name: type_name(symbols, *pointee),
            value,
            object,
        }]);
    }
    // A vector with holes (-O2) has no pointer to read its elements from.
    let complete = object.unknown.is_empty() && !object.raw;
    let vector = if complete { super::pretty::libcxx_vector(symbols, object.ty, &object.bytes) } else { None };
    if let Some((element, data, len)) = vector {
        return Ok(element_children(symbols, view, element, data, len));
    }
    // A Rust `Vec` or slice: its elements, then its members under `[raw]`
    // (its capacity, its pointer), as LLDB and gdb offer them.
    let sequence = if complete { super::pretty::rust_sequence(symbols, object.ty, &object.bytes) } else { None };
    if let Some((element, data, len)) = sequence {
        let mut shown = element_children(symbols, view, element, data, len);
        shown.push(ShownChild {
            name: RAW.into(),
            type_name: type_name(symbols, object.ty),
            value: crate::symbols::format_value(symbols, object.ty, &object.bytes),
            object: Some(Object { raw: true, ..object.clone() }),
        });
        return Ok(shown);
    }
    let mut out = Vec::new();
    for child in children(symbols, object.ty, &object.bytes) {
        let type_name = type_name(symbols, child.ty);
        let Some(slice) = slice(&object.bytes, child.offset, child.size) else {
            out.push(ShownChild { name: child.name, type_name, value: "<out of range>".into(), object: None });
            continue;
        };
        if object.has_unknown(child.offset, child.size) {
            let (value, member) = match object.member(child.ty, child.offset, slice) {
                Some(member) if child.bits.is_none() && !children(symbols, child.ty, slice).is_empty() => {
                    (display_with_holes(symbols, view, &member), Some(member))
                }
                _ => (OPTIMIZED_OUT.to_owned(), None),
            };
            out.push(ShownChild { name: child.name, type_name, value, object: member });
            continue;
        }
        if let Some((bit_size, bit_offset)) = child.bits {
            // A bit field has no address of its own: shown, not opened.
            let raw = read_uint(slice, slice.len() as u64).unwrap_or(0);
            let mask = if bit_size >= 64 { u64::MAX } else { (1 << bit_size) - 1 };
            out.push(ShownChild {
                name: child.name,
                type_name,
                value: ((raw >> bit_offset) & mask).to_string(),
                object: None,
            });
            continue;
        }
        let value = display(symbols, view, child.ty, slice);
        let address = object.address.map(|a| MemoryAddress(a.0 + child.offset));
        out.push(ShownChild {
            name: child.name,
            type_name,
            value,
            object: Some(Object::new(child.ty, slice.to_vec(), address)),
        });
    }
    Ok(out)
}

/// The elements of a container as children `[0]`, `[1]`, …, read from
/// memory: what a user opens a `std::vector` for (its raw members hold
/// pointers that only reach the first element).
fn element_children(
    symbols: &ModuleSymbols,
    view: &mut dyn TargetView,
    element: Option<DieRef>,
    data: MemoryAddress,
    len: u64,
) -> Vec<ShownChild> {
    let type_name = type_name(symbols, element);
    let Some(size) = size_of(symbols, element).filter(|s| *s > 0) else { return Vec::new() };
    let shown = len.min(MAX_CONTAINER_CHILDREN);
    match view.read_memory(data, (size * shown) as usize) {
        Ok(bytes) => bytes
            .chunks(size as usize)
            .enumerate()
            .map(|(i, chunk)| ShownChild {
                name: format!("[{i}]"),
                type_name: type_name.clone(),
                value: display(symbols, view, element, chunk),
                object: Some(Object::new(element, chunk.to_vec(), Some(MemoryAddress(data.0 + i as u64 * size)))),
            })
            .collect(),
        Err(error) => {
            vec![ShownChild { name: "[0]".into(), type_name, value: format!("<error: {error}>"), object: None }]
        }
    }
}

fn slice(bytes: &[u8], offset: u64, size: u64) -> Option<&[u8]> {
    let start = usize::try_from(offset).ok()?;
    bytes.get(start..start.checked_add(usize::try_from(size).ok()?)?)
}

/// Writes `new` into the value of type `ty` at `address`: scalars, enums
/// and pointers, converted to the destination's type.
pub fn assign(
    symbols: &ModuleSymbols,
    view: &mut dyn TargetView,
    ty: Option<DieRef>,
    address: MemoryAddress,
    new: &Value,
) -> Result<Vec<u8>, String> {
    let size = size_of(symbols, ty).ok_or("the destination's type has no size")? as usize;
    let target = resolve(symbols, ty).ok_or("the destination's type is unknown")?;
    let (integer, float) = as_number(new, symbols)?;
    let bytes = match &*target {
        Type::Base { encoding: BaseEncoding::Float, size: 4, .. } => (float as f32).to_le_bytes().to_vec(),
        Type::Base { encoding: BaseEncoding::Float, .. } => float.to_le_bytes().to_vec(),
        Type::Base { .. } | Type::Enum { .. } | Type::Pointer { .. } => {
            (integer as u64).to_le_bytes().get(..size).ok_or("the destination is wider than 8 bytes")?.to_vec()
        }
        _ => {
            return Err(format!("cannot assign to a `{}`: only scalars, enums and pointers", type_name(symbols, ty)));
        }
    };
    view.write_memory(address, &bytes)?;
    Ok(bytes)
}

/// Where a memory view of `object` opens: at what a pointer points to,
/// else at the value itself.
pub fn memory_of(symbols: &ModuleSymbols, object: &Object) -> Option<MemoryAddress> {
    match resolve(symbols, object.ty).as_deref() {
        Some(Type::Pointer { .. } | Type::Reference { .. }) => read_uint(&object.bytes, 4).map(MemoryAddress),
        _ => object.address,
    }
}
