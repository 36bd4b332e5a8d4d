//! Evaluates an expression against a stopped guest: identifiers through the
//! DWARF scopes at the frame's pc (innermost block first, then the unit's
//! globals, then every global), memory through the target.

use super::ast::{BinaryOp, Expr, UnaryOp};
use super::integer::{IntType, Integer};
use crate::address::{CodeOffset, MemoryAddress};
use crate::session::expand::Object;
use crate::session::pretty;
use crate::session::values::read_value;
use crate::symbols::{
    BaseEncoding, DieRef, ModuleSymbols, Type, format_float, format_value, read_uint, resolve, size_of, type_name,
};
use crate::target::{TargetView, WasmValue};

/// What an expression is about: the frame to look names up in.
pub struct EvalContext<'a> {
    pub symbols: &'a ModuleSymbols,
    pub view: &'a mut dyn TargetView,
    /// Physical frame index (Wasm locals are read from it).
    pub frame: usize,
    /// Code offset whose scopes apply (the call, for a caller frame).
    pub pc: CodeOffset,
    /// Which inlined frame of the physical frame (0 = innermost).
    pub inline_frame: usize,
}

impl std::fmt::Debug for EvalContext<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EvalContext").field("frame", &self.frame).field("pc", &self.pc).finish_non_exhaustive()
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A value of a DWARF type, with its address when it is in memory and
    /// the bytes the DWARF does not give (-O2): an expression may use its
    /// known members; a number read from unknown bytes is an error.
    Object(Object),
    /// An integer computed by the expression, with its C type.
    Int(Integer),
    Float(f64),
    /// An address computed by the expression (`&x`, `p + 1`).
    Pointer {
        pointee: Option<DieRef>,
        address: MemoryAddress,
    },
}

impl Value {
    /// The value as shown: through its type for objects.
    pub fn display(&self, symbols: &ModuleSymbols) -> String {
        match self {
            Value::Object(object) => format_value(symbols, object.ty, &object.bytes),
            Value::Int(v) => v.to_string(),
            Value::Float(v) => format_float(*v),
            Value::Pointer { address, .. } => format!("0x{:08x}", address.0),
        }
    }

    pub fn type_name(&self, symbols: &ModuleSymbols) -> String {
        match self {
            Value::Object(object) => type_name(symbols, object.ty),
            Value::Int(v) => v.ty.name().into(),
            Value::Float(_) => "double".into(),
            Value::Pointer { pointee, .. } => format!("{} *", type_name(symbols, *pointee)),
        }
    }
}

#[derive(Clone, Copy, Debug)]
enum Scalar {
    Int(Integer),
    Float(f64),
}

type Result<T> = std::result::Result<T, String>;

