# unfold tasks. `just --list` shows them all.

# Install the system packages unfold uses (software Vulkan for wgpu on CPU-only machines).
setup:
    apt-get update && apt-get install -y mesa-vulkan-drivers libvulkan1

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

# Benchmarks: training speed (pass e.g. `-- --backend wgpu`) and dataset decoding.
bench *ARGS:
    cargo bench --bench training {{ARGS}}
    cargo bench --bench data

# What CI runs.
ci:
    bash .ci/run
