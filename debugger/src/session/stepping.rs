//! Stepping at source-line granularity, as a [`BreakPolicy`] that runs in
//! the runtime's event handler: each single-step or breakpoint event is
//! judged there, and only a stop at a new line reaches the client.
//!
//! - over: stop at the first statement of another line in the same frame or
//!   a caller; calls and inlined calls made from the line are stepped over.
//!   Run at full speed with breakpoints at every statement of the function
//!   and at its return address, not by single steps: turning Wasmtime's
//!   single-stepping on or off patches the whole module's code, which cost
//!   tens of milliseconds per call on a large module. Where that cannot be
//!   set up, single steps, with each call run to its return address;
//! - into: stop at the first statement of another line anywhere, in a
//!   function that has line information;
//! - out: run to the return address of the current frame (at the same stack
//!   depth), then stop.

use std::sync::Arc;

use crate::address::{CodeOffset, ModuleOffset};
use crate::symbols::{ModuleSymbols, WasmSymbols};
use crate::target::{BreakPolicy, Resume, TargetFrame, TargetView};

/// An offset no code has: a return address outside the program module, or
/// the end of the program.
const ELSEWHERE: ModuleOffset = ModuleOffset(u64::MAX);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepKind {
    Over,
    Into,
    Out,
}

/// Where a source position is, for comparing positions while stepping.
#[derive(Clone, Debug, PartialEq, Eq)]
struct SourcePoint {
    file: Option<String>,
    line: u32,
    /// How many inlined frames deep the code is.
    inline_depth: usize,
}

#[derive(Debug)]
pub struct Stepper {
    symbols: Arc<WasmSymbols>,
    kind: StepKind,
    /// Physical stack depth when the step began.
    depth: usize,
    start: Option<SourcePoint>,
    /// While running to a return address: its offset and the depth to
    /// reach it at (the breakpoint may be hit by a deeper recursion first).
    returning_to: Option<(ModuleOffset, usize)>,
    /// The client's breakpoints, restored once the step is over.
    user_breakpoints: Vec<ModuleOffset>,
    /// Step into this function only: other calls from the line are
    /// stepped over.
    target: Option<u32>,
    /// A step out of an inlined frame: single steps, with calls run to
    /// their return; a return is not the end of the step.
    out_of_inlined: bool,
    /// A step over run by breakpoints (at every statement of the function
    /// and at its return address) instead of single steps.
    by_breakpoints: bool,
    /// The stop being decided is at a client breakpoint the judge has
    /// already seen (it stopped a run to a return or a deeper call).
    judged_here: bool,
    done: bool,
}

impl Stepper {
    /// Prepares a step from the current stop. The caller resumes the guest
    /// with [`Stepper::first_resume`] after installing it.
    pub fn new(
        symbols: Arc<WasmSymbols>,
        kind: StepKind,
        view: &mut dyn TargetView,
        user_breakpoints: Vec<ModuleOffset>,
    ) -> Result<Self, String> {
        let frames = view.frames()?;
        let mut stepper = Stepper {
            start: None,
            depth: frames.len(),
            symbols,
            kind,
            returning_to: None,
            user_breakpoints,
            target: None,
            out_of_inlined: false,
            by_breakpoints: false,
            judged_here: false,
            done: false,
        };
        let offsets = stepper.offsets(&frames);
        if let Some(&here) = offsets.first() {
            stepper.start = stepper.point(here);
        }
        // Out of an inlined frame: there is no return address to run to,
        // so step until the code is no longer the inlined function's.
        let in_inlined = stepper.start.as_ref().is_some_and(|s| s.inline_depth > 1);
        stepper.out_of_inlined = kind == StepKind::Out && in_inlined;
        if kind == StepKind::Out && !in_inlined {
            stepper.run_to_return(view, &offsets, 1)?;
        }
        // Components keep single steps: Wasmtime 48 patches a breakpoint's
        // offset in every core module of a component and turns them off
        // module by module, which loses statement breakpoints (measured:
        // a step over from a step into ran to the end).
        if kind == StepKind::Over && !stepper.symbols.is_component() {
            stepper.by_breakpoints = stepper.set_statement_breakpoints(view, &offsets)?;
        }
        Ok(stepper)
    }

    /// Breakpoints at every statement of the function the step starts in
    /// and at its return address, besides the client's; false when they
    /// cannot be placed (no line table, code outside the program module).
    fn set_statement_breakpoints(
        &mut self,
        view: &mut dyn TargetView,
        offsets: &[ModuleOffset],
    ) -> Result<bool, String> {
        let Some(&here) = offsets.first() else { return Ok(false) };
        let (Some(module), Some(code)) = (self.module(), self.code_offset(here)) else { return Ok(false) };
        let (Some(section), Ok(Some(lines)), Ok(Some(functions))) =
            (module.module().code, module.line_index(), module.function_index())
        else {
            return Ok(false);
        };
        let Some(function) = functions.body_at(code) else { return Ok(false) };
        let mut breakpoints = self.user_breakpoints.clone();
        for range in &function.ranges {
            breakpoints.extend(lines.statement_starts(range.clone()).into_iter().map(|at| section.to_module(at)));
        }
        if let Some(&return_address) = offsets.get(1).filter(|&&a| a != ELSEWHERE) {
            breakpoints.push(return_address);
        }
        breakpoints.sort_unstable();
        breakpoints.dedup();
        view.set_breakpoints(&breakpoints)?;
        Ok(true)
    }

