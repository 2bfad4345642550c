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

# Pack the binary, Vulkan loaders and datasets for a GPU machine without Rust (see BENCHMARKS.md):
# `just gpu-pack [cuda] [DATA_DIR]` (`cuda`: the binary gets the cuda backend too).
gpu-pack *ARGS:
    bash benches/gpu/pack.sh {{ARGS}}

# Run the GPU kit's phases (check, bench, reproduce, vanishing); on the GPU machine, which has no
# `just`, call benches/gpu/run.sh itself. Try it on the CPU: `QUICK=1 BACKEND=flex just gpu-run check`.
gpu-run +PHASES:
    bash benches/gpu/run.sh {{PHASES}}

# Fuzz one file reader on stable Rust for SECONDS: `just fuzz idx` or `just fuzz network_json 900`
# (one worker; crashes land in fuzz/artifacts/; see fuzz/README.md).
fuzz TARGET="idx" SECONDS="600":
    cargo fuzz --version >/dev/null 2>&1 || cargo install cargo-fuzz --locked
    cd fuzz && mkdir -p corpus/{{TARGET}} && cargo fuzz run --sanitizer none {{TARGET}} corpus/{{TARGET}} seeds/{{TARGET}} -- -dict=dicts/{{TARGET}}.dict -max_total_time={{SECONDS}} -rss_limit_mb=2048 -malloc_limit_mb=2048 -timeout=10

# What CI runs.
ci:
    bash .ci/run
