//! Several seeds: "how sure are we?"
//!
//! `--seeds N` (or `--seeds 1,2,7`) runs an experiment once per seed, each into an ordinary
//! results folder `<experiment>/seed-<s>/`, side by side like a study's runs, and then writes
//! one result for all of them in `<experiment>/` ([`crate::seed_stats`]): every number the
//! notebook's report reads is the mean over seeds, each run's headline metrics gain `_std`,
//! `_min`, `_max`, `_ci95` and `per_seed`, and the report says for every answer in how many
//! seeds it holds.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use unfold_viz::{Curve, Figure, Panel, class_color};

use crate::RunContext;
use crate::experiment::{Experiment, ExperimentOutcome};
use crate::plots::{file_name, save};
use crate::results::{Metrics, Report, RunMetrics, prepare_output_dir};
use crate::runner::{build_report, checked, read_metrics, run_in};
use crate::seed_stats::{
    ANSWERS_KEY, SHOWN_RUNS, aggregate, answers_by_seed, mean_pm_std, ranked_runs, seed_folder,
};

/// The most seeds one command runs.
pub const MAX_SEEDS: usize = 100;

/// What `--seeds` asked for: a count from the base seed on, or a list of seeds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SeedChoice {
    /// `--seeds N`: the seeds `base, base+1, …, base+N-1`.
    Count(u64),
    /// `--seeds 1,2,7`: these seeds, each once.
    List(Vec<u64>),
}

impl SeedChoice {
    /// Reads `--seeds`: a count `N` or a comma-separated list of distinct seeds; errors are
    /// one line.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let number = |part: &str| {
            part.trim().parse::<u64>().map_err(|_| {
                format!(
                    "--seeds '{text}': '{part}' is not a whole number ≥ 0; give a count \
                     (--seeds 5) or a list (--seeds 1,2,7)"
                )
            })
        };
        if !text.contains(',') {
            let count = number(text)?;
            if count == 0 {
                return Err("--seeds 0: give at least one seed (a count ≥ 1 or a list)".into());
            }
            if count > MAX_SEEDS as u64 {
                return Err(format!(
                    "--seeds {count}: at most {MAX_SEEDS} seeds in one command"
                ));
            }
            return Ok(Self::Count(count));
        }
        let seeds = text.split(',').map(number).collect::<Result<Vec<_>, _>>()?;
        if let Some((_, seed)) = seeds
            .iter()
            .enumerate()
            .find(|(i, s)| seeds[..*i].contains(s))
        {
            return Err(format!(
                "--seeds '{text}': seed {seed} is given twice; each seed runs once"
            ));
        }
        if seeds.len() > MAX_SEEDS {
            return Err(format!(
                "--seeds: {} seeds given, at most {MAX_SEEDS} in one command",
                seeds.len()
            ));
        }
        Ok(Self::List(seeds))
    }

    /// The seeds, counting from `base` for a count.
    pub fn resolve(&self, base: u64) -> Result<Vec<u64>, String> {
        match self {
            Self::List(seeds) => Ok(seeds.clone()),
            Self::Count(count) => (0..*count)
                .map(|i| {
                    base.checked_add(i).ok_or_else(|| {
                        format!(
                            "--seeds {count}: the seeds from {base} on pass 2^64; give a smaller --seed"
                        )
                    })
                })
                .collect(),
        }
    }
}

impl std::str::FromStr for SeedChoice {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        Self::parse(text)
    }
}

/// Reads `--seeds` and resolves it from `base` (see [`SeedChoice`]).
pub fn parse_seeds(text: &str, base: u64) -> Result<Vec<u64>, String> {
    SeedChoice::parse(text)?.resolve(base)
}

