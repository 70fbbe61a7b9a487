"""Soak test: the live pipeline on a looping video for a long time, watching for leaks and backlog.

Runs what the app runs — a source offering frames at the video's own rate into a
latest-wins slot, pose + tracking, the threaded StreamingRecognizer — and every `--every`
seconds prints the process's memory (RSS), threads and open files, how full the two
one-item queues are (the frame slot and the engine's pending window), frames offered /
processed / dropped and predictions made. At the end: RSS after warm-up vs at the end,
growth % and its trend (MB/h), the largest queue length seen, and the dropped-frame rate.
Goal (issue 10): RSS growth < 5 % over 30 minutes and no queue growth.

    .venv/bin/python bench/soak.py --minutes 30 [--video V] [--model M] [--json]

The default video is ../shared/data/videos/ta_chi.mp4, the default model the bundled
starter model. Progress lines go to stderr when --json prints the report on stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch

from recognizer.engine import EngineConfig, ModelSpec, Prediction, StreamingRecognizer, load_recognizer
from recognizer.paths import STARTER_MODEL
from recognizer.pipeline import Pipeline
from recognizer.pose import PoseEstimator
from recognizer.realtime_feed import RealtimeFeeder
from recognizer.video import VideoFileSource

VIDEO = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "videos" / "ta_chi.mp4"
MB = 1024 * 1024


def _proc_status(key: str) -> int:
    """A number from /proc/self/status (Linux), e.g. "VmRSS" (kB) or "Threads"."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {key} in /proc/self/status")


def rss_bytes() -> int:
    """This process's resident memory: psutil when installed, else /proc/self/status."""
    try:
        import psutil
    except ImportError:
        return _proc_status("VmRSS") * 1024  # kB
    return psutil.Process().memory_info().rss


def os_threads() -> int:
    """Threads of the whole process, native ones (MediaPipe, torch) included."""
    try:
        import psutil
    except ImportError:
        return _proc_status("Threads")
    return psutil.Process().num_threads()


def open_files() -> int:
    """Open file descriptors (a leak of captures or model files shows here); -1 where unknown."""
    try:
        return len(os.listdir("/proc/self/fd"))
    except OSError:
        return -1


@dataclass(frozen=True)
class SoakConfig:
    seconds: float = 1800.0  # measured time after warm-up
    every_s: float = 30.0  # seconds between samples
    warmup_s: float = 20.0  # run this long before the baseline RSS (allocators, caches, first windows)


@dataclass(frozen=True)
class Sample:
    """One report line: counters since the start of the measured run, levels at this moment."""

    t_s: float  # seconds since the end of warm-up
    rss_mb: float
    threads: int  # OS threads of the process
    open_files: int
    slot_pending: int  # frame slot: 1 if a frame waits for the pipeline now
    worker_pending: int  # engine: 1 if a window waits for the model now
    offered: int
    processed: int
    dropped: int
    predictions: int  # windows the model answered
    model_ms: float  # median model time over the interval
    latency_ms: float  # median newest-frame → prediction over the interval


