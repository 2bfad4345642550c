#!/usr/bin/env bash
# Checks and measures unfold on a GPU machine that has no Rust toolchain, from what
# benches/gpu/pack.sh packed here. Each phase fits in one 10-minute call; results go to
# $OUT (the device tool's output folder; results/gpu-run when unset), at most 8 files each.
#
#   bash benches/gpu/run.sh check       # wgpu agrees with ndarray (xor) and with Burn's blocks
#   bash benches/gpu/run.sh bench       # W1-W5 on wgpu, cold and warm first step, PyTorch beside it
#   bash benches/gpu/run.sh reproduce   # reproduce-all on wgpu and on auto, vanishing skipped  (carry .gpu-mnist)
#   bash benches/gpu/run.sh vanishing   # the Fashion-MNIST experiment on wgpu and on auto     (carry .gpu-fashion)
#
# Phases can be combined (`run.sh check bench`). Environment: BACKEND (default wgpu; cuda where
# `pack.sh cuda` packed the binary), QUICK=1 (a smoke test of this script: quick
# profiles, few repeats), REPEATS (default 5), TORCH_DEVICE (default cuda when PyTorch sees one),
# UNFOLD_BIN (a binary to use instead of .gpu/unfold.xz), WORK (scratch folder, /tmp/unfold-gpu).
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
out=${OUT:-results/gpu-run}
backend=${BACKEND:-wgpu}
repeats=${REPEATS:-5}
work=${WORK:-/tmp/unfold-gpu}
mkdir -p "$out" "$work"
export UNFOLD_KERNEL_CACHE=$work/kernels
quick=()
profile=full
if [ "${QUICK:-0}" = 1 ]; then quick=(--quick) profile=quick repeats=${REPEATS:-1}; fi
failures=0
fail() { echo "FAILED: $*"; failures=$((failures + 1)); }

# The NVIDIA images ship the driver but not the Vulkan/EGL loaders: unpack the packed ones.
if ! ldconfig -p | grep -q 'libvulkan\.so\.1'; then
    if [ -d .gpu/gl ]; then
        for f in .gpu/gl/*.deb; do dpkg -x "$f" /; done
        ldconfig
    else
        echo "run.sh: no Vulkan loader here and no .gpu/gl to unpack (carry .gpu): wgpu will find no device" >&2
    fi
fi
nvidia_icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [ -f "$nvidia_icd" ] && [ -z "${VK_DRIVER_FILES:-}" ]; then
    export VK_DRIVER_FILES=$nvidia_icd
    export __EGL_VENDOR_LIBRARY_FILENAMES=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
fi
[ -d /usr/local/cuda/lib64 ] && export LD_LIBRARY_PATH=/usr/local/cuda/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}

unfold=$work/unfold
if [ -n "${UNFOLD_BIN:-}" ]; then
    unfold=$UNFOLD_BIN
elif [ -f .gpu/unfold.xz ]; then
    xz -dc .gpu/unfold.xz >"$unfold" && chmod +x "$unfold"
elif [ -x target/release/unfold ]; then
    cp target/release/unfold "$unfold"
else
    echo "run.sh: no .gpu/unfold.xz (run benches/gpu/pack.sh and carry .gpu)" >&2
    exit 2
fi

# Unpacks a dataset folder packed by pack.sh into $work/data.
unpack() {
    local src=$1 name
    [ -d "$src" ] || { echo "run.sh: $src is missing: carry it (benches/gpu/pack.sh DATA_DIR makes it)" >&2; return 1; }
    for f in "$src"/*/*.xz; do
        name=$(basename "$(dirname "$f")")
        mkdir -p "$work/data/$name"
        xz -dc "$f" >"$work/data/$name/$(basename "$f" .xz)"
    done
}

