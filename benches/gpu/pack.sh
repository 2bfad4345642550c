#!/usr/bin/env bash
# Packs what a GPU machine without a Rust toolchain needs to check and measure unfold there,
# into git-ignored folders small enough to travel (each call's upload is capped at 64 MiB):
#
#   .gpu/unfold.xz            the release binary, stripped: default features (ndarray, flex, wgpu,
#                             remote), plus `cuda` in the cuda variant
#   .gpu/gl/*.deb             the Vulkan and EGL loaders (the NVIDIA images have the driver, not the loader)
#   .gpu-mnist/mnist/         MNIST as xz-compressed raw IDX files      (for `run.sh reproduce`)
#   .gpu-fashion/fashion-mnist/  Fashion-MNIST likewise                 (for `run.sh vanishing`)
#
# The binary and both datasets together are over the cap, so a call carries `.gpu` plus at most
# one dataset folder.
#
#   bash benches/gpu/pack.sh [cuda] [DATA_DIR]   # DATA_DIR: holds mnist/ and fashion-mnist/ (default $UNFOLD_DATA)
#
# `cuda`: the binary also has the cuda backend, built offline. cubecl-cuda 0.11.3 always depends
# on cubecl-llvm, whose build script downloads LLVM; this variant builds with the `cuda-cpp`
# feature (kernels compiled by NVRTC at run time, no LLVM) and swaps cubecl-llvm for the
# stand-in in benches/gpu/cubecl-llvm-standin, for this build only (a `--config` patch; no
# manifest names it, and Cargo.lock is put back afterwards). It compiles Burn's GPU crates a
# second time (BENCHMARKS.md, "Awaiting a GPU run", has the time). The one binary serves both
# `BACKEND=cuda` and `BACKEND=wgpu` in run.sh.
#
# Then run benches/gpu/run.sh on the GPU machine (see there).
set -euo pipefail
cd "$(dirname "$0")/../.."
variant=wgpu
if [ "${1:-}" = cuda ]; then
    variant=cuda
    shift
fi
data=${1:-${UNFOLD_DATA:-}}
target_dir=${CARGO_TARGET_DIR:-target}

if [ "$variant" = cuda ]; then
    echo "== building the release binary with cuda (NVRTC kernels, cubecl-llvm stand-in)"
    standin=$PWD/benches/gpu/cubecl-llvm-standin
    # The patch rewrites Cargo.lock's cubecl-llvm entry: keep the committed one.
    lock_copy=$(mktemp)
    cp Cargo.lock "$lock_copy"
    trap 'cp "$lock_copy" Cargo.lock; rm -f "$lock_copy"' EXIT
    cargo --config "patch.crates-io.cubecl-llvm.path=\"$standin\"" build --release --features cuda-cpp
else
    echo "== building the release binary"
    cargo build --release
fi
rm -rf .gpu/unfold .gpu/unfold.xz
mkdir -p .gpu/gl
strip -o .gpu/unfold "$target_dir/release/unfold"
{ "$target_dir/release/unfold" info 2>/dev/null || true; } | grep '^compiled backends' >.gpu/backends
xz -T0 -6 -f .gpu/unfold
git rev-parse HEAD >.gpu/commit

echo "== downloading the Vulkan and EGL loaders (amd64 .deb files)"
lists=$(mktemp -d)
mkdir -p "$lists/partial"
apt_opts=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 "-oDir::State::Lists=$lists")
apt-get "${apt_opts[@]}" update -qq
(cd .gpu/gl && rm -f ./*.deb && apt-get "${apt_opts[@]}" download \
    libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2)
rm -rf "$lists"

if [ -n "$data" ]; then
    for pair in mnist:.gpu-mnist fashion-mnist:.gpu-fashion; do
        dataset=${pair%%:*} folder=${pair#*:}
        echo "== packing $dataset into $folder"
        rm -rf "$folder" && mkdir -p "$folder/$dataset"
        for name in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
            if [ -f "$data/$dataset/$name.gz" ]; then
                gzip -dc "$data/$dataset/$name.gz" | xz -T0 -9 >"$folder/$dataset/$name.xz"
            elif [ -f "$data/$dataset/$name" ]; then
                xz -T0 -9 -c "$data/$dataset/$name" >"$folder/$dataset/$name.xz"
            else
                echo "pack.sh: ${data}/${dataset}/${name}[.gz] is missing" >&2
                exit 1
            fi
        done
    done
else
    echo "== no DATA_DIR and no \$UNFOLD_DATA: datasets not packed (run.sh's bench uses synthetic images)"
fi

du -sh .gpu .gpu-mnist .gpu-fashion 2>/dev/null || true
echo "packed commit $(cat .gpu/commit), $(cat .gpu/backends)"
