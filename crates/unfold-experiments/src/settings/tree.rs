//! Settings as a JSON tree addressed by dotted keys: listing, reading and setting keys,
//! merging a file's keys, the key-wise checks and the keys that differ from the notebook.

use serde_json::{Map, Value};

/// Every dotted key of a tree: the leaves (numbers, strings, lists, …) and the objects above
/// them.
pub fn all_keys(tree: &Value) -> Vec<String> {
    let mut keys = Vec::new();
    collect_keys(tree, "", &mut keys, true);
    keys
}

/// The dotted keys of the leaves of a tree (lists are leaves).
pub fn leaf_keys(tree: &Value) -> Vec<String> {
    let mut keys = Vec::new();
    collect_keys(tree, "", &mut keys, false);
    keys
}

fn collect_keys(tree: &Value, prefix: &str, keys: &mut Vec<String>, with_objects: bool) {
    if let Value::Object(map) = tree {
        for (key, value) in map {
            let path = join(prefix, key);
            match value {
                Value::Object(inner) if !inner.is_empty() => {
                    if with_objects {
                        keys.push(path.clone());
                    }
                    collect_keys(value, &path, keys, with_objects);
                }
                _ => keys.push(path),
            }
        }
    }
}

pub(super) fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

/// The value at a dotted key.
pub fn get_path<'a>(tree: &'a Value, key: &str) -> Option<&'a Value> {
    key.split('.').try_fold(tree, |node, part| node.get(part))
}

fn unknown_key(tree: &Value, key: &str) -> String {
    let keys = all_keys(tree);
    let names: Vec<&str> = keys.iter().map(String::as_str).collect();
    // Compare with the closest key on the whole path, then on the last part alone (a user who
    // knows `noise` but not that it sits under `data`).
    let hint = unfold_device::closest(key, &names)
        .or_else(|| {
            let last = key.rsplit('.').next().unwrap_or(key);
            names
                .iter()
                .copied()
                .filter(|k| k.rsplit('.').next() == Some(last))
                .min_by_key(|k| k.len())
        })
        .map(|k| format!(" (did you mean '{k}'?)"))
        .unwrap_or_default();
    format!("unknown setting '{key}'{hint}")
}

/// Sets the value at a dotted key that exists in `tree`.
pub fn set_path(tree: &mut Value, key: &str, value: Value) -> Result<(), String> {
    if get_path(tree, key).is_none() {
        return Err(unknown_key(tree, key));
    }
    let mut node = tree;
    for part in key.split('.') {
        node = node.get_mut(part).expect("the path exists");
    }
    *node = value;
    Ok(())
}

/// Merges `overlay` into `tree`: objects key by key (each key must exist), anything else
/// replaced whole.
pub(super) fn merge(tree: &mut Value, overlay: &Value, prefix: &str) -> Result<(), String> {
    let Value::Object(entries) = overlay else {
        return Ok(());
    };
    for (key, value) in entries {
        let path = join(prefix, key);
        let root_view = tree.clone();
        let Some(slot) = tree.get_mut(key) else {
            return Err(unknown_key(&prefixed(&root_view, prefix), &path));
        };
        match (&mut *slot, value) {
            (Value::Object(current), Value::Object(_)) if !current.is_empty() => {
                merge(slot, value, &path)?
            }
            _ => *slot = value.clone(),
        }
    }
    Ok(())
}

/// `tree` as it sits under `prefix` in the whole tree (for key suggestions with full paths).
fn prefixed(tree: &Value, prefix: &str) -> Value {
    prefix
        .split('.')
        .filter(|p| !p.is_empty())
        .rev()
        .fold(tree.clone(), |inner, part| {
            let mut map = Map::new();
            map.insert(part.to_string(), inner);
            Value::Object(map)
        })
}

/// A value on one line, as JSON.
pub fn compact(value: &Value) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// `setting 'KEY' = VALUE: expected EXPECTED` — the one-line form of every bad-value error.
pub fn bad_value(key: &str, value: impl std::fmt::Display, expected: &str) -> String {
    format!("setting '{key}' = {value}: expected {expected}")
}

/// The widest hidden layer a setting may ask for.
pub const MAX_WIDTH: u64 = 100_000;

/// The most hidden layers a setting may ask for (figures draw every layer side by side).
pub const MAX_DEPTH: usize = 32;

/// The most weights between two hidden layers (256 MiB of `f32`, four times that with the
/// gradients and an optimizer's state): beyond it a network does not fit a laptop's memory.
pub const MAX_LAYER_WEIGHTS: u64 = 1 << 26;

