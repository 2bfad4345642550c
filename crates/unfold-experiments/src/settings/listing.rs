//! `unfold config`'s listing: a configuration as TOML, every key with its description and the
//! notebook's value.

use std::fmt::Write as _;

use serde_json::Value;

use super::tree::join;
use super::{SEED_KEY, get_path, leaf_keys};

/// A JSON value in TOML's inline syntax.
pub fn toml_inline(value: &Value) -> String {
    match value {
        Value::Null => "\"\"".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => {
            let mut text = n.to_string();
            if let Some(v) = n.as_f64().filter(|_| n.is_f64()) {
                // An f32 setting reaches JSON widened (0.025 as 0.02500000037252903): print
                // its own shortest text, which reads back to the same f32.
                if f64::from(v as f32) == v {
                    let short = v as f32;
                    text = if short != 0.0 && !(1e-4..1e15).contains(&short.abs()) {
                        format!("{short:e}")
                    } else {
                        short.to_string()
                    };
                }
                if !text.contains(['.', 'e', 'E', 'i', 'N']) {
                    text.push_str(".0");
                }
            }
            text
        }
        Value::String(s) => serde_json::to_string(s).unwrap_or_default(),
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(toml_inline).collect::<Vec<_>>().join(", ")
        ),
        Value::Object(map) if map.is_empty() => "{}".into(),
        Value::Object(map) => format!(
            "{{ {} }}",
            map.iter()
                .map(|(k, v)| format!("{} = {}", toml_key(k), toml_inline(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn toml_key(key: &str) -> String {
    if !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        key.to_string()
    } else {
        serde_json::to_string(key).unwrap_or_default()
    }
}

/// What `unfold config` prints: the configuration as TOML, every key with its one-line
/// description and the notebook's value.
pub struct ConfigListing<'a> {
    /// The experiment's name.
    pub experiment: &'a str,
    /// The profile the values are for.
    pub profile: &'a str,
    /// The values to print.
    pub values: &'a Value,
    /// The notebook's values (the `full` profile).
    pub notebook: &'a Value,
    /// The seed to print, and the notebook's.
    pub seed: (u64, u64),
    /// Dotted key → one-line description.
    pub docs: &'a [(&'a str, &'a str)],
}

/// A `KEY=VALUE` this experiment really takes, for the listing's header: the first number
/// inside a table (a dotted key), else the first number at the top.
fn example_set(values: &Value) -> Option<String> {
    let top = values.as_object()?;
    let dotted = top.iter().find_map(|(table, inner)| {
        inner
            .as_object()?
            .iter()
            .find(|(_, v)| v.is_number())
            .map(|(key, v)| format!("{table}.{key}={v}"))
    });
    dotted.or_else(|| {
        top.iter()
            .find(|(_, v)| v.is_number())
            .map(|(key, v)| format!("{key}={v}"))
    })
}

impl ConfigListing<'_> {
    /// The listing as a TOML document. Parsed back as a settings file it gives the same values.
    pub fn to_toml(&self) -> String {
        let mut out = String::new();
        let example = example_set(self.values)
            .map(|e| format!(", e.g. `--set {e}`"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "# unfold {} — settings of the `{}` profile.\n\
             # Change any value and run `unfold {} --config THIS_FILE`, or change one with\n\
             # `--set KEY=VALUE` (dotted keys for the tables below{example}).\n\
             # Keys left out keep the profile's value. `(notebook: …)` is the notebook's value.\n",
            self.experiment, self.profile, self.experiment
        );
        let seed_doc = "seed for data, splits, initialization and shuffling";
        let _ = writeln!(
            out,
            "{} = {}  # {seed_doc} (notebook: {})",
            SEED_KEY, self.seed.0, self.seed.1
        );
        self.table(&mut out, self.values, "");
        out
    }

    fn doc(&self, key: &str) -> Option<&str> {
        self.docs.iter().find(|(k, _)| *k == key).map(|(_, d)| *d)
    }

    /// An object is a `[table]` when its own key is not described but keys below it are.
    fn is_table(&self, key: &str, value: &Value) -> bool {
        matches!(value, Value::Object(m) if !m.is_empty())
            && self.doc(key).is_none()
            && self
                .docs
                .iter()
                .any(|(k, _)| k.strip_prefix(key).is_some_and(|r| r.starts_with('.')))
    }

    fn table(&self, out: &mut String, node: &Value, prefix: &str) {
        let Value::Object(map) = node else { return };
        let mut tables = Vec::new();
        for (key, value) in map {
            let path = join(prefix, key);
            if self.is_table(&path, value) {
                tables.push((path, value));
                continue;
            }
            let doc = self.doc(&path).unwrap_or("");
            let notebook = get_path(self.notebook, &path)
                .map(|v| match v {
                    Value::Null => "not set".to_string(),
                    v => toml_inline(v),
                })
                .unwrap_or_else(|| "—".into());
            if value.is_null() {
                let _ = writeln!(
                    out,
                    "# {} = (not set)  # {doc} (notebook: {notebook})",
                    toml_key(key)
                );
            } else {
                let _ = writeln!(
                    out,
                    "{} = {}  # {doc} (notebook: {notebook})",
                    toml_key(key),
                    toml_inline(value)
                );
            }
        }
        for (path, value) in tables {
            let _ = writeln!(out, "\n[{path}]");
            self.table(out, value, &path);
        }
    }
}

/// Every key of `tree` that `docs` lacks (a test keeps each experiment's list complete).
pub fn undocumented(tree: &Value, docs: &[(&str, &str)]) -> Vec<String> {
    let documented = |key: &str| {
        docs.iter()
            .any(|(k, _)| *k == key || key.strip_prefix(k).is_some_and(|r| r.starts_with('.')))
    };
    leaf_keys(tree)
        .into_iter()
        .filter(|k| !documented(k))
        .collect()
}
