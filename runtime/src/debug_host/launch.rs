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
use wasmtime_wasi::p1::WasiP1Ctx;

use super::handler::{Handler, HandlerShared, set_single_step};
use super::inspect::{facts_of, module_pc};
use super::{Control, DebuggeeEvent, OutputStream, Request};
use crate::program::{Compiled, HasWasi, core_module_index, wasi_view};
use crate::wasi_run::outcome_of;
use wasmscope_debugger::target::GuestConfig;
use wasmscope_debugger::target::RunOutcome;

pub(super) fn debug_engine(guest: &GuestConfig) -> anyhow::Result<Engine> {
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
    crate::compile_cache::enable(&mut config);
    Ok(Engine::new(&config)?)
}

pub(super) struct HostData {
    pub(super) wasi: WasiP1Ctx,
}

impl HasWasi for HostData {
    fn wasi(&mut self) -> &mut WasiP1Ctx {
        &mut self.wasi
    }
}
wasi_view!(HostData);
pub(super) fn run_debuggee(
    guest: &GuestConfig,
    (engine, program): (Engine, Compiled),
    breakpoints: Vec<ModuleOffset>,
    judge: Option<Box<dyn BreakPolicy>>,
    control: &Arc<Control>,
    requests: Receiver<Request>,
    events: Sender<DebuggeeEvent>,
) -> anyhow::Result<RunOutcome> {
    let mut builder = crate::wasi_run::wasi_builder(guest)?;
    if guest.capture_output {
        let budget = guest.output_budget.clone().unwrap_or_else(|| OutputBudget::new(usize::MAX));
        builder.stdout(crate::guest_output::ChannelOutput::new(OutputStream::Stdout, events.clone(), budget.clone()));
        builder.stderr(crate::guest_output::ChannelOutput::new(OutputStream::Stderr, events.clone(), budget));
    } else if !guest.quiet {
        builder.inherit_stdout().inherit_stderr();
    }
    let mut store = Store::new(&engine, HostData { wasi: builder.build_p1() });
    store.set_epoch_deadline(1);
    let deadline_control = control.clone();
    store.epoch_deadline_callback(move |_| {
        Ok(if deadline_control.terminate.load(Ordering::Relaxed) {
            UpdateDeadline::Interrupt
        } else {
            UpdateDeadline::Continue(1)
        })
    });

    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async {
        let start = program.instantiate_async(&mut store).await?;
        if control.terminate.load(Ordering::Relaxed) {
            bail!("terminated before it started");
        }
        // Breakpoints go in after instantiation: a component's code is
        // copied into the store then, and edits must reach that copy.
        let module = debugged_module(&mut store, &program, guest.core_module)?;
        let handler = Handler {
            shared: Arc::new(HandlerShared {
                requests: Mutex::new(requests),
                events,
                module: module.clone(),
                is_component: matches!(program, Compiled::Component(..)),
                program_facts: facts_of(&module, guest.core_module),
                module_facts: Mutex::default(),
                breakpoints: Mutex::new(Vec::new()),
                policy: Mutex::new(None),
                judge: Mutex::new(judge),
                control: control.clone(),
                innermost_unsettled: Default::default(),
            }),
        };
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
        outcome_of(start.call(&mut store).await, &program.module_starts())
    })
}

/// The core module whose offsets breakpoints name: the program itself, or
/// the `index`th core module of an instantiated component.
pub(super) fn debugged_module(store: &mut Store<HostData>, program: &Compiled, index: usize) -> anyhow::Result<Module> {
    match program {
        Compiled::Module(module) => Ok(module.clone()),
        Compiled::Component(..) => {
            let modules = store.debug_all_modules();
            let count = modules.len();
            modules
                .into_iter()
                .find(|module| core_module_index(module) == index)
                .with_context(|| format!("the component has {count} core modules, not {}", index + 1))
        }
    }
}