/// Runs `experiment` under every seed of `ctx.seeds` into `dir/seed-<s>/`, side by side, and
/// writes the combined result into `dir`.
pub fn run<E: Experiment>(
    experiment: &E,
    config: &E::Config,
    ctx: &RunContext,
    dir: &Path,
) -> anyhow::Result<ExperimentOutcome> {
    let name = Experiment::info(experiment).name;
    checked(experiment, config)?;
    let started = Instant::now();
    // The combined folder and every seed's folder inside it are replaced together, or not at
    // all (`crate::staging`): each seed stages again inside this staging folder.
    let staging = crate::staging::Staging::begin_at(dir, name)?;
    let dir = &staging.context(ctx).out.join(name);
    prepare_output_dir(dir)?;
    let seeds = ctx.seeds.clone();
    let outcomes = crate::runs::spread(
        ctx,
        &seeds,
        (),
        |_| Ok(()),
        |lane, _, seed| {
            let one = RunContext {
                seed: *seed,
                seeds: Vec::new(),
                progress_label: Some(match &lane.progress_label {
                    Some(outer) => format!("{outer} · seed {seed}"),
                    None => format!("seed {seed}"),
                }),
                ..lane.clone()
            };
            run_in(experiment, config, &one, &dir.join(seed_folder(*seed)))
        },
    )?;
    let per_seed: Vec<(u64, Metrics)> = seeds
        .iter()
        .zip(&outcomes)
        .map(|(seed, outcome)| Ok((*seed, read_metrics(&outcome.metrics_path)?)))
        .collect::<anyhow::Result<_>>()?;
    let mut metrics = aggregate(&per_seed)?;
    let combined_report = experiment.report(config, &metrics);
    let seed_reports: Vec<(u64, Report)> = per_seed
        .iter()
        .map(|(seed, m)| (*seed, experiment.report(config, m)))
        .collect();
    metrics.extra.insert(
        ANSWERS_KEY.into(),
        serde_json::to_value(answers_by_seed(&combined_report, &seed_reports))?,
    );
    let figure = seeds_figure(&per_seed, &metrics, dir)?;
    metrics.figures = vec![file_name(&figure)];
    metrics.captions = BTreeMap::from([(
        file_name(&figure),
        format!(
            "Training curves over {} seeds: the median of each run, with a band from the \
             lowest to the highest seed (dashed). Every seed's own figures are in its \
             folder.",
            seeds.len()
        ),
    )]);
    let wall = started.elapsed().as_secs_f64();
    let metrics_path = metrics.write(dir, wall)?;
    let report = build_report(experiment, config, &metrics);
    report.write(dir)?;
    staging.commit(ExperimentOutcome {
        name: name.into(),
        status: metrics.status,
        dir: dir.to_path_buf(),
        metrics_path,
        figures: vec![figure],
        summary: summary(&metrics),
        wall_seconds: wall,
        report,
    })
}

/// The runs in the order the report's "Across seeds" table ranks them (best mean first), then
/// any it cannot rank, by name.
fn display_order(metrics: &Metrics) -> Vec<&String> {
    let mut names: Vec<&String> = ranked_runs(metrics).1.into_iter().map(|(n, _)| n).collect();
    let unranked: Vec<&String> = metrics.runs.keys().filter(|n| !names.contains(n)).collect();
    names.extend(unranked);
    names
}

/// One terminal line per run, best first: mean ± std of its accuracy (or loss) and the seed
/// count.
fn summary(metrics: &Metrics) -> Vec<String> {
    let width = metrics.runs.keys().map(String::len).max().unwrap_or(0);
    display_order(metrics)
        .into_iter()
        .take(SHOWN_RUNS)
        .map(|name| {
            let run = &metrics.runs[name];
            let mut line = format!("{name:<width$}");
            for (label, metric) in [("test", "test_accuracy"), ("loss", "final_loss")] {
                if let Some(text) = mean_pm_std(run, metric) {
                    line.push_str(&format!("  {label} {text}"));
                }
            }
            line
        })
        .chain((metrics.runs.len() > SHOWN_RUNS).then(|| {
            format!(
                "… and {} more runs (metrics.json)",
                metrics.runs.len() - SHOWN_RUNS
            )
        }))
        .collect()
}

