#!/usr/bin/env python3
"""Where a cold build's time goes: sums a `cargo build --timings` report per feature group.

Usage, from the workspace root (BENCHMARKS.md, "Where a cold build's time goes"):

    CARGO_TARGET_DIR=$(mktemp -d) cargo test --release --workspace --no-run --timings
    python3 benches/build_groups.py $CARGO_TARGET_DIR/cargo-timings/cargo-timing.html

A group is the packages the default build has beyond a build without that feature (or, for
iroh and turso, beyond the default build with that package pruned), as `cargo tree` lists them.
"""

import json
import re
import subprocess
import sys

UNFOLD_CRATES = ("unfold", "spiral-classifier")


def packages(*args):
    """The `name vX.Y.Z` of every package in the `unfold` build with these `cargo tree` flags."""
    out = subprocess.run(
        ["cargo", "tree", "-p", "unfold", "-e", "normal,build", "--prefix", "none", "-f", "{p}", *args],
        check=True, capture_output=True, text=True,
    ).stdout
    return {line.split(" (")[0].strip() for line in out.splitlines() if line.strip()}


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    html = open(sys.argv[1], encoding="utf-8").read()
    units = json.loads(re.search(r"const UNIT_DATA = (\[.*?\]);", html, re.S).group(1))
    default = packages()
    without = lambda features: default - packages("--no-default-features", "--features", features)
    groups = {
        "wgpu": without("ndarray,flex,remote"),
        "remote": without("ndarray,flex,wgpu"),
        "ndarray": without("flex,wgpu,remote"),
        "iroh only": default - packages("--prune", "iroh"),
        "turso only": default - packages("--prune", "turso"),
    }
    name = lambda u: f"{u['name']} v{u['version']}"
    ours = lambda u: u["name"].startswith(UNFOLD_CRATES)
    seconds = lambda keep: sum(u["duration"] for u in units if keep(u))
    total = seconds(lambda u: True)
    print(f"all units: {total:.0f} s summed over {len(units)} units")
    for group, members in groups.items():
        took = seconds(lambda u: name(u) in members)
        print(f"{group}: {len(members)} packages, {took:.0f} s ({100 * took / total:.0f}%)")
    print(f"unfold's own crates: {seconds(ours):.0f} s")
    features = groups["wgpu"] | groups["remote"] | groups["ndarray"]
    print(f"the rest: {seconds(lambda u: name(u) not in features and not ours(u)):.0f} s")


if __name__ == "__main__":
    main()
