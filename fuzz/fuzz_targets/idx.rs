//! Fuzz target: arbitrary bytes as an IDX image file and as an IDX label file.
#![no_main]

#[path = "../harness/alloc_limit.rs"]
mod alloc_limit;
#[path = "../harness/idx.rs"]
mod harness;

#[global_allocator]
static ALLOC: alloc_limit::Limited = alloc_limit::Limited;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    alloc_limit::within(data.len(), || harness::check(data));
});
