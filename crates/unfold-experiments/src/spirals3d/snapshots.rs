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
use crate::views::MAX_FRAME_POINTS;

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
    ///
    /// The figures are only for the page's slider, which keeps at most
    /// [`MAX_FRAME_POINTS`] points a panel. They are thinned here, by the points' index, so
    /// that the true-class and the predicted-class panels show the same points and every
    /// frame the same ones: the view writer, which thins each class's series on its own, would
    /// keep different points in the two panels, whose classes split the points differently.
    pub(super) fn figures(&self, name: &str, labels: &[u32]) -> Vec<Figure> {
        let step = labels.len().div_ceil(MAX_FRAME_POINTS).max(1);
        let thin = |values: &[u32]| -> Vec<u32> { values.iter().step_by(step).copied().collect() };
        let labels = thin(labels);
        self.frames
            .iter()
            .map(|(epoch, layers, predicted)| (epoch, layers, thin(predicted)))
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
                        let rep: Vec<Vec<f32>> = rep.iter().step_by(step).cloned().collect();
                        [("true", labels.clone()), ("predicted", predicted.clone())]
                            .map(|(colouring, labels)| (layer, rep.clone(), colouring, labels))
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
                                series: class_series_3d(&first_3(&rep), &labels, &CLASS_NAMES),
                                note: None,
                            }
                        } else {
                            Panel::Scatter2 {
                                title,
                                x_label: "h1".into(),
                                y_label: "h2".into(),
                                series: class_series_2d(&first_2(&rep), &labels, &CLASS_NAMES),
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

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::Device;

    /// The points of a point panel, as bit patterns, in a fixed order.
    fn points(panel: &Panel) -> Vec<[u32; 3]> {
        let mut out: Vec<[u32; 3]> = match panel {
            Panel::Scatter3 { series, .. } => series
                .iter()
                .flat_map(|s| s.points.iter().map(|p| p.map(f32::to_bits)))
                .collect(),
            other => panic!("a 3-D point panel, not {other:?}"),
        };
        out.sort_unstable();
        out
    }

    #[test]
    fn both_panels_of_every_frame_show_the_same_points() {
        let n = 1000;
        let mut snapshots = Snapshots::new(Tensor::zeros([n, 3], &Device::flex()), 10);
        let labels: Vec<u32> = (0..n as u32).map(|i| i % 2).collect();
        for epoch in [0, 5] {
            let rep = (0..n)
                .map(|i| vec![i as f32, (i * epoch) as f32, 1.0])
                .collect();
            // Predictions that split the points otherwise than the true classes.
            let predicted = (0..n as u32).map(|i| u32::from(i % 3 == 0)).collect();
            snapshots
                .frames
                .push((epoch, vec![rep, Vec::new()], predicted));
        }
        let figures = snapshots.figures("net", &labels);
        assert_eq!(figures.len(), 2);
        let mut first_points = Vec::new();
        for figure in &figures {
            let [true_classes, predicted] = &figure.panels[..] else {
                panic!("two panels for the one drawn layer");
            };
            let shown = points(true_classes);
            assert!(shown.len() <= MAX_FRAME_POINTS, "{} points", shown.len());
            assert!(shown.len() > MAX_FRAME_POINTS / 2, "{} points", shown.len());
            assert_eq!(shown, points(predicted));
            // The same points (by index, the first coordinate) in every frame.
            let indices: Vec<u32> = shown.iter().map(|p| f32::from_bits(p[0]) as u32).collect();
            if first_points.is_empty() {
                first_points = indices;
            } else {
                assert_eq!(indices, first_points);
            }
        }
    }
}
