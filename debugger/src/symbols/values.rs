//! Formats a value of a DWARF type from its bytes. Pure: the caller reads the
//! bytes (from a Wasm local, linear memory, a data segment) and asks; what
//! needs more memory (a pointer's target, a `Vec`'s heap buffer) is the
//! debugger session's job, which expands [`children`] on demand.

use super::type_names::{TypeLookup, type_name};
use super::types::{BaseEncoding, Member, Type};
use super::units::DieRef;

/// Nesting shown inline in a summary before `{...}`.
const SUMMARY_DEPTH: usize = 3;
/// Array elements shown inline in a summary.
const SUMMARY_ELEMENTS: usize = 16;

/// One child of a value: a member, a base, an array element, a variant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Child {
    pub name: String,
    pub ty: Option<DieRef>,
    /// Byte range of the child within the parent's bytes.
    pub offset: u64,
    pub size: u64,
    /// For bit fields: (bit size, bit offset within `offset`).
    pub bits: Option<(u64, u64)>,
}

/// Strips typedefs and qualifiers.
pub fn resolve(types: &dyn TypeLookup, mut ty: Option<DieRef>) -> Option<std::sync::Arc<Type>> {
    for _ in 0..32 {
        let t = types.lookup(ty?)?;
        match &*t {
            Type::Typedef { target, .. } | Type::Qualified { target, .. } => ty = *target,
            _ => return Some(t),
        }
    }
    None
}

/// Size in bytes of a value of `ty`.
pub fn size_of(types: &dyn TypeLookup, ty: Option<DieRef>) -> Option<u64> {
    match &*resolve(types, ty)? {
        Type::Void | Type::Function { .. } => None,
        Type::Base { size, .. }
        | Type::Pointer { size, .. }
        | Type::Reference { size, .. }
        | Type::Composite { size, .. }
        | Type::Enum { size, .. } => Some(*size),
        Type::Array { element, counts } => {
            let element = size_of(types, *element)?;
            counts.iter().try_fold(element, |acc, c| Some(acc * (*c)?))
        }
        Type::Other { size, .. } => *size,
        Type::Typedef { .. } | Type::Qualified { .. } => None,
    }
}

/// The one-line summary of a value: `42`, `'A'`, `0x00001040`,
/// `{x = 7, y = -3}`, `{10, 100, 1000}`, `"text"`, `Some(5)`.
pub fn format_value(types: &dyn TypeLookup, ty: Option<DieRef>, bytes: &[u8]) -> String {
    summary(types, ty, bytes, 0, &mut NoViews)
}

/// Library views a summary defers to for the values inside it (Rust's
/// `String` inside an enum, a `std::string` member): they read the guest's
/// memory, which this layer never does, so the session supplies them.
pub trait SummaryViews {
    /// The summary of a value of `ty` nested `depth` levels deep, or
    /// `None` to summarize it from its type.
    fn summary(&mut self, ty: Option<DieRef>, bytes: &[u8], depth: usize) -> Option<String>;
}

struct NoViews;

impl SummaryViews for NoViews {
    fn summary(&mut self, _: Option<DieRef>, _: &[u8], _: usize) -> Option<String> {
        None
    }
}

/// Like [`format_value`], for a value `depth` levels deep, with `views`
/// asked first for every value nested in it.
pub fn format_value_with(
    types: &dyn TypeLookup,
    ty: Option<DieRef>,
    bytes: &[u8],
    depth: usize,
    views: &mut dyn SummaryViews,
) -> String {
    summary(types, ty, bytes, depth, views)
}

