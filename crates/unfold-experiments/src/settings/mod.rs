//! Settings from files and the command line, applied over an experiment's profile.
//!
//! An experiment's configuration is a serde struct; here it is handled as the JSON value tree
//! it serializes to, addressed by dotted keys (`data.noise`, `learning_rate`). Layers apply in
//! order: the profile's values, then each `--config FILE` (TOML or JSON, partial files fine; a
//! `metrics.json` contributes the configuration and seed it recorded), then each `--set KEY=VALUE`.
//! Every key must exist in the profile's tree (an unknown key is an error that names the closest
//! valid one), and keys that mean the same in every experiment are checked here by name
//! ([`check_conventional`]): `learning_rate`, `epochs`, `batch_size`, `train_fraction`, the
//! hidden widths, and the sizes that take memory (`points_per_class`, `points_per_axis`, `seeds`). Type errors and the experiment's own checks come when the tree is read back
//! into the typed configuration.

use std::path::Path;

use serde_json::{Map, Value};

mod listing;
mod tree;

pub use listing::{ConfigListing, toml_inline, undocumented};
use tree::merge;
pub use tree::{
    MAX_DEPTH, MAX_LAYER_WEIGHTS, MAX_POINTS_PER_AXIS, MAX_POINTS_PER_CLASS, MAX_RUNS, MAX_WIDTH,
    all_keys, bad_value, changed_keys, check_conventional, compact, get_path, leaf_keys, set_path,
};

/// The pseudo-key for the seed: not part of any configuration struct (it lives in the run
/// context), but settable and recorded like a key.
pub const SEED_KEY: &str = "seed";

/// The largest settings file read (configuration files are a few KiB; a `metrics.json` of a
/// long study a few MiB).
pub const MAX_SETTINGS_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Layers of settings over an experiment's profile.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Overrides {
    layers: Vec<Layer>,
}

/// One layer: a file's tree, or one `--set`.
#[derive(Debug, Clone, PartialEq)]
enum Layer {
    /// A file's keys, with where they came from.
    File {
        origin: String,
        tree: Map<String, Value>,
    },
    /// One `KEY=VALUE`.
    Set { key: String, value: Value },
}

impl Overrides {
    /// No overrides: the profile as it is.
    pub fn none() -> Self {
        Self::default()
    }

    /// Whether there is nothing to apply.
    pub fn is_empty(&self) -> bool {
        self.layers.is_empty()
    }

    /// Adds a settings file (TOML, or JSON when it ends in `.json` or starts with `{`).
    pub fn file(mut self, path: &Path) -> Result<Self, String> {
        let tree = read_settings_file(path)?;
        if recorded_run(&tree).is_some() {
            crate::schema::check(&tree, crate::schema::METRICS_SCHEMA_VERSION, path)?;
        } else if let Some(kind) = other_results_file(&tree) {
            return Err(format!(
                "{} is {kind}, not settings; give a settings file (`unfold config NAME` \
                 prints one) or a run's own metrics.json",
                path.display()
            ));
        }
        self.layers.push(Layer::File {
            origin: path.display().to_string(),
            tree,
        });
        Ok(self)
    }

    /// Adds settings given as text (what [`Overrides::file`] reads from a file), named
    /// `origin` in errors: TOML, or JSON when `json` is set.
    pub fn text(mut self, origin: &str, text: &str, json: bool) -> Result<Self, String> {
        let tree = parse_settings_text(origin, text, json)?;
        self.layers.push(Layer::File {
            origin: origin.to_string(),
            tree,
        });
        Ok(self)
    }

    /// Adds a `KEY=VALUE` (VALUE in TOML syntax; a bare word is a string).
    pub fn set(mut self, assignment: &str) -> Result<Self, String> {
        let (key, value) = parse_assignment(assignment)?;
        self.layers.push(Layer::Set { key, value });
        Ok(self)
    }

