//! How many CPU threads the `flex` and `ndarray` backends use.
//!
//! Both run their kernels on rayon's global thread pool (`ndarray`'s matrix products on
//! matrixmultiply's own pool, which reads `MATMUL_NUM_THREADS`). By default that is one thread
//! per logical CPU (rayon also honours `RAYON_NUM_THREADS`). [`set_cpu_threads`] fixes the count
//! for the whole process — `unfold --threads N` and `$UNFOLD_THREADS` call it — for example to
//! compare with PyTorch at the same thread count, or to leave cores to other work.

use std::num::NonZeroUsize;

/// The environment variable `unfold --threads` reads.
pub const THREADS_ENV: &str = "UNFOLD_THREADS";

/// Makes the CPU backends use `threads` threads.
///
/// Call it once, at the start of `main`, before any tensor work: it sets `MATMUL_NUM_THREADS`
/// in the process environment and builds rayon's global pool.
///
/// # Errors
/// When rayon's global pool was already built (some CPU work ran before the call).
///
/// # Safety
/// It writes the process environment, so no other thread may read or write the environment
/// during the call: call it before the program spawns any thread.
pub unsafe fn set_cpu_threads(threads: NonZeroUsize) -> Result<(), String> {
    // SAFETY: the caller guarantees no other thread touches the environment now.
    unsafe { std::env::set_var("MATMUL_NUM_THREADS", threads.to_string()) };
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads.get())
        .thread_name(|i| format!("unfold-cpu-{i}"))
        .build_global()
        .map_err(|e| format!("cannot set the CPU thread count to {threads}: {e}"))
}

/// The threads the CPU backends use (rayon's global pool; building it if needed).
pub fn cpu_threads() -> usize {
    rayon::current_num_threads()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pool_has_at_least_one_thread() {
        assert!(cpu_threads() >= 1);
    }
}
