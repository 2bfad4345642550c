//! Fuzz target: arbitrary bytes as a settings file (`--config`) and `--set` assignments.
#![no_main]

#[path = "../harness/alloc_limit.rs"]
mod alloc_limit;
#[path = "../harness/settings.rs"]
mod harness;

#[global_allocator]
static ALLOC: alloc_limit::Limited = alloc_limit::Limited;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    alloc_limit::within(data.len(), || {
        harness::check(data);
    });
});
