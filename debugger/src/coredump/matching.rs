//! Which core module of the program each of a dump's instances runs, and
//! whether the dump belongs to the program at all. A dump wasmscope wrote
//! says (its note: the program's fingerprint, modules in file order); one
//! from wasmtime names its modules `<module>`, so each is matched to the
//! program's module whose globals, memories and functions fit its frames.

use super::format::{CoreDump, DumpFrame};
use super::note::ProgramFingerprint;
use crate::symbols::CoreModule;

/// For each instance of the dump, the index of the program's core module it
/// runs (`None`: no frame is in it and nothing fits). `program` is the
/// program's file, `modules` its core modules, `name` what to call it.
pub fn match_instances(
    dump: &CoreDump,
    program: &[u8],
    modules: &[CoreModule],
    name: &str,
) -> Result<Vec<Option<usize>>, String> {
    let modules: Vec<&CoreModule> = modules.iter().collect();
    if let Some(note) = &dump.note {
        if let Some(recorded) = note.program_fingerprint {
            let actual = ProgramFingerprint::of(program);
            if recorded != actual {
                return Err(format!(
                    "the coredump is of another build of the program: it was written for a {}-byte file, and {name} \
                     ({} bytes) differs",
                    recorded.size, actual.size
                ));
            }
        }
        if note.modules_in_file_order {
            let matched: Vec<Option<usize>> =
                dump.instances.iter().map(|i| Some(i.module as usize).filter(|m| *m < modules.len())).collect();
            check_frames(dump, &matched, &modules, name)?;
            return Ok(matched);
        }
    }
    let mut taken = vec![false; modules.len()];
    let mut of_dump_module: Vec<Option<usize>> = vec![None; dump.modules.len()];
    for (d, slot) in of_dump_module.iter_mut().enumerate() {
        let instances: Vec<usize> =
            dump.instances.iter().enumerate().filter(|(_, i)| i.module as usize == d).map(|(n, _)| n).collect();
        let fits = |m: &CoreModule| {
            instances.iter().all(|&n| {
                let instance = &dump.instances[n];
                instance.globals.len() == m.global_count as usize
                    && instance.memories.len() == m.memory_count as usize
                    && frames_of(dump, n).all(|f| frame_fits(f, m))
            })
        };
        if let Some(m) = (0..modules.len()).find(|&m| !taken[m] && fits(modules[m])) {
            taken[m] = true;
            *slot = Some(m);
        }
    }
    let matched: Vec<Option<usize>> = dump.instances.iter().map(|i| of_dump_module[i.module as usize]).collect();
    check_frames(dump, &matched, &modules, name)?;
    Ok(matched)
}

fn frames_of(dump: &CoreDump, instance: usize) -> impl Iterator<Item = &DumpFrame> {
    dump.threads.iter().flat_map(|t| &t.frames).filter(move |f| f.instance as usize == instance)
}

/// The frame is at an instruction boundary-ish place inside a function the
/// module defines.
fn frame_fits(frame: &DumpFrame, module: &CoreModule) -> bool {
    body_of(module, frame.function_index)
        .is_some_and(|body| body.body_start.0 + u64::from(frame.code_offset) < body.entry.end.0)
}

pub(super) fn body_of(module: &CoreModule, function_index: u32) -> Option<&crate::symbols::FunctionBody> {
    let defined = function_index.checked_sub(module.imported_functions)?;
    module.functions.get(defined as usize)
}

/// Every frame lands in a function of its module, or the dump is not this
/// program's.
fn check_frames(dump: &CoreDump, matched: &[Option<usize>], modules: &[&CoreModule], name: &str) -> Result<(), String> {
    for (n, frame) in dump.trapped_thread().frames.iter().enumerate() {
        let module = matched[frame.instance as usize].map(|m| modules[m]);
        if !module.is_some_and(|m| frame_fits(frame, m)) {
            return Err(format!(
                "the coredump is not of {name}: its frame {n} (function {}, offset {}) is in no function of the \
                 program",
                frame.function_index, frame.code_offset
            ));
        }
    }
    Ok(())
}