/// Evaluates `expr` in `context`.
pub fn evaluate(expr: &Expr, context: &mut EvalContext<'_>) -> Result<Value> {
    match expr {
        Expr::Int(v) => Ok(Value::Int(Integer::literal(*v))),
        Expr::Float(v) => Ok(Value::Float(*v)),
        Expr::Char(c) => Ok(Value::Int(Integer::int(i128::from(*c)))),
        Expr::Str(_) => Err("a string literal can only be compared with a string (== or !=)".into()),
        Expr::Binary(op @ (BinaryOp::Eq | BinaryOp::Ne), left, right)
            if matches!(**left, Expr::Str(_)) || matches!(**right, Expr::Str(_)) =>
        {
            let ((Expr::Str(literal), other) | (other, Expr::Str(literal))) = (&**left, &**right) else {
                unreachable!("one side is a string literal")
            };
            let value = evaluate(other, context)?;
            let equal = string_equals(&value, literal, context)?;
            Ok(Value::Int(Integer::int(i128::from(equal == (*op == BinaryOp::Eq)))))
        }
        Expr::Identifier(name) => lookup(name, context),
        Expr::Member { base, member, through_pointer } => {
            let mut base = evaluate(base, context)?;
            if *through_pointer {
                base = deref(&base, context)?;
            }
            member_of(base, member, context)
        }
        Expr::Method { base, method } => {
            let base = evaluate(base, context)?;
            method_of(&base, method, context)
        }
        Expr::Index(base, index) => {
            let base = evaluate(base, context)?;
            let index = match scalar(&evaluate(index, context)?, context.symbols)? {
                Scalar::Int(i) => i64::try_from(i.value).map_err(|_| "index out of range")?,
                Scalar::Float(_) => return Err("an index must be an integer".into()),
            };
            index_of(&base, index, context)
        }
        Expr::Unary(op, operand) => {
            let value = evaluate(operand, context)?;
            unary(*op, &value, context)
        }
        Expr::Cast(to, operand) => cast(to, &evaluate(operand, context)?, context.symbols),
        Expr::Binary(BinaryOp::And, left, right) => {
            let truth = is_true(&evaluate(left, context)?, context.symbols)?
                && is_true(&evaluate(right, context)?, context.symbols)?;
            Ok(Value::Int(Integer::int(i128::from(truth))))
        }
        Expr::Binary(BinaryOp::Or, left, right) => {
            let truth = is_true(&evaluate(left, context)?, context.symbols)?
                || is_true(&evaluate(right, context)?, context.symbols)?;
            Ok(Value::Int(Integer::int(i128::from(truth))))
        }
        Expr::Binary(op, left, right) => {
            let (left, right) = (evaluate(left, context)?, evaluate(right, context)?);
            binary(*op, &left, &right, context.symbols)
        }
    }
}

/// Whether a value counts as true (conditions).
pub fn is_true(value: &Value, symbols: &ModuleSymbols) -> Result<bool> {
    Ok(match scalar(value, symbols)? {
        Scalar::Int(v) => !v.is_zero(),
        Scalar::Float(v) => v != 0.0,
    })
}

/// A value as a number, both as an integer and as a float (assignments).
pub fn as_number(value: &Value, symbols: &ModuleSymbols) -> Result<(i128, f64)> {
    Ok(match scalar(value, symbols)? {
        Scalar::Int(v) => (v.value, v.value as f64),
        Scalar::Float(v) => (v as i128, v),
    })
}

fn lookup(name: &str, context: &mut EvalContext<'_>) -> Result<Value> {
    if let Some(raw) = name.strip_prefix('$') {
        return wasm_place(raw, context);
    }
    let scopes = context.symbols.variables_at(context.pc).map_err(|e| e.to_string())?;
    // Innermost lexical block first: a shadowing local wins. Borrowed, not
    // cloned: conditions run this at every breakpoint hit.
    let in_scope = scopes.get(context.inline_frame).and_then(|scope| {
        // (`rev`: of equally deep ones, the first declared.)
        let variable = scope.variables.iter().rev().filter(|v| v.name == name).max_by_key(|v| v.block_depth)?;
        Some((variable, scope.frame_base.as_ref()))
    });
    if let Some((variable, frame_base)) = in_scope {
        return Ok(Value::Object(read_value(context.symbols, context.view, context.frame, variable, frame_base)?));
    }
    // In a C++ member function a bare name may be a member: `radius_` is
    // `this->radius_` (before globals, as C++ looks names up).
    if name != "this"
        && scopes.get(context.inline_frame).is_some_and(|scope| scope.variables.iter().any(|v| v.name == "this"))
        && let Ok(this) = lookup("this", context)
        && let Ok(object) = deref(&this, context)
        && let Ok(member) = member_of(object, name, context)
    {
        return Ok(member);
    }
    let globals = context.symbols.globals_at(context.pc).map_err(|e| e.to_string())?;
    let variable = match globals.into_iter().find(|g| g.name == name) {
        Some(g) => g,
        None => context
            .symbols
            .all_globals()
            .map_err(|e| e.to_string())?
            .into_iter()
            .find(|g| g.name == name)
            .ok_or_else(|| format!("no variable `{name}` in scope"))?,
    };
    Ok(Value::Object(read_value(context.symbols, context.view, context.frame, &variable, None)?))
}

