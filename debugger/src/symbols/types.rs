//! The type model: what a DWARF type DIE says, decoded into plain Rust
//! values. Types are read on demand and refer to each other by [`DieRef`],
//! so recursive types (a list node pointing to itself) are no problem.

use super::dies::{own_name, udata};
use super::dwarf_sections::Dwarf;
use super::units::{Die, DieRef, Units};

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BaseEncoding {
    Signed,
    Unsigned,
    SignedChar,
    UnsignedChar,
    Float,
    Boolean,
    /// UTF code unit (Rust `char`, C++ `char16_t`/`char32_t`).
    Utf,
    Other,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CompositeKind {
    Struct,
    Class,
    Union,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Qualifier {
    Const,
    Volatile,
    Restrict,
    Atomic,
}

/// A data member or a base class of a composite, or a variant's payload.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Member {
    pub name: Option<String>,
    pub ty: Option<DieRef>,
    /// Byte offset from the start of the enclosing value.
    pub offset: u64,
    /// For bit fields: (bit size, bit offset from the start of `offset`).
    pub bits: Option<(u64, u64)>,
    pub artificial: bool,
}

/// One alternative of a Rust enum (a DWARF variant part).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Variant {
    /// The discriminant value selecting it; `None` for the default variant.
    pub discriminant: Option<u64>,
    pub member: Member,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct VariantPart {
    /// Where the discriminant is stored; `None` when it is niche-encoded in
    /// a way the DWARF does not describe.
    pub discriminant: Option<Member>,
    pub variants: Vec<Variant>,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Enumerator {
    pub name: String,
    pub value: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Type {
    Void,
    Base {
        name: String,
        encoding: BaseEncoding,
        size: u64,
    },
    /// `name`: Rust names its pointer types (`&T`, `*const T`,
    /// `alloc::boxed::Box<T, A>`); C and C++ pointers have none.
    Pointer {
        pointee: Option<DieRef>,
        size: u64,
        name: Option<String>,
    },
    Reference {
        pointee: Option<DieRef>,
        rvalue: bool,
        size: u64,
    },
    Composite {
        kind: CompositeKind,
        name: Option<String>,
        size: u64,
        bases: Vec<Member>,
        members: Vec<Member>,
        variant_part: Option<VariantPart>,
        /// Declared but not defined here (`struct opaque;`).
        declaration: bool,
        /// Template type parameters by name (`T` of `RawTable<T>`): what
        /// library views need when a member does not say the element type.
        template_types: Vec<(String, Option<DieRef>)>,
    },
    Array {
        element: Option<DieRef>,
        counts: Vec<Option<u64>>,
    },
    Enum {
        name: Option<String>,
        size: u64,
        underlying: Option<DieRef>,
        enumerators: Vec<Enumerator>,
    },
    Typedef {
        name: String,
        target: Option<DieRef>,
    },
    Qualified {
        qualifier: Qualifier,
        target: Option<DieRef>,
    },
    Function {
        return_type: Option<DieRef>,
        params: Vec<Option<DieRef>>,
    },
    /// A member pointer, an unspecified type (`decltype(nullptr)`) or a
    /// tag wasmscope does not model; shown by name only.
    Other {
        name: Option<String>,
        size: Option<u64>,
    },
}

/// Reads the type at `at`.
pub fn read_type(dwarf: &Dwarf, units: &Units, at: DieRef) -> gimli::Result<Type> {
    let die = units.die(at)?;
    let name = own_name(dwarf, units, at, &die)?;
    let size = udata(&die, gimli::DW_AT_byte_size);
    let target = type_attr(units, at, &die);
    Ok(match die.tag() {
        gimli::DW_TAG_base_type => Type::Base {
            name: name.unwrap_or_default(),
            encoding: match die.attr_value(gimli::DW_AT_encoding) {
                Some(gimli::AttributeValue::Encoding(e)) => base_encoding(e),
                _ => BaseEncoding::Other,
            },
            size: size.unwrap_or(0),
        },
        gimli::DW_TAG_unspecified_type if name.as_deref() == Some("void") => Type::Void,
        gimli::DW_TAG_pointer_type => Type::Pointer { pointee: target, size: size.unwrap_or(4), name },
        gimli::DW_TAG_reference_type | gimli::DW_TAG_rvalue_reference_type => Type::Reference {
            pointee: target,
            rvalue: die.tag() == gimli::DW_TAG_rvalue_reference_type,
            size: size.unwrap_or(4),
        },
        gimli::DW_TAG_structure_type | gimli::DW_TAG_class_type | gimli::DW_TAG_union_type => {
            read_composite(dwarf, units, at, &die, name, size)?
        }
        gimli::DW_TAG_array_type => Type::Array { element: target, counts: array_counts(units, at)? },
        gimli::DW_TAG_enumeration_type => Type::Enum {
            name,
            size: size.unwrap_or(4),
            underlying: target,
            enumerators: enumerators(dwarf, units, at)?,
        },
        gimli::DW_TAG_typedef => Type::Typedef { name: name.unwrap_or_default(), target },
        gimli::DW_TAG_const_type => Type::Qualified { qualifier: Qualifier::Const, target },
        gimli::DW_TAG_volatile_type => Type::Qualified { qualifier: Qualifier::Volatile, target },
        gimli::DW_TAG_restrict_type => Type::Qualified { qualifier: Qualifier::Restrict, target },
        gimli::DW_TAG_atomic_type => Type::Qualified { qualifier: Qualifier::Atomic, target },
        gimli::DW_TAG_subroutine_type => Type::Function { return_type: target, params: parameter_types(units, at)? },
        _ => Type::Other { name, size },
    })
}

fn type_attr(units: &Units, at: DieRef, die: &Die) -> Option<DieRef> {
    die.attr_value(gimli::DW_AT_type).and_then(|v| units.resolve(at.unit, &v))
}

fn base_encoding(encoding: gimli::DwAte) -> BaseEncoding {
    match encoding {
        gimli::DW_ATE_signed => BaseEncoding::Signed,
        gimli::DW_ATE_unsigned => BaseEncoding::Unsigned,
        gimli::DW_ATE_signed_char => BaseEncoding::SignedChar,
        gimli::DW_ATE_unsigned_char => BaseEncoding::UnsignedChar,
        gimli::DW_ATE_float => BaseEncoding::Float,
        gimli::DW_ATE_boolean => BaseEncoding::Boolean,
        gimli::DW_ATE_UTF => BaseEncoding::Utf,
        _ => BaseEncoding::Other,
    }
}

/// Calls `visit` for each direct child of `at`.
fn for_each_child(
    units: &Units,
    at: DieRef,
    mut visit: impl FnMut(DieRef, &Die) -> gimli::Result<()>,
) -> gimli::Result<()> {
    let unit = units.unit(at.unit);
    let mut tree = unit.entries_tree(Some(gimli::UnitOffset(at.offset)))?;
    let root = tree.root()?;
    let mut children = root.children();
    while let Some(child) = children.next()? {
        let die = child.entry();
        visit(DieRef { unit: at.unit, offset: die.offset().0 }, die)?;
    }
    Ok(())
}

fn member(dwarf: &Dwarf, units: &Units, at: DieRef, die: &Die) -> gimli::Result<Member> {
    let offset = match die.attr_value(gimli::DW_AT_data_member_location) {
        Some(value) => value.udata_value().unwrap_or(0),
        None => 0,
    };
    let bits = udata(die, gimli::DW_AT_bit_size).map(|size| {
        // DWARF 4 bit fields: DW_AT_data_bit_offset counts from the start
        // of the member; the older DW_AT_bit_offset is big-endian-relative.
        let bit_offset = udata(die, gimli::DW_AT_data_bit_offset).unwrap_or_else(|| {
            let storage = udata(die, gimli::DW_AT_byte_size).unwrap_or(4) * 8;
            udata(die, gimli::DW_AT_bit_offset).map_or(0, |b| storage.saturating_sub(b + size))
        });
        (size, bit_offset)
    });
    let artificial = matches!(die.attr_value(gimli::DW_AT_artificial), Some(gimli::AttributeValue::Flag(true)));
    Ok(Member { name: own_name(dwarf, units, at, die)?, ty: type_attr(units, at, die), offset, bits, artificial })
}

fn read_composite(
    dwarf: &Dwarf,
    units: &Units,
    at: DieRef,
    die: &Die,
    name: Option<String>,
    size: Option<u64>,
) -> gimli::Result<Type> {
    let kind = match die.tag() {
        gimli::DW_TAG_class_type => CompositeKind::Class,
        gimli::DW_TAG_union_type => CompositeKind::Union,
        _ => CompositeKind::Struct,
    };
    let declaration = matches!(die.attr_value(gimli::DW_AT_declaration), Some(gimli::AttributeValue::Flag(true)));
    let (mut bases, mut members, mut variant_part) = (Vec::new(), Vec::new(), None);
    let mut template_types = Vec::new();
    for_each_child(units, at, |child_at, child| {
        match child.tag() {
            gimli::DW_TAG_template_type_parameter => {
                let name = super::dies::own_name(dwarf, units, child_at, child)?.unwrap_or_default();
                let ty = child.attr_value(gimli::DW_AT_type).and_then(|v| units.resolve(child_at.unit, &v));
                template_types.push((name, ty));
            }
            gimli::DW_TAG_inheritance => bases.push(member(dwarf, units, child_at, child)?),
            // Static members have no offset in the value; they are globals.
            gimli::DW_TAG_member if child.attr_value(gimli::DW_AT_external).is_none() => {
                members.push(member(dwarf, units, child_at, child)?);
            }
            gimli::DW_TAG_variant_part => variant_part = Some(read_variant_part(dwarf, units, child_at, child)?),
            _ => {}
        }
        Ok(())
    })?;
    Ok(Type::Composite {
        kind,
        name,
        size: size.unwrap_or(0),
        bases,
        members,
        variant_part,
        declaration,
        template_types,
    })
}

fn read_variant_part(dwarf: &Dwarf, units: &Units, at: DieRef, die: &Die) -> gimli::Result<VariantPart> {
    let discriminant_die = die.attr_value(gimli::DW_AT_discr).and_then(|v| units.resolve(at.unit, &v));
    let discriminant = match discriminant_die {
        Some(d) => Some(member(dwarf, units, d, &units.die(d)?)?),
        None => None,
    };
    let mut variants = Vec::new();
    for_each_child(units, at, |variant_at, variant_die| {
        if variant_die.tag() != gimli::DW_TAG_variant {
            return Ok(());
        }
        let value = udata(variant_die, gimli::DW_AT_discr_value);
        let mut payload = None;
        for_each_child(units, variant_at, |member_at, member_die| {
            if member_die.tag() == gimli::DW_TAG_member && payload.is_none() {
                payload = Some(member(dwarf, units, member_at, member_die)?);
            }
            Ok(())
        })?;
        if let Some(member) = payload {
            variants.push(Variant { discriminant: value, member });
        }
        Ok(())
    })?;
    Ok(VariantPart { discriminant, variants })
}

fn array_counts(units: &Units, at: DieRef) -> gimli::Result<Vec<Option<u64>>> {
    let mut counts = Vec::new();
    for_each_child(units, at, |_, child| {
        if child.tag() == gimli::DW_TAG_subrange_type {
            let count = udata(child, gimli::DW_AT_count).or_else(|| {
                // upper_bound is inclusive; -1 (all ones) means unknown.
                let upper = child.attr_value(gimli::DW_AT_upper_bound)?;
                let upper = upper.sdata_value().or_else(|| upper.udata_value().map(|u| u as i64))?;
                let lower = udata(child, gimli::DW_AT_lower_bound).unwrap_or(0) as i64;
                (upper >= lower).then(|| (upper - lower + 1) as u64)
            });
            counts.push(count);
        }
        Ok(())
    })?;
    if counts.is_empty() {
        counts.push(None);
    }
    Ok(counts)
}

fn enumerators(dwarf: &Dwarf, units: &Units, at: DieRef) -> gimli::Result<Vec<Enumerator>> {
    let mut out = Vec::new();
    for_each_child(units, at, |child_at, child| {
        if child.tag() == gimli::DW_TAG_enumerator {
            let value = child
                .attr_value(gimli::DW_AT_const_value)
                .and_then(|v| v.sdata_value().or_else(|| v.udata_value().map(|u| u as i64)));
            out.push(Enumerator {
                name: own_name(dwarf, units, child_at, child)?.unwrap_or_default(),
                value: value.unwrap_or(0),
            });
        }
        Ok(())
    })?;
    Ok(out)
}

fn parameter_types(units: &Units, at: DieRef) -> gimli::Result<Vec<Option<DieRef>>> {
    let mut params = Vec::new();
    for_each_child(units, at, |child_at, child| {
        if child.tag() == gimli::DW_TAG_formal_parameter {
            params.push(type_attr(units, child_at, child));
        }
        Ok(())
    })?;
    Ok(params)
}
