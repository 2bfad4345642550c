//! The `unfold` binary: see `unfold --help`.

/// mimalloc keeps freed tensor buffers for reuse instead of returning them to the kernel
/// after every step (BENCHMARKS.md, "The allocator").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    unfold_cli::main()
}