/// `$localN`, `$stackN` (N from the bottom of the operand stack) and
/// `$globalN`: the raw Wasm values of the frame, as the Wasm scope lists
/// them (its variables' evaluate names). i32 is `int`, i64 `long long`.
fn wasm_place(raw: &str, context: &mut EvalContext<'_>) -> Result<Value> {
    let digits_at = raw.find(|c: char| c.is_ascii_digit()).unwrap_or(raw.len());
    let (kind, digits) = raw.split_at(digits_at);
    let unknown = || format!("no Wasm value `${raw}`: use $localN, $stackN or $globalN");
    let index: u32 = digits.parse().map_err(|_| unknown())?;
    let value = match kind {
        "local" => context.view.local(context.frame, index)?,
        "global" => context.view.global(index)?,
        "stack" => {
            let state = context.view.wasm_state(context.frame)?;
            let depth = state.stack.len();
            *state.stack.get(index as usize).ok_or_else(|| format!("the operand stack holds {depth} values"))?
        }
        _ => return Err(unknown()),
    };
    Ok(match value {
        WasmValue::I32(v) => Value::Int(Integer::new(i128::from(v), IntType::INT)),
        WasmValue::I64(v) => Value::Int(Integer::new(i128::from(v), IntType { signed: true, bits: 64 })),
        WasmValue::F32(v) => Value::Float(f64::from(v)),
        WasmValue::F64(v) => Value::Float(v),
        WasmValue::Other => {
            return Err(format!("`${raw}` is a reference or vector value, which expressions cannot use"));
        }
    })
}

fn read_object(ty: Option<DieRef>, address: MemoryAddress, context: &mut EvalContext<'_>) -> Result<Value> {
    let size = size_of(context.symbols, ty).ok_or("the pointed-to type has no size")?;
    let bytes = context.view.read_memory(address, size as usize)?;
    Ok(Value::Object(Object::new(ty, bytes, Some(address))))
}

/// The type a pointer or reference value points to, and its address.
fn pointer_parts(value: &Value, symbols: &ModuleSymbols) -> Result<(Option<DieRef>, MemoryAddress)> {
    match value {
        Value::Pointer { pointee, address } => Ok((*pointee, *address)),
        Value::Object(object) => match resolve(symbols, object.ty).as_deref() {
            Some(Type::Pointer { pointee, size, .. } | Type::Reference { pointee, size, .. }) => {
                known_in_full(object)?;
                Ok((*pointee, MemoryAddress(read_uint(&object.bytes, *size).ok_or("unreadable pointer")?)))
            }
            _ => Err(format!("`{}` is not a pointer", type_name(symbols, object.ty))),
        },
        _ => Err("not a pointer".into()),
    }
}

fn deref(value: &Value, context: &mut EvalContext<'_>) -> Result<Value> {
    let (pointee, address) = pointer_parts(value, context.symbols)?;
    if address.0 == 0 {
        return Err("null pointer".into());
    }
    read_object(pointee, address, context)
}

fn member_of(value: Value, member: &str, context: &mut EvalContext<'_>) -> Result<Value> {
    let Value::Object(object) = value else {
        return Err(format!("no member `{member}` in a number"));
    };
    let ty = object.ty;
    // A reference is used like the object it refers to; so are Rust's named
    // pointers (`&T`, `&mut T`, `*const T`, `Box<T>`): Rust, and LLDB for
    // Rust, reach fields through them with `.`. C's unnamed pointers keep
    // C's rule (`->`).
    if let Some(Type::Reference { .. } | Type::Pointer { name: Some(_), .. }) = resolve(context.symbols, ty).as_deref()
    {
        let target = deref(&Value::Object(object), context)?;
        return member_of(target, member, context);
    }
    let (member_ty, offset, bits) = find_member(context.symbols, ty, member, 0, 0)
        .ok_or_else(|| format!("`{}` has no member `{member}`", type_name(context.symbols, ty)))?;
    let size = size_of(context.symbols, member_ty).unwrap_or(0);
    let part = part_of(&object, member_ty, offset, size).map_err(|e| format!("`{member}`: {e}"))?;
    Ok(match bits {
        Some((bit_size, bit_offset)) => {
            known_in_full(&part).map_err(|e| format!("`{member}`: {e}"))?;
            let raw = read_uint(&part.bytes, part.bytes.len() as u64).unwrap_or(0);
            let mask = if bit_size >= 64 { u64::MAX } else { (1 << bit_size) - 1 };
            // A bit-field narrower than int promotes to int.
            let ty = if bit_size < 32 { IntType::INT } else { IntType::promoted(size, false) };
            Value::Int(Integer::new(i128::from((raw >> bit_offset) & mask), ty))
        }
        None => Value::Object(part),
    })
}

