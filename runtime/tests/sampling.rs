//! The sampler records real stacks: every frame maps to an offset inside
//! the function it names, and callers are at their call instruction.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use wasmscope_debugger::symbols::{LoadOptions, WasmSymbols};
use wasmscope_runtime::{GuestConfig, RunOutcome, SampledEnd, SamplerKind, SamplingOptions, run_sampled};
use wasmscope_test_support::guest;

fn options(sampler: SamplerKind) -> SamplingOptions {
    SamplingOptions {
        rate_hz: 2000,
        sampler,
        max_duration: None,
        stop: Arc::new(AtomicBool::new(false)),
        on_interrupt: None,
        progress: false,
    }
}

#[test]
fn epoch_sampled_frames_are_consistent_with_the_module() {
    frames_are_consistent_with_the_module(SamplerKind::Epoch, "hotspots-O0");
}

#[test]
fn signal_sampled_frames_are_consistent_with_the_module() {
    frames_are_consistent_with_the_module(SamplerKind::Signal, "hotspots-O0");
}

#[test]
fn component_frames_name_their_core_module_and_offsets_within_it() {
    // Wasmtime reports a component's code positions as offsets in the
    // component file; the samples must carry offsets in each core module.
    frames_are_consistent_with_the_module(SamplerKind::Epoch, "hotspots-O2-component");
    frames_are_consistent_with_the_module(SamplerKind::Signal, "hotspots-O2-component");
}

#[test]
fn a_duration_limit_stops_the_guest_and_keeps_the_samples() {
    for sampler in [SamplerKind::Epoch, SamplerKind::Signal] {
        let config = GuestConfig { program: guest("hotspots-O0"), args: vec!["1000".into()], ..Default::default() };
        let options = SamplingOptions { max_duration: Some(std::time::Duration::from_millis(300)), ..options(sampler) };
        let (end, raw) = run_sampled(&config, &options).unwrap();
        assert_eq!(end, SampledEnd::Stopped, "{sampler:?}");
        assert!(raw.duration.as_secs_f64() < 2.0, "{sampler:?}: stopped late, after {:?}", raw.duration);
        assert!(raw.sample_count() > 100, "{sampler:?}: {} samples", raw.sample_count());
    }
}

fn frames_are_consistent_with_the_module(sampler: SamplerKind, name: &str) {
    let program = guest(name);
    let config = GuestConfig { program: program.clone(), args: vec!["4".into()], ..Default::default() };
    let (end, raw) = run_sampled(&config, &options(sampler)).unwrap();
    assert_eq!(end, SampledEnd::Finished(RunOutcome::Exited(0)));
    assert!(raw.sample_count() > 20, "{} samples", raw.sample_count());
    let symbols = WasmSymbols::load(&program, &LoadOptions::default()).unwrap();
    let mut in_program = 0;
    for sample in &raw.samples {
        for (depth, frame) in sample.frames.iter().enumerate() {
            in_program += usize::from(frame.module == symbols.program_index());
            let module = symbols.module(frame.module).unwrap().module();
            let code = module.code.unwrap();
            let offset = code.to_code(frame.offset.expect("every frame has an offset")).expect("inside the code");
            let body = module.function_at(offset).expect("inside a function");
            assert_eq!(body.index, frame.function_index, "frame {depth} of {sample:?}");
            // wasmtime reports a caller frame at its call instruction.
            if depth > 0 {
                assert!(module.is_call(offset), "caller frame {depth} at {offset} is not at a call");
            }
        }
    }
    assert!(in_program > 0, "{name}: frames in the program's own module");
}
