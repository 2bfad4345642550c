//! Fuzz target: arbitrary bytes as a backprop-worksheet network file.
#![no_main]

#[path = "../harness/alloc_limit.rs"]
mod alloc_limit;
#[path = "../harness/network_json.rs"]
mod harness;

#[global_allocator]
static ALLOC: alloc_limit::Limited = alloc_limit::Limited;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    alloc_limit::within(data.len(), || harness::check(data));
});