/// `size` bytes of `object` at `offset`, as a value of type `ty`: with the
/// unknown ones among them, or an error when none of them is known.
fn part_of(object: &Object, ty: Option<DieRef>, offset: u64, size: u64) -> Result<Object> {
    let start = offset as usize;
    let bytes = object.bytes.get(start..start + size as usize).unwrap_or_default();
    object.member(ty, offset, bytes).ok_or_else(|| "optimized out".to_owned())
}

/// An error unless every byte of `object` is known: numbers are computed
/// from whole values only.
fn known_in_full(object: &Object) -> Result<()> {
    if object.unknown.is_empty() {
        return Ok(());
    }
    let missing: u64 = object.unknown.iter().map(|r| r.end - r.start).sum();
    let size = object.bytes.len() as u64;
    Err(format!("partly optimized out: {} of its {size} bytes are known", size.saturating_sub(missing)))
}

/// Whether the string `value` holds is `literal`: a Rust `String` or
/// `&str`, a libc++ `std::string`, or a C string (`char *`, `char[N]`) up to
/// its NUL. Through Rust references.
fn string_equals(value: &Value, literal: &[u8], context: &mut EvalContext<'_>) -> Result<bool> {
    let value = behind_references(value, context)?;
    if let Value::Object(object) = &value {
        known_in_full(object)?;
        if let Some(text) = pretty::string_contents(context.symbols, context.view, object, literal.len() + 1) {
            return Ok(text? == literal);
        }
    }
    // A C string: the literal's bytes, then its NUL.
    let (pointee, address) = match &value {
        Value::Object(Object { ty, address: Some(address), .. })
            if matches!(resolve(context.symbols, *ty).as_deref(), Some(Type::Array { .. })) =>
        {
            let Some(Type::Array { element, .. }) = resolve(context.symbols, *ty).as_deref().cloned() else {
                unreachable!("matched an array")
            };
            (element, *address)
        }
        other => pointer_parts(other, context.symbols)
            .map_err(|_| format!("`{}` is not a string", value.type_name(context.symbols)))?,
    };
    if size_of(context.symbols, pointee) != Some(1) {
        return Err(format!("`{}` is not a string", value.type_name(context.symbols)));
    }
    if address.0 == 0 {
        return Err("null pointer".into());
    }
    let mut wanted = literal.to_vec();
    wanted.push(0);
    if let Ok(read) = context.view.read_memory(address, wanted.len()) {
        return Ok(read == wanted);
    }
    // Near the end of memory: byte by byte, up to the first difference (a
    // shorter string may end just before the edge).
    for (offset, expected) in wanted.iter().enumerate() {
        let byte = context.view.read_memory(MemoryAddress(address.0 + offset as u64), 1)?;
        if byte.first() != Some(expected) {
            return Ok(false);
        }
    }
    Ok(true)
}

/// `len()` and `is_empty()` of a library sequence (Rust `String`, `&str`,
/// `Vec`, slices; libc++ `std::string`, `std::vector`), through Rust
/// references: read from the value, as the Variables view shows it. No
/// other method: calling the program's code is not something a stop does.
fn method_of(value: &Value, method: &str, context: &mut EvalContext<'_>) -> Result<Value> {
    let value = behind_references(value, context)?;
    let Value::Object(object) = &value else {
        return Err(format!("a number has no method `{method}()`"));
    };
    let len = || -> Result<u64> {
        known_in_full(object)?;
        pretty::length(context.symbols, object.ty, &object.bytes)
            .ok_or_else(|| format!("`{}` has no length", type_name(context.symbols, object.ty)))
    };
    match method {
        // wasm32's usize (and size_t) is a 32-bit unsigned.
        "len" | "size" | "length" => Ok(Value::Int(Integer::new(i128::from(len()?), IntType::UINT))),
        "is_empty" | "empty" => Ok(Value::Int(Integer::int(i128::from(len()? == 0)))),
        other => Err(format!(
            "`{other}()` cannot be called: expressions read the stopped program and run none of its code \
             (`len()` and `is_empty()` of strings, vectors and slices are answered)"
        )),
    }
}

