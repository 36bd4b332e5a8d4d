//! The compilation units of a module, parsed once and addressable by index,
//! so a DIE anywhere can be named by a small copyable [`DieRef`].

use gimli::{AttributeValue, UnitSectionOffset};

use super::dwarf_sections::{Dwarf, DwarfReader};
use super::error::{Result, SymbolsError};

pub type Unit = gimli::Unit<DwarfReader>;
pub type Die = gimli::DebuggingInformationEntry<DwarfReader>;

/// A DIE: its unit's index in [`Units`] and its offset within that unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct DieRef {
    pub unit: usize,
    pub offset: usize,
}

#[derive(Debug)]
pub struct Units {
    units: Vec<Unit>,
}

impl Units {
    pub fn parse(dwarf: &Dwarf, what: &str) -> Result<Self> {
        let err = |e: gimli::Error| SymbolsError::dwarf(what, ".debug_info", e);
        let mut headers = dwarf.units();
        let mut units = Vec::new();
        while let Some(header) = headers.next().map_err(err)? {
            let section = super::dwarf_sections::unit_error_section(dwarf, &header);
            units.push(dwarf.unit(header).map_err(|e| SymbolsError::dwarf(what, section, e))?);
        }
        Ok(Units { units })
    }

    pub fn len(&self) -> usize {
        self.units.len()
    }

    pub fn is_empty(&self) -> bool {
        self.units.is_empty()
    }

    pub fn unit(&self, index: usize) -> &Unit {
        &self.units[index]
    }

    pub fn iter(&self) -> impl Iterator<Item = (usize, &Unit)> {
        self.units.iter().enumerate()
    }

    pub fn die(&self, at: DieRef) -> gimli::Result<Die> {
        self.units[at.unit].entry(gimli::UnitOffset(at.offset))
    }

    /// Resolves a reference attribute (`DW_AT_type`, `DW_AT_abstract_origin`,
    /// …) made from within unit `from`.
    pub fn resolve(&self, from: usize, value: &AttributeValue<DwarfReader>) -> Option<DieRef> {
        match value {
            AttributeValue::UnitRef(offset) => Some(DieRef { unit: from, offset: offset.0 }),
            AttributeValue::DebugInfoRef(offset) => {
                let target = UnitSectionOffset(offset.0);
                // Units are in section order: the last one starting at or
                // before the target holds it.
                let i = self.units.partition_point(|u| u.header.offset() <= target).checked_sub(1)?;
                let unit_offset = offset.to_unit_offset(&self.units[i].header)?;
                Some(DieRef { unit: i, offset: unit_offset.0 })
            }
            _ => None,
        }
    }
}
