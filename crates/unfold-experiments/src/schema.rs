//! The `schema_version` every JSON file of unfold's results carries, and the check that a file
//! read back is one this unfold understands.
//!
//! A version counts the layouts of one kind of file. It grows only when a later unfold changes
//! the meaning or shape of existing keys; adding keys keeps it. Files written before versions
//! were recorded have none and read as version 1.

use std::path::Path;

use serde_json::{Map, Value};

/// The layout of `metrics.json` this unfold writes and reads.
pub const METRICS_SCHEMA_VERSION: u32 = 1;

/// The layout of `reproduce-all`'s `manifest.json` this unfold writes and reads.
pub const MANIFEST_SCHEMA_VERSION: u32 = 1;

/// The key that holds the version.
pub const SCHEMA_KEY: &str = "schema_version";

/// The version of files that predate the key.
pub fn unversioned() -> u32 {
    1
}

/// Checks that the `schema_version` of `tree` (read from `path`) is at most `supported`: a
/// file written by a newer unfold fails with one line that says so, rather than being
/// misread.
pub fn check(tree: &Map<String, Value>, supported: u32, path: &Path) -> Result<(), String> {
    let Some(value) = tree.get(SCHEMA_KEY) else {
        return Ok(());
    };
    let shown = path.display();
    let version = value
        .as_u64()
        .ok_or_else(|| format!("{shown}: {SCHEMA_KEY} is {value}; expected a whole number ≥ 1"))?;
    if version > u64::from(supported) {
        return Err(format!(
            "{shown} has {SCHEMA_KEY} {version}, written by a newer unfold; this one reads up to \
             {supported}: upgrade unfold to read it"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn tree(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn older_equal_and_missing_versions_are_read() {
        let path = Path::new("metrics.json");
        assert!(check(&tree(json!({})), 1, path).is_ok());
        assert!(check(&tree(json!({"schema_version": 1})), 1, path).is_ok());
        assert!(check(&tree(json!({"schema_version": 1})), 2, path).is_ok());
    }

    #[test]
    fn a_newer_version_is_one_clear_line() {
        let err = check(
            &tree(json!({"schema_version": 7})),
            1,
            Path::new("r/metrics.json"),
        )
        .unwrap_err();
        assert_eq!(
            err,
            "r/metrics.json has schema_version 7, written by a newer unfold; this one reads up \
             to 1: upgrade unfold to read it"
        );
        let err = check(
            &tree(json!({"schema_version": "x"})),
            1,
            Path::new("m.json"),
        )
        .unwrap_err();
        assert!(err.contains("expected a whole number"), "{err}");
        assert!(!err.contains('\n'));
    }
}
