// Normalizations of check.mjs: how the two adapters' stacks and variables are
// brought to one spelling before they are compared. Each rule below is a
// difference of presentation only (how a value is printed or where the
// adapter puts it in the tree); the values themselves are always compared.
//
// A frame's variables become a flat map, path -> entry, by `frameVars`:
//   entry = { raw, norm, type, aggregate?, summaryOnly?, deref? }
// `norm` is the canonical form of a scalar (see normValue), or of an
// aggregate that prints as a string (std::string, a Rust String or &str, a
// char array); null for any other aggregate, whose children are compared
// instead. The map also carries what the comparison needs to know about the
// tree (libc++ containers shown through LLDB's synthetic children, wasmscope
// summaries that elide a part of a value): see `flattenInto`.

// ------------------------------------------------------------ function names

// Function names. Dropped as presentation: a module prefix ("wasm-0`"), an
// offset suffix (" + 121"), an argument list ("factorial(n=10)",
// "wasmscope::segment_cost(wasmscope::Segment, wasmscope::Tagged, int)").
// wasmscope's mark of an inlined frame (` [inlined]`; lldb-dap shows the
// inlined frames too, unmarked) is dropped.
// `__main_argc_argv` is read as `main`: wasi-libc renames C's
// `int main(int, char **)` to that symbol; LLDB shows the symbol's name,
// wasmscope the DWARF subprogram's (`main`).
// Rust: LLDB shows the symbol of the name section, a legacy-mangled path
// only partly demangled (`_$LT$rust_guest..Named$u20$as$u20$rust_guest..Describe$GT$::describe::h0936dad51341de82`),
// wasmscope the demangled path (`<rust_guest::Named as rust_guest::Describe>::describe`).
// The legacy escapes ($LT$ $GT$ $u20$ $C$ $RF$ ..., `..` for `::`) are
// decoded and the hash suffix `::h<16 hex digits>` is dropped, as
// rustc-demangle does in its non-alternate form.
const RUST_ESC = { SP: '@', BP: '*', RF: '&', LT: '<', GT: '>', LP: '(', RP: ')', C: ',' };
function rustLegacy(n) {
  if (!/\$(SP|BP|RF|LT|GT|LP|RP|C|u[0-9a-f]{2,6})\$|::h[0-9a-f]{16}$/.test(n)) return n;
  return n.replace(/::h[0-9a-f]{16}$/, '')
    .replace(/(^|::)_(?=\$)/g, '$1')
    .replace(/\$(SP|BP|RF|LT|GT|LP|RP|C|u[0-9a-f]{2,6})\$/g, (_, e) => RUST_ESC[e] ?? String.fromCodePoint(parseInt(e.slice(1), 16)))
    .replace(/\.\./g, '::');
}
export function normName(name) {
  let n = String(name ?? '').trim();
  n = n.replace(/^[^`\s]*`/, '').replace(/\s*\+\s*(0x)?[0-9a-f]+$/i, '').replace(/\s*\[inlined\]$/, '');
  n = stripArgs(rustLegacy(n)).trim();
  return n === '__main_argc_argv' ? 'main' : n;
}
// A C++ argument list at the end, with its qualifiers (`(int const&) const`);
// the parentheses of `(anonymous namespace)::f` stay.
function stripArgs(n) {
  const t = n.replace(/(\s*(const|volatile|&|&&|noexcept))*\s*$/, '');
  if (!t.endsWith(')')) return n;
  let depth = 0;
  for (let i = t.length - 1; i >= 0; i--) {
    if (t[i] === ')') depth++;
    else if (t[i] === '(' && --depth === 0) return i > 0 ? t.slice(0, i) : n;
  }
  return n;
}

// ------------------------------------------------------------ scalar values

// Scalar values, as a canonical string. Normalizations:
//  * integers by numeric value, so hex width does not count:
//    `0x000116d0` = `0x116d0`; (hex against decimal would compare the number)
//  * floats by numeric value: `1.50` = `1.5`
//  * a leading C cast-like type prefix is dropped: `(char *) 0x10` = `0x10`
//  * a char by its character code: `97 'a'` = `'a'`, `0 '\x00'` = `'\0'`,
//    `-1 '\xff'` = `'\xff'` (lldb-dap shows the character only, wasmscope
//    the number and the character, which must agree with each other)
//  * a pointer to char followed by its string, `0x00000451 "add"`, by its
//    address here; the string: see pointedString. wasmscope marks a char
//    pointer whose string it cannot read `0x67616964 <unreadable>`, lldb-dap
//    shows `0x67616964 ""`: the address is compared.
//  * a pointer followed by a symbol in parentheses, `0x00000005 (op_add)`,
//    by its address
//  * lldb-dap's `error: summary string parsing error`: LLDB's built-in
//    summary for a type named `Rect` (the Carbon/QuickDraw one, members
//    top/left/bottom/right) fails on the guest's own `Rect`; as a pointer's
//    suffix (`0x00011668 error: summary string parsing error`) the address is
//    compared, as an aggregate's summary it is not compared anyway
//  * `true`/`false` case-insensitively
//  * a string (a char array's value, a std::string's or a Rust String's
//    summary) up to its first NUL and with its escapes decoded: lldb-dap shows
//    a char array up to its last non-NUL byte (`num.bytes` = "\0\0\xc0?"),
//    wasmscope as a C string (""); lldb writes `\U0000000e` where another
//    printer writes `\x0e`. Every element of a char array is compared on its
//    own anyway, as a char.
//  * `<error: variable not available>` (lldb) = `<error: optimized out>`
//    (wasmscope) = `<unreadable>` (wasmscope) = any `<error: ...>`: each says
//    the value cannot be read; the wording is each adapter's.
// Anything else (enumerators like SHAPE_CIRCLE) verbatim.
const CHAR_ESC = { '\\0': 0, '\\n': 10, '\\t': 9, '\\r': 13, "\\'": 39, '\\"': 34, '\\\\': 92, '\\a': 7, '\\b': 8, '\\f': 12, '\\v': 11, '\\e': 27 };
function charCode(s) {
  if (s.length === 1) return s.charCodeAt(0);
  if (s in CHAR_ESC) return CHAR_ESC[s];
  let m;
  if ((m = /^\\x([0-9a-f]{1,2})$/i.exec(s))) return parseInt(m[1], 16);
  if ((m = /^\\([0-7]{1,3})$/.exec(s))) return parseInt(m[1], 8);
  if ((m = /^\\u\{?([0-9a-fA-F]{1,6})\}?$/.exec(s)) || (m = /^\\U([0-9a-fA-F]{8})$/.exec(s))) return parseInt(m[1], 16);
  return null;
}
// The code points of a quoted string's body, escapes decoded, up to the first
// NUL; null if an escape is not understood.
function decodeString(body) {
  const out = [];
  for (let i = 0; i < body.length; i++) {
    let c = body.codePointAt(i);
    if (c > 0xffff) i++;
    if (body[i] === '\\') {
      const m = /^\\(x[0-9a-fA-F]{1,2}|u\{[0-9a-fA-F]{1,6}\}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{1,3}|.)/s.exec(body.slice(i));
      c = m ? charCode(m[0]) : null;
      if (c == null) return null;
      i += m[0].length - 1;
    }
    if (c === 0) break;
    out.push(c);
  }
  return out;
}
const strNorm = (cps) => `str:${JSON.stringify(String.fromCodePoint(...cps))}`;
function stringNorm(quoted) {
  const cps = decodeString(quoted.slice(1, -1));
  return cps ? strNorm(cps) : `text:${quoted}`;
}
// The string that lldb-dap appends to a `char *` value (`0x00000451 "add"`).
// wasmscope shows only the address of a `char *`: the address is compared
// (normValue), the string only when both adapters show one; the chars behind
// the pointer are compared through its dereference (`*(p)`). An adapter
// showing the string alone is counted and printed as a note.
export function pointedString(raw) {
  const m = /^(?:\([^()]*\)\s+)?0x[0-9a-f]+\s+(".*")$/is.exec(String(raw ?? '').trim());
  return m ? stringNorm(m[1]) : null;
}
export function normValue(raw) {
  let s = String(raw ?? '').trim();
  s = s.replace(/^\((?:const |volatile |struct |union |enum |unsigned |signed )*[A-Za-z_][\w ]*\**\)\s+/, '');
  if (/^<error\b.*>$/s.test(s) || s === '<unreadable>') return 'unavailable';
  let m;
  if ((m = /^(-?\d+)\s+'(.*)'$/s.exec(s))) {
    // The number and the character of one value must agree (mod 256: a
    // signed char -1 is '\xff'), else the value is not normalized.
    const c = charCode(m[2]);
    if (c != null && ((Number(m[1]) % 256) + 256) % 256 !== c) return `text:${s}`;
    return `char:${c ?? m[2]}`;
  }
  if ((m = /^'(.*)'$/s.exec(s))) { const c = charCode(m[1]); return `char:${c ?? m[1]}`; }
  if ((m = /^(0x[0-9a-f]+)\s+(".*"|<unreadable>|error: summary string parsing error)$/is.exec(s))) return `int:${BigInt(m[1])}`; // string: see pointedString
  if (/^".*"$/s.test(s)) return stringNorm(s);
  if ((m = /^(0x[0-9a-f]+)\s*\(.*\)$/is.exec(s))) return `int:${BigInt(m[1])}`; // function pointer with symbol
  if (/^-?0x[0-9a-f]+$/i.test(s)) return `int:${(s.startsWith('-') ? -1n : 1n) * BigInt(s.replace('-', ''))}`;
  if (/^-?\d+$/.test(s)) return `int:${BigInt(s)}`;
  if (/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(s)) return `float:${Number(s)}`;
  if (/^(true|false)$/i.test(s)) return `bool:${s.toLowerCase()}`;
  return `text:${s}`;
}

// Whether a variable is an aggregate rather than a scalar. Summaries of
// aggregates are not compared (lldb-dap shows the type, `Shape[3]`, `Node`,
// wasmscope a preview, `{value = 0, next = 0x00000000}`), except a string
// summary (see frameVars); the aggregate's children are.
//  * an array type is an aggregate whatever its value (char arrays show a
//    string);
//  * a variable with children is an aggregate when its value is not a scalar
//    or is a string (std::string, Rust String and &str: a string summary
//    over members); a pointer's value is its address;
//  * a variable without children is an (empty) aggregate when lldb-dap shows
//    its type as its value (`_marker = core::marker::PhantomData<u8>`) or
//    wasmscope shows `{}`: an empty struct, class or closure.
const isArrayType = (t) => /\[\d*\]\s*$/.test(String(t ?? '')) && !/\(\s*\*/.test(String(t ?? '')); // not int (*)[4]
export function isAggregate(node) {
  if (isArrayType(node.type)) return true;
  const v = refAddress(node) ?? String(node.value ?? '').trim();
  if (!node.hasChildren) return v === '{}' || (!!node.type && v === String(node.type).trim() && normValue(v).startsWith('text:'));
  return /^(text|str):/.test(normValue(v));
}

// lldb-dap shows a C++ reference as the address followed by the summary of
// what it refers to (`0x00011748 size=5`, `0x00011950 Shape @ 0x000118f0`),
// with the referent's children as its own: a pointer, whose value is the
// address (wasmscope: `0x00011748`, one child `*points`). The summary is
// what the referent's children are read with (a container's size).
export function refAddress(node) {
  if (!/&\s*$/.test(String(node.type ?? ''))) return null;
  return /^(0x[0-9a-f]+)\s+\S/is.exec(String(node.value ?? '').trim())?.[1] ?? null;
}

// ------------------------------------------------------------ member names

// Member names, per list of siblings:
//  * a leading `.` is dropped;
//  * a base class: lldb-dap names it with its qualified name
//    (`wasmscope::Labeled`, `std::__2::__compressed_pair_elem<...>`),
//    wasmscope with the unqualified one (`Labeled`): the leading namespaces
//    (outside template arguments) are dropped;
//  * an anonymous member (union, struct) or a parameter without a name:
//    lldb-dap `<null>`, wasmscope `<anonymous N>` (N counts across the whole
//    value) for a member and `<unnamed>` for a parameter: all are
//    `<anonymous #k>`, k-th such sibling;
//  * shadowed variables of one scope: lldb-dap adds the declaration
//    (`frame @ main.rs:186`, `frame @ main.rs:245`), wasmscope lists the
//    same name twice, in the same order: the k-th variable of a name is
//    `name (#k)` from the second on.
function memberNames(vars) {
  let anon = 0;
  const seen = new Map();
  return vars.map((v) => {
    let n = String(v.name ?? '').replace(/^\./, '').replace(/ @ \S+:\d+$/, '');
    if (n === '' || n === '<null>' || n === '<unnamed>' || /^<anonymous( \d+)?>$/.test(n)) n = `<anonymous #${anon++}>`;
    else {
      const m = /^(?:[A-Za-z_]\w*::)+(?=[A-Za-z_~])/.exec(n);
      if (m && !n.slice(0, m[0].length).includes('<')) n = n.slice(m[0].length);
    }
    const k = (seen.get(n) ?? 0) + 1;
    seen.set(n, k);
    return { v, n: k > 1 ? `${n} (#${k})` : n };
  });
}

// The last component of a type name, without template arguments:
// `core::option::Option<&str>::Some<&str>` -> `Some`.
function lastComponent(type) {
  let t = String(type ?? '').trim();
  for (;;) {
    const m = /<[^<>]*>$/.exec(t);
    if (!m) break;
    t = t.slice(0, m.index);
  }
  while (/<[^<>]*>/.test(t)) t = t.replace(/<[^<>]*>/g, '');
  return t.split('::').pop().trim();
}

// ------------------------------------------------------------ flattening

// A frame's variables as a map path -> entry (see the top of this file).
// lldb-dap's `<error>` pseudo-variable ("no variable information is available
// in debug info for this compile unit") is dropped: no locals, which is what
// wasmscope shows.
export function frameVars(frame) {
  const out = new Map();
  out.synthetic = new Set(); // lldb: libc++ containers shown through synthetic children
  out.elements = new Map(); // wasmscope: container element path -> { preview, elided }
  out.covered = new Set(); // wasmscope: summary strings (cover lldb's members of the string)
  out.listed = new Map(); // wasmscope: container path -> number of elements its summary lists
  flattenInto(out, frame.vars.filter((v) => v.name !== '<error>'), null, 'top');
  return out;
}

// Paths:
//  * children of an aggregate are `parent.child` or `parent[i]`;
//  * the children of a pointer are its pointee, `p->member`, `p[i]` or
//    `*(p)`. lldb-dap lists the members of a pointer to struct directly
//    under the pointer, wasmscope lists one child `*p` (the struct) holding
//    them: that single aggregate child is skipped, so both read `p->member`.
//    The same for a pointer to an array, `int (*m)[4]`, and for Rust
//    references (`&Named`, `*self`): both read `m[i]`, `self->name`;
//  * the children of a null pointer are dropped on both sides (lldb-dap
//    offers them and then shows `<error: parent is NULL>`; wasmscope offers
//    none): the pointer's value (0) is compared.
//  * Rust enums: lldb-dap (LLDB 22 has no Rust language support; its Clang
//    type system reads DW_TAG_variant_part) shows every variant over the
//    same bytes, `e.$variants$.$variant$N.value.<fields>`, with the
//    discriminant `$discr$` in each, where N is the variant's discriminant
//    value (`$variant$` alone: the variant without one, the dataful variant
//    of a niche layout). wasmscope shows the active variant only, as one
//    child named after it (`e = Circle(...)`, `e.Circle.__0`). lldb's active
//    variant is the one whose N is the discriminant's value, else the one
//    without N; it is kept, as `e.Circle.<fields>`, and the others are
//    dropped. Both sides get `e.(variant)` = the active variant's name,
//    which is compared, so wasmscope's choice of the variant is checked
//    against LLDB's discriminant.
//  * libc++ containers: lldb-dap shows std::vector through its libc++
//    synthetic children (`v = size=2`, `v[0]`, `v[1]`), wasmscope shows the
//    raw members (`__begin_`, `__end_`, `__end_cap_`) and the elements in its
//    summary, `(len 2) [{x_ = 0, y_ = 1}, ...]`. Both get `v.(size)`; the
//    elements of wasmscope's summary are parsed into `v[i]...` (marked
//    summaryOnly: compared where lldb has the same path, never reported as
//    missing); the raw members under a container that lldb shows as
//    synthetic are not compared (lldb-dap does not show them). What lldb
//    shows under `v[i]` that wasmscope's summary elides (`{...}`) is reported
//    (compare: wasmscope cannot show it). A string in the summary covers the
//    members lldb shows under it (a std::string's representation).
//  * Rust `Vec` and slices: wasmscope opens them to their elements `[i]` and
//    a `[raw]` child holding the members, lldb-dap to the members: the
//    members under `[raw]` are read as the value's own children, and the
//    elements come from the summary, as for libc++ containers.
//  * Rust `String` and `&str`: wasmscope shows the string as the summary
//    (`"alpha"`) over the raw members, lldb-dap the raw members only
//    (`vec.buf.ptr.pointer.pointer = 0x00105d50 "alpha"`, `vec.len = 5`;
//    `data_ptr`, `length`). lldb's string is taken as its `len` first bytes
//    of the C string it shows at the pointer (none when that C string is
//    shorter) and compared with wasmscope's; the raw members are compared on
//    both sides as well.
//  * Rust `u8`/`i8`: lldb-dap prints them as C chars (`'\x04'`), wasmscope as
//    numbers (`4`): compared by value, as chars.
function flattenInto(out, vars, prefix, parentKind, parent = null) {
  if (parentKind === 'deref' && vars.length === 1 && /^\*/.test(vars[0].name) && isAggregate(vars[0])) {
    const vn = wasmscopeVariant(vars[0]);
    if (vn) out.set(`${prefix}->(variant)`, { raw: vn, norm: `text:${vn}`, type: null });
    return flattenInto(out, ownChildren(vars[0]), prefix, 'deref', { type: vars[0].type, summary: vars[0].value });
  }
  // lldb: a pointer to a Rust enum lists the enum's `$variants$`.
  if (parentKind === 'deref' && vars.length === 1 && vars[0].name === '$variants$') {
    lldbEnum(out, prefix, '->', vars[0]);
    return out;
  }
  // The container a pointer or reference refers to (its summary: lldb's
  // reference value after the address, wasmscope's `*p` child).
  if (parentKind === 'deref' && parent) containerSummary(out, prefix, parent.summary, vars, { referent: true });
  for (const { v, n: nm } of memberNames(vars)) {
    let key;
    if (parentKind === 'deref') {
      key = /^[*&]/.test(nm) ? `*(${prefix})` : /^\[\d+\]$/.test(nm) ? `${prefix}${nm}` : `${prefix}->${nm}`;
    } else if (prefix == null) key = nm;
    else key = /^\[\d+\]$/.test(nm) ? `${prefix}${nm}` : `${prefix}.${nm}`;
    const deref = parentKind === 'deref';
    // wasmscope: a Rust Vec or slice opens to its elements, and its members
    // under a `[raw]` child. The elements are compared through its summary
    // (see the containers above), the members as lldb-dap shows them: as the
    // value's own children.
    const kids = ownChildren(v);
    // A value that cannot be read: its children, if any, are not compared
    // (lldb-dap offers them, each `<error: parent failed to evaluate: ...>`;
    // wasmscope offers none).
    if (normValue(v.value) === 'unavailable') {
      out.set(key, { raw: v.value, norm: 'unavailable', type: v.type, deref });
      continue;
    }

    // wasmscope: the raw pointer of a std::unique_ptr, which lldb-dap shows as
    // its synthetic child `pointer`: `u.__ptr_.__compressed_pair_elem<T *, 0,
    // false>.__value_` is read as `u.pointer` (the deleter is an empty
    // aggregate).
    if (nm === '__ptr_' && /(^|[\s:])unique_ptr</.test(String(parent?.type ?? ''))) {
      const elem = memberNames(kids).find(({ n }) => /^__compressed_pair_elem<.*\*, 0, false>$/.test(n));
      const raw = elem?.v.children?.find((c) => c.name === '__value_');
      if (raw) { flattenInto(out, [{ ...raw, name: 'pointer' }], prefix, parentKind, parent); continue; }
    }

    // lldb: a Rust enum; wasmscope: one child named after its variant.
    if (kids.length === 1 && kids[0].name === '$variants$' && isAggregate(v)) {
      out.set(key, { raw: v.value, norm: null, type: v.type, aggregate: true, deref });
      lldbEnum(out, key, '.', kids[0]);
      continue;
    }
    const vn = wasmscopeVariant(v);
    if (vn) out.set(`${key}.(variant)`, { raw: vn, norm: `text:${vn}`, type: null });
    // lldb: a reference (see refAddress).
    const addr = refAddress(v);
    const value = addr ?? v.value;
    if (containerSummary(out, key, value, kids, { deref })) continue;

    const node = { ...v, value };
    const agg = isAggregate(node);
    const charArray = /^(const\s+)?(unsigned\s+|signed\s+)?char\s*\[\d+\]$/.test(String(v.type ?? ''));
    let norm = agg ? null : normValue(value);
    if (agg && (charArray || /^\s*".*"\s*$/s.test(String(value)))) norm = normValue(value);
    if (!agg && /^[iu]8$/.test(String(v.type ?? '')) && /^int:/.test(norm)) norm = `char:${((Number(norm.slice(4)) % 256) + 256) % 256}`;
    out.set(key, agg ? { raw: v.value, norm, type: v.type, aggregate: true, deref } : { raw: v.value, norm, type: v.type, deref });
    if (kids.length) {
      if (!agg) {
        if (normValue(value) === 'int:0') continue; // null: see above
        flattenInto(out, kids, key, 'deref', addr ? { type: v.type, summary: String(v.value).trim().slice(addr.length).trim() } : null);
      } else flattenInto(out, kids, key, 'agg', { type: v.type });
    }
    if (agg && norm == null) rustString(out, key, v.type);
  }
  return out;
}

// A value's members: wasmscope's `[raw]` child's for a Rust Vec or slice
// (see above), else its children.
function ownChildren(v) {
  const raw = (v.children ?? []).find((c) => c.name === '[raw]');
  return raw ? raw.children ?? [] : v.children ?? [];
}

// lldb: the active variant of a Rust enum (see above), under `base` + sep.
function lldbEnum(out, base, sep, variantsNode) {
  const variants = variantsNode.children ?? [];
  const discr = variants.flatMap((x) => x.children ?? []).find((c) => c.name === '$discr$');
  const d = discr ? /^(?:int|char):(-?\d+)$/.exec(normValue(discr.value))?.[1] : null;
  const active = variants.find((x) => d != null && x.name === `$variant$${d}`)
    ?? variants.find((x) => x.name === '$variant$') ?? (variants.length === 1 ? variants[0] : null);
  const value = active?.children?.find((c) => c.name === 'value');
  if (!value) {
    out.set(`${base}${sep}(variant)`, { raw: `<none: $discr$ = ${discr?.value}>`, norm: `text:<no variant for $discr$ ${discr?.value}>`, type: null });
    return;
  }
  const vn = lastComponent(value.type);
  out.set(`${base}${sep}(variant)`, { raw: vn, norm: `text:${vn}`, type: null });
  out.set(`${base}${sep}${vn}`, { raw: value.value, norm: null, type: value.type, aggregate: true });
  flattenInto(out, value.children ?? [], `${base}${sep}${vn}`, 'agg', { type: value.type });
}
// wasmscope: the variant of a Rust enum, shown as its only child, named after
// it, with a value that starts with that name (`Circle(...)`, `Link { ... }`,
// `None`); null for anything else.
function wasmscopeVariant(v) {
  const kids = v.children ?? [];
  if (kids.length !== 1 || !isAggregate(kids[0]) || /^[{[(*<]/.test(String(v.value))) return null;
  const vn = String(kids[0].name);
  const val = String(v.value).trim();
  return val === vn || val.startsWith(`${vn}(`) || val.startsWith(`${vn} {`) ? vn : null;
}

// Containers (see above). lldb: `size=N` over synthetic children `[i]`: the
// container's entries are made here and true returned (its children are then
// flattened as elements). wasmscope: `(len N) [...]`: `key.(size)` and the
// elements of the summary, marked summaryOnly; its children are flattened by
// the caller as usual.
function containerSummary(out, key, value, kids, { referent = false, deref = false }) {
  const text = String(value ?? '').trim();
  let m;
  if ((m = /^size=(\d+)$/.exec(text)) && kids.every((c) => /^\[\d+\]$/.test(c.name))) {
    out.synthetic.add(key);
    out.set(`${key}.(size)`, { raw: text, norm: `int:${m[1]}`, type: null });
    if (referent) return false; // a reference: its elements are its children
    out.set(key, { raw: text, norm: null, type: null, aggregate: true, deref });
    flattenInto(out, kids, key, 'agg');
    return true;
  }
  if ((m = /^\(len (\d+)\)\s*(.*)$/s.exec(text))) {
    out.set(`${key}.(size)`, { raw: text, norm: `int:${m[1]}`, type: null, summaryOnly: true });
    const list = m[2].startsWith('[') ? parsePreview(m[2]) : null;
    if (list?.kind === 'list') {
      list.items.forEach((it, i) => summaryElement(out, it, `${key}[${i}]`));
      out.listed.set(key, list.items.length);
    }
  }
  return false;
}

// lldb: the string of a Rust String or &str from its raw members.
function rustString(out, key, type) {
  const t = String(type ?? '');
  let ptr;
  let len;
  if (t === 'alloc::string::String') [ptr, len] = [`${key}.vec.buf.ptr.pointer.pointer`, `${key}.vec.len`];
  else if (t === '&str' || t === '&mut str') [ptr, len] = [`${key}.data_ptr`, `${key}.length`];
  else return;
  const p = out.get(ptr);
  const n = out.get(len);
  const sm = p && /^(?:0x[0-9a-f]+)\s+"(.*)"$/is.exec(String(p.raw).trim());
  const cps = sm && decodeString(sm[1]);
  const count = n && /^int:(\d+)$/.exec(n.norm ?? '')?.[1];
  if (cps && count != null && cps.length >= Number(count)) out.get(key).norm = strNorm(cps.slice(0, Number(count)));
}

// ------------------------------------------------------------ summaries

// wasmscope's preview of a value, parsed: `{a = 1, b = {...}}` (struct),
// `{1, 2}` / `[1, 2, ...]` (array, list; a last `...`: more elements not
// listed), `{...}` (elided), anything else a scalar.
function splitTop(s) {
  const items = [];
  let depth = 0;
  let quote = null;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quote) { if (c === '\\') i++; else if (c === quote) quote = null; continue; }
    if (c === '"' || (c === "'" && /[\s(=,[{]|^$/.test(s[i - 1] ?? ''))) quote = c;
    else if ('{[(<'.includes(c)) depth++;
    else if ('}])>'.includes(c) && !(c === '>' && s[i - 1] === '-')) depth--;
    else if (c === ',' && depth === 0) { items.push(s.slice(start, i).trim()); start = i + 1; }
  }
  const last = s.slice(start).trim();
  if (last) items.push(last);
  return items;
}
function parsePreview(text) {
  const s = String(text).trim();
  if (s === '{...}' || s === '...') return { kind: 'elided', src: s };
  const open = s[0];
  if ((open === '{' && s.endsWith('}')) || (open === '[' && s.endsWith(']'))) {
    const items = splitTop(s.slice(1, -1));
    const truncated = items.length > 0 && items[items.length - 1] === '...';
    if (truncated) items.pop();
    const fields = items.map((it) => /^([^=]+?) = (.*)$/s.exec(it));
    if (open === '{' && items.length && fields.every(Boolean)) {
      return { kind: 'struct', fields: fields.map((f) => ({ name: f[1], node: parsePreview(f[2]) })), truncated, src: s };
    }
    return { kind: 'list', items: items.map(parsePreview), truncated, src: s };
  }
  return { kind: 'scalar', text: s, src: s };
}
// One element of a container's summary, as summaryOnly entries.
function summaryElement(out, node, key) {
  const el = { elided: false, preview: node.src };
  out.elements.set(key, el);
  const walk = (n, k) => {
    if (n.kind === 'elided') { el.elided = true; return; }
    if (n.truncated) el.elided = true;
    if (n.kind === 'scalar') {
      const norm = normValue(n.text);
      out.set(k, { raw: n.text, norm, type: null, summaryOnly: true });
      if (norm.startsWith('str:')) out.covered.add(k);
      return;
    }
    out.set(k, { raw: '(summary)', norm: null, type: null, aggregate: true, summaryOnly: true });
    if (n.kind === 'struct') {
      const named = memberNames(n.fields.map((f) => ({ name: f.name, node: f.node })));
      for (const { v, n: nm } of named) walk(v.node, `${k}.${nm}`);
    } else n.items.forEach((it, i) => walk(it, `${k}[${i}]`));
  };
  walk(node, key);
}

// Whether path `k` is `p` or below it.
export const under = (k, p) => k === p || (k.startsWith(p) && /^(\.|\[|->)/.test(k.slice(p.length)));
