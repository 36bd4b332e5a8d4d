//! Matching a path the user has (an editor's absolute path, or `main.c`)
//! against the paths the compiler recorded, which were written on another
//! machine, under another root, maybe remapped. We compare trailing path
//! components: the file whose recorded path shares the longest tail with the
//! request wins, after the user's own prefix mappings are applied.

/// A user mapping: recorded paths starting with `from` live at `to` locally.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathMapping {
    pub from: String,
    pub to: String,
}

/// Applies the first mapping whose prefix matches on a component boundary.
pub fn map_path(recorded: &str, mappings: &[PathMapping]) -> String {
    mappings.iter().find_map(|m| apply(m, recorded)).unwrap_or_else(|| recorded.to_owned())
}

/// What `recorded` becomes under each mapping that applies, in order.
pub fn mapped_paths(recorded: &str, mappings: &[PathMapping]) -> Vec<String> {
    mappings.iter().filter_map(|m| apply(m, recorded)).collect()
}

fn apply(mapping: &PathMapping, recorded: &str) -> Option<String> {
    let from = mapping.from.trim_end_matches(['/', '\\']);
    let rest = recorded.strip_prefix(from)?;
    (rest.is_empty() || rest.starts_with(['/', '\\']))
        .then(|| format!("{}{rest}", mapping.to.trim_end_matches(['/', '\\'])))
}

/// The mapping that a client's path for a recorded one implies: what
/// precedes the components both end with (`/src/lua/x.c` opened as
/// `/home/me/lua/src/lua/x.c` gives `` → `/home/me/lua`, the root's
/// prefix being empty). None when their file names differ, when either is
/// relative or not plain (`.`, `..`, `\\`), or when nothing differs.
pub fn implied_mapping(recorded: &str, client: &str) -> Option<PathMapping> {
    let plain = |p: &str| p.starts_with('/') && !p.contains('\\') && !p.split('/').any(|c| c == "." || c == "..");
    if !plain(recorded) || !plain(client) {
        return None;
    }
    let tail = shared_tail(recorded, client);
    if tail == 0 {
        return None;
    }
    let prefix = |p: &'_ str| {
        let parts: Vec<&str> = p.split('/').filter(|c| !c.is_empty()).collect();
        parts[..parts.len() - tail].iter().map(|c| format!("/{c}")).collect::<String>()
    };
    let (from, to) = (prefix(recorded), prefix(client));
    (from != to).then_some(PathMapping { from, to })
}

fn components(path: &str) -> Vec<&str> {
    path.split(['/', '\\']).filter(|c| !c.is_empty() && *c != ".").collect()
}

/// How many trailing components two paths share (0 when the file names
/// differ).
pub fn shared_tail(a: &str, b: &str) -> usize {
    let (a, b) = (components(a), components(b));
    a.iter().rev().zip(b.iter().rev()).take_while(|(x, y)| x == y).count()
}

/// Indices of the recorded paths that best match `wanted`: all that share
/// the longest tail, or none when not even the file name matches.
pub fn best_matches(wanted: &str, recorded: &[String], mappings: &[PathMapping]) -> Vec<usize> {
    let mut best = 0;
    let mut winners = Vec::new();
    for (i, path) in recorded.iter().enumerate() {
        let score = shared_tail(wanted, &map_path(path, mappings));
        if score == 0 || score < best {
            continue;
        }
        if score > best {
            best = score;
            winners.clear();
        }
        winners.push(i);
    }
    winners
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_different_root_matches_on_the_longest_tail() {
        let recorded = paths(&["/wasmscope/tests/a/main.c", "/wasmscope/tests/b/main.c", "/x/util.c"]);
        assert_eq!(best_matches("/home/me/src/tests/b/main.c", &recorded, &[]), vec![1]);
        assert_eq!(best_matches("main.c", &recorded, &[]), vec![0, 1], "ambiguous name binds both");
        assert!(best_matches("other.c", &recorded, &[]).is_empty());
    }

    #[test]
    fn a_clients_path_for_a_recorded_one_implies_a_mapping_of_their_roots() {
        let implied = implied_mapping("/src/lua/ltablib.c", "/tmp/probe/src/lua/ltablib.c").unwrap();
        assert_eq!(implied, PathMapping { from: "".into(), to: "/tmp/probe".into() });
        assert_eq!(
            mapped_paths("/src/lua/lvm.c", std::slice::from_ref(&implied)),
            vec!["/tmp/probe/src/lua/lvm.c".to_owned()]
        );
        assert!(mapped_paths("libc-top-half/x.c", &[implied]).is_empty(), "relative paths are not rooted");
        let implied = implied_mapping("/build/app/src/main.c", "/home/me/app/src/main.c").unwrap();
        assert_eq!(implied, PathMapping { from: "/build".into(), to: "/home/me".into() });
        assert_eq!(implied_mapping("/a/x.c", "/a/x.c"), None, "the same path");
        assert_eq!(implied_mapping("/a/x.c", "/a/y.c"), None, "another file");
        assert_eq!(implied_mapping("src/x.c", "/home/src/x.c"), None, "a relative recorded path");
        assert_eq!(implied_mapping("/a/./x.c", "/b/x.c"), None);
    }

    #[test]
    fn mappings_rewrite_prefixes_on_component_boundaries_only() {
        let mappings = [PathMapping { from: "/build".into(), to: "/home/me/proj".into() }];
        assert_eq!(map_path("/build/src/x.c", &mappings), "/home/me/proj/src/x.c");
        assert_eq!(map_path("/buildings/x.c", &mappings), "/buildings/x.c");
    }

    #[test]
    fn windows_separators_and_dot_components_are_tolerated() {
        assert_eq!(shared_tail(r"C:\work\src\x.c", "/b/./src/x.c"), 2);
    }
}