/// The most points in one class of a generated dataset.
pub const MAX_POINTS_PER_CLASS: u64 = 1_000_000;

/// The most points along one axis of a generated grid (a million points in all).
pub const MAX_POINTS_PER_AXIS: u64 = 1_000;

/// The most independent runs one setting may ask for (`seeds` of a study).
pub const MAX_RUNS: u64 = 1_000;

/// Checks the keys whose meaning is the same in every experiment, by name: a learning rate is
/// a finite number > 0; `epochs` and `batch_size` are ≥ 1; `train_fraction` lies in (0, 1);
/// a hidden width (a key containing `hidden` holding whole numbers) is from 1 to
/// [`MAX_WIDTH`], in at most [`MAX_DEPTH`] layers with at most [`MAX_LAYER_WEIGHTS`] weights
/// between two of them; sizes
/// that take memory stay within what a laptop holds (`points_per_class`, `points_per_axis`,
/// `seeds`), so an impossible setting is refused before anything is allocated.
pub fn check_conventional(tree: &Value) -> Result<(), String> {
    for key in leaf_keys(tree) {
        let value = get_path(tree, &key).expect("a listed key");
        let name = key.rsplit('.').next().unwrap_or(&key);
        let number = value.as_f64();
        if name == "learning_rate" || name.ends_with("_learning_rate") {
            if !number.is_some_and(|v| v.is_finite() && v > 0.0) {
                return Err(bad_value(&key, compact(value), "a finite number > 0"));
            }
        } else if name == "epochs" || name.ends_with("_epochs") || name == "batch_size" {
            if value.as_f64().is_some_and(|v| v < 1.0) {
                return Err(bad_value(&key, compact(value), "a whole number ≥ 1"));
            }
        } else if name == "train_fraction" {
            if !number.is_some_and(|v| v > 0.0 && v < 1.0) {
                return Err(bad_value(
                    &key,
                    compact(value),
                    "a fraction strictly between 0 and 1",
                ));
            }
        } else if name.contains("hidden") {
            let widths: Vec<&Value> = match value {
                Value::Array(items) => items.iter().collect(),
                other => vec![other],
            };
            if widths.iter().any(|w| w.as_f64().is_some_and(|w| w < 1.0)) {
                return Err(bad_value(&key, compact(value), "widths ≥ 1"));
            }
            if widths.len() > MAX_DEPTH {
                return Err(bad_value(
                    &key,
                    format!("a list of {} widths", widths.len()),
                    &format!("at most {MAX_DEPTH} hidden layers"),
                ));
            }
            if widths
                .iter()
                .any(|w| w.as_u64().is_some_and(|w| w > MAX_WIDTH))
            {
                return Err(bad_value(
                    &key,
                    compact(value),
                    &format!("widths from 1 to {MAX_WIDTH}"),
                ));
            }
            let numbers: Vec<u64> = widths.iter().filter_map(|w| w.as_u64()).collect();
            if let Some(most) = numbers.windows(2).map(|w| w[0] * w[1]).max()
                && most > MAX_LAYER_WEIGHTS
            {
                return Err(bad_value(
                    &key,
                    compact(value),
                    &format!(
                        "at most {MAX_LAYER_WEIGHTS} weights between two hidden layers \
                         (these ask for {most}); make the layers narrower"
                    ),
                ));
            }
        } else if let Some((limit, what)) = match name {
            "points_per_class" => Some((MAX_POINTS_PER_CLASS, "points per class")),
            "points_per_axis" => Some((MAX_POINTS_PER_AXIS, "points per axis")),
            "seeds" => Some((MAX_RUNS, "runs")),
            _ => None,
        } && value.as_u64().is_some_and(|v| v > limit)
        {
            return Err(bad_value(
                &key,
                compact(value),
                &format!("at most {limit} {what}"),
            ));
        }
    }
    Ok(())
}

/// The leaves of `effective` that differ from `notebook`: key → `{ "value", "notebook" }`.
pub fn changed_keys(effective: &Value, notebook: &Value) -> Map<String, Value> {
    let mut changed = Map::new();
    for key in leaf_keys(effective) {
        let value = get_path(effective, &key).cloned().unwrap_or(Value::Null);
        let original = get_path(notebook, &key).cloned().unwrap_or(Value::Null);
        if value != original {
            changed.insert(
                key,
                serde_json::json!({ "value": value, "notebook": original }),
            );
        }
    }
    changed
}
