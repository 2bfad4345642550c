//! The hidden representations during training, for the report's slider: computed at the
//! start of every few epochs (forward passes only — no random draws, so training and its
//! metrics are the same with or without them), kept on the device and read back once training
//! has ended (a read-back mid-training would stall an accelerator at every snapshot).

use burn::module::Module;
use burn::tensor::Tensor;
use unfold_models::Mlp;
use unfold_train::{StepObserver, StepView};
use unfold_viz::{Figure, Panel};

use super::run::CLASS_NAMES;
use crate::plots::{class_series_3d, first_3, rows};

/// Snapshots per run, about (the last one is the trained model).
const FRAMES: usize = 30;

/// The 3-wide hidden layers' outputs at the start of every `every`-th epoch.
pub(super) struct Snapshots {
    every: usize,
    points: Tensor<2>,
    /// Snapshots not yet read back: `(epoch, the 3-wide layers' outputs, None for others)`.
    pending: Vec<(usize, Vec<Option<Tensor<2>>>)>,
    /// `(epoch, one representation per hidden layer, empty for layers not 3 wide)`.
    frames: Vec<(usize, Vec<Vec<[f32; 3]>>)>,
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
        let hidden = net.forward_hidden(self.points.clone()).hidden;
        let layers = hidden
            .into_iter()
            .map(|h| (h.dims()[1] == 3).then_some(h))
            .collect();
        self.pending.push((epoch, layers));
    }

    /// Reads the snapshots taken so far back to the host.
    pub(super) fn read_back(&mut self) {
        for (epoch, layers) in self.pending.drain(..) {
            let layers = layers
                .into_iter()
                .map(|h| h.map(|h| first_3(&rows(h))).unwrap_or_default())
                .collect();
            self.frames.push((epoch, layers));
        }
    }

    /// Whether any layer is drawn (3 wide).
    pub(super) fn any_drawn(&self) -> bool {
        self.frames
            .iter()
            .any(|(_, layers)| layers.iter().any(|l| !l.is_empty()))
    }

    /// One figure per snapshot: each 3-wide layer coloured by the true class.
    pub(super) fn figures(&self, name: &str, labels: &[u32]) -> Vec<Figure> {
        self.frames
            .iter()
            .map(|(epoch, layers)| Figure {
                title: Some(format!("{name} after {epoch} epochs")),
                panels: layers
                    .iter()
                    .enumerate()
                    .filter(|(_, rep)| !rep.is_empty())
                    .map(|(layer, rep)| Panel::Scatter3 {
                        title: format!("layer {} output, true classes", layer + 1),
                        x_label: "h1".into(),
                        y_label: "h2".into(),
                        z_label: "h3".into(),
                        series: class_series_3d(rep, labels, &CLASS_NAMES),
                        note: None,
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
