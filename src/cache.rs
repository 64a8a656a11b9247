//! Cache hints: telling the CPU to start loading a line that is about to be
//! read, so a random access overlaps other work instead of stalling it.
//! Hints only; nothing here changes a result.

/// Asks the CPU to start loading `x`'s cache line.
#[inline(always)]
pub fn prefetch<T>(x: &T) {
    prefetch_ptr(x as *const T);
}

/// Asks the CPU to start loading the cache line at `p`, which need not be
/// valid to read (nor free of writes by another thread): no reference is
/// made, and a prefetch cannot fault.
#[inline(always)]
pub fn prefetch_ptr<T>(p: *const T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is only a hint; it reads nothing and cannot fault.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(p.cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}
