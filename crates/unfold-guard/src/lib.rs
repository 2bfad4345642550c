#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

pub mod bounded;
pub mod secrets;

pub use bounded::{BoundedReadError, read_bounded, read_bounded_text};
