//! The finished runs of a long study, saved one file per run as each ends, so that an
//! interrupted study goes on where it stopped (`--resume`).
//!
//! A checkpoint is `<out>/<experiment>/runs/<run>.json`: its [`SCHEMA_VERSION`], the run's
//! name, a fingerprint of the settings it was trained with (configuration, seed, backend), its
//! metrics, and a SHA-256 checksum of all of these. Nothing in one is trusted: before a run is
//! reused, every one of these is checked, and its numbers must be possible (finite, accuracies
//! in [0, 1], losses ≥ 0 and within `f32`). A checkpoint that fails any check is trained again,
//! with a one-line warning that says why.
//!
//! Floats survive the file exactly: they are written as the shortest text that reads back to
//! the same `f64` and read back with Rust's correctly rounded parser ([`parse_exact`]), so a
//! resumed study's `metrics.json` is the uninterrupted one's.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};

use crate::RunContext;
use crate::results::{Curves, RunMetrics, prepare_output_dir};

/// The format of a checkpoint file; a file of another version is trained again.
pub const SCHEMA_VERSION: u64 = 2;

/// The largest checkpoint read (one run's metrics and curves take a few KiB to a few hundred).
pub const MAX_CHECKPOINT_BYTES: u64 = 16 << 20;

/// The saved runs of one study (see the module documentation).
pub struct Checkpoints {
    dir: PathBuf,
    resume: bool,
    fingerprint: Value,
    /// How many runs were taken from an earlier invocation.
    pub resumed: usize,
}

impl Checkpoints {
    /// The checkpoints of `experiment` run with `config` in `ctx` (under
    /// `<out>/<experiment>/runs/`).
    pub fn new<C: serde::Serialize>(
        ctx: &RunContext,
        experiment: &str,
        config: &C,
    ) -> anyhow::Result<Self> {
        // Beside the results, not in their staging folder: they must outlive a failed run.
        let dir = crate::staging::checkpoint_dir(&ctx.out, experiment);
        prepare_output_dir(&dir)?;
        // A process killed while saving leaves its hidden temporary file (never a half
        // checkpoint, thanks to the rename); sweep them.
        for entry in std::fs::read_dir(&dir)?.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') && name.contains(".tmp-") {
                let _ = std::fs::remove_file(entry.path());
            }
        }
        // Through text, as it is stored: an f32 setting written as text reads back as a
        // different f64 than `to_value` makes of it.
        let fingerprint = parse_exact(&serde_json::to_string(&serde_json::json!({
            "config": config,
            "seed": ctx.seed,
            "backend": ctx.backend.name(),
        }))?)?;
        Ok(Self {
            dir,
            resume: ctx.resume,
            fingerprint,
            resumed: 0,
        })
    }

    fn path(&self, name: &str) -> PathBuf {
        let slug: String = name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '_'
                }
            })
            .collect();
        self.dir.join(format!("{slug}.json"))
    }

    /// The metrics of run `name` from an earlier invocation, when resuming and its checkpoint
    /// passes every check; a checkpoint that fails one is reported in one line and ignored.
    pub fn load(&mut self, name: &str) -> Option<RunMetrics> {
        if !self.resume {
            return None;
        }
        let path = self.path(name);
        if !path.exists() {
            return None;
        }
        match self.check(&path, name) {
            Ok(metrics) => {
                self.resumed += 1;
                Some(metrics)
            }
            Err(reason) => {
                eprintln!(
                    "unfold: warning: not reusing checkpoint {}: {reason}; training run '{name}' again",
                    path.display()
                );
                None
            }
        }
    }

    /// The checkpoint at `path` of run `name`, checked (see the module documentation).
    fn check(&self, path: &Path, name: &str) -> Result<RunMetrics, String> {
        let text = unfold_guard::read_bounded_text(path, MAX_CHECKPOINT_BYTES)
            .map_err(|e| e.to_string())?;
        let mut saved = match parse_exact(&text) {
            Ok(Value::Object(map)) => map,
            Ok(_) => return Err("it is not a JSON object".into()),
            Err(e) => return Err(format!("it is not valid JSON ({e})")),
        };
        let version = saved.get("schema_version").and_then(Value::as_u64);
        if version != Some(SCHEMA_VERSION) {
            return Err(format!(
                "it has schema_version {}, this unfold writes {SCHEMA_VERSION}",
                version.map_or_else(|| "(none)".to_string(), |v| v.to_string())
            ));
        }
        let recorded = saved.remove("checksum");
        if recorded.as_ref().and_then(Value::as_str)
            != Some(checksum(&Value::Object(saved.clone())).as_str())
        {
            return Err("its checksum does not match its content (edited or damaged)".into());
        }
        if saved.get("run") != Some(&Value::from(name)) {
            return Err("it belongs to another run".into());
        }
        if saved.get("settings") != Some(&self.fingerprint) {
            return Err("it was made with other settings, seed or backend".into());
        }
        let metrics: RunMetrics =
            serde_json::from_value(saved.remove("metrics").unwrap_or_default())
                .map_err(|e| format!("its metrics do not read back ({e})"))?;
        check_values(&metrics)?;
        Ok(metrics)
    }

    /// The metrics of every run in `names` when all of them were saved with the same settings
    /// (a group of runs that trains as one computation is reused whole or not at all).
    pub fn load_all(&mut self, names: &[String]) -> Option<Vec<RunMetrics>> {
        let resumed = self.resumed;
        // Every file is checked (and a bad one reported), not only up to the first bad one.
        let each: Vec<Option<RunMetrics>> = names.iter().map(|n| self.load(n)).collect();
        let all = each.into_iter().collect::<Option<Vec<_>>>();
        if all.is_none() {
            self.resumed = resumed;
        }
        all
    }

    /// Saves the finished run `name` atomically, with its schema version and checksum.
    pub fn save(&self, name: &str, metrics: &RunMetrics) -> anyhow::Result<()> {
        // The metrics through text, as they will be read back, so the checksum covers what
        // the file holds.
        let metrics = parse_exact(&serde_json::to_string(metrics)?)?;
        let mut body = serde_json::json!({
            "schema_version": SCHEMA_VERSION,
            "run": name,
            "settings": self.fingerprint,
            "metrics": metrics,
        });
        let sum = checksum(&body);
        body["checksum"] = Value::from(sum);
        let mut text = serde_json::to_string_pretty(&body)?;
        text.push('\n');
        crate::results::write_atomic(&self.path(name), text.as_bytes())?;
        Ok(())
    }
}

