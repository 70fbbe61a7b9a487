"""Size, cost and CPU speed of every model preset; training throughput of the lite one.

Sections:
- size: parameters and multiply-adds (torch FlopCounterMode on the meta device, FLOPs / 2)
  of every preset, single- and two-stream, for one 1-person and one 2-person sample;
- latency: batch 1, one person, two streams, on ``--threads`` CPU threads, eager and
  ``torch.compile``: median of ``--repeats`` forwards (after warm-up), the compile time,
  and each time as a multiple of the lite preset's eager time measured in the same run
  (the machine may be shared: ratios are steadier than absolute times);
- lite: the lite preset with one and with two persons, eager and compiled, and a training
  step (forward of all heads, SMFL + mutual loss, backward, Adam) on a batch of 16.

Prints markdown; ``--write FILE`` also saves it with the command and machine details.

    .venv/bin/python bench/models.py [--repeats 30] [--threads 2] [--no-compile] [--only size,latency,lite]
                                     [--presets slnl_rfa_lite,ts_san_ntu] [--write docs/benchmarks-models.md]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import torch
from torch.utils.flop_counter import FlopCounterMode

from recognizer.losses import LossConfig, MultiHeadLoss
from recognizer.models import create_model, list_models, model_config

LITE = "slnl_rfa_lite"
NUM_CLASSES = 60


def sample(name: str, batch: int = 1, persons: int = 1, device: str = "cpu") -> torch.Tensor:
    c = model_config(name)
    return torch.randn(batch, c.in_channels, c.T, c.num_joints, persons, device=device)


def size_and_macs(name: str, two_stream: bool, persons: int) -> tuple[int, float]:
    with torch.device("meta"):
        model = create_model(name, NUM_CLASSES, two_stream=two_stream).eval()
        with FlopCounterMode(display=False) as counter:
            model(sample(name, persons=persons, device="meta"))
    return sum(p.numel() for p in model.parameters()), counter.get_total_flops() / 2


def median_ms(fn: Callable[[], object], repeats: int, warmup: int) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1e3 * statistics.median(times)


def inference_ms(model: torch.nn.Module, x: torch.Tensor, repeats: int, warmup: int) -> float:
    with torch.inference_mode():
        return median_ms(lambda: model(x), repeats, warmup)


def compiled_ms(model: torch.nn.Module, x: torch.Tensor, repeats: int, warmup: int) -> tuple[float | None, str]:
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


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def training_samples_per_s(name: str, batch: int, persons: int, steps: int, compile_model: bool) -> str:
    torch.manual_seed(0)
    model = create_model(name, NUM_CLASSES).train()
    x, y = sample(name, batch, persons), torch.randint(0, NUM_CLASSES, (batch,))
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
            ms = median_ms(step, steps, warmup=3)
    except Exception as error:
        return f"failed: {str(error).splitlines()[0][:80]}"
    return f"{1e3 * batch / ms:.0f} samples/s ({ms:.0f} ms/step)"


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
    reference: tuple[float, float | None] | None = None
    for name in [LITE] + [n for n in names if n != LITE]:
        torch.manual_seed(0)
        model = create_model(name, NUM_CLASSES).eval()
        x = sample(name)
        warmup = 5 if name == LITE else 2
        eager = inference_ms(model, x, repeats, warmup)
        compiled, note = compiled_ms(model, x, repeats, warmup) if compile_model else (None, "-")
        reference = reference or (eager, compiled)
        ratio = "-" if compiled is None or reference[1] is None else f"{compiled / reference[1]:.2f}"
        lines.append(f"| {name} | {eager:.1f} | {eager / reference[0]:.2f} | {_ms(compiled)} | {ratio} | {note} |")
        print(f"  {name}: eager {eager:.1f} ms, compiled {_ms(compiled)} ms", file=sys.stderr, flush=True)
    return lines


def lite_lines(repeats: int, compile_model: bool) -> list[str]:
    lines = ["| lite, batch 1, two streams | eager ms | compiled ms | compile s |", "|---|---:|---:|---:|"]
    torch.manual_seed(0)
    model = create_model(LITE, NUM_CLASSES).eval()
    for persons in (1, 2):
        x = sample(LITE, persons=persons)
        eager = inference_ms(model, x, repeats, 5)
        compiled, note = compiled_ms(model, x, repeats, 5) if compile_model else (None, "-")
        lines.append(f"| {persons} person{'s' if persons > 1 else ''} | {eager:.1f} | {_ms(compiled)} | {note} |")
    lines += ["", "| lite training step, batch 16, 2 persons | throughput |", "|---|---|"]
    lines.append(f"| eager | {training_samples_per_s(LITE, 16, 2, repeats, False)} |")
    if compile_model:
        lines.append(f"| compiled | {training_samples_per_s(LITE, 16, 2, repeats, True)} |")
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
    parser.add_argument("--write", type=Path, help="also write the markdown to this file")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    names = [n for n in args.presets.split(",") if n]
    unknown = sorted(set(names) - set(list_models()))
    if unknown:
        parser.error(f"unknown presets {unknown}; known: {', '.join(list_models())}")

    sections = set(args.only.split(","))
    if sections - {"size", "latency", "lite"}:
        parser.error(f"unknown sections {sorted(sections - {'size', 'latency', 'lite'})}")

    load_before = os.getloadavg()
    out = []
    if "size" in sections:
        out += ["## Size and cost (batch 1; MACs = FlopCounterMode FLOPs / 2)", ""] + size_table(names) + [""]
    if "latency" in sections:
        setting = f"batch 1, one person, two streams, {args.threads} threads, median of {args.repeats}"
        out += [f"## CPU latency ({setting})", ""] + latency_table(names, args.repeats, args.compile) + [""]
    if "lite" in sections:
        out += ["## Lite preset", ""] + lite_lines(args.repeats, args.compile) + [""]
    load_after = os.getloadavg()
    out.append(f"Machine: {machine()}. Load average (1 min) {load_before[0]:.1f} before, {load_after[0]:.1f} after.")
    text = "\n".join(out) + "\n"
    print(text)
    if args.write:
        command = "python bench/models.py " + " ".join(argv if argv is not None else sys.argv[1:])
        header = f"# Model benchmarks\n\nMade by `{command.strip()}` on {time.strftime('%Y-%m-%d')}.\n\n"
        args.write.write_text(header + text)


if __name__ == "__main__":
    main()