fn summary(
    types: &dyn TypeLookup,
    ty: Option<DieRef>,
    bytes: &[u8],
    depth: usize,
    views: &mut dyn SummaryViews,
) -> String {
    let Some(t) = resolve(types, ty) else {
        return "<unknown type>".to_owned();
    };
    match &*t {
        Type::Base { encoding, size, .. } => base_value(*encoding, *size, bytes),
        Type::Pointer { .. } | Type::Reference { .. } => match read_uint(bytes, 4) {
            Some(address) => format!("0x{address:08x}"),
            None => "<unreadable>".to_owned(),
        },
        Type::Enum { enumerators, size, underlying, .. } => {
            let signed = matches!(
                resolve(types, *underlying).as_deref(),
                Some(Type::Base { encoding: BaseEncoding::Signed | BaseEncoding::SignedChar, .. })
            );
            let Some(value) = read_int(bytes, *size, signed) else {
                return "<unreadable>".to_owned();
            };
            match enumerators.iter().find(|e| e.value == value) {
                Some(e) => e.name.clone(),
                None => value.to_string(),
            }
        }
        Type::Array { element, counts } => array_summary(types, *element, counts, bytes, depth, views),
        Type::Composite { variant_part: Some(_), .. } => rust_enum_summary(types, &t, bytes, depth, views),
        Type::Composite { .. } => {
            if depth >= SUMMARY_DEPTH {
                return "{...}".to_owned();
            }
            let parts: Vec<String> = children(types, ty, bytes)
                .iter()
                .map(|c| format!("{} = {}", c.name, child_summary(types, c, bytes, depth + 1, views)))
                .collect();
            format!("{{{}}}", parts.join(", "))
        }
        Type::Void => "void".to_owned(),
        Type::Function { .. } => type_name(types, ty),
        Type::Other { .. } | Type::Typedef { .. } | Type::Qualified { .. } => "<unsupported type>".to_owned(),
    }
}

fn child_summary(
    types: &dyn TypeLookup,
    child: &Child,
    bytes: &[u8],
    depth: usize,
    views: &mut dyn SummaryViews,
) -> String {
    let Some(slice) = slice_of(bytes, child.offset, child.size) else {
        return "<out of range>".to_owned();
    };
    match child.bits {
        Some((bit_size, bit_offset)) => {
            let raw = read_uint(slice, slice.len() as u64).unwrap_or(0);
            let mask = if bit_size >= 64 { u64::MAX } else { (1 << bit_size) - 1 };
            ((raw >> bit_offset) & mask).to_string()
        }
        None => views.summary(child.ty, slice, depth).unwrap_or_else(|| summary(types, child.ty, slice, depth, views)),
    }
}

fn slice_of(bytes: &[u8], offset: u64, size: u64) -> Option<&[u8]> {
    let start = usize::try_from(offset).ok()?;
    let end = start.checked_add(usize::try_from(size).ok()?)?;
    bytes.get(start..end)
}

/// The children of a value of `ty` (members and bases of a composite,
/// elements of an array, the active variant of a Rust enum).
pub fn children(types: &dyn TypeLookup, ty: Option<DieRef>, bytes: &[u8]) -> Vec<Child> {
    let Some(t) = resolve(types, ty) else {
        return Vec::new();
    };
    match &*t {
        Type::Composite { bases, members, variant_part, .. } => {
            let mut out: Vec<Child> =
                bases
                    .iter()
                    .map(|b| member_child(types, b, type_name(types, b.ty)))
                    .chain(members.iter().filter(|m| !m.artificial).enumerate().map(|(i, m)| {
                        member_child(types, m, m.name.clone().unwrap_or_else(|| format!("<anonymous {i}>")))
                    }))
                    .collect();
            if let Some(part) = variant_part
                && let Some(variant) = active_variant(types, part, bytes)
            {
                let name = variant.name.clone().unwrap_or_else(|| "<variant>".to_owned());
                out.push(member_child(types, variant, name));
            }
            out
        }
        Type::Array { element, counts } => {
            let Some(element_size) = size_of(types, *element) else {
                return Vec::new();
            };
            // The first dimension is the children; inner dimensions stay
            // arrays so `int m[3][4]` expands row by row.
            let count = counts.first().copied().flatten().unwrap_or(0);
            let row = counts[1..].iter().map(|c| c.unwrap_or(0)).product::<u64>() * element_size;
            let row_type =
                if counts.len() > 1 { types.sub_array(*element, &counts[1..]).or(*element) } else { *element };
            (0..count)
                .map(|i| Child { name: format!("[{i}]"), ty: row_type, offset: i * row, size: row, bits: None })
                .collect()
        }
        _ => Vec::new(),
    }
}