@dataclass
class _Counters:
    """Shared by the pipeline loop and the engine's model thread, under `lock`."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    processed: int = 0
    predictions: int = 0
    latencies_ms: list[float] = field(default_factory=list)  # since the last sample

    def on_prediction(self, prediction: Prediction) -> None:
        if prediction.window_probs is None:  # a state ("warming up", "no person"), not a model answer
            return
        with self.lock:
            self.predictions += 1
            self.latencies_ms.append(prediction.latency_ms)


def _totals(counters: _Counters, feeder: RealtimeFeeder) -> tuple[int, int, int, int]:
    """(offered, processed, dropped, predictions) so far."""
    with feeder.lock, counters.lock:
        return feeder.offered, counters.processed, feeder.dropped, counters.predictions


def median(values: list[float]) -> float:
    return float(np.median(values)) if values else float("nan")


def soak(video: Path, model: torch.nn.Module, spec: ModelSpec, config: SoakConfig,
         report=lambda sample: None) -> dict:
    """Run the live path for warm-up + `config.seconds`; `report(sample)` is called every `every_s`."""
    counters = _Counters()
    engine = StreamingRecognizer(model, spec, EngineConfig(), on_prediction=counters.on_prediction)
    samples: list[Sample] = []
    max_slot = max_worker = 0
    busy_iterations = iterations = 0  # iterations that found the next frame already waiting
    with (VideoFileSource(video, loop=True) as source, PoseEstimator() as pose,
          RealtimeFeeder(source, name="soak-producer") as feeder):
        pipeline = Pipeline(pose)
        rss_loaded_mb = rss_bytes() / MB
        start = time.perf_counter()
        measuring_from = start + config.warmup_s
        next_sample = measuring_from
        end = measuring_from + config.seconds
        baseline = None
        while True:
            now = time.perf_counter()
            if now >= next_sample:
                if baseline is None:  # warm-up over: counters and RSS start here
                    baseline = _totals(counters, feeder)
                    with counters.lock:
                        counters.latencies_ms.clear()
                    max_slot = max_worker = busy_iterations = iterations = 0
                recent_model_ms = list(engine.model_ms)  # the engine keeps the last 1000 timings
                sample = _sample(now - measuring_from, counters, feeder, baseline, median(recent_model_ms), engine)
                samples.append(sample)
                report(sample)
                if now >= end:
                    break
                next_sample = min(next_sample + config.every_s, end)
            frame = feeder.take(timeout=1.0)
            if frame is None:
                if not feeder.alive:  # its traceback is already on stderr
                    raise RuntimeError(f"{video}: the looping source stopped delivering frames")
                continue
            result = pipeline.process(frame)
            engine.push(result.skeletons, frame.timestamp_s)
            with counters.lock:
                counters.processed += 1
            waiting = feeder.waiting
            pending = engine.pending_windows
            max_slot, max_worker = max(max_slot, waiting), max(max_worker, pending)
            busy_iterations += waiting
            iterations += 1
    engine.wait_idle()
    engine.close()
    return {"video": str(video), "device": str(engine.device), "torch_threads": torch.get_num_threads(),
            "warmup_s": config.warmup_s, "seconds": config.seconds, "rss_loaded_mb": rss_loaded_mb,
            "samples": [asdict(s) for s in samples],
            "summary": summarize(samples, max_slot, max_worker, busy_iterations / max(iterations, 1))}


def _sample(t_s: float, counters: _Counters, feeder: RealtimeFeeder, baseline: tuple[int, int, int, int],
            model_ms: float, engine: StreamingRecognizer) -> Sample:
    offered, processed, dropped, predictions = (now - then for now, then in zip(_totals(counters, feeder), baseline))
    with counters.lock:
        latencies, counters.latencies_ms = counters.latencies_ms, []
    return Sample(t_s=round(t_s, 1), rss_mb=rss_bytes() / MB, threads=os_threads(),
                  open_files=open_files(), slot_pending=feeder.waiting, worker_pending=engine.pending_windows,
                  offered=offered, processed=processed, dropped=dropped, predictions=predictions,
                  model_ms=model_ms, latency_ms=median(latencies))


def summarize(samples: list[Sample], max_slot: int, max_worker: int, busy_fraction: float) -> dict:
    """The verdict: memory growth and trend, queue lengths, drop rate."""
    first, last = samples[0], samples[-1]
    t = np.array([s.t_s for s in samples]) / 3600.0  # hours
    rss = np.array([s.rss_mb for s in samples])
    slope = float(np.polyfit(t, rss, 1)[0]) if len(samples) >= 3 else float("nan")
    return {"rss_start_mb": first.rss_mb, "rss_end_mb": last.rss_mb, "rss_max_mb": float(rss.max()),
            "rss_growth_pct": 100.0 * (last.rss_mb - first.rss_mb) / first.rss_mb, "rss_trend_mb_per_h": slope,
            "threads_start": first.threads, "threads_end": last.threads,
            "open_files_start": first.open_files, "open_files_end": last.open_files,
            "max_slot_pending": max_slot, "max_worker_pending": max_worker,
            "busy_fraction": busy_fraction,  # share of frames after which the next one was already waiting
            "offered": last.offered, "processed": last.processed, "dropped": last.dropped,
            "dropped_pct": 100.0 * last.dropped / max(last.offered, 1), "predictions": last.predictions,
            "fps_processed": last.processed / max(last.t_s, 1e-9),
            "predictions_per_s": last.predictions / max(last.t_s, 1e-9)}


def format_sample(sample: Sample) -> str:
    return (f"t={sample.t_s:7.1f}s  rss {sample.rss_mb:7.1f} MB  threads {sample.threads:3d}  "
            f"fds {sample.open_files:3d} | queue: slot {sample.slot_pending} worker {sample.worker_pending} | "
            f"offered {sample.offered:6d} processed {sample.processed:6d} dropped {sample.dropped:6d} | "
            f"predictions {sample.predictions:5d}  model {sample.model_ms:6.1f} ms  latency {sample.latency_ms:6.1f} ms")


def format_summary(report: dict) -> str:
    s = report["summary"]
    return "\n".join([
        f"soak: {report['seconds'] / 60:g} min after {report['warmup_s']:.0f} s warm-up on {report['video']}, "
        f"device {report['device']}, {report['torch_threads']} torch threads",
        f"  RSS {s['rss_start_mb']:.1f} MB after warm-up → {s['rss_end_mb']:.1f} MB at the end "
        f"({s['rss_growth_pct']:+.2f} %; trend {s['rss_trend_mb_per_h']:+.1f} MB/h; max {s['rss_max_mb']:.1f} MB)",
        f"  threads {s['threads_start']} → {s['threads_end']}, open files {s['open_files_start']} → "
        f"{s['open_files_end']}",
        f"  max queue length: frame slot {s['max_slot_pending']}, engine window {s['max_worker_pending']} "
        f"(next frame already waiting after {100 * s['busy_fraction']:.0f} % of frames)",
        f"  frames offered {s['offered']}, processed {s['processed']} ({s['fps_processed']:.1f} fps), "
        f"dropped {s['dropped']} ({s['dropped_pct']:.1f} %); predictions {s['predictions']} "
        f"({s['predictions_per_s']:.1f}/s)",
    ])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=30.0, help="measured time after warm-up (default 30)")
    parser.add_argument("--video", type=Path, default=VIDEO, help="a video with a person in it (looped)")
    parser.add_argument("--model", type=Path, default=STARTER_MODEL, help="model file (default: starter model)")
    parser.add_argument("--every", type=float, default=30.0, help="seconds between report lines (default 30)")
    parser.add_argument("--warmup", type=float, default=20.0, help="seconds before the baseline (default 20)")
    parser.add_argument("--threads", type=int, default=max(1, (os.cpu_count() or 2) // 2),
                        help="torch threads (default: half the cores, as the app uses)")
    parser.add_argument("--json", action="store_true", help="print the report as one JSON object on stdout")
    args = parser.parse_args(argv)
    if not args.video.is_file():
        parser.error(f"video not found: {args.video} (give one with --video)")
    if not args.model.is_file():
        parser.error(f"model not found: {args.model} (give one with --model)")
    torch.set_num_threads(args.threads)
    model, spec = load_recognizer(args.model)
    log = sys.stderr if args.json else sys.stdout
    config = SoakConfig(seconds=args.minutes * 60.0, every_s=args.every, warmup_s=args.warmup)
    report = soak(args.video, model, spec, config, lambda sample: print(format_sample(sample), file=log, flush=True))
    report["model"] = str(args.model)
    print(format_summary(report), file=log)
    if args.json:
        print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
