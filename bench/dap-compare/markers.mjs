// The programs and breakpoints of check.mjs, and what it knows about LLDB's
// side of them: KNOWN_LLDB_DIFFERENCES (where LLDB 22 is wrong and wasmscope
// right, each checked to differ exactly as recorded) and RUN_DEPENDENT
// (values that differ between any two runs of the program).
//
// Programs: target/guests/<name>.wasm, built by tests/guests/build.sh from
// the sources in `src` (DWARF paths /wasmscope/tests/guests/..., mapped to the
// checkout by both adapters' source maps).
export const PROGRAMS = {
  'c-O0': { src: 'tests/guests/c' },
  'c-O2': { src: 'tests/guests/c' },
  'cpp-O0': { src: 'tests/guests/cpp' },
  'cpp-O2': { src: 'tests/guests/cpp' },
  'rust-O0': { src: 'tests/guests/rust' },
  'rust-O2': { src: 'tests/guests/rust' },
};

// The breakpoints: the line carrying `// BP: <marker>` in `file`, read at its
// first hit. Markers whose line has no line-table row at -O2 (the breakpoint
// moves to another line, or the code is folded away and never runs) are not
// used at -O2: c after_struct_init and fnptr_call (move to the next line),
// cpp multiple_bases (no row for main.cpp:72; the adapters bind it to
// different lines), cpp factorial_recurse and rust match_rect (folded: the
// program ends without a hit), rust fib_base (no row of its own in fib; the
// adapters bind it to different places). rust parse_ok only runs with an
// argument.
export const MARKERS = [
  // C -O0 --------------------------------------------------------------
  // recursion: the first hit is the outermost call, factorial(10), under
  // main, whose later locals are not initialized yet (memory as it is).
  { program: 'c-O0', marker: 'factorial_recurse', file: 'main.c' },
  // the end of the recursion: 10 factorial frames, each with its own n
  // (LLDB gets the 9 callers wrong: KNOWN_LLDB_DIFFERENCES).
  { program: 'c-O0', marker: 'factorial_base', file: 'main.c' },
  // structs with a nested union and char arrays, enums, pointer to struct.
  { program: 'c-O0', marker: 'after_struct_init', file: 'main.c' },
  // a callee in another translation unit, reached through a function
  // pointer table (shape_area -> circle_area), pointer-to-struct argument.
  { program: 'c-O0', marker: 'circle_area', file: 'shapes.c' },
  // function pointers in an array of structs, the loop counter.
  { program: 'c-O0', marker: 'fnptr_call', file: 'main.c' },
  // linked list: pointer-to-struct chain, const struct pointer parameter.
  { program: 'c-O0', marker: 'list_walk', file: 'main.c' },
  // char array being reversed (C string through a char *), size_t, char.
  { program: 'c-O0', marker: 'string_loop', file: 'main.c' },
  // 2-D array passed as a pointer to rows, nested loops.
  { program: 'c-O0', marker: 'matrix_cell', file: 'main.c' },
  // structs passed by value (a local holding their address, no
  // DW_OP_stack_value), one with a const char * member, a typedef'd one.
  { program: 'c-O0', marker: 'byval_aggregate', file: 'byvalue.c' },
  // C -O2: location lists, constants, composite (DW_OP_piece) locations ----
  { program: 'c-O2', marker: 'byval_aggregate', file: 'byvalue.c' },
  { program: 'c-O2', marker: 'circle_area', file: 'shapes.c' },
  { program: 'c-O2', marker: 'rect_area', file: 'shapes.c' },
  { program: 'c-O2', marker: 'list_walk', file: 'main.c' },
  { program: 'c-O2', marker: 'string_loop', file: 'main.c' },
  { program: 'c-O2', marker: 'factorial_recurse', file: 'main.c' },
  // C++ -O0 ------------------------------------------------------------
  // classes passed by value (one trivially copyable, one with a std::string
  // member: by invisible reference); main's std::vector of unique_ptr,
  // class with two bases, Stack<std::string>, std::string, vectors.
  { program: 'cpp-O0', marker: 'byval_aggregate', file: 'byvalue.cpp' },
  // references: const std::vector<Point> &, const Point &, range-for.
  { program: 'cpp-O0', marker: 'loop_body', file: 'main.cpp' },
  // an inline method: `this` (const Point *) and a const Point & argument.
  { program: 'cpp-O0', marker: 'inline_dot', file: 'geometry.h' },
  // virtual calls: Circle::area / Rect::area through a Shape *, `this` of a
  // derived class (base class member, members of a class declared only in
  // this translation unit), a reference to a unique_ptr.
  { program: 'cpp-O0', marker: 'circle_area', file: 'geometry.cpp' },
  { program: 'cpp-O0', marker: 'rect_area', file: 'geometry.cpp' },
  { program: 'cpp-O0', marker: 'after_shapes_init', file: 'main.cpp' },
  { program: 'cpp-O0', marker: 'multiple_bases', file: 'main.cpp' },
  // a class template method with a const T & (int) argument.
  { program: 'cpp-O0', marker: 'stack_push', file: 'geometry.h' },
  // a function template over a const std::vector<int> &.
  { program: 'cpp-O0', marker: 'template_max', file: 'geometry.h' },
  // recursion in an anonymous namespace (LLDB: KNOWN_LLDB_DIFFERENCES).
  { program: 'cpp-O0', marker: 'factorial_base', file: 'main.cpp' },
  // every local of main initialized: strings, vectors, templates.
  { program: 'cpp-O0', marker: 'main_end', file: 'main.cpp' },
  // C++ -O2 ------------------------------------------------------------
  { program: 'cpp-O2', marker: 'byval_aggregate', file: 'byvalue.cpp' },
  { program: 'cpp-O2', marker: 'loop_body', file: 'main.cpp' },
  { program: 'cpp-O2', marker: 'inline_dot', file: 'geometry.h' },
  { program: 'cpp-O2', marker: 'circle_area', file: 'geometry.cpp' },
  // Rust -O0 -----------------------------------------------------------
  // an enum with data (Tag::Link, String fields) and a struct passed by
  // value; main's locals: Vec, String, &str, slices, Option, Result, Box,
  // closures, a boxed recursive list, HashMap, shadowed `frame`.
  { program: 'rust-O0', marker: 'byval_aggregate', file: 'main.rs' },
  // `&self` of an enum with data, matched as Circle / Rect (struct variant).
  { program: 'rust-O0', marker: 'match_circle', file: 'main.rs' },
  { program: 'rust-O0', marker: 'match_rect', file: 'main.rs' },
  // a &List (niche-layout enum: Cons(i32, Box<List>) / Nil).
  { program: 'rust-O0', marker: 'list_recurse', file: 'main.rs' },
  // a trait method through Box<dyn Describe>: &self with a String field.
  { program: 'rust-O0', marker: 'trait_named', file: 'main.rs' },
  { program: 'rust-O0', marker: 'after_struct_init', file: 'main.rs' },
  // a closure capturing by mutable reference (its environment parameter).
  { program: 'rust-O0', marker: 'closure_body', file: 'main.rs' },
  // recursion (LLDB: KNOWN_LLDB_DIFFERENCES).
  { program: 'rust-O0', marker: 'fib_base', file: 'main.rs' },
  // a slice iterator, &[u32], the #[inline] helper's caller.
  { program: 'rust-O0', marker: 'loop_body', file: 'main.rs' },
  // Rust -O2 -----------------------------------------------------------
  { program: 'rust-O2', marker: 'byval_aggregate', file: 'main.rs' },
  { program: 'rust-O2', marker: 'match_circle', file: 'main.rs' },
  { program: 'rust-O2', marker: 'list_recurse', file: 'main.rs' },
  { program: 'rust-O2', marker: 'trait_named', file: 'main.rs' },
];

