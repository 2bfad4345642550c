//! The hidden representations during training, for the report's slider: every 3-D and 2-D
//! hidden layer (the ones the static figure draws), computed at the
//! start of every few epochs (forward passes only — no random draws, so training and its
//! metrics are the same with or without them), kept on the device and read back once training
//! has ended (a read-back mid-training would stall an accelerator at every snapshot).

use burn::module::Module;
use burn::tensor::{Int, Tensor};
use unfold_models::Mlp;
use unfold_train::{Loss, StepObserver, StepView};
use unfold_viz::{Figure, Panel};

use super::run::CLASS_NAMES;
use crate::plots::{class_series_2d, class_series_3d, classes, first_2, first_3, rows};

/// Snapshots per run, about (the last one is the trained model).
const FRAMES: usize = 30;

/// Snapshots not yet read back: the epoch, the drawn layers' outputs (`None` for others) and
/// the predicted classes.
type Pending = (usize, Vec<Option<Tensor<2>>>, Tensor<1, Int>);

/// One snapshot on the host: the epoch, one representation per hidden layer (empty for layers
/// not drawn) and the class the network predicted for each point then.
type Frame = (usize, Vec<Vec<Vec<f32>>>, Vec<u32>);

/// The 3- and 2-wide hidden layers' outputs, and the predictions, at the start of every
/// `every`-th epoch.
pub(super) struct Snapshots {
    every: usize,
    points: Tensor<2>,
    pending: Vec<Pending>,
    frames: Vec<Frame>,
}

impl Snapshots {
    /// Snapshots of `points` over `epochs` epochs.
    pub(super) fn new(points: Tensor<2>, epochs: usize) -> Self {
        Snapshots {
            every: epochs.div_ceil(FRAMES).max(1),
            points,
            pending: Vec::new(),
            frames: Vec::new(),
        }
    }

    /// Records the representations of `net` after `epoch` epochs.
    pub(super) fn take(&mut self, epoch: usize, net: &Mlp) {
        let output = net.forward_hidden(self.points.clone());
        let layers = output
            .hidden
            .into_iter()
            .map(|h| matches!(h.dims()[1], 2 | 3).then_some(h))
            .collect();
        let predicted = Loss::BceWithLogits.predict(output.logits);
        self.pending.push((epoch, layers, predicted));
    }

    /// Reads the snapshots taken so far back to the host.
    pub(super) fn read_back(&mut self) {
        for (epoch, layers, predicted) in self.pending.drain(..) {
            let layers = layers
                .into_iter()
                .map(|h| h.map(rows).unwrap_or_default())
                .collect();
            self.frames.push((epoch, layers, classes(predicted)));
        }
    }

    /// Whether any layer is drawn (3 or 2 wide).
    pub(super) fn any_drawn(&self) -> bool {
        self.frames
            .iter()
            .any(|(_, layers, _)| layers.iter().any(|l| !l.is_empty()))
    }

    /// One figure per snapshot, laid out as the static figure: each drawn layer coloured by
    /// the true class and by the class predicted at that epoch.
    pub(super) fn figures(&self, name: &str, labels: &[u32]) -> Vec<Figure> {
        self.frames
            .iter()
            .map(|(epoch, layers, predicted)| Figure {
                title: Some(format!(
                    "{name} after {}",
                    crate::results::count_of(*epoch, "epoch")
                )),
                panels: layers
                    .iter()
                    .enumerate()
                    .filter(|(_, rep)| !rep.is_empty())
                    .flat_map(|(layer, rep)| {
                        [("true", labels), ("predicted", predicted.as_slice())]
                            .map(|(colouring, labels)| (layer, rep, colouring, labels))
                    })
                    .map(|(layer, rep, colouring, labels)| {
                        let width = rep[0].len();
                        let title = format!(
                            "layer {} output ({width}-D), {colouring} classes",
                            layer + 1
                        );
                        if width == 3 {
                            Panel::Scatter3 {
                                title,
                                x_label: "h1".into(),
                                y_label: "h2".into(),
                                z_label: "h3".into(),
                                series: class_series_3d(&first_3(rep), labels, &CLASS_NAMES),
                                note: None,
                            }
                        } else {
                            Panel::Scatter2 {
                                title,
                                x_label: "h1".into(),
                                y_label: "h2".into(),
                                series: class_series_2d(&first_2(rep), labels, &CLASS_NAMES),
                                note: None,
                            }
                        }
                    })
                    .collect(),
                columns: 2,
                panel_size: (620, 540),
            })
            .collect()
    }
}

impl StepObserver<Mlp> for Snapshots {
    fn after_backward(&mut self, view: &StepView<'_, Mlp>) {
        if view.batch == 0 && (view.epoch - 1).is_multiple_of(self.every) {
            self.take(view.epoch - 1, &view.model.valid());
        }
    }
}