/// The member names reachable through a pointer of type `pointer_ty`
/// (bases included): what a bare name can mean inside a C++ member
/// function, for completions.
pub fn members_through(symbols: &ModuleSymbols, pointer_ty: Option<DieRef>) -> Vec<String> {
    let Some(Type::Pointer { pointee, .. } | Type::Reference { pointee, .. }) =
        resolve(symbols, pointer_ty).as_deref().cloned()
    else {
        return Vec::new();
    };
    let mut names = Vec::new();
    collect_members(symbols, pointee, &mut names, 0);
    names
}

/// The member names `value.` (or `value->`) can be followed by: its own
/// members, or those of what it points or refers to.
pub fn members_of(symbols: &ModuleSymbols, value: &Value) -> Vec<String> {
    let mut names = Vec::new();
    match value {
        Value::Pointer { pointee, .. } => collect_members(symbols, *pointee, &mut names, 0),
        Value::Object(object) => match resolve(symbols, object.ty).as_deref() {
            Some(Type::Pointer { .. } | Type::Reference { .. }) => return members_through(symbols, object.ty),
            _ => collect_members(symbols, object.ty, &mut names, 0),
        },
        Value::Int(_) | Value::Float(_) => {}
    }
    names
}

fn collect_members(symbols: &ModuleSymbols, ty: Option<DieRef>, names: &mut Vec<String>, depth: usize) {
    if depth > 16 {
        return;
    }
    let Some(t) = resolve(symbols, ty) else {
        return;
    };
    let Type::Composite { members, bases, .. } = &*t else {
        return;
    };
    names.extend(members.iter().filter(|m| !m.artificial).filter_map(|m| m.name.clone()));
    for base in bases {
        collect_members(symbols, base.ty, names, depth + 1);
    }
}

/// A member's type, byte offset in the outer value and bit-field placement.
type FoundMember = (Option<DieRef>, u64, Option<(u64, u64)>);

/// Finds a member by name, searching base classes too.
fn find_member(
    symbols: &ModuleSymbols,
    ty: Option<DieRef>,
    name: &str,
    base_offset: u64,
    depth: usize,
) -> Option<FoundMember> {
    if depth > 16 {
        return None;
    }
    let t = resolve(symbols, ty)?;
    let Type::Composite { members, bases, .. } = &*t else {
        return None;
    };
    if let Some(m) = members.iter().find(|m| m.name.as_deref() == Some(name)) {
        return Some((m.ty, base_offset + m.offset, m.bits));
    }
    bases.iter().find_map(|b| find_member(symbols, b.ty, name, base_offset + b.offset, depth + 1))
}

/// A Rust reference (`&T`, `&mut T`: a reference or a pointer named with
/// `&`), which indexing and methods go through as Rust does.
fn is_rust_reference(symbols: &ModuleSymbols, ty: Option<DieRef>) -> bool {
    match resolve(symbols, ty).as_deref() {
        Some(Type::Reference { .. }) => true,
        Some(Type::Pointer { name: Some(name), .. }) => name.starts_with('&'),
        _ => false,
    }
}

/// References followed to the value behind them before giving up.
const MAX_REFERENCES_FOLLOWED: usize = 8;

