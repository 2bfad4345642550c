//! What every experiment run is given.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use burn::tensor::Device;
use serde::{Deserialize, Serialize};
use unfold_device::{Backend, SelectedDevice};
use unfold_train::{NoProgress, Progress, ProgressGroup, TerminalProgress};

/// How faithfully to run a notebook.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    /// The notebook's exact settings (the default).
    Full,
    /// The same pipeline shrunk to run in seconds on a 2-core CPU (tests, smoke runs).
    Quick,
}

impl Profile {
    /// `full` or `quick`.
    pub fn name(self) -> &'static str {
        match self {
            Profile::Full => "full",
            Profile::Quick => "quick",
        }
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

impl FromStr for Profile {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "full" => Ok(Profile::Full),
            "quick" => Ok(Profile::Quick),
            other => Err(format!("unknown profile '{other}'; use 'full' or 'quick'")),
        }
    }
}

/// The device, seed, profile and output folder of one experiment run.
#[derive(Debug, Clone)]
pub struct RunContext {
    /// The backend the device belongs to (recorded in results).
    pub backend: Backend,
    /// The device to train on (without autodiff; experiments enable it where they train).
    pub device: Device,
    /// A human-readable device description (recorded in results).
    pub device_description: String,
    /// The seed for data generation, splits, initialization and shuffling.
    pub seed: u64,
    /// All the seeds to run (`--seeds`), each into `<experiment>/seed-<s>/` with one combined
    /// result beside them (see [`crate::seeds`]). Empty or one: a single run with
    /// [`seed`](Self::seed).
    pub seeds: Vec<u64>,
    /// Notebook settings or the quick variant.
    pub profile: Profile,
    /// The results root; each experiment writes to `<out>/<experiment>/`.
    pub out: PathBuf,
    /// Draw progress bars (they still only appear on a terminal).
    pub progress: bool,
    /// Where to look for MNIST and Fashion-MNIST first (`--data-dir`); without it the usual
    /// places are searched (`$UNFOLD_DATA`, `./data`, Debian's folder).
    pub data_dir: Option<PathBuf>,
    /// Save every trained model of the experiments that offer it (`--save-model`) under
    /// `<out>/<experiment>/models/`, loadable with `unfold_models::load_mlp`.
    pub save_models: bool,
    /// Reuse the runs a previous, interrupted invocation of a long study finished (`--resume`):
    /// each finished run is saved under `<out>/<experiment>/runs/` as it ends.
    pub resume: bool,
    /// More devices a study may put its independent runs on besides [`device`](Self::device)
    /// (several `--remote` servers), one run per device at a time (the mnist study's runs,
    /// the xor grid's dimensions). Empty: everything runs on `device`.
    pub workers: Vec<SelectedDevice>,
    /// Set while a study's runs train side by side on the CPU: their progress bars are drawn
    /// together.
    pub progress_group: Option<ProgressGroup>,
    /// What this context's progress lines are prefixed with (a sweep point's settings, a
    /// seed), so that runs side by side with the same name can be told apart.
    pub progress_label: Option<String>,
}

impl RunContext {
    /// A context for a checked device.
    pub fn new(
        selected: &SelectedDevice,
        seed: u64,
        profile: Profile,
        out: impl Into<PathBuf>,
    ) -> Self {
        Self {
            backend: selected.backend,
            device: selected.device.clone(),
            device_description: selected.description.clone(),
            seed,
            seeds: Vec::new(),
            profile,
            out: out.into(),
            progress: true,
            data_dir: None,
            save_models: false,
            resume: false,
            workers: Vec::new(),
            progress_group: None,
            progress_label: None,
        }
    }

    /// The same context spreading a study's independent runs over `workers` too.
    pub fn with_workers(mut self, workers: Vec<SelectedDevice>) -> Self {
        self.workers = workers;
        self
    }

    /// Every device runs may go to: [`device`](Self::device) first, then the workers.
    pub fn devices(&self) -> Vec<(Device, String)> {
        std::iter::once((self.device.clone(), self.device_description.clone()))
            .chain(
                self.workers
                    .iter()
                    .map(|w| (w.device.clone(), w.description.clone())),
            )
            .collect()
    }

    /// This context on another of its devices (no workers of its own).
    pub fn on_device(&self, device: &Device, description: &str) -> Self {
        Self {
            device: device.clone(),
            device_description: description.to_string(),
            workers: Vec::new(),
            ..self.clone()
        }
    }

    /// The same context running every seed of `seeds` (the first becomes
    /// [`seed`](Self::seed)); fewer than two seeds make a single run.
    pub fn with_seeds(mut self, seeds: Vec<u64>) -> Self {
        if let Some(first) = seeds.first() {
            self.seed = *first;
        }
        self.seeds = if seeds.len() > 1 { seeds } else { Vec::new() };
        self
    }

    /// Whether this context runs several seeds.
    pub fn several_seeds(&self) -> bool {
        self.seeds.len() > 1
    }

    /// The same context, resuming interrupted studies when `resume` is set (`--resume`).
    pub fn with_resume(mut self, resume: bool) -> Self {
        self.resume = resume;
        self
    }

    /// The same context, saving trained models when `save` is set (`--save-model`).
    pub fn with_save_models(mut self, save: bool) -> Self {
        self.save_models = save;
        self
    }

    /// The same context reading datasets from `data_dir` (`None`: the usual places).
    pub fn with_data_dir(mut self, data_dir: Option<PathBuf>) -> Self {
        self.data_dir = data_dir;
        self
    }

    /// The progress reporter for one training run.
    pub fn progress(&self) -> Box<dyn Progress> {
        if self.progress {
            let progress = match &self.progress_group {
                Some(group) => TerminalProgress::in_group(group),
                None => TerminalProgress::new(),
            };
            Box::new(match &self.progress_label {
                Some(label) => progress.labelled(label.clone()),
                None => progress,
            })
        } else {
            Box::new(NoProgress)
        }
    }
}