fn member_child(types: &dyn TypeLookup, member: &Member, name: String) -> Child {
    let size = match member.bits {
        Some((bits, offset)) => (bits + offset).div_ceil(8),
        None => size_of(types, member.ty).unwrap_or(0),
    };
    Child { name, ty: member.ty, offset: member.offset, size, bits: member.bits }
}

fn active_variant<'a>(types: &dyn TypeLookup, part: &'a super::types::VariantPart, bytes: &[u8]) -> Option<&'a Member> {
    let discriminant = match &part.discriminant {
        Some(d) => {
            let size = size_of(types, d.ty)?;
            Some(read_uint(slice_of(bytes, d.offset, size)?, size)?)
        }
        None => None,
    };
    let chosen = part
        .variants
        .iter()
        .find(|v| v.discriminant.is_some() && v.discriminant == discriminant)
        .or_else(|| part.variants.iter().find(|v| v.discriminant.is_none()))
        .or_else(|| (part.variants.len() == 1).then(|| &part.variants[0]))?;
    Some(&chosen.member)
}

/// `Some(5)`, `None`, `Circle { radius: 2 }` — a Rust enum by its variant.
fn rust_enum_summary(
    types: &dyn TypeLookup,
    t: &Type,
    bytes: &[u8],
    depth: usize,
    views: &mut dyn SummaryViews,
) -> String {
    let Type::Composite { variant_part: Some(part), .. } = t else {
        return String::new();
    };
    let Some(variant) = active_variant(types, part, bytes) else {
        return "<unknown variant>".to_owned();
    };
    let name = variant.name.clone().unwrap_or_default();
    let Some(payload) = slice_of(bytes, variant.offset, size_of(types, variant.ty).unwrap_or(0)) else {
        return name;
    };
    let fields = children(types, variant.ty, payload);
    if fields.is_empty() {
        return name;
    }
    if depth >= SUMMARY_DEPTH {
        return format!("{name}(...)");
    }
    let tuple_like = fields.iter().all(|f| f.name.starts_with("__"));
    let rendered: Vec<String> = fields
        .iter()
        .map(|f| {
            let value = child_summary(types, f, payload, depth + 1, views);
            if tuple_like { value } else { format!("{}: {value}", f.name) }
        })
        .collect();
    if tuple_like {
        format!("{name}({})", rendered.join(", "))
    } else {
        format!("{name} {{ {} }}", rendered.join(", "))
    }
}

fn array_summary(
    types: &dyn TypeLookup,
    element: Option<DieRef>,
    counts: &[Option<u64>],
    bytes: &[u8],
    depth: usize,
    views: &mut dyn SummaryViews,
) -> String {
    let is_char = matches!(
        resolve(types, element).as_deref(),
        Some(Type::Base { encoding: BaseEncoding::SignedChar | BaseEncoding::UnsignedChar, size: 1, .. })
    );
    if is_char && counts.len() == 1 {
        let end = bytes.iter().position(|b| *b == 0).unwrap_or(bytes.len());
        return quote(&bytes[..end]);
    }
    if depth >= SUMMARY_DEPTH {
        return "{...}".to_owned();
    }
    let Some(element_size) = size_of(types, element) else {
        return "{...}".to_owned();
    };
    let count = counts.first().copied().flatten().unwrap_or(0);
    let row = counts[1..].iter().map(|c| c.unwrap_or(0)).product::<u64>() * element_size;
    let mut parts = Vec::new();
    for i in 0..count.min(SUMMARY_ELEMENTS as u64) {
        let Some(slice) = slice_of(bytes, i * row, row) else {
            break;
        };
        parts.push(if counts.len() > 1 {
            array_summary(types, element, &counts[1..], slice, depth + 1, views)
        } else {
            views.summary(element, slice, depth + 1).unwrap_or_else(|| summary(types, element, slice, depth + 1, views))
        });
    }
    if count > SUMMARY_ELEMENTS as u64 {
        parts.push("...".to_owned());
    }
    format!("{{{}}}", parts.join(", "))
}

