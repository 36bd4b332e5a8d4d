//! Reading and editing a stopped guest from inside the debug handler:
//! frames, Wasm locals and operand stack, globals, memory, breakpoints.

use anyhow::Context as _;
use wasmscope_debugger::address::{MemoryAddress, ModuleOffset};
use wasmscope_debugger::target::{TargetFrame, WasmState, WasmValue};
use wasmtime::{AsContextMut, ExternType, ModulePC, StoreContextMut, Val};

use super::handler::{HandlerShared, ModuleFacts};
use crate::host_data::HostData;
use crate::program::core_module_index;

/// The index and imported-function count of the module of `frame`.
pub(super) fn module_facts(
    shared: &HandlerShared,
    store: &mut StoreContextMut<'_, HostData>,
    frame: &wasmtime::FrameHandle,
) -> Result<ModuleFacts, String> {
    let module = frame.module(&mut *store).map_err(|e| e.to_string())?.ok_or("a frame without a module")?;
    let mut known = shared.module_facts.lock().unwrap_or_else(|p| p.into_inner());
    Ok(*known.entry(module.debug_index_in_engine()).or_insert_with(|| facts_of(module, core_module_index(module))))
}

/// What frames need to know of `module`, the program's `index`th core
/// module.
pub(super) fn facts_of(module: &wasmtime::Module, index: usize) -> ModuleFacts {
    let imported_functions =
        module.imports().filter(|import| matches!(import.ty(), ExternType::Func(_))).count() as u32;
    ModuleFacts { index, imported_functions }
}

/// A frame handle's Wasm position, `None` for a host frame.
pub(super) fn target_frame(
    shared: &HandlerShared,
    store: &mut StoreContextMut<'_, HostData>,
    frame: &wasmtime::FrameHandle,
    unsettled: bool,
) -> Result<Option<TargetFrame>, String> {
    let Some((defined, pc)) = frame.wasm_function_index_and_pc(&mut *store).map_err(|e| e.to_string())? else {
        return Ok(None);
    };
    // A module is the only core module there is: no lookup per frame (this
    // runs for every frame of every stack, and at every conditional break).
    // An unsettled frame's module cannot be asked for: it is taken to be the
    // program's own, where the recursions that exhaust a stack run.
    let facts =
        if shared.is_component && !unsettled { module_facts(shared, store, frame)? } else { shared.program_facts };
    Ok(Some(TargetFrame {
        module: facts.index,
        function_index: facts.imported_functions + defined.as_u32(),
        offset: ModuleOffset(u64::from(pc.raw())),
    }))
}

pub(super) fn module_pc(offset: ModuleOffset) -> anyhow::Result<ModulePC> {
    Ok(ModulePC::new(u32::try_from(offset.0).context("module offset beyond 4 GiB")?))
}

/// The Wasm frames of the innermost activation, innermost first.
pub(super) fn frames(
    shared: &HandlerShared,
    store: &mut StoreContextMut<'_, HostData>,
) -> Result<Vec<TargetFrame>, String> {
    let mut out = Vec::new();
    let mut current = store.debug_exit_frames().next();
    while let Some(frame) = current {
        let unsettled = out.is_empty() && is_unsettled(shared);
        out.extend(target_frame(shared, store, &frame, unsettled)?);
        current = frame.parent(&mut *store).map_err(|e| e.to_string())?;
    }
    Ok(out)
}

/// Whether the innermost frame cannot be inspected (see
/// `HandlerShared::innermost_unsettled`).
pub(super) fn is_unsettled(shared: &HandlerShared) -> bool {
    shared.innermost_unsettled.load(std::sync::atomic::Ordering::Relaxed)
}

/// The frame whose locals and operand stack are asked for, unless it is one
/// Wasmtime cannot read.
fn inspectable_frame(
    shared: &HandlerShared,
    store: &mut StoreContextMut<'_, HostData>,
    n: usize,
) -> Result<wasmtime::FrameHandle, String> {
    if n == 0 && is_unsettled(shared) {
        return Err("this call was entered as the stack ran out; it never stored its locals, so there is nothing \
                    to read (its callers' frames can be inspected)"
            .into());
    }
    nth_frame(store, n)
}

pub(super) fn nth_frame(store: &mut StoreContextMut<'_, HostData>, n: usize) -> Result<wasmtime::FrameHandle, String> {
    let mut current = store.debug_exit_frames().next();
    let mut seen = 0;
    while let Some(frame) = current {
        if frame.wasm_function_index_and_pc(&mut *store).map_err(|e| e.to_string())?.is_some() {
            if seen == n {
                return Ok(frame);
            }
            seen += 1;
        }
        current = frame.parent(&mut *store).map_err(|e| e.to_string())?;
    }
    Err(format!("no frame {n}"))
}

pub(super) fn local(
    shared: &HandlerShared,
    store: &mut StoreContextMut<'_, HostData>,
    frame: usize,
    index: u32,
) -> Result<WasmValue, String> {
    let handle = inspectable_frame(shared, store, frame)?;
    let count = handle.num_locals(&mut *store).map_err(|e| e.to_string())?;
    if index >= count {
        return Err(format!("frame {frame} has {count} locals, not {}", index + 1));
    }
    Ok(value(handle.local(&mut *store, index).map_err(|e| e.to_string())?))
}

