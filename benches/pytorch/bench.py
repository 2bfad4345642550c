#!/usr/bin/env python3
"""PyTorch counterparts of unfold's benchmark workloads W1-W5, for comparison on the same machine.

Same shapes, losses, optimizers and batch sizes as `unfold bench` (crates/unfold-bench), data
already on the device, eager mode. Each workload runs once to warm up, then `--repeats` timed
runs; a timed run ends with `loss.item()` (and `torch.cuda.synchronize()` on CUDA), so the
clock measures finished work. Prints a table and, with --json, writes the same schema as
`unfold bench --json` (backend "pytorch-<device>").

    python3 benches/pytorch/bench.py --device cuda --json pytorch.json
    python3 benches/pytorch/bench.py --device cpu --threads 2 --only W1,W2

W3/W4 use random images of the MNIST shape: speed does not depend on the pixel values.
"""

import argparse
import datetime
import json
import os
import statistics
import time

import torch
import torch.nn.functional as F
from torch import nn


def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize()


def mlp(widths, act):
    layers = []
    for i in range(len(widths) - 1):
        layers.append(nn.Linear(widths[i], widths[i + 1]))
        if i < len(widths) - 2:
            layers.append(act())
    return nn.Sequential(*layers)


def spirals3d(n_per=500, noise=0.05, seed=42):
    """Notebook 000's two intertwined 3-D spirals (shape and scale are what matters here)."""
    g = torch.Generator().manual_seed(seed)
    t = torch.sqrt(torch.rand(n_per, generator=g)) * 3 * torch.pi
    arms = []
    for k, sign in enumerate((1.0, -1.0)):
        x = sign * t * torch.cos(t) + noise * torch.randn(n_per, generator=g)
        y = sign * t * torch.sin(t) + noise * torch.randn(n_per, generator=g)
        z = t / 2 + noise * torch.randn(n_per, generator=g)
        arms.append((torch.stack([x, y, z], 1), torch.full((n_per,), float(k))))
    x = torch.cat([a[0] for a in arms])[:800]
    y = torch.cat([a[1] for a in arms])[:800]
    return x, y


def spirals2d(n_per=1000, classes=3, seed=12345):
    g = torch.Generator().manual_seed(seed)
    xs, ys = [], []
    for c in range(classes):
        r = torch.linspace(0.2, 1.0, n_per)
        t = torch.linspace(c * 4.0, (c + 1) * 4.0, n_per) + 0.2 * torch.randn(n_per, generator=g)
        xs.append(torch.stack([r * torch.sin(t), r * torch.cos(t)], 1))
        ys.append(torch.full((n_per,), c, dtype=torch.long))
    return torch.cat(xs)[:2400], torch.cat(ys)[:2400]


def w1(device, quick):
    x, y = (t.to(device) for t in spirals3d())
    model = mlp([3, 3, 2, 1], nn.ReLU).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    steps = 30 if quick else 300

    def run():
        start = time.perf_counter()
        for _ in range(steps):
            opt.zero_grad()
            loss = F.binary_cross_entropy_with_logits(model(x).squeeze(1), y)
            loss.backward()
            opt.step()
        loss.item()
        sync(device)
        return steps / (time.perf_counter() - start)

    return run, "steps/s"


def batched(x, y, size):
    return [(x[i:i + size], y[i:i + size]) for i in range(0, len(x), size)]


def train_steps(model, opt, batches, steps, loss_fn, probe=None):
    loss = None
    for s in range(steps):
        xb, yb = batches[s % len(batches)]
        opt.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        if probe is not None:
            probe(model)
        opt.step()
    loss.item()


def w2(device, quick):
    x, y = (t.to(device) for t in spirals2d())
    model = mlp([2, 10, 10, 3], nn.ReLU).to(device)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    batches = batched(x, y, 32)
    steps = 30 if quick else 300

    def run():
        start = time.perf_counter()
        train_steps(model, opt, batches, steps, F.cross_entropy)
        sync(device)
        return steps / (time.perf_counter() - start)

    return run, "steps/s"


def images(n, device):
    return torch.randn(n, 784, device=device), torch.randint(0, 10, (n,), device=device)


def w3(device, quick):
    n = 1280 if quick else 48_000
    x, y = images(n, device)
    model = mlp([784, 400, 400, 10], nn.ReLU).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    batches = batched(x, y, 128)

    def run():
        start = time.perf_counter()
        train_steps(model, opt, batches, len(batches), F.cross_entropy)
        sync(device)
        return n / (time.perf_counter() - start)

    return run, "images/s"


