//! The XOR experiment's report, from the recorded results alone.

use serde::de::DeserializeOwned;

use super::config::describe_rules;
use super::grid::median;
use super::{GradientCheck, GridCell, Task1, XorConfig, hidden_sizes};
use crate::backprop::Entry;
use crate::results::{Metrics, Report, number, percent};

/// Median final MSEs in this range count as the plateau of answering ½ everywhere (MSE 0.25).
const PLATEAU: std::ops::RangeInclusive<f64> = 0.15..=0.35;

/// An experiment-wide result of `metrics`, read back as `T`.
fn extra<T: DeserializeOwned>(metrics: &Metrics, key: &str) -> Option<T> {
    serde_json::from_value(metrics.extra.get(key)?.clone()).ok()
}

pub(super) fn report(config: &XorConfig, metrics: &Metrics) -> Report {
    let mut r = Report::new("Multidimensional XOR, a linear layer from scratch, backprop by hand");
    r.paragraph(
        "Notebook 001 (question 2) trains a feed-forward network `FFNet` (a from-scratch linear layer, \
         a sigmoid hidden layer, a linear output) on the parity of d bits, `XOR(b) = Σ bᵢ mod 2`, and \
         asks how many hidden units it takes; then it derives the gradients by hand. Notebook 004 \
         (tasks 1 and 2) shows why XOR needs a hidden layer and works backpropagation through a small \
         network on paper.",
    );
    r.paragraph(&format!(
        "Setup: all 2^d points of d = {:?}, weights and biases drawn from N(0, 1) (`torch.randn`), \
         MSE loss, SGD (lr {}, momentum {}), each epoch 2^d single examples drawn uniformly at \
         random with replacement, {} epochs, a fresh network and optimizer per run, {} seeds per \
         (d, hidden) pair. A run *converges* when its final MSE over all 2^d points is below {} \
         (the notebook's \"loss getting close to 0\"; it printed the loss of the last single \
         example instead). {}",
        config.dims,
        config.learning_rate,
        config.momentum,
        config.epochs,
        config.seeds,
        config.converged_below,
        if config.batched {
            "All runs of a dimension were trained side by side as one batched computation (a \
             leading \"run\" dimension; each run keeps its own weights, examples and gradients, so \
             it follows the trajectory it would follow alone, up to floating-point rounding)."
        } else {
            "Each run was trained on its own."
        },
    ));

    let cells: Vec<GridCell> = extra(metrics, "grid").unwrap_or_default();
    r.heading("Which networks converge");
    grid_table(&mut r, &cells);
    grid_answers(&mut r, config, &cells);

    r.heading("Gradients by hand");
    match extra::<GradientCheck>(metrics, "gradient_check") {
        Some(check) => gradient_paragraph(&mut r, config, &check),
        None => {
            r.paragraph("The gradient check was not recorded.");
        }
    }

    r.heading("Why XOR needs a hidden layer (notebook 004, task 1)");
    match extra::<Task1>(metrics, "task1") {
        Some(t) => task1_section(&mut r, &t),
        None => {
            r.paragraph("Task 1 was not recorded.");
        }
    }

    r.heading("Backpropagation worksheet (notebook 004, task 2)");
    let example = metrics.extra.get("backprop_example");
    let entries: Vec<Entry> = example
        .and_then(|e| e.get("entries"))
        .and_then(|e| serde_json::from_value(e.clone()).ok())
        .unwrap_or_default();
    let agrees = example
        .and_then(|e| e.get("agrees_with_autodiff"))
        .and_then(|v| v.as_bool());
    r.paragraph(&format!(
        "The notebook's network picture is missing, so `unfold backprop --network FILE` works any \
         small network given as JSON. The shipped example (`assets/backprop-example.json`: 2 \
         inputs, 3 ReLU hidden units, one identity output, L = ½(y − ŷ)², y = 1) gives the values \
         below; {}",
        match agrees {
            Some(true) => "every one agrees with Burn's autodiff (✓).",
            Some(false) => "some disagree with Burn's autodiff (marked ✗): a hand formula or the \
                            autodiff check is wrong.",
            None => "they were not checked with autodiff.",
        }
    ));
    let rows: Vec<Vec<String>> = entries.iter().map(Entry::row).collect();
    r.table(&["quantity", "formula", "value", "autodiff"], &rows);
    r
}