    /// The overrides that concern experiment `name` in a run of several experiments: a key
    /// `NAME.rest` (or a file's `[NAME]` table) applies to that experiment only; any other key
    /// applies to every experiment that has it, and `has_key` says which do. A key that
    /// applies to no experiment is an error, returned by [`Overrides::check_global_keys`].
    pub fn for_experiment(
        &self,
        name: &str,
        all_names: &[&str],
        has_key: impl Fn(&str) -> bool,
    ) -> Self {
        let mut layers = Vec::new();
        for layer in &self.layers {
            match layer {
                Layer::File { origin, tree } => {
                    let mut mine = Map::new();
                    for (key, value) in tree {
                        if key == name {
                            if let Value::Object(table) = value {
                                mine.extend(table.clone());
                            }
                        } else if !all_names.contains(&key.as_str()) && has_key(key) {
                            mine.insert(key.clone(), value.clone());
                        }
                    }
                    if !mine.is_empty() {
                        layers.push(Layer::File {
                            origin: origin.clone(),
                            tree: mine,
                        });
                    }
                }
                Layer::Set { key, value } => {
                    let first = key.split('.').next().unwrap_or_default();
                    if first == name {
                        // `NAME` alone names no setting ([`Overrides::check_global_keys`]).
                        if let Some(rest) = key.strip_prefix(name).and_then(|r| r.strip_prefix('.'))
                        {
                            layers.push(Layer::Set {
                                key: rest.to_string(),
                                value: value.clone(),
                            });
                        }
                    } else if !all_names.contains(&first) && has_key(key) {
                        layers.push(layer.clone());
                    }
                }
            }
        }
        Self { layers }
    }

    /// For a run of several experiments: every key must name an experiment or apply to at
    /// least one (`has_key(experiment, key)`). `known_keys`, every experiment's keys, give a
    /// mistyped key its likely meaning.
    pub fn check_global_keys(
        &self,
        all_names: &[&str],
        has_key: impl Fn(&str, &str) -> bool,
        known_keys: &[&str],
    ) -> Result<(), String> {
        let check = |key: &str, origin: &str| -> Result<(), String> {
            let first = key.split('.').next().unwrap_or_default();
            if all_names.contains(&first) || all_names.iter().any(|n| has_key(n, key)) {
                return Ok(());
            }
            // `NAME.KEY` with a mistyped NAME: the rest is a real setting somewhere.
            if let Some((_, rest)) = key.split_once('.')
                && all_names.iter().any(|n| has_key(n, rest))
            {
                let hint = unfold_device::closest(first, all_names)
                    .map(|s| format!(" (did you mean '{s}.{rest}'?)"))
                    .unwrap_or_default();
                return Err(format!(
                    "unknown experiment '{first}' in setting '{key}'{origin}{hint}; \
                     experiments: {}",
                    all_names.join(", ")
                ));
            }
            if let Some(meant) = unfold_device::closest(key, known_keys) {
                return Err(format!(
                    "unknown setting '{key}'{origin}: no experiment has it (did you mean \
                     '{meant}'?); see `unfold config <experiment>`"
                ));
            }
            Err(format!(
                "unknown setting '{key}'{origin}: no experiment has it; prefix it with the \
                 experiment's name (e.g. '{}.{key}') and see `unfold config <experiment>`",
                all_names.first().copied().unwrap_or("sandwich")
            ))
        };
        let whole_experiment = |key: &str, origin: &str| {
            format!(
                "setting '{key}'{origin} names an experiment, not one of its settings; write \
                 '{key}.KEY' (see `unfold config {key}`)"
            )
        };
        for layer in &self.layers {
            match layer {
                Layer::File { origin, tree } => {
                    for (key, value) in tree {
                        if all_names.contains(&key.as_str()) && !value.is_object() {
                            return Err(whole_experiment(key, &format!(" in {origin}")));
                        }
                        check(key, &format!(" in {origin}"))?;
                    }
                }
                Layer::Set { key, .. } if all_names.contains(&key.as_str()) => {
                    return Err(whole_experiment(key, " (--set)"));
                }
                Layer::Set { key, .. } => check(key, " (--set)")?,
            }
        }
        Ok(())
    }

