//! The `unfold` binary: see `unfold --help`.

fn main() -> std::process::ExitCode {
    unfold_cli::main()
}
