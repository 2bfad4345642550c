//! Notebook 003's report, from the recorded results alone.

use unfold_models::SandwichModel;

use super::SandwichConfig;
use super::figures::count_word;
use crate::results::{Metrics, Report, percent};
use crate::runs::{results_table, runs_in_order};

/// A gap in test accuracy below which two models count as equally good.
const SAME: f64 = 0.05;

/// Test accuracy from which a model counts as separating the arms.
const SEPARATED: f64 = 0.95;

pub(super) fn report(config: &SandwichConfig, metrics: &Metrics) -> Report {
    let mut r = Report::new("2-D spirals: a neural net is a sandwich (notebook 003)");
    r.paragraph(
        "`Linear` layers are bread, `ReLU` layers are what goes between. Without the filling, a stack of \
         bread is no sandwich: any number of linear layers is still one linear map. Linear layers rotate \
         and stretch the data, ReLU layers squash it, and the network learns how much of each to do until \
         the classes are linearly separable.",
    );
    let count = |key: &str| metrics.extra.get(key).and_then(|v| v.as_u64()).unwrap_or(0);
    let setup = if *config == SandwichConfig::default() {
        "Setup (as the notebook)"
    } else {
        "Setup"
    };
    r.paragraph(&format!(
        "{setup}: {} spiral arms of {} points, angle noise {}, {} training / {} test points, \
         cross-entropy, AdamW (lr {}), shuffled batches of {} with `drop_last`, {}. Test \
         metrics are computed on the whole test set (the notebook reports its last batch).",
        config.data.classes,
        config.data.points_per_class,
        config.data.angle_noise,
        count("train_points"),
        count("test_points"),
        config.learning_rate,
        config.batch_size,
        crate::results::count_of(config.epochs, "epoch"),
    ));
    r.heading("Results");
    let runs = runs_in_order(metrics, config.models.iter().map(|m| m.name()));
    results_table(&mut r, &runs);

    r.heading("Questions");
    let run = |m: SandwichModel| metrics.runs.get(m.name());
    let acc = |m: SandwichModel| run(m).and_then(|t| t.test_accuracy);
    let architecture = |m: SandwichModel| {
        run(m)
            .and_then(|t| t.architecture.clone())
            .map(|a| format!(" ({a})"))
            .unwrap_or_default()
    };
    let diverged = |m: SandwichModel| crate::runs::diverged_answer(metrics, m.name());
    let classes = config.data.classes;
    let chance = percent(Some(1.0 / classes as f64));

    if let (Some(bread), Some(sandwich)) = (acc(SandwichModel::DeepLinear), acc(SandwichModel::Mlp))
    {
        let structure = format!(
            "`DeepLinear`{} has {} linear layers but no ReLU between them, so it is one linear map: \
             like a single linear layer it can only split the plane into {classes} regions with \
             straight boundaries. It reaches {} test accuracy, where chance is {chance}",
            architecture(SandwichModel::DeepLinear),
            config.hidden.len() + 1,
            percent(Some(bread)),
        );
        let separable = if bread >= SEPARATED {
            " (with these settings the arms are nearly separable by straight lines)"
        } else {
            ""
        };
        let answer = if let Some(note) =
            diverged(SandwichModel::DeepLinear).or_else(|| diverged(SandwichModel::Mlp))
        {
            note
        } else if sandwich > bread + SAME {
            format!(
                "No. {structure}{separable}. The same layers with ReLU between them (`MLP`) reach {}.",
                percent(Some(sandwich))
            )
        } else {
            format!(
                "Not by depth alone: {structure}{separable}. Under these settings `MLP`, the same \
                 layers with ReLU between them, reaches {}, no clear gain over bread only: the filling \
                 gives it bent boundaries to learn, but it has not learned them here.",
                percent(Some(sandwich))
            )
        };
        r.answer("Does depth without non-linearity help?", &answer);
    }

    if let Some(emb) = acc(SandwichModel::MlpEmb) {
        let embeddings = config.emb_hidden.len();
        let thin = if embeddings == 1 {
            "a 2-unit \"thin bread\" layer".to_string()
        } else {
            format!("{} 2-unit \"thin bread\" layers", count_word(embeddings))
        };
        let verdict = if emb >= SEPARATED {
            format!(
                "At {} test accuracy the last embedding holds each arm in its own region, separable \
                 by straight lines: the hidden layers have moved the arms apart until the final linear \
                 layer suffices.",
                percent(Some(emb))
            )
        } else if emb > 1.0 / classes as f64 + SAME {
            format!(
                "At {} test accuracy the last embedding separates the arms only in part under these \
                 settings: where arms still overlap in it, no straight line can tell them apart, and \
                 the network errs there.",
                percent(Some(emb))
            )
        } else {
            format!(
                "At {} test accuracy, about chance ({chance}), the embeddings have not pulled the arms \
                 apart under these settings.",
                percent(Some(emb))
            )
        };
        let answer = diverged(SandwichModel::MlpEmb).unwrap_or_else(|| {
            format!(
                "`MLPemb`{} squeezes its hidden layers through {thin} so they can be drawn (see the \
                 embeddings figure). Its last layer is linear, so it can only cut its last 2-D \
                 embedding by straight lines. {verdict}",
                architecture(SandwichModel::MlpEmb),
            )
        });
        r.answer("What do the hidden layers do to the data?", &answer);
    }
    r
}