/// The value behind the Rust (and C++) references `value` is: what an
/// index, a method or a string comparison applies to, as in Rust. A
/// bounded number of them: DWARF may describe a reference to itself.
fn behind_references(value: &Value, context: &mut EvalContext<'_>) -> Result<Value> {
    let mut value = value.clone();
    for _ in 0..MAX_REFERENCES_FOLLOWED {
        match &value {
            Value::Object(object) if is_rust_reference(context.symbols, object.ty) => value = deref(&value, context)?,
            _ => break,
        }
    }
    Ok(value)
}

/// `value[index]`: an array's element; a Rust `Vec`'s or slice's, a libc++
/// vector's (bounds checked); else C's pointer arithmetic (C pointers and
/// Rust raw pointers).
fn index_of(value: &Value, index: i64, context: &mut EvalContext<'_>) -> Result<Value> {
    let value = &behind_references(value, context)?;
    if let Value::Object(object) = value
        && let Some(Type::Array { element, counts }) = resolve(context.symbols, object.ty).as_deref()
    {
        let count = counts.first().copied().flatten();
        if index < 0 || count.is_some_and(|c| index as u64 >= c) {
            return Err(format!("index {index} is out of bounds (array of {})", count.unwrap_or(0)));
        }
        let element_size = size_of(context.symbols, *element).ok_or("the element type has no size")?;
        let row = counts[1..].iter().map(|c| c.unwrap_or(0)).product::<u64>() * element_size;
        let start = index as u64 * row;
        if start + row > object.bytes.len() as u64 {
            return Err("index beyond the value".into());
        }
        if counts.len() > 1 {
            return Err("indexing one dimension of a multi-dimensional array is not supported yet".into());
        }
        return Ok(Value::Object(part_of(object, *element, start, row).map_err(|e| format!("[{index}]: {e}"))?));
    }
    if let Value::Object(object) = value {
        // A library sequence (a Rust Vec or slice, a libc++ vector) indexes
        // its elements, as the Variables view opens it.
        let sequence = pretty::rust_sequence(context.symbols, object.ty, &object.bytes)
            .or_else(|| pretty::libcxx_vector(context.symbols, object.ty, &object.bytes));
        if let Some((element, data, len)) = sequence {
            known_in_full(object)?;
            if index < 0 || index as u64 >= len {
                return Err(format!("index {index} is out of bounds (length {len})"));
            }
            let size = size_of(context.symbols, element).ok_or("the element type has no size")?;
            return read_object(element, MemoryAddress(data.0 + index as u64 * size), context);
        }
    }
    let (pointee, address) = pointer_parts(value, context.symbols)?;
    let size = size_of(context.symbols, pointee).ok_or("the pointed-to type has no size")?;
    read_object(pointee, MemoryAddress(address.0.wrapping_add_signed(index * size as i64)), context)
}

fn unary(op: UnaryOp, value: &Value, context: &mut EvalContext<'_>) -> Result<Value> {
    match op {
        UnaryOp::Deref => deref(value, context),
        UnaryOp::AddressOf => match value {
            Value::Object(Object { ty, address: Some(address), .. }) => {
                Ok(Value::Pointer { pointee: *ty, address: *address })
            }
            _ => Err("the value has no address (it lives in a Wasm local or was computed)".into()),
        },
        UnaryOp::Negate => Ok(match scalar(value, context.symbols)? {
            Scalar::Int(v) => Value::Int(Integer::new(-v.value, v.ty)),
            Scalar::Float(v) => Value::Float(-v),
        }),
        UnaryOp::Not => Ok(Value::Int(Integer::int(i128::from(!is_true(value, context.symbols)?)))),
        UnaryOp::BitNot => Ok(match scalar(value, context.symbols)? {
            Scalar::Int(v) => Value::Int(Integer::new(!v.value, v.ty)),
            Scalar::Float(_) => return Err("~ needs an integer".into()),
        }),
    }
}

