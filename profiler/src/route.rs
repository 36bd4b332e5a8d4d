//! The route of a request, which a live profile roots its stacks at: the
//! method and the path, with identifiers collapsed (`GET /work/17` and
//! `GET /work/90` are both `GET /work/:id`), or the first of the user's own
//! patterns that matches (`/users/:name/posts`). Routes are few by design:
//! a table hands out at most `MAX_ROUTES`, the rest share one name.

use std::collections::HashMap;

/// Distinct routes one profile tells apart.
pub const MAX_ROUTES: usize = 256;
/// The route of requests beyond `MAX_ROUTES`.
pub const OTHER_ROUTES: &str = "(other routes)";
/// Longest path kept in a route name (longer ones are cut).
const MAX_PATH: usize = 200;

/// The user's route patterns: `[METHOD ]/seg/:name/*/…`, where `:name` and
/// `*` match one segment and a final `**` the rest of the path.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RoutePatterns(Vec<Pattern>);

#[derive(Clone, Debug, PartialEq, Eq)]
struct Pattern {
    method: Option<String>,
    path: String,
    segments: Vec<Segment>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Segment {
    Literal(String),
    One,
    Rest,
}

impl RoutePatterns {
    /// Parses the patterns, first match wins.
    pub fn parse(patterns: &[String]) -> Result<Self, String> {
        patterns.iter().map(|text| Pattern::parse(text)).collect::<Result<_, _>>().map(RoutePatterns)
    }

    /// The route of a request for `path` (its query, if any, is ignored).
    pub fn route(&self, method: &str, path: &str) -> String {
        let path = path.split(['?', '#']).next().unwrap_or_default();
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        if let Some(pattern) = self.0.iter().find(|p| p.matches(method, &segments)) {
            return format!("{method} {}", pattern.path);
        }
        let collapsed: Vec<&str> = segments.iter().map(|s| if is_identifier(s) { ":id" } else { s }).collect();
        format!("{method} {}", printable_path(&format!("/{}", collapsed.join("/"))))
    }
}

impl Pattern {
    fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let (method, path) = match text.split_once(' ') {
            Some((method, path)) => (Some(method.to_ascii_uppercase()), path.trim()),
            None => (None, text),
        };
        if !path.starts_with('/') {
            return Err(format!("route pattern `{text}`: the path must start with `/` (e.g. `/users/:id`)"));
        }
        if method.as_deref().is_some_and(|m| m.is_empty() || !m.bytes().all(|b| b.is_ascii_alphabetic())) {
            return Err(format!("route pattern `{text}`: `METHOD /path`, with a method such as GET"));
        }
        let parts: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let mut segments = Vec::new();
        for (i, part) in parts.iter().enumerate() {
            segments.push(match *part {
                "**" if i + 1 == parts.len() => Segment::Rest,
                "**" => return Err(format!("route pattern `{text}`: `**` may only end a pattern")),
                "*" => Segment::One,
                name if name.starts_with(':') && name.len() > 1 => Segment::One,
                literal => Segment::Literal(literal.to_owned()),
            });
        }
        Ok(Pattern { method, path: printable_path(path), segments })
    }

    fn matches(&self, method: &str, segments: &[&str]) -> bool {
        if self.method.as_deref().is_some_and(|m| !m.eq_ignore_ascii_case(method)) {
            return false;
        }
        let mut rest = segments;
        for segment in &self.segments {
            match segment {
                Segment::Rest => return true,
                Segment::One if !rest.is_empty() => rest = &rest[1..],
                Segment::Literal(literal) if rest.first() == Some(&literal.as_str()) => rest = &rest[1..],
                _ => return false,
            }
        }
        rest.is_empty()
    }
}

/// A path segment that names one thing among many: a number, a long hex
/// string (a hash, an object id) or a UUID.
fn is_identifier(segment: &str) -> bool {
    let digits = |s: &str, hex: bool| {
        !s.is_empty() && s.bytes().all(|b| if hex { b.is_ascii_hexdigit() } else { b.is_ascii_digit() })
    };
    if digits(segment, false) || (segment.len() >= 8 && digits(segment, true)) {
        return true;
    }
    let groups: Vec<&str> = segment.split('-').collect();
    groups.len() == 5 && groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12]) && groups.iter().all(|g| digits(g, true))
}

