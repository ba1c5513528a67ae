//! Entropy and wall-clock time, from the port that hosts the engine.
//!
//! Inside MicroPython the C shim provides `ussl_port_random` (getrandom on unix, the hardware RNG
//! on boards) and `ussl_port_time`. On the host (tests) std provides both.

/// Seconds since 1970 below which a clock is taken as "never set": 2024-01-01. Boards without a
/// battery-backed RTC boot in 2000 or 1970; certificates cannot be checked against that.
pub const EARLIEST_PLAUSIBLE_TIME: u64 = 1_704_067_200;

#[cfg(feature = "micropython")]
mod hooks {
    extern "C" {
        /// Fills `len` bytes at `buf` from the port's entropy source; returns 0 on success.
        pub fn ussl_port_random(buf: *mut u8, len: usize) -> i32;
        /// Writes the wall-clock time in seconds since 1970 to `secs`; returns 0 on success.
        pub fn ussl_port_time(secs: *mut i64) -> i32;
    }
}

/// Fills `buf` with random bytes from the port. Returns false when the source failed.
pub fn fill_random(buf: &mut [u8]) -> bool {
    #[cfg(feature = "micropython")]
    {
        // SAFETY: `buf` is a valid, writable slice of `buf.len()` bytes for the whole call; the
        // hook writes at most that many bytes and keeps no pointer.
        unsafe { hooks::ussl_port_random(buf.as_mut_ptr(), buf.len()) == 0 }
    }
    #[cfg(not(feature = "micropython"))]
    {
        use std::io::Read;
        std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(buf)).is_ok()
    }
}

/// The wall-clock time in whole seconds since 1970, if the port has one.
pub fn now_secs() -> Option<u64> {
    #[cfg(feature = "micropython")]
    {
        let mut secs: i64 = 0;
        // SAFETY: `secs` is a valid i64 on our stack for the duration of the call.
        let rc = unsafe { hooks::ussl_port_time(&mut secs) };
        if rc == 0 && secs >= 0 {
            Some(secs as u64)
        } else {
            None
        }
    }
    #[cfg(not(feature = "micropython"))]
    {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).ok().map(|d| d.as_secs())
    }
}

/// A `rand_core` generator over the port's entropy. `fill_bytes` cannot report failure, so a
/// failure is remembered and the caller checks [`PortRng::failed`] before using the output.
#[derive(Default)]
pub struct PortRng {
    failed: bool,
    filler: u8,
}

impl PortRng {
    pub fn failed(&self) -> bool {
        self.failed
    }
}

impl rand_core::RngCore for PortRng {
    fn next_u32(&mut self) -> u32 {
        let mut b = [0u8; 4];
        self.fill_bytes(&mut b);
        u32::from_le_bytes(b)
    }

    fn next_u64(&mut self) -> u64 {
        let mut b = [0u8; 8];
        self.fill_bytes(&mut b);
        u64::from_le_bytes(b)
    }

    fn fill_bytes(&mut self, dest: &mut [u8]) {
        if !fill_random(dest) {
            self.failed = true;
            // Not zeros: a caller that draws until it gets a usable value (a non-zero scalar
            // below the group order, as key generation does) would draw zeros forever, and the
            // board would hang instead of refusing. Bytes that change from draw to draw end such
            // loops; they are never used, as the caller checks `failed()` and refuses.
            for (i, b) in dest.iter_mut().enumerate() {
                *b = (i as u8).wrapping_add(1) ^ self.filler;
            }
            self.filler = self.filler.wrapping_add(1);
        }
    }

    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        if fill_random(dest) {
            Ok(())
        } else {
            self.failed = true;
            Err(core::num::NonZeroU32::new(rand_core::Error::CUSTOM_START)
                .map(rand_core::Error::from)
                .unwrap_or_else(|| rand_core::Error::from(core::num::NonZeroU32::MIN)))
        }
    }
}

impl rand_core::CryptoRng for PortRng {}