    /// The profile of the last results file (`metrics.json`) among the layers, if any: a
    /// rerun starts from the profile the run had.
    pub fn recorded_profile(&self) -> Option<crate::Profile> {
        self.layers.iter().rev().find_map(|layer| match layer {
            Layer::File { tree, .. } if recorded_run(tree).is_some() => {
                tree.get("profile")?.as_str()?.parse().ok()
            }
            _ => None,
        })
    }

    /// The seeds of the last recorded combined result among the files (a `metrics.json`
    /// written with `--seeds`), so that it reruns with the same seeds.
    pub fn recorded_seeds(&self) -> Option<Vec<u64>> {
        self.layers.iter().rev().find_map(|layer| match layer {
            Layer::File { tree, .. } if recorded_run(tree).is_some() => {
                serde_json::from_value(tree.get(crate::seed_stats::SEEDS_KEY)?.clone()).ok()
            }
            _ => None,
        })
    }

    /// Whether a layer holds a key without an experiment's name in front (`hidden=…`, not
    /// `xor.hidden=…`), which in a run of several experiments reaches every one that has it.
    pub fn has_plain_keys(&self, all_names: &[&str]) -> bool {
        let plain = |key: &str| !all_names.contains(&key.split('.').next().unwrap_or_default());
        self.layers.iter().any(|layer| match layer {
            Layer::File { tree, .. } => tree.keys().any(|k| plain(k)),
            Layer::Set { key, .. } => plain(key),
        })
    }

    /// The seed the last `--set seed=N` gives, if any (a file's seed is not counted): the
    /// command line can then check it against `--seed`.
    pub fn seed_set(&self) -> Option<u64> {
        self.layers.iter().rev().find_map(|layer| match layer {
            Layer::Set { key, value } if key == SEED_KEY => seed_from(value).ok(),
            _ => None,
        })
    }

    /// Applies the layers over `base` (the profile's tree) for experiment `experiment`, and
    /// returns the tree and the seed the layers set, if any.
    pub fn apply(&self, experiment: &str, base: &Value) -> Result<(Value, Option<u64>), String> {
        let mut tree = base.clone();
        let mut seed = None;
        let hint = format!("see `unfold config {experiment}`");
        for layer in &self.layers {
            match layer {
                Layer::File { origin, tree: file } => {
                    let mut file = file.clone();
                    if let Some(recorded) = recorded_run(&file) {
                        if recorded.experiment != experiment {
                            return Err(format!(
                                "{origin} holds the results of '{}', not of '{experiment}'",
                                recorded.experiment
                            ));
                        }
                        seed = recorded.seed.or(seed);
                        file = recorded.config;
                    }
                    if let Some(value) = file.remove(SEED_KEY) {
                        seed = Some(seed_from(&value).map_err(|e| format!("{origin}: {e}"))?);
                    }
                    merge(&mut tree, &Value::Object(file), "")
                        .map_err(|e| format!("{e} in {origin}; {hint}"))?;
                }
                Layer::Set { key, value } if key == SEED_KEY => {
                    seed = Some(seed_from(value)?);
                }
                Layer::Set { key, value } => {
                    set_path(&mut tree, key, value.clone()).map_err(|e| format!("{e}; {hint}"))?;
                }
            }
        }
        Ok((tree, seed))
    }
}

/// What a `metrics.json` recorded, used as a settings file.
struct RecordedRun {
    experiment: String,
    seed: Option<u64>,
    config: Map<String, Value>,
}