/// `sha256:` and the hex digest of `body`'s compact JSON (keys sorted, as `serde_json` keeps
/// them).
fn checksum(body: &Value) -> String {
    let digest = Sha256::digest(body.to_string().as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

/// Whether every number of `metrics` is one a training run can produce.
fn check_values(metrics: &RunMetrics) -> Result<(), String> {
    let accuracy = |what: &str, v: f64| {
        if v.is_finite() && (0.0..=1.0).contains(&v) {
            Ok(())
        } else {
            Err(format!("its {what} {v} is not an accuracy in [0, 1]"))
        }
    };
    // Losses are computed in f32: a larger one would have been infinite (a diverged run).
    let loss = |what: &str, v: f64| {
        if v.is_finite() && (0.0..=f64::from(f32::MAX)).contains(&v) {
            Ok(())
        } else {
            Err(format!("its {what} {v} is not a possible loss"))
        }
    };
    let each =
        |what: &str, values: &[Option<f64>], check: &dyn Fn(&str, f64) -> Result<(), String>| {
            values.iter().flatten().try_for_each(|&v| check(what, v))
        };
    let m = metrics;
    each("train_accuracy", &[m.train_accuracy], &accuracy)?;
    each("test_accuracy", &[m.test_accuracy], &accuracy)?;
    each("final_loss", &[m.final_loss], &loss)?;
    each("final_test_loss", &[m.final_test_loss], &loss)?;
    let Curves {
        epoch,
        train_loss,
        train_accuracy,
        test_loss,
        test_accuracy,
    } = &m.curves;
    each("curves.train_loss", train_loss, &loss)?;
    each("curves.train_accuracy", train_accuracy, &accuracy)?;
    each("curves.test_loss", test_loss, &loss)?;
    each("curves.test_accuracy", test_accuracy, &accuracy)?;
    let n = epoch.len();
    let lengths_fit = train_loss.len() == n
        && train_accuracy.len() == n
        && (test_loss.is_empty() || test_loss.len() == n)
        && (test_accuracy.is_empty() || test_accuracy.len() == n);
    if !lengths_fit {
        return Err("its curves have different lengths".into());
    }
    if !(m.train_seconds.is_finite() && m.train_seconds >= 0.0) {
        return Err(format!(
            "its train_seconds {} is not a duration",
            m.train_seconds
        ));
    }
    Ok(())
}

/// Parses JSON text like `serde_json::from_str`, except that every number with a fraction or
/// an exponent is read by Rust's own (correctly rounded) `f64` parser: `serde_json`'s default
/// parser may land one unit in the last place away, so a float written and read back would
/// not always be the same float.
pub(crate) fn parse_exact(text: &str) -> Result<Value, serde_json::Error> {
    // Validates the whole document first (with serde_json's nesting limit), so the recursion
    // below is as shallow as serde_json allows.
    let _: serde::de::IgnoredAny = serde_json::from_str(text)?;
    exact(serde_json::from_str::<&RawValue>(text)?)
}

fn exact(raw: &RawValue) -> Result<Value, serde_json::Error> {
    let text = raw.get().trim();
    match text.as_bytes().first() {
        Some(b'{') => {
            let fields: BTreeMap<String, &RawValue> = serde_json::from_str(text)?;
            fields
                .into_iter()
                .map(|(k, v)| Ok((k, exact(v)?)))
                .collect::<Result<serde_json::Map<_, _>, _>>()
                .map(Value::Object)
        }
        Some(b'[') => {
            let items: Vec<&RawValue> = serde_json::from_str(text)?;
            items
                .into_iter()
                .map(exact)
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array)
        }
        Some(b'-' | b'0'..=b'9') if text.contains(['.', 'e', 'E']) => {
            match text
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
            {
                Some(number) => Ok(Value::Number(number)),
                // Out of range: serde_json says so in its words.
                None => serde_json::from_str(text),
            }
        }
        _ => serde_json::from_str(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_read_back_bit_for_bit() {
        // Values whose shortest text serde_json's default parser reads one unit off.
        let mut values: Vec<f64> = vec![0.1, 1.0 / 3.0, 2.0f64.sqrt(), 1e-300, 6.02214076e23];
        let mut x = 0.7f64;
        for _ in 0..2000 {
            x = (x * 3.9 * (1.0 - x)).abs();
            values.push(x);
            values.push(f64::from(x as f32));
        }
        let text = serde_json::to_string(&values).unwrap();
        let back: Vec<f64> = serde_json::from_value(parse_exact(&text).unwrap()).unwrap();
        for (a, b) in values.iter().zip(&back) {
            assert_eq!(a.to_bits(), b.to_bits(), "{a} read back as {b}");
        }
    }

    #[test]
    fn exact_parsing_keeps_structure_and_rejects_what_serde_json_rejects() {
        let text = r#"{"b": [1, -2, 3.5e2, null, true, "x\"y"], "a": {"c": 18446744073709551615}}"#;
        assert_eq!(
            parse_exact(text).unwrap(),
            serde_json::from_str::<Value>(text).unwrap()
        );
        for bad in ["", "{", "[1,]", "1e999", "{\"a\":1} x", &"[".repeat(200)] {
            assert!(parse_exact(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn impossible_numbers_are_refused() {
        let good = RunMetrics {
            train_accuracy: Some(0.5),
            final_loss: Some(0.7),
            ..Default::default()
        };
        assert!(check_values(&good).is_ok());
        for (bad, why) in [
            (
                RunMetrics {
                    train_accuracy: Some(1.5),
                    ..good.clone()
                },
                "accuracy",
            ),
            (
                RunMetrics {
                    test_accuracy: Some(-3.0),
                    ..good.clone()
                },
                "accuracy",
            ),
            (
                RunMetrics {
                    final_loss: Some(1e308),
                    ..good.clone()
                },
                "loss",
            ),
            (
                RunMetrics {
                    train_seconds: -1.0,
                    ..good.clone()
                },
                "duration",
            ),
        ] {
            let err = check_values(&bad).unwrap_err();
            assert!(err.contains(why), "{err}");
        }
    }
}