/// A path as a route name shows it: no control characters, bounded.
fn printable_path(path: &str) -> String {
    let mut out: String = path.chars().map(|c| if c.is_control() { '?' } else { c }).collect();
    if out.len() > MAX_PATH {
        let cut = (0..=MAX_PATH).rev().find(|&i| out.is_char_boundary(i)).unwrap_or(0);
        out.truncate(cut);
        out.push('…');
    }
    out
}

/// Route names to small ids, at most `MAX_ROUTES` of them; id 0 is
/// `OTHER_ROUTES`.
#[derive(Debug)]
pub struct RouteTable {
    ids: HashMap<String, u32>,
    names: Vec<String>,
}

impl Default for RouteTable {
    fn default() -> Self {
        RouteTable { ids: HashMap::new(), names: vec![OTHER_ROUTES.to_owned()] }
    }
}

impl RouteTable {
    /// The id of `route`, given a new one while there is room.
    pub fn id(&mut self, route: &str) -> u32 {
        if let Some(&id) = self.ids.get(route) {
            return id;
        }
        if self.names.len() > MAX_ROUTES {
            return 0;
        }
        let id = self.names.len() as u32;
        self.names.push(route.to_owned());
        self.ids.insert(route.to_owned(), id);
        id
    }

    pub fn name(&self, id: u32) -> &str {
        self.names.get(id as usize).map_or(OTHER_ROUTES, String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_collapse_and_words_stay() {
        let routes = RoutePatterns::default();
        assert_eq!(routes.route("GET", "/work/17"), "GET /work/:id");
        assert_eq!(routes.route("GET", "/work/90?x=1"), "GET /work/:id");
        assert_eq!(routes.route("GET", "/hello/alice"), "GET /hello/alice");
        assert_eq!(routes.route("GET", "/blob/0123abcd4567ef89"), "GET /blob/:id");
        assert_eq!(routes.route("GET", "/cafe"), "GET /cafe");
        assert_eq!(routes.route("DELETE", "/u/123e4567-e89b-12d3-a456-426614174000/x"), "DELETE /u/:id/x");
        assert_eq!(routes.route("GET", "/"), "GET /");
        assert_eq!(routes.route("GET", "/a\u{7}b"), "GET /a?b");
        assert!(routes.route("GET", &format!("/{}", "x".repeat(500))).ends_with('…'));
    }

    #[test]
    fn the_first_matching_pattern_names_the_route() {
        let routes = RoutePatterns::parse(&[
            "POST /hello/:name".into(),
            "/hello/:name".into(),
            "/static/**".into(),
            "/a/*/c".into(),
        ])
        .unwrap();
        assert_eq!(routes.route("GET", "/hello/alice"), "GET /hello/:name");
        assert_eq!(routes.route("POST", "/hello/bob"), "POST /hello/:name");
        assert_eq!(routes.route("GET", "/static/css/site.css"), "GET /static/**");
        assert_eq!(routes.route("GET", "/a/b/c"), "GET /a/*/c");
        assert_eq!(routes.route("GET", "/a/b/d"), "GET /a/b/d");
        assert_eq!(routes.route("GET", "/hello/alice/more"), "GET /hello/alice/more");
        assert!(RoutePatterns::parse(&["hello".into()]).unwrap_err().contains("must start with `/`"));
        assert!(RoutePatterns::parse(&["/a/**/b".into()]).unwrap_err().contains("`**`"));
        assert!(RoutePatterns::parse(&["G3T /a".into()]).is_err());
    }

    #[test]
    fn the_table_holds_a_bounded_number_of_routes() {
        let mut table = RouteTable::default();
        let first = table.id("GET /a");
        assert_eq!(table.id("GET /a"), first);
        assert_eq!(table.name(first), "GET /a");
        for i in 0..MAX_ROUTES * 2 {
            table.id(&format!("GET /r{i}"));
        }
        assert_eq!(table.id("GET /late"), 0);
        assert_eq!(table.name(0), OTHER_ROUTES);
        assert_eq!(table.names.len(), MAX_ROUTES + 1);
    }
}
