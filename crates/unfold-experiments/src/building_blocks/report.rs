//! Lab 2's report, from the recorded results alone.

use serde_json::Value;
use unfold_models::blocks::LinearValues;

use super::BuildingBlocksConfig;
use crate::results::{Metrics, Report, RunMetrics};

/// R² from which a network counts as having the bump's shape.
const GOOD_FIT: f64 = 0.8;

/// `1.234e-5`.
pub(super) fn sci(v: f64) -> String {
    format!("{v:.3e}")
}

/// `1e-5`: the shortest exact scientific form, for settings.
fn sci_short(v: f64) -> String {
    format!("{v:e}")
}

/// R² = 1 − MSE / variance, three decimals (scientific when huge).
fn r_squared(mse: f64, variance: f64) -> String {
    let r2 = 1.0 - mse / variance;
    if r2.abs() < 1e3 {
        format!("{r2:.3}")
    } else {
        format!("{r2:.2e}")
    }
}

fn values(v: &[f32]) -> String {
    let items: Vec<String> = v.iter().map(|x| format!("{x:.4}")).collect();
    format!("[{}]", items.join(", "))
}

/// One recorded from-scratch check (`metrics.json`'s `equality_checks`).
struct Check {
    block: String,
    reference: String,
    input_shape: String,
    shape: String,
    /// Infinite (recorded as `null`) when the shapes differ or a value is not finite.
    max_abs_diff: f64,
    identical: bool,
}