/// A byte string as a C string literal, escaping what is not printable.
pub fn quote(bytes: &[u8]) -> String {
    let mut out = String::from("\"");
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\t' => out.push_str("\\t"),
                c if c.is_control() => out.push_str(&format!("\\x{:02x}", c as u32)),
                c => out.push(c),
            }
        }
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out.push('"');
    out
}

/// A float as debuggers show one: the fewest digits that read back to the
/// same value, in exponent form where plain digits would run long
/// (`1.5e300`, not 301 digits; `5.6e-320`, not 320 zeros).
pub fn format_float<F: Into<f64> + Copy + std::fmt::Display + std::fmt::LowerExp>(value: F) -> String {
    let magnitude = value.into().abs();
    if magnitude != 0.0 && magnitude.is_finite() && !(1e-5..1e16).contains(&magnitude) {
        format!("{value:e}")
    } else {
        format!("{value}")
    }
}

fn base_value(encoding: BaseEncoding, size: u64, bytes: &[u8]) -> String {
    let unreadable = || "<unreadable>".to_owned();
    match encoding {
        BaseEncoding::Boolean => read_uint(bytes, size).map_or_else(unreadable, |v| (v != 0).to_string()),
        BaseEncoding::Float => match (size, bytes) {
            (4, [a, b, c, d, ..]) => format_float(f32::from_le_bytes([*a, *b, *c, *d])),
            (8, _) if bytes.len() >= 8 => {
                let mut raw = [0; 8];
                raw.copy_from_slice(&bytes[..8]);
                format_float(f64::from_le_bytes(raw))
            }
            _ => unreadable(),
        },
        BaseEncoding::SignedChar | BaseEncoding::UnsignedChar if size == 1 => {
            let Some(&b) = bytes.first() else {
                return unreadable();
            };
            let number = if encoding == BaseEncoding::SignedChar { (b as i8).to_string() } else { b.to_string() };
            let shown = quote(&[b]);
            format!("{number} '{}'", &shown[1..shown.len() - 1])
        }
        BaseEncoding::Utf => read_uint(bytes, size).map_or_else(unreadable, |v| match char::from_u32(v as u32) {
            Some(c) => format!("'{c}'"),
            None => format!("U+{v:04X}"),
        }),
        BaseEncoding::Signed | BaseEncoding::SignedChar => {
            read_int(bytes, size, true).map_or_else(unreadable, |v| v.to_string())
        }
        _ => read_uint(bytes, size).map_or_else(unreadable, |v| v.to_string()),
    }
}

/// A little-endian unsigned integer of `size` bytes (at most 8).
pub fn read_uint(bytes: &[u8], size: u64) -> Option<u64> {
    let size = usize::try_from(size).ok().filter(|s| (1..=8).contains(s))?;
    let raw = bytes.get(..size)?;
    Some(raw.iter().rev().fold(0, |acc, b| (acc << 8) | u64::from(*b)))
}

fn read_int(bytes: &[u8], size: u64, signed: bool) -> Option<i64> {
    let raw = read_uint(bytes, size)?;
    if !signed || size >= 8 {
        return Some(raw as i64);
    }
    let shift = 64 - size * 8;
    Some(((raw << shift) as i64) >> shift)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_show_their_shortest_digits_and_long_ones_an_exponent() {
        assert_eq!(format_float(1.5f64), "1.5");
        assert_eq!(format_float(0.1f32), "0.1");
        assert_eq!(format_float(-2.25f64), "-2.25");
        assert_eq!(format_float(1.5e300f64), "1.5e300");
        assert_eq!(format_float(f64::from_bits(709)), "3.503e-321", "a denormal: 709 × 2^-1074");
        assert_eq!(format_float(1e16f64), "1e16");
        assert_eq!(format_float(123456789.5f64), "123456789.5");
        assert_eq!(format_float(0.0f64), "0");
        assert_eq!(format_float(f64::NAN), "NaN");
        assert_eq!(format_float(f64::NEG_INFINITY), "-inf");
        // Through a DWARF base type, as the Variables view reads one.
        assert_eq!(base_value(BaseEncoding::Float, 8, &1.5e300f64.to_le_bytes()), "1.5e300");
        assert_eq!(base_value(BaseEncoding::Float, 4, &3.0e-7f32.to_le_bytes()), "3e-7");
    }
}