fn scalar(value: &Value, symbols: &ModuleSymbols) -> Result<Scalar> {
    match value {
        Value::Int(v) => Ok(Scalar::Int(*v)),
        Value::Float(v) => Ok(Scalar::Float(*v)),
        Value::Pointer { address, .. } => Ok(Scalar::Int(Integer::new(i128::from(address.0), IntType::UINT))),
        Value::Object(object) => {
            known_in_full(object)?;
            let (ty, bytes) = (&object.ty, &object.bytes);
            let t = resolve(symbols, *ty).ok_or("value of unknown type")?;
            match &*t {
                Type::Base { encoding, size, .. } => {
                    let raw = read_uint(bytes, *size).ok_or("unreadable value")?;
                    Ok(match encoding {
                        BaseEncoding::Float if *size == 4 => Scalar::Float(f64::from(f32::from_bits(raw as u32))),
                        BaseEncoding::Float => Scalar::Float(f64::from_bits(raw)),
                        BaseEncoding::Signed | BaseEncoding::SignedChar => {
                            let shift = 64 - size * 8;
                            let value = ((raw << shift) as i64) >> shift;
                            Scalar::Int(Integer::new(i128::from(value), IntType::promoted(*size, true)))
                        }
                        _ => Scalar::Int(Integer::new(i128::from(raw), IntType::promoted(*size, false))),
                    })
                }
                Type::Enum { size, .. } => {
                    let raw = read_uint(bytes, *size).ok_or("unreadable value")?;
                    let shift = 64 - size * 8;
                    let value = ((raw << shift) as i64) >> shift;
                    Ok(Scalar::Int(Integer::new(i128::from(value), IntType::promoted(*size, true))))
                }
                Type::Pointer { size, .. } => {
                    let address = read_uint(bytes, *size).ok_or("unreadable pointer")?;
                    Ok(Scalar::Int(Integer::new(i128::from(address), IntType::promoted(*size, false))))
                }
                _ => Err(format!("`{}` is not a number", type_name(symbols, *ty))),
            }
        }
    }
}

fn cast(to: &str, value: &Value, symbols: &ModuleSymbols) -> Result<Value> {
    let v = scalar(value, symbols)?;
    let whole = match v {
        Scalar::Int(i) => i.value,
        Scalar::Float(f) => f as i128,
    };
    // Narrow types are cast, then promoted back to int, as C uses them.
    let narrow = |n: i128| Value::Int(Integer::int(n));
    Ok(match to {
        "float" | "double" => Value::Float(to_f64(v)),
        "bool" | "_Bool" => narrow(i128::from(is_true(value, symbols)?)),
        "char" | "signed char" => narrow(i128::from(whole as i8)),
        "unsigned char" => narrow(i128::from(whole as u8)),
        "short" => narrow(i128::from(whole as i16)),
        "unsigned short" => narrow(i128::from(whole as u16)),
        "int" | "long" => Value::Int(Integer::new(whole, IntType::INT)),
        "unsigned" | "unsigned int" | "unsigned long" => Value::Int(Integer::new(whole, IntType::UINT)),
        "long long" => Value::Int(Integer::new(whole, IntType::LONG_LONG)),
        _ => Value::Int(Integer::new(whole, IntType::ULONG_LONG)),
    })
}

