//! One panic guard for the whole process: a panic inside [`catch_panic`] becomes a value
//! holding its message, its location and (when `RUST_BACKTRACE` asks for one) its backtrace,
//! without the default report on stderr.
//!
//! The process-wide hook is installed once and never swapped back and forth, so guards on
//! several threads (studies training side by side) do not race on it; a panic outside every
//! guard still gets the default report.

use std::cell::{Cell, RefCell};
use std::fmt;
use std::sync::Once;

/// A panic caught by [`catch_panic`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaughtPanic {
    /// The panic's message (all of it; [`CaughtPanic::first_line`] for one line).
    pub message: String,
    /// Where it panicked (`file:line:column`), when known.
    pub location: Option<String>,
    /// The backtrace, when `RUST_BACKTRACE` is set to `1` or `full`.
    pub backtrace: Option<String>,
}

impl CaughtPanic {
    /// The first line of the message.
    pub fn first_line(&self) -> &str {
        self.message.lines().next().unwrap_or_default().trim()
    }

    /// Where it panicked and, when captured, the backtrace: the details behind the one-line
    /// error.
    pub fn details(&self) -> String {
        let mut out = match &self.location {
            Some(at) => format!("panicked at {at}"),
            None => "panicked".to_string(),
        };
        if let Some(trace) = &self.backtrace {
            out.push_str("\nstack backtrace:\n");
            out.push_str(trace);
        }
        out
    }
}

impl fmt::Display for CaughtPanic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.details())
    }
}

impl std::error::Error for CaughtPanic {}

thread_local! {
    static GUARDS: Cell<usize> = const { Cell::new(0) };
    static LAST: RefCell<Option<(Option<String>, Option<String>)>> = const { RefCell::new(None) };
}

fn install_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if GUARDS.with(Cell::get) == 0 {
                return default(info);
            }
            let location = info
                .location()
                .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()));
            let trace = std::backtrace::Backtrace::capture();
            let backtrace = (trace.status() == std::backtrace::BacktraceStatus::Captured)
                .then(|| trace.to_string());
            LAST.with(|last| *last.borrow_mut() = Some((location, backtrace)));
        }));
    });
}

/// Runs `f`; a panic inside it comes back as a [`CaughtPanic`] instead of unwinding further.
pub fn catch_panic<T>(f: impl FnOnce() -> T) -> Result<T, CaughtPanic> {
    install_hook();
    GUARDS.with(|g| g.set(g.get() + 1));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    GUARDS.with(|g| g.set(g.get() - 1));
    result.map_err(|payload| {
        let message = payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "the backend panicked".to_string());
        let (location, backtrace) = LAST
            .with(|last| last.borrow_mut().take())
            .unwrap_or_default();
        CaughtPanic {
            message,
            location,
            backtrace,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_caught_panic_keeps_its_message_and_location() {
        let caught = catch_panic(|| -> u32 { panic!("boom\nsecond line") }).unwrap_err();
        assert_eq!(caught.first_line(), "boom");
        let at = caught.location.clone().unwrap();
        assert!(at.contains("panics.rs"), "{at}");
        assert!(caught.details().starts_with("panicked at "), "{caught}");
        assert_eq!(catch_panic(|| 7).unwrap(), 7);
    }

    #[test]
    fn guards_on_several_threads_do_not_disturb_each_other() {
        let handles: Vec<_> = (0..4)
            .map(|i| {
                std::thread::spawn(move || {
                    catch_panic(|| {
                        if i % 2 == 0 {
                            panic!("thread {i}")
                        }
                        i
                    })
                })
            })
            .collect();
        for (i, handle) in handles.into_iter().enumerate() {
            match handle.join().unwrap() {
                Ok(v) => assert_eq!(v, i),
                Err(p) => assert_eq!(p.message, format!("thread {i}")),
            }
        }
    }
}
