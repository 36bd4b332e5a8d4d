//! Expressions evaluated against the live C guest: members, arrays,
//! pointers, arithmetic, casts, globals; errors are values. Expected results
//! come from the guest's source (its initializers).

#![allow(clippy::unwrap_used)]

use wasmscope_debugger::session::expr::{EvalContext, evaluate, parse};
use wasmscope_debugger::symbols::{LoadOptions, WasmSymbols, bind_line};
use wasmscope_debugger::target::{Resume, TargetView};
use wasmscope_runtime::{Debuggee, DebuggeeEvent, GuestConfig, StopReason};
use wasmscope_test_support::{guest, marker, repo_root};

struct Stopped {
    symbols: WasmSymbols,
    debuggee: Debuggee,
}

impl Stopped {
    fn at(bp: &str, hit: usize) -> Self {
        let symbols = WasmSymbols::load(&guest("c-O0"), &LoadOptions::default()).unwrap();
        let module = symbols.module(0).unwrap();
        let line = marker(&repo_root().join("tests/guests/c/main.c"), bp);
        let offset = bind_line(module, "main.c", line, &[]).unwrap().unwrap().offsets[0];
        let config = GuestConfig { program: guest("c-O0"), quiet: true, ..Default::default() };
        let debuggee = Debuggee::launch(&config, vec![module.module().code.unwrap().to_module(offset)]);
        for i in 0..hit {
            assert_eq!(debuggee.wait(), DebuggeeEvent::Stopped(StopReason::Breakpoint));
            if i + 1 < hit {
                debuggee.resume(Resume::Continue).unwrap();
            }
        }
        Stopped { symbols, debuggee }
    }

    /// Evaluates in the innermost frame; the shown value or the error.
    fn eval(&mut self, text: &str) -> Result<String, String> {
        self.eval_typed(text).map(|(value, _)| value)
    }

    /// The shown value and its type name.
    fn eval_typed(&mut self, text: &str) -> Result<(String, String), String> {
        let module = self.symbols.module(0).unwrap();
        let frames = TargetView::frames(&mut self.debuggee).unwrap();
        let pc = module.module().code.unwrap().to_code(frames[0].offset).unwrap();
        let expr = parse(text).map_err(|e| e.to_string())?;
        let mut context = EvalContext { symbols: module, view: &mut self.debuggee, frame: 0, pc, inline_frame: 0 };
        evaluate(&expr, &mut context).map(|v| (v.display(module), v.type_name(module)))
    }
}

#[test]
fn members_arrays_pointers_and_arithmetic() {
    let mut s = Stopped::at("after_struct_init", 1);
    // Shape shapes[3] = {{SHAPE_CIRCLE, "circle", ...}, {SHAPE_RECT, "rect", {.rect = {{1, 2}, 6, 7}}}, ...}
    assert_eq!(s.eval("shapes[1].kind").unwrap(), "SHAPE_RECT");
    assert_eq!(s.eval("shapes[2].name").unwrap(), "\"triangle\"");
    assert_eq!(s.eval("shapes[1].u.rect.width * shapes[1].u.rect.height").unwrap(), "42");
    assert_eq!(s.eval("shapes[1].u.rect.origin.y - shapes[1].u.rect.origin.x").unwrap(), "1");
    assert_eq!(s.eval("depth * 2 + 1").unwrap(), "21");
    assert_eq!(s.eval("depth > 5 && argc == 1").unwrap(), "1");
    assert_eq!(s.eval("(char) 321").unwrap(), "65");
    assert_eq!(s.eval("3.0 / 2").unwrap(), "1.5");
    assert_eq!(s.eval("'A' + 1").unwrap(), "66");
    // The global struct Config g_config = {"wasmscope C guest", 1, {7, -3}, {10, 100, 1000}}.
    assert_eq!(s.eval("g_config.limits[2]").unwrap(), "1000");
    assert_eq!(s.eval("g_config.anchor.y").unwrap(), "-3");
    assert_eq!(s.eval("*g_config.title").unwrap(), "119 'w'");
    assert_eq!(s.eval("g_config.title[10]").unwrap(), "67 'C'");
    // Pointers made by the expression (the marked line, which sets
    // `biggest`, has not run yet).
    assert_eq!(s.eval("(&shapes[0])->name").unwrap(), "\"circle\"");
    assert_eq!(s.eval("(*&shapes[0]).u.circle.radius").unwrap(), "10");
    assert_eq!(s.eval("&shapes[1] == &shapes[0] + 1").unwrap(), "1");
    assert_eq!(s.eval("(&shapes[0] + 2)->kind").unwrap(), "SHAPE_TRIANGLE");
    assert_eq!(s.eval("(2 + &shapes[0])->kind").unwrap(), "SHAPE_TRIANGLE");
    // A difference of pointers counts elements, as C's ptrdiff_t (`long`).
    assert_eq!(s.eval_typed("&shapes[2] - &shapes[0]").unwrap(), ("2".to_owned(), "int".to_owned()));
    assert_eq!(s.eval("&shapes[0] - &shapes[2]").unwrap(), "-2");
    assert_eq!(s.eval("&g_config.title[10] - g_config.title").unwrap(), "10");
    assert!(s.eval("&shapes[1] - g_config.title").unwrap_err().contains("different sizes"));
    // Floats print their shortest digits, in exponent form when long.
    assert_eq!(s.eval("1.5e300").unwrap(), "1.5e300");
    assert_eq!(s.eval("2.5E-3 * 2").unwrap(), "0.005");
    assert_eq!(s.eval("1e-300 / 1e20").unwrap(), "1e-320");
    assert!(s.eval("*argv[0]").unwrap().ends_with("'c'"), "argv[0] is the program name, c-O0.wasm");
}