fn checks(metrics: &Metrics) -> Vec<Check> {
    let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
    let shape = |v: &Value| {
        let dims: Vec<u64> = v
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_u64).collect())
            .unwrap_or_default();
        format!("{dims:?}")
    };
    metrics
        .extra
        .get("equality_checks")
        .and_then(Value::as_array)
        .map(|checks| {
            checks
                .iter()
                .map(|c| Check {
                    block: text(&c["block"]),
                    reference: text(&c["reference"]),
                    input_shape: shape(&c["input_shape"]),
                    shape: shape(&c["shape"]),
                    max_abs_diff: c["max_abs_diff"].as_f64().unwrap_or(f64::INFINITY),
                    identical: c["identical"].as_bool().unwrap_or(false),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// What the report reads from the recorded runs and results.
struct Recorded<'a> {
    untrained: Option<&'a RunMetrics>,
    search: Option<&'a RunMetrics>,
    adam: Option<&'a RunMetrics>,
    /// Variance of the ground truth over the grid (the MSE of predicting its mean).
    variance: f64,
    /// Mean square of the ground truth (the MSE of predicting 0).
    zero: f64,
    lo: f64,
    hi: f64,
    points: u64,
}

impl Recorded<'_> {
    fn loss(run: Option<&RunMetrics>) -> f64 {
        run.and_then(|m| m.final_loss).unwrap_or(f64::NAN)
    }

    fn extra(run: Option<&RunMetrics>, key: &str) -> Value {
        run.and_then(|m| m.extra.get(key).cloned())
            .unwrap_or(Value::Null)
    }

    /// The first logged Adam epoch with an MSE below `loss`.
    fn adam_epochs_below(&self, loss: f64) -> Option<usize> {
        let curves = &self.adam?.curves;
        curves
            .epoch
            .iter()
            .zip(&curves.train_loss)
            .find(|(_, l)| l.is_some_and(|l| l < loss))
            .map(|(e, _)| *e)
    }
}

fn recorded(metrics: &Metrics) -> Recorded<'_> {
    let truth = metrics.extra.get("ground_truth");
    let number = |key: &str| {
        truth
            .and_then(|t| t.get(key))
            .and_then(Value::as_f64)
            .unwrap_or(f64::NAN)
    };
    Recorded {
        untrained: metrics.runs.get("untrained"),
        search: metrics.runs.get("random_search"),
        adam: metrics.runs.get("adam"),
        variance: number("variance"),
        zero: number("mean_square"),
        // Recorded as `f32`: read back as such, for the same digits as the run printed.
        lo: f64::from(number("min") as f32),
        hi: f64::from(number("max") as f32),
        points: truth
            .and_then(|t| t.get("points"))
            .and_then(Value::as_u64)
            .unwrap_or(0),
    }
}

pub(super) fn report(config: &BuildingBlocksConfig, metrics: &Metrics) -> Report {
    let rec = recorded(metrics);
    let checks = checks(metrics);
    let architecture = rec
        .adam
        .or(rec.untrained)
        .and_then(|m| m.architecture.clone())
        .unwrap_or_else(|| format!("2→{}→1", config.hidden));
    let mut r = Report::new(
        "Building blocks: layers from scratch vs Burn's, and the Gaussian surface (lab 2)",
    );
    r.paragraph(&format!(
        "A linear layer, ReLU, sigmoid, a sequential network and the mean squared error, written with \
         plain tensor operations and checked against Burn's own; then a {architecture} network asked to \
         approximate a 2-D Gaussian density, first untrained, then \"trained\" by the lab's random search, \
         and (beyond the lab) by gradient descent with Adam.",
    ));
    let t = config.tolerance;
    let setup = if *config == BuildingBlocksConfig::default() {
        "Setup (as the lab)"
    } else {
        "Setup"
    };
    let mean = if config.data.mean == [0.0, 0.0] {
        "0".to_string()
    } else {
        format!("({}, {})", config.data.mean[0], config.data.mean[1])
    };
    r.paragraph(&format!(
        "{setup}: from-scratch weights N(0, 1) and biases U[0, 1), a dummy input of 2 examples with 3 \
         features drawn from U(-1, 1); the density of N({mean}, {}·I) on {} × {} points over [{}, {}]²; \
         the regression network initialized as PyTorch's `nn.Linear` (U(±1/√fan_in)); random search \
         redrawing weights from U(±{}) and biases from U(±{}) until the MSE is below {} or {} draws; Adam \
         (lr {}) for {} from the same untrained network. Outputs count as identical when \
         |ours − Burn's| ≤ {} + {}·|Burn's| element-wise (the rule of `torch.allclose`).",
        config.data.variance,
        config.data.points_per_axis,
        config.data.points_per_axis,
        config.data.range.0,
        config.data.range.1,
        config.search_weight_scale,
        config.search_bias_scale,
        sci_short(config.search_threshold),
        config.search_iterations,
        config.adam_learning_rate,
        crate::results::count_of(config.adam_epochs, "full-batch epoch"),
        sci_short(t.atol),
        sci_short(t.rtol),
    ));

    blocks_section(&mut r, metrics, &checks);
    regression_section(&mut r, config, &rec, &architecture);
    r
}

/// Part 1: the checks and the lab's questions about shapes and parameters.
fn blocks_section(r: &mut Report, metrics: &Metrics, checks: &[Check]) {
    r.heading("From scratch vs Burn");
    let rows: Vec<Vec<String>> = checks
        .iter()
        .map(|c| {
            vec![
                format!("`{}`", c.block),
                c.reference.clone(),
                c.input_shape.clone(),
                c.shape.clone(),
                sci(c.max_abs_diff),
                c.identical.to_string(),
            ]
        })
        .collect();
    r.table(
        &[
            "block",
            "Burn counterpart",
            "input",
            "output",
            "max |Δ|",
            "outputs identical",
        ],
        &rows,
    );
    let differ: Vec<String> = checks
        .iter()
        .filter(|c| !c.identical)
        .map(|c| format!("`{}`", c.block))
        .collect();
    if differ.is_empty() {
        r.paragraph(&format!(
            "All {} from-scratch blocks compute what Burn's do, within the tolerance.",
            checks.len()
        ));
    } else {
        r.paragraph(&format!(
            "{} of {} from-scratch blocks differ from Burn's beyond the tolerance: {}.",
            differ.len(),
            checks.len(),
            differ.join(", ")
        ));
    }
    let shape_of = |block: &str| {
        checks
            .iter()
            .find(|c| c.block.starts_with(block))
            .map(|c| c.shape.clone())
            .unwrap_or_default()
    };
    r.answer(
        "Q1.1: What does W_ij represent exactly?",
        "The weight of the connection from input feature i to output unit j: output j adds \
         W_ij · x_i, so W_ij is how strongly (and with which sign) feature i drives unit j. With \
         W of shape [N_in, N_out], row i holds everything feature i sends out and column j everything \
         unit j receives.",
    );
    r.answer(
        "Q1.3: A batch of 2 examples with 3 features goes through a linear layer with 4 units. What is the \
         dimension of the output?",
        &format!(
            "[2, 4]: one row per example, one column per unit ([2, 3] · [3, 4] + [4] broadcast). Measured: {}.",
            shape_of("Linear(3→4)")
        ),
    );
    r.answer(
        "Q1.8: What is the shape of the output of the sigmoid for an input of shape [batch size, N_out]?",
        &format!(
            "The same, [batch size, N_out]: activations act element-wise. Measured on the linear layer's \
             output: sigmoid of [2, 4] is {}; ReLU of the [2, 3] input is {}.",
            shape_of("Sigmoid"),
            shape_of("ReLU")
        ),
    );
    let net_description = metrics
        .extra
        .get("net_description")
        .and_then(Value::as_str)
        .unwrap_or("Linear(3→5) → ReLU → Linear(5→1)");
    r.answer(
        "Q1.10: Depict the computational graph of the 3-5-1 network. What do the dimensions of the output \
         correspond to?",
        &format!(
            "x [2, 3] → Linear (W1 [3, 5], b1 [5]) → [2, 5] → ReLU → [2, 5] → Linear (W2 [5, 1], b2 [1]) → \
             y [2, 1] ({net_description}, {} parameters). The output has one row per example of the batch \
             (2) and one column per output feature (1). Measured: {}.",
            3 * 5 + 5 + 5 + 1,
            shape_of("Net")
        ),
    );
    let reset = |key: &str| -> Option<LinearValues> {
        let values = metrics.extra.get("reset_params")?.get(key)?;
        serde_json::from_value(values.clone()).ok()
    };
    if let (Some(before), Some(after)) = (reset("before_normal_0_0.02"), reset("after_normal_0_1"))
    {
        let mean_abs =
            |w: &[f32]| w.iter().map(|v| f64::from(v.abs())).sum::<f64>() / w.len().max(1) as f64;
        let growth = mean_abs(&after.weight) / mean_abs(&before.weight);
        let bias = if after.bias.iter().all(|b| *b == 0.0) {
            "the bias stays 0 (`nn.init.constant_`)"
        } else {
            "the bias is no longer 0"
        };
        r.answer(
            "Task 1.12: reset the parameters of TorchNet1(2, 1) with mean 0 and standard deviation 1 and \
             print them.",
            &format!(
                "`OneLayerNet::new` resets itself with N(0, 0.02): weight {} (shape [2, 1], Burn's [in, out]), \
                 bias {}. After `reset_params(0, 1)`: weight {}, bias {} — the weights' mean magnitude grows \
                 {growth:.0}× (the standard deviations differ 50×), {bias}.",
                values(&before.weight),
                values(&before.bias),
                values(&after.weight),
                values(&after.bias)
            ),
        );
    }
}

/// Part 2 and beyond: the Gaussian, random search and Adam.
fn regression_section(
    r: &mut Report,
    config: &BuildingBlocksConfig,
    rec: &Recorded<'_>,
    architecture: &str,
) {
    r.heading("Approximating the Gaussian");
    let untrained = Recorded::loss(rec.untrained);
    let search = Recorded::loss(rec.search);
    let adam = Recorded::loss(rec.adam);
    let draws = rec.search.map_or(0, |m| m.steps);
    let best_draw = Recorded::extra(rec.search, "best_draw")
        .as_u64()
        .unwrap_or(0);
    let seconds = |m: Option<&RunMetrics>| m.map_or(0.0, |m| m.train_seconds);
    let run_row = |name: &str, how: &str, mse: f64, work: String, seconds: f64| {
        vec![
            name.to_string(),
            how.to_string(),
            sci(mse),
            r_squared(mse, rec.variance),
            work,
            format!("{seconds:.2}"),
        ]
    };
    r.table(
        &["network", "how", "MSE", "R²", "work", "seconds"],
        &[
            run_row(
                "untrained",
                "PyTorch's default initialization",
                untrained,
                "—".into(),
                0.0,
            ),
            run_row(
                "random search",
                "best of the redrawn networks",
                search,
                format!("{draws} draws (best: draw {best_draw})"),
                seconds(rec.search),
            ),
            run_row(
                "Adam",
                "full-batch gradient descent on the MSE",
                adam,
                crate::results::count_of(rec.adam.map_or(0, |m| m.steps), "epoch"),
                seconds(rec.adam),
            ),
        ],
    );
    let flat = if rec.hi - rec.lo < 0.5 * rec.hi {
        "the density is nearly flat"
    } else {
        "the density"
    };
    r.paragraph(&format!(
        "With σ² = {} over [{}, {}]², {flat}: it ranges from {} to {}, so its variance over the grid is \
         {}. A network that predicts the mean everywhere reaches that MSE (R² = 0); R² = 1 − \
         MSE/variance says how much of the bump's shape a network captures, and a negative R² is worse \
         than that constant.",
        config.data.variance,
        config.data.range.0,
        config.data.range.1,
        sci(rec.lo),
        sci(rec.hi),
        sci(rec.variance)
    ));
    r.answer(
        "Q2.1: What should be the number of features of the input and output layer for this problem?",
        &format!(
            "2 inputs (the coordinates x and y of a grid point) and 1 output (the density there): the \
             network is {architecture}, evaluated on all {} grid points at once as a [{}, 2] batch giving \
             [{}, 1].",
            rec.points, rec.points, rec.points
        ),
    );

    let reached = search < config.search_threshold;
    let zero = rec.zero;
    let search_r2 = 1.0 - search / rec.variance;
    let untrained_text = if untrained > 10.0 * zero {
        format!(
            "Untrained, the network's outputs are of the order of its random weights, far from a density \
             of about {}: MSE {}.",
            sci(rec.hi),
            sci(untrained)
        )
    } else {
        format!("Untrained, the network has MSE {}.", sci(untrained))
    };
    let versus_untrained = if search < untrained {
        format!(
            "{:.0}× better than the untrained network",
            untrained / search
        )
    } else {
        "no better than the untrained network".to_string()
    };
    let versus_zero = if search > 0.5 * zero && search < 2.0 * zero {
        format!(
            "about what predicting 0 everywhere gives, {} (the mean square of the density): the \
             redrawn networks output values near 0",
            sci(zero)
        )
    } else if search <= 0.5 * zero {
        format!(
            "below what predicting 0 everywhere gives, {} (the mean square of the density)",
            sci(zero)
        )
    } else {
        format!(
            "above what predicting 0 everywhere gives, {} (the mean square of the density)",
            sci(zero)
        )
    };
    let fit = if search_r2 < 0.0 {
        format!(
            "It is worse than predicting the density's mean (R² = {}). As the lab says, the result is not \
             a good fit: a random draw has no reason to produce the bump.",
            r_squared(search, rec.variance)
        )
    } else if search_r2 < GOOD_FIT {
        format!(
            "It captures only part of the bump's shape (R² = {}): not a good fit, as the lab says.",
            r_squared(search, rec.variance)
        )
    } else {
        format!(
            "Under these settings a draw did capture the bump's shape (R² = {}).",
            r_squared(search, rec.variance)
        )
    };
    r.answer(
        "How does the untrained network do, and does random search help?",
        &format!(
            "{untrained_text} The lab's random search redraws every weight from U(±{}): its best draw \
             (draw {best_draw} of {draws}) has MSE {}{} — {versus_untrained}, and {versus_zero}. {fit}",
            config.search_weight_scale,
            sci(search),
            if reached {
                format!(
                    ", below the threshold {} that stopped the search",
                    sci_short(config.search_threshold)
                )
            } else {
                format!(
                    ", never below the threshold {}",
                    sci_short(config.search_threshold)
                )
            },
        ),
    );

    let below_threshold = rec.adam_epochs_below(config.search_threshold);
    let below_search = rec.adam_epochs_below(search);
    let reached_by = |e: Option<usize>, what: &str| match e {
        Some(e) => format!("got below {what} by epoch {e}"),
        None => format!("never got below {what} at a logged epoch"),
    };
    let last = Recorded::extra(rec.adam, "last_epoch_loss")
        .as_f64()
        .unwrap_or(f64::NAN);
    let kept = Recorded::extra(rec.adam, "kept_epoch")
        .as_u64()
        .unwrap_or(0);
    let adam_r2 = 1.0 - adam / rec.variance;
    let shape = if adam_r2 > GOOD_FIT {
        "its surface has the bump's shape"
    } else if adam_r2 > 0.0 {
        "its surface shows part of the bump's shape"
    } else {
        "it has not captured the bump's shape yet: more epochs are needed"
    };
    let threshold_text = if zero < config.search_threshold {
        format!(
            "To the lab's threshold, not necessarily: predicting 0 everywhere already has MSE {} (the \
             mean square of the density), below the threshold {}, so a random draw whose output is close \
             to 0 passes it",
            sci(zero),
            sci_short(config.search_threshold)
        )
    } else {
        format!(
            "The threshold {} is below the MSE of predicting 0 everywhere ({}), so a draw has to produce \
             something of the right height to pass it",
            sci_short(config.search_threshold),
            sci(zero)
        )
    };
    let spikes = if config.adam_restore_best && last != adam {
        format!(
            " At this tiny scale Adam's loss spikes now and then (see the curve), so the network kept is the \
             one with the lowest logged loss; the last epoch's MSE was {}.",
            sci(last)
        )
    } else {
        String::new()
    };
    let versus_search = if adam < search {
        format!(
            "But it does not stop there: its MSE is {} at epoch {kept} (R² = {}), {:.0}× below the best \
             random draw",
            sci(adam),
            r_squared(adam, rec.variance),
            search / adam
        )
    } else {
        format!(
            "Under these settings it ends no lower than the best random draw: its MSE is {} at epoch \
             {kept} (R² = {})",
            sci(adam),
            r_squared(adam, rec.variance)
        )
    };
    r.answer(
        "Beyond the lab: do learning rules \"converge much faster\" than random search?",
        &format!(
            "{threshold_text}; the search made {draws} draws (forward passes only). Adam, from the same \
             untrained network (lr {}), {} and {}. {versus_search}, after {:.2} s in all; {shape}.{spikes} \
             Each step moves every weight in the direction that lowers the loss instead of starting \
             afresh.",
            config.adam_learning_rate,
            reached_by(below_threshold, "the threshold"),
            reached_by(below_search, "the best random draw"),
            seconds(rec.adam),
        ),
    );
}
