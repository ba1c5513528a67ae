//! The engine's workspace: what an engine call needs beside the heap blocks it allocates, taken
//! from MicroPython's heap when the call starts and given back when it returns, so that TLS
//! holds no RAM while the engine has nothing to do (a static stack and reserve cost every
//! script 35 KB of a Pico W's heap, TLS or not).
//!
//! A workspace is two heap blocks:
//! - a reserve arena (`arenas`): when the heap refuses an allocation during the call, the arena
//!   lends it, the call finishes, reports OUT_OF_MEMORY and the shim raises MemoryError (Rust
//!   cannot fail an allocation: a null pointer ends in the panic handler);
//! - on boards, the stack the call runs on (`engine_stack`): the engine's deepest handshake step
//!   needs more than an RP2's whole 8 KB C stack.
//!
//! Two sizes, by measurement (BENCHMARKS.md; tests_fw/test_stack.py, tests_fw/test_pico_w.py and
//! tests_py/test_alloc_faults.py check them): `Deep` for handshakes and whatever parses
//! certificates and keys, `Light` for records on an established connection, whose calls are
//! shallow and allocate little. So a long-lived connection's reads and writes take small
//! blocks, which a fragmented heap still has (MicroPython #7878 and #6455: one 16.7 KB block per
//! connection fails there). While handshakes are under way the Deep workspace is kept between
//! calls (`handshake_started`): a handshake takes its big blocks once, at its first call, before
//! anything of it exists, and does not scatter the heap with their comings and goings.
//!
//! When the heap has no room for the workspace the call does not run: it reports OUT_OF_MEMORY
//! with nothing changed, so a connection stays usable and a later call, with memory freed,
//! goes on.
//!
//! A workspace belongs to the thread that made the call (each thread inside the engine at once
//! has its own, up to `SLOTS`); a call nested in one (a finaliser that a collection runs frees a
//! handle) uses it. The blocks are tracked allocations, so a collection during the call keeps
//! and scans them: the engine stack holds no Python object, and scanning it only keeps alive
//! what a stale word there points to, until the next collection.

use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicUsize, Ordering};

use super::arenas::{self, Id};
use super::heap::{self, Guard};
use super::meters::{self, meters};
use super::sizes::{RESERVE, SLOTS, STACK};
use crate::Need;

fn kind(need: Need) -> usize {
    match need {
        Need::Deep => 0,
        Need::Light { .. } => 1,
    }
}

fn reserve_size(need: Need) -> usize {
    match need {
        Need::Deep => RESERVE[0],
        Need::Light { extra } => RESERVE[1].saturating_add(extra).next_multiple_of(16),
    }
}

/// One thread's call: only that thread touches the fields but `owner`.
struct Slot {
    owner: AtomicUsize,
    /// Its arena's `Id`, plus one.
    arena: AtomicUsize,
    /// Non-zero when its workspace has the Deep sizes.
    deep: AtomicUsize,
    /// Its engine stack: the heap block and its top, and the C stack pointer at the switch
    /// (where calls into the heap go back to).
    stack: AtomicUsize,
    hi: AtomicUsize,
    #[cfg_attr(not(any(target_arch = "arm", target_arch = "riscv32")), allow(dead_code))]
    c_sp: AtomicUsize,
    /// Non-zero while an allocation that handles its own failure runs (`without_reserve`).
    no_reserve: AtomicUsize,
    /// Non-zero while a script's callback runs in the middle of an engine call (`callback`).
    in_callback: AtomicUsize,
}

impl Slot {
    const fn new() -> Self {
        Self {
            owner: AtomicUsize::new(0),
            arena: AtomicUsize::new(0),
            deep: AtomicUsize::new(0),
            stack: AtomicUsize::new(0),
            hi: AtomicUsize::new(0),
            c_sp: AtomicUsize::new(0),
            no_reserve: AtomicUsize::new(0),
            in_callback: AtomicUsize::new(0),
        }
    }

    fn arena(&self) -> Option<Id> {
        arenas::id(self.arena.load(Ordering::Relaxed))
    }
}

static SLOT: [Slot; SLOTS] = [const { Slot::new() }; SLOTS];

fn own_slot(me: usize) -> Option<&'static Slot> {
    SLOT.iter().find(|s| s.owner.load(Ordering::Acquire) == me)
}

fn claim_slot(me: usize) -> Option<&'static Slot> {
    SLOT.iter().find(|s| s.owner.compare_exchange(0, me, Ordering::AcqRel, Ordering::Relaxed).is_ok())
}

/// A Deep workspace kept between calls while handshakes are under way.
struct Kept {
    arena: Id,
    stack: usize,
    hi: usize,
}

struct KeptCell(UnsafeCell<Option<Kept>>);

// SAFETY: only reached through `kept`, under the heap lock.
unsafe impl Sync for KeptCell {}

static KEPT: KeptCell = KeptCell(UnsafeCell::new(None));
/// The kept workspace's arena belongs to no thread.
const KEPT_OWNER: usize = usize::MAX;

