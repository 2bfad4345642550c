//! The oracle of the `settings` fuzz target, shared with the stable test `tests/hostile.rs`
//! (which includes this file by path).
//!
//! The input (as UTF-8, invalid sequences replaced) is a settings file, then optionally a line
//! `---` and one `--set KEY=VALUE` assignment per line. The file goes through the TOML and the
//! JSON readers, the assignments through `--set`'s, and whatever is accepted is applied to every
//! experiment's quick profile as `reproduce-all` does (`check_global_keys`, `for_experiment`,
//! `apply`, the typed read-back and checks). Nothing may panic, and every rejection is one
//! non-empty line.

use unfold_experiments::settings::{Overrides, get_path, parse_assignment, parse_settings_text};
use unfold_experiments::{Profile, registry};

/// What [`check`] found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Outcome {
    /// The file part was accepted (as TOML or as JSON).
    pub file_accepted: bool,
    /// Experiments whose settings, with these overrides, passed every check.
    pub runnable: usize,
}

fn one_line(what: &str, error: &str) {
    assert!(!error.trim().is_empty(), "{what}: an empty error");
    assert!(!error.contains('\n'), "{what}: a multi-line error: {error}");
}

/// Checks the settings parser on `data`; panics on any broken property.
pub fn check(data: &[u8]) -> Outcome {
    let text = String::from_utf8_lossy(data);
    let (file, sets) = match text.split_once("\n---\n") {
        Some((file, sets)) => (file, sets),
        None => (text.as_ref(), ""),
    };
    let mut outcome = Outcome::default();
    let mut overrides = Overrides::none();
    for json in [false, true] {
        match parse_settings_text("(fuzz)", file, json) {
            Ok(_) => {
                outcome.file_accepted = true;
                overrides = Overrides::none()
                    .text("(fuzz)", file, json)
                    .expect("text() accepts what parse_settings_text accepts");
            }
            Err(e) => one_line("settings file", &e),
        }
    }
    for line in sets.lines() {
        match parse_assignment(line) {
            Ok(_) => overrides = overrides.set(line).expect("set() accepts what parses"),
            Err(e) => one_line("--set", &e),
        }
    }
    let names = registry::names();
    let bases: Vec<_> = registry::EXPERIMENTS
        .iter()
        .map(|e| (*e, e.config_tree(Profile::Quick)))
        .collect();
    let has_key = |name: &str, key: &str| {
        bases
            .iter()
            .any(|(e, base)| e.info().name == name && get_path(base, key).is_some())
    };
    let keys: Vec<String> = bases
        .iter()
        .flat_map(|(_, base)| unfold_experiments::settings::leaf_keys(base))
        .collect();
    let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
    if let Err(e) = overrides.check_global_keys(&names, has_key, &keys) {
        one_line("check_global_keys", &e);
    }
    for (experiment, base) in &bases {
        let name = experiment.info().name;
        let mine = overrides.for_experiment(name, &names, |key| get_path(base, key).is_some());
        match mine.apply(name, base) {
            Ok((tree, _seed)) => match experiment.check_tree(&tree) {
                Ok(_) => outcome.runnable += 1,
                Err(e) => one_line("check_tree", &e),
            },
            Err(e) => one_line("apply", &e),
        }
    }
    outcome
}
