"""Training throughput on the CPU: clips per second of one training step, eager vs torch.compile.

One step is what `recognizer.train` does per batch: forward through every head, SMFL +
mutual learning, backward, Adam. Inputs are random batches of the real shape (by default
the lite preset, batch 16, T = 64, 18 joints, 2 person slots), so the data loader is not
measured (it runs in worker processes beside the step). After warming up (the compiled
variant compiles on its first step), the timed steps alternate eager, compiled, eager, ...
so both variants see the same machine load: on a shared machine their ratio is meaningful
even when the absolute numbers are not. CPU time is measured too: with `--threads 1`,
clips per CPU-second is what one idle core would deliver, whatever else the machine runs.
The load average is printed with the numbers.

    .venv/bin/python bench/train.py [--preset slnl_rfa_lite] [--batch 16] [--frames 64]
                                    [--persons 2] [--steps 20] [--threads N] [--no-compile] [--json]
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


def timed(step_fn, batch: torch.Tensor, targets: torch.Tensor) -> tuple[float, float]:
    """Wall-clock and CPU seconds (all of this process's threads) of one step."""
    began, began_cpu = time.perf_counter(), time.process_time()
    step_fn(batch, targets)
    return time.perf_counter() - began, time.process_time() - began_cpu


def summary(first: float, times: list[tuple[float, float]], batch: int) -> dict:
    """Wall-clock throughput, and throughput per CPU-second: with one thread, what an idle core would do."""
    median = statistics.median(wall for wall, _ in times)
    cpu = statistics.median(cpu for _, cpu in times)
    return {"first_step_s": first, "median_step_s": median, "clips_per_s": batch / median,
            "best_clips_per_s": batch / min(wall for wall, _ in times), "median_step_cpu_s": cpu,
            "clips_per_cpu_s": batch / cpu}


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
    variants = {"eager": create_model(args.preset, args.classes, T=args.frames, num_joints=18).train()}
    if not args.no_compile:
        variants["compiled"] = create_model(args.preset, args.classes, T=args.frames, num_joints=18).train()
        variants["compiled"].load_state_dict(variants["eager"].state_dict())
    c = variants["eager"].config
    batch = torch.randn(args.batch, c.in_channels, c.T, c.num_joints, args.persons)  # (N, C, T, V, M)
    targets = torch.randint(0, args.classes, (args.batch,))
    results = {"preset": args.preset, "batch": args.batch, "T": args.frames, "persons": args.persons,
               "threads": torch.get_num_threads(), "cpus": os.cpu_count(), "torch": torch.__version__,
               "load_before": os.getloadavg()[0]}
    steps = {name: make_step(model, name == "compiled") for name, model in variants.items()}
    first = {name: timed(step, batch, targets)[0] for name, step in steps.items()}
    for _ in range(args.warmup - 1):
        for step in steps.values():
            step(batch, targets)
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in steps}
    for _ in range(args.steps):  # interleaved: both variants share the machine's ups and downs
        for name, step in steps.items():
            times[name].append(timed(step, batch, targets))
    for name in steps:
        results[name] = summary(first[name], times[name], args.batch)
    if "compiled" in results:
        results["speedup"] = results["compiled"]["clips_per_s"] / results["eager"]["clips_per_s"]
        results["speedup_paired"] = statistics.median(e[0] / c[0] for e, c in zip(times["eager"], times["compiled"]))
        results["speedup_cpu"] = results["compiled"]["clips_per_cpu_s"] / results["eager"]["clips_per_cpu_s"]
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
                  f"best {r['best_clips_per_s']:.1f} clips/s, first step {r['first_step_s']:.1f} s); "
                  f"{r['clips_per_cpu_s']:.1f} clips per CPU-second")
    if "speedup" in results:
        print(f"  compiled / eager: {results['speedup']:.2f}× wall clock (median of back-to-back step pairs: "
              f"{results['speedup_paired']:.2f}×), {results['speedup_cpu']:.2f}× per CPU-second")


if __name__ == "__main__":
    main()
