//! Watching a network's gradients while it trains: [`GradientProbe`] records the mean
//! absolute weight gradient of the first layers of an [`Mlp`] at every step (notebook 004's
//! vanishing-gradient picture), without a host round trip until the end.

use burn::tensor::{Int, Tensor};
use serde::{Deserialize, Serialize};
use unfold_models::Mlp;

use crate::{StepObserver, StepView};

/// Records, at every step, the mean absolute gradient of the first layers' weights, the
/// batch loss every `log_every` batches, and the number of correct predictions — all kept on
/// the device until [`GradientProbe::read`].
pub struct GradientProbe {
    layers: usize,
    log_every: usize,
    magnitudes: Vec<Tensor<1>>,
    losses: Vec<(usize, usize, Tensor<1>)>,
    correct: Option<Tensor<1, Int>>,
    seen: usize,
}

/// What a [`GradientProbe`] recorded, on the host.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GradientRecord {
    /// `per_layer[l][step]`: mean |∂L/∂W| of linear layer `l` at each step.
    pub per_layer: Vec<Vec<f64>>,
    /// `(epoch, batch, loss)` every `log_every` batches.
    pub losses: Vec<(usize, usize, f64)>,
    /// Fraction of the training examples predicted correctly during training (the
    /// notebook's running "Training set: Accuracy").
    pub running_accuracy: f64,
}

impl GradientProbe {
    /// A probe of the first `layers` linear layers, logging the loss every `log_every`
    /// batches.
    pub fn new(layers: usize, log_every: usize) -> Self {
        Self {
            layers,
            log_every: log_every.max(1),
            magnitudes: Vec::new(),
            losses: Vec::new(),
            correct: None,
            seen: 0,
        }
    }

    /// Reads everything back (one transfer per kind of value).
    pub fn read(self) -> GradientRecord {
        let steps = self.magnitudes.len();
        let mut per_layer = vec![Vec::with_capacity(steps); self.layers];
        if steps > 0 {
            let flat: Vec<f32> = Tensor::cat(self.magnitudes, 0)
                .into_data()
                .try_to_vec()
                .unwrap_or_default();
            for (i, v) in flat.iter().enumerate() {
                per_layer[i % self.layers].push(f64::from(*v));
            }
        }
        let losses = if self.losses.is_empty() {
            Vec::new()
        } else {
            let values: Vec<f32> =
                Tensor::cat(self.losses.iter().map(|(_, _, l)| l.clone()).collect(), 0)
                    .into_data()
                    .try_to_vec()
                    .unwrap_or_default();
            self.losses
                .iter()
                .zip(values)
                .map(|((e, b, _), v)| (*e, *b, f64::from(v)))
                .collect()
        };
        let correct: i64 = self.correct.map(|c| c.into_scalar()).unwrap_or(0);
        GradientRecord {
            per_layer,
            losses,
            running_accuracy: if self.seen == 0 {
                0.0
            } else {
                correct as f64 / self.seen as f64
            },
        }
    }
}

impl StepObserver<Mlp> for GradientProbe {
    fn after_backward(&mut self, view: &StepView<'_, Mlp>) {
        let means: Vec<Tensor<1>> = view.model.layers[..self.layers]
            .iter()
            .map(|layer| {
                let grad = layer
                    .weight
                    .val()
                    .grad(view.grads)
                    .expect("every linear weight takes part in the loss");
                grad.abs().mean()
            })
            .collect();
        self.magnitudes.push(Tensor::cat(means, 0));
        if view.batch.is_multiple_of(self.log_every) {
            self.losses
                .push((view.epoch, view.batch, view.loss.clone().inner()));
        }
        let n = view.labels.dims()[0];
        let predicted = view.outputs.clone().inner().argmax(1).reshape([n]);
        let correct = predicted.equal(view.labels.clone()).int().sum();
        self.correct = Some(match self.correct.take() {
            Some(total) => total + correct,
            None => correct,
        });
        self.seen += n;
    }
}
