#!/usr/bin/env python3
"""Correctness checks of a GPU backend from the metrics unfold writes.

    check.py xor GPU_OUT CPU_OUT   the same seeded XOR study on a GPU backend and on
                                   ndarray: every run's final loss agrees within
                                   1e-4 + 1e-3·|cpu| (the weights and examples are drawn
                                   on the host, so only float rounding differs) — the
                                   check of tests/xor.rs, on the real device
    check.py blocks OUT            building-blocks: every from-scratch block equals Burn's
                                   on the device the run used, and the fits are finite

Prints one line per check and exits non-zero if any fails, so that Burn's fusion and
autotuning on a real GPU (see tracel-ai/burn#5257) are checked, not assumed.
"""

import json
import math
import sys


def metrics(out, experiment):
    path = f"{out}/{experiment}/metrics.json"
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, json.JSONDecodeError) as e:
        sys.exit(f"check.py: cannot read {path}: {e}")


def xor(gpu_out, cpu_out):
    gpu, cpu = metrics(gpu_out, "xor"), metrics(cpu_out, "xor")
    failures = 0
    if not gpu["runs"]:
        print("FAIL xor: the GPU run has no runs")
        return 1
    worst = 0.0
    for name, run in gpu["runs"].items():
        a = run["final_loss"]
        b = cpu["runs"][name]["final_loss"]
        ok = a is not None and b is not None and abs(a - b) <= 1e-4 + 1e-3 * abs(b)
        if a is not None and b is not None:
            worst = max(worst, abs(a - b))
        if not ok:
            failures += 1
            print(f"FAIL xor {name}: {gpu['backend']} {a} vs {cpu['backend']} {b}")
    if gpu["gradient_check"]["failures"] != 0:
        failures += 1
        print(f"FAIL xor: {gpu['gradient_check']['failures']} hand-derived gradients disagree with autodiff")
    print(f"{'ok  ' if failures == 0 else 'FAIL'} xor: {len(gpu['runs'])} runs on "
          f"{gpu['backend']} vs {cpu['backend']}, largest |Δ final loss| {worst:.3g}")
    return failures


def blocks(out):
    m = metrics(out, "building-blocks")
    failures = 0
    for c in m["equality_checks"]:
        if not c["identical"]:
            failures += 1
            print(f"FAIL building-blocks {c['block']} vs {c['reference']}: max |Δ| {c.get('max_abs_diff')}")
    finite = [v for k, v in m.items() if isinstance(v, float)]
    if any(not math.isfinite(v) for v in finite):
        failures += 1
        print("FAIL building-blocks: a non-finite number in metrics.json")
    print(f"{'ok  ' if failures == 0 else 'FAIL'} building-blocks on {m['backend']}: "
          f"{len(m['equality_checks'])} blocks compared with Burn's")
    return failures


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "xor":
        sys.exit(1 if xor(sys.argv[2], sys.argv[3]) else 0)
    if len(sys.argv) == 3 and sys.argv[1] == "blocks":
        sys.exit(1 if blocks(sys.argv[2]) else 0)
    sys.exit(__doc__)


if __name__ == "__main__":
    main()