/// One row per (d, hidden) cell.
fn grid_table(r: &mut Report, cells: &[GridCell]) {
    let rows: Vec<Vec<String>> = cells
        .iter()
        .map(|c| {
            let min = c
                .final_losses
                .iter()
                .flatten()
                .copied()
                .min_by(f64::total_cmp);
            vec![
                c.d.to_string(),
                c.hidden.to_string(),
                c.parameters.to_string(),
                format!("{}/{}", c.converged, c.runs),
                percent(Some(c.success_rate())),
                format!("{}/{}", c.all_correct, c.runs),
                number(c.median_loss()),
                number(min),
            ]
        })
        .collect();
    r.table(
        &[
            "d",
            "hidden",
            "parameters",
            "converged",
            "success rate",
            "all points right",
            "median final MSE",
            "best final MSE",
        ],
        &rows,
    );
}

/// The smallest hidden size of dimension `d` with at least one converged run, and the smallest
/// whose runs all converged.
fn smallest(cells: &[GridCell], d: usize) -> (Option<&GridCell>, Option<&GridCell>) {
    let of_d = || cells.iter().filter(move |c| c.d == d && c.runs > 0);
    let some = of_d().filter(|c| c.converged > 0).min_by_key(|c| c.hidden);
    let all = of_d()
        .filter(|c| c.converged == c.runs)
        .min_by_key(|c| c.hidden);
    (some, all)
}

/// The notebook's three questions, answered from the grid.
fn grid_answers(r: &mut Report, config: &XorConfig, cells: &[GridCell]) {
    let of_d = |d: usize| cells.iter().filter(move |c| c.d == d);
    let converging: Vec<usize> = config
        .dims
        .iter()
        .copied()
        .filter(|&d| of_d(d).any(|c| c.converged > 0))
        .collect();
    let failing: Vec<String> = config
        .dims
        .iter()
        .filter(|d| !converging.contains(d))
        .map(usize::to_string)
        .collect();
    let q1 = if converging.is_empty() {
        format!(
            "None: no run reached MSE < {} in any dimension.",
            config.converged_below
        )
    } else {
        let per: Vec<String> = converging
            .iter()
            .map(|&d| {
                // The best rate, and the smallest size that reaches it.
                let best_rate = of_d(d).map(GridCell::success_rate).fold(0.0, f64::max);
                let best = of_d(d)
                    .filter(|c| c.success_rate() == best_rate)
                    .min_by_key(|c| c.hidden)
                    .expect("d has a converging cell");
                format!(
                    "d = {d} (best: {} hidden units, {}/{} runs)",
                    best.hidden, best.converged, best.runs
                )
            })
            .collect();
        let rest = if failing.is_empty() {
            String::new()
        } else {
            format!(" No run converged for d = {}.", failing.join(", "))
        };
        format!(
            "At least one run reached MSE < {} for {}.{rest}",
            config.converged_below,
            per.join(", ")
        )
    };
    r.answer(
        "For which dimensions were you able to reach a model that converges (loss value getting close to 0)?",
        &q1,
    );

    let q2: Vec<String> = config
        .dims
        .iter()
        .map(|&d| {
            let least_tried = of_d(d).map(|c| c.hidden).min();
            // The grid cannot say whether a size below the smallest one tried would do.
            let floor = |h: usize| {
                if Some(h) == least_tried && h > 1 {
                    " (the smallest size tried)"
                } else {
                    ""
                }
            };
            match smallest(cells, d) {
                (Some(some), Some(all)) if some.hidden == all.hidden => format!(
                    "d = {d}: {} hidden units{}, every run converged",
                    some.hidden,
                    floor(some.hidden)
                ),
                (Some(some), Some(all)) => format!(
                    "d = {d}: {} hidden units{} converged sometimes ({}/{}), {} every time",
                    some.hidden,
                    floor(some.hidden),
                    some.converged,
                    some.runs,
                    all.hidden
                ),
                (Some(some), None) => format!(
                    "d = {d}: the smallest size with a converged run is {}{} ({}/{}); no size \
                     converged every time",
                    some.hidden,
                    floor(some.hidden),
                    some.converged,
                    some.runs
                ),
                (None, _) => format!("d = {d}: no size tried converged"),
            }
        })
        .collect();
    r.answer(
        "What is the number of hidden neurons in that network and how did you find it?",
        &format!(
            "{}. Found by a grid search: for each d, hidden sizes {} ({}) trained from {} random \
             initializations each, counting the runs whose final MSE is below {}; the table gives \
             every rate.",
            q2.join("; "),
            config
                .dims
                .iter()
                .map(|&d| format!("{:?}", hidden_sizes(&config.hidden, d)))
                .collect::<Vec<_>>()
                .join(", "),
            describe_rules(&config.hidden),
            config.seeds,
            config.converged_below
        ),
    );

    r.answer(
        "What results did you expect and how does it differ from the results you achieved?",
        &expectations(config, cells),
    );
}

