//! Diagnostics and how much the command line says.
//!
//! Diagnostics go through `tracing` to standard error. `RUST_LOG` (an `EnvFilter`, e.g.
//! `RUST_LOG=wgpu_core=info,cubecl=debug`) chooses them when set; otherwise `-v` raises them
//! step by step. Burn, CubeCL and wgpu log through the `log` crate, whose records the
//! subscriber forwards, so their messages reach the user the same way. By default only
//! unfold's own warnings show: the terminal stays as clean as it was, progress bars included.
//!
//! `-q` silences the informational lines (progress, per-experiment summaries, "wrote …"),
//! never errors: they still print, and the exit code still says how it went.

use tracing_subscriber::EnvFilter;

/// Whether `--quiet` was given: informational lines are left out. `unfold_train` keeps the flag,
/// since its progress bars and the experiments' lines follow it too.
pub(crate) fn quiet() -> bool {
    !unfold_train::terminal_progress()
}

/// `println!` for informational lines: nothing under `--quiet`.
pub(crate) use unfold_train::say;

/// The filter used without `RUST_LOG`: unfold's own events (`unfold*` targets) and, from
/// `-v` on, the libraries' at one level less. `unfold serve` shows what its sessions do (Burn's
/// remote server logs them at `info`; wgpu's per-resource lines and CubeCL's kernel-cache
/// notes stay out), as Burn's own server logging would.
fn default_directives(verbose: u8, quiet: bool, serving: bool) -> &'static str {
    match (quiet, verbose) {
        (true, _) => "off,unfold=error",
        (false, 0) if serving => "info,wgpu=warn,cubecl=warn",
        (false, 0) => "off,unfold=warn",
        (false, 1) => "warn,unfold=info",
        (false, 2) => "info,unfold=debug",
        (false, _) => "debug,unfold=trace",
    }
}

/// Installs the subscriber and applies `--quiet`; call once, before any work. `serving`: the
/// command is `unfold serve`.
pub(crate) fn init(verbose: u8, quiet: bool, serving: bool) {
    unfold_train::set_terminal_progress(!quiet);
    let fallback = || EnvFilter::new(default_directives(verbose, quiet, serving));
    let filter = match std::env::var(EnvFilter::DEFAULT_ENV) {
        Ok(spec) if !spec.trim().is_empty() => EnvFilter::try_new(&spec).unwrap_or_else(|e| {
            eprintln!("unfold: ignoring RUST_LOG={spec:?}: {e}");
            fallback()
        }),
        _ => fallback(),
    };
    // `try_init` also forwards the `log` crate's records (Burn, CubeCL, wgpu) to `tracing`.
    // Colours only on a terminal: a log piped to a file stays plain text.
    use std::io::IsTerminal;
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .without_time()
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_filter_parses_and_quiet_wins() {
        for verbose in 0..5 {
            for quiet in [false, true] {
                for serving in [false, true] {
                    let spec = default_directives(verbose, quiet, serving);
                    assert!(EnvFilter::try_new(spec).is_ok(), "{spec}");
                }
            }
        }
        assert_eq!(default_directives(3, true, false), "off,unfold=error");
        assert_eq!(
            default_directives(0, false, true),
            "info,wgpu=warn,cubecl=warn"
        );
    }
}
