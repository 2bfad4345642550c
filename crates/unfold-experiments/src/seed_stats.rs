//! The numbers of several seeds combined: statistics of a metric over seeds (mean, sample
//! standard deviation, range, a seeded 95% bootstrap interval of the mean), the combined
//! `metrics.json` of a `--seeds` run, in how many seeds each answer of the report holds, and
//! the report's "Across seeds" section. Pure functions of results; [`crate::seeds`] runs the
//! seeds.

use rand::RngExt;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::results::{Metrics, Report, RunMetrics, RunState, Status, percent};

/// Bootstrap resamples for the 95% interval of a mean.
const BOOTSTRAP_RESAMPLES: usize = 10_000;

/// The bootstrap's own seed: intervals are reproducible, and independent of the runs' seeds.
const BOOTSTRAP_SEED: u64 = 0x5eed_0095;

/// The metrics of a run that get seed statistics.
pub const HEADLINE_METRICS: [&str; 4] = [
    "train_accuracy",
    "test_accuracy",
    "final_loss",
    "final_test_loss",
];

/// Mean, spread and a 95% interval of one metric over seeds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeedStats {
    /// Seeds with a value.
    pub n: usize,
    /// The mean.
    pub mean: f64,
    /// The sample standard deviation (0 for one seed).
    pub std: f64,
    /// The smallest value.
    pub min: f64,
    /// The largest value.
    pub max: f64,
    /// The 95% percentile-bootstrap interval of the mean, `[low, high]`.
    pub ci95: [f64; 2],
}

