//! Source-level stepping on the C guest, with the stepping policy running
//! in the runtime's event handler: over (recursion included), into, out.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use wasmscope_debugger::address::ModuleOffset;
use wasmscope_debugger::session::stepping::{StepKind, Stepper};
use wasmscope_debugger::symbols::{LoadOptions, WasmSymbols, bind_line};
use wasmscope_debugger::target::TargetView;
use wasmscope_runtime::{Debuggee, DebuggeeEvent, GuestConfig, StopReason};
use wasmscope_test_support::{guest, marker, repo_root};

fn main_c() -> std::path::PathBuf {
    repo_root().join("tests/guests/c/main.c")
}

struct Session {
    symbols: Arc<WasmSymbols>,
    debuggee: Debuggee,
}

impl Session {
    /// Launches c-O0 stopped at the marker `name`, with no breakpoints left.
    fn stopped_at(name: &str) -> Self {
        Self::stopped_at_line("c-O0", marker(&main_c(), name))
    }

    /// Launches guest `program` (a module or a component) stopped at `line`
    /// of main.c.
    fn stopped_at_line(program: &str, line: u32) -> Self {
        let symbols = Arc::new(WasmSymbols::load(&guest(program), &LoadOptions::default()).unwrap());
        let module = symbols.program().unwrap();
        let offset = bind_line(module, "main.c", line, &[]).unwrap().unwrap().offsets[0];
        let config = GuestConfig {
            program: guest(program),
            quiet: true,
            core_module: symbols.program_index(),
            ..Default::default()
        };
        let debuggee = Debuggee::launch(&config, vec![module.module().code.unwrap().to_module(offset)]);
        assert_eq!(debuggee.wait(), DebuggeeEvent::Stopped(StopReason::Breakpoint));
        debuggee.set_breakpoints(Vec::new()).unwrap();
        Session { symbols, debuggee }
    }

    /// (function, line, physical depth) of the current stop.
    fn position(&mut self) -> (String, u32, usize) {
        let frames = TargetView::frames(&mut self.debuggee).unwrap();
        let module = self.symbols.program().unwrap();
        let code = module.module().code.unwrap().to_code(frames[0].offset).unwrap();
        let source = module.frames_at(code).unwrap();
        let name = source[0].function.as_ref().unwrap().raw.clone();
        (name, source[0].location.as_ref().unwrap().line, frames.len())
    }

    fn step(&mut self, kind: StepKind) {
        let stepper = Stepper::new(self.symbols.clone(), kind, &mut self.debuggee, Vec::<ModuleOffset>::new()).unwrap();
        let first = stepper.first_resume();
        self.debuggee.resume_with(Box::new(stepper), first).unwrap();
        assert_eq!(self.debuggee.wait(), DebuggeeEvent::Stopped(StopReason::Breakpoint), "{kind:?} stops");
    }
}

#[test]
fn step_over_goes_to_the_next_line_of_the_same_function() {
    let mut session = Session::stopped_at("after_struct_init");
    let (function, line, depth) = session.position();
    session.step(StepKind::Over);
    assert_eq!(session.position(), (function, line + 1, depth));
}

#[test]
fn step_over_a_recursive_call_stays_in_the_same_frame() {
    let mut session = Session::stopped_at("factorial_recurse");
    let (_, line, depth) = session.position();
    session.step(StepKind::Over);
    let (function, after, new_depth) = session.position();
    assert_eq!(function, "factorial");
    assert_eq!(new_depth, depth, "the recursion ran without stopping");
    assert!(after > line, "stopped after the line ({after})");
}

#[test]
fn step_into_enters_the_callee_after_its_prologue_and_step_out_returns() {
    let mut session = Session::stopped_at("factorial_recurse");
    let (_, line, depth) = session.position();
    session.step(StepKind::Into);
    let (function, first_line, inner_depth) = session.position();
    assert_eq!(function, "factorial");
    assert_eq!(inner_depth, depth + 1);
    // The first statement of the body: the line after the signature.
    let text = std::fs::read_to_string(main_c()).unwrap();
    let signature = text.lines().position(|l| l.starts_with("static long factorial(int n)")).unwrap() as u32 + 1;
    assert_eq!(first_line, signature + 1);
    session.step(StepKind::Out);
    assert_eq!(session.position(), ("factorial".to_owned(), line, depth), "back at the call, one level up");
}

/// The line of main.c that contains `text` (one line only).
fn line_with(text: &str) -> u32 {
    let source = std::fs::read_to_string(main_c()).unwrap();
    let found: Vec<usize> = source.lines().enumerate().filter(|(_, l)| l.contains(text)).map(|(i, _)| i + 1).collect();
    assert_eq!(found.len(), 1, "{text} is on one line");
    found[0] as u32
}

#[test]
fn step_over_a_call_that_ends_its_line_stops_at_the_next_line() {
    // `reverse_in_place(word);` ends with its call; the next line's code
    // begins at the call's return address.
    let call_line = line_with("reverse_in_place(word);");
    let mut session = Session::stopped_at_line("c-O0", call_line);
    let (function, _, depth) = session.position();
    session.step(StepKind::Over);
    assert_eq!(session.position(), (function, call_line + 1, depth));
}

#[test]
fn stepping_past_a_return_stops_in_the_caller_on_the_calling_line() {
    let mut session = Session::stopped_at("factorial_base");
    let (_, _, depth) = session.position();
    let recurse = marker(&main_c(), "factorial_recurse");
    // Over `return 1;` and the closing brace: back in factorial(2), on the
    // line of its call (the multiplication is still to do).
    loop {
        session.step(StepKind::Over);
        let (function, line, now) = session.position();
        if now < depth {
            assert_eq!((function.as_str(), line, now), ("factorial", recurse, depth - 1));
            break;
        }
        assert_eq!(now, depth, "no deeper than the frame being stepped");
    }
}

#[test]
fn a_component_steps_exactly_like_the_module_it_wraps() {
    // The same program as a preview2 component: the adapter's frames sit
    // below `_start`, and stepping over, into and out (through return-address
    // breakpoints in the program's core module) stops where it does in the
    // module alone.
    let line = marker(&main_c(), "factorial_recurse");
    let steps = [StepKind::Into, StepKind::Over, StepKind::Out, StepKind::Out, StepKind::Over, StepKind::Over];
    let trace = |program: &str| {
        let mut session = Session::stopped_at_line(program, line);
        let mut positions = vec![session.position()];
        for kind in steps {
            session.step(kind);
            positions.push(session.position());
        }
        positions
    };
    let module = trace("c-O0");
    let component = trace("c-O0-component");
    let adapter_frames = component[0].2 - module[0].2;
    assert!(adapter_frames > 0, "the component's stack has the adapter's frames too");
    let shifted: Vec<_> = component.into_iter().map(|(f, l, depth)| (f, l, depth - adapter_frames)).collect();
    assert_eq!(shifted, module);
}
