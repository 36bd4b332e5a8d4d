//! Completions in the debug console and watch: the names in scope that
//! continue the identifier before the cursor, or after `value.` and
//! `value->` the members of that value.

use serde_json::{Value, json};
use wasmscope_debugger::session::expr::{self, members_of, members_through};

use super::variables::{context_at, evaluation_frame, symbols};
use crate::message::Request;
use crate::protocol::arguments::CompletionsArguments;
use crate::protocol::types::CompletionItem;
use crate::server::{Session, arguments};

type Reply = Result<Option<Value>, String>;

pub(crate) fn completions(session: &mut Session, request: &Request) -> Reply {
    let args: CompletionsArguments = arguments(request)?;
    let symbols = symbols(session)?;
    let module = symbols.program().map_err(|e| e.to_string())?;
    let before: String = args.text.chars().take(args.column.saturating_sub(1)).collect();
    let prefix = identifier_before(&before);
    let (_, at) = evaluation_frame(session, args.frame_id)?;
    let (mut names, kind) = match receiver_before(&before[..before.len() - prefix.len()]) {
        Some(receiver) => {
            // No members when the receiver cannot be evaluated (a typo, a
            // value optimized out): nothing to offer, not an error.
            let Ok(parsed) = expr::parse(receiver) else { return Ok(Some(json!({ "targets": [] }))) };
            let view = session.view(at.thread)?;
            let value = expr::evaluate(&parsed, &mut context_at(module, view, &at));
            (value.map(|v| members_of(module, &v)).unwrap_or_default(), "field")
        }
        None => {
            let scopes = module.variables_at(at.pc).map_err(|e| e.to_string())?;
            let locals = scopes.get(at.inline).map(|s| s.variables.as_slice()).unwrap_or_default();
            let mut names: Vec<String> = locals.iter().map(|v| v.name.clone()).collect();
            // In a C++ member function, the members `this` reaches.
            if let Some(this) = locals.iter().find(|v| v.name == "this") {
                names.extend(members_through(module, this.ty));
            }
            names.extend(module.globals_at(at.pc).map_err(|e| e.to_string())?.into_iter().map(|v| v.name));
            (names, "variable")
        }
    };
    names.retain(|n| n.starts_with(prefix));
    names.sort();
    names.dedup();
    let targets: Vec<_> = names.into_iter().map(|label| CompletionItem { label, kind }).collect();
    Ok(Some(json!({ "targets": targets })))
}

/// The identifier characters just before the cursor.
fn identifier_before(text: &str) -> &str {
    let start = text.rfind(|c: char| !(c.is_alphanumeric() || c == '_')).map_or(0, |i| i + 1);
    &text[start..]
}

/// The expression before a trailing `.` or `->`: names, members, indexes
/// and parenthesised groups (`a.b[i + 1]->c.`, `(*p).`); None when the text
/// does not end in a member access.
fn receiver_before(text: &str) -> Option<&str> {
    let head = text.strip_suffix("->").or_else(|| text.strip_suffix('.'))?;
    let bytes = head.as_bytes();
    let mut depth = 0usize;
    let mut start = bytes.len();
    while start > 0 {
        let c = bytes[start - 1];
        match c {
            b')' | b']' => depth += 1,
            b'(' | b'[' if depth == 0 => break,
            b'(' | b'[' => depth -= 1,
            _ if depth > 0 => {}
            b'>' if start >= 2 && bytes[start - 2] == b'-' => start -= 1,
            c if c.is_ascii_alphanumeric() || matches!(c, b'_' | b'$' | b'.' | b':') => {}
            _ => break,
        }
        start -= 1;
    }
    let receiver = head[start..].trim();
    (!receiver.is_empty() && depth == 0).then_some(receiver)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_receiver_is_the_postfix_expression_before_the_member_operator() {
        assert_eq!(receiver_before("b."), Some("b"));
        assert_eq!(receiver_before("L->"), Some("L"));
        assert_eq!(receiver_before("x + L->l_G->"), Some("L->l_G"));
        assert_eq!(receiver_before("shapes[i + 1].u."), Some("shapes[i + 1].u"));
        assert_eq!(receiver_before("f((*p).next->"), Some("(*p).next"));
        assert_eq!(receiver_before("a - b."), Some("b"));
        assert_eq!(receiver_before("depth"), None, "no member operator");
        assert_eq!(receiver_before("."), None);
        assert_eq!(receiver_before("x]."), None, "unbalanced");
        assert_eq!(identifier_before("L->l_"), "l_");
        assert_eq!(identifier_before("b."), "");
    }
}
