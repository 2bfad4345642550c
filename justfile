# unfold tasks. `just --list` shows them all.

# Install the system packages unfold uses (software Vulkan for wgpu on CPU-only machines, and
# Chromium for the report-page test).
setup:
    apt-get update && apt-get install -y mesa-vulkan-drivers libvulkan1 chromium

# Run every notebook and write results/index.html (pass e.g. `--backend wgpu --profile quick`).
reproduce-all *ARGS:
    cargo run --release -- reproduce-all {{ARGS}}

# The test suite (the README's test command).
test:
    cargo test --release --workspace

# Formatting and lints, as CI runs them.
lint:
    cargo fmt --all --check
    cargo clippy --release --workspace --all-targets -- -D warnings

# Benchmarks W1-W6 as whole runs, with JSON (pass e.g. `--backend flex,wgpu`).
bench *ARGS:
    cargo run --release -- bench --json results/bench.json {{ARGS}}

# The same training workloads under criterion, and dataset decoding.
criterion:
    cargo bench --bench training
    cargo bench --bench data

# What CI runs.
ci:
    bash .ci/run
