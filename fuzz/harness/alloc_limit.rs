//! A global allocator for the fuzz targets (and the stable regression tests that replay their
//! inputs) that aborts on any single allocation larger than what the current input could
//! justify, so that a reader reserving memory from a size a header claims, before the data is
//! there, is a crash the fuzzer saves and minimizes. The limit applies to the thread that set
//! it with [`within`], so tests running beside it are not affected.
//!
//! libFuzzer's own `-malloc_limit_mb` needs a sanitizer's malloc hooks, which a
//! `--sanitizer none` build lacks; this check works without one. The bound is
//! [`BASE`] plus [`PER_INPUT_BYTE`] bytes per input byte: deflate expands at most about 1032
//! times, and a growing buffer may hold up to twice what it has received.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::io::Write;

/// Bytes any input may allocate at once, whatever its length.
pub const BASE: usize = 1 << 20;
/// Further bytes allowed at once per byte of input.
pub const PER_INPUT_BYTE: usize = 4096;

thread_local! {
    // Const-initialized and without a destructor, so reading it never allocates.
    static LIMIT: Cell<usize> = const { Cell::new(usize::MAX) };
}

fn set_limit(limit: usize) {
    // `try_with` fails only while the thread is being torn down; there is nothing to limit then.
    let _ = LIMIT.try_with(|l| l.set(limit));
}

/// The system allocator, with the per-input limit.
pub struct Limited;

fn check(size: usize) {
    let limit = LIMIT.try_with(Cell::get).unwrap_or(usize::MAX);
    if size > limit {
        // Lift the limit so that reporting (which allocates) cannot recurse here.
        set_limit(usize::MAX);
        // Straight to stderr, not `eprintln!`, which a test harness captures (and would lose).
        let _ = writeln!(
            std::io::stderr(),
            "alloc_limit: one allocation of {size} bytes; this input allows {limit}"
        );
        std::process::abort();
    }
}

// SAFETY: every call is forwarded unchanged to the system allocator.
unsafe impl GlobalAlloc for Limited {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        check(layout.size());
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        check(layout.size());
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        check(new_size);
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

/// Runs `f` on an input of `len` bytes with the limit in force.
pub fn within<T>(len: usize, f: impl FnOnce() -> T) -> T {
    let limit = BASE.saturating_add(len.saturating_mul(PER_INPUT_BYTE));
    set_limit(limit);
    let result = f();
    set_limit(usize::MAX);
    result
}
