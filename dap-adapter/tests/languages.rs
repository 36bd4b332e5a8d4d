//! Stepping and values in C++ and Rust through the DAP server (the C guest
//! is covered by sessions.rs): recursion, step into a callee and out again,
//! C++ strings and vectors.

#![allow(clippy::unwrap_used, clippy::needless_pass_by_value)]

mod client;

use client::{Client, launch_args, marker_line, source_path, start};
use serde_json::{Value, json};

/// Launches `guest`, stops at the first hit of `marker` in `file` and
/// clears the breakpoint.
fn stopped_at(guest: &str, file: &str, marker: &str) -> Client {
    stopped_at_with_args(guest, json!([]), file, marker)
}

/// A session that launched `guest` with `args`, before `configurationDone`.
fn launched(guest: &str, args: Value) -> Client {
    let mut client = Client::in_process();
    let mut launch = launch_args(guest);
    launch["args"] = args;
    start(&mut client, launch);
    client
}

/// [`stopped_at`], with program arguments.
fn stopped_at_with_args(guest: &str, args: Value, file: &str, marker: &str) -> Client {
    let mut client = launched(guest, args);
    let line = marker_line(file, marker);
    let set = client.request(
        "setBreakpoints",
        json!({ "source": { "path": source_path(file) }, "breakpoints": [{ "line": line }] }),
    );
    assert_eq!(set["breakpoints"][0]["verified"], true, "{guest} {file}:{line}: {set}");
    client.request("configurationDone", json!({}));
    assert_eq!(client.event("stopped")["body"]["reason"], "breakpoint", "{guest}: {marker}");
    client.request("setBreakpoints", json!({ "source": { "path": source_path(file) }, "breakpoints": [] }));
    client
}

fn stack(client: &mut Client) -> Vec<Value> {
    client.request("stackTrace", json!({ "threadId": 1 }))["stackFrames"].as_array().unwrap().clone()
}

fn step(client: &mut Client, command: &str) -> Vec<Value> {
    client.request(command, json!({ "threadId": 1 }));
    assert_eq!(client.event("stopped")["body"]["reason"], "step", "{command}");
    stack(client)
}

/// The reference of `frame`'s Locals scope (its first).
fn locals_of(client: &mut Client, frame: &Value) -> Value {
    let scopes = client.request("scopes", json!({ "frameId": frame["id"] }));
    scopes["scopes"][0]["variablesReference"].clone()
}

fn local(client: &mut Client, frame: &Value, name: &str) -> String {
    let reference = locals_of(client, frame);
    let variables = client.request("variables", json!({ "variablesReference": reference }));
    let found = variables["variables"].as_array().unwrap().iter().find(|v| v["name"] == name).cloned();
    found.unwrap_or_else(|| panic!("no {name} in {variables}"))["value"].as_str().unwrap().to_owned()
}

/// Into the recursive call and out again, checking the parameter at each
/// level, then over it: the frame count is back where it was.
fn recursion(guest: &str, file: &str, function: &str) {
    let mut client = stopped_at(guest, file, "factorial_recurse");
    let before = stack(&mut client);
    assert!(before[0]["name"].as_str().unwrap().contains(function), "{}", before[0]);
    let n: i64 = local(&mut client, &before[0], "n").parse().unwrap();
    let inside = step(&mut client, "stepIn");
    assert_eq!(inside.len(), before.len() + 1, "{guest}: one call deeper");
    assert_eq!(local(&mut client, &inside[0], "n"), (n - 1).to_string());
    let back = step(&mut client, "stepOut");
    assert_eq!(back.len(), before.len(), "{guest}: back in the caller");
    assert_eq!(back[0]["line"], marker_line(file, "factorial_recurse"));
    let over = step(&mut client, "next");
    assert!(over.len() <= before.len(), "{guest}: `next` never goes deeper");
    client.finish();
}

#[test]
fn cpp_recursion_steps_in_out_and_over() {
    recursion("cpp-O0", "cpp/main.cpp", "factorial");
}