// ------------------------------------------------------------ known LLDB bugs

// Values where LLDB is wrong (and wasmscope right), each checked to differ
// exactly as recorded: { program, marker, frame (index from the top) or fn
// (the frame's function, as normalized, with nth: the how-manieth frame of
// that function from the top, 0 by default), name (a variable path as
// printed, or '(line)' for the frame's line), lldb, wasmscope (the raw DAP
// values; `{ line: marker }`: that marker's line), why }. An entry that no
// longer differs this way, or whose frame or variable is gone, fails the
// check. Each wasmscope value below was checked against the program's source
// and the DWARF of the guest (llvm-dwarfdump-14: the location in force at
// the frame's pc).
const entries = (program, markers, why, rows) => markers.flatMap((marker) => rows.map(([fn, nth, name, lldb, wasmscope]) => ({
  program, marker, fn, nth, name, lldb, wasmscope, why,
})));

// LLDB 22 does not evaluate DWARF location lists in wasm modules: every
// variable whose DW_AT_location is a location list reads `<error: variable
// not available>`, even where the list has an entry for the pc (`image lookup
// -va <pc>` prints the right range and expression, e.g. c-O2 main's
// `num`: [0x32f, 0x4b1) DW_OP_constu 0x3fc00000, a constant). Location lists
// are what -O2 code has, and the inlined Rust std frames at the bottom of
// every Rust stack (rustc's std is optimized). The values wasmscope shows are
// the ones the location list gives at the pc and the ones the source
// computes.
const LOCLIST = 'LLDB 22 never evaluates a DWARF location list in a wasm module (variable not available)';
// LLDB 22 fails to read the wasm locals of some frames of deeper stacks: in
// the bottom frames of the Rust runtime it reports `Unhandled opcode
// DW_OP_WASM_location in DWARFExpression` (a plain `DW_OP_fbreg` on a frame
// base `DW_OP_WASM_location 0x0 0x5`, or a local) and, in frames below those,
// `no register context`; the same frames read fine in shallower stacks.
const NO_LOCALS = 'LLDB 22 cannot read this frame\'s wasm locals (Unhandled opcode DW_OP_WASM_location / no register context)';
// A composite location (DW_OP_piece) that describes no byte of the value
// (`DW_OP_piece 0x4` alone): the value is unknown. LLDB 22 shows the
// aggregate with every member 0 (null pointers); wasmscope `<error: optimized
// out>`.
const PARTIAL_PIECES = 'LLDB 22 shows the bytes a composite location leaves unknown as zeros';
// clang 14 emits a location list that is wrong at this pc: c-O2 main's
// `total` in wasm local 5 over [0x2c5, 0x4b1), but local 5 is overwritten at
// 0x464 (with g_config.anchor.x = 7) before the call at 0x475. The source
// gives 376; wasmscope shows what the DWARF says (7), LLDB nothing (it reads
// no location list).
const WRONG_DWARF = 'LLDB 22 reads no location list; clang 14\'s list is wrong at this pc (wasmscope shows what it says, the source gives 376)';
const EMPTY_PIECES = 'LLDB 22 shows a value whose location is only empty DW_OP_pieces as zeros; nothing of it is known';

