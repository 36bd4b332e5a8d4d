//! wasmscope Rust test guest (edition 2018; builds with Debian's rustc 1.63).
//!
//!   rust.wasm          normal run, prints a few lines, exits 0
//!   rust.wasm N        same, with recursion depth N
//!   rust.wasm panic    panics (panic=abort on wasm32-wasi: ends in a trap)
//!
//! Lines ending in `// BP: <name>` are breakpoint targets for the tests.
//! Output is deterministic: HashMap contents are printed sorted.

use std::collections::HashMap;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq)]
struct Point {
    x: i32,
    y: i32,
}

#[derive(Debug, Clone, Copy)]
struct Size {
    w: u32,
    h: u32,
}

/// A struct with nested structs.
#[derive(Debug, Clone, Copy)]
struct Frame {
    origin: Point,
    size: Size,
    depth: u8,
}

/// Enum with tuple, struct and unit variants.
#[derive(Debug, Clone)]
enum Shape {
    Circle(Point, u32),
    Rect { origin: Point, w: u32, h: u32 },
    Label(String),
    Empty,
}

impl Shape {
    fn area(&self) -> u64 {
        match self {
            Shape::Circle(_, r) => (314 * u64::from(*r) * u64::from(*r)) / 100, // BP: match_circle
            Shape::Rect { w, h, .. } => u64::from(*w) * u64::from(*h),          // BP: match_rect
            Shape::Label(text) => text.len() as u64,
            Shape::Empty => 0,
        }
    }

    fn anchor(&self) -> Option<Point> {
        match *self {
            Shape::Circle(center, _) => Some(center),
            Shape::Rect { origin, .. } => Some(origin),
            _ => None,
        }
    }
}

/// Trait used through `Box<dyn Describe>`.
trait Describe {
    fn describe(&self) -> String;
    fn weight(&self) -> u32 {
        1
    }
}

struct Named {
    name: String,
    score: u32,
}

struct Counter {
    hits: u32,
}

impl Describe for Named {
    fn describe(&self) -> String {
        format!("{}={}", self.name, self.score) // BP: trait_named
    }
    fn weight(&self) -> u32 {
        self.score
    }
}

impl Describe for Counter {
    fn describe(&self) -> String {
        format!("counter({})", self.hits)
    }
}

impl fmt::Display for Frame {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}x{}@({},{})/{}",
            self.size.w, self.size.h, self.origin.x, self.origin.y, self.depth
        )
    }
}

/// Boxed recursive list.
#[derive(Debug)]
enum List {
    Cons(i32, Box<List>),
    Nil,
}

fn list_sum(list: &List) -> i32 {
    match list {
        List::Cons(v, rest) => v + list_sum(rest), // BP: list_recurse
        List::Nil => 0,
    }
}

fn fib(n: u32) -> u64 {
    if n < 2 {
        return u64::from(n); // BP: fib_base
    }
    fib(n - 1) + fib(n - 2) // BP: fib_recurse
}

/// Small hot helper, inlined at -O2.
#[inline]
fn mix(h: u32, v: u32) -> u32 {
    let x = (h ^ v).wrapping_mul(0x0100_0193); // BP: inline_mix
    x ^ (x >> 13)
}

fn checksum(values: &[u32]) -> u32 {
    let mut h = 2_166_136_261u32;
    for v in values {
        h = mix(h, *v); // BP: loop_body
    }
    h
}

fn parse_depth(arg: Option<&str>) -> Result<u32, String> {
    match arg {
        None => Ok(10),
        Some(text) => {
            let n: u32 = text.parse().map_err(|e| format!("bad depth {:?}: {}", text, e))?;
            if n > 30 {
                Err(format!("depth {} too large", n))
            } else {
                Ok(n) // BP: parse_ok
            }
        }
    }
}

fn find_word<'a>(words: &[&'a str], prefix: &str) -> Option<&'a str> {
    words.iter().copied().find(|w| w.starts_with(prefix))
}