impl SeedStats {
    /// Statistics of `values` (none for an empty list).
    pub fn of(values: &[f64]) -> Option<Self> {
        let n = values.len();
        if n == 0 {
            return None;
        }
        let mean = mean(values);
        let std = if n > 1 {
            (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt()
        } else {
            0.0
        };
        Some(Self {
            n,
            mean,
            std,
            min: values.iter().copied().fold(f64::INFINITY, f64::min),
            max: values.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            ci95: bootstrap_ci95(values),
        })
    }

    /// Whether the intervals of `self` and `other` do not overlap: only then does the report
    /// call the two different. One seed has no spread, so its zero-width "interval" resolves
    /// nothing.
    pub fn resolved_from(&self, other: &SeedStats) -> bool {
        self.n >= 2
            && other.n >= 2
            && (self.ci95[0] > other.ci95[1] || other.ci95[0] > self.ci95[1])
    }
}

fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

/// The 2.5th and 97.5th percentiles of the means of resamples drawn with replacement.
fn bootstrap_ci95(values: &[f64]) -> [f64; 2] {
    let n = values.len();
    if values.iter().all(|v| *v == values[0]) {
        return [values[0], values[0]];
    }
    let mut rng = unfold_data::seeded_rng(BOOTSTRAP_SEED);
    let mut means: Vec<f64> = (0..BOOTSTRAP_RESAMPLES)
        .map(|_| (0..n).map(|_| values[rng.random_range(0..n)]).sum::<f64>() / n as f64)
        .collect();
    means.sort_by(f64::total_cmp);
    let at = |q: f64| {
        means
            [((q * (BOOTSTRAP_RESAMPLES - 1) as f64).round() as usize).min(BOOTSTRAP_RESAMPLES - 1)]
    };
    [at(0.025), at(0.975)]
}

/// One value for several seeds' JSON values of the same place in `metrics.json`: numbers
/// average (whole numbers take the lower median, so a count stays a count some seed had),
/// missing values (`null`) are left out, arrays of one length and objects go element by
/// element, and anything else takes the most common value (the first seed's on a tie).
pub fn combine(values: &[&Value]) -> Value {
    let present: Vec<&Value> = values.iter().copied().filter(|v| !v.is_null()).collect();
    let Some(first) = present.first() else {
        return Value::Null;
    };
    if present.iter().all(|v| v.is_number()) {
        let whole: Option<Vec<i128>> = present
            .iter()
            .map(|v| {
                v.as_u64()
                    .map(i128::from)
                    .or_else(|| v.as_i64().map(i128::from))
            })
            .collect();
        if let Some(mut whole) = whole {
            whole.sort_unstable();
            let median = whole[(whole.len() - 1) / 2];
            return serde_json::to_value(median).unwrap_or(Value::Null);
        }
        let numbers: Vec<f64> = present.iter().filter_map(|v| v.as_f64()).collect();
        return json!(mean(&numbers));
    }
    match first {
        Value::Array(a)
            if present
                .iter()
                .all(|v| v.as_array().map(Vec::len) == Some(a.len())) =>
        {
            Value::Array(
                (0..a.len())
                    .map(|i| combine(&present.iter().map(|v| &v[i]).collect::<Vec<_>>()))
                    .collect(),
            )
        }
        Value::Object(_) if present.iter().all(|v| v.is_object()) => {
            // Every seed's keys, in the order first seen: a run only some seeds have (mnist's
            // optimizer study follows each seed's best initialization) combines over those.
            let mut keys: Vec<&String> = Vec::new();
            for object in present.iter().filter_map(|v| v.as_object()) {
                for key in object.keys() {
                    if !keys.contains(&key) {
                        keys.push(key);
                    }
                }
            }
            Value::Object(
                keys.into_iter()
                    .map(|key| {
                        let all: Vec<&Value> = present.iter().filter_map(|v| v.get(key)).collect();
                        (key.clone(), combine(&all))
                    })
                    .collect(),
            )
        }
        _ => {
            let count = |x: &Value| present.iter().filter(|v| **v == x).count();
            let most = present.iter().map(|v| count(v)).max().unwrap_or(0);
            // The earliest seed's value among the most common ones.
            present
                .iter()
                .find(|v| count(v) == most)
                .map(|v| (*v).clone())
                .unwrap_or(Value::Null)
        }
    }
}

/// The combined metrics of several seeds' runs (see the module doc), with `seeds` and the
/// statistics; `seed_answers` is added by `seeds::run` once the reports are built.
pub fn aggregate(per_seed: &[(u64, Metrics)]) -> anyhow::Result<Metrics> {
    let (first_seed, _) = per_seed
        .first()
        .ok_or_else(|| anyhow::anyhow!("no seed finished"))?;
    let trees: Vec<Value> = per_seed
        .iter()
        .map(|(_, m)| serde_json::to_value(m))
        .collect::<Result<_, _>>()?;
    let mut combined = combine(&trees.iter().collect::<Vec<_>>());
    // Settings, manifest and figures are the same for every seed: the first seed's, as is.
    let keep = [
        "experiment",
        "backend",
        "device",
        "profile",
        "config",
        "changed",
        "manifest",
    ];
    for key in keep {
        combined[key] = trees[0][key].clone();
    }
    combined["seed"] = json!(first_seed);
    let mut metrics: Metrics = serde_json::from_value(combined)
        .map_err(|e| anyhow::anyhow!("the seeds' results do not combine: {e}"))?;
    metrics.figures.clear();
    metrics.captions.clear();
    metrics.wall_seconds = 0.0;
    metrics.status = if per_seed.iter().any(|(_, m)| m.status == Status::Failed) {
        Status::Failed
    } else if per_seed.iter().any(|(_, m)| m.status == Status::Diverged) {
        Status::Diverged
    } else {
        Status::Ok
    };
    for (name, run) in metrics.runs.iter_mut() {
        let runs: Vec<(u64, Option<&RunMetrics>)> = per_seed
            .iter()
            .map(|(seed, m)| (*seed, m.runs.get(name)))
            .collect();
        if runs
            .iter()
            .any(|(_, r)| r.is_some_and(|r| r.status == RunState::Diverged))
        {
            run.status = RunState::Diverged;
            run.diverged_at_epoch = runs
                .iter()
                .filter_map(|(_, r)| r.and_then(|r| r.diverged_at_epoch))
                .min();
        }
        for metric in HEADLINE_METRICS {
            let values: Vec<f64> = runs
                .iter()
                .filter_map(|(_, r)| r.and_then(|r| headline(r, metric)))
                .collect();
            if let Some(stats) = SeedStats::of(&values) {
                run.extra.insert(format!("{metric}_std"), json!(stats.std));
                run.extra.insert(format!("{metric}_min"), json!(stats.min));
                run.extra.insert(format!("{metric}_max"), json!(stats.max));
                run.extra
                    .insert(format!("{metric}_ci95"), json!(stats.ci95));
            }
        }
        let per_seed_rows: Vec<Value> = runs
            .iter()
            .map(|(seed, r)| {
                let mut row = Map::new();
                row.insert("seed".into(), json!(seed));
                if let Some(r) = r {
                    row.insert("status".into(), json!(r.status));
                    for metric in HEADLINE_METRICS {
                        if let Some(v) = headline(r, metric) {
                            row.insert(metric.into(), json!(v));
                        }
                    }
                }
                Value::Object(row)
            })
            .collect();
        run.extra
            .insert("per_seed".into(), Value::Array(per_seed_rows));
    }
    metrics.extra.insert(
        SEEDS_KEY.into(),
        json!(per_seed.iter().map(|(s, _)| *s).collect::<Vec<_>>()),
    );
    Ok(metrics)
}

/// The top-level key of `metrics.json` listing the seeds of a combined result.
pub const SEEDS_KEY: &str = "seeds";

/// The top-level key of `metrics.json` saying in which seeds each answer holds.
pub const ANSWERS_KEY: &str = "seed_answers";

/// A headline metric of a run by name.
pub fn headline(run: &RunMetrics, metric: &str) -> Option<f64> {
    match metric {
        "train_accuracy" => run.train_accuracy,
        "test_accuracy" => run.test_accuracy,
        "final_loss" => run.final_loss,
        "final_test_loss" => run.final_test_loss,
        _ => None,
    }
}

/// The seeds of a combined result (`None` for a single run).
pub fn seeds_of(metrics: &Metrics) -> Option<Vec<u64>> {
    serde_json::from_value(metrics.extra.get(SEEDS_KEY)?.clone()).ok()
}

/// In which seeds one answer of the combined report holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeedAnswer {
    /// The question, as the report asks it.
    pub question: String,
    /// Seeds whose own report gives this answer (word for word, numbers aside).
    pub holds: Vec<u64>,
    /// Seeds whose own report answers differently (or not at all).
    pub differs: Vec<u64>,
}