#[test]
fn a_linked_list_walks_through_pointers() {
    // struct Node n1 = {10, &n2}, n2 = {20, &n3}, n3 = {30, NULL}; list_sum(&n1)
    let mut s = Stopped::at("list_walk", 1);
    assert_eq!(s.eval("p->value").unwrap(), "10");
    assert_eq!(s.eval("p->next->value").unwrap(), "20");
    assert_eq!(s.eval("p->next->next->value + head->value").unwrap(), "40");
    assert_eq!(s.eval("p->next->next->next").unwrap(), "0x00000000");
    assert_eq!(s.eval("p->next->next->next->value").unwrap_err(), "null pointer");
}

#[test]
fn errors_are_values_that_say_what_went_wrong() {
    let mut s = Stopped::at("after_struct_init", 1);
    assert_eq!(s.eval("nosuch").unwrap_err(), "no variable `nosuch` in scope");
    assert!(s.eval("shapes[3]").unwrap_err().contains("out of bounds"));
    assert!(s.eval("depth.x").unwrap_err().contains("has no member `x`"));
    assert!(s.eval("*depth").unwrap_err().contains("is not a pointer"));
    assert_eq!(s.eval("depth / 0").unwrap_err(), "division by zero");
    assert!(s.eval("depth +").unwrap_err().contains("column"));
}

#[test]
fn integer_arithmetic_follows_c_promotions_and_conversions() {
    // `depth` is an int holding 10 at this point of main (its initializer).
    let mut s = Stopped::at("after_struct_init", 1);
    let typed = |s: &mut Stopped, text: &str| s.eval_typed(text).unwrap();
    assert_eq!(typed(&mut s, "depth - 11"), ("-1".into(), "int".into()));
    assert_eq!(
        typed(&mut s, "(unsigned) depth - 11"),
        ("4294967295".into(), "unsigned int".into()),
        "wraps at 32 bits"
    );
    assert_eq!(typed(&mut s, "(long long) depth - 11"), ("-1".into(), "long long".into()));
    assert_eq!(typed(&mut s, "(unsigned) depth ^ (unsigned) 3"), ("9".into(), "unsigned int".into()));
    assert_eq!(typed(&mut s, "(unsigned char) 300 + 0"), ("44".into(), "int".into()), "promoted to int");
    assert_eq!(typed(&mut s, "-1 < (unsigned) 0"), ("0".into(), "int".into()), "-1 converts to UINT_MAX");
    assert_eq!(typed(&mut s, "-1 < (long long) 0"), ("1".into(), "int".into()));
    assert_eq!(typed(&mut s, "2147483647 + depth - 9"), ("-2147483648".into(), "int".into()), "int wraps");
    assert_eq!(typed(&mut s, "1 << 31"), ("-2147483648".into(), "int".into()));
    assert_eq!(typed(&mut s, "3000000000"), ("3000000000".into(), "long long".into()));
    assert_eq!(s.eval("1 << 32").unwrap_err(), "shift count out of range");
    assert_eq!(typed(&mut s, "-7 / 2"), ("-3".into(), "int".into()), "division truncates toward zero");
    assert_eq!(typed(&mut s, "-7 % 2"), ("-1".into(), "int".into()));
}
