//! Where DWARF comes from: the module itself, a separate file (named by
//! `external_debug_info`, or `APP.debug.wasm` beside the module, or given
//! explicitly), or nowhere (name section, then `wasm-function[N]`); and
//! modules inside a component.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use wasmscope_debugger::address::CodeOffset;
use wasmscope_debugger::symbols::{DebugSource, LoadOptions, NameOrigin, NameStyle, WasmSymbols};
use wasmscope_test_support::guest;
use wasmscope_test_support::wasm_edit::{component_of, with_custom_section, without_custom_sections};

fn scratch_dir(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("debug_info_sources").join(test);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn is_debug(name: &str) -> bool {
    name.starts_with(".debug_")
}

/// The frames at `offset` of `path`, rendered as (name, line) pairs.
fn frames(symbols: &WasmSymbols, module: usize, offset: CodeOffset) -> Vec<(String, u32)> {
    symbols
        .module(module)
        .unwrap()
        .frames_at(offset)
        .unwrap()
        .iter()
        .map(|f| (f.function.as_ref().unwrap().display(NameStyle::Llvm), f.location.as_ref().map_or(0, |l| l.line)))
        .collect()
}

/// Some instruction offsets spread over the module, and what the original
/// (DWARF inside) says about them.
fn reference(name: &str) -> (WasmSymbols, Vec<CodeOffset>) {
    let original = WasmSymbols::load(&guest(name), &LoadOptions::default()).unwrap();
    let all = original.module(0).unwrap().module().instruction_offsets().unwrap();
    let sample = all.iter().step_by(all.len() / 50).copied().collect();
    (original, sample)
}

#[test]
fn dwarf_is_found_through_external_debug_info_beside_and_explicit() {
    let (original, offsets) = reference("c-O2");
    let bytes = std::fs::read(guest("c-O2")).unwrap();
    let stripped = without_custom_sections(&bytes, is_debug);
    let dir = scratch_dir("separate");
    std::fs::write(dir.join("symbols.wasm"), &bytes).unwrap();

    // 1. external_debug_info names the file, relative to the module.
    let mut url = vec![b"symbols.wasm".len() as u8];
    url.extend_from_slice(b"symbols.wasm");
    let linked = dir.join("linked.wasm");
    std::fs::write(&linked, with_custom_section(&stripped, "external_debug_info", &url)).unwrap();
    // 2. APP.debug.wasm beside APP.wasm.
    let beside = dir.join("app.wasm");
    std::fs::write(&beside, &stripped).unwrap();
    std::fs::copy(dir.join("symbols.wasm"), dir.join("app.debug.wasm")).unwrap();
    // 3. Given explicitly, for a module that says nothing.
    let bare = dir.join("bare.wasm");
    std::fs::write(&bare, &stripped).unwrap();

    for (path, options, expected_file) in [
        (&linked, LoadOptions::default(), dir.join("symbols.wasm")),
        (&beside, LoadOptions::default(), dir.join("app.debug.wasm")),
        (
            &bare,
            LoadOptions { debug_file: Some(dir.join("symbols.wasm")), ..LoadOptions::default() },
            dir.join("symbols.wasm"),
        ),
    ] {
        let loaded = WasmSymbols::load(path, &options).unwrap();
        assert_eq!(loaded.module(0).unwrap().debug_source(), &DebugSource::SeparateFile(expected_file));
        for offset in &offsets {
            assert_eq!(frames(&loaded, 0, *offset), frames(&original, 0, *offset), "{} at {offset}", path.display());
        }
    }
}

#[test]
fn without_dwarf_names_come_from_the_name_section_then_are_synthetic() {
    let bytes = std::fs::read(guest("c-O0")).unwrap();
    let dir = scratch_dir("no_dwarf");
    let no_dwarf = dir.join("no-dwarf.wasm");
    std::fs::write(&no_dwarf, without_custom_sections(&bytes, is_debug)).unwrap();
    let no_names = dir.join("no-names.wasm");
    std::fs::write(&no_names, without_custom_sections(&bytes, |n| is_debug(n) || n == "name")).unwrap();

    let loaded = WasmSymbols::load(&no_dwarf, &LoadOptions::default()).unwrap();
    let module = loaded.module(0).unwrap();
    assert_eq!(module.debug_source(), &DebugSource::None);
    let body = module
        .module()
        .functions
        .iter()
        .find(|f| module.module().function_names.get(&f.index).map(String::as_str) == Some("factorial"));
    let body = body.expect("the name section names factorial");
    let frames = module.frames_at(body.first_instruction).unwrap();
    assert_eq!(frames.len(), 1);
    assert_eq!(frames[0].name_origin, NameOrigin::NameSection);
    assert_eq!(frames[0].function.as_ref().unwrap().raw, "factorial");
    assert!(frames[0].location.is_none());

    let loaded = WasmSymbols::load(&no_names, &LoadOptions::default()).unwrap();
    let frames = loaded.module(0).unwrap().frames_at(body.first_instruction).unwrap();
    assert_eq!(frames[0].name_origin, NameOrigin::Synthetic);
    assert_eq!(frames[0].function.as_ref().unwrap().raw, format!("wasm-function[{}]", body.index));
}

#[test]
fn each_core_module_of_a_component_symbolizes_like_the_module_alone() {
    let (first, first_offsets) = reference("c-O2");
    let (second, second_offsets) = reference("hotspots-O0");
    let component =
        component_of(&[&std::fs::read(guest("c-O2")).unwrap(), &std::fs::read(guest("hotspots-O0")).unwrap()]);
    let mut validator = wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all());
    validator.validate_all(&component).expect("a valid component");
    let dir = scratch_dir("component");
    let path = dir.join("two-modules.wasm");
    std::fs::write(&path, &component).unwrap();

    let loaded = WasmSymbols::load(&path, &LoadOptions::default()).unwrap();
    assert!(loaded.is_component());
    assert_eq!(loaded.modules().len(), 2);
    assert!(loaded.module(1).unwrap().module().bytes.file_offset() > 0);
    for offset in &first_offsets {
        assert_eq!(frames(&loaded, 0, *offset), frames(&first, 0, *offset));
    }
    for offset in &second_offsets {
        assert_eq!(frames(&loaded, 1, *offset), frames(&second, 0, *offset));
    }
    assert!(loaded.module(2).is_err(), "there is no third module");
}

#[test]
fn one_loaded_module_symbolizes_from_many_threads_at_once() {
    fn assert_shareable<T: Send + Sync>() {}
    assert_shareable::<WasmSymbols>();
    let (original, offsets) = reference("cpp-O2");
    let expected: Vec<_> = offsets.iter().map(|o| frames(&original, 0, *o)).collect();
    // A fresh load, so the threads race to build the lazy indexes too.
    let shared = WasmSymbols::load(&guest("cpp-O2"), &LoadOptions::default()).unwrap();
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                for (offset, want) in offsets.iter().zip(&expected) {
                    assert_eq!(&frames(&shared, 0, *offset), want);
                }
            });
        }
    });
}