/// # Safety
/// The borrow must end before `kept` is called again.
#[allow(clippy::mut_from_ref)]
unsafe fn kept(_: &Guard) -> &mut Option<Kept> {
    // SAFETY: the heap lock is held; the caller keeps this the only borrow.
    unsafe { &mut *KEPT.0.get() }
}

/// Connections between their creation and the end (or failure) of their handshake.
static HANDSHAKES: AtomicUsize = AtomicUsize::new(0);

pub fn handshake_started() {
    HANDSHAKES.fetch_add(1, Ordering::Relaxed);
}

/// The last handshake under way ended: the kept workspace goes back to the heap (unless a call
/// is using it: that call gives it back when it returns).
pub fn handshake_ended() {
    if HANDSHAKES.fetch_sub(1, Ordering::Relaxed) == 1 {
        let g = heap::lock();
        // SAFETY: the borrow ends in this statement.
        if let Some(k) = unsafe { kept(&g) }.take() {
            free_stack(&g, k.stack);
            arenas::close(&g, k.arena);
        }
    }
}

/// Why `run` did not run a job.
pub enum NotRun {
    /// The heap had no room for the workspace (or `SLOTS` threads are inside the engine already).
    NoRoom,
    /// A script's callback runs in the middle of an engine call of this thread (`callback`).
    InCallback,
}

/// Runs `job` with a workspace for `need`, or says why it did not.
pub fn run(need: Need, job: &mut dyn FnMut()) -> Result<(), NotRun> {
    let me = heap::thread_id();
    if let Some(slot) = own_slot(me) {
        if slot.in_callback.load(Ordering::Relaxed) != 0 {
            return Err(NotRun::InCallback);
        }
        // Nested in a call of this thread: its workspace serves.
        job();
        return Ok(());
    }
    let Some(slot) = claim_slot(me) else {
        meters::count(&meters().refused);
        return Err(NotRun::NoRoom);
    };
    let ready = take(&heap::lock(), slot, need, me);
    if ready {
        enter(slot, job);
    } else {
        meters::count(&meters().refused);
    }
    give_back(&heap::lock(), slot, need);
    slot.owner.store(0, Ordering::Release);
    if ready {
        Ok(())
    } else {
        Err(NotRun::NoRoom)
    }
}

/// Takes the kept workspace, or the arena and, on boards, the stack from the heap. Whatever
/// was taken before a refusal is given back by `give_back`.
fn take(g: &Guard, slot: &Slot, need: Need, me: usize) -> bool {
    // SAFETY: the borrow ends in this statement.
    if let Some(k) = unsafe { kept(g) }.take() {
        // A Deep workspace serves any call.
        arenas::adopt(g, k.arena, me);
        slot.arena.store(arenas::number(k.arena), Ordering::Relaxed);
        slot.deep.store(1, Ordering::Relaxed);
        install_stack(slot, k.stack, k.hi);
        return true;
    }
    let Some(arena) = arenas::open(g, reserve_size(need), me) else { return false };
    slot.arena.store(arenas::number(arena), Ordering::Relaxed);
    slot.deep.store(usize::from(need == Need::Deep), Ordering::Relaxed);
    let size = STACK.get(kind(need)).copied().unwrap_or(0);
    if size > 0 {
        let stack = heap::workspace_block(g, size);
        if stack.is_null() {
            return false;
        }
        install_stack(slot, stack as usize, (stack as usize + size) & !15);
    }
    meters::count(&meters().taken);
    true
}

fn install_stack(slot: &Slot, stack: usize, hi: usize) {
    slot.stack.store(stack, Ordering::Relaxed);
    slot.hi.store(hi, Ordering::Relaxed);
    if stack != 0 && meters::painting() {
        paint(stack, hi);
    }
}

/// Keeps the workspace while handshakes are under way, or frees the stack and the arena (which
/// stays while it still lends memory: the free that empties it frees it).
fn give_back(g: &Guard, slot: &Slot, need: Need) {
    // Only this thread touches its slot: plain loads and stores (a swap would need a libcall
    // that Cortex-M0+ builds lack).
    let (stack, hi) = (slot.stack.load(Ordering::Relaxed), slot.hi.load(Ordering::Relaxed));
    let arena = slot.arena();
    let deep = slot.deep.load(Ordering::Relaxed) != 0;
    for field in [&slot.stack, &slot.hi, &slot.arena, &slot.deep] {
        field.store(0, Ordering::Relaxed);
    }
    let depth = if stack != 0 && meters::painting() { depth(stack, hi) } else { 0 };
    let Some(arena) = arena else {
        free_stack(g, stack);
        return;
    };
    let (lent, peak) = arenas::usage(g, arena);
    meters::note_peaks(kind(need), depth, peak);
    let keep = deep && lent == 0 && HANDSHAKES.load(Ordering::Relaxed) > 0;
    // SAFETY: the borrow ends in this statement.
    if keep && unsafe { kept(g) }.is_none() {
        arenas::adopt(g, arena, KEPT_OWNER);
        // SAFETY: the borrow ends in this statement.
        *unsafe { kept(g) } = Some(Kept { arena, stack, hi });
        return;
    }
    free_stack(g, stack);
    arenas::close(g, arena);
}

