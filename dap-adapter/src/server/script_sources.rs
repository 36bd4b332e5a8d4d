//! The host's scripts (a page's JavaScript) shown through `sourceReference`:
//! they are not files the program's DWARF names, so the client asks the
//! target for their text by number.

use std::collections::HashMap;

/// Scripts given a number; past this many, frames name them only.
const MAX_SCRIPTS: usize = 10_000;

#[derive(Debug, Default)]
pub struct ScriptSources {
    scripts: Vec<String>,
    numbers: HashMap<String, i64>,
}

impl ScriptSources {
    /// The `sourceReference` of the host's script `id` (from 1).
    pub fn reference(&mut self, id: &str) -> Option<i64> {
        if let Some(number) = self.numbers.get(id) {
            return Some(*number);
        }
        if self.scripts.len() >= MAX_SCRIPTS {
            return None;
        }
        self.scripts.push(id.to_owned());
        let number = self.scripts.len() as i64;
        self.numbers.insert(id.to_owned(), number);
        Some(number)
    }

    /// The script a `sourceReference` names.
    pub fn script(&self, reference: i64) -> Option<&str> {
        let index = usize::try_from(reference.checked_sub(1)?).ok()?;
        self.scripts.get(index).map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_script_keeps_its_number_and_unknown_numbers_name_nothing() {
        let mut sources = ScriptSources::default();
        assert_eq!(sources.reference("42"), Some(1));
        assert_eq!(sources.reference("7"), Some(2));
        assert_eq!(sources.reference("42"), Some(1));
        assert_eq!(sources.script(2), Some("7"));
        assert_eq!(sources.script(0), None);
        assert_eq!(sources.script(3), None);
        assert_eq!(sources.script(-1), None);
    }
}