    /// Limits a step into (`StepKind::Into`) to calls of `function_index`.
    #[must_use]
    pub fn into_target(mut self, function_index: u32) -> Self {
        self.target = Some(function_index);
        self
    }

    /// How to resume right after the step is set up.
    pub fn first_resume(&self) -> Resume {
        if self.returning_to.is_some() || self.by_breakpoints { Resume::Continue } else { Resume::Step }
    }

    /// How to go on to the next place the step may end: the next event.
    fn onwards(&self) -> Resume {
        if self.by_breakpoints { Resume::Continue } else { Resume::Step }
    }

    /// Whether the step has reached its stop.
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// The frames' offsets in the program module; a frame in another core
    /// module (a component's WASI adapter) gets [`ELSEWHERE`].
    fn offsets(&self, frames: &[TargetFrame]) -> Vec<ModuleOffset> {
        let program = self.symbols.program_index();
        frames.iter().map(|f| if f.module == program { f.offset } else { ELSEWHERE }).collect()
    }

    fn module(&self) -> Option<&ModuleSymbols> {
        self.symbols.program().ok()
    }

    fn code_offset(&self, offset: ModuleOffset) -> Option<CodeOffset> {
        self.module()?.module().code?.to_code(offset)
    }

    fn point(&self, offset: ModuleOffset) -> Option<SourcePoint> {
        let code = self.code_offset(offset)?;
        let frames = self.module()?.frames_at(code).ok()?;
        let location = frames.first()?.location.clone()?;
        // Line 0 (code no line is for, at -O2) is no place to show.
        if location.line == 0 {
            return None;
        }
        Some(SourcePoint { file: location.file, line: location.line, inline_depth: frames.len() })
    }

    /// Whether `offset` starts a statement: a line-table row marked
    /// is_stmt begins exactly there.
    fn starts_statement(&self, offset: ModuleOffset) -> bool {
        let (Some(module), Some(code)) = (self.module(), self.code_offset(offset)) else {
            return false;
        };
        let Ok(Some(lines)) = module.line_index() else {
            return false;
        };
        lines.row_at(code, None).is_some_and(|row| row.address == code && row.is_stmt && row.line != 0)
    }

    /// Whether `offset` is in a function's prologue, where its variables are
    /// not set up yet (a step into a call stops after it).
    fn before_prologue_end(&self, offset: ModuleOffset) -> bool {
        let (Some(module), Some(code)) = (self.module(), self.code_offset(offset)) else {
            return false;
        };
        let Ok(Some(functions)) = module.function_index() else {
            return false;
        };
        functions.body_at(code).is_some_and(|f| code < f.after_prologue)
    }

    /// Sets a breakpoint at the return address of the frame `levels` up
    /// and runs to it.
    fn run_to_return(
        &mut self,
        view: &mut dyn TargetView,
        offsets: &[ModuleOffset],
        levels: usize,
    ) -> Result<(), String> {
        match offsets.get(levels) {
            Some(&return_address) if return_address != ELSEWHERE => {
                // Running to a return address replaces the statement
                // breakpoints: single steps resume after it.
                self.by_breakpoints = false;
                let mut breakpoints = self.user_breakpoints.clone();
                breakpoints.push(return_address);
                view.set_breakpoints(&breakpoints)?;
                self.returning_to = Some((return_address, offsets.len() - levels));
            }
            // No caller (or one in another module, where no breakpoint
            // can go): stepping out of the outermost frame runs to the end.
            _ => {
                self.by_breakpoints = false;
                self.returning_to = Some((ELSEWHERE, 0));
            }
        }
        Ok(())
    }

    /// Returned into a caller at an instruction without a line. At -O2 a
    /// return address is often line 0 (code merged from several lines):
    /// the caller's next statement is where the user is, so the step goes
    /// on to it, calls stepped over. A caller without any line (libc's
    /// start code, a closure of std's) has nothing to show: out of it too.
    fn on_from_a_return_without_a_line(
        &mut self,
        view: &mut dyn TargetView,
        offsets: &[ModuleOffset],
        depth: usize,
    ) -> Result<Option<Resume>, String> {
        self.depth = depth;
        if !offsets.first().is_some_and(|&here| self.has_statements(here)) {
            self.run_to_return(view, offsets, 1)?;
            return Ok(Some(Resume::Continue));
        }
        self.kind = StepKind::Over;
        self.start = None;
        self.target = None;
        self.by_breakpoints = false;
        view.set_breakpoints(&self.user_breakpoints)?;
        Ok(Some(Resume::Step))
    }