/// A file's tree is a recorded run when it has `experiment` and a `config` object.
fn recorded_run(tree: &Map<String, Value>) -> Option<RecordedRun> {
    let experiment = tree.get("experiment")?.as_str()?.to_string();
    let config = tree.get("config")?.as_object()?.clone();
    Some(RecordedRun {
        experiment,
        seed: tree.get("seed").and_then(Value::as_u64),
        config,
    })
}

/// What kind of unfold output a settings file that is not one is, by the keys only such
/// files have: each names its experiment(s) but holds no settings to rerun from.
fn other_results_file(tree: &Map<String, Value>) -> Option<&'static str> {
    let has = |key: &str| tree.contains_key(key);
    if has("axes") && has("points") {
        Some("a sweep's summary (sweep.json; each point's own metrics.json reruns that point)")
    } else if has("experiments") && has("started") {
        Some("reproduce-all's manifest.json")
    } else if has("experiment") && has("runs") {
        Some("a results file without its settings (no 'config')")
    } else {
        None
    }
}

fn seed_from(value: &Value) -> Result<u64, String> {
    value.as_u64().ok_or_else(|| {
        format!(
            "setting '{SEED_KEY}' = {}: expected a whole number ≥ 0",
            compact(value)
        )
    })
}

/// Reads a settings file: a regular file of at most [`MAX_SETTINGS_FILE_BYTES`], TOML or JSON
/// (JSON when it ends in `.json` or starts with `{`).
pub fn read_settings_file(path: &Path) -> Result<Map<String, Value>, String> {
    let text = unfold_guard::read_bounded_text(path, MAX_SETTINGS_FILE_BYTES)
        .map_err(|e| e.to_string())?;
    let json = path.extension().is_some_and(|e| e == "json") || text.trim_start().starts_with('{');
    parse_settings_text(&path.display().to_string(), &text, json)
}