// The Rust runtime's frames below main, the same in every Rust stack: the
// `&dyn Fn() -> i32` (fat pointer: closure of lang_start, its vtable) passed
// from lang_start down to call_once, in wasm locals 0 and 1 of
// lang_start_internal (the location list of each of these variables:
// DW_OP_WASM_location 0x0 0x0, DW_OP_piece 0x4, DW_OP_WASM_location 0x0 0x1,
// DW_OP_piece 0x4 over the whole inlined range). The two other frames of each
// chain (std::panicking::try, the second do_call and catch_unwind) hold the
// closure that returns main's result (zero-sized: `{}`) and the union its
// result goes through (`data`, shown `{}` by wasmscope).
const runtimeFrames = (lldb, fat) => [
  ['core::ops::function::impls::<impl core::ops::function::FnOnce<A> for &F>::call_once', 0, 'self', lldb, fat],
  ['std::panicking::try::do_call', 0, 'f', lldb, fat],
  ['std::panic::catch_unwind', 0, 'f', lldb, fat],
  ['std::panicking::try', 0, 'f', lldb, fat],
  ['std::panicking::try', 0, 'data', lldb, '{}'],
  ['std::panicking::try::do_call', 1, 'f', lldb, '{}'],
  ['std::panicking::try', 1, 'f', lldb, '{}'],
  ['std::panicking::try', 1, 'data', lldb, '{}'],
  ['std::panic::catch_unwind', 1, 'f', lldb, '{}'],
  ['std::rt::lang_start_internal::{{closure}}', 0, 'main', lldb, fat],
  ['std::rt::lang_start_internal', 0, 'main', lldb, fat],
];
const NA = '<error: variable not available>';
const NO_REG = '<error: no register context>';
const UNHANDLED = '<error: Unhandled opcode DW_OP_WASM_location in DWARFExpression>';
const RUST_O0_MARKERS = MARKERS.filter((m) => m.program === 'rust-O0').map((m) => m.marker);

