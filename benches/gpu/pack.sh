#!/usr/bin/env bash
# Packs what a GPU machine without a Rust toolchain needs to check and measure unfold there,
# into git-ignored folders small enough to travel (each call's upload is capped at 64 MiB):
#
#   .gpu/unfold.xz            the release binary (default features: ndarray, flex, wgpu, remote), stripped
#   .gpu/gl/*.deb             the Vulkan and EGL loaders (the NVIDIA images have the driver, not the loader)
#   .gpu-mnist/mnist/         MNIST as xz-compressed raw IDX files      (for `run.sh reproduce`)
#   .gpu-fashion/fashion-mnist/  Fashion-MNIST likewise                 (for `run.sh vanishing`)
#
# The binary and both datasets together are over the cap, so a call carries `.gpu` plus at most
# one dataset folder. `cuda` is not in the binary: cubecl-cuda's build downloads LLVM, which an
# offline build machine cannot (build it with `--features cuda` where the network allows).
#
#   bash benches/gpu/pack.sh [DATA_DIR]     # DATA_DIR: holds mnist/ and fashion-mnist/ (default $UNFOLD_DATA)
#
# Then run benches/gpu/run.sh on the GPU machine (see there).
set -euo pipefail
cd "$(dirname "$0")/../.."
data=${1:-${UNFOLD_DATA:-}}

echo "== building the release binary"
cargo build --release
mkdir -p .gpu/gl
strip -o .gpu/unfold target/release/unfold
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
echo "packed commit $(cat .gpu/commit)"
