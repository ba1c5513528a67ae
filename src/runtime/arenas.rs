//! The reserve arenas of the workspaces, each in a heap block of its own, in one table under the
//! heap lock. An arena serves one call (its owner); when the call returns it is freed, unless
//! it still lends memory (a connection that ran dry keeps what it was lent until it is freed):
//! then the free that empties it frees it.

use core::alloc::Layout;
use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicUsize, Ordering};

use super::heap::{self, Guard};
use super::reserve::Arena;

/// An arena in the table.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Id(usize);

/// An `Id` as a non-zero number (0 stands for none), and back.
pub fn number(id: Id) -> usize {
    id.0 + 1
}

pub fn id(number: usize) -> Option<Id> {
    number.checked_sub(1).map(Id)
}

/// The owner of an arena whose call returned while it still lent memory.
const ORPHAN: usize = 0;

struct Entry {
    arena: Arena,
    block: *mut u8,
    owner: usize,
}

/// Calls under way (one arena each), arenas that still lend memory after theirs, and the kept
/// workspace's.
const ARENAS: usize = super::sizes::SLOTS + 4;

struct Table(UnsafeCell<[Option<Entry>; ARENAS]>);

// SAFETY: the table is only reached through `table`, under the heap lock.
unsafe impl Sync for Table {}

static TABLE: Table = Table(UnsafeCell::new([const { None }; ARENAS]));
/// Arenas in the table: the allocator's free path skips the table while there are none.
static LIVE: AtomicUsize = AtomicUsize::new(0);

/// # Safety
/// The returned borrow must end before anything that may re-enter the allocator (a heap call,
/// which may run a collection and its finalisers) and before `table` is called again.
#[allow(clippy::mut_from_ref)]
unsafe fn table(_: &Guard) -> &mut [Option<Entry>; ARENAS] {
    // SAFETY: the heap lock is held; the caller keeps this the only borrow.
    unsafe { &mut *TABLE.0.get() }
}

/// `f` on the arena's entry (None when there is none); `f` must make no heap call.
fn with_entry<R>(g: &Guard, id: Id, f: impl FnOnce(&mut Entry) -> R) -> Option<R> {
    // SAFETY: the borrow ends when `f` returns, and `f` makes no heap call.
    unsafe { table(g) }.get_mut(id.0).and_then(Option::as_mut).map(f)
}

/// A new arena of `size` bytes (a multiple of 16) from the heap, for `owner`; None when the
/// heap (or the table) has no room.
pub fn open(g: &Guard, size: usize, owner: usize) -> Option<Id> {
    let block = heap::workspace_block(g, size);
    if block.is_null() {
        return None;
    }
    let base = block as usize;
    let slot = {
        // SAFETY: no heap call while this borrow lives.
        let table = unsafe { table(g) };
        table.iter().position(Option::is_none).and_then(|i| {
            // SAFETY: `base` is 16-aligned with `size` bytes of `block` after it, ours alone.
            let arena = unsafe { Arena::new(base, size) };
            *table.get_mut(i)? = Some(Entry { arena, block, owner });
            Some(i)
        })
    };
    match slot {
        Some(i) => {
            LIVE.fetch_add(1, Ordering::Relaxed);
            Some(Id(i))
        }
        None => {
            // SAFETY: `block` came from workspace_block and nothing uses it.
            unsafe { heap::release_workspace_block(g, block) };
            None
        }
    }
}

/// Hands the arena to `owner`, its peak counted afresh.
pub fn adopt(g: &Guard, id: Id, owner: usize) {
    with_entry(g, id, |e| {
        e.owner = owner;
        e.arena.reset_peak();
    });
}

/// (bytes lent now, most lent since the arena was opened or adopted).
pub fn usage(g: &Guard, id: Id) -> (usize, usize) {
    with_entry(g, id, |e| (e.arena.in_use(), e.arena.peak())).unwrap_or((0, 0))
}

/// Frees the arena, or leaves it to the free that empties it when it still lends memory.
pub fn close(g: &Guard, id: Id) {
    let block = {
        // SAFETY: no heap call while this borrow lives.
        let table = unsafe { table(g) };
        let Some(slot) = table.get_mut(id.0) else { return };
        let Some(e) = slot.as_mut() else { return };
        if e.arena.in_use() != 0 {
            e.owner = ORPHAN;
            return;
        }
        let block = e.block;
        *slot = None;
        block
    };
    LIVE.fetch_sub(1, Ordering::Relaxed);
    // SAFETY: the arena's block came from workspace_block and nothing in it is lent.
    unsafe { heap::release_workspace_block(g, block) };
}

/// A block from the arena for an allocation the heap refused; NULL when it is full too.
pub fn lend(g: &Guard, id: Id, layout: Layout) -> *mut u8 {
    with_entry(g, id, |e| e.arena.alloc(layout)).unwrap_or(core::ptr::null_mut())
}

/// Takes back `ptr` if an arena lent it (true), freeing an orphaned arena once it is empty.
///
/// # Safety
/// `ptr` came from the allocator with this `layout` and is not freed yet.
pub unsafe fn take_back(g: &Guard, ptr: *mut u8, layout: Layout) -> bool {
    if LIVE.load(Ordering::Relaxed) == 0 {
        return false;
    }
    let block = {
        // SAFETY: no heap call while this borrow lives.
        let table = unsafe { table(g) };
        let Some(slot) = table.iter_mut().find(|e| e.as_ref().is_some_and(|e| e.arena.owns(ptr))) else {
            return false;
        };
        let Some(e) = slot.as_mut() else { return false };
        // SAFETY: the arena lent `ptr` with this layout (the caller's contract).
        unsafe { e.arena.dealloc(ptr, layout) };
        if e.owner != ORPHAN || e.arena.in_use() != 0 {
            return true;
        }
        let block = e.block;
        *slot = None;
        block
    };
    LIVE.fetch_sub(1, Ordering::Relaxed);
    // SAFETY: the arena's block came from workspace_block, its call returned and it lends nothing.
    unsafe { heap::release_workspace_block(g, block) };
    true
}
