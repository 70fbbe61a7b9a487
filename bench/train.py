"""Training throughput on the CPU: clips per second of one training step, eager vs torch.compile.

One step is what `recognizer.train` does per batch: forward through every head, SMFL +
mutual learning, backward, Adam. Inputs are random batches of the real shape (by default
the lite preset, batch 16, T = 64, 18 joints, 2 person slots), so the data loader is not
measured (it runs in worker processes beside the step). Both variants run in the same
process on the same machine, so their ratio is meaningful even on a busy machine; the load
average is printed with the numbers.

    .venv/bin/python bench/train.py [--preset slnl_rfa_lite] [--batch 16] [--frames 64]
                                    [--steps 20] [--threads N] [--no-compile] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time

import torch

from recognizer.losses import LossConfig, MultiHeadLoss
from recognizer.models import create_model


def measure(model: torch.nn.Module, step_fn, batch: torch.Tensor, targets: torch.Tensor, steps: int,
            warmup: int) -> dict:
    """Seconds of the first step (compilation, if any) and clips/s over `steps` timed steps."""
    began = time.perf_counter()
    step_fn(batch, targets)
    first = time.perf_counter() - began
    for _ in range(warmup - 1):
        step_fn(batch, targets)
    times = []
    for _ in range(steps):
        began = time.perf_counter()
        step_fn(batch, targets)
        times.append(time.perf_counter() - began)
    median = statistics.median(times)
    return {"first_step_s": first, "median_step_s": median, "clips_per_s": len(batch) / median,
            "best_clips_per_s": len(batch) / min(times)}


def make_step(model: torch.nn.Module, compiled: bool):
    criterion = MultiHeadLoss(LossConfig())
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=5e-4)
    heads = torch.compile(model.forward_heads) if compiled else model.forward_heads

    def step(x: torch.Tensor, targets: torch.Tensor) -> None:
        loss = criterion(heads(x), targets)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()

    return step


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="slnl_rfa_lite")
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--frames", type=int, default=64)
    parser.add_argument("--persons", type=int, default=2)
    parser.add_argument("--classes", type=int, default=16)
    parser.add_argument("--steps", type=int, default=20, help="timed steps per variant")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--threads", type=int, help="torch threads (default: torch's choice)")
    parser.add_argument("--no-compile", action="store_true", help="eager only")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)

    torch.manual_seed(0)
    model = create_model(args.preset, args.classes, T=args.frames, num_joints=18).train()
    c = model.config
    batch = torch.randn(args.batch, c.in_channels, c.T, c.num_joints, args.persons)  # (N, C, T, V, M)
    targets = torch.randint(0, args.classes, (args.batch,))
    results = {"preset": args.preset, "batch": args.batch, "T": args.frames, "persons": args.persons,
               "threads": torch.get_num_threads(), "cpus": os.cpu_count(), "torch": torch.__version__,
               "load_before": os.getloadavg()[0]}
    results["eager"] = measure(model, make_step(model, False), batch, targets, args.steps, args.warmup)
    if not args.no_compile:
        compiled_model = create_model(args.preset, args.classes, T=args.frames, num_joints=18).train()
        compiled_model.load_state_dict(model.state_dict())
        results["compiled"] = measure(compiled_model, make_step(compiled_model, True), batch, targets,
                                      args.steps, args.warmup)
        results["speedup"] = results["compiled"]["clips_per_s"] / results["eager"]["clips_per_s"]
    results["load_after"] = os.getloadavg()[0]

    if args.json:
        print(json.dumps(results))
        return
    print(f"{args.preset}, batch {args.batch}, T={args.frames}, M={args.persons}: "
          f"{results['threads']} torch threads on {results['cpus']} CPUs, torch {results['torch']}, "
          f"load average {results['load_before']:.1f} → {results['load_after']:.1f}")
    for name in ("eager", "compiled"):
        if name in results:
            r = results[name]
            print(f"  {name:<8} {r['clips_per_s']:6.1f} clips/s (median step {1000 * r['median_step_s']:.0f} ms, "
                  f"best {r['best_clips_per_s']:.1f} clips/s, first step {r['first_step_s']:.1f} s)")
    if "speedup" in results:
        print(f"  compiled / eager: {results['speedup']:.2f}×")


if __name__ == "__main__":
    main()
