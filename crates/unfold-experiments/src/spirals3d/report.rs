//! Notebook 000's report, from the recorded results alone.

use unfold_models::Spirals3dModel;

use super::Spirals3dConfig;
use crate::results::{Metrics, Report, percent};
use crate::runs::{results_table, runs_in_order};

/// A gap in test accuracy (in points) below which two models count as equally good.
const SAME: f64 = 0.05;

pub(super) fn report(config: &Spirals3dConfig, metrics: &Metrics) -> Report {
    let widths = |hidden: &[usize]| {
        hidden
            .iter()
            .map(usize::to_string)
            .collect::<Vec<_>>()
            .join("→")
    };
    let shape = format!("3→{}→1", widths(&config.hidden));
    let mut r = Report::new("3-D spirals: layers as coordinate transformations (notebook 000)");
    r.paragraph(&format!(
        "Each layer of a network is a coordinate transformation; non-linear activations let these \
         transformations *unfold* a data manifold. Two intertwined spirals in 3-D are classified by a \
         linear model, a linear {shape} network, the same network with ReLU, and a deeper ReLU \
         network (3→{}→1).",
        widths(&config.deep_hidden)
    ));
    let count = |key: &str| metrics.extra.get(key).and_then(|v| v.as_u64()).unwrap_or(0);
    r.paragraph(&format!(
        "Setup: {} points per spiral, noise {}, {} training / {} test points, \
         BCE-with-logits loss, Adam (lr {}), {}.",
        config.data.points_per_class,
        config.data.noise,
        count("train_points"),
        count("test_points"),
        config.learning_rate,
        crate::results::count_of(config.epochs, "full-batch epoch"),
    ));
    r.heading("Results");
    let runs = runs_in_order(metrics, config.models.iter().map(|m| m.name()));
    results_table(&mut r, &runs);
    r.heading("Questions");
    let acc = |m: Spirals3dModel| {
        metrics
            .runs
            .get(m.name())
            .filter(|t| t.status != crate::results::RunState::Diverged)
            .and_then(|t| t.test_accuracy)
    };
    // A question about a run that diverged gets that as its answer, never its numbers.
    let diverged = |models: &[Spirals3dModel]| {
        models
            .iter()
            .find_map(|m| crate::runs::diverged_answer(metrics, m.name()))
    };
    if let Some(answer) = diverged(&[Spirals3dModel::Linear]) {
        r.answer("Can the linear model separate the spirals?", &answer);
    } else if let Some(linear) = acc(Spirals3dModel::Linear) {
        let answer = if linear < 0.75 {
            format!(
                "No. A linear model draws one flat plane through 3-D space; the spirals wind \
                 around each other, so any plane leaves large parts of both on the wrong side. \
                 `LinearModel` reaches {} test accuracy, where 50% is chance.",
                percent(Some(linear))
            )
        } else {
            format!(
                "Under these settings it does better than in the notebook: `LinearModel` reaches \
                 {} test accuracy. A linear model still draws one flat plane, so the spirals \
                 (with these settings) must be nearly separable by a plane — the notebook's \
                 spirals are not.",
                percent(Some(linear))
            )
        };
        r.answer("Can the linear model separate the spirals?", &answer);
    }
    if let Some(answer) = diverged(&[Spirals3dModel::LinearHidden, Spirals3dModel::Linear]) {
        r.answer("Does a linear hidden layer help?", &answer);
    } else if let (Some(linear), Some(hidden)) = (
        acc(Spirals3dModel::Linear),
        acc(Spirals3dModel::LinearHidden),
    ) {
        let comparison = if (hidden - linear).abs() <= SAME {
            format!(
                "it can only draw a plane as well ({} vs {} for `LinearModel`)",
                percent(Some(hidden)),
                percent(Some(linear))
            )
        } else {
            format!(
                "it scored {} vs {} for `LinearModel`: with no better function to express, the \
                 gap comes from training (initialization, optimization), not from the extra layer",
                percent(Some(hidden)),
                percent(Some(linear))
            )
        };
        r.answer(
            "Does a linear hidden layer help?",
            &format!(
                "No: {shape} without activations is a product of matrices, itself one linear \
                 map, so {comparison}. Its hidden representation is a linear projection of the \
                 spirals, still intertwined."
            ),
        );
    }
    if let Some(answer) = diverged(&[Spirals3dModel::ReluHidden]) {
        r.answer("How does the representation change with ReLU?", &answer);
    } else if let Some(relu) = acc(Spirals3dModel::ReluHidden) {
        let at_origin = metrics
            .runs
            .get(Spirals3dModel::ReluHidden.name())
            .and_then(|t| t.extra.get("hidden_fraction_at_origin"))
            .and_then(|v| v.as_array())
            .and_then(|layers| layers.last())
            .and_then(|v| v.as_f64());
        let origin_text = at_origin
            .filter(|f| *f > 0.0)
            .map(|f| {
                format!(
                    " In its last hidden layer {} of the points sit exactly at the origin (every \
                     ReLU off), drawn as a single dot: the network has folded that whole part \
                     of the data onto one point.",
                    percent(Some(f))
                )
            })
            .unwrap_or_default();
        let versus = match acc(Spirals3dModel::LinearHidden) {
            Some(linear) if relu > linear + SAME => format!(
                ", above the {} of the same shape without ReLU",
                percent(Some(linear))
            ),
            Some(linear) => format!(
                ", no clear gain over the {} of the same shape without ReLU under these settings",
                percent(Some(linear))
            ),
            None => String::new(),
        };
        r.answer(
            "How does the representation change with ReLU?",
            &format!(
                "The linear network's representation is a flattened copy of the spirals, still \
                 wound around each other. ReLU folds space instead: every unit clips its \
                 half-space to zero, so the hidden layers bend the spirals onto the axes and \
                 corners of the positive quadrant. `ReLUHiddenModel` reaches {} test accuracy \
                 with the {shape} shape{versus}.{origin_text} With only a few units per layer, \
                 units that stay at 0 limit how far such a small network unfolds the data.",
                percent(Some(relu)),
            ),
        );
    }
    if let Some(answer) = diverged(&[Spirals3dModel::DeepRelu]) {
        r.answer("And a deeper network?", &answer);
    } else if let Some(deep) = acc(Spirals3dModel::DeepRelu) {
        let last = config.deep_hidden.last().copied().unwrap_or(0);
        let drawn = if (2..=3).contains(&last) {
            format!(
                "; its last, {last}-D hidden layer shows how far the two spirals were pulled \
                 apart"
            )
        } else {
            String::new()
        };
        let verdict = if deep >= 0.95 {
            "separating the spirals almost perfectly"
        } else {
            "not separating them fully under these settings"
        };
        r.answer(
            "And a deeper network?",
            &format!(
                "`DeepReLUModel` (3→{}→1) reaches {} test accuracy, {verdict}{drawn}.",
                widths(&config.deep_hidden),
                percent(Some(deep))
            ),
        );
    }
    r
}