# Runs a command, prints its wall time and appends both to $out/$1.log.
timed() {
    local log=$1
    shift
    local start end
    start=$(date +%s.%N)
    "$@" 2>&1 | tee -a "$out/$log.log"
    local status=${PIPESTATUS[0]}
    end=$(date +%s.%N)
    awk -v s="$start" -v e="$end" -v c="$*" -v x="$status" 'BEGIN { printf "%s: %.1f s, exit %s\n", c, e - s, x }'  | tee -a "$out/$log.log" >>"$out/timings.txt"
    return "$status"
}

{
    echo "commit $(cat .gpu/commit 2>/dev/null || git rev-parse HEAD 2>/dev/null || echo unknown)"
    date -u +%FT%TZ
    nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv 2>&1 || true
    nproc
    "$unfold" info 2>&1
} >"$out/machine.txt"
cat "$out/machine.txt"

for phase in "$@"; do
    echo "== $phase on $backend ($profile)"
    case $phase in
    check)
        rm -rf "$work/check"
        timed check "$unfold" xor --backend "$backend" --profile quick --out "$work/check/gpu" || fail "xor on $backend"
        timed check "$unfold" xor --backend ndarray --profile quick --out "$work/check/cpu" || fail "xor on ndarray"
        python3 benches/gpu/check.py xor "$work/check/gpu" "$work/check/cpu" | tee -a "$out/check.log" || fail "xor: $backend disagrees with ndarray"
        timed check "$unfold" building-blocks --backend "$backend" --profile quick --out "$work/check/gpu" || fail "building-blocks on $backend"
        python3 benches/gpu/check.py blocks "$work/check/gpu" | tee -a "$out/check.log" || fail "building-blocks on $backend"
        timed check "$unfold" spirals3d --backend "$backend" --profile quick --out "$work/check/gpu" || fail "spirals3d on $backend"
        ;;
    bench)
        # Time to the first training step, with an empty kernel cache and then a warm one.
        "$unfold" cache clear
        timed bench "$unfold" bench --backend "$backend" --only W1 --quick --repeats 1 || fail "cold first step"
        timed bench "$unfold" bench --backend "$backend" --only W1 --quick --repeats 1 || fail "warm first step"
        timed bench "$unfold" bench --backend "$backend" --only W1,W2,W3,W4,W5 --repeats "$repeats" "${quick[@]}" \
            --json "$out/unfold-$backend.json" || fail "unfold bench"
        timed bench python3 benches/pytorch/bench.py ${TORCH_DEVICE:+--device "$TORCH_DEVICE"} --repeats "$repeats" "${quick[@]}" \
            --json "$out/pytorch.json" || fail "PyTorch bench"
        python3 benches/table.py "$out/unfold-$backend.json" "$out/pytorch.json" | tee "$out/table.md"
        ;;
    reproduce)
        unpack .gpu-mnist || { fail "no MNIST"; continue; }
        for b in "$backend" auto; do
            timed reproduce "$unfold" reproduce-all --backend "$b" --profile "$profile" --skip vanishing \
                --data-dir "$work/data" --out "$work/reproduce-$b" || fail "reproduce-all on $b"
            cp "$work/reproduce-$b/manifest.json" "$out/manifest-$b.json" 2>/dev/null
        done
        ;;
    vanishing)
        unpack .gpu-fashion || { fail "no Fashion-MNIST"; continue; }
        for b in "$backend" auto; do
            timed vanishing "$unfold" vanishing --backend "$b" --profile "$profile" \
                --data-dir "$work/data" --out "$work/vanishing-$b" || fail "vanishing on $b"
            cp "$work/vanishing-$b/vanishing/metrics.json" "$out/vanishing-$b.json" 2>/dev/null
        done
        ;;
    *)
        echo "run.sh: unknown phase '$phase' (check, bench, reproduce, vanishing)" >&2
        exit 2
        ;;
    esac
done
cat "$out/timings.txt" 2>/dev/null
echo "$failures failure(s)"
[ "$failures" = 0 ]