/// `d = 2: 40.0%` for every dimension where `pick` finds a cell (`d = 2 with 8 units: …` with
/// `with_size`).
fn rates<'a>(
    config: &XorConfig,
    pick: impl Fn(usize) -> Option<&'a GridCell>,
    with_size: bool,
) -> Vec<String> {
    config
        .dims
        .iter()
        .filter_map(|&d| pick(d).map(|c| (d, c)))
        .map(|(d, c)| {
            let size = if with_size {
                format!(" with {} units", c.hidden)
            } else {
                String::new()
            };
            format!("d = {d}{size}: {}", percent(Some(c.success_rate())))
        })
        .collect()
}

/// The third answer: what d units should do, and what the grid shows.
fn expectations(config: &XorConfig, cells: &[GridCell]) -> String {
    let of_d = |d: usize| cells.iter().filter(move |c| c.d == d);
    let exactly_d = rates(config, |d| of_d(d).find(|c| c.hidden == d), false);
    let widest = rates(config, |d| of_d(d).max_by_key(|c| c.hidden), true);
    let at_least_d: Vec<&GridCell> = cells.iter().filter(|c| c.hidden >= c.d).collect();
    let all_found = at_least_d.iter().all(|c| c.converged == c.runs);
    let exactly = if exactly_d.is_empty() {
        "no grid size equals d".to_string()
    } else {
        exactly_d.join(", ")
    };

    let mut text = String::from(
        "Expected: d hidden units are enough to *represent* the parity of d bits (unit k can \
         fire when at least k bits are set, and the output adds them with alternating signs), and \
         the universal approximation theorem promises that some width works, so every d should \
         be learnable with about d units. Achieved: ",
    );
    if at_least_d.is_empty() {
        text.push_str(&format!(
            "no network with d or more hidden units was tried, so the grid cannot test that; the \
             widest networks reached {}.",
            widest.join(", ")
        ));
    } else if all_found {
        text.push_str(&format!(
            "every network with at least d hidden units converged in every run: here SGD found \
             such weights each time within {} epochs from a random N(0, 1) start. With exactly d \
             hidden units the success rate was {exactly}; the widest networks reached {}.",
            config.epochs,
            widest.join(", ")
        ));
    } else {
        text.push_str(&format!(
            "being representable is not the same as being found by SGD in {} epochs from a \
             random N(0, 1) start. With exactly d hidden units the success rate was {exactly}; \
             the widest networks reached {}. The theorem says suitable weights exist; it says \
             nothing about how often gradient descent finds them.",
            config.epochs,
            widest.join(", ")
        ));
    }

    // Smooth sigmoid units are not threshold units: fewer than d of them may fit the points.
    let narrower: Vec<String> = config
        .dims
        .iter()
        .filter(|&&d| of_d(d).any(|c| c.hidden < d && c.converged > 0))
        .map(usize::to_string)
        .collect();
    if !narrower.is_empty() {
        text.push_str(&format!(
            " Networks with fewer than d hidden units also converged for d = {}: d units are \
             enough, not the minimum, for these smooth sigmoid units.",
            narrower.join(", ")
        ));
    }

    if config.dims.len() > 1 {
        let pooled: Vec<(usize, f64)> = config
            .dims
            .iter()
            .map(|&d| {
                let (ok, all) = of_d(d).fold((0, 0), |(ok, all), c| (ok + c.converged, all + c.runs));
                (d, ok as f64 / all.max(1) as f64)
            })
            .collect();
        let mut by_d = pooled.clone();
        by_d.sort_by_key(|(d, _)| *d);
        let steps: Vec<f64> = by_d.windows(2).map(|w| w[1].1 - w[0].1).collect();
        let trend = if steps.iter().all(|s| *s == 0.0) {
            "stays the same"
        } else if steps.iter().all(|s| *s <= 0.0) {
            "falls"
        } else if steps.iter().all(|s| *s >= 0.0) {
            "rises"
        } else {
            "does not change monotonically"
        };
        text.push_str(&format!(
            " Pooled over the hidden sizes tried for each d, the success rate was {}, which {trend} \
             as d grows.",
            pooled
                .iter()
                .map(|(d, p)| format!("d = {d}: {}", percent(Some(*p))))
                .collect::<Vec<_>>()
                .join(", "),
        ));
    }

    let stuck: Vec<f64> = cells
        .iter()
        .flat_map(|c| c.final_losses.iter().flatten().copied())
        .filter(|l| *l >= config.converged_below)
        .collect();
    text.push_str(&match median(&stuck) {
        Some(m) if PLATEAU.contains(&m) => format!(
            " The {} runs that did not converge ended at a median MSE of {m:.3}, close to 0.25, \
             the MSE of answering ½ everywhere: they stalled on a plateau rather than slowly \
             approaching 0.",
            stuck.len()
        ),
        Some(m) => format!(
            " The {} runs that did not converge ended at a median MSE of {m:.3}.",
            stuck.len()
        ),
        None if cells.iter().any(|c| c.final_losses.contains(&None)) => {
            " Every run that finished converged; the others diverged.".into()
        }
        None => " Every run converged.".into(),
    });

    // Wider against narrower, where a dimension has more than one size.
    let compared: Vec<usize> = config
        .dims
        .iter()
        .copied()
        .filter(|&d| of_d(d).count() > 1)
        .collect();
    let beaten: Vec<String> = compared
        .iter()
        .filter(|&&d| {
            let widest = of_d(d).max_by_key(|c| c.hidden).map(GridCell::success_rate);
            widest.is_some_and(|w| of_d(d).any(|c| c.success_rate() > w))
        })
        .map(usize::to_string)
        .collect();
    if !compared.is_empty() {
        text.push_str(&if beaten.is_empty() {
            " In every dimension the widest network converged at least as often as any narrower \
             one: here, extra units made good weights easier to find."
                .to_string()
        } else {
            format!(
                " Wider was not always better: for d = {} a narrower network converged more \
                 often than the widest.",
                beaten.join(", ")
            )
        });
    }
    text
}

