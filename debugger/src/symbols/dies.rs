//! Small readers over DIEs shared by the function, variable and type
//! indexes: names through `abstract_origin`/`specification`, code ranges,
//! declared positions.

use std::ops::Range;

use gimli::{AttributeValue, Reader as _};

use super::dwarf_sections::Dwarf;
use super::units::{Die, DieRef, Units};

/// The DIEs whose attributes a DIE inherits: `DW_AT_abstract_origin` (an
/// inlined or out-of-line instance) and `DW_AT_specification` (a
/// definition of a declaration).
const ORIGIN_ATTRS: [gimli::DwAt; 2] = [gimli::DW_AT_abstract_origin, gimli::DW_AT_specification];

/// Follows origins at most this far: corrupt DWARF can make a cycle.
const MAX_ORIGIN_DEPTH: usize = 8;

/// An attribute of `at`, or of the DIEs it inherits from.
pub fn inherited_attr(
    units: &Units,
    at: DieRef,
    name: gimli::DwAt,
) -> gimli::Result<Option<(DieRef, AttributeValue<super::dwarf_sections::DwarfReader>)>> {
    let mut current = at;
    for _ in 0..MAX_ORIGIN_DEPTH {
        let die = units.die(current)?;
        if let Some(value) = die.attr_value(name) {
            return Ok(Some((current, value)));
        }
        let next = ORIGIN_ATTRS.iter().find_map(|a| die.attr_value(*a)).and_then(|v| units.resolve(current.unit, &v));
        match next {
            Some(next) => current = next,
            None => return Ok(None),
        }
    }
    Ok(None)
}

/// A string attribute, inherited if need be.
pub fn inherited_string(dwarf: &Dwarf, units: &Units, at: DieRef, name: gimli::DwAt) -> gimli::Result<Option<String>> {
    match inherited_attr(units, at, name)? {
        Some((owner, value)) => {
            let text = dwarf.attr_string(units.unit(owner.unit), value)?;
            Ok(Some(super::printable::printable(&text.to_string_lossy()?).into_owned()))
        }
        None => Ok(None),
    }
}

/// The linkage name when there is one, else the plain name: what
/// llvm-symbolizer and addr2line show.
pub fn linkage_or_name(dwarf: &Dwarf, units: &Units, at: DieRef) -> gimli::Result<Option<String>> {
    for attr in [gimli::DW_AT_linkage_name, gimli::DW_AT_MIPS_linkage_name, gimli::DW_AT_name] {
        if let Some(name) = inherited_string(dwarf, units, at, attr)? {
            return Ok(Some(name));
        }
    }
    Ok(None)
}

/// A DIE's own `DW_AT_name`, not inherited.
pub fn own_name(dwarf: &Dwarf, units: &Units, at: DieRef, die: &Die) -> gimli::Result<Option<String>> {
    match die.attr_value(gimli::DW_AT_name) {
        Some(value) => {
            let text = dwarf.attr_string(units.unit(at.unit), value)?;
            Ok(Some(super::printable::printable(&text.to_string_lossy()?).into_owned()))
        }
        None => Ok(None),
    }
}

/// The code ranges of a DIE, without empty ones.
pub fn code_ranges(dwarf: &Dwarf, units: &Units, at: DieRef, die: &Die) -> gimli::Result<Vec<Range<u64>>> {
    let mut ranges = Vec::new();
    let mut iter = dwarf.die_ranges(units.unit(at.unit), die)?;
    while let Some(range) = iter.next()? {
        if range.begin < range.end {
            ranges.push(range.begin..range.end);
        }
    }
    Ok(ranges)
}

/// An unsigned constant attribute (sizes, lines, counts).
pub fn udata(die: &Die, name: gimli::DwAt) -> Option<u64> {
    die.attr_value(name).and_then(|v| v.udata_value())
}
