//! Wasm values as V8 hands them over. In a Wasm frame, the debugger's
//! evaluation scope has `locals`, `stack`, `globals` and `memories`, whose
//! entries are `{type, value}` objects; one expression turns a frame's
//! whole state into a JSON string, so a stop costs one round trip per frame
//! rather than one per value.

use wasmscope_debugger::target::WasmValue;

/// Evaluated in a Wasm frame: `[[locals], [stack]]`, each value `[type,
/// text]` (i64 as decimal text, floats as JavaScript prints them).
pub const FRAME_STATE: &str = "JSON.stringify([Object.values(locals), Object.values(stack)].map(values => \
     values.map(v => [v.type, Object.is(v.value, -0) ? '-0' : String(v.value)])))";

/// Evaluated in a Wasm frame: the instance's globals, in index order.
pub const GLOBALS: &str =
    "JSON.stringify(Object.values(globals).map(v => [v.type, Object.is(v.value, -0) ? '-0' : String(v.value)]))";

/// The first memory's size in bytes.
pub const MEMORY_SIZE: &str = "Object.values(memories)[0].buffer.byteLength";

/// Reads `len` bytes at `address` of the first memory, as hex; null when
/// out of bounds.
pub fn read_memory(address: u64, len: usize) -> String {
    format!(
        "(() => {{ const b = Object.values(memories)[0].buffer; if ({address} + {len} > b.byteLength) return null; \
         let s = ''; for (const x of new Uint8Array(b, {address}, {len})) s += x.toString(16).padStart(2, '0'); \
         return s; }})()"
    )
}

/// Writes bytes (given as hex) at `address` of the first memory; false when
/// out of bounds.
pub fn write_memory(address: u64, bytes: &[u8]) -> String {
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let len = bytes.len();
    format!(
        "(() => {{ const b = Object.values(memories)[0].buffer; if ({address} + {len} > b.byteLength) return false; \
         const u = new Uint8Array(b, {address}, {len}); const h = '{hex}'; \
         for (let i = 0; i < {len}; i++) u[i] = parseInt(h.substr(2 * i, 2), 16); return true; }})()"
    )
}

/// Decodes the JSON text of [`FRAME_STATE`] or [`GLOBALS`]' lists.
pub fn parse_values(list: &serde_json::Value) -> Result<Vec<WasmValue>, String> {
    let items = list.as_array().ok_or("not a list of Wasm values")?;
    items
        .iter()
        .map(|item| {
            let kind = item[0].as_str().ok_or("a Wasm value without its type")?;
            let text = item[1].as_str().ok_or("a Wasm value without its value")?;
            Ok(parse_value(kind, text))
        })
        .collect()
}

fn parse_value(kind: &str, text: &str) -> WasmValue {
    let parsed = match kind {
        "i32" => text.parse::<i64>().ok().map(|v| WasmValue::I32(v as i32)),
        "i64" => text.parse::<i128>().ok().map(|v| WasmValue::I64(v as i64)),
        "f32" => parse_float(text).map(|v| WasmValue::F32(v as f32)),
        "f64" => parse_float(text).map(WasmValue::F64),
        _ => None,
    };
    parsed.unwrap_or(WasmValue::Other)
}

fn parse_float(text: &str) -> Option<f64> {
    match text {
        "NaN" => Some(f64::NAN),
        "Infinity" => Some(f64::INFINITY),
        "-Infinity" => Some(f64::NEG_INFINITY),
        _ => text.parse().ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_type_decodes_as_v8_prints_it() {
        let list = serde_json::json!([
            ["i32", "-5"],
            ["i32", "4294967295"],
            ["i64", "-9223372036854775808"],
            ["f32", "1.5"],
            ["f64", "-0"],
            ["f64", "Infinity"],
            ["v128", "i32x4 1 2 3 4"],
        ]);
        let values = parse_values(&list).unwrap();
        assert_eq!(values[0], WasmValue::I32(-5));
        assert_eq!(values[1], WasmValue::I32(-1));
        assert_eq!(values[2], WasmValue::I64(i64::MIN));
        assert_eq!(values[3], WasmValue::F32(1.5));
        assert!(matches!(values[4], WasmValue::F64(v) if v == 0.0 && v.is_sign_negative()));
        assert_eq!(values[5], WasmValue::F64(f64::INFINITY));
        assert_eq!(values[6], WasmValue::Other);
        assert!(parse_values(&serde_json::json!([["i32"]])).is_err());
    }
}