/// The gradient check, with a verdict that follows the measured differences.
fn gradient_paragraph(r: &mut Report, config: &XorConfig, check: &GradientCheck) {
    let compared = check.steps * check.parameters;
    // The largest difference relative to the largest gradient: float32 arithmetic rounds at
    // about 1e-7 of a value, so differences up to ~1e-5 of the gradients are rounding.
    let relative = check.max_abs_diff / check.max_abs_gradient.max(f64::MIN_POSITIVE);
    let rounding = relative < 1e-5;
    let verdict = if check.passed() {
        format!(
            "They match: all {compared} comparisons were within tolerance, the largest difference \
             {:.3e} (largest gradient {:.3}){}.",
            check.max_abs_diff,
            check.max_abs_gradient,
            if check.max_abs_diff == 0.0 {
                ", so the two are identical to the last bit"
            } else if rounding {
                ", the size of float32 rounding"
            } else {
                ""
            }
        )
    } else if rounding {
        format!(
            "{} of {compared} comparisons fell outside the tolerance, yet the largest difference \
             ({:.3e}) is {relative:.1e} of the largest gradient ({:.3}), the size of float32 \
             rounding: the tolerance is tighter than float32 arithmetic allows, not a sign of a \
             wrong derivation.",
            check.failures, check.max_abs_diff, check.max_abs_gradient
        )
    } else {
        format!(
            "They do NOT match: {} of {compared} comparisons fell outside the tolerance, with \
             differences up to {:.3e} against gradients up to {:.3} — more than rounding.",
            check.failures, check.max_abs_diff, check.max_abs_gradient
        )
    };
    let notebook = if check.notebook_check_failures > 0 {
        format!(
            "The notebook's own test (rounding the *sum* of signed differences) failed at {} \
             steps.",
            check.notebook_check_failures
        )
    } else {
        "The notebook's own test (rounding the *sum* of signed differences) passed at every \
         step, but it is weak: errors of opposite sign cancel in a sum and rounding hides any \
         error below ½, which is why this check compares each element."
            .to_string()
    };
    r.paragraph(&format!(
        "`calc_gradients` differentiates the MSE of a 2-2-1 `FFNet` by the chain rule: with \
         e = 2(ŷ − y), ∂L/∂W2 = hᵀe, ∂L/∂b2 = e, δ = (e·W2ᵀ) ⊙ σ(z1)(1 − σ(z1)), ∂L/∂W1 = xᵀδ, \
         ∂L/∂b1 = δ, flattened in parameter order (W1 as [in, hidden], b1, W2, b2). At every one \
         of the {} steps of `train_and_compare` ({} epochs of 4 single examples, SGD with \
         momentum) each of the {} gradients was compared with autodiff's, element by element, \
         with tolerance |hand − autodiff| ≤ {:e} + {:e}·|autodiff|. {verdict} {notebook} Final \
         MSE of the checked network: {}.",
        check.steps,
        config.compare_epochs,
        check.parameters,
        check.tolerance.abs,
        check.tolerance.rel,
        if check.final_loss.is_finite() {
            format!("{:.4}", check.final_loss)
        } else {
            "not finite (training diverged)".into()
        }
    ));
}

