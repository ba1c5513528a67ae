//! The workspace sizes (see `workspace`), by measurement: BENCHMARKS.md has the figures, and the
//! tests that check the margins are named with each.

/// The engine stacks, Deep then Light: the deepest use measured with a margin of at least 2 KB
/// (tests_fw/test_stack.py and tests_fw/test_pico_w.py check the rustls engine's,
/// tests_fw/test_lean_firmware.py the lean engine's; BENCHMARKS.md has the figures). The lean
/// engine's record calls go deeper: a TLS 1.3 record carrying a ticket reached 6,480 B on the
/// Cortex-M3 (4,916 B on the Cortex-M0+), against 3.6 KB for rustls's.
#[cfg(all(any(target_arch = "arm", target_arch = "riscv32"), not(feature = "lean")))]
pub const STACK: [usize; 2] = [19 * 1024, 6 * 1024];
#[cfg(all(any(target_arch = "arm", target_arch = "riscv32"), feature = "lean"))]
pub const STACK: [usize; 2] = [19 * 1024, 9 * 1024];
#[cfg(not(any(target_arch = "arm", target_arch = "riscv32")))]
pub const STACK: [usize; 2] = [0, 0];

/// The reserves, Deep then Light: the most a call borrowed when the heap ran dry at any of its
/// allocations (tests_py/test_alloc_faults.py), with a margin. 64-bit hosts need more: their
/// pointers and bignum digits are twice as wide. A Light reserve grows by what the connection's
/// tickets may copy (`Need::Light`).
#[cfg(not(target_pointer_width = "64"))]
pub const RESERVE: [usize; 2] = [16 * 1024, 3 * 1024];
#[cfg(target_pointer_width = "64")]
pub const RESERVE: [usize; 2] = [24 * 1024, 4 * 1024];

/// Threads inside the engine at once, each with its own workspace: a board runs few threads
/// (an RP2's two cores; the GIL of others lets one in at a time), and every slot is RAM held.
#[cfg(any(target_arch = "arm", target_arch = "riscv32"))]
pub const SLOTS: usize = 4;
#[cfg(not(any(target_arch = "arm", target_arch = "riscv32")))]
pub const SLOTS: usize = 16;
