//! Progress reporting for long training runs.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

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

/// A progress bar on standard error, drawn only when it is a terminal, and one line per
/// finished run that took a second or more, in every case (so logs of long runs in CI or pipes
/// show how far they got).
#[derive(Debug, Default)]
pub struct TerminalProgress {
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
}

impl Progress for TerminalProgress {
    fn start(&mut self, name: &str, epochs: usize) {
        let bar = ProgressBar::with_draw_target(Some(epochs as u64), ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template(
            "  {prefix:<22} [{bar:30.cyan/blue}] {pos:>5}/{len} epochs {elapsed_precise} (eta {eta}) {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
        bar.set_style(style);
        bar.set_prefix(name.to_string());
        bar.enable_steady_tick(Duration::from_millis(200));
        self.bar = Some(bar);
        self.name = name.to_string();
        self.epochs = 0;
        self.last = None;
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
            let message = if point.train_accuracy.is_finite() {
                format!(
                    "loss {:.4} acc {:.1}%",
                    point.train_loss,
                    100.0 * point.train_accuracy
                )
            } else {
                // Regression: no accuracy, and losses far below 1e-4.
                format!("loss {:.3e}", point.train_loss)
            };
            bar.set_message(message);
        }
    }

    fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
        let seconds = self.started.map_or(0.0, |s| s.elapsed().as_secs_f64());
        let metrics = self.last.as_ref().map_or(String::new(), |p| {
            let held_out = p
                .test_accuracy
                .map_or(String::new(), |a| format!(", held-out {:.1}%", 100.0 * a));
            format!(
                ": loss {:.4}, train {:.1}%{held_out}",
                p.train_loss,
                100.0 * p.train_accuracy
            )
        });
        // Runs of under a second are summarized by the experiment anyway.
        if seconds >= 1.0 {
            eprintln!(
                "  · {} — {} epochs in {seconds:.1}s{metrics}",
                self.name, self.epochs
            );
        }
    }
}