export const KNOWN_LLDB_DIFFERENCES = [
  // Recursion, at the deepest call: the stack is f(1) <- f(2) <- ... <- f(N)
  // <- main. lldb-dap reports every recursive frame with the innermost
  // frame's pc (instructionPointerReference 0x4000000000000ED4 in frames
  // #0-#9 of c factorial_base, hence the innermost line) and its variables
  // (n = 1). The LLDB CLI at the same stop (`bt`) has the right return pc,
  // line, for frames #1-#9 but also prints `factorial(n=1)` for each of
  // them; wasm frames of one function seem to share LLDB's frame identity
  // (the same cause as its `next` stepping into the recursion, README.md).
  // wasmscope shows the call's line and n = 2, 3, ..., what the source gives
  // (main calls factorial(10) / factorial(6) / fib(10), each frame calls
  // f(n - 1) first).
  ...[['c-O0', 'factorial_base', 'factorial_recurse', 9], ['cpp-O0', 'factorial_base', 'factorial_recurse', 5],
    ['rust-O0', 'fib_base', 'fib_recurse', 9]].flatMap(([program, marker, callerLine, frames]) =>
    Array.from({ length: frames }, (_, k) => k + 1).flatMap((frame) => [
      { program, marker, frame, name: '(line)', lldb: { line: marker }, wasmscope: { line: callerLine },
        why: 'lldb-dap gives every recursive frame the innermost pc' },
      { program, marker, frame, name: 'n', lldb: '1', wasmscope: String(frame + 1),
        why: 'LLDB reads the innermost activation\'s n in every recursive frame' },
    ])),

  // C -O2. run_spans(2): scale = 2 (local 0 over the whole function);
  // main's num = 1.5f (DW_OP_constu 0x3fc00000) and grid (12 constant
  // pieces, (r + 1) * 10 + c).
  ...entries('c-O2', ['byval_aggregate'], WRONG_DWARF, [['main', 0, 'total', NA, '7']]),
  ...entries('c-O2', ['byval_aggregate'], LOCLIST, [
    ['run_spans', 0, 'scale', NA, '2'],
    ['main', 0, 'num', NA, '{i = 1069547520, f = 1.5, bytes = ""}'],
    ['main', 0, 'grid', NA, '{{10, 11, 12, 13}, {20, 21, 22, 23}, {30, 31, 32, 33}}'],
  ]),
  // The first shape_area calls come from main's loop at i = 1:
  // shape_area(&shapes[1]) (rect_area's first hit), then
  // shape_area(biggest = &shapes[0]) (circle_area's); shapes[0] is at
  // 0x11630 (circle_area's `s`, which LLDB reads, is that address), a Shape
  // is 40 bytes. main's i: DW_OP_consts +1 over [0x26a, 0x28b).
  ...entries('c-O2', ['circle_area'], LOCLIST, [
    ['shape_area', 0, 'shape', NA, '0x00011630'],
    ['main', 0, 'i', NA, '1'],
  ]),
  ...entries('c-O2', ['rect_area'], LOCLIST, [
    ['shape_area', 0, 'shape', NA, '0x00011658'],
    ['main', 0, 'i', NA, '1'],
  ]),
  // C++ -O2. run_segments(2): scale = 2, segment = {{1, 2}, {4, 6}, 3}
  // (constant pieces).
  ...entries('cpp-O2', ['byval_aggregate'], LOCLIST, [
    ['wasmscope::run_segments', 0, 'scale', NA, '2'],
    ['wasmscope::run_segments', 0, 'segment', NA, '{from = {x_ = 1, y_ = 2}, to = {x_ = 4, y_ = 6}, weight = 3}'],
  ]),
  // The first Circle::area call: total_area's first iteration (total = 0,
  // DW_OP_consts +0); main's first = shapes[0].get(), the Circle that
  // frame #0's `this` (which LLDB reads) points to.
  ...entries('cpp-O2', ['circle_area'], LOCLIST, [
    ['(anonymous namespace)::total_area', 0, 'total', NA, '0'],
    ['main', 0, 'first', NA, '0x000118d0'],
  ]),

  // Rust -O0: the runtime frames (see runtimeFrames), and std::rt::lang_start,
  // instantiated in the guest (-O0, DW_OP_fbreg on frame base local 5):
  // rustc's entry point on wasm32-wasi calls lang_start(main, 0, null)
  // (the target has main_needs_argc_argv = false), main being the function
  // pointer (table index 0x21) of rust_guest::main.
  ...entries('rust-O0', RUST_O0_MARKERS, LOCLIST, runtimeFrames(NA, '{pointer = 0x000fffec, vtable = 0x00100720}')),
  ...entries('rust-O0', RUST_O0_MARKERS, NO_LOCALS, [
    ['std::rt::lang_start', 0, 'main', UNHANDLED, '0x00000021'],
    ['std::rt::lang_start', 0, 'argc', UNHANDLED, '0'],
    ['std::rt::lang_start', 0, 'argv', UNHANDLED, '0x00000000'],
  ]),
  // closure_body: the iterator the closure runs under, shapes.iter().map(..)
  // (a location list: DW_OP_WASM_location 0x0 0x0, the local holding its
  // address): shapes' buffer 0x105c80 (as in every other frame), end = 4
  // Shapes of 20 bytes later, the closure capturing &record.
  ...entries('rust-O0', ['closure_body'], LOCLIST, [
    ['<u64 as core::iter::traits::accum::Sum>::sum', 0, 'iter', NA,
      '{iter = {ptr = {pointer = 0x00105c80}, end = 0x00105cd0, _marker = {}}, f = {_ref__record = 0x000ffc84}}'],
    ['core::iter::traits::iterator::Iterator::sum', 0, 'self', NA,
      '{iter = {ptr = {pointer = 0x00105c80}, end = 0x00105cd0, _marker = {}}, f = {_ref__record = 0x000ffc84}}'],
  ]),

  // Rust -O2: the runtime frames; in the deeper stacks (match_circle,
  // trait_named) LLDB cannot read them at all, nor the function pointer of
  // rust_guest::main (table index 0xe; read by LLDB in the other stacks, as
  // call_once's unnamed argument) two frames up.
  ...entries('rust-O2', ['byval_aggregate', 'list_recurse'], LOCLIST, runtimeFrames(NA, '{pointer = 0x000ffffc, vtable = 0x001005a0}')),
  ...entries('rust-O2', ['match_circle', 'trait_named'], NO_LOCALS, [
    ...runtimeFrames(NO_REG, '{pointer = 0x000ffffc, vtable = 0x001005a0}'),
    ['std::sys_common::backtrace::__rust_begin_short_backtrace', 0, 'f', UNHANDLED, '0x0000000e'],
    ['std::rt::lang_start::{{closure}}', 0, 'main', UNHANDLED, '0x0000000e'],
  ]),
  // main's second `frame` (main.rs:245), passed to tag_cost by value.
  ...entries('rust-O2', ['byval_aggregate'], LOCLIST, [
    ['rust_guest::main', 0, 'frame (#2)', NA, '{origin = {x = -5, y = 7}, size = {w = 20, h = 10}, depth = 4}'],
  ]),
  // trait_named at -O2: the iterator adapters inlined into main, whose
  // `self` / `iterator` has the location `DW_OP_piece 0x4` at this pc.
  // trait_named at -O2: the closures and SetLenOnDrop of the same inlined
  // adapters, and from_iter's `vector`: composite locations that describe
  // only some of their bytes (local_len's own counter, the Vec's capacity).
  // LLDB shows the rest as zeros; wasmscope calls the value (partly)
  // optimized out: it cannot yet show the known members alone.
  // Values whose composite locations leave holes, shown member by member
  // (the unknown ones as <optimized out>): LLDB reads no location list
  // (LOCLIST) or shows the holes as zeros (PARTIAL_PIECES).
  ...entries("c-O2", ["byval_aggregate"], LOCLIST, [["main", 0, "n1", "<error: variable not available>", "{value = 10, next = <optimized out>}"]]),
  ...entries("cpp-O2", ["byval_aggregate"], LOCLIST, [["wasmscope::run_segments", 0, "tag", "<error: variable not available>", "{name = {__r_ = {__compressed_pair_elem<std::__2::basic_string<char, std::__2::char_traits<char>, std::__2::allocator<char> >::__rep, 0, false> = {__value_ = {<anonymous 0> = {__l = {__data_ = 0x67616964 <unreadable>, __size_ = 1818324591, __cap_ = <optimized out>}, __s = {__data_ = {[0] = 100 'd', [1] = 105 'i', [2] = 97 'a', [3] = 103 'g', [4] = 111 'o', [5] = 110 'n', [6] = 97 'a', [7] = 108 'l', [8] = 0 '\\x00', [9] = <optimized out>, [10] = <optimized out>}, <anonymous 1> = {__padding<char, 1UL> = {}, __size_ = 8 '\\x08'}}, __r = {__words = {[0] = 1734437220, [1] = 1818324591, [2] = <optimized out>}}}}}, __compressed_pair_elem<std::__2::allocator<char>, 1, true> = {allocator<char> = {__non_trivial_if<true, std::__2::allocator<char> > = {}}}}}, id = 42}"]]),
  ...entries("cpp-O2", ["circle_area"], LOCLIST, [["main", 0, "shapes", "<error: variable not available>", "{__begin_ = 0x00011920, __end_ = 0x00011928, __end_cap_ = <optimized out>}"]]),
  ...entries("rust-O2", ["byval_aggregate"], LOCLIST, [["rust_guest::main", 0, "tag", "<error: variable not available>", "{Link = {url = {vec = {buf = {ptr = <optimized out>, cap = 25, alloc = {}}, len = 25}}, title = 7}}"]]),
  ...entries("rust-O2", ["trait_named"], PARTIAL_PIECES, [["<alloc::vec::Vec<T> as alloc::vec::spec_from_iter_nested::SpecFromIterNested<T,I>>::from_iter", 0, "vector.buf.ptr", "core::ptr::unique::Unique<alloc::string::String>", "<optimized out>"]]),
  ...entries("rust-O2", ["trait_named"], PARTIAL_PIECES, [["<alloc::vec::Vec<T> as alloc::vec::spec_from_iter_nested::SpecFromIterNested<T,I>>::from_iter", 0, "vector.buf.ptr.pointer.pointer", "0x00000000"]]),
  ...entries("rust-O2", ["trait_named"], PARTIAL_PIECES, [["<alloc::vec::Vec<T> as alloc::vec::spec_from_iter_nested::SpecFromIterNested<T,I>>::from_iter", 0, "vector.len", "0", "<optimized out>"]]),
  ...entries('rust-O2', ['trait_named'], PARTIAL_PIECES, [
    ['<core::iter::adapters::map::Map<I,F> as core::iter::traits::iterator::Iterator>::fold', 0, 'g',
      "core::iter::traits::iterator::Iterator::for_each::call::{closure_env#0}<alloc::string::String, alloc::vec::spec_extend::{impl#1}::spec_extend::{closure_env#0}<alloc::string::String, core::iter::adapters::map::Map<core::slice::iter::Iter<alloc::boxed::Box<dyn rust_guest::Describe, alloc::alloc::Global>>, rust_guest::main::{closure_env#7}>, alloc::alloc::Global>>", '<error: optimized out>'],
    ['core::iter::traits::iterator::Iterator::for_each', 0, 'f',
      "alloc::vec::spec_extend::{impl#1}::spec_extend::{closure_env#0}<alloc::string::String, core::iter::adapters::map::Map<core::slice::iter::Iter<alloc::boxed::Box<dyn rust_guest::Describe, alloc::alloc::Global>>, rust_guest::main::{closure_env#7}>, alloc::alloc::Global>", '<error: optimized out>'],
    ['<alloc::vec::Vec<T,A> as alloc::vec::spec_extend::SpecExtend<T,I>>::spec_extend', 0, 'local_len',
      'alloc::vec::set_len_on_drop::SetLenOnDrop', '<error: optimized out>'],
  ]),
  // call_once's unnamed argument, main's function pointer (table index 0xe).
  ...entries('rust-O2', ['match_circle', 'trait_named'], NO_LOCALS, [
    ['core::ops::function::FnOnce::call_once', 0, '<anonymous #0>', UNHANDLED, '0x0000000e'],
  ]),
  ...entries('rust-O2', ['trait_named'], EMPTY_PIECES, [
    ['core::iter::traits::iterator::Iterator::fold', 0, 'self',
      'core::slice::iter::Iter<alloc::boxed::Box<dyn rust_guest::Describe, alloc::alloc::Global> >', '<error: optimized out>'],
    ['<core::iter::adapters::map::Map<I,F> as core::iter::traits::iterator::Iterator>::fold', 0, 'self',
      'core::iter::adapters::map::Map<core::slice::iter::Iter<alloc::boxed::Box<dyn rust_guest::Describe, alloc::alloc::Global> >, rust_guest::main::{closure_env#7}>',
      '<error: optimized out>'],
    ['core::iter::traits::iterator::Iterator::for_each', 0, 'self',
      'core::iter::adapters::map::Map<core::slice::iter::Iter<alloc::boxed::Box<dyn rust_guest::Describe, alloc::alloc::Global> >, rust_guest::main::{closure_env#7}>',
      '<error: optimized out>'],
    ['<alloc::vec::Vec<T,A> as alloc::vec::spec_extend::SpecExtend<T,I>>::spec_extend', 0, 'iterator',
      'core::iter::adapters::map::Map<core::slice::iter::Iter<alloc::boxed::Box<dyn rust_guest::Describe, alloc::alloc::Global> >, rust_guest::main::{closure_env#7}>',
      '<error: optimized out>'],
  ]),
];

// Values that differ between any two runs of a program, listed (by frame
// function and variable path) and not compared: the Rust HashMap's
// RandomState keys come from WASI random_get, and the first control byte of
// its table depends on the hashes. Its length (`items`), bucket mask and
// entries' addresses are compared.
export const RUN_DEPENDENT = [
  { programs: ['rust-O0', 'rust-O2'], fn: 'rust_guest::main',
    paths: ['counts.base.hash_builder.k0', 'counts.base.hash_builder.k1', '*(counts.base.table.table.ctrl.pointer)'],
    why: 'HashMap RandomState keys from WASI random_get' },
];
