//! Reporting download progress: a callback trait, a silent implementation and a progress bar.

use indicatif::{ProgressBar, ProgressStyle};

/// Receives the progress of downloads, one at a time.
pub trait Progress {
    /// A download of `url` starts; `total_bytes` is its announced length, if any.
    fn start(&mut self, url: &str, total_bytes: Option<u64>);
    /// `bytes` more bytes arrived.
    fn advance(&mut self, bytes: u64);
    /// The try of `url` ended: `Ok` when the file was received and verified, else what went
    /// wrong (also called when the try failed before [`Progress::start`], e.g. on a refused
    /// connection or an HTTP error).
    fn finish(&mut self, url: &str, outcome: Result<(), &str>);
    /// Any other news (a file already present, a fallback to another mirror, …).
    fn message(&mut self, _text: &str) {}
}

/// Reports nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn start(&mut self, _url: &str, _total_bytes: Option<u64>) {}
    fn advance(&mut self, _bytes: u64) {}
    fn finish(&mut self, _url: &str, _outcome: Result<(), &str>) {}
}

/// A progress bar on standard error (drawn only on a terminal) plus one line per event.
#[derive(Debug, Default)]
pub struct BarProgress {
    bar: Option<ProgressBar>,
}

impl BarProgress {
    /// A progress display with no bar yet.
    pub fn new() -> BarProgress {
        BarProgress::default()
    }
}

impl Progress for BarProgress {
    fn start(&mut self, url: &str, total_bytes: Option<u64>) {
        let name = url.rsplit('/').next().unwrap_or(url).to_owned();
        let bar = match total_bytes {
            Some(total) => {
                let style = ProgressStyle::with_template(
                    "{msg:28} [{bar:32}] {bytes:>10}/{total_bytes:<10} {bytes_per_sec:>12} {eta:>4}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> ");
                ProgressBar::new(total).with_style(style)
            }
            None => {
                let style =
                    ProgressStyle::with_template("{spinner} {msg:28} {bytes:>10} {bytes_per_sec}")
                        .unwrap_or_else(|_| ProgressStyle::default_spinner());
                ProgressBar::new_spinner().with_style(style)
            }
        };
        bar.set_message(name);
        self.bar = Some(bar);
    }

    fn advance(&mut self, bytes: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(bytes);
        }
    }

    fn finish(&mut self, url: &str, outcome: Result<(), &str>) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
        // A success is in the summary that follows each dataset; a failed mirror is news now.
        if let Err(problem) = outcome {
            eprintln!("failed: {url}: {problem}");
        }
    }

    fn message(&mut self, text: &str) {
        match &self.bar {
            Some(bar) => bar.println(text),
            None => eprintln!("{text}"),
        }
    }
}