fn binary(op: BinaryOp, left: &Value, right: &Value, symbols: &ModuleSymbols) -> Result<Value> {
    // Pointer arithmetic scales by the pointee's size: `p - q` counts the
    // elements between two pointers (C's ptrdiff_t), `n + p` is `p + n`.
    if op == BinaryOp::Sub
        && let (Ok((pointee, a)), Ok((other, b))) = (pointer_parts(left, symbols), pointer_parts(right, symbols))
    {
        let size = size_of(symbols, pointee).unwrap_or(1).max(1);
        if size_of(symbols, other).unwrap_or(1).max(1) != size {
            return Err("subtracting pointers to elements of different sizes".into());
        }
        let bytes = (a.0 as i128) - (b.0 as i128);
        return Ok(Value::Int(Integer::new(bytes / i128::from(size), ptrdiff_type(a, b))));
    }
    if op == BinaryOp::Add && pointer_parts(left, symbols).is_err() && pointer_parts(right, symbols).is_ok() {
        return binary(op, right, left, symbols);
    }
    if matches!(op, BinaryOp::Add | BinaryOp::Sub)
        && let Ok((pointee, address)) = pointer_parts(left, symbols)
    {
        let n = match scalar(right, symbols)? {
            Scalar::Int(i) => i64::try_from(i.value).map_err(|_| "pointer offset out of range")?,
            Scalar::Float(_) => return Err("pointer arithmetic needs an integer".into()),
        };
        let size = size_of(symbols, pointee).unwrap_or(1) as i64;
        let delta = if op == BinaryOp::Add { n * size } else { -n * size };
        return Ok(Value::Pointer { pointee, address: MemoryAddress(address.0.wrapping_add_signed(delta)) });
    }
    let truth = |b: bool| Value::Int(Integer::int(i128::from(b)));
    let (a, b) = match (scalar(left, symbols)?, scalar(right, symbols)?) {
        (Scalar::Int(a), Scalar::Int(b)) => (a, b),
        (a, b) => {
            let (x, y) = (to_f64(a), to_f64(b));
            if let Some(holds) = comparison(op, x, y) {
                return Ok(truth(holds));
            }
            return Ok(match op {
                BinaryOp::Add => Value::Float(x + y),
                BinaryOp::Sub => Value::Float(x - y),
                BinaryOp::Mul => Value::Float(x * y),
                BinaryOp::Div => Value::Float(x / y),
                _ => return Err("that operator needs integers".into()),
            });
        }
    };
    if matches!(op, BinaryOp::Shl | BinaryOp::Shr) {
        // A shift has its left operand's type; counts past the width are
        // undefined in C, so refused.
        let count = u32::try_from(b.value).ok().filter(|c| *c < a.ty.bits).ok_or("shift count out of range")?;
        let shifted = if op == BinaryOp::Shl { a.value.wrapping_shl(count) } else { a.value >> count };
        return Ok(Value::Int(Integer::new(shifted, a.ty)));
    }
    let ty = IntType::common(a.ty, b.ty);
    let (x, y) = (a.to(ty).value, b.to(ty).value);
    let int = |v: i128| Value::Int(Integer::new(v, ty));
    if let Some(holds) = comparison(op, x, y) {
        return Ok(truth(holds));
    }
    Ok(match op {
        BinaryOp::Add => int(x.wrapping_add(y)),
        BinaryOp::Sub => int(x.wrapping_sub(y)),
        BinaryOp::Mul => int(x.wrapping_mul(y)),
        BinaryOp::Div | BinaryOp::Rem if y == 0 => return Err("division by zero".into()),
        BinaryOp::Div => int(x / y),
        BinaryOp::Rem => int(x % y),
        BinaryOp::BitAnd => int(x & y),
        BinaryOp::BitOr => int(x | y),
        BinaryOp::BitXor => int(x ^ y),
        BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge | BinaryOp::Eq | BinaryOp::Ne => {
            unreachable!("comparisons are evaluated above")
        }
        BinaryOp::Shl | BinaryOp::Shr => unreachable!("shifts are evaluated above"),
        BinaryOp::And | BinaryOp::Or => {
            unreachable!("short-circuit operators are evaluated before")
        }
    })
}

/// C's `ptrdiff_t` for a difference of two addresses: 32-bit `long` in
/// wasm32, 64-bit where an address needs more.
fn ptrdiff_type(a: MemoryAddress, b: MemoryAddress) -> IntType {
    if a.0.max(b.0) > u64::from(u32::MAX) { IntType::LONG_LONG } else { IntType::INT }
}

/// Whether comparison `op` holds of `x` and `y`; `None` for an operator
/// that is not a comparison.
fn comparison<T: PartialOrd + Copy>(op: BinaryOp, x: T, y: T) -> Option<bool> {
    Some(match op {
        BinaryOp::Lt => x < y,
        BinaryOp::Le => x <= y,
        BinaryOp::Gt => x > y,
        BinaryOp::Ge => x >= y,
        BinaryOp::Eq => x == y,
        BinaryOp::Ne => x != y,
        _ => return None,
    })
}

fn to_f64(s: Scalar) -> f64 {
    match s {
        Scalar::Int(v) => v.value as f64,
        Scalar::Float(v) => v,
    }
}