pub(super) fn wasm_state(
    shared: &HandlerShared,
    store: &mut StoreContextMut<'_, HostData>,
    frame: usize,
) -> Result<WasmState, String> {
    let handle = inspectable_frame(shared, store, frame)?;
    let locals = handle.num_locals(&mut *store).map_err(|e| e.to_string())?;
    let stack = handle.num_stacks(&mut *store).map_err(|e| e.to_string())?;
    Ok(WasmState {
        locals: (0..locals)
            .map(|i| handle.local(&mut *store, i).map(value))
            .collect::<Result<_, _>>()
            .map_err(|e| e.to_string())?,
        stack: (0..stack)
            .map(|i| handle.stack(&mut *store, i).map(value))
            .collect::<Result<_, _>>()
            .map_err(|e| e.to_string())?,
    })
}

/// The instance of the program's own module (a component's WASI adapter
/// has globals and a memory of its own): that of the innermost frame in it,
/// else the innermost frame's.
pub(super) fn program_instance(
    shared: &HandlerShared,
    store: &mut StoreContextMut<'_, HostData>,
) -> Result<wasmtime::Instance, String> {
    let wanted = shared.module.debug_index_in_engine();
    let mut current = store.debug_exit_frames().next();
    let mut innermost = None;
    let mut skip_unsettled = is_unsettled(shared);
    while let Some(frame) = current {
        if frame.wasm_function_index_and_pc(&mut *store).map_err(|e| e.to_string())?.is_some()
            && !std::mem::take(&mut skip_unsettled)
        {
            let module = frame.module(&mut *store).map_err(|e| e.to_string())?;
            if module.is_some_and(|m| m.debug_index_in_engine() == wanted) {
                return frame.instance(&mut *store).map_err(|e| e.to_string());
            }
            innermost.get_or_insert(frame.clone());
        }
        current = frame.parent(&mut *store).map_err(|e| e.to_string())?;
    }
    innermost.ok_or("no Wasm frame")?.instance(&mut *store).map_err(|e| e.to_string())
}

pub(super) fn global(
    shared: &HandlerShared,
    store: &mut StoreContextMut<'_, HostData>,
    index: u32,
) -> Result<WasmValue, String> {
    let instance = program_instance(shared, store)?;
    let global = instance.debug_global(&mut *store, index).ok_or_else(|| format!("no global {index}"))?;
    Ok(value(global.get(&mut *store)))
}

pub(super) fn memory(
    shared: &HandlerShared,
    store: &mut StoreContextMut<'_, HostData>,
) -> Result<wasmtime::Memory, String> {
    let instance = program_instance(shared, store)?;
    instance.debug_memory(&mut *store, 0).ok_or_else(|| "the module has no linear memory".to_owned())
}

pub(super) fn read_memory(
    shared: &HandlerShared,
    store: &mut StoreContextMut<'_, HostData>,
    address: MemoryAddress,
    len: usize,
) -> Result<Vec<u8>, String> {
    let memory = memory(shared, store)?;
    let mut buffer = vec![0; len];
    let start = usize::try_from(address.0).map_err(|e| e.to_string())?;
    memory
        .read(&*store, start, &mut buffer)
        .map_err(|_| format!("cannot read {len} bytes at {address}: out of bounds"))?;
    Ok(buffer)
}

pub(super) fn memory_size(shared: &HandlerShared, store: &mut StoreContextMut<'_, HostData>) -> Result<u64, String> {
    let memory = memory(shared, store)?;
    Ok(memory.data_size(&*store) as u64)
}

pub(super) fn write_memory(
    shared: &HandlerShared,
    store: &mut StoreContextMut<'_, HostData>,
    address: MemoryAddress,
    bytes: &[u8],
) -> Result<(), String> {
    let memory = memory(shared, store)?;
    let start = usize::try_from(address.0).map_err(|e| e.to_string())?;
    memory
        .write(&mut *store, start, bytes)
        .map_err(|_| format!("cannot write {} bytes at {address}: out of bounds", bytes.len()))
}

pub(super) fn set_breakpoints(
    shared: &HandlerShared,
    store: &mut StoreContextMut<'_, HostData>,
    offsets: Vec<ModuleOffset>,
) -> Result<(), String> {
    let mut current = shared.breakpoints.lock().unwrap_or_else(|p| p.into_inner());
    let mut edit = store.as_context_mut().edit_breakpoints().ok_or("guest debugging is off")?;
    for old in current.iter() {
        edit.remove_breakpoint(&shared.module, module_pc(*old).map_err(|e| e.to_string())?)
            .map_err(|e| e.to_string())?;
    }
    for new in &offsets {
        edit.add_breakpoint(&shared.module, module_pc(*new).map_err(|e| e.to_string())?).map_err(|e| e.to_string())?;
    }
    *current = offsets;
    Ok(())
}

pub(super) fn value(value: Val) -> WasmValue {
    match value {
        Val::I32(v) => WasmValue::I32(v),
        Val::I64(v) => WasmValue::I64(v),
        Val::F32(bits) => WasmValue::F32(f32::from_bits(bits)),
        Val::F64(bits) => WasmValue::F64(f64::from_bits(bits)),
        _ => WasmValue::Other,
    }
}
