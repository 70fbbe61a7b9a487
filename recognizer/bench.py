"""Measuring the live path the way the app runs it.

* per stage: decode, pose, map+track, engine push (resample + ring write), model, and
  end to end (a frame's decode start → the prediction that includes it);
* sustained fps: frames fed as fast as the pipeline takes them (model on its own thread);
* real time: a producer offers frames at the source's rate into a latest-wins slot, and
  every frame it overwrites before the pipeline took it counts as dropped;
* onset latency: a generated person switches from one action to another; how long until
  the shown label follows (stream time the window needs + the model's time).
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from recognizer.engine import EngineConfig, ModelSpec, Prediction, StreamingRecognizer
from recognizer.pipeline import Pipeline
from recognizer.pose import PoseConfig, PoseEstimator
from recognizer.realtime_feed import RealtimeFeeder
from recognizer.video import VideoFileSource


def median(values) -> float:
    return float(statistics.median(values)) if len(values) else float("nan")


def p95(values) -> float:
    return float(np.percentile(values, 95)) if len(values) else float("nan")


@dataclass
class _Collector:
    predictions: list

    def __call__(self, prediction: Prediction) -> None:
        self.predictions.append(prediction)


def stage_timings(video: Path, model, spec: ModelSpec, seconds: float, pose_config: PoseConfig = PoseConfig()) -> dict:
    """Per-stage ms and sustained fps, feeding a looping video as fast as it goes."""
    collected = _Collector([])
    engine = StreamingRecognizer(model, spec, EngineConfig(), on_prediction=collected)
    stages: dict[str, list[float]] = {"decode": [], "pose": [], "map_track": [], "push": []}
    before_push: dict[float, float] = {}  # frame time → ms spent before the engine got it
    frames = 0
    with VideoFileSource(video, loop=True) as source, PoseEstimator(pose_config) as pose:
        pipeline = Pipeline(pose)
        start = time.perf_counter()
        for result in pipeline.run(source):
            t0 = time.perf_counter()
            engine.push(result.skeletons, result.frame.timestamp_s)
            push_ms = (time.perf_counter() - t0) * 1e3
            for key in ("decode", "pose", "map_track"):
                stages[key].append(result.timings_ms[key])
            stages["push"].append(push_ms)
            before_push[result.frame.timestamp_s] = sum(result.timings_ms.values())
            frames += 1
            if time.perf_counter() - start >= seconds:
                break
        elapsed = time.perf_counter() - start
    engine.wait_idle()
    engine.close()
    made = [p for p in collected.predictions if p.window_probs is not None]
    end_to_end = [before_push.get(p.time, 0.0) + p.latency_ms for p in made]
    out = {f"{k}_ms": median(v) for k, v in stages.items()}
    out |= {f"{k}_p95_ms": p95(v) for k, v in stages.items()}
    out |= {"model_ms": median(engine.model_ms), "model_p95_ms": p95(engine.model_ms),
            "end_to_end_ms": median(end_to_end), "end_to_end_p95_ms": p95(end_to_end),
            "fps_sustained": frames / elapsed, "predictions": len(made),
            "windows_dropped_fast": engine.dropped_windows}
    return out


def realtime(video: Path, model, spec: ModelSpec, seconds: float, pose_config: PoseConfig = PoseConfig()) -> dict:
    """Frames offered at the source's own rate; the pipeline always takes the newest."""
    engine = StreamingRecognizer(model, spec, EngineConfig())
    processed = 0
    with VideoFileSource(video, loop=True) as source, PoseEstimator(pose_config) as pose, RealtimeFeeder(source) as feeder:
        pipeline = Pipeline(pose)
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            frame = feeder.take(timeout=1.0)
            if frame is None:
                continue
            result = pipeline.process(frame)
            engine.push(result.skeletons, frame.timestamp_s)
            processed += 1
    engine.wait_idle()
    engine.close()
    return {"fps_realtime_offered": feeder.offered / seconds, "fps_realtime": processed / seconds,
            "fps_realtime_dropped": feeder.dropped}


def onset_latency(model, spec: ModelSpec, pairs: list[tuple[str, str]], seconds_each: float = 4.0,
                  seed: int = 0) -> dict:
    """Median time from an action switch to the shown label following it, over `pairs`.

    Also the median time until the model's own top-1 for a window first names the new
    action (`onset_model_s`): the difference is what smoothing and hysteresis add.
    """
    from recognizer.data.synthetic import generate_clip

    fps = spec.fps
    delays, raw_delays, model_ms = [], [], []
    rng = np.random.default_rng(seed)
    for first, second in pairs:
        if first not in spec.labels or second not in spec.labels:
            continue
        engine = StreamingRecognizer(model, spec, EngineConfig(threaded=False))
        a = generate_clip(first, rng, seconds=seconds_each, fps=fps)  # (C, T, V, 1)
        b = generate_clip(second, rng, seconds=seconds_each, fps=fps)
        sequence = np.concatenate([a, b], axis=1)  # (C, 2T, V, 1)
        switch_t = a.shape[1] / fps
        target = spec.labels.index(second)
        followed = raw = None
        for i in range(sequence.shape[1]):
            t = i / fps
            prediction = engine.push(sequence[:, i].transpose(2, 1, 0), t)  # (M, V, C)
            if prediction is None or t < switch_t:
                continue
            if raw is None and prediction.window_probs is not None and int(np.argmax(prediction.window_probs)) == target:
                raw = t - switch_t
            if followed is None and prediction.label == second:
                followed = t - switch_t
        model_ms += engine.model_ms
        if followed is not None:
            delays.append(followed)
        if raw is not None:
            raw_delays.append(raw)
    model_s = median(model_ms) / 1e3 if model_ms else 0.0
    return {"onset_latency_s": median(delays) + model_s if delays else float("nan"),
            "onset_model_s": median(raw_delays) + model_s if raw_delays else float("nan"),
            "onset_followed": f"{len(delays)}/{len(pairs)}"}


def run_bench(video: Path, model, spec: ModelSpec, model_name: str, seconds: float = 10.0,
              pairs: list[tuple[str, str]] | None = None, max_persons: int = 2) -> dict:
    device = next(model.parameters()).device
    pose_config = PoseConfig(max_persons=max_persons)
    report = {"device": str(device), "model": model_name, "torch_threads": torch.get_num_threads(),
              "video": str(video), "max_persons": max_persons}
    report |= stage_timings(video, model, spec, seconds, pose_config)
    report |= realtime(video, model, spec, seconds, pose_config)
    report |= onset_latency(model, spec, pairs or DEFAULT_PAIRS)
    return report


# Switches between actions the starter model tells apart well on generated clips, so the
# figure measures how fast the shown label follows, not how often the model is right.
DEFAULT_PAIRS = [("standing still", "clapping"), ("standing still", "jogging in place"),
                 ("jogging in place", "standing still"), ("standing still", "bending forward"),
                 ("kicking", "clapping")]
