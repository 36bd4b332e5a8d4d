//! The operating-system side of signal sampling (Linux, x86_64 and aarch64):
//! a per-thread wall-clock timer that sends SIGPROF at the sampling rate, and a
//! handler that walks the frame-pointer chain of the interrupted Wasm code.
//! Cranelift keeps frame pointers in every function, which is what makes
//! the walk possible without unwind tables. All `unsafe` of the sampler is
//! here, each block with the reason it is sound.

#![allow(unsafe_code)]

use std::cell::Cell;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use super::ring::Ring;

/// Deepest stack recorded; deeper stacks keep their innermost frames.
pub const MAX_DEPTH: usize = 4096;

/// What the handler needs, shared with it through [`ACTIVE`].
#[derive(Debug)]
pub struct Shared {
    pub text_start: usize,
    pub text_len: usize,
    /// Highest address of the sampled thread's stack; 0 when Wasm runs on
    /// stacks of its own (async fibers), whose bounds the handler does not
    /// know. Then a sample is only taken inside a Wasm function (see
    /// `functions`), never in a trampoline, whose first and last
    /// instructions run with the host's frame pointer (any value: walking
    /// it crashed a loaded server about once in three profiles); and the
    /// first frame record is read through the kernel (`read_checked`), which
    /// reports unmapped memory instead of faulting.
    pub stack_top: usize,
    /// With `stack_top` 0: the Wasm functions' code, (start, end), sorted.
    pub functions: Vec<(usize, usize)>,
    /// Whether each record starts with this thread's `CURRENT_TAG` (a live
    /// profile's request route); ticks when it is 0 count as outside.
    pub tagged: bool,
    pub ring: Ring,
    /// Ticks that found the thread outside Wasm code (host code, runtime).
    pub outside: AtomicU64,
    pub ticks: AtomicU64,
}

impl Shared {
    fn in_text(&self, pc: usize) -> bool {
        pc.wrapping_sub(self.text_start) < self.text_len
    }
}

/// How far above the stack pointer a walk of a stack with unknown bounds
/// goes (a Wasm stack is smaller).
const UNKNOWN_STACK_SPAN: usize = 64 << 20;

thread_local! {
    /// What this thread is doing for a live profile (a request's route
    /// tag), 0 when nothing sampled. Const-initialized, no destructor.
    static CURRENT_TAG: Cell<u64> = const { Cell::new(0) };
    /// The run being sampled on this thread; null when none. Each thread
    /// can sample its own guest, since the timer signals only its thread.
    /// Const-initialized and without a destructor, so reading it is a plain
    /// thread-local load, safe in a signal handler.
    static ACTIVE: Cell<*const Shared> = const { Cell::new(std::ptr::null()) };
}

/// Makes `shared` the target of the handler on this thread until the guard
/// drops.
pub struct Activation<'a> {
    _shared: &'a Shared,
}

impl<'a> Activation<'a> {
    pub fn new(shared: &'a Shared) -> std::io::Result<Self> {
        install_handler()?;
        if !ACTIVE.get().is_null() {
            return Err(std::io::Error::other("this thread is already running a signal-sampled guest"));
        }
        ACTIVE.set(std::ptr::from_ref(shared));
        Ok(Activation { _shared: shared })
    }
}

/// Makes `shared` the handler's target on this thread for the rest of the
/// process (a server's request thread, sampled whenever a live profile is
/// on); a thread already sampling something else is refused.
pub fn activate_for_good(shared: &'static Shared) -> std::io::Result<()> {
    install_handler()?;
    let current = ACTIVE.get();
    if !current.is_null() && current != std::ptr::from_ref(shared) {
        return Err(std::io::Error::other("this thread is already running a signal-sampled guest"));
    }
    ACTIVE.set(std::ptr::from_ref(shared));
    Ok(())
}

/// Sets this thread's tag (see `Shared::tagged`); returns the previous one.
pub fn set_tag(tag: u64) -> u64 {
    CURRENT_TAG.replace(tag)
}

impl Drop for Activation<'_> {
    fn drop(&mut self) {
        // The handler runs on this thread only, so it is not running now.
        ACTIVE.set(std::ptr::null());
    }
}

