//! Starting a compiled guest under guest debugging, on the debuggee's
//! thread.

use std::sync::atomic::Ordering;
use std::sync::mpsc::{Receiver, Sender};
use std::sync::{Arc, Mutex};

use anyhow::{Context as _, bail};
use wasmscope_debugger::address::ModuleOffset;
use wasmscope_debugger::output_budget::OutputBudget;
use wasmscope_debugger::target::{BreakPolicy, Resume};
use wasmtime::{AsContextMut, Config, Engine, Module, Store, UpdateDeadline};

use super::handler::{Handler, HandlerShared, set_single_step};
use super::inspect::{facts_of, module_pc};
use super::{Control, DebuggeeEvent, OutputStream, Request};
use crate::host_data::HostData;
use crate::program::{Compiled, core_module_index};
use crate::wasi_run::outcome_of;
use wasmscope_debugger::target::GuestConfig;
use wasmscope_debugger::target::RunOutcome;

pub(crate) fn debug_engine(guest: &GuestConfig) -> anyhow::Result<Engine> {
    let mut config = Config::new();
    config.guest_debug(true);
    // Guest-debug code keeps every Wasm local and operand in its frame
    // slot at each instruction, leaving the optimizer little to do:
    // without it compilation is about a third shorter and the code runs as
    // fast (bench/debug.sh).
    config.cranelift_opt_level(wasmtime::OptLevel::None);
    crate::stack_limits::configure_debug(&mut config, guest);
    // Epochs carry pause and terminate requests into running Wasm.
    config.epoch_interruption(true);
    // `.eh_frame` is for native unwinders; Wasmtime walks Wasm frames by
    // frame pointers and the debugger by its frame tables.
    config.native_unwind_info(false);
    crate::compile_cache::enable(&mut config);
    Ok(Engine::new(&config)?)
}

pub(super) fn run_debuggee(
    guest: &GuestConfig,
    (engine, program): (Engine, Compiled),
    stop: StopSetup,
    control: &Arc<Control>,
) -> anyhow::Result<RunOutcome> {
    let mut store = debug_store(&engine, guest, &stop.events, control)?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async {
        let start = program.instantiate_async(&mut store).await?;
        let module = match &program {
            Compiled::Module(module) => Some(module.clone()),
            Compiled::Component(..) => None,
        };
        install_handler(&mut store, module, guest.core_module, stop, control)?;
        outcome_of(start.call(&mut store).await, &program.module_starts())
    })
}

/// A store for a debugged run: the guest's WASI context from `guest` (its
/// output captured as events when asked), and epochs that carry terminate.
pub(super) fn debug_store(
    engine: &Engine,
    guest: &GuestConfig,
    events: &Sender<DebuggeeEvent>,
    control: &Arc<Control>,
) -> anyhow::Result<Store<HostData>> {
    let mut builder = crate::wasi_run::wasi_builder(guest)?;
    if guest.capture_output {
        let budget = guest.output_budget.clone().unwrap_or_else(|| OutputBudget::new(usize::MAX));
        builder.stdout(crate::guest_output::ChannelOutput::new(OutputStream::Stdout, events.clone(), budget.clone()));
        builder.stderr(crate::guest_output::ChannelOutput::new(OutputStream::Stderr, events.clone(), budget));
    } else if !guest.quiet {
        builder.inherit_stdout().inherit_stderr();
    }
    let mut store = Store::new(engine, HostData::new(builder.build_p1()));
    store.set_epoch_deadline(1);
    let deadline_control = control.clone();
    store.epoch_deadline_callback(move |_| {
        Ok(if deadline_control.terminate.load(Ordering::Relaxed) {
            UpdateDeadline::Interrupt
        } else {
            UpdateDeadline::Continue(1)
        })
    });
    Ok(store)
}

/// What the debug handler of a run starts with.
pub(super) struct StopSetup {
    pub(super) breakpoints: Vec<ModuleOffset>,
    pub(super) judge: Option<Box<dyn BreakPolicy>>,
    pub(super) requests: Receiver<Request>,
    pub(super) events: Sender<DebuggeeEvent>,
}

/// Installs the debug handler in an instantiated store, with its
/// breakpoints in `module` (a program that is a module) or a component's
/// core module `module_index`; arranges a stop before the
/// first instruction when asked (stop on entry, or a pause asked for while
/// compiling).
pub(super) fn install_handler(
    store: &mut Store<HostData>,
    module: Option<Module>,
    module_index: usize,
    setup: StopSetup,
    control: &Arc<Control>,
) -> anyhow::Result<()> {
    if control.terminate.load(Ordering::Relaxed) {
        bail!("terminated before it started");
    }
    let StopSetup { breakpoints, judge, requests, events } = setup;
    // Breakpoints go in after instantiation: a component's code is copied
    // into the store then, and edits must reach that copy.
    let is_component = module.is_none();
    let module = match module {
        Some(module) => module,
        None => component_module(store, module_index)?,
    };
    let handler = Handler {
        shared: Arc::new(HandlerShared {
            requests: Mutex::new(requests),
            events,
            module: module.clone(),
            is_component,
            program_facts: facts_of(&module, module_index),
            module_facts: Mutex::default(),
            breakpoints: Mutex::new(Vec::new()),
            policy: Mutex::new(None),
            control: control.clone(),
            innermost_unsettled: Default::default(),
        }),
    };
    if judge.is_some() {
        *control.judge.lock().unwrap_or_else(|p| p.into_inner()) = judge;
    }
    store.set_debug_handler(handler.clone());
    {
        let mut edit = store.edit_breakpoints().context("guest debugging is off")?;
        for offset in &breakpoints {
            edit.add_breakpoint(&module, module_pc(*offset)?)?;
        }
    }
    *handler.shared.breakpoints.lock().unwrap_or_else(|p| p.into_inner()) = breakpoints;
    if control.entry.load(Ordering::Relaxed) {
        set_single_step(&handler.shared, &mut store.as_context_mut(), Resume::Step);
    } else if control.pause.swap(false, Ordering::Relaxed) {
        // A pause asked for while compiling: its epoch tick may predate
        // the store's deadline, so stop at the first instruction.
        control.pausing.store(true, Ordering::Relaxed);
        set_single_step(&handler.shared, &mut store.as_context_mut(), Resume::Step);
    }
    Ok(())
}

/// The `index`th core module of the component instantiated in `store`.
fn component_module(store: &mut Store<HostData>, index: usize) -> anyhow::Result<Module> {
    let modules = store.debug_all_modules();
    let count = modules.len();
    modules
        .into_iter()
        .find(|module| core_module_index(module) == index)
        .with_context(|| format!("the component has {count} core modules, not {}", index + 1))
}
