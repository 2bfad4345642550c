//! Progress reporting for long training runs.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::LogPoint;

/// Receives progress from [`fit`](crate::fit).
pub trait Progress {
    /// A run named `name` starts, `epochs` epochs long.
    fn start(&mut self, name: &str, epochs: usize);
    /// `epoch` (1-based) finished.
    fn epoch(&mut self, epoch: usize);
    /// Metrics were logged.
    fn logged(&mut self, point: &LogPoint);
    /// The run ended (normally or not).
    fn finish(&mut self);
}

/// Reports nothing (tests, benchmarks, embedding).
#[derive(Debug, Default, Clone, Copy)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn start(&mut self, _name: &str, _epochs: usize) {}
    fn epoch(&mut self, _epoch: usize) {}
    fn logged(&mut self, _point: &LogPoint) {}
    fn finish(&mut self) {}
}

/// Whether [`TerminalProgress`] reports anything; the command line's `--quiet` turns it off.
static TERMINAL_PROGRESS: AtomicBool = AtomicBool::new(true);

/// Turns every [`TerminalProgress`] on or off for the rest of the process (bars and lines
/// alike): the command line's `--quiet`.
pub fn set_terminal_progress(enabled: bool) {
    TERMINAL_PROGRESS.store(enabled, Ordering::Relaxed);
}

/// Whether progress is reported ([`set_terminal_progress`]): the one record of `--quiet`,
/// which the informational lines (`unfold_train::say!`) follow too.
pub fn terminal_progress() -> bool {
    TERMINAL_PROGRESS.load(Ordering::Relaxed)
}

/// `println!` for informational lines ("resumed from an earlier run", "wrote …"): nothing
/// while [`terminal_progress`] is off (`--quiet`).
#[macro_export]
macro_rules! say {
    ($($arg:tt)*) => {
        if $crate::terminal_progress() {
            println!($($arg)*);
        }
    };
}

/// A progress bar on standard error, drawn only when it is a terminal, and one line per
/// finished run that took a second or more, in every case (so logs of long runs in CI or pipes
/// show how far they got).
#[derive(Debug, Default)]
pub struct TerminalProgress {
    group: Option<ProgressGroup>,
    label: Option<String>,
    bar: Option<ProgressBar>,
    name: String,
    epochs: usize,
    last: Option<LogPoint>,
    started: Option<std::time::Instant>,
}

impl TerminalProgress {
    /// A progress reporter that draws when standard error is a terminal.
    pub fn new() -> Self {
        Self::default()
    }

    /// A reporter whose bar shares the terminal with the other bars of `group` (runs training
    /// side by side), one line each.
    pub fn in_group(group: &ProgressGroup) -> Self {
        Self {
            group: Some(group.clone()),
            ..Self::default()
        }
    }

    /// The same reporter naming its runs `<label> · <run>` (e.g. a sweep point's settings or
    /// a seed), so that runs side by side with the same name can be told apart.
    pub fn labelled(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }
}

/// Progress bars of runs that train at the same time, drawn together on standard error, with
/// the finished runs' lines printed above them. Clones share the bars.
#[derive(Debug, Clone, Default)]
pub struct ProgressGroup {
    bars: MultiProgress,
}

impl ProgressGroup {
    /// An empty group.
    pub fn new() -> Self {
        Self::default()
    }

    /// Prints `line` on standard error above the group's bars (which a plain `eprintln!`
    /// would tear), unless progress is off (`--quiet`).
    pub fn println(&self, line: &str) {
        if terminal_progress() {
            self.bars.suspend(|| eprintln!("{line}"));
        }
    }
}

impl Progress for TerminalProgress {
    fn start(&mut self, name: &str, epochs: usize) {
        self.name = match &self.label {
            Some(label) => format!("{label} · {name}"),
            None => name.to_string(),
        };
        self.epochs = 0;
        self.last = None;
        self.started = None;
        if !TERMINAL_PROGRESS.load(Ordering::Relaxed) {
            return;
        }
        let mut bar =
            ProgressBar::with_draw_target(Some(epochs as u64), ProgressDrawTarget::stderr());
        if let Some(group) = &self.group {
            bar = group.bars.add(bar);
        }
        let style = ProgressStyle::with_template(
            "  {prefix:<22} [{bar:30.cyan/blue}] {pos:>5}/{len} epochs {elapsed_precise} (eta {eta}) {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
        bar.set_style(style);
        bar.set_prefix(self.name.clone());
        bar.enable_steady_tick(Duration::from_millis(200));
        self.bar = Some(bar);
        self.started = Some(std::time::Instant::now());
    }

    fn epoch(&mut self, epoch: usize) {
        self.epochs = epoch;
        if let Some(bar) = &self.bar {
            bar.set_position(epoch as u64);
        }
    }

    fn logged(&mut self, point: &LogPoint) {
        self.last = Some(point.clone());
        if let Some(bar) = &self.bar {
            bar.set_message(numbers(point));
        }
    }

    fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
            if let Some(group) = &self.group {
                group.bars.remove(&bar);
            }
        }
        // `started` is unset when progress is off: no line either.
        let Some(started) = self.started.take() else {
            return;
        };
        let seconds = started.elapsed().as_secs_f64();
        let metrics = self
            .last
            .as_ref()
            .map_or(String::new(), |p| format!(": {}", numbers(p)));
        // Runs of under a second are summarized by the experiment anyway.
        if seconds >= 1.0 {
            let line = format!(
                "  · {} — {} epoch{} in {seconds:.1}s{metrics}",
                self.name,
                self.epochs,
                if self.epochs == 1 { "" } else { "s" }
            );
            // Above the group's other bars, which are hidden while it prints.
            match &self.group {
                Some(group) => group.bars.suspend(|| eprintln!("{line}")),
                None => eprintln!("{line}"),
            }
        }
    }
}

/// The numbers a logged point has, and only those: the loss, and the accuracies where the
/// task has them (a regression has none; its losses are tiny, so they print in scientific
/// notation).
fn numbers(p: &LogPoint) -> String {
    if !p.train_accuracy.is_finite() {
        return format!("loss {:.3e}", p.train_loss);
    }
    let mut text = format!(
        "loss {:.4}, train {:.1}%",
        p.train_loss,
        100.0 * p.train_accuracy
    );
    if let Some(held_out) = p.test_accuracy.filter(|a| a.is_finite()) {
        text.push_str(&format!(", held-out {:.1}%", 100.0 * held_out));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(train_accuracy: f64, test_accuracy: Option<f64>) -> LogPoint {
        LogPoint {
            epoch: 1,
            train_loss: 0.00012,
            train_accuracy,
            test_loss: None,
            test_accuracy,
        }
    }

    #[test]
    fn a_labelled_run_is_named_with_its_label() {
        let mut progress = TerminalProgress::new().labelled("seed 43");
        progress.start("LinearModel", 3);
        assert_eq!(progress.name, "seed 43 · LinearModel");
        progress.finish();
    }

    #[test]
    fn progress_shows_only_the_numbers_a_run_has() {
        assert_eq!(numbers(&point(f64::NAN, None)), "loss 1.200e-4");
        assert_eq!(numbers(&point(0.5, None)), "loss 0.0001, train 50.0%");
        assert_eq!(
            numbers(&point(0.5, Some(0.25))),
            "loss 0.0001, train 50.0%, held-out 25.0%"
        );
    }
}