fn install_handler() -> std::io::Result<()> {
    static INSTALLED: OnceLock<Result<(), i32>> = OnceLock::new();
    let result = INSTALLED.get_or_init(|| {
        // SAFETY: a zeroed sigaction is a valid starting value; we set the
        // handler, flags and an empty mask before passing it to the kernel.
        // The handler stays installed for the life of the process (it does
        // nothing when no run is active), so a late SIGPROF is harmless.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_sigprof as *const () as usize;
            action.sa_flags = libc::SA_SIGINFO | libc::SA_RESTART;
            libc::sigemptyset(&mut action.sa_mask);
            if libc::sigaction(libc::SIGPROF, &action, std::ptr::null_mut()) != 0 {
                return Err(std::io::Error::last_os_error().raw_os_error().unwrap_or(0));
            }
        }
        Ok(())
    });
    result.map_err(std::io::Error::from_raw_os_error)
}

/// The interrupted thread's program counter, frame pointer and stack pointer.
///
/// # Safety
/// `context` must be the `ucontext_t` the kernel passed to a SA_SIGINFO handler.
unsafe fn registers(context: *mut libc::c_void) -> (usize, usize, usize) {
    let context = context.cast::<libc::ucontext_t>();
    #[cfg(target_arch = "x86_64")]
    {
        // SAFETY: per the function's contract, `context` is a valid ucontext.
        let registers = unsafe { &(*context).uc_mcontext.gregs };
        (
            registers[libc::REG_RIP as usize] as usize,
            registers[libc::REG_RBP as usize] as usize,
            registers[libc::REG_RSP as usize] as usize,
        )
    }
    #[cfg(target_arch = "aarch64")]
    {
        // SAFETY: per the function's contract, `context` is a valid ucontext.
        let machine = unsafe { &(*context).uc_mcontext };
        (machine.pc as usize, machine.regs[29] as usize, machine.sp as usize)
    }
}

extern "C" fn on_sigprof(_signal: libc::c_int, _info: *mut libc::siginfo_t, context: *mut libc::c_void) {
    let shared = ACTIVE.get();
    if shared.is_null() {
        return;
    }
    // SAFETY: ACTIVE points to a `Shared` that outlives the activation,
    // and the activation ends on this same thread, never inside the handler.
    let shared = unsafe { &*shared };
    shared.ticks.fetch_add(1, Ordering::Relaxed);
    // SAFETY: the kernel passes a valid ucontext to an SA_SIGINFO handler.
    let (pc, mut fp, sp) = unsafe { registers(context) };
    let tag = CURRENT_TAG.get();
    if !shared.in_text(pc) || (shared.tagged && tag == 0) {
        shared.outside.fetch_add(1, Ordering::Relaxed);
        return;
    }
    if shared.stack_top == 0 && !in_function(&shared.functions, pc) {
        shared.outside.fetch_add(1, Ordering::Relaxed);
        return;
    }
    let stack_top = if shared.stack_top == 0 { sp.saturating_add(UNKNOWN_STACK_SPAN) } else { shared.stack_top };
    let mut frames = [0u64; 256];
    let mut depth = 0;
    let mut chunk = 0;
    if shared.tagged {
        frames[depth] = tag;
        depth += 1;
    }
    frames[depth] = pc as u64;
    depth += 1;
    let word = std::mem::size_of::<usize>();
    shared.ring.begin(MAX_DEPTH + 1);
    let mut first = true;
    loop {
        // A frame record is [saved fp, return address]; only follow it while
        // it lies in the live part of this thread's stack, above the
        // interrupted stack pointer, so every read is of mapped memory.
        if chunk * frames.len() + depth >= MAX_DEPTH || fp < sp || fp % word != 0 || fp + 2 * word > stack_top {
            break;
        }
        let (next, ret) = if shared.stack_top == 0 && std::mem::take(&mut first) {
            // The first record: the interrupted frame pointer, in a Wasm
            // function (see `stack_top`). The ones after it are the frames
            // of Cranelift code that return addresses vouched for.
            match read_checked(fp) {
                Some(record) => record,
                None => break,
            }
        } else {
            // SAFETY: `fp` and `fp + word` are inside [sp, stack_top): the
            // mapped stack of the thread this handler interrupted, or a
            // record that the frame pointer chain of Wasm code leads to.
            unsafe {
                (std::ptr::read_volatile(fp as *const usize), std::ptr::read_volatile((fp + word) as *const usize))
            }
        };
        if !shared.in_text(ret) {
            break; // left Wasm: the host's entry trampoline
        }
        if depth == frames.len() {
            shared.ring.write(&frames);
            chunk += 1;
            depth = 0;
        }
        frames[depth] = ret as u64;
        depth += 1;
        if next <= fp {
            break;
        }
        fp = next;
    }
    shared.ring.write(&frames[..depth]);
    shared.ring.commit();
}