/// An answer with its numbers masked, to tell whether two seeds' reports say the same thing.
fn gist(answer: &str) -> String {
    let mut out = String::with_capacity(answer.len());
    let mut in_number = false;
    for c in answer.chars() {
        let numeric = c.is_ascii_digit() || (in_number && (c == '.' || c == 'e' || c == '-'));
        if numeric {
            if !in_number {
                out.push('#');
            }
        } else {
            out.push(c);
        }
        in_number = numeric;
    }
    out
}

/// For each answer of `combined`, the seeds whose own report (in `per_seed`) gives it.
pub fn answers_by_seed(combined: &Report, per_seed: &[(u64, Report)]) -> Vec<SeedAnswer> {
    combined
        .answers()
        .into_iter()
        .map(|(question, answer)| {
            let wanted = gist(answer);
            let (holds, differs): (Vec<_>, Vec<_>) = per_seed.iter().partition(|(_, report)| {
                report
                    .answers()
                    .iter()
                    .any(|(q, a)| *q == question && gist(a) == wanted)
            });
            SeedAnswer {
                question: question.to_string(),
                holds: holds.iter().map(|(s, _)| *s).collect(),
                differs: differs.iter().map(|(s, _)| *s).collect(),
            }
        })
        .collect()
}

/// The folder of one seed's results inside the combined result.
pub fn seed_folder(seed: u64) -> String {
    format!("seed-{seed}")
}

/// Runs a combined result shows in its tables, figure and summary.
pub const SHOWN_RUNS: usize = 12;

/// How many of the combined seeds trained `run`, and of how many: `None` for a result of one
/// seed. A study whose runs follow each seed's own choice (mnist's best initialization)
/// trains some runs in only some seeds.
pub fn seeds_present(run: &RunMetrics) -> Option<(usize, usize)> {
    let rows = run.extra.get("per_seed")?.as_array()?;
    let have = rows
        .iter()
        .filter(|row| row.get("status").is_some())
        .count();
    Some((have, rows.len()))
}

/// `mean ± std` of a headline metric of a combined run (percent for accuracies).
pub fn mean_pm_std(run: &RunMetrics, metric: &str) -> Option<String> {
    let mean = headline(run, metric)?;
    let std = run.extra.get(&format!("{metric}_std"))?.as_f64()?;
    Some(if metric.contains("accuracy") {
        format!("{} ± {:.1}", percent(Some(mean)), std * 100.0)
    } else if mean != 0.0 && mean.abs() < 1e-3 {
        format!("{mean:.3e} ± {std:.1e}")
    } else {
        format!("{mean:.4} ± {std:.4}")
    })
}

