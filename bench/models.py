"""Size, cost and CPU speed of every model preset; training throughput of the lite one.

Sections:
- size: parameters and multiply-adds (torch FlopCounterMode on the meta device, FLOPs / 2)
  of every preset, single- and two-stream, for one 1-person and one 2-person sample;
- latency: batch 1, one person, two streams, on ``--threads`` CPU threads, eager and
  ``torch.compile``: ``--repeats`` timed forwards (after warm-up), the compile time,
  and each time as a multiple of the lite preset's time measured in the same run. Times
  are "median (fastest)" in ms; on a shared machine the fastest run is the nearest to an
  idle one, so the ratios use it;
- lite: the lite preset with one and with two persons, eager and compiled, and a training
  step (forward of all heads, SMFL + mutual loss, backward, Adam) on a batch of 16;
  ``--set KEY=VALUE`` (repeatable, JSON values) changes its config, which is how the
  preset's candidates were compared (e.g. ``--set virtual_joints=24``).

Prints markdown; ``--write FILE`` also saves it with the command and machine details.

    .venv/bin/python bench/models.py [--repeats 30] [--threads 2] [--no-compile] [--only size,latency,lite]
                                     [--presets slnl_rfa_lite,ts_san_ntu] [--set virtual_joints=24]
                                     [--write docs/benchmarks-models.md]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch
from torch.utils.flop_counter import FlopCounterMode

from recognizer.losses import LossConfig, MultiHeadLoss
from recognizer.models import create_model, list_models, model_config

LITE = "slnl_rfa_lite"
NUM_CLASSES = 60


def sample(name: str, batch: int = 1, persons: int = 1, device: str = "cpu", overrides: dict | None = None) -> torch.Tensor:
    c = model_config(name, **(overrides or {}))
    return torch.randn(batch, c.in_channels, c.T, c.num_joints, persons, device=device)


def size_and_macs(name: str, two_stream: bool, persons: int) -> tuple[int, float]:
    with torch.device("meta"):
        model = create_model(name, NUM_CLASSES, two_stream=two_stream).eval()
        with FlopCounterMode(display=False) as counter:
            model(sample(name, persons=persons, device="meta"))
    return sum(p.numel() for p in model.parameters()), counter.get_total_flops() / 2


@dataclass(frozen=True)
class Timing:
    """Milliseconds per call: the median, and the fastest run (nearest to an idle machine)."""

    median: float
    best: float

    def __str__(self) -> str:
        return f"{self.median:.1f} ({self.best:.1f})"


def time_ms(fn: Callable[[], object], repeats: int, warmup: int) -> Timing:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(1e3 * (time.perf_counter() - start))
    return Timing(statistics.median(times), min(times))


def inference_ms(model: torch.nn.Module, x: torch.Tensor, repeats: int, warmup: int) -> Timing:
    with torch.inference_mode():
        return time_ms(lambda: model(x), repeats, warmup)


def compiled_ms(model: torch.nn.Module, x: torch.Tensor, repeats: int, warmup: int) -> tuple[Timing | None, str]:
    """(median ms, compile seconds) of a fresh ``torch.compile``, or (None, why it failed)."""
    torch._dynamo.reset()
    compiled = torch.compile(model)
    try:
        start = time.perf_counter()
        with torch.inference_mode(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # inductor warns that complex (FFT) ops stay in eager
            compiled(x)
        seconds = time.perf_counter() - start
        return inference_ms(compiled, x, repeats, warmup), f"{seconds:.0f}"
    except Exception as error:  # report, don't hide: the table says compile failed and why
        return None, "failed: " + str(error).splitlines()[0][:80]


def _ms(value: Timing | None) -> str:
    return "-" if value is None else str(value)


def training_samples_per_s(name: str, batch: int, persons: int, steps: int, compile_model: bool,
                           overrides: dict) -> str:
    torch.manual_seed(0)
    model = create_model(name, NUM_CLASSES, **overrides).train()
    x, y = sample(name, batch, persons, overrides=overrides), torch.randint(0, NUM_CLASSES, (batch,))
    loss_fn = MultiHeadLoss(LossConfig())
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    forward = model.forward_heads
    if compile_model:
        torch._dynamo.reset()
        forward = torch.compile(model.forward_heads)

    def step() -> None:
        loss = loss_fn(forward(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ms = time_ms(step, steps, warmup=3)
    except Exception as error:
        return f"failed: {str(error).splitlines()[0][:80]}"
    return f"{1e3 * batch / ms.median:.0f} ({1e3 * batch / ms.best:.0f}) samples/s, {ms} ms/step"


def size_table(names: list[str]) -> list[str]:
    lines = [
        "| preset | input (C, T, V) | streams | params | GMACs, 1 person | GMACs, 2 persons |",
        "|---|---|---|---:|---:|---:|",
    ]
    for name in names:
        c = model_config(name)
        for two_stream in (False, True):
            params, macs_1 = size_and_macs(name, two_stream, 1)
            _, macs_2 = size_and_macs(name, two_stream, 2)
            streams = "position + velocity" if two_stream else "position"
            lines.append(
                f"| {name} | ({c.in_channels}, {c.T}, {c.num_joints}) | {streams} | {params / 1e6:.3f} M "
                f"| {macs_1 / 1e9:.3f} | {macs_2 / 1e9:.3f} |"
            )
    return lines


def latency_table(names: list[str], repeats: int, compile_model: bool) -> list[str]:
    """The lite preset first (the reference for the ratios), then the others."""
    lines = [
        "| preset | eager ms | × lite | compiled ms | × lite | compile s |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    reference: tuple[Timing, Timing | None] | None = None
    for name in [LITE] + [n for n in names if n != LITE]:
        torch.manual_seed(0)
        model = create_model(name, NUM_CLASSES).eval()
        x = sample(name)
        warmup = 5 if name == LITE else 2
        eager = inference_ms(model, x, repeats, warmup)
        compiled, note = compiled_ms(model, x, repeats, warmup) if compile_model else (None, "-")
        reference = reference or (eager, compiled)
        ratio = "-" if compiled is None or reference[1] is None else f"{compiled.best / reference[1].best:.2f}"
        lines.append(f"| {name} | {eager} | {eager.best / reference[0].best:.2f} | {_ms(compiled)} | {ratio} | {note} |")
        print(f"  {name}: eager {eager} ms, compiled {_ms(compiled)} ms", file=sys.stderr, flush=True)
    return lines


def lite_lines(repeats: int, compile_model: bool, overrides: dict) -> list[str]:
    changed = ", ".join(f"{k}={v}" for k, v in overrides.items()) or "as preset"
    lines = [f"| lite ({changed}), batch 1, two streams | eager ms | compiled ms | compile s |", "|---|---:|---:|---:|"]
    torch.manual_seed(0)
    model = create_model(LITE, NUM_CLASSES, **overrides).eval()
    for persons in (1, 2):
        x = sample(LITE, persons=persons, overrides=overrides)
        eager = inference_ms(model, x, repeats, 5)
        compiled, note = compiled_ms(model, x, repeats, 5) if compile_model else (None, "-")
        lines.append(f"| {persons} person{'s' if persons > 1 else ''} | {eager} | {_ms(compiled)} | {note} |")
    lines += ["", "| lite training step, batch 16, 2 persons | throughput, median (fastest) |", "|---|---|"]
    lines.append(f"| eager | {training_samples_per_s(LITE, 16, 2, repeats, False, overrides)} |")
    if compile_model:
        lines.append(f"| compiled | {training_samples_per_s(LITE, 16, 2, repeats, True, overrides)} |")
    return lines


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{cpu}, {os.cpu_count()} logical CPUs, torch {torch.__version__}, {torch.get_num_threads()} threads"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=30, help="timed runs per measurement (median)")
    parser.add_argument("--threads", type=int, default=2, help="torch CPU threads")
    parser.add_argument("--no-compile", dest="compile", action="store_false", help="skip torch.compile")
    parser.add_argument("--presets", default=",".join(list_models()), help="comma-separated preset names")
    parser.add_argument("--only", default="size,latency,lite", help="sections to run: size, latency, lite")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="change a field of the lite preset's config in the lite section (JSON value)")
    parser.add_argument("--write", type=Path, help="also write the markdown to this file")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    names = [n for n in args.presets.split(",") if n]
    unknown = sorted(set(names) - set(list_models()))
    if unknown:
        parser.error(f"unknown presets {unknown}; known: {', '.join(list_models())}")

    try:
        overrides = {key: json.loads(value) for key, value in (item.split("=", 1) for item in args.set)}
        model_config(LITE, **overrides)
    except ValueError as error:  # also json.JSONDecodeError and a missing "="
        parser.error(f"--set: {error}")
    sections = set(args.only.split(","))
    if sections - {"size", "latency", "lite"}:
        parser.error(f"unknown sections {sorted(sections - {'size', 'latency', 'lite'})}")

    load_before = os.getloadavg()
    out = []
    if "size" in sections:
        out += ["## Size and cost (batch 1; MACs = FlopCounterMode FLOPs / 2)", ""] + size_table(names) + [""]
    if "latency" in sections:
        setting = f"batch 1, one person, two streams, {args.threads} threads, median (fastest) of {args.repeats}"
        out += [f"## CPU latency ({setting})", ""] + latency_table(names, args.repeats, args.compile) + [""]
    if "lite" in sections:
        out += ["## Lite preset", ""] + lite_lines(args.repeats, args.compile, overrides) + [""]
    load_after = os.getloadavg()
    out.append(f"Machine: {machine()}. Load average (1 min) {load_before[0]:.1f} before, {load_after[0]:.1f} after.")
    out.append("Times in ms: median (fastest) of the timed runs.")
    text = "\n".join(out) + "\n"
    print(text)
    if args.write:
        command = "python bench/models.py " + " ".join(argv if argv is not None else sys.argv[1:])
        header = f"# Model benchmarks\n\nMade by `{command.strip()}` on {time.strftime('%Y-%m-%d')}.\n\n"
        args.write.write_text(header + text)


if __name__ == "__main__":
    main()