/// Notebook 004's task 1: the least-squares fits and the ReLU network.
fn task1_section(r: &mut Report, t: &Task1) {
    let fmt = |v: &[f64]| {
        v.iter()
            .map(|x| format!("{:.4}", x + 0.0).replace("-0.0000", "0.0000"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let exactly = |mse: f64, text: &str| {
        if (mse - 1.0 / 3.0).abs() < 1e-9 {
            format!("{text} (= 1/3)")
        } else if (mse - 0.25).abs() < 1e-9 {
            format!("{text} (= 1/4)")
        } else {
            text.to_string()
        }
    };
    let best = t.linear_with_bias.mse;
    r.paragraph(&format!(
        "The best linear fit g1(x) = x·w solves the normal equations XᵀX·w = Xᵀy with XᵀX = [[2, \
         1], [1, 2]] and Xᵀy = [1, 1]: w = [{}], predictions [{}] on (0,0), (0,1), (1,0), (1,1), \
         MSE {}. Adding a bias gives w, b = [{}], predictions [{}], MSE {}{} (A sigmoid on top is \
         monotone: its output is above ½ exactly where x·w + b > 0, a half-plane, and no \
         half-plane holds (0,1) and (1,0) without (0,0) or (1,1).)",
        fmt(&t.linear.weights),
        fmt(&t.linear.predictions),
        exactly(t.linear.mse, &format!("{:.4}", t.linear.mse)),
        fmt(&t.linear_with_bias.weights),
        fmt(&t.linear_with_bias.predictions),
        exactly(best, &format!("{best:.4}")),
        if best > 1e-12 {
            ": the least-squares optimum itself is not exact, so no linear model is."
        } else {
            "."
        },
    ));
    let xs = ["(0,0)", "(0,1)", "(1,0)", "(1,1)"];
    let point = |h: &[f32; 2]| format!("({}, {})", h[0], h[1]);
    let rows: Vec<Vec<String>> = xs
        .iter()
        .zip(t.hidden.iter().zip(&t.outputs))
        .enumerate()
        .map(|(i, (x, (h, y)))| {
            vec![
                x.to_string(),
                point(h),
                y.to_string(),
                // XOR of the two bits: (0,1) and (1,0).
                (i == 1 || i == 2).to_string(),
            ]
        })
        .collect();
    r.table(&["x", "h = max(0, W1·x + b)", "ŷ = W2ᵀh", "XOR"], &rows);
    let at = |i: usize| t.hidden.get(i).map(point).unwrap_or_else(|| "?".into());
    let merged = t.hidden.get(1).is_some() && t.hidden.get(1) == t.hidden.get(2);
    r.paragraph(&format!(
        "With W1 = [[1, 1], [1, 1]], b = [0, −1] and W2 = [1, −2], the hidden layer maps (0,1) \
         and (1,0) to {}, (0,0) to {} and (1,1) to {}; in that space the line h1 − 2·h2 = ½ \
         separates the classes, and the output {}.",
        if merged {
            format!("the same point {}", at(1))
        } else {
            format!("{} and {}", at(1), at(2))
        },
        at(0),
        at(3),
        if t.max_error == 0.0 {
            "is exactly XOR (largest error 0)".to_string()
        } else if t.max_error < 0.5 {
            format!(
                "is on the right side of ½ everywhere (largest error {})",
                t.max_error
            )
        } else {
            format!(
                "is not XOR here (largest error {}): check the network",
                t.max_error
            )
        }
    ));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::{Manifest, Status};

    fn metrics(cells: &[GridCell]) -> Metrics {
        let mut m = Metrics {
            experiment: "xor".into(),
            status: Status::Ok,
            backend: "ndarray".into(),
            device: "CPU".into(),
            profile: "quick".into(),
            seed: 0,
            wall_seconds: 0.0,
            manifest: Manifest::finish(String::new()),
            config: serde_json::Value::Null,
            changed: Default::default(),
            runs: Default::default(),
            figures: Vec::new(),
            captions: Default::default(),
            extra: Default::default(),
        };
        m.extra_json("grid", serde_json::to_value(cells).unwrap());
        m
    }

    /// A cell of `runs` runs, `converged` of them at MSE 0.01 and the rest stuck at 0.25.
    fn cell(d: usize, hidden: usize, converged: usize, runs: usize) -> GridCell {
        GridCell {
            d,
            hidden,
            parameters: d * hidden + 2 * hidden + 1,
            runs,
            converged,
            all_correct: converged,
            final_losses: (0..runs)
                .map(|i| Some(if i < converged { 0.01 } else { 0.25 }))
                .collect(),
        }
    }

    fn answers(config: &XorConfig, cells: &[GridCell]) -> Vec<String> {
        report(config, &metrics(cells))
            .answers()
            .into_iter()
            .map(|(_, a)| a.to_string())
            .collect()
    }

    #[test]
    fn answers_follow_a_grid_where_sgd_sometimes_fails() {
        let config = XorConfig {
            dims: vec![2, 3],
            ..XorConfig::for_profile(crate::Profile::Quick)
        };
        let cells = [
            cell(2, 1, 0, 2),
            cell(2, 2, 1, 2),
            cell(2, 4, 2, 2),
            cell(3, 1, 0, 2),
            cell(3, 3, 0, 2),
            cell(3, 6, 2, 2),
        ];
        let a = answers(&config, &cells);
        assert_eq!(a.len(), 3);
        assert!(a[0].contains("d = 2 (best: 4 hidden units, 2/2 runs)"), "{}", a[0]);
        assert!(
            a[1].contains("d = 2: 2 hidden units converged sometimes (1/2), 4 every time"),
            "{}",
            a[1]
        );
        assert!(a[1].contains("d = 3: 6 hidden units, every run converged"), "{}", a[1]);
        assert!(a[2].contains("not the same as being found"), "{}", a[2]);
        assert!(a[2].contains("d = 2: 50.0%, d = 3: 0.0%"), "{}", a[2]);
        assert!(a[2].contains("which falls as d grows"), "{}", a[2]);
        assert!(a[2].contains("stalled on a plateau"), "{}", a[2]);
        assert!(a[2].contains("widest network converged at least as often"), "{}", a[2]);
        assert!(!a[2].contains("fewer than d hidden units"), "{}", a[2]);
    }

    #[test]
    fn answers_do_not_claim_failures_the_grid_does_not_show() {
        // One dimension, every network of at least d units always converged, and a narrower
        // one did too: no "SGD fails" story, no trend over d, and the narrower success said.
        let config = XorConfig {
            dims: vec![3],
            hidden: vec![HiddenRule::Fixed { size: 2 }, HiddenRule::DTimes { times: 1 }],
            ..XorConfig::default()
        };
        let cells = [cell(3, 2, 2, 2), cell(3, 3, 2, 2)];
        let a = answers(&config, &cells);
        assert!(a[1].contains("d = 3: 2 hidden units (the smallest size tried), every run"), "{}", a[1]);
        assert!(a[2].contains("converged in every run"), "{}", a[2]);
        assert!(!a[2].contains("not the same as being found"), "{}", a[2]);
        assert!(!a[2].contains("as d grows"), "{}", a[2]);
        assert!(a[2].contains("Every run converged."), "{}", a[2]);
        assert!(a[2].contains("fewer than d hidden units also converged for d = 3"), "{}", a[2]);
    }

    #[test]
    fn gradient_verdict_follows_the_measured_error() {
        let check = |failures: usize, max_abs_diff: f64| GradientCheck {
            steps: 4,
            parameters: 9,
            max_abs_diff,
            max_abs_gradient: 0.5,
            failures,
            tolerance: crate::xor::Tolerance { abs: 1e-5, rel: 1e-4 },
            notebook_check_failures: 0,
            per_step_max_diff: vec![max_abs_diff; 4],
            final_loss: f64::NAN,
        };
        let text = |c: GradientCheck| {
            let mut m = metrics(&[]);
            m.extra_json("gradient_check", serde_json::to_value(&c).unwrap());
            report(&XorConfig::default(), &m).to_markdown()
        };
        let ok = text(check(0, 1e-8));
        assert!(ok.contains("They match") && ok.contains("float32 rounding"), "{ok}");
        assert!(ok.contains("not finite"), "{ok}");
        let tight = text(check(3, 1e-7));
        assert!(tight.contains("tighter than float32"), "{tight}");
        let wrong = text(check(30, 0.2));
        assert!(wrong.contains("They do NOT match"), "{wrong}");
    }
}
