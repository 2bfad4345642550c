//! How many CPU threads the `flex` and `ndarray` backends use.
//!
//! Both run their kernels on rayon's global thread pool (`ndarray`'s matrix products on
//! matrixmultiply's own pool, which reads `MATMUL_NUM_THREADS`). By default that is one thread
//! per logical CPU (rayon also honours `RAYON_NUM_THREADS`). [`set_cpu_threads`] fixes the count
//! for the whole process — `unfold --threads N` and `$UNFOLD_THREADS` call it — for example to
//! compare with PyTorch at the same thread count, or to leave cores to other work. A study's
//! independent runs can also train side by side, each on a [`CpuPool`] of its own share of
//! the threads ([`split_threads`]).

use std::num::NonZeroUsize;

/// The environment variable `unfold --threads` reads.
pub const THREADS_ENV: &str = "UNFOLD_THREADS";

/// The most CPU threads `--threads` may ask for, as a multiple of the logical CPUs: more
/// only adds switching (and thousands of threads exhaust the process's limits).
pub const MAX_THREADS_PER_CPU: usize = 4;

/// The largest thread count [`set_cpu_threads`] accepts on this machine.
pub fn max_cpu_threads() -> usize {
    std::thread::available_parallelism().map_or(1, NonZeroUsize::get) * MAX_THREADS_PER_CPU
}

/// `threads` when this machine can sensibly run that many CPU threads.
///
/// # Errors
/// A one-line message when `threads` exceeds [`max_cpu_threads`].
pub fn check_cpu_threads(threads: NonZeroUsize) -> Result<NonZeroUsize, String> {
    let max = max_cpu_threads();
    if threads.get() > max {
        return Err(format!(
            "--threads {threads} (or ${THREADS_ENV}) is too many: this machine has {} logical \
             CPU(s), and at most {MAX_THREADS_PER_CPU} threads per CPU ({max}) are allowed",
            max / MAX_THREADS_PER_CPU
        ));
    }
    Ok(threads)
}

/// Makes the CPU backends use `threads` threads.
///
/// Call it once, at the start of `main`, before any tensor work: it sets `MATMUL_NUM_THREADS`
/// in the process environment and builds rayon's global pool.
///
/// # Errors
/// When `threads` is more than [`check_cpu_threads`] allows, when the operating system refuses
/// to start them, or when rayon's global pool was already built (some CPU work ran before the
/// call).
///
/// # Safety
/// It writes the process environment, so no other thread may read or write the environment
/// during the call: call it before the program spawns any thread.
pub unsafe fn set_cpu_threads(threads: NonZeroUsize) -> Result<(), String> {
    let threads = check_cpu_threads(threads)?;
    // SAFETY: the caller guarantees no other thread touches the environment now.
    unsafe { std::env::set_var("MATMUL_NUM_THREADS", threads.to_string()) };
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads.get())
        .thread_name(|i| format!("unfold-cpu-{i}"))
        .build_global()
        .map_err(|e| format!("cannot set the CPU thread count to {threads}: {e}"))
}

/// Runs `work` on a thread of rayon's global pool (the pool [`set_cpu_threads`] sized), blocking
/// the caller until it returns.
///
/// The CPU backends split every matrix product and element-wise kernel over that pool. Started
/// from a thread outside it, each such split is handed to the pool and waited for across
/// threads, thousands of times a second for a training loop; started from a thread of the
/// pool, the caller works on its share itself (BENCHMARKS.md, "CPU speed: what was tried").
pub fn on_cpu_pool<R: Send>(work: impl FnOnce() -> R + Send) -> R {
    rayon::scope(|_| work())
}

/// The threads the CPU backends use (rayon's global pool; building it if needed).
pub fn cpu_threads() -> usize {
    rayon::current_num_threads()
}

/// A pool of CPU threads of its own: the `flex` and `ndarray` kernels started inside
/// [`CpuPool::run`] run on its threads instead of the global pool's. Studies use one per run
/// to train their independent runs side by side on the CPU (see [`split_threads`]): on small
/// matrices one run per core gets more done than every core on one run. (`ndarray`'s matrix
/// products run on matrixmultiply's own pool, which is process-wide.)
#[derive(Debug)]
pub struct CpuPool {
    pool: rayon::ThreadPool,
}

impl CpuPool {
    /// A pool of `threads` threads, named `unfold-lane{lane}-{i}`.
    ///
    /// # Errors
    /// When the operating system refuses to start a thread.
    pub fn new(lane: usize, threads: NonZeroUsize) -> Result<Self, String> {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads.get())
            .thread_name(move |i| format!("unfold-lane{lane}-{i}"))
            .build()
            .map(|pool| Self { pool })
            .map_err(|e| format!("cannot start {threads} CPU thread(s): {e}"))
    }

    /// Its thread count.
    pub fn threads(&self) -> usize {
        self.pool.current_num_threads()
    }

    /// Runs `f` on one of the pool's threads, so that the CPU work it starts stays in the pool.
    pub fn run<R: Send>(&self, f: impl FnOnce() -> R + Send) -> R {
        self.pool.install(f)
    }
}

/// `threads` shared out over at most `jobs` lanes, one thread per lane while the jobs last and
/// the rest spread evenly (the first lanes get one more): `split_threads(2, 11)` is `[1, 1]`,
/// `split_threads(16, 4)` is `[4, 4, 4, 4]`, `split_threads(5, 2)` is `[3, 2]`.
pub fn split_threads(threads: usize, jobs: usize) -> Vec<NonZeroUsize> {
    let lanes = threads.min(jobs).max(1);
    let threads = threads.max(1);
    (0..lanes)
        .map(|lane| {
            let share = threads / lanes + usize::from(lane < threads % lanes);
            NonZeroUsize::new(share).expect("at least one thread per lane")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threads_are_shared_out_evenly_over_the_lanes() {
        let split = |t, j| -> Vec<usize> { split_threads(t, j).iter().map(|n| n.get()).collect() };
        assert_eq!(split(2, 11), [1, 1]);
        assert_eq!(split(16, 4), [4, 4, 4, 4]);
        assert_eq!(split(5, 2), [3, 2]);
        assert_eq!(split(1, 5), [1]);
        assert_eq!(split(4, 1), [4]);
        assert_eq!(split(3, 0), [3]);
    }

    #[test]
    fn work_inside_a_pool_sees_the_pools_threads() {
        let pool = CpuPool::new(0, NonZeroUsize::new(3).unwrap()).unwrap();
        assert_eq!(pool.threads(), 3);
        assert_eq!(pool.run(rayon::current_num_threads), 3);
        let name = pool.run(|| std::thread::current().name().map(str::to_string));
        assert_eq!(
            name.as_deref().map(|n| n.starts_with("unfold-lane0-")),
            Some(true)
        );
    }

    #[test]
    fn thread_counts_beyond_a_few_per_cpu_are_refused() {
        let max = max_cpu_threads();
        assert!(max >= MAX_THREADS_PER_CPU);
        let ok = NonZeroUsize::new(max).unwrap();
        assert_eq!(check_cpu_threads(ok), Ok(ok));
        let err = check_cpu_threads(NonZeroUsize::new(max + 1).unwrap()).unwrap_err();
        assert!(
            err.contains("too many") && err.contains(&max.to_string()),
            "{err}"
        );
    }

    #[test]
    fn the_pool_has_at_least_one_thread() {
        assert!(cpu_threads() >= 1);
    }
}
