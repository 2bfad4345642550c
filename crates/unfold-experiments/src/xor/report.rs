//! The XOR experiment's report, from the recorded results alone.

use serde::de::DeserializeOwned;

use super::answers::grid_answers;
use super::{GradientCheck, GridCell, Task1, XorConfig};
use crate::backprop::Entry;
use crate::results::{Metrics, Report, number, percent};

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
         random with replacement, {}, a fresh network and optimizer per run, {} seeds per \
         (d, hidden) pair. A run *converges* when its final MSE over all 2^d points is below {} \
         (the notebook's \"loss getting close to 0\"; it printed the loss of the last single \
         example instead). {}",
        config.dims,
        config.learning_rate,
        config.momentum,
        crate::results::count_of(config.epochs, "epoch"),
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
            Some(false) =>
                "some disagree with Burn's autodiff (marked ✗): a hand formula or the \
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
         of the {} steps of `train_and_compare` ({} of 4 single examples, SGD with \
         momentum) each of the {} gradients was compared with autodiff's, element by element, \
         with tolerance |hand − autodiff| ≤ {:e} + {:e}·|autodiff|. {verdict} {notebook} Final \
         MSE of the checked network: {}.",
        check.steps,
        crate::results::count_of(config.compare_epochs, "epoch"),
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
    use crate::xor::Tolerance;

    fn metrics(cells: &[GridCell]) -> Metrics {
        let mut m = Metrics {
            schema_version: crate::schema::METRICS_SCHEMA_VERSION,
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

    #[test]
    fn gradient_verdict_follows_the_measured_error() {
        let check = |failures: usize, max_abs_diff: f64| GradientCheck {
            steps: 4,
            parameters: 9,
            max_abs_diff,
            max_abs_gradient: 0.5,
            failures,
            tolerance: Tolerance {
                abs: 1e-5,
                rel: 1e-4,
            },
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
        assert!(
            ok.contains("They match") && ok.contains("float32 rounding"),
            "{ok}"
        );
        assert!(ok.contains("not finite"), "{ok}");
        let tight = text(check(3, 1e-7));
        assert!(tight.contains("tighter than float32"), "{tight}");
        let wrong = text(check(30, 0.2));
        assert!(wrong.contains("They do NOT match"), "{wrong}");
    }
}
