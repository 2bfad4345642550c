#!/usr/bin/env python3
"""Turn benchmark JSON files into one Markdown table with ratios to PyTorch.

Reads any number of reports written by `unfold bench --json` or
`benches/pytorch/bench.py --json` (the same schema) and prints one row per
workload and one column per backend, each cell the median and its spread, then
one "÷ PyTorch" column per unfold backend: the unfold median divided by the
PyTorch median of the same workload (higher is better for every unit except
W6's seconds, which PyTorch does not run). With several PyTorch reports
(`pytorch-cpu`, `pytorch-cuda`), each unfold backend is compared with the one
on the same kind of device: GPU backends with `pytorch-cuda`, CPU backends
with `pytorch-cpu`.

    python3 benches/table.py unfold-gpu.json pytorch-cuda.json pytorch-cpu.json
"""

import argparse
import json
import sys

GPU_BACKENDS = {"wgpu", "cuda", "remote"}


def load(paths):
    rows = {}
    backends = []
    for path in paths:
        try:
            with open(path) as f:
                report = json.load(f)
        except (OSError, json.JSONDecodeError) as e:
            sys.exit(f"table.py: cannot read {path}: {e}")
        for m in report.get("results", []):
            backend = m["backend"]
            if backend not in backends:
                backends.append(backend)
            rows.setdefault(m["id"], {"workload": m["workload"], "unit": m["unit"]})
            rows[m["id"]][backend] = m
    return rows, backends


def reference(backend, backends):
    """The PyTorch backend an unfold backend is compared with, if any."""
    want = "pytorch-cuda" if backend in GPU_BACKENDS else "pytorch-cpu"
    if want in backends:
        return want
    torch = [b for b in backends if b.startswith("pytorch-")]
    return torch[0] if len(torch) == 1 else None


def cell(m):
    if m is None:
        return ""
    spread = (m["max"] - m["min"]) / m["median"] * 100 if m["median"] else 0.0
    value = f"{m['median']:,.0f}" if m["median"] >= 100 else f"{m['median']:.3g}"
    return f"{value} ({spread:.1f}%)"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("reports", nargs="+", help="bench JSON files")
    args = parser.parse_args()
    rows, backends = load(args.reports)
    ours = [b for b in backends if not b.startswith("pytorch-")]
    ratios = [(b, reference(b, backends)) for b in ours]
    ratios = [(b, r) for b, r in ratios if r is not None]
    header = ["id", "workload", *backends, *(f"{b} ÷ {r}" for b, r in ratios), "unit"]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for wid in sorted(rows):
        row = rows[wid]
        cells = [wid, row["workload"], *(cell(row.get(b)) for b in backends)]
        for b, r in ratios:
            if b in row and r in row and row[r]["median"] and row["unit"] != "s":
                cells.append(f"{row[b]['median'] / row[r]['median']:.2f}×")
            else:
                cells.append("")
        cells.append(row["unit"])
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
