//! What the session's thread and the event thread share: the connection,
//! the program's module, and the state of the run (which script is the
//! program, the breakpoints set in it, the stop being inspected, the
//! policies that judge breaks).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::json;
use wasmscope_debugger::address::ModuleOffset;
use wasmscope_debugger::symbols::CoreModule;
use wasmscope_debugger::target::{BreakPolicy, TargetError};

use crate::connection::Cdp;
use crate::paused_view::PausedView;

pub struct Shared {
    pub cdp: Cdp,
    /// The program's module: what breakpoint offsets and frames refer to.
    pub module: Arc<CoreModule>,
    /// Where the program traps by itself (its `unreachable`s), when the
    /// host cannot stop at traps (Chromium): breakpoints there stand in
    /// for trap stops. Sorted.
    pub trap_sites: Vec<ModuleOffset>,
    state: Mutex<State>,
    /// One change of the installed breakpoints at a time (the session's
    /// thread and the event thread both make them).
    installing: Mutex<()>,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared").finish_non_exhaustive()
    }
}

#[derive(Default)]
pub struct State {
    /// The program's script, once V8 has compiled its module.
    pub script: Option<String>,
    /// The breakpoints that should be in the program.
    pub wanted: Vec<ModuleOffset>,
    /// The client's breakpoints (`wanted` also holds a step's).
    pub user_breakpoints: Vec<ModuleOffset>,
    /// Those set in V8, with V8's breakpoint ids.
    pub installed: HashMap<ModuleOffset, String>,
    /// The stop the session inspects, handed over by the event thread.
    pub stopped: Option<PausedView>,
    /// A step in progress: judges breaks until it stops.
    pub policy: Option<Box<dyn BreakPolicy>>,
    /// The standing judge of breakpoint hits.
    pub judge: Option<Box<dyn BreakPolicy>>,
    /// A pause was asked for.
    pub pausing: bool,
    /// How the program was last let go: a break while it ran freely (not
    /// single-stepping) at a dormant breakpoint is nobody's.
    pub single_stepping: bool,
    pub stop_on_entry: bool,
    /// The end (or termination) has been reported.
    pub finished: bool,
    /// Every script's address by id: V8's call frames carry only the id.
    pub script_urls: HashMap<String, String>,
    /// Where a script starts in its document, when not at its top (a
    /// page's inline `<script>`): V8's lines count from the document's.
    pub script_starts: HashMap<String, (u32, u32)>,
}

/// Scripts whose addresses are kept (a page that evaluates code in a loop
/// makes a script each time).
const MAX_SCRIPT_URLS: usize = 100_000;

impl State {
    pub fn remember_script(&mut self, id: &str, url: &str, start: (u32, u32)) {
        if self.script_urls.len() < MAX_SCRIPT_URLS && !url.is_empty() {
            self.script_urls.insert(id.to_owned(), url.to_owned());
            if start != (0, 0) {
                self.script_starts.insert(id.to_owned(), start);
            }
        }
    }
}

impl Shared {
    pub fn new(cdp: Cdp, module: Arc<CoreModule>, trap_sites: Vec<ModuleOffset>, state: State) -> Self {
        Shared { cdp, module, trap_sites, state: Mutex::new(state), installing: Mutex::new(()) }
    }

    /// Whether a stop at `offset` is a trap site's and no breakpoint's.
    pub fn is_trap_site(&self, offset: ModuleOffset) -> bool {
        self.trap_sites.binary_search(&offset).is_ok() && !self.state().wanted.contains(&offset)
    }

    pub fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Makes `offsets` the program's breakpoints: set in V8 once the module
    /// is compiled, kept until then. When a step ends, its breakpoints stay
    /// in V8, dormant (their hits are passed by), until another kind of
    /// step or [`Shared::flush_dormant`]: V8 recompiles a function for each
    /// breakpoint set or removed (1.4 ms each in a 10 KB function), and a
    /// step over sets one at every statement of the function, so
    /// consecutive steps over in one function reuse them.
    pub fn install_breakpoints(&self, offsets: &[ModuleOffset]) -> Result<(), TargetError> {
        self.change_breakpoints(offsets, false)
    }

    /// Removes the dormant breakpoints (before the program runs freely).
    pub fn flush_dormant(&self) -> Result<(), TargetError> {
        let wanted = self.state().wanted.clone();
        self.change_breakpoints(&wanted, true)
    }

    /// Whether `offset` holds a dormant breakpoint (set in V8, not wanted).
    pub fn is_dormant(&self, offset: ModuleOffset) -> bool {
        let state = self.state();
        state.installed.contains_key(&offset)
            && !state.wanted.contains(&offset)
            && self.trap_sites.binary_search(&offset).is_err()
    }

    fn change_breakpoints(&self, offsets: &[ModuleOffset], remove_dormant: bool) -> Result<(), TargetError> {
        let _one_at_a_time = self.installing.lock().unwrap_or_else(|p| p.into_inner());
        let (script, installed) = {
            let mut state = self.state();
            state.wanted = offsets.to_vec();
            match &state.script {
                Some(script) => (script.clone(), state.installed.clone()),
                None => return Ok(()),
            }
        };
        let mut wanted: Vec<ModuleOffset> = offsets.iter().chain(&self.trap_sites).copied().collect();
        wanted.sort_unstable();
        wanted.dedup();
        let additions: Vec<ModuleOffset> = wanted.iter().filter(|o| !installed.contains_key(o)).copied().collect();
        // Breakpoints go dormant only when a step ends (the client's set
        // comes back); a step sets only what it needs, as the dormant ones
        // would cost a round trip at each hit (in a recursion, thousands).
        let restoring = {
            let mut users = self.state().user_breakpoints.clone();
            let mut asked = offsets.to_vec();
            users.sort_unstable();
            asked.sort_unstable();
            users == asked
        };
        let remove_dormant = remove_dormant || !restoring;
        let mut now = HashMap::new();
        let mut removals = Vec::new();
        for (offset, id) in &installed {
            if !remove_dormant || wanted.binary_search(offset).is_ok() {
                now.insert(*offset, id.clone());
            } else {
                removals.push(("Debugger.removeBreakpoint", json!({ "breakpointId": id })));
            }
        }
        if removals.is_empty() && additions.is_empty() {
            return Ok(());
        }
        let calls = additions.iter().map(|offset| {
            let location = json!({ "scriptId": script, "lineNumber": 0, "columnNumber": offset.0 });
            ("Debugger.setBreakpoint", json!({ "location": location }))
        });
        let removed = removals.len();
        let answers = self.cdp.call_all(removals.into_iter().chain(calls).collect());
        for (n, answer) in answers.into_iter().enumerate() {
            let answer = answer.map_err(TargetError::internal)?;
            if n >= removed
                && let Some(id) = answer["breakpointId"].as_str()
            {
                now.insert(additions[n - removed], id.to_owned());
            }
        }
        self.state().installed = now;
        Ok(())
    }

    /// The program's module has been compiled as `script`: its breakpoints
    /// go in before its code runs (V8 stops before a module's first
    /// execution, and the event thread handles that stop after this).
    pub fn program_loaded(&self, script: String) -> Result<(), TargetError> {
        let wanted = {
            let mut state = self.state();
            state.script = Some(script);
            state.installed.clear();
            state.wanted.clone()
        };
        self.install_breakpoints(&wanted)
    }
}
