//! Notebook 001's question-1 report, from the recorded results alone.

use super::run::Mistake;
use super::studies::{Entry, Studies, final_validation, pick_by_validation};
use super::{LOGISTIC, MnistConfig};
use crate::results::{Metrics, Report, RunMetrics, count_of, number, percent};
use crate::runs::results_table;

/// Validation accuracy below which a 10-class model counts as stuck near chance (10%).
const NEAR_CHANCE: f64 = 0.2;
/// Logistic-regression test accuracy from which it counts as a reasonable baseline.
const REASONABLE: f64 = 0.8;
/// A gap in validation accuracy (in points) below which two runs count as equally good.
const SAME: f64 = 0.05;

fn study_table(report: &mut Report, first: &str, runs: &[(String, &RunMetrics)]) {
    let rows: Vec<Vec<String>> = runs
        .iter()
        .map(|(label, m)| {
            vec![
                label.clone(),
                percent(m.train_accuracy),
                percent(validation(m)),
                percent(m.test_accuracy),
                number(m.final_loss),
                m.status.to_string(),
            ]
        })
        .collect();
    report.table(
        &[
            first,
            "train accuracy",
            "validation accuracy",
            "test accuracy",
            "final train loss",
            "status",
        ],
        &rows,
    );
}

/// A run's final validation accuracy, if it has one.
fn validation(m: &RunMetrics) -> Option<f64> {
    Some(final_validation(m)).filter(|v| *v >= 0.0)
}