fn word_counts(text: &str) -> HashMap<String, u32> {
    let mut counts = HashMap::new();
    for word in text.split_whitespace() {
        *counts.entry(word.to_string()).or_insert(0) += 1; // BP: hashmap_insert
    }
    counts
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let first: Option<&str> = args.get(1).map(|s| s.as_str());
    if first == Some("panic") {
        let empty: Vec<u32> = Vec::new();
        let index = args.len() + 5;
        panic!("guest panic requested (index {} of {})", index, empty.len()); // BP: before_panic
    }

    // Result and Option.
    let parsed: Result<u32, String> = parse_depth(first);
    let depth = match &parsed {
        Ok(n) => *n,
        Err(message) => {
            println!("warning: {}, using 10", message);
            10
        }
    };
    println!("fib({}) = {}", depth, fib(depth));

    // Structs with nested structs, enums with data.
    let frame = Frame { origin: Point { x: 3, y: -4 }, size: Size { w: 640, h: 480 }, depth: 2 };
    let shapes = vec![
        Shape::Circle(frame.origin, 10),
        Shape::Rect { origin: Point { x: 1, y: 2 }, w: 6, h: 7 },
        Shape::Label(String::from("wasm")),
        Shape::Empty,
    ];
    let total: u64 = shapes.iter().map(|s| s.area()).sum(); // BP: after_struct_init
    let anchors: Vec<Point> = shapes.iter().filter_map(|s| s.anchor()).collect();
    println!(
        "frame {} shapes {} total area {}, last anchor {:?}",
        frame,
        shapes.len(),
        total,
        anchors.last()
    );

    // Vec, slices, the inlined helper.
    let values: Vec<u32> = (0..16u32).map(|i| i * i + depth).collect();
    let middle: &[u32] = &values[4..8];
    println!("checksum {:08x}, middle {:?}", checksum(&values), middle);

    // Closures: one captures by reference, one mutably.
    let factor = 3;
    let scale = |v: i32| v * factor;
    let mut seen = 0u32;
    let mut record = |s: &Shape| {
        seen += 1; // BP: closure_body
        s.area()
    };
    let recorded: u64 = shapes.iter().map(|s| record(s)).sum();
    println!("closures: scale(14) = {}, recorded {} from {} shapes", scale(14), recorded, seen);

    // Trait objects and Box.
    let items: Vec<Box<dyn Describe>> = vec![
        Box::new(Named { name: "alpha".to_string(), score: 7 }),
        Box::new(Counter { hits: 2 }),
        Box::new(Named { name: String::from("beta"), score: 5 }),
    ];
    let described: Vec<String> = items.iter().map(|d| d.describe()).collect();
    let weight: u32 = items.iter().map(|d| d.weight()).sum();
    let list = List::Cons(1, Box::new(List::Cons(2, Box::new(List::Cons(3, Box::new(List::Nil))))));
    println!("traits: [{}] weight {}, list sum {}", described.join(", "), weight, list_sum(&list));

    // &str, String, HashMap.
    let text = "the quick wasm jumps over the lazy wasm module the end";
    let counts = word_counts(text);
    let mut keys: Vec<&String> = counts.keys().collect();
    keys.sort();
    let mut summary = String::new();
    for key in keys {
        if counts[key] > 1 {
            summary.push_str(&format!("{}:{} ", key, counts[key]));
        }
    }
    let words: Vec<&str> = text.split(' ').collect();
    let found = find_word(&words, "la").unwrap_or("-");
    println!("strings: {} distinct, repeated {}, found {}", counts.len(), summary.trim_end(), found);
    let tag = Tag::Link { url: String::from("https://wasm.example/spec"), title: 7 };
    let frame = Frame { origin: Point { x: -5, y: 7 }, size: Size { w: 20, h: 10 }, depth: 4 };
    unsafe { std::ptr::write_volatile(&mut TAG_SINK, tag_cost(tag, frame, args.len() as u32 + 1)) };
} // BP: main_end

/// An enum and a struct passed by value: rustc passes them by pointer, and
/// their DWARF location is a Wasm local holding the address, without
/// `DW_OP_stack_value`.
// Only `Link` is built; the others give the enum its shape.
#[allow(dead_code)]
#[derive(Debug, Clone)]
enum Tag {
    Heading(u32, String),
    Link { url: String, title: u32 },
    Rule,
}

static mut TAG_SINK: u32 = 0;

#[inline(never)]
fn tag_cost(tag: Tag, frame: Frame, scale: u32) -> u32 {
    let base = match &tag { // BP: byval_aggregate
        Tag::Heading(level, text) => level + text.len() as u32,
        Tag::Link { url, title } => url.len() as u32 * title,
        Tag::Rule => 1,
    };
    let cost = base * scale + frame.size.w * frame.size.h + u32::from(frame.depth);
    cost
}