fn free_stack(g: &Guard, stack: usize) {
    if stack != 0 {
        // SAFETY: the stack came from workspace_block in `take` and no call runs on it.
        unsafe { heap::release_workspace_block(g, stack as *mut u8) };
    }
}

/// Runs `job` on the slot's stack (boards), or where we are.
fn enter(slot: &Slot, job: &mut dyn FnMut()) {
    #[cfg(any(target_arch = "arm", target_arch = "riscv32"))]
    {
        let top = slot.hi.load(Ordering::Relaxed);
        if top != 0 {
            slot.c_sp.store(super::engine_stack::stack_pointer(), Ordering::Relaxed);
            // SAFETY: the stack block below `top` is this call's alone, and large enough for the
            // engine's deepest use (measured, with a margin).
            unsafe { super::engine_stack::run_at(top, job) };
            return;
        }
    }
    let _ = slot;
    job()
}

/// Runs `f` (a call into MicroPython's heap, which may collect) on the C stack when called on
/// an engine stack: below the trampoline's frame the C stack is free while the engine runs.
#[inline(always)]
pub fn on_c_stack<R>(f: impl FnOnce() -> R) -> R {
    #[cfg(any(target_arch = "arm", target_arch = "riscv32"))]
    if let Some(slot) = own_slot(heap::thread_id()) {
        let sp = super::engine_stack::stack_pointer();
        if (slot.stack.load(Ordering::Relaxed)..slot.hi.load(Ordering::Relaxed)).contains(&sp) {
            // Leave a little room under the saved pointer; keep the ABI's 16-byte alignment.
            let top = (slot.c_sp.load(Ordering::Relaxed) - 64) & !15;
            let mut f = Some(f);
            let mut out = None;
            // SAFETY: the C stack below the saved pointer is unused while the engine runs.
            unsafe {
                super::engine_stack::run_at(top, &mut || {
                    if let Some(f) = f.take() {
                        out = Some(f());
                    }
                })
            };
            // The job always runs (panic = abort: it cannot stop half way).
            return out.unwrap_or_else(|| super::fatal());
        }
    }
    f()
}

/// Runs `f`, a call into the shim that runs a script's callback, on the C stack (where
/// MicroPython's stack check and a collection expect to be), marked so that engine calls the
/// callback makes are refused (`run`): they would run on the C stack, with this thread's
/// workspace and in the middle of a step.
pub fn callback<R>(f: impl FnOnce() -> R) -> R {
    let slot = own_slot(heap::thread_id());
    if let Some(slot) = slot {
        slot.in_callback.fetch_add(1, Ordering::Relaxed);
    }
    let out = on_c_stack(f);
    if let Some(slot) = slot {
        slot.in_callback.fetch_sub(1, Ordering::Relaxed);
    }
    out
}

/// Runs `f` (an allocation that handles its own failure) with this thread's arena out of reach.
pub fn without_reserve<R>(f: impl FnOnce() -> R) -> R {
    let Some(slot) = own_slot(heap::thread_id()) else { return f() };
    slot.no_reserve.fetch_add(1, Ordering::Relaxed);
    let out = f();
    slot.no_reserve.fetch_sub(1, Ordering::Relaxed);
    out
}

/// A block from this thread's arena for an allocation the heap refused; NULL when the arena is
/// full too, the allocation handles its own failure (`without_reserve`), or the thread is in no
/// engine call (counted in `outside`).
pub fn lend(g: &Guard, layout: core::alloc::Layout) -> *mut u8 {
    let slot = own_slot(heap::thread_id());
    if slot.is_some_and(|s| s.no_reserve.load(Ordering::Relaxed) != 0) {
        return core::ptr::null_mut();
    }
    match slot.and_then(Slot::arena) {
        Some(arena) => arenas::lend(g, arena, layout),
        None => {
            meters::count(&meters().outside);
            core::ptr::null_mut()
        }
    }
}

const PAINT: u32 = 0x5AA5_C33C;

fn paint(lo: usize, hi: usize) {
    let mut a = lo;
    while a < hi {
        // SAFETY: [lo, hi) is a stack block of ours that no call runs on yet; word aligned.
        unsafe { (a as *mut u32).write_volatile(PAINT) };
        a += 4;
    }
}

/// Bytes of [lo, hi) below `hi` that the call wrote: from the lowest word that is not paint.
fn depth(lo: usize, hi: usize) -> usize {
    let mut a = lo;
    // SAFETY: [lo, hi) is our stack block, word aligned, and its call has returned.
    while a < hi && unsafe { (a as *const u32).read_volatile() } == PAINT {
        a += 4;
    }
    hi - a
}