#[test]
fn rust_recursion_steps_in_out_and_over() {
    // Rust's guest recurses in fib; factorial is C and C++ only.
    let mut client = stopped_at("rust-O0", "rust/main.rs", "fib_recurse");
    let before = stack(&mut client);
    assert!(before[0]["name"].as_str().unwrap().ends_with("fib"), "{}", before[0]);
    let n: u64 = local(&mut client, &before[0], "n").parse().unwrap();
    let inside = step(&mut client, "stepIn");
    assert_eq!(inside.len(), before.len() + 1, "one call deeper");
    assert_eq!(local(&mut client, &inside[0], "n"), (n - 1).to_string());
    let back = step(&mut client, "stepOut");
    assert_eq!(back.len(), before.len());
    assert_eq!(back[0]["line"], marker_line("rust/main.rs", "fib_recurse"));
    client.finish();
}

#[test]
fn cpp_values_show_classes_strings_and_vectors() {
    let mut client = stopped_at("cpp-O0", "cpp/main.cpp", "after_vectors_init");
    let frames = stack(&mut client);
    let scopes = client.request("scopes", json!({ "frameId": frames[0]["id"] }));
    let variables =
        client.request("variables", json!({ "variablesReference": scopes["scopes"][0]["variablesReference"] }));
    let shown: Vec<String> = variables["variables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| format!("{} = {}", v["name"].as_str().unwrap(), v["value"].as_str().unwrap()))
        .collect();
    let all = shown.join("\n");
    assert!(all.contains("(len "), "a std::vector shows its length and elements:\n{all}");
    assert!(all.contains('"'), "a std::string shows its text:\n{all}");
    // `points` holds Point(i, 2 * i + 1) for i in 0..5: indexed as an array.
    assert_eq!(evaluate_in(&mut client, &frames[0], "points[3].y_"), Ok("7".to_owned()));
    assert_eq!(evaluate_in(&mut client, &frames[0], "points.size()"), Ok("5".to_owned()));
    assert_eq!(evaluate_in(&mut client, &frames[0], "points[4].x_ * 10 + points[0].y_"), Ok("41".to_owned()));
    assert_eq!(
        evaluate_in(&mut client, &frames[0], "points[5]"),
        Err("index 5 is out of bounds (length 5)".to_owned())
    );
    client.finish();
}

/// At -O2 `checksum`'s first instruction is already its inlined helper's;
/// stepping out of the helper, an inlined frame with no return address of
/// its own, stops at the first instruction past the helper's code.
fn step_out_of_an_inlined_frame(guest: &str, helper: &str) {
    let mut client = Client::in_process();
    start(&mut client, launch_args(guest));
    client.request("setFunctionBreakpoints", json!({ "breakpoints": [{ "name": "checksum" }] }));
    client.request("configurationDone", json!({}));
    assert_eq!(client.event("stopped")["body"]["reason"], "breakpoint");
    client.request("setFunctionBreakpoints", json!({ "breakpoints": [] }));
    let before = stack(&mut client);
    assert!(
        before[0]["name"].as_str().unwrap().contains(helper)
            && before[0]["name"].as_str().unwrap().contains("[inlined]"),
        "{guest}: {}",
        before[0]
    );
    let after = step(&mut client, "stepOut");
    assert!(!after[0]["name"].as_str().unwrap().contains(helper), "{guest}: still in {helper}: {}", after[0]);
    let physical =
        |frames: &[Value]| frames.iter().filter(|f| !f["name"].as_str().unwrap().contains("[inlined]")).count();
    assert_eq!(physical(&after), physical(&before), "{guest}: the same physical frame");
    client.finish();
}

#[test]
fn c_o2_step_out_of_an_inlined_helper() {
    step_out_of_an_inlined_frame("c-O2", "mix32");
}

#[test]
fn rust_o2_step_out_of_an_inlined_helper() {
    step_out_of_an_inlined_frame("rust-O2", "mix");
}

#[test]
fn a_function_breakpoint_stops_in_the_function_not_in_what_it_inlined() {
    // At -O2, heavy_work's first instruction after its prologue belongs to
    // the inlined `mix`; the breakpoint goes to heavy_work's own first
    // statement instead.
    let mut client = Client::in_process();
    start(&mut client, launch_args("hotspots-O2"));
    client.request("setFunctionBreakpoints", json!({ "breakpoints": [{ "name": "heavy_work" }] }));
    client.request("configurationDone", json!({}));
    assert_eq!(client.event("stopped")["body"]["reason"], "breakpoint");
    let frames = stack(&mut client);
    assert_eq!(frames[0]["name"], "heavy_work", "{}", frames[0]);
    client.finish();
}

/// The variables under `reference`, as (name, value, type, reference).
fn children(client: &mut Client, reference: &Value) -> Vec<(String, String, String, Value)> {
    let variables = client.request("variables", json!({ "variablesReference": reference }));
    variables["variables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["name"].as_str().unwrap().to_owned(),
                v["value"].as_str().unwrap().to_owned(),
                v["type"].as_str().unwrap_or("").to_owned(),
                v["variablesReference"].clone(),
            )
        })
        .collect()
}