def w4(device, quick):
    steps = 10 if quick else 200
    x, y = images(steps * 64, device)
    model = mlp([784, 512, 1024, 512, 10], nn.Sigmoid).to(device)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.5)
    batches = batched(x, y, 64)
    linears = [m for m in model if isinstance(m, nn.Linear)][:3]
    recorded = []

    # Like unfold: keep the per-layer means on the device, read them once at the end.
    def probe(_):
        recorded.append(torch.stack([l.weight.grad.abs().mean() for l in linears]))

    def run():
        recorded.clear()
        start = time.perf_counter()
        train_steps(model, opt, batches, steps, F.cross_entropy, probe)
        torch.stack(recorded).cpu()
        sync(device)
        return steps * 64 / (time.perf_counter() - start)

    return run, "images/s"


def w5(device, quick):
    d = 5
    bits = torch.tensor([[(i >> (d - 1 - k)) & 1 for k in range(d)] for i in range(2 ** d)],
                        dtype=torch.float32, device=device)
    labels = bits.sum(1, keepdim=True) % 2
    steps = 64 if quick else 3200

    def run():
        model = nn.Sequential(nn.Linear(d, 10), nn.Sigmoid(), nn.Linear(10, 1)).to(device)
        for p in model.parameters():
            nn.init.normal_(p)
        opt = torch.optim.SGD(model.parameters(), lr=0.02, momentum=0.9)
        draws = torch.randint(0, 2 ** d, (steps,), device=device)
        start = time.perf_counter()
        loss = None
        for s in range(steps):
            i = draws[s:s + 1]
            opt.zero_grad()
            loss = F.mse_loss(model(bits[i]), labels[i])
            loss.backward()
            opt.step()
        loss.item()
        sync(device)
        return steps / (time.perf_counter() - start)

    return run, "steps/s"


WORKLOADS = {
    "W1": ("spirals3d 3-3-2-1 ReLU, 800 points, full batch, Adam", w1),
    "W2": ("spirals2d 2-10-10-3 ReLU, batch 32, AdamW", w2),
    "W3": ("MNIST MLP 784-400-400-10, batch 128, Adam, 48,000 images", w3),
    "W4": ("Fashion 784-512-1024-512-10 sigmoid, batch 64, SGD+momentum, grads", w4),
    "W5": ("XOR FFNet d=5, 10 sigmoid hidden, single-example SGD+momentum", w5),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--only", default=",".join(WORKLOADS))
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json")
    parser.add_argument("--threads", type=int, default=0,
                        help="CPU threads for torch (default: torch's own choice)")
    args = parser.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    if args.repeats < 1:
        parser.error("--repeats must be >= 1")
    device = torch.device(args.device)
    torch.manual_seed(7)
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else "host CPU"
    results = []
    print(f"{'id':<4} {'workload':<66} {'median':>12} {'unit':>10} {'spread':>8}")
    for wid in args.only.split(","):
        wid = wid.strip().upper()
        if wid not in WORKLOADS:
            parser.error(f"unknown workload {wid}; use one of {', '.join(WORKLOADS)}")
        description, make = WORKLOADS[wid]
        run, unit = make(device, args.quick)
        warm = time.perf_counter()
        run()
        warmup = time.perf_counter() - warm
        values = [run() for _ in range(args.repeats)]
        median = statistics.median(values)
        spread = (max(values) - min(values)) / median * 100 if median else 0.0
        print(f"{wid:<4} {description:<66} {median:>12.3f} {unit:>10} {spread:>7.1f}%")
        results.append({
            "id": wid, "workload": description, "backend": f"pytorch-{device.type}",
            "device": name, "unit": unit, "median": median, "min": min(values),
            "max": max(values), "values": values, "warmup_seconds": warmup,
            "note": f"torch {torch.__version__}, eager, {torch.get_num_threads()} CPU threads",
        })
    if args.json:
        report = {
            "unfold_version": None, "git_commit": None,
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "host_cpus": os.cpu_count(),
            "settings": {"repeats": args.repeats, "quick": args.quick},
            "results": results,
        }
        with open(args.json + ".tmp", "w") as f:
            json.dump(report, f, indent=2)
        os.replace(args.json + ".tmp", args.json)
        print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