/// Parses settings text (TOML, or JSON when `json` is set) into its table; errors are one line
/// and name `origin`.
pub fn parse_settings_text(
    origin: &str,
    text: &str,
    json: bool,
) -> Result<Map<String, Value>, String> {
    if json {
        match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(map)) => Ok(map),
            Ok(_) => Err(format!("{origin}: expected a JSON object of settings")),
            Err(e) => Err(format!("{origin} is not valid JSON: {e}")),
        }
    } else {
        let table: toml::Table = toml::from_str(text)
            .map_err(|e| format!("{origin} is not valid TOML: {}", one_line(&e.to_string())))?;
        match toml_to_json(toml::Value::Table(table)) {
            Ok(Value::Object(map)) => Ok(map),
            Ok(_) => unreachable!("a TOML document is a table"),
            Err(e) => Err(format!("{origin}: {e}")),
        }
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Splits `KEY=VALUE` and reads VALUE as TOML (`0.1`, `[16, 16]`, `true`, `"text"`,
/// `{ kind = "sgd" }`); a value that is not TOML is taken as a string (`relu`), and `null`
/// unsets an optional setting.
pub fn parse_assignment(assignment: &str) -> Result<(String, Value), String> {
    let Some((key, text)) = assignment.split_once('=') else {
        return Err(format!(
            "--set takes KEY=VALUE (e.g. --set epochs=100), got '{assignment}'"
        ));
    };
    let key = key.trim();
    if key.is_empty() || key.split('.').any(str::is_empty) {
        return Err(format!(
            "--set '{assignment}': the key is empty or has an empty part"
        ));
    }
    let text = text.trim();
    if text == "null" {
        return Ok((key.to_string(), Value::Null));
    }
    // TOML wants a digit before the point; `.5` and `-.5` are numbers all the same.
    let number = match text.split_at(text.find('.').unwrap_or(0)) {
        (sign @ ("" | "-" | "+"), rest) if rest.starts_with('.') => format!("{sign}0{rest}"),
        _ => text.to_string(),
    };
    let value = match toml::from_str::<toml::Table>(&format!("v = {number}")) {
        Ok(mut table) => match table.remove("v") {
            Some(v) => toml_to_json(v).map_err(|e| format!("setting '{key}' = {text}: {e}"))?,
            None => Value::String(text.to_string()),
        },
        Err(_) => match unreadable(text) {
            Some(why) => return Err(format!("setting '{key}' = {text}: {why}")),
            None => Value::String(text.to_string()),
        },
    };
    Ok((key.to_string(), value))
}

/// Why `text`, which is not TOML, was not meant as a bare word either: it starts like a
/// number, a list, a table or a quoted string (no setting's word does), so taking it as a
/// string would only blame the type later.
fn unreadable(text: &str) -> Option<&'static str> {
    match text.chars().next()? {
        '0'..='9' | '+' | '-' | '.' => Some(
            "not a number unfold can read (whole numbers up to 9223372036854775807; \
             decimals like 0.001 or 1e-3, up to about 1.8e308)",
        ),
        '[' => Some("not a valid list (e.g. [16, 16])"),
        '{' => Some("not a valid table (e.g. { kind = \"sgd\", lr = 0.01 })"),
        '"' | '\'' => Some("an unterminated or malformed quoted string"),
        _ => None,
    }
}

/// A TOML value as JSON; NaN and infinities (which JSON cannot hold, and no setting accepts)
/// and dates are errors.
pub fn toml_to_json(value: toml::Value) -> Result<Value, String> {
    Ok(match value {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => serde_json::Number::from_f64(f)
            .map(Value::Number)
            .ok_or_else(|| format!("{f} is not a finite number"))?,
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => return Err(format!("{d}: dates are not settings")),
        toml::Value::Array(items) => Value::Array(
            items
                .into_iter()
                .map(toml_to_json)
                .collect::<Result<_, _>>()?,
        ),
        toml::Value::Table(table) => Value::Object(
            table
                .into_iter()
                .map(|(k, v)| Ok((k, toml_to_json(v)?)))
                .collect::<Result<_, String>>()?,
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn base() -> Value {
        json!({
            "epochs": 2000,
            "learning_rate": 0.01,
            "train_fraction": 0.8,
            "hidden": [16, 16],
            "train_images": null,
            "data": { "points_per_class": 500, "noise": 0.05 },
            "optimizer": { "kind": "adam", "learning_rate": 0.001 },
        })
    }

    const DOCS: &[(&str, &str)] = &[
        ("epochs", "full-batch epochs"),
        ("learning_rate", "Adam's learning rate"),
        ("train_fraction", "fraction used for training"),
        ("hidden", "hidden widths"),
        ("train_images", "first N training images"),
        ("data.points_per_class", "points per spiral"),
        ("data.noise", "noise"),
        ("optimizer", "the optimizer"),
    ];

    #[test]
    fn set_reads_toml_values_and_bare_words() {
        assert_eq!(
            parse_assignment("epochs=5").unwrap(),
            ("epochs".into(), json!(5))
        );
        assert_eq!(
            parse_assignment("hidden = [8, 8]").unwrap(),
            ("hidden".into(), json!([8, 8]))
        );
        assert_eq!(
            parse_assignment("activation=relu").unwrap(),
            ("activation".into(), json!("relu"))
        );
        assert_eq!(
            parse_assignment("train_images=null").unwrap().1,
            Value::Null
        );
        assert!(
            parse_assignment("learning_rate=nan")
                .unwrap_err()
                .contains("not a finite")
        );
        assert!(
            parse_assignment("epochs")
                .unwrap_err()
                .contains("KEY=VALUE")
        );
        assert_eq!(parse_assignment("lr=.5").unwrap().1, json!(0.5));
        assert_eq!(parse_assignment("lr=-.5").unwrap().1, json!(-0.5));
        // What starts like a number, list, table or quote but is none is said so, not taken
        // as a word that a type check later refuses.
        for (text, why) in [
            (
                "epochs=99999999999999999999",
                "not a number unfold can read",
            ),
            ("seed=18446744073709551615", "not a number unfold can read"),
            ("data.noise=1e400", "not a number unfold can read"),
            ("hidden=[2,2", "not a valid list"),
            ("optimizer={kind=", "not a valid table"),
            ("activation=\"relu", "quoted string"),
        ] {
            let error = parse_assignment(text).unwrap_err();
            assert!(error.contains(why), "{text}: {error}");
        }
    }

    #[test]
    fn layers_apply_in_order_and_unknown_keys_name_the_closest() {
        let overrides = Overrides::none()
            .set("epochs=10")
            .unwrap()
            .set("data.noise=0.2")
            .unwrap()
            .set("seed=7")
            .unwrap()
            .set("epochs=20")
            .unwrap();
        let (tree, seed) = overrides.apply("x", &base()).unwrap();
        assert_eq!(tree["epochs"], 20);
        assert_eq!(tree["data"]["noise"], 0.2);
        assert_eq!(seed, Some(7));
        assert_eq!(overrides.seed_set(), Some(7));
        assert!(overrides.has_plain_keys(&["x"]));
        let prefixed = Overrides::none().set("x.epochs=3").unwrap();
        assert!(!prefixed.has_plain_keys(&["x"]));
        assert_eq!(Overrides::none().set("epochs=3").unwrap().seed_set(), None);

        let error = Overrides::none()
            .set("epoch=10")
            .unwrap()
            .apply("x", &base())
            .unwrap_err();
        assert!(
            error.contains("'epoch'") && error.contains("'epochs'"),
            "{error}"
        );
        assert!(error.contains("unfold config x"), "{error}");
        let error = Overrides::none()
            .set("noise=0.1")
            .unwrap()
            .apply("x", &base())
            .unwrap_err();
        assert!(error.contains("did you mean 'data.noise'"), "{error}");
    }

    #[test]
    fn conventional_keys_are_checked_by_name() {
        let with = |key: &str, value: Value| {
            let mut tree = base();
            set_path(&mut tree, key, value).unwrap();
            check_conventional(&tree)
        };
        assert!(check_conventional(&base()).is_ok());
        let error = with("learning_rate", json!(0.0)).unwrap_err();
        assert_eq!(
            error,
            "setting 'learning_rate' = 0.0: expected a finite number > 0"
        );
        assert!(with("optimizer.learning_rate", json!(-1)).is_err());
        assert!(
            with("epochs", json!(0))
                .unwrap_err()
                .contains("'epochs' = 0")
        );
        assert!(with("train_fraction", json!(1.0)).is_err());
        assert!(
            with("hidden", json!([16, 0]))
                .unwrap_err()
                .contains("widths")
        );
        // Sizes that would take more memory than a laptop has are refused before a run.
        assert!(with("hidden", json!([8192, 8192])).is_ok());
        assert!(with("data.points_per_class", json!(1_000_000)).is_ok());
        for (tree, says) in [
            (json!({ "hidden": [100_001] }), "widths from 1 to 100000"),
            (
                json!({ "hidden": 1_000_000_000u64 }),
                "widths from 1 to 100000",
            ),
            (
                json!({ "deep_hidden": [100_000, 100_000] }),
                "ask for 10000000000",
            ),
            (json!({ "hidden": vec![6; 33] }), "at most 32 hidden layers"),
            (
                json!({ "data": { "points_per_class": 1_000_001 } }),
                "at most 1000000 points",
            ),
            (
                json!({ "data": { "points_per_axis": 1001 } }),
                "at most 1000 points",
            ),
            (json!({ "seeds": 1001 }), "at most 1000 runs"),
        ] {
            let error = check_conventional(&tree).unwrap_err();
            assert!(error.contains(says), "{tree}: {error}");
        }
    }

    #[test]
    fn listing_parses_back_to_the_same_values() {
        let mut values = base();
        values["epochs"] = json!(600);
        let listing = ConfigListing {
            experiment: "x",
            profile: "quick",
            values: &values,
            notebook: &base(),
            seed: (42, 42),
            docs: DOCS,
        };
        let text = listing.to_toml();
        assert!(
            text.contains("epochs = 600  # full-batch epochs (notebook: 2000)"),
            "{text}"
        );
        assert!(text.contains("[data]\nnoise = 0.05"), "{text}");
        assert!(text.contains("optimizer = { kind = \"adam\""), "{text}");
        let dir = std::env::temp_dir().join(format!("unfold-settings-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("x.toml");
        std::fs::write(&file, &text).unwrap();
        let (tree, seed) = Overrides::none()
            .file(&file)
            .unwrap()
            .apply("x", &base())
            .unwrap();
        assert_eq!(tree, values);
        assert_eq!(seed, Some(42));
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(undocumented(&base(), DOCS).is_empty());
        assert_eq!(
            undocumented(&base(), &DOCS[1..]),
            vec!["epochs".to_string()]
        );
    }

    #[test]
    fn changed_lists_leaves_that_differ_from_the_notebook() {
        let mut tree = base();
        tree["data"]["noise"] = json!(0.3);
        let changed = changed_keys(&tree, &base());
        assert_eq!(changed.len(), 1);
        assert_eq!(
            changed["data.noise"],
            json!({ "value": 0.3, "notebook": 0.05 })
        );
    }

    #[test]
    fn keys_for_one_experiment_of_several() {
        let overrides = Overrides::none()
            .set("sandwich.epochs=5")
            .unwrap()
            .set("learning_rate=0.1")
            .unwrap();
        let names = ["sandwich", "xor"];
        let mine = overrides.for_experiment("sandwich", &names, |_| true);
        let (tree, _) = mine.apply("sandwich", &base()).unwrap();
        assert_eq!(tree["epochs"], 5);
        assert_eq!(tree["learning_rate"], 0.1);
        let other = overrides.for_experiment("xor", &names, |k| k != "learning_rate");
        assert!(other.is_empty());
        assert!(
            overrides
                .check_global_keys(&names, |_, _| false, &[])
                .is_err()
        );
        assert!(
            overrides
                .check_global_keys(&names, |_, k| k == "learning_rate", &["learning_rate"])
                .is_ok()
        );
        // A mistyped experiment name is named as such, with the closest one.
        let typo = Overrides::none().set("sandwch.epochs=5").unwrap();
        let error = typo
            .check_global_keys(&names, |_, k| k == "epochs", &["epochs"])
            .unwrap_err();
        assert!(
            error.contains("unknown experiment 'sandwch'")
                && error.contains("did you mean 'sandwich.epochs'"),
            "{error}"
        );
        // A mistyped key that no experiment has is named with the closest key of any.
        let typo = Overrides::none().set("epochz=5").unwrap();
        let error = typo
            .check_global_keys(&names, |_, k| k == "epochs", &["epochs", "hidden"])
            .unwrap_err();
        assert!(
            error.contains("unknown setting 'epochz'") && error.contains("did you mean 'epochs'"),
            "{error}"
        );
        assert!(!error.contains("sandwich.epochz"), "{error}");
    }

    #[test]
    fn counts_below_one_are_refused_with_the_rule_not_the_type() {
        for (key, value) in [("epochs", -5), ("adam_epochs", 0), ("batch_size", -1)] {
            let tree = serde_json::json!({ key: value });
            let error = check_conventional(&tree).unwrap_err();
            assert!(error.contains("a whole number ≥ 1"), "{key}: {error}");
        }
        let widths = serde_json::json!({ "hidden": [4, -2] });
        assert!(
            check_conventional(&widths)
                .unwrap_err()
                .contains("widths ≥ 1")
        );
    }
}