/// The median curve of every run (the first [`SHOWN_RUNS`] in the report's order) with thin
/// lines at the lowest and highest seed: loss and accuracy (test where there is a test set).
fn seeds_figure(
    per_seed: &[(u64, Metrics)],
    combined: &Metrics,
    dir: &Path,
) -> anyhow::Result<std::path::PathBuf> {
    let first = &per_seed[0].1.runs;
    let names: Vec<&String> = display_order(combined)
        .into_iter()
        .filter(|name| first.get(*name).is_some_and(|r| !r.curves.epoch.is_empty()))
        .take(SHOWN_RUNS)
        .collect();
    let panel = |title: &str,
                 y_label: &str,
                 log_y: bool,
                 pick: &dyn Fn(&RunMetrics) -> &[Option<f64>],
                 scale: f64| {
        let mut curves = Vec::new();
        for (i, name) in names.iter().enumerate() {
            let runs: Vec<&RunMetrics> = per_seed
                .iter()
                .filter_map(|(_, m)| m.runs.get(*name))
                .collect();
            let longest = runs
                .iter()
                .max_by_key(|r| r.curves.epoch.len())
                .expect("one seed at least");
            let mut median = Vec::new();
            let mut low = Vec::new();
            let mut high = Vec::new();
            for (k, epoch) in longest.curves.epoch.iter().enumerate() {
                let mut at: Vec<f64> = runs
                    .iter()
                    .filter_map(|r| pick(r).get(k).copied().flatten())
                    .collect();
                if at.is_empty() {
                    continue;
                }
                at.sort_by(f64::total_cmp);
                let x = *epoch as f64;
                let mid = if at.len() % 2 == 1 {
                    at[at.len() / 2]
                } else {
                    (at[at.len() / 2 - 1] + at[at.len() / 2]) / 2.0
                };
                median.push((x, mid * scale));
                low.push((x, at[0] * scale));
                high.push((x, at[at.len() - 1] * scale));
            }
            let color = class_color(i);
            curves.push(Curve {
                label: format!("{name} (median)"),
                color,
                points: median,
                dashed: false,
            });
            for edge in [low, high] {
                curves.push(Curve {
                    label: String::new(),
                    color,
                    points: edge,
                    dashed: true,
                });
            }
        }
        Panel::Lines {
            title: title.into(),
            x_label: "epoch".into(),
            y_label: y_label.into(),
            log_y,
            curves,
            note: None,
        }
    };
    let has_test = per_seed[0]
        .1
        .runs
        .values()
        .any(|r| !r.curves.test_accuracy.is_empty());
    let accuracy: &dyn Fn(&RunMetrics) -> &[Option<f64>] = if has_test {
        &|r| &r.curves.test_accuracy
    } else {
        &|r| &r.curves.train_accuracy
    };
    save(
        &Figure {
            title: Some(format!(
                "{} seeds: median (solid) and lowest–highest seed (dashed)",
                per_seed.len()
            )),
            panels: vec![
                panel(
                    "Training loss",
                    "loss",
                    true,
                    &|r| &r.curves.train_loss,
                    1.0,
                ),
                panel(
                    if has_test {
                        "Test accuracy"
                    } else {
                        "Training accuracy"
                    },
                    "accuracy (%)",
                    false,
                    accuracy,
                    100.0,
                ),
            ],
            columns: 2,
            panel_size: (700, 520),
        },
        dir,
        "seeds",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_from_a_count_or_a_list() {
        assert_eq!(parse_seeds("3", 10).unwrap(), vec![10, 11, 12]);
        assert_eq!(parse_seeds("1,2,7", 10).unwrap(), vec![1, 2, 7]);
        for bad in ["0", "1,1", "x", "2,,3", "-1", "101"] {
            let error = parse_seeds(bad, 0).unwrap_err();
            assert!(
                !error.contains('\n') && error.contains("--seeds"),
                "{bad}: {error}"
            );
        }
        assert!(parse_seeds("2", u64::MAX).is_err());
    }

    /// One seed's results: runs named by their test accuracy.
    fn seed_metrics(seed: u64, accuracies: &[(&str, f64)]) -> Metrics {
        use crate::results::{Manifest, Status};
        Metrics {
            schema_version: crate::schema::METRICS_SCHEMA_VERSION,
            experiment: "mnist".into(),
            status: Status::Ok,
            backend: "flex".into(),
            device: "CPU".into(),
            profile: "quick".into(),
            seed,
            wall_seconds: 0.0,
            manifest: Manifest::finish(String::new()),
            config: serde_json::Value::Null,
            changed: Default::default(),
            runs: accuracies
                .iter()
                .map(|(name, accuracy)| {
                    let run = RunMetrics {
                        test_accuracy: Some(*accuracy + seed as f64 * 0.001),
                        final_loss: Some(1.0 - accuracy),
                        ..Default::default()
                    };
                    (name.to_string(), run)
                })
                .collect(),
            figures: Vec::new(),
            captions: Default::default(),
            extra: Default::default(),
        }
    }

    #[test]
    fn the_summary_lists_runs_best_first_as_the_report_ranks_them() {
        let runs = [
            ("adam", 0.90),
            ("rmsprop", 0.97),
            ("sgd", 0.80),
            ("zero_init", 0.95),
        ];
        let per_seed: Vec<(u64, Metrics)> = (1..=3).map(|s| (s, seed_metrics(s, &runs))).collect();
        let combined = aggregate(&per_seed).unwrap();
        let order: Vec<String> = summary(&combined)
            .iter()
            .map(|line| line.split_whitespace().next().unwrap().to_string())
            .collect();
        assert_eq!(order, ["rmsprop", "zero_init", "adam", "sgd"]);
        let ranked: Vec<&String> = ranked_runs(&combined)
            .1
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        assert_eq!(ranked, display_order(&combined));
    }
}
