//! Code offset → source frames, innermost first: the heart of symbolization.

use super::names::{FunctionName, Language};

/// Where a frame's function name came from. The fallbacks matter to users:
/// a name-section name has no source location, a synthetic one not even a name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NameOrigin {
    Dwarf,
    NameSection,
    Synthetic,
}

/// A source position. `line` and `column` are 0 when unknown, as in DWARF.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct SourceLocation {
    pub file: Option<String>,
    pub line: u32,
    pub column: u32,
}

/// One frame of the (possibly inlined) call chain at a code offset.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct SourceFrame {
    pub function: Option<FunctionName>,
    pub name_origin: NameOrigin,
    pub location: Option<SourceLocation>,
    /// True for a frame that exists only in the source: its code was inlined
    /// into the frame after it.
    pub inlined: bool,
}

pub(crate) fn frames_from_dwarf(
    context: &addr2line::Context<super::dwarf_sections::DwarfReader>,
    address: u64,
) -> Result<Vec<SourceFrame>, gimli::Error> {
    let mut iter = context.find_frames(address).skip_all_loads()?;
    let mut frames = Vec::new();
    while let Some(frame) = iter.next()? {
        let function = match frame.function {
            Some(name) => Some(FunctionName::new(
                super::printable::printable(&name.raw_name()?).into_owned(),
                name.language.map(Language::from_dwarf),
            )),
            None => None,
        };
        let location = frame.location.map(|l| SourceLocation {
            file: l.file.map(|f| super::printable::printable(super::url_paths::unjoined(f)).into_owned()),
            line: l.line.unwrap_or(0),
            column: l.column.unwrap_or(0),
        });
        frames.push(SourceFrame { function, name_origin: NameOrigin::Dwarf, location, inlined: true });
    }
    if let Some(outermost) = frames.last_mut() {
        outermost.inlined = false;
    }
    Ok(frames)
}
