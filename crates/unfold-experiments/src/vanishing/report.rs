//! Notebook 004's task 3 report, from the recorded results alone.

use unfold_models::VanishingModel;

use super::{RECORDED_LAYERS, VanishingConfig};
use crate::results::{Metrics, Report, RunMetrics, number, percent};
use crate::runs::results_table;

/// A gap in test accuracy (in points) above which one network counts as much better.
const MUCH_BETTER: f64 = 0.10;
/// linear1's mean gradient over linear3's above which the lower layers count as getting
/// significantly larger gradients.
const SIGNIFICANTLY_HIGHER: f64 = 1.5;

/// One trained network's recorded numbers.
struct Net<'a> {
    name: &'static str,
    metrics: &'a RunMetrics,
}

impl Net<'_> {
    /// Mean |∂L/∂W| of recorded layer `layer` over all batches.
    fn mean(&self, layer: usize) -> f64 {
        self.metrics
            .extra
            .get("mean_abs_weight_gradient")
            .and_then(|v| v.get(layer))
            .and_then(|v| v.as_f64())
            .unwrap_or(f64::NAN)
    }

    /// Mean gradient of the first recorded layer over the last one's.
    fn ratio(&self) -> f64 {
        self.mean(0) / self.mean(RECORDED_LAYERS - 1)
    }

    fn running_accuracy(&self) -> Option<f64> {
        self.metrics
            .extra
            .get("running_train_accuracy")
            .and_then(|v| v.as_f64())
    }

    /// `(epoch, batch, loss)` every logged batch.
    fn loss_log(&self) -> Vec<(u64, u64, f64)> {
        self.metrics
            .extra
            .get("loss_log")
            .and_then(|v| v.as_array())
            .map(|entries| {
                entries
                    .iter()
                    .filter_map(|e| {
                        Some((
                            e.get(0)?.as_u64()?,
                            e.get(1)?.as_u64()?,
                            e.get(2)?.as_f64()?,
                        ))
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    fn test_accuracy(&self) -> f64 {
        self.metrics.test_accuracy.unwrap_or(0.0)
    }
}

fn epochs(n: usize) -> String {
    if n == 1 {
        "1 epoch".into()
    } else {
        format!("{n} epochs")
    }
}

pub(super) fn report(config: &VanishingConfig, metrics: &Metrics) -> Report {
    let nets: Vec<Net> = config
        .models
        .iter()
        .filter_map(|m| {
            metrics.runs.get(m.name()).map(|run| Net {
                name: m.name(),
                metrics: run,
            })
        })
        .collect();
    let shape = std::iter::once(784)
        .chain(config.hidden.iter().copied())
        .chain(std::iter::once(10))
        .map(|w| w.to_string())
        .collect::<Vec<_>>()
        .join("→");
    let images = |limit: Option<usize>, all: &str| match limit {
        Some(n) => format!("the first {n}"),
        None => all.to_string(),
    };
    let mut report =
        Report::new("Fashion-MNIST: sigmoid vs ReLU and the vanishing-gradient problem");
    report.paragraph(&format!(
        "Two {shape} networks, one with sigmoid and one with ReLU between the linear layers, \
         train on {} training images. Images normalized with mean {} and std {}; SGD lr {} \
         momentum {} on shuffled batches of {} for {}. The test set ({} test images) is scored \
         once after training (in chunks; the notebook's test batches of 1000 only bound \
         memory).",
        images(config.train_images, "all 60,000"),
        config.normalization_mean,
        config.normalization_std,
        config.learning_rate,
        config.momentum,
        config.batch_size,
        epochs(config.epochs),
        images(config.test_images, "all 10,000"),
    ));
    report.heading("Results");
    let runs: Vec<(&str, &RunMetrics)> = nets.iter().map(|n| (n.name, n.metrics)).collect();
    results_table(&mut report, &runs);
    let rows: Vec<Vec<String>> = nets
        .iter()
        .map(|n| {
            vec![
                format!("`{}`", n.name),
                percent(n.running_accuracy()),
                format!("{:.2e}", n.mean(0)),
                format!("{:.2e}", n.mean(1)),
                format!("{:.2e}", n.mean(2)),
                format!("{:.3}", n.ratio()),
            ]
        })
        .collect();
    report.heading("Gradient magnitudes");
    report.table(
        &[
            "network",
            "running train accuracy",
            "mean |∂L/∂W| linear1",
            "linear2",
            "linear3",
            "linear1 / linear3",
        ],
        &rows,
    );
    let log: Vec<String> = nets
        .iter()
        .flat_map(|n| {
            n.loss_log().into_iter().map(|(epoch, batch, loss)| {
                format!(
                    "`{}` epoch {epoch} batch {batch}: loss {}",
                    n.name,
                    number(Some(loss))
                )
            })
        })
        .collect();
    report.paragraph(&format!("Training log: {}.", log.join("; ")));

    report.heading("Question 3.3");
    let find = |m: VanishingModel| nets.iter().find(|n| n.name == m.name());
    if let (Some(sig), Some(relu)) = (find(VanishingModel::Sigmoid), find(VanishingModel::Relu)) {
        answers(&mut report, config, metrics, sig, relu);
    }
    report
}

fn verdict(b: bool) -> &'static str {
    if b { "**True**" } else { "**False**" }
}

/// The five statements of question 3.3, each judged by the recorded numbers.
fn answers(
    report: &mut Report,
    config: &VanishingConfig,
    metrics: &Metrics,
    sig: &Net,
    relu: &Net,
) {
    let (sig_acc, relu_acc) = (sig.test_accuracy(), relu.test_accuracy());
    let gap = relu_acc - sig_acc;
    let much_better = gap > MUCH_BETTER;
    let (s, r) = (percent(Some(sig_acc)), percent(Some(relu_acc)));
    let trained = epochs(config.epochs);
    let comparison = if gap > 0.0 {
        format!("{:.1} points below ReLU's {r}", gap * 100.0)
    } else {
        format!("{:.1} points above ReLU's {r}", -gap * 100.0)
    };
    let poor = if much_better {
        format!("test accuracy {s} after {trained}, {comparison}.")
    } else {
        format!(
            "test accuracy {s} after {trained}, {comparison}: under these settings the sigmoid \
             network is not clearly worse."
        )
    };
    report.answer(
        "a) The sigmoid network achieves a poor performance in only one epoch.",
        &format!("{} — {poor}", verdict(much_better)),
    );

    let ratio = sig.ratio();
    let direction = if ratio < 1.0 {
        format!(
            "they are lower: linear1's mean |∂L/∂W| is {ratio:.3}× linear3's ({:.2e} vs \
             {:.2e}). Smaller gradients in the layers far from the loss are the vanishing \
             gradient problem itself",
            sig.mean(0),
            sig.mean(2)
        )
    } else if ratio <= SIGNIFICANTLY_HIGHER {
        format!(
            "linear1's mean |∂L/∂W| is {ratio:.3}× linear3's ({:.2e} vs {:.2e}): about as \
             large, not significantly higher, and the gradients did not vanish towards the \
             input under these settings",
            sig.mean(0),
            sig.mean(2)
        )
    } else {
        format!(
            "linear1's mean |∂L/∂W| is {ratio:.3}× linear3's ({:.2e} vs {:.2e}): under these \
             settings the lower layers do get larger gradients, and no vanishing gradient shows",
            sig.mean(0),
            sig.mean(2)
        )
    };
    report.answer(
        "b) The means of the gradient magnitudes of the sigmoid network are significantly \
         higher for lower layers.",
        &format!(
            "{} — {direction}; ReLU's ratio is {:.3}.",
            verdict(ratio > SIGNIFICANTLY_HIGHER),
            relu.ratio()
        ),
    );

    let recorded = |key: &str| metrics.extra.get(key).and_then(|v| v.as_f64());
    let sigmoid_max = recorded("sigmoid_derivative_max").unwrap_or(f64::NAN);
    let quarter = (sigmoid_max - 0.25).abs() < 1e-6;
    report.answer(
        "c) One reason for vanishing gradients with sigmoid is that its derivative does not \
         exceed 1/4.",
        &format!(
            "{} — the largest value of σ'(x) = σ(x)(1 − σ(x)) on a grid of [-10, 10] is \
             {sigmoid_max:.6}{}",
            verdict(quarter),
            if quarter {
                " (at x = 0), so each sigmoid layer multiplies the back-propagated gradient by \
                 at most 1/4."
            } else {
                ", not 1/4 as the formula gives: the backend's arithmetic is off here."
            }
        ),
    );

    let gain = if much_better {
        format!("{r} vs {s} test accuracy.")
    } else {
        format!(
            "{r} vs {s} test accuracy, a gap of {:.1} points: not much better under these \
             settings.",
            gap * 100.0
        )
    };
    report.answer(
        "d) With ReLU the network performs much better than the sigmoid model in only one \
         epoch.",
        &format!("{} — {gain}", verdict(much_better)),
    );

    let relu_max = recorded("relu_derivative_max").unwrap_or(f64::NAN);
    let evidence = if relu_max > 1.0 {
        format!(
            "ReLU's derivative, computed by autodiff on the same grid, reaches {relu_max}: more \
             than 1, against the formula (it is 0 or 1)."
        )
    } else {
        format!(
            "ReLU's derivative, computed by autodiff on the same grid, never exceeds \
             {relu_max} (it is 0 or 1): it does not shrink the gradient where the unit is \
             active, but it does not amplify it either, and derivatives above 1 would make \
             gradients explode instead."
        )
    };
    report.answer(
        "e) Other activation functions train more stably because their derivatives are \
         always larger than 1.",
        &format!("{} — {evidence}", verdict(relu_max > 1.0)),
    );
}
