//! Guards for what comes from outside unfold.
//!
//! - [`secrets`]: the one redaction of secrets (`--token` values, `$UNFOLD_REMOTE_TOKEN`,
//!   passwords, `user:pass@` credentials inside URLs) from recorded command lines, error
//!   messages and logs.
//! - [`bounded`]: the one way to read a file whose path a user gave: regular files only, at
//!   most a stated number of bytes, errors that name the file.
//!
//! It has no dependencies, so every crate of the workspace can use it.
#![warn(missing_docs)]

pub mod bounded;
pub mod secrets;

pub use bounded::{BoundedReadError, read_bounded, read_bounded_text};