/// `two hidden layers of 400 ReLU units`, or the list when the widths differ.
fn hidden_layers(hidden: &[usize]) -> String {
    let count = match hidden.len() {
        1 => "one hidden layer".to_string(),
        2 => "two hidden layers".to_string(),
        3 => "three hidden layers".to_string(),
        n => format!("{n} hidden layers"),
    };
    match hidden {
        [first, rest @ ..] if rest.iter().all(|w| w == first) => {
            format!("{count} of {first} ReLU units")
        }
        _ => format!(
            "{count} ({} ReLU units)",
            hidden
                .iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

pub(super) fn report(config: &MnistConfig, metrics: &Metrics) -> Report {
    let empty = RunMetrics::default();
    let run = |name: &str| metrics.runs.get(name).unwrap_or(&empty);
    let studies: Studies = metrics
        .extra
        .get("studies")
        .and_then(|v| serde_json::from_value(v.clone()).ok())
        .unwrap_or_default();
    let text = |key: &str| {
        metrics
            .extra
            .get(key)
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_string()
    };
    let logistic = run(LOGISTIC);
    let baseline = run(&studies.baseline);
    let mut report = Report::new("MNIST: logistic regression from scratch vs an MLP");
    report.paragraph(&format!(
        "The {} training images were split {:.0}/{:.0} into training and validation sets; \
         the test set is scored once per model, after training. Sanity check of the first \
         training batch: `{}`.",
        match config.train_images {
            Some(n) => format!("first {n}"),
            None => "60,000".into(),
        },
        config.train_fraction * 100.0,
        (1.0 - config.train_fraction) * 100.0,
        text("sanity_check"),
    ));

    report.heading("Logistic regression from scratch");
    report.paragraph(&format!(
        "`W` [784×10] and `b` [10] as plain tensors, softmax cross-entropy with gradients \
         written by hand (checked against autodiff in the tests), plain gradient descent with \
         lr {} on shuffled batches of {} for {} (tolerance {} on the mean gradient \
         norm{}). Number of parameters: **{}**. Validation accuracy **{}**, test accuracy **{}**.",
        config.logistic.learning_rate,
        config.batch_size,
        count_of(config.logistic.epochs, "epoch"),
        config.logistic.tolerance,
        match logistic
            .extra
            .get("converged_at_epoch")
            .and_then(|v| v.as_u64())
        {
            Some(e) => format!(", reached after epoch {e}"),
            None => ", never reached".into(),
        },
        logistic.parameters.unwrap_or(0),
        percent(validation(logistic)),
        percent(logistic.test_accuracy),
    ));
    let (logistic_test, mlp_test) = (
        logistic.test_accuracy.unwrap_or(0.0),
        baseline.test_accuracy.unwrap_or(0.0),
    );
    let mlp_wins = mlp_test > logistic_test;
    let fix = if mlp_wins {
        format!(
            "Adding hidden layers with a non-linearity (the MLP below: {} test accuracy) \
             removes that constraint.",
            percent(baseline.test_accuracy)
        )
    } else {
        format!(
            "Adding hidden layers with a non-linearity removes that constraint, although under \
             these settings the MLP below ({} test accuracy) did not get past it.",
            percent(baseline.test_accuracy)
        )
    };
    report.answer(
        "Is a logistic regression a sufficient model for this task? What constraints does it \
         impose, and what modification might help?",
        &format!(
            "It is {} ({} test accuracy) but not sufficient: each class score is a linear \
             function of the pixels, so the decision boundaries between classes are \
             hyperplanes in pixel space and each class is represented by a single template. It \
             cannot model that the same digit is written in several ways or that pixels matter \
             in combination. {fix}",
            if logistic_test >= REASONABLE {
                "a reasonable baseline"
            } else {
                "a weak baseline here"
            },
            percent(logistic.test_accuracy),
        ),
    );
    let mistakes: Vec<Mistake> = logistic
        .extra
        .get("misclassified_examples")
        .and_then(|v| serde_json::from_value(v.clone()).ok())
        .unwrap_or_default();
    let misclassified = logistic
        .extra
        .get("misclassified_test_images")
        .and_then(|v| v.as_u64())
        .unwrap_or(0);
    let test_count = metrics
        .extra
        .get("test_image_count")
        .and_then(|v| v.as_u64())
        .unwrap_or(0);
    let examples: Vec<String> = mistakes
        .iter()
        .take(2)
        .map(|m| {
            format!(
                "test image {} is a {} predicted as {}",
                m.index, m.truth, m.predicted
            )
        })
        .collect();
    let answer = if examples.is_empty() {
        format!("None of the {test_count} test digits is misclassified under these settings.")
    } else {
        format!(
            "{misclassified} of the {test_count} test digits are misclassified; for example {}. \
             The figure `logistic_misclassified.png` shows the first {} with their true and \
             predicted classes: a linear model scores a digit by how much its pixels overlap \
             each class's single template, so a digit drawn unusually can overlap another \
             class's template more than its own.",
            examples.join("; "),
            (config.misclassified_shown as u64).min(misclassified)
        )
    };
    report.answer(
        "Give two examples of incorrectly classified digits.",
        &answer,
    );

    report.heading("The MLP");
    results_table(
        &mut report,
        &[(LOGISTIC, logistic), (studies.baseline.as_str(), baseline)],
    );
    mlp_answers(&mut report, config, logistic, baseline);

    report.heading("Initialization study");
    let rows = |entries: &[Entry]| -> Vec<(String, &RunMetrics)> {
        entries
            .iter()
            .map(|e| (e.label.clone(), run(&e.run)))
            .collect()
    };
    study_table(
        &mut report,
        "initialization",
        &rows(&studies.initialization),
    );
    let zeros = config
        .initializations
        .iter()
        .zip(&studies.initialization)
        .find(|(init, _)| **init == unfold_models::LayerInit::Zeros)
        .and_then(|(_, e)| validation(run(&e.run)));
    report.answer(
        "Why does zero initialization make training fail, even though the optimizer still \
         updates the weights?",
        &format!(
            "With every weight 0, every hidden unit computes the same value (0, so its ReLU \
             passes no gradient) and the gradient of every weight of the hidden layers is 0: \
             only the output biases learn, and units that start identical would stay identical \
             anyway (the symmetry is never broken).{}",
            match zeros {
                Some(v) if v < NEAR_CHANCE => format!(
                    " The network predicts the most frequent class: validation accuracy {}, \
                     near chance for 10 classes (10%).",
                    percent(Some(v))
                ),
                Some(v) => format!(
                    " Here, though, its validation accuracy is {}, above chance for 10 \
                     classes: under these settings something broke the symmetry.",
                    percent(Some(v))
                ),
                None => " The network predicts the most frequent class.".into(),
            }
        ),
    );
    let (best_init, worst_init) = extremes(&rows(&studies.initialization)).unwrap_or_else(|| {
        (
            studies.best_initialization.clone(),
            studies.worst_initialization.clone(),
        )
    });
    report.paragraph(&format!(
        "Best initialization: **{best_init}**{}; worst: **{worst_init}** (by final validation \
         accuracy).",
        near_tie(&rows(&studies.initialization))
    ));

    report.heading("Optimizer study");
    let optimizer_rows = rows(&studies.optimizer);
    study_table(&mut report, "optimizer", &optimizer_rows);
    optimizer_paragraph(&mut report, config, &studies, &optimizer_rows);

    if !studies.reflection.is_empty() {
        report.heading("Reflection: initialization × optimizer");
        study_table(&mut report, "run", &rows(&studies.reflection));
        reflection_paragraph(&mut report, &studies, |name| validation(run(name)));
    }

    if let Some(name) = &studies.batch_norm {
        let m = run(name);
        report.heading("Beyond the notebook: batch normalization");
        let rows = vec![(studies.baseline.clone(), baseline), (name.clone(), m)];
        study_table(&mut report, "model", &rows);
        report.paragraph(&format!(
            "Normalizing each hidden layer's pre-activations over the batch (learned scale \
             and shift, running statistics at evaluation) adds {} parameters; validation \
             accuracy {} with it, {} without.",
            m.parameters.unwrap_or(0) as i64 - baseline.parameters.unwrap_or(0) as i64,
            percent(validation(m)),
            percent(validation(baseline)),
        ));
    }
    report
}

/// Why the MLP beats the logistic regression (when it does), and where early stopping stops.
fn mlp_answers(
    report: &mut Report,
    config: &MnistConfig,
    logistic: &RunMetrics,
    baseline: &RunMetrics,
) {
    let layers = hidden_layers(&config.hidden);
    let mlp_wins = baseline.test_accuracy.unwrap_or(0.0) > logistic.test_accuracy.unwrap_or(0.0);
    let answer = if mlp_wins {
        format!(
            "Its {layers} learn features (strokes, loops, their combinations) and compose them \
             non-linearly, so its decision boundaries can bend around the different ways of \
             writing a digit: test accuracy {} vs {}, and its training accuracy ({}) shows it \
             can fit what the linear model cannot ({}). It has {} parameters against {}.",
            percent(baseline.test_accuracy),
            percent(logistic.test_accuracy),
            percent(baseline.train_accuracy),
            percent(logistic.train_accuracy),
            baseline.parameters.unwrap_or(0),
            logistic.parameters.unwrap_or(0),
        )
    } else {
        format!(
            "Under these settings it does not: test accuracy {} vs {} for the logistic \
             regression. Its {layers} can learn features and compose them non-linearly, but \
             with these settings (epochs, data, optimizer) that capacity did not turn into \
             better predictions. It has {} parameters against {}.",
            percent(baseline.test_accuracy),
            percent(logistic.test_accuracy),
            baseline.parameters.unwrap_or(0),
            logistic.parameters.unwrap_or(0),
        )
    };
    report.answer(
        "Why does the MLP outperform the logistic-regression baseline?",
        &answer,
    );

    let logged: Vec<(usize, f64)> = baseline
        .curves
        .test_accuracy
        .iter()
        .zip(&baseline.curves.epoch)
        .filter_map(|(v, e)| v.map(|v| (*e, v)))
        .collect();
    let best_epoch = logged
        .iter()
        .copied()
        .fold(None, |best: Option<(usize, f64)>, (e, v)| match best {
            Some((_, b)) if v <= b => best,
            _ => Some((e, v)),
        });
    let values: Vec<f64> = baseline
        .curves
        .test_accuracy
        .iter()
        .map(|v| v.unwrap_or(f64::NAN))
        .collect();
    let stop = config
        .early_stopping
        .stop_point(&baseline.curves.epoch, &values);
    let peak = match best_epoch {
        Some((epoch, value)) => format!(
            "Validation accuracy peaked at epoch {epoch} ({}).",
            percent(Some(value))
        ),
        None => "No validation accuracy was recorded.".into(),
    };
    report.answer(
        "Did you need all the epochs? Propose a concrete early-stopping rule.",
        &format!(
            "{peak} Rule: {}. {}",
            config.early_stopping.describe("validation accuracy"),
            match stop {
                Some(s) => format!(
                    "It would have stopped after epoch {} of {} (keeping epoch {}, {}), \
                     saving {} of computation.",
                    s.stop_epoch,
                    config.epochs,
                    s.best_epoch,
                    percent(Some(s.best_value)),
                    count_of(config.epochs - s.stop_epoch, "epoch")
                ),
                None => format!("It would have run all {} epochs.", config.epochs),
            }
        ),
    );
}

/// The labels of the rows with the highest and lowest final validation accuracy (ties keep
/// the first), as the table shows them: for one seed the study's own choice, for several the
/// choice by the means.
fn extremes(rows: &[(String, &RunMetrics)]) -> Option<(String, String)> {
    let pick = |highest| pick_by_validation(rows, |row| row.1, highest).map(|row| row.0.clone());
    Some((pick(true)?, pick(false)?))
}

/// A gap in final validation accuracy below which one seed does not tell two runs apart: the
/// same study on the same machine with other matrix kernels (AVX-512 against AVX2) moved runs
/// by up to 0.8 points and swapped the best two initializations (BENCHMARKS.md, item 10).
const NEAR_TIE: f64 = 0.01;

/// When one seed's best row is within [`NEAR_TIE`] of the next, the words that say so: the
/// runner-up and the gap. Several seeds' rows carry their own spread ("Across seeds"), so this
/// is for one seed only.
fn near_tie(rows: &[(String, &RunMetrics)]) -> String {
    if rows
        .iter()
        .any(|(_, run)| crate::seed_stats::seeds_present(run).is_some())
    {
        return String::new();
    }
    let mut ranked: Vec<(&String, f64)> = rows
        .iter()
        .map(|(label, run)| (label, super::studies::final_validation(run)))
        .collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
    match ranked.as_slice() {
        [(_, best), (second, next), ..] if best - next < NEAR_TIE => format!(
            " — but {second} is within {:.1} points, which one seed does not tell apart \
             (`--seeds 5` says whether the order holds)",
            100.0 * (best - next)
        ),
        _ => String::new(),
    }
}

fn optimizer_paragraph(
    report: &mut Report,
    config: &MnistConfig,
    studies: &Studies,
    rows: &[(String, &RunMetrics)],
) {
    let (best, worst) = extremes(rows).unwrap_or_else(|| {
        (
            studies.best_optimizer.clone(),
            studies.worst_optimizer.clone(),
        )
    });
    let worst_is_plain_sgd = config.optimizer_study().iter().any(|o| {
        super::studies::optimizer_label(o) == worst
            && matches!(o, unfold_train::OptimizerConfig::Sgd { momentum, .. } if *momentum == 0.0)
    });
    // Several seeds may pick different best initializations: each then trains the optimizers
    // from its own, and a row averages only the seeds that trained that run.
    let partial = rows
        .iter()
        .any(|(_, run)| crate::seed_stats::seeds_present(run).is_some_and(|(have, of)| have < of));
    let partial = if partial {
        " Not every seed found the same best initialization; each trained the optimizers (and \
         the reflection runs below) from its own, so a row here averages only the seeds that \
         trained it (the \"seeds\" column under \"Across seeds\")."
    } else {
        ""
    };
    let why = if worst_is_plain_sgd {
        " Plain SGD takes the same small step for every parameter and moves slowly; the \
         adaptive methods scale each parameter's step by its gradient history."
    } else {
        ""
    };
    report.paragraph(&format!(
        "Every optimizer starts from the {} initialization and runs with the hyperparameters \
         in its row (the notebook uses PyTorch's defaults for each, SGD without momentum). \
         Best by final validation accuracy: **{best}**{tie}; worst: **{worst}**.{why}{partial}",
        studies.best_initialization,
        tie = near_tie(rows)
    ));
}

fn reflection_paragraph(
    report: &mut Report,
    studies: &Studies,
    validation: impl Fn(&str) -> Option<f64>,
) {
    let [good_init, good_optimizer] = match studies.reflection.as_slice() {
        [a, b] => [validation(&a.run), validation(&b.run)],
        _ => return,
    };
    let (Some(good_init), Some(good_optimizer)) = (good_init, good_optimizer) else {
        return;
    };
    let verdict = if good_init < NEAR_CHANCE && good_optimizer < NEAR_CHANCE {
        "Both stay near chance for 10 classes: the good initialization does not rescue the \
         weak optimizer, nor the strong optimizer the bad initialization — under these \
         settings either choice alone is enough to stop learning."
    } else if good_init > good_optimizer + SAME {
        "Here the initialization mattered more: a good start rescues a weak optimizer better \
         than a strong optimizer rescues a bad start."
    } else if good_optimizer > good_init + SAME {
        "Here the optimizer mattered more: the strong optimizer recovers from the bad \
         initialization better than the good initialization helps the weak optimizer."
    } else {
        "They end within 5 points of each other: under these settings neither choice dominates."
    };
    report.paragraph(&format!(
        "The best initialization, {}, with the worst optimizer, {}, reaches {} validation \
         accuracy; the worst initialization, {}, with the best optimizer, {}, reaches {}. \
         {verdict}",
        studies.best_initialization,
        studies.worst_optimizer,
        percent(Some(good_init)),
        studies.worst_initialization,
        studies.best_optimizer,
        percent(Some(good_optimizer)),
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(validation: f64) -> RunMetrics {
        let mut run = RunMetrics::default();
        run.extra
            .insert("validation_accuracy".into(), serde_json::json!(validation));
        run
    }

    #[test]
    fn a_best_row_within_a_point_of_the_next_is_called_a_near_tie() {
        let (adam, adagrad, sgd) = (run(0.982), run(0.981), run(0.885));
        let rows = vec![
            ("Adam".to_string(), &adam),
            ("SGD".to_string(), &sgd),
            ("Adagrad".to_string(), &adagrad),
        ];
        let tie = near_tie(&rows);
        assert!(tie.contains("Adagrad is within 0.1 points"), "{tie}");
        let clear = vec![("Adam".to_string(), &adam), ("SGD".to_string(), &sgd)];
        assert_eq!(near_tie(&clear), "");
    }
}
