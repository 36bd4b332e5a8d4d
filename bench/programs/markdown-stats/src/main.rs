//! Renders a Markdown page to HTML and prints the tags it used, as JSON.

#[cfg(feature = "regex")]
use regex::Regex;
#[cfg(not(feature = "regex"))]
use regex_lite::Regex;

/// How many times the page repeats its text: 3 in the edited copy that
/// bench/programs/build-markdown-stats.sh builds, so that only `page`'s code
/// changes (an integer, no new data that would move the rest).
const REPEAT: usize = if option_env!("MARKDOWN_STATS_EDITED").is_some() { 3 } else { 2 };

fn page() -> String {
    "# Title\n\nSome *text* with `code` and a [link](http://example.com).\n\n".repeat(REPEAT)
}

fn main() {
    let text = page(); // BP: first_stop
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, pulldown_cmark::Parser::new(&text));
    let tag = Regex::new(r"<(\w+)>").unwrap();
    let tags: Vec<String> = tag.captures_iter(&html).map(|c| c[1].to_string()).collect();
    println!("{}", serde_json::to_string(&tags).unwrap());
    #[cfg(feature = "syntax")]
    println!("{}", regex_syntax::ast::parse::Parser::new().parse(r"<(\w+)>").is_ok());
    #[cfg(feature = "url")]
    for link in Regex::new(r#"href="([^"]+)""#).unwrap().captures_iter(&html) {
        println!("{}", url::Url::parse(&link[1]).map_or_else(|e| e.to_string(), |url| url.to_string()));
    }
}