    /// Whether the function `offset` is in has any statement (an is_stmt
    /// row with a line) anywhere in its code.
    fn has_statements(&self, offset: ModuleOffset) -> bool {
        let (Some(module), Some(code)) = (self.module(), self.code_offset(offset)) else {
            return false;
        };
        let (Ok(Some(functions)), Ok(Some(lines))) = (module.function_index(), module.line_index()) else {
            return false;
        };
        functions.body_at(code).is_some_and(|f| f.ranges.iter().any(|r| !lines.statement_starts(r.clone()).is_empty()))
    }

    fn finish(&mut self, view: &mut dyn TargetView) {
        let _ = view.set_breakpoints(&self.user_breakpoints);
        self.done = true;
    }

    /// A step that ends where the client has a breakpoint stops there
    /// whatever the breakpoint says, but the breakpoint is judged as a run
    /// would judge it: a logpoint prints, a hit counts, and only a
    /// breakpoint that would stop makes the stop the breakpoint's.
    fn judge_a_breakpoint_where_the_step_ends(&self, view: &mut dyn TargetView) {
        let Ok(frames) = view.frames() else { return };
        if self.offsets(&frames).first().is_some_and(|here| self.user_breakpoints.contains(here)) {
            let _ = view.breakpoint_stops_here();
        }
    }

    fn decide(&mut self, view: &mut dyn TargetView) -> Result<Option<Resume>, String> {
        let frames = view.frames()?;
        let offsets = self.offsets(&frames);
        let Some(&here) = offsets.first() else {
            return Ok(None);
        };
        if let Some((target, depth)) = self.returning_to {
            if here != target || frames.len() != depth {
                // A user breakpoint elsewhere stops the step; a deeper
                // recursion passing the same return address does not.
                let user_hit = self.user_breakpoints.contains(&here) && here != target && view.breakpoint_stops_here();
                self.judged_here = user_hit;
                return Ok(if user_hit { None } else { Some(Resume::Continue) });
            }
            self.returning_to = None;
            self.depth = frames.len();
            if self.kind == StepKind::Out && !self.out_of_inlined {
                if self.point(here).is_none() {
                    return self.on_from_a_return_without_a_line(view, &offsets, frames.len());
                }
                return Ok(None);
            }
            // Back in the stepping frame: the return address may begin the
            // next line (a call that ends its line), else go on stepping.
            view.set_breakpoints(&self.user_breakpoints)?;
        }
        if frames.len() < self.depth {
            if self.point(here).is_none() {
                return self.on_from_a_return_without_a_line(view, &offsets, frames.len());
            }
            // Returned to a caller: stop there, mid-line if need be, as
            // gdb and LLDB do (the caller's line is where the user is now).
            return Ok(None);
        }
        let other_callee = self.target.is_some_and(|t| frames.len() == self.depth + 1 && frames[0].function_index != t);
        if self.kind == StepKind::Out {
            // Stepping out of an inlined frame, one instruction at a time:
            // calls run at full speed, and the stop is the first
            // instruction outside the inlined code.
            if frames.len() > self.depth {
                self.run_to_return(view, &offsets, frames.len() - self.depth)?;
                return Ok(Some(Resume::Continue));
            }
            let start_depth = self.start.as_ref().map_or(0, |s| s.inline_depth);
            // Code without a line (line 0 at -O2) belongs to no frame we
            // can tell: step on through it.
            let left = self.point(here).is_some_and(|p| p.inline_depth < start_depth);
            return Ok(if left { None } else { Some(Resume::Step) });
        }
        if self.by_breakpoints && frames.len() > self.depth {
            // A deeper call passing one of the statement breakpoints (a
            // recursion), or a breakpoint of the client's in a callee,
            // which ends the step as it would any run.
            let user_hit = self.user_breakpoints.contains(&here) && view.breakpoint_stops_here();
            self.judged_here = user_hit;
            return Ok(if user_hit { None } else { Some(Resume::Continue) });
        }
        if frames.len() > self.depth && (self.kind == StepKind::Over || other_callee) {
            // Entered a call from the line: run it to its return.
            self.run_to_return(view, &offsets, frames.len() - self.depth)?;
            return Ok(Some(Resume::Continue));
        }
        if !self.starts_statement(here) || (frames.len() > self.depth && self.before_prologue_end(here)) {
            return Ok(Some(self.onwards()));
        }
        let Some(point) = self.point(here) else {
            return Ok(Some(self.onwards()));
        };
        let same_line = self.start.as_ref().is_some_and(|s| s.file == point.file && s.line == point.line);
        let deeper_inline = self.kind == StepKind::Over
            && frames.len() == self.depth
            && self.start.as_ref().is_some_and(|s| point.inline_depth > s.inline_depth);
        if same_line && frames.len() == self.depth || deeper_inline {
            return Ok(Some(self.onwards()));
        }
        Ok(None)
    }
}

impl BreakPolicy for Stepper {
    fn on_break(&mut self, view: &mut dyn TargetView) -> Option<Resume> {
        if self.done {
            return None;
        }
        match self.decide(view) {
            Ok(Some(resume)) => Some(resume),
            Ok(None) => {
                if !std::mem::take(&mut self.judged_here) {
                    self.judge_a_breakpoint_where_the_step_ends(view);
                }
                self.finish(view);
                None
            }
            Err(_) => {
                self.finish(view);
                None
            }
        }
    }
}