/// The child named `name` of `reference`.
fn child(client: &mut Client, reference: &Value, name: &str) -> (String, String, Value) {
    let found = children(client, reference).into_iter().find(|c| c.0 == name);
    let (_, value, ty, reference) = found.unwrap_or_else(|| panic!("no child {name}"));
    (value, ty, reference)
}

#[test]
fn rust_reaches_fields_through_references_with_a_dot() {
    // In `fn describe(&self)`, `self` is a `&Named`: `self.score` as Rust
    // writes it, the same as `self->score` and `(*self).score`.
    let mut client = stopped_at("rust-O0", "rust/main.rs", "trait_named");
    let frame = stack(&mut client)[0]["id"].clone();
    let evaluate = |client: &mut Client, expression: &str| {
        client.request("evaluate", json!({ "expression": expression, "frameId": frame, "context": "watch" }))["result"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let dotted = evaluate(&mut client, "self.score");
    assert!(dotted.parse::<u32>().is_ok(), "{dotted}");
    assert_eq!(dotted, evaluate(&mut client, "self->score"));
    assert_eq!(dotted, evaluate(&mut client, "(*self).score"));
    assert_eq!(evaluate(&mut client, "self.name"), "\"alpha\"");
    client.finish();
}

#[test]
fn logpoints_show_values_as_evaluate_does() {
    // One formatter: a Rust `String` reads as text in a logpoint as in
    // evaluate, and a condition reads through `self` with `.`.
    let mut client = launched("rust-O0", json!([]));
    let line = marker_line("rust/main.rs", "trait_named");
    client.request(
        "setBreakpoints",
        json!({ "source": { "path": source_path("rust/main.rs") }, "breakpoints": [
            { "line": line, "logMessage": "named {self.name} scores {self.score}", "condition": "self.score == 7" }
        ] }),
    );
    client.request("configurationDone", json!({}));
    client.event("exited");
    let console = client.output("console");
    assert!(console.contains("named \"alpha\" scores 7"), "{console}");
    assert!(!console.contains("condition failed"), "{console}");
    client.finish();
}

#[test]
fn a_rust_box_shows_its_type_and_opens_to_its_target() {
    // main builds `Cons(1, Box::new(Cons(2, Box::new(Cons(3, …)))))` and
    // passes it to list_sum: follow the boxes two levels down.
    let mut client = stopped_at("rust-O0", "rust/main.rs", "list_recurse");
    let frames = stack(&mut client);
    let locals = locals_of(&mut client, &frames[0]);
    let (_, ty, list) = child(&mut client, &locals, "list");
    assert_eq!(ty, "&rust_guest::List");
    let (value, _, target) = child(&mut client, &list, "*list");
    assert!(value.starts_with("Cons(1, 0x"), "{value}");
    let (_, _, cons) = child(&mut client, &target, "Cons");
    let (boxed, ty, inner) = child(&mut client, &cons, "__1");
    assert_eq!(ty, "alloc::boxed::Box<rust_guest::List>", "a Box is named as Rust names it");
    assert!(boxed.starts_with("0x"), "a Box shows its pointer: {boxed}");
    let opened = children(&mut client, &inner);
    assert_eq!(opened.len(), 1, "a Box opens to its target: {opened:?}");
    assert!(opened[0].1.starts_with("Cons(2, 0x"), "{opened:?}");
    let (_, _, second) = child(&mut client, &opened[0].3, "Cons");
    assert_eq!(child(&mut client, &second, "__0").0, "2");
    client.finish();
}

#[test]
fn at_o2_step_over_passes_an_inlined_call_and_step_in_enters_it() {
    // inline-O2: `scramble` is inlined into `caller`, between two lines of
    // the caller that have code of their own; the call's own line has none.
    let file = "inline/main.c";
    let helper_lines = marker_line(file, "scramble_first")..=marker_line(file, "scramble_last");
    let mut client = stopped_at("inline-O2", file, "before_inlined_call");
    let over = step(&mut client, "next");
    assert_eq!(over[0]["name"], "caller", "{}", over[0]);
    assert_eq!(over[0]["line"], marker_line(file, "after_inlined_call"), "a step over passes the inlined body");
    client.finish();

    let mut client = stopped_at("inline-O2", file, "before_inlined_call");
    let before = stack(&mut client);
    let inside = step(&mut client, "stepIn");
    assert_eq!(inside[0]["name"], "scramble [inlined]", "step in enters the inlined function: {}", inside[0]);
    let line = inside[0]["line"].as_u64().unwrap() as u32;
    assert!(helper_lines.contains(&line), "stopped at line {line} of scramble");
    assert_eq!(inside.len(), before.len() + 1, "one inlined frame more, no physical call");
    assert_eq!(inside[1]["name"], "caller");
    client.finish();
}

#[test]
fn cpp_o2_a_virtual_method_shows_its_object_and_inlined_caller_and_steps_out_of_both() {
    // cpp-O2: total_area (inlined into main) calls Circle::area through the
    // base class; the first shape is a circle of radius 10 (main.cpp).
    let mut client = stopped_at("cpp-O2", "cpp/geometry.cpp", "circle_area");
    let frames = stack(&mut client);
    assert!(frames[0]["name"].as_str().unwrap().starts_with("wasmscope::geo::Circle::area()"), "{}", frames[0]);
    assert_eq!(frames[0]["line"], marker_line("cpp/geometry.cpp", "circle_area"));
    let caller = frames[1]["name"].as_str().unwrap();
    assert!(caller.contains("total_area") && caller.ends_with("[inlined]"), "{caller}");
    assert_eq!(frames[1]["line"], marker_line("cpp/main.cpp", "virtual_call"));
    assert_eq!(frames[2]["name"], "main");

    let locals = locals_of(&mut client, &frames[0]);
    let (_, _, this) = child(&mut client, &locals, "this");
    let object = children(&mut client, &this);
    let members = children(&mut client, &object[0].3);
    let names: Vec<&str> = members.iter().map(|m| m.0.as_str()).collect();
    assert!(names.contains(&"wasmscope::geo::Shape") || names.contains(&"Shape"), "the base class is shown: {names:?}");
    assert_eq!(child(&mut client, &object[0].3, "radius_").0, "10");

    let out = step(&mut client, "stepOut");
    assert_eq!(out.len(), frames.len() - 1, "out of the physical call");
    assert!(out[0]["name"].as_str().unwrap().contains("total_area"), "{}", out[0]);
    assert_eq!(out[0]["line"], marker_line("cpp/main.cpp", "virtual_call"));
    let out = step(&mut client, "stepOut");
    assert_eq!(out[0]["name"], "main", "out of the inlined total_area: {}", out[0]);
    client.finish();
}

#[test]
fn rust_o2_recursion_steps_in_and_out() {
    let mut client = stopped_at("rust-O2", "rust/main.rs", "fib_recurse");
    let before = stack(&mut client);
    assert_eq!(before[0]["name"], "rust_guest::fib");
    let inside = step(&mut client, "stepIn");
    assert_eq!(inside.len(), before.len() + 1, "one call deeper");
    assert_eq!(inside[0]["name"], "rust_guest::fib");
    // The first hit is fib(10)'s; the callee is fib(9). (In the caller `n`
    // is optimized out by then, and says so.)
    assert_eq!(local(&mut client, &inside[0], "n"), "9");
    let back = step(&mut client, "stepOut");
    assert_eq!(back.len(), before.len());
    assert_eq!(back[0]["line"], marker_line("rust/main.rs", "fib_recurse"));
    client.finish();
}

/// Launches `guest` with `args` and the `trap` exception filter; returns
/// the client stopped on the trap, and the stop's description.
fn stopped_on_trap(guest: &str, args: Value) -> (Client, String) {
    let mut client = launched(guest, args);
    client.request("setExceptionBreakpoints", json!({ "filters": ["trap"] }));
    client.request("configurationDone", json!({}));
    let stopped = client.event("stopped");
    assert_eq!(stopped["body"]["reason"], "exception", "{guest}: {stopped}");
    let description = stopped["body"]["description"].as_str().unwrap().to_owned();
    (client, description)
}

#[test]
fn cpp_and_rust_traps_stop_where_they_happen() {
    // C++: `__builtin_trap()` alone in an `if`; the stop is at its line
    // (a plain run reports the `if`'s, where Cranelift folded the trap).
    let (mut client, description) = stopped_on_trap("cpp-O0", json!(["trap-unreachable"]));
    assert!(description.contains("unreachable"), "{description}");
    let frames = stack(&mut client);
    assert_eq!(frames[0]["name"], "main");
    assert_eq!(frames[0]["line"], marker_line("cpp/main.cpp", "trap_unreachable"));
    client.request("continue", json!({ "threadId": 1 }));
    assert_ne!(client.event("exited")["body"]["exitCode"], 0);
    client.finish();

    // Rust: a panic aborts through `unreachable`; the user's frame is on
    // the stack at the panic! line, below the panic machinery.
    let (mut client, description) = stopped_on_trap("rust-O0", json!(["panic"]));
    assert!(description.contains("unreachable"), "{description}");
    let frames = stack(&mut client);
    let user = frames.iter().find(|f| f["name"] == "rust_guest::main").expect("rust_guest::main on the stack");
    assert_eq!(user["line"], marker_line("rust/main.rs", "before_panic"));
    assert!(client.output("stderr").contains("guest panic requested"), "the panic message was streamed first");
    client.finish();
}

/// (value, type) of the local `name` of the top frame.
fn typed_local(client: &mut Client, name: &str) -> (String, String) {
    let frames = stack(client);
    let locals = locals_of(client, &frames[0]);
    let (value, ty, _) = child(client, &locals, name);
    (value, ty)
}

#[test]
fn rust_values_option_result_str_slices_and_strings_inside_enums() {
    // With the argument "99", parse_depth fails (depth 99 too large) and
    // main falls back to depth 10 (rust/main.rs).
    let mut client = stopped_at_with_args("rust-O0", json!(["99"]), "rust/main.rs", "after_struct_init");
    assert_eq!(typed_local(&mut client, "first"), ("Some(\"99\")".into(), "Option<&str>".into()));
    assert_eq!(
        typed_local(&mut client, "parsed"),
        ("Err(\"depth 99 too large\")".into(), "Result<u32, alloc::string::String>".into())
    );
    assert_eq!(typed_local(&mut client, "depth").0, "10");
    let (shapes, _) = typed_local(&mut client, "shapes");
    assert!(shapes.contains("Label(\"wasm\")"), "a String inside an enum variant shows its text: {shapes}");

    let end = marker_line("rust/main.rs", "main_end");
    client.request(
        "setBreakpoints",
        json!({ "source": { "path": source_path("rust/main.rs") }, "breakpoints": [{ "line": end }] }),
    );
    client.request("continue", json!({ "threadId": 1 }));
    assert_eq!(client.event("stopped")["body"]["reason"], "breakpoint");
    // values[i] = i * i + depth; middle = values[4..8].
    assert_eq!(typed_local(&mut client, "middle"), ("(len 4) [26, 35, 46, 59]".into(), "&[u32]".into()));
    let (text, ty) = typed_local(&mut client, "text");
    assert_eq!((text.as_str(), ty.as_str()), ("\"the quick wasm jumps over the lazy wasm module the end\"", "&str"));
    // A string compares with a literal (conditions on text), and has a length.
    let sentence = "the quick wasm jumps over the lazy wasm module the end";
    assert_eq!(evaluate_top(&mut client, &format!("text == \"{sentence}\"")), "1");
    assert_eq!(evaluate_top(&mut client, "text == \"the quick\" || \"the end\" == text"), "0");
    assert_eq!(evaluate_top(&mut client, "text.len()"), sentence.len().to_string());
    client.finish();
}

#[test]
fn c_strings_compare_with_a_literal_up_to_their_nul() {
    // main.c: g_config.title is "wasmscope C guest" (a char *), g_last_label
    // "none"; shapes[1].name is the char array "rect".
    let mut client = stopped_at("c-O0", "c/main.c", "after_struct_init");
    let frames = stack(&mut client);
    let top = &frames[0];
    assert_eq!(evaluate_in(&mut client, top, "g_config.title == \"wasmscope C guest\""), Ok("1".to_owned()));
    assert_eq!(evaluate_in(&mut client, top, "g_config.title == \"wasmscope C\""), Ok("0".to_owned()));
    assert_eq!(evaluate_in(&mut client, top, "g_last_label != \"none\""), Ok("0".to_owned()));
    assert_eq!(evaluate_in(&mut client, top, "shapes[1].name == \"rect\""), Ok("1".to_owned()));
    assert_eq!(evaluate_in(&mut client, top, "depth == \"10\""), Err("`int` is not a string".to_owned()));
    let alone = evaluate_in(&mut client, top, "\"rect\"").unwrap_err();
    assert!(alone.contains("can only be compared"), "{alone}");
    client.finish();
}

#[test]
fn cpp_a_class_with_two_bases_opens_to_each_base_and_follows_a_base_pointer() {
    // Widget("knob", 3, Point(4, 5)) derives from Labeled and Counted;
    // `counted` points at its Counted part. `bump(2)` makes the count 5.
    let mut client = stopped_at("cpp-O0", "cpp/main.cpp", "multiple_bases");
    let frames = stack(&mut client);
    let locals = locals_of(&mut client, &frames[0]);
    let (_, ty, widget) = child(&mut client, &locals, "widget");
    assert!(ty.ends_with("Widget"), "{ty}");
    let members = children(&mut client, &widget);
    let base = |suffix: &str| {
        members
            .iter()
            .find(|m| m.0.ends_with(suffix))
            .unwrap_or_else(|| panic!("no base {suffix}: {members:?}"))
            .3
            .clone()
    };
    let (labeled, counted_base) = (base("Labeled"), base("Counted"));
    assert_eq!(child(&mut client, &labeled, "label_").0, "\"knob\"");
    assert_eq!(child(&mut client, &counted_base, "count_").0, "3");
    let (_, _, where_) = child(&mut client, &widget, "where_");
    assert_eq!((child(&mut client, &where_, "x_").0, child(&mut client, &where_, "y_").0), ("4".into(), "5".into()));

    let (_, _, counted) = child(&mut client, &locals, "counted");
    let target = children(&mut client, &counted);
    assert_eq!(child(&mut client, &target[0].3, "count_").0, "3", "the pointer reaches the Counted base");
    let after = step(&mut client, "next");
    let locals = locals_of(&mut client, &after[0]);
    let (_, _, counted) = child(&mut client, &locals, "counted");
    let target = children(&mut client, &counted);
    assert_eq!(child(&mut client, &target[0].3, "count_").0, "5", "after bump(2)");
    client.finish();
}

/// Evaluates `expression` in the top frame.
/// `expression` evaluated in `frame`: its result, or the error message.
fn evaluate_in(client: &mut Client, frame: &Value, expression: &str) -> Result<String, String> {
    let seq = client.send("evaluate", json!({ "expression": expression, "frameId": frame["id"], "context": "watch" }));
    let answer = client.response(seq);
    if answer["success"] == true {
        Ok(answer["body"]["result"].as_str().unwrap().to_owned())
    } else {
        Err(answer["message"].as_str().unwrap_or_default().to_owned())
    }
}

fn evaluate_top(client: &mut Client, expression: &str) -> String {
    let frames = stack(client);
    let answer =
        client.request("evaluate", json!({ "expression": expression, "frameId": frames[0]["id"], "context": "watch" }));
    answer["result"].as_str().unwrap().to_owned()
}

/// A guest, its source file, and expressions with the values they must show.
type ByValueCase = (&'static str, &'static str, &'static [(&'static str, &'static str)]);

/// Aggregates passed by value are described by a Wasm local that holds
/// their address (no `DW_OP_stack_value`): their members are read from
/// memory there, and they have an address. The expected values are the
/// guests' own source (tests/guests/*/byvalue.*, rust/main.rs `tag_cost`).
#[test]
fn aggregates_passed_by_value_are_read_through_the_address_in_their_local() {
    let cases: [ByValueCase; 4] = [
        (
            "c-O0",
            "c/byvalue.c",
            &[("span.to.y", "6"), ("span.weight", "3"), ("bounds.origin.x", "-5"), ("bounds.height", "10")],
        ),
        (
            "cpp-O0",
            "cpp/byvalue.cpp",
            &[("segment.to.x_", "4"), ("segment.weight", "3"), ("tag.id", "42"), ("tag.name", "\"diagonal\"")],
        ),
        ("rust-O0", "rust/main.rs", &[("frame.size.w", "20"), ("frame.origin.x", "-5"), ("frame.depth", "4")]),
        ("rust-O2", "rust/main.rs", &[("frame.size.h", "10"), ("frame.origin.y", "7"), ("frame.depth", "4")]),
    ];
    for (guest, file, expected) in cases {
        let mut client = stopped_at(guest, file, "byval_aggregate");
        for (expression, value) in expected {
            assert_eq!(evaluate_top(&mut client, expression), *value, "{guest}: {expression}");
        }
        let first = expected[0].0.split('.').next().unwrap();
        let address = evaluate_top(&mut client, &format!("&{first}"));
        assert!(address.starts_with("0x"), "{guest}: &{first} is an address, not {address}");
        if guest.starts_with("rust") {
            let tag = evaluate_top(&mut client, "tag");
            assert!(tag.starts_with("Link") && tag.contains("\"https://wasm.example/spec\""), "{guest}: {tag}");
        }
        if guest.starts_with("c-") {
            assert!(evaluate_top(&mut client, "span.label").ends_with("\"diagonal\""), "{guest}");
        }
        client.finish();
    }
}

/// Every frame of a stop lists its variables: a failing `variables`
/// request leaves the client's Variables view empty. Rust's frames inlined
/// into `lang_start_internal` once failed with an arithmetic overflow.
#[test]
fn every_frame_of_a_stop_lists_its_variables() {
    for (guest, file, marker) in [
        ("rust-O0", "rust/main.rs", "fib_base"),
        ("rust-O2", "rust/main.rs", "match_circle"),
        ("cpp-O0", "cpp/main.cpp", "loop_body"),
        ("c-O2", "c/main.c", "list_walk"),
    ] {
        let mut client = stopped_at(guest, file, marker);
        for frame in stack(&mut client) {
            let scopes = client.request("scopes", json!({ "frameId": frame["id"] }));
            for scope in scopes["scopes"].as_array().unwrap() {
                let reference = &scope["variablesReference"];
                let seq = client.send("variables", json!({ "variablesReference": reference }));
                let answer = client.response(seq);
                assert_eq!(
                    answer["success"], true,
                    "{guest} {marker}: frame {} scope {}: {answer}",
                    frame["name"], scope["name"]
                );
            }
        }
        client.finish();
    }
}

/// At -O2 a value's DWARF may give only some of its bytes (`DW_OP_piece`):
/// the members it gives show their values, the others "optimized out",
/// never the zeros that stand in for them.
#[test]
fn values_with_holes_show_the_members_the_dwarf_gives() {
    let mut client = stopped_at("c-O2", "c/byvalue.c", "byval_aggregate");
    let frames = stack(&mut client);
    let main = frames.iter().find(|f| f["name"] == "main").unwrap().clone();
    // main.c: struct Node n1 = {10, &n2}; the DWARF gives `value` only.
    assert_eq!(local(&mut client, &main, "n1"), "{value = 10, next = <optimized out>}");
    let reference = locals_of(&mut client, &main);
    let variables = client.request("variables", json!({ "variablesReference": reference }));
    let n1 = variables["variables"].as_array().unwrap().iter().find(|v| v["name"] == "n1").unwrap().clone();
    let members = client.request("variables", json!({ "variablesReference": n1["variablesReference"] }));
    let shown: Vec<(String, String)> = members["variables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["name"].as_str().unwrap().to_owned(), v["value"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(shown, [("value".to_owned(), "10".to_owned()), ("next".to_owned(), "<optimized out>".to_owned())]);
    // Expressions use the members the DWARF gives; a number from unknown
    // bytes is an error that says so, never the zeros standing in for them.
    let mut evaluate = |expression: &str| evaluate_in(&mut client, &main, expression);
    assert_eq!(evaluate("n1"), Ok("{value = 10, next = <optimized out>}".to_owned()));
    assert_eq!(evaluate("n1.value"), Ok("10".to_owned()));
    assert_eq!(evaluate("n1.value * 3 + 1"), Ok("31".to_owned()));
    assert_eq!(
        evaluate("&n1.value == 0"),
        Err("the value has no address (it lives in a Wasm local or was computed)".to_owned())
    );
    let next = evaluate("n1.next").unwrap_err();
    assert!(next.contains("optimized out"), "{next}");
    let next_value = evaluate("n1.next->value").unwrap_err();
    assert!(next_value.contains("optimized out"), "{next_value}");
    client.finish();

    // Rust: main's `tag` (Tag::Link { url: "https://wasm.example/spec", title: 7 })
    // after it was moved: its length, capacity and title are known.
    let mut client = stopped_at("rust-O2", "rust/main.rs", "byval_aggregate");
    let frames = stack(&mut client);
    let main = frames.iter().find(|f| f["name"] == "rust_guest::main").unwrap().clone();
    let tag = local(&mut client, &main, "tag");
    assert!(tag.contains("len = 25") && tag.contains("title = 7") && tag.contains("<optimized out>"), "{tag}");
    client.finish();
}

#[test]
fn a_rust_vec_and_slice_open_to_their_elements_and_their_members_under_raw() {
    // At main_end, `values` is (0..16).map(|i| i * i + depth) with depth 10
    // (no argument), and `middle` is &values[4..8] (rust/main.rs).
    let mut client = stopped_at("rust-O0", "rust/main.rs", "main_end");
    let frames = stack(&mut client);
    let locals = locals_of(&mut client, &frames[0]);
    let expected: Vec<String> = (0..16u32).map(|i| (i * i + 10).to_string()).collect();
    let (_, _, values) = child(&mut client, &locals, "values");
    let opened = children(&mut client, &values);
    let elements: Vec<(String, String)> =
        opened.iter().filter(|c| c.0.starts_with('[') && c.0 != "[raw]").map(|c| (c.0.clone(), c.1.clone())).collect();
    let want: Vec<(String, String)> = expected.iter().enumerate().map(|(i, v)| (format!("[{i}]"), v.clone())).collect();
    assert_eq!(elements, want);
    assert!(opened.iter().all(|c| c.0 == "[raw]" || c.2 == "u32"), "{opened:?}");
    // Its members, as the type has them: the length among them.
    let (_, _, raw) = child(&mut client, &values, "[raw]");
    let members = children(&mut client, &raw);
    let len = members.iter().find(|c| c.0 == "len").unwrap_or_else(|| panic!("no len in {members:?}"));
    assert_eq!(len.1, "16");
    assert!(members.iter().any(|c| c.0 == "buf"), "{members:?}");
    // The slice: values[4..8].
    let (_, _, middle) = child(&mut client, &locals, "middle");
    let slice: Vec<String> =
        children(&mut client, &middle).into_iter().filter(|c| c.0 != "[raw]").map(|c| c.1).collect();
    assert_eq!(slice, expected[4..8].to_vec());
    // Expressions index them as the view opens them, bounds checked.
    let top = &frames[0];
    assert_eq!(evaluate_in(&mut client, top, "values[3]"), Ok(expected[3].clone()));
    assert_eq!(evaluate_in(&mut client, top, "middle[1] * 2"), Ok((2 * (5 * 5 + 10)).to_string()));
    assert_eq!(evaluate_in(&mut client, top, "values[16]"), Err("index 16 is out of bounds (length 16)".to_owned()));
    assert_eq!(evaluate_in(&mut client, top, "middle[4]"), Err("index 4 is out of bounds (length 4)".to_owned()));
    // `len()` and `is_empty()` are answered from the value; nothing else runs.
    assert_eq!(evaluate_in(&mut client, top, "values.len()"), Ok("16".to_owned()));
    assert_eq!(evaluate_in(&mut client, top, "middle.len() * 2 + middle.is_empty()"), Ok("8".to_owned()));
    let push = evaluate_in(&mut client, top, "values.pop()").unwrap_err();
    assert!(push.starts_with("`pop()` cannot be called"), "{push}");
    client.finish();
}

/// Steps out of `main` and over its end go on through callers that have no
/// line (std's closures, libc's start code at -O2) to one that has: a stop
/// always shows source.
#[test]
fn steps_past_main_stop_only_where_there_is_a_line() {
    let has_a_line = |frame: &Value| frame["source"]["path"].is_string() && frame["line"].as_u64() > Some(0);
    let mut client = stopped_at("rust-O2", "rust/main.rs", "main_end");
    for _ in 0..3 {
        let frames = step(&mut client, "next");
        assert!(has_a_line(&frames[0]), "{}", frames[0]);
    }
    client.finish();
    let mut client = stopped_at("cpp-O2", "cpp/main.cpp", "main_end");
    let frames = step(&mut client, "stepOut");
    assert!(has_a_line(&frames[0]), "{}", frames[0]);
    assert_ne!(frames[0]["name"], "main");
    client.finish();
}