/// The headline metric of a combined result (test accuracy, else train accuracy, else the
/// final loss) and the runs that have it across seeds, best mean first: the order of the
/// "Across seeds" table, the terminal summary and the seeds figure.
pub(crate) fn ranked_runs(metrics: &Metrics) -> (&'static str, Vec<(&String, SeedStats)>) {
    let metric = if metrics.runs.values().any(|r| r.test_accuracy.is_some()) {
        "test_accuracy"
    } else if metrics.runs.values().any(|r| r.train_accuracy.is_some()) {
        "train_accuracy"
    } else {
        "final_loss"
    };
    let stats_of = |run: &RunMetrics| -> Option<SeedStats> {
        let values: Vec<f64> = run
            .extra
            .get("per_seed")?
            .as_array()?
            .iter()
            .filter_map(|row| row.get(metric)?.as_f64())
            .collect();
        SeedStats::of(&values)
    };
    let mut ranked: Vec<(&String, SeedStats)> = metrics
        .runs
        .iter()
        .filter_map(|(name, run)| Some((name, stats_of(run)?)))
        .collect();
    let higher_is_better = metric.contains("accuracy");
    ranked.sort_by(|a, b| {
        let order = a.1.mean.total_cmp(&b.1.mean);
        if higher_is_better {
            order.reverse()
        } else {
            order
        }
    });
    (metric, ranked)
}

