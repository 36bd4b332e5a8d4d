//! Variables in scope at a code offset: per frame of the inlined call chain,
//! the parameters and locals (by lexical block), plus the globals and
//! statics of the unit. Locations are returned unevaluated; a
//! [`LocationEval`](super::LocationEval) turns them into places with the
//! running guest's help.

use gimli::{AttributeValue, Reader as _};

use super::dies::{inherited_attr, inherited_string};
use super::dwarf_sections::{Dwarf, DwarfReader};
use super::location_eval::{EvalError, LocationEval};
use super::units::{Die, DieRef, Units};
use crate::address::CodeOffset;

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VariableKind {
    Parameter,
    Local,
    /// A `static` inside a function: fixed address, function scope.
    Static,
    Global,
}

/// Where a variable's value is at the offset asked about.
#[derive(Clone, Debug)]
pub enum VariableLocation {
    Expression(gimli::Expression<DwarfReader>),
    /// `DW_AT_const_value`: the value itself, little-endian.
    Constant(Vec<u8>),
    /// No location at this offset.
    OptimizedOut,
}

#[derive(Clone, Debug)]
pub struct Variable {
    pub name: String,
    pub ty: Option<DieRef>,
    pub kind: VariableKind,
    pub location: VariableLocation,
    /// Lexical block nesting within its frame (0: the function's own scope).
    pub block_depth: usize,
    pub decl_line: Option<u32>,
    pub die: DieRef,
    encoding: gimli::Encoding,
    /// The location expression, decoded on first use.
    decoded: std::sync::OnceLock<Result<super::location_eval::DecodedOps, EvalError>>,
}

/// The variables of one frame of the inlined chain.
#[derive(Clone, Debug)]
pub struct FrameVariables {
    /// The subprogram or inlined-subroutine DIE of the frame.
    pub scope: DieRef,
    pub variables: Vec<Variable>,
    /// `DW_AT_frame_base` of the enclosing out-of-line function.
    pub frame_base: Option<gimli::Expression<DwarfReader>>,
}

impl Variable {
    /// Starts evaluating this variable's location; `None` when it is a
    /// constant or optimized out.
    pub fn location_eval(
        &self,
        frame_base: Option<&gimli::Expression<DwarfReader>>,
    ) -> Option<Result<LocationEval, EvalError>> {
        match &self.location {
            VariableLocation::Expression(e) => {
                let decoded = self.decoded.get_or_init(|| super::location_eval::decode(e.clone(), self.encoding));
                let ops = match decoded {
                    Ok(ops) => ops.clone(),
                    Err(error) => return Some(Err(error.clone())),
                };
                let frame_base =
                    match frame_base.map(|f| super::location_eval::decode_frame_base(f, self.encoding)).transpose() {
                        Ok(frame_base) => frame_base,
                        Err(error) => return Some(Err(error)),
                    };
                Some(Ok(LocationEval::from_decoded(ops, frame_base)))
            }
            _ => None,
        }
    }
}

/// Frames innermost first, like `frames_at`: the scopes of the out-of-line
/// function `body` that contain `offset`, split at inlined calls.
pub fn frame_variables(
    dwarf: &Dwarf,
    units: &Units,
    body: DieRef,
    offset: CodeOffset,
) -> gimli::Result<Vec<FrameVariables>> {
    let die = units.die(body)?;
    let frame_base = match die.attr_value(gimli::DW_AT_frame_base) {
        Some(AttributeValue::Exprloc(e)) => Some(e),
        _ => None,
    };
    let mut frames = vec![FrameVariables { scope: body, variables: Vec::new(), frame_base: frame_base.clone() }];
    walk(dwarf, units, body, offset, 0, &mut frames, &frame_base)?;
    frames.reverse();
    Ok(frames)
}

fn walk(
    dwarf: &Dwarf,
    units: &Units,
    scope: DieRef,
    offset: CodeOffset,
    depth: usize,
    frames: &mut Vec<FrameVariables>,
    frame_base: &Option<gimli::Expression<DwarfReader>>,
) -> gimli::Result<()> {
    let unit = units.unit(scope.unit);
    let mut tree = unit.entries_tree(Some(gimli::UnitOffset(scope.offset)))?;
    let root = tree.root()?;
    let mut children = root.children();
    while let Some(child) = children.next()? {
        let die = child.entry();
        let at = DieRef { unit: scope.unit, offset: die.offset().0 };
        match die.tag() {
            gimli::DW_TAG_formal_parameter | gimli::DW_TAG_variable => {
                let variable = read_variable(dwarf, units, at, die, offset, depth)?;
                if let (Some(variable), Some(frame)) = (variable, frames.last_mut()) {
                    frame.variables.push(variable);
                }
            }
            gimli::DW_TAG_lexical_block if covers(dwarf, units, at, die, offset)? => {
                walk(dwarf, units, at, offset, depth + 1, frames, frame_base)?;
            }
            gimli::DW_TAG_inlined_subroutine if covers(dwarf, units, at, die, offset)? => {
                frames.push(FrameVariables { scope: at, variables: Vec::new(), frame_base: frame_base.clone() });
                walk(dwarf, units, at, offset, 0, frames, frame_base)?;
            }
            _ => {}
        }
    }
    Ok(())
}