/// Whether `pc` is inside one of `functions` (sorted ranges); no
/// allocation, so safe in a signal handler.
fn in_function(functions: &[(usize, usize)], pc: usize) -> bool {
    let after = functions.partition_point(|&(start, _)| start <= pc);
    after > 0 && pc < functions[after - 1].1
}

/// The frame record at `address` (saved frame pointer, return address),
/// read by the kernel on our behalf: `None` where memory is not mapped.
/// A system call, so safe in a signal handler.
fn read_checked(address: usize) -> Option<(usize, usize)> {
    let mut record = [0usize; 2];
    let size = std::mem::size_of_val(&record);
    let local = libc::iovec { iov_base: record.as_mut_ptr().cast(), iov_len: size };
    let remote = libc::iovec { iov_base: address as *mut libc::c_void, iov_len: size };
    // SAFETY: `local` describes `record`, writable and `size` bytes long;
    // the kernel checks `remote` and fails with EFAULT where it is not
    // mapped, instead of faulting.
    let read = unsafe { libc::process_vm_readv(libc::getpid(), &local, 1, &remote, 1, 0) };
    (read == size as isize).then_some((record[0], record[1]))
}

/// Blocks or unblocks SIGPROF on this thread, around host calls: a sample
/// must not interrupt a host system call (EINTR would change its result).
pub fn block_sigprof(block: bool) {
    // SAFETY: plain libc calls on a stack-allocated, initialized sigset.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGPROF);
        let how = if block { libc::SIG_BLOCK } else { libc::SIG_UNBLOCK };
        libc::pthread_sigmask(how, &set, std::ptr::null_mut());
    }
}

/// The highest address of this thread's stack.
pub fn stack_top() -> std::io::Result<usize> {
    // SAFETY: the attr is initialized by pthread_getattr_np before use and
    // destroyed after; the out-pointers are valid locals.
    unsafe {
        let mut attr: libc::pthread_attr_t = std::mem::zeroed();
        if libc::pthread_getattr_np(libc::pthread_self(), &mut attr) != 0 {
            return Err(std::io::Error::other("pthread_getattr_np failed"));
        }
        let mut address: *mut libc::c_void = std::ptr::null_mut();
        let mut size: libc::size_t = 0;
        let status = libc::pthread_attr_getstack(&attr, &mut address, &mut size);
        libc::pthread_attr_destroy(&mut attr);
        if status != 0 {
            return Err(std::io::Error::other("pthread_attr_getstack failed"));
        }
        Ok(address as usize + size)
    }
}

/// A timer that sends SIGPROF to this thread every `period` of wall time,
/// or of the thread's CPU time.
#[derive(Debug)]
pub struct Timer(libc::timer_t);

// SAFETY: a timer id is a process-wide handle; any thread may delete it.
unsafe impl Send for Timer {}

impl Timer {
    pub fn start(period: Duration) -> std::io::Result<Self> {
        Self::start_on(libc::CLOCK_MONOTONIC, period)
    }

    /// Ticks with this thread's CPU time: a server's thread is sampled
    /// while it works, not while it waits for requests.
    pub fn start_cpu(period: Duration) -> std::io::Result<Self> {
        Self::start_on(libc::CLOCK_THREAD_CPUTIME_ID, period)
    }

    fn start_on(clock: libc::clockid_t, period: Duration) -> std::io::Result<Self> {
        // SAFETY: the sigevent is zero-initialized then filled in; the timer
        // id is written by timer_create before any use.
        unsafe {
            let mut event: libc::sigevent = std::mem::zeroed();
            event.sigev_notify = libc::SIGEV_THREAD_ID;
            event.sigev_signo = libc::SIGPROF;
            event.sigev_notify_thread_id = libc::gettid();
            let mut id: libc::timer_t = std::ptr::null_mut();
            if libc::timer_create(clock, &mut event, &mut id) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            let interval = libc::timespec {
                tv_sec: period.as_secs() as libc::time_t,
                tv_nsec: libc::c_long::from(period.subsec_nanos() as i32),
            };
            let spec = libc::itimerspec { it_interval: interval, it_value: interval };
            if libc::timer_settime(id, 0, &spec, std::ptr::null_mut()) != 0 {
                let error = std::io::Error::last_os_error();
                libc::timer_delete(id);
                return Err(error);
            }
            Ok(Timer(id))
        }
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        // SAFETY: the id came from a successful timer_create.
        unsafe {
            libc::timer_delete(self.0);
        }
    }
}