/// The parts of a combined result's report: the setup sentence's seeds, the note on every
/// answer, and the "Across seeds" section. Called by [`build_report`].
pub(crate) fn annotate(report: &mut Report, metrics: &Metrics, seeds: &[u64]) {
    let answers: Vec<SeedAnswer> = metrics
        .extra
        .get(ANSWERS_KEY)
        .and_then(|v| serde_json::from_value(v.clone()).ok())
        .unwrap_or_default();
    let n = seeds.len();
    for answer in &answers {
        let note = if answer.differs.is_empty() {
            format!("This answer holds in {n} of {n} seeds.")
        } else {
            format!(
                "This answer holds in {} of {n} seeds; not resolved: seed{} {} answer{} differently (see {}).",
                answer.holds.len(),
                if answer.differs.len() == 1 { "" } else { "s" },
                list(&answer.differs),
                if answer.differs.len() == 1 { "s" } else { "" },
                answer
                    .differs
                    .iter()
                    .map(|s| format!("`{}/report.md`", seed_folder(*s)))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        report.note_answer(&answer.question, &note);
    }
    report.heading("Across seeds");
    report.paragraph(&format!(
        "Every number above is the mean over {n} seeds ({}); each seed's own results, figures \
         and report are in `seed-<seed>/`. The table gives each run's mean ± standard \
         deviation, the lowest and highest seed, and the 95% bootstrap interval of the mean. \
         With few seeds the interval is wide: two runs count as different only when their \
         intervals do not overlap.",
        list(seeds)
    ));
    let (metric, ranked) = ranked_runs(metrics);
    let show = |v: f64| {
        if metric.contains("accuracy") {
            percent(Some(v))
        } else {
            format!("{v:.4}")
        }
    };
    let rows: Vec<Vec<String>> = ranked
        .iter()
        .take(SHOWN_RUNS)
        .map(|(name, s)| {
            if s.n < 2 {
                // One seed: a value, not a spread or an interval.
                return vec![
                    format!("`{name}`"),
                    format!("{} (one seed)", show(s.mean)),
                    "—".into(),
                    "—".into(),
                    s.n.to_string(),
                ];
            }
            vec![
                format!("`{name}`"),
                mean_pm_std(&metrics.runs[*name], metric).unwrap_or_default(),
                format!("{} – {}", show(s.min), show(s.max)),
                format!("[{}, {}]", show(s.ci95[0]), show(s.ci95[1])),
                s.n.to_string(),
            ]
        })
        .collect();
    let label = metric.replace('_', " ");
    report.table(
        &[
            "run",
            &format!("{label} (mean ± std)"),
            "lowest – highest",
            "95% interval",
            "seeds",
        ],
        &rows,
    );
    if ranked.len() > SHOWN_RUNS {
        report.paragraph(&format!(
            "… and {} more runs: every run's statistics are in `metrics.json`.",
            ranked.len() - SHOWN_RUNS
        ));
    }
    if ranked.len() > 1 && n > 1 {
        let verdicts: Vec<String> = ranked
            .windows(2)
            .take(SHOWN_RUNS - 1)
            .map(|pair| {
                let ((a, sa), (b, sb)) = (&pair[0], &pair[1]);
                if sa.resolved_from(sb) {
                    format!(
                        "`{a}` beats `{b}` on {label}: resolved (the intervals do not overlap)."
                    )
                } else if sa.n < 2 || sb.n < 2 {
                    format!(
                        "`{a}` against `{b}` on {label}: not resolved (one of them ran in a \
                         single seed)."
                    )
                } else {
                    format!("`{a}` against `{b}` on {label}: not resolved (the intervals overlap).")
                }
            })
            .collect();
        report.paragraph(&verdicts.join(" "));
    }
    let folders: Vec<String> = seeds
        .iter()
        .map(|s| format!("`{}/report.md`", seed_folder(*s)))
        .collect();
    report.paragraph(&format!("Each seed's own report: {}.", folders.join(", ")));
}

/// `1, 2 and 7`.
fn list(seeds: &[u64]) -> String {
    let items: Vec<String> = seeds.iter().map(u64::to_string).collect();
    match items.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statistics_of_known_numbers() {
        let s = SeedStats::of(&[0.5, 0.7, 0.9]).unwrap();
        assert!((s.mean - 0.7).abs() < 1e-12);
        assert!((s.std - 0.2).abs() < 1e-12, "sample std: {}", s.std);
        assert_eq!((s.min, s.max), (0.5, 0.9));
        assert!(s.ci95[0] >= 0.5 && s.ci95[0] < 0.7 && s.ci95[1] > 0.7 && s.ci95[1] <= 0.9);
        assert_eq!(
            SeedStats::of(&[0.5, 0.7, 0.9]).unwrap(),
            s,
            "the interval is seeded"
        );
        let one = SeedStats::of(&[0.25]).unwrap();
        assert_eq!((one.std, one.ci95), (0.0, [0.25, 0.25]));
        assert!(SeedStats::of(&[]).is_none());
    }

    #[test]
    fn resolved_only_beyond_the_intervals() {
        let high = SeedStats::of(&[0.95, 0.96, 0.97, 0.98]).unwrap();
        let low = SeedStats::of(&[0.50, 0.52, 0.55, 0.51]).unwrap();
        let spread = SeedStats::of(&[0.40, 0.99, 0.60, 0.97]).unwrap();
        assert!(high.resolved_from(&low) && low.resolved_from(&high));
        assert!(!high.resolved_from(&spread));
        // One seed's zero-width interval resolves nothing.
        let one = SeedStats::of(&[0.10]).unwrap();
        assert!(!high.resolved_from(&one) && !one.resolved_from(&high));
    }

    #[test]
    fn values_combine_by_kind() {
        let a = json!({"acc": 0.5, "steps": 10, "name": "x", "ok": true, "curve": [1.0, 2.0], "gone": null});
        let b = json!({"acc": 0.7, "steps": 12, "name": "x", "ok": false, "curve": [3.0, 4.0], "gone": null});
        let c =
            json!({"acc": 0.9, "steps": 30, "name": "y", "ok": false, "curve": [5.0], "gone": 2.0});
        let combined = combine(&[&a, &b, &c]);
        assert!((combined["acc"].as_f64().unwrap() - 0.7).abs() < 1e-12);
        assert_eq!(
            combined["steps"],
            json!(12),
            "a whole number takes the lower median"
        );
        assert_eq!(combined["name"], json!("x"));
        assert_eq!(combined["ok"], json!(false));
        assert_eq!(
            combined["curve"],
            json!([1.0, 2.0]),
            "different lengths: the first seed's"
        );
        assert_eq!(combined["gone"], json!(2.0), "missing values are left out");
        assert_eq!(
            combine(&[&json!(true), &json!(false)]),
            json!(true),
            "a tie: the first seed's"
        );
        // A run the first seed lacks still combines over the seeds that have it.
        let runs = combine(&[
            &json!({"a": {"acc": 0.5}}),
            &json!({"a": {"acc": 0.7}, "b": {"acc": 0.2}}),
            &json!({"b": {"acc": 0.4}}),
        ]);
        assert!((runs["a"]["acc"].as_f64().unwrap() - 0.6).abs() < 1e-12);
        assert!((runs["b"]["acc"].as_f64().unwrap() - 0.3).abs() < 1e-12);
    }

    #[test]
    fn answers_match_with_numbers_masked() {
        assert_eq!(
            gist("reaches 87.5% after 1e-3 and 12 epochs"),
            "reaches #% after # and # epochs"
        );
        let report = |text: &str| {
            let mut r = Report::new("t");
            r.answer("Q?", text);
            r
        };
        let combined = report("Yes: 90.0% accuracy.");
        let seeds = vec![
            (1, report("Yes: 88.0% accuracy.")),
            (2, report("No: 51.0% accuracy.")),
            (3, report("Yes: 92.5% accuracy.")),
        ];
        let answers = answers_by_seed(&combined, &seeds);
        assert_eq!(answers.len(), 1);
        assert_eq!(
            (answers[0].holds.clone(), answers[0].differs.clone()),
            (vec![1, 3], vec![2])
        );
    }
}