/// A block without ranges covers its whole parent.
fn covers(dwarf: &Dwarf, units: &Units, at: DieRef, die: &Die, offset: CodeOffset) -> gimli::Result<bool> {
    let ranges = super::dies::code_ranges(dwarf, units, at, die)?;
    let has_range_attrs =
        die.attr_value(gimli::DW_AT_low_pc).is_some() || die.attr_value(gimli::DW_AT_ranges).is_some();
    Ok(!has_range_attrs || ranges.iter().any(|r| r.contains(&offset.0)))
}

/// The name shown for a parameter DWARF gives no name.
pub const UNNAMED: &str = "<unnamed>";

fn read_variable(
    dwarf: &Dwarf,
    units: &Units,
    at: DieRef,
    die: &Die,
    offset: CodeOffset,
    depth: usize,
) -> gimli::Result<Option<Variable>> {
    let name = match inherited_string(dwarf, units, at, gimli::DW_AT_name)? {
        Some(name) => name,
        // A parameter without a name (C++'s `void f(int)`, a Rust
        // closure's environment) still holds an argument worth seeing.
        None if die.tag() == gimli::DW_TAG_formal_parameter => UNNAMED.to_owned(),
        None => return Ok(None),
    };
    let unit = units.unit(at.unit);
    let location = location_at(dwarf, unit, die, offset)?;
    if is_dropped_by_the_linker(&location, unit.encoding()) {
        return Ok(None);
    }
    let ty = inherited_attr(units, at, gimli::DW_AT_type)?.and_then(|(owner, v)| units.resolve(owner.unit, &v));
    let kind = match die.tag() {
        gimli::DW_TAG_formal_parameter => VariableKind::Parameter,
        _ if is_fixed_address(&location, unit.encoding()) => VariableKind::Static,
        _ => VariableKind::Local,
    };
    let decl_line =
        inherited_attr(units, at, gimli::DW_AT_decl_line)?.and_then(|(_, v)| v.udata_value()).map(|l| l as u32);
    Ok(Some(Variable {
        name,
        ty,
        kind,
        location,
        block_depth: depth,
        decl_line,
        die: at,
        encoding: unit.encoding(),
        decoded: Default::default(),
    }))
}

fn location_at(
    dwarf: &Dwarf,
    unit: &super::units::Unit,
    die: &Die,
    offset: CodeOffset,
) -> gimli::Result<VariableLocation> {
    if let Some(value) = die.attr_value(gimli::DW_AT_const_value) {
        let bytes = match value {
            AttributeValue::Block(data) => data.to_slice()?.into_owned(),
            other => match other.sdata_value().or_else(|| other.udata_value().map(|u| u as i64)) {
                Some(v) => v.to_le_bytes().to_vec(),
                None => return Ok(VariableLocation::OptimizedOut),
            },
        };
        return Ok(VariableLocation::Constant(bytes));
    }
    let Some(value) = die.attr_value(gimli::DW_AT_location) else {
        return Ok(VariableLocation::OptimizedOut);
    };
    if let AttributeValue::Exprloc(expression) = value {
        return Ok(VariableLocation::Expression(expression));
    }
    if let Some(mut list) = dwarf.attr_locations(unit, value)? {
        while let Some(entry) = list.next()? {
            if (entry.range.begin..entry.range.end).contains(&offset.0) {
                return Ok(VariableLocation::Expression(entry.data));
            }
        }
    }
    Ok(VariableLocation::OptimizedOut)
}

/// `DW_OP_addr` of the linker's tombstone (all ones): wasm-ld's mark for a
/// variable it dropped as unused. No such variable is in the program; read,
/// it would be an error at address 0xffffffff.
fn is_dropped_by_the_linker(location: &VariableLocation, encoding: gimli::Encoding) -> bool {
    let VariableLocation::Expression(expression) = location else {
        return false;
    };
    let tombstone = if encoding.address_size == 8 { u64::MAX } else { u64::from(u32::MAX) };
    matches!(
        expression.clone().operations(encoding).next(),
        Ok(Some(gimli::Operation::Address { address })) if address == tombstone
    )
}

/// `DW_OP_addr N` alone: a variable with a fixed address in memory.
fn is_fixed_address(location: &VariableLocation, encoding: gimli::Encoding) -> bool {
    let VariableLocation::Expression(expression) = location else {
        return false;
    };
    let mut ops = expression.clone().operations(encoding);
    matches!(ops.next(), Ok(Some(gimli::Operation::Address { .. }))) && matches!(ops.next(), Ok(None))
}

/// The variables at unit level of unit `unit`: globals and file statics.
pub fn unit_globals(dwarf: &Dwarf, units: &Units, unit_index: usize) -> gimli::Result<Vec<Variable>> {
    let unit = units.unit(unit_index);
    let mut tree = unit.entries_tree(None)?;
    let root = tree.root()?;
    let mut children = root.children();
    let mut out = Vec::new();
    while let Some(child) = children.next()? {
        let die = child.entry();
        if die.tag() != gimli::DW_TAG_variable || die.attr_value(gimli::DW_AT_location).is_none() {
            continue;
        }
        let at = DieRef { unit: unit_index, offset: die.offset().0 };
        if let Some(mut variable) = read_variable(dwarf, units, at, die, CodeOffset(0), 0)? {
            variable.kind = VariableKind::Global;
            out.push(variable);
        }
    }
    Ok(out)
}
