"""StreamingRecognizer: from per-frame skeletons to steady, timely predictions.

Per frame (cheap, on the caller's thread): resample to the model's fps, write into the
device-resident ring. Every `stride` model frames: pick the acting person, take the last T
frames, preprocess exactly as training did, run the model (on its own thread, latest-wins,
so a slow model drops stale windows instead of queueing them), then smooth and apply
hysteresis so the label on screen does not flicker. Frequency and attention maps are
computed only when someone asks, for the window of the latest prediction.
"""

from __future__ import annotations

import collections
import dataclasses
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch

from recognizer.actor import ActorSelector, actor_scores
from recognizer.checkpoint import ModelCard, load_model
from recognizer.latest import LatestWinsWorker
from recognizer.maps import AttentionMaps, AttentionQuery, FrequencyMaps, window_maps
from recognizer.models.introspect import keep_maps
from recognizer.preprocess import Preprocessing
from recognizer.resample import TimeResampler
from recognizer.ring import SkeletonRing, best_device
from recognizer.smoothing import Smoother, SmoothingConfig

NO_PERSON, WARMING_UP, UNKNOWN, RECOGNIZED = "no person", "warming up", "unknown", "recognized"
STRIDE_S = 0.133  # default time between inferences: 7.5 predictions a second
WARM_UP_S = 0.5  # default history needed before the first guess
MODEL_TIMES_KEPT = 1000  # recent model timings kept for the status bar and benchmarks (bounded: runs for hours)


@dataclass(frozen=True)
class EngineConfig:
    stride: int | None = None  # model-rate frames between inferences; None: every ~0.13 s at the model's fps
    min_frames: int | None = None  # frames before a first guess (shorter windows are resized to T as in
    #                                training); None: half a second at the model's fps
    no_person_s: float = 0.5  # nobody seen this long: say "no person" and restart the window
    threshold: float | None = None  # confidence below which the answer is "unknown" (None: the model's own)
    smoothing: SmoothingConfig = field(default_factory=SmoothingConfig)
    threaded: bool = True  # run the model on its own thread (live); False: inline (files, tests)


@dataclass(frozen=True)
class ModelSpec:
    """What the engine needs to know about a model, from its checkpoint card."""

    labels: tuple[str, ...]
    preprocessing: Preprocessing
    fps: float = 30.0
    persons: int = 1  # persons the model reads; 1: the acting person only
    background_label: str | None = None  # a "none of these" class, shown as unknown
    threshold: float = 0.5  # confidence below which the model's answer is "unknown"
    few_shot: tuple[str, ...] = ()  # labels recognized from prototypes, not trained (shown as such)

    @classmethod
    def from_card(cls, card: ModelCard) -> ModelSpec:
        return cls(labels=tuple(card.labels), preprocessing=card.preprocessing, fps=card.fps,
                   persons=card.persons, background_label=card.background_label,
                   threshold=card.threshold if card.threshold is not None else cls.threshold)


def load_recognizer(path: str | os.PathLike, device: torch.device | str | None = None
                    ) -> tuple[torch.nn.Module, ModelSpec]:
    """A model file (safetensors + JSON card) → the model on `device` and what the engine needs."""
    model, card = load_model(path, device or best_device())
    return model, ModelSpec.from_card(card)


@dataclass(frozen=True)
class Prediction:
    time: float  # source time (s) of the newest frame in the window
    label: str  # the shown label, or one of the states' words
    score: float  # smoothed probability of the shown label
    probs: np.ndarray  # (K,) smoothed probabilities over `labels`
    state: str  # "recognized" | "unknown" | "warming up" | "no person"
    latency_ms: float  # newest frame's arrival → this prediction
    actor: int | None = None  # person slot the label is about
    labels: tuple[str, ...] = ()
    window_probs: np.ndarray | None = None  # (K,) the model's raw output for this window (before smoothing)
    frequency: tuple[FrequencyMaps, ...] | None = None  # when `want_frequency` is set
    attention: AttentionMaps | None = None  # when `attention_query` is set

    def top(self, k: int = 5) -> list[tuple[str, float]]:
        order = np.argsort(self.probs)[::-1][:k]
        return [(self.labels[i], float(self.probs[i])) for i in order]


@dataclass(frozen=True)
class _Window:
    """One stride's job for the model thread."""

    x: torch.Tensor  # (C, T', V, M) raw window, on the model's device
    actor: int
    time: float
    arrived: float  # perf_counter() when its newest frame arrived
    maps_only: bool = False  # recompute the maps of an already published window


def prepare_input(window: torch.Tensor, actor: int, spec: ModelSpec) -> torch.Tensor:
    """`(C, T', V, M_in)` raw skeletons → `(1, C, T, V, M)` model input, the actor first.

    The one path from tracked skeletons to a model input: the engine, few-shot embedding
    and anything else that feeds a model windows goes through it.
    """
    others = [m for m in range(window.shape[-1]) if m != actor]
    x = window[..., ([actor] + others)[: spec.persons]]  # (C, T', V, M)
    if x.shape[-1] < spec.persons:  # fewer tracked slots than the model reads: empty persons
        x = torch.nn.functional.pad(x, (0, spec.persons - x.shape[-1]))
    return spec.preprocessing.apply_test(x.unsqueeze(0))  # (1, C, T, V, M)


@dataclass(frozen=True)
class _Result:
    """What the model thread hands back for one window."""

    job: _Window
    probs: np.ndarray  # (K,) softmax of the window
    model_ms: float
    frequency: tuple[FrequencyMaps, ...] | None
    attention: AttentionMaps | None


class StreamingRecognizer:
    def __init__(self, model: torch.nn.Module, spec: ModelSpec, config: EngineConfig = EngineConfig(),
                 device: torch.device | str | None = None,
                 on_prediction: Callable[[Prediction], None] | None = None,
                 on_error: Callable[[BaseException], None] | None = None):
        self.device = torch.device(device) if device is not None else best_device()
        self.model = model.to(self.device).eval()
        self.spec = spec
        self.config = config
        self.window_frames = spec.preprocessing.T
        self.ring = SkeletonRing(self.window_frames, persons=2, device=self.device)
        self.resampler = TimeResampler(spec.fps)
        self.actors = ActorSelector()
        background = spec.labels.index(spec.background_label) if spec.background_label in spec.labels else None
        self.smoother = Smoother(config.smoothing, background_index=background)
        self.threshold = config.threshold if config.threshold is not None else spec.threshold
        self._on_prediction = on_prediction
        self._since_inference = 0
        self._last_person_t: float | None = None
        self._lock = threading.Lock()
        self.latest: Prediction | None = None
        self.last_window: _Window | None = None  # what the latest prediction saw (for maps)
        self.model_ms: collections.deque[float] = collections.deque(maxlen=MODEL_TIMES_KEPT)
        self.want_frequency = False  # set while someone shows the frequency view
        self.attention_query: AttentionQuery | None = None  # set while someone shows attention
        self.stride = config.stride or max(1, round(STRIDE_S * spec.fps))
        self.min_frames = config.min_frames or max(2, round(WARM_UP_S * spec.fps))
        self._worker = LatestWinsWorker(self._infer, self._publish, on_error) if config.threaded else None

    # ---- per frame -------------------------------------------------------------------
    def push(self, skeletons: np.ndarray, t: float) -> Prediction | None:
        """Feed one frame's tracked skeletons `(M ≤ 2, 18, 3)` seen at source time `t` (s).

        Returns a prediction when one was made for this frame inline (non-threaded mode,
        or a state such as "no person"); threaded predictions arrive via `on_prediction`.
        """
        arrived = time.perf_counter()
        frame = np.zeros((3, 18, 2), np.float32)  # (C, V, M)
        persons = min(len(skeletons), 2)
        frame[:, :, :persons] = skeletons[:persons].transpose(2, 1, 0)  # (M, V, C) → (C, V, M)
        if (frame[2] > 0).sum() > 3:
            self._last_person_t = t
        elif self._last_person_t is None or t - self._last_person_t >= self.config.no_person_s:
            return self._state_only(NO_PERSON, t, arrived)
        new_frames = self.resampler.push(frame, t)
        for f in new_frames:
            self.ring.write(f)
        self._since_inference += len(new_frames)
        if self._since_inference < self.stride:
            return None
        self._since_inference = 0
        if self.ring.length < self.min_frames:
            return self._state_only(WARMING_UP, t, arrived)
        return self._run_window(t, arrived)

    def flush(self) -> Prediction | None:
        """Predict now on whatever the window holds (the end of a file, a clip shorter than a stride)."""
        if self.ring.length < 2 or self._last_person_t is None:
            return None
        self._since_inference = 0
        return self._run_window(self._last_person_t, time.perf_counter())

    def _run_window(self, t: float, arrived: float) -> Prediction | None:
        window = self.ring.latest()  # (C, T', V, M) view on the device
        actor = self.actors.update(actor_scores(window, self.spec.fps))
        if actor is None:
            return self._state_only(NO_PERSON, t, arrived)
        job = _Window(window.clone(), actor, t, arrived)
        if self._worker is not None:
            self._worker.submit(job)
            return None
        return self._publish(self._infer(job))

    def _state_only(self, state: str, t: float, arrived: float) -> Prediction:
        if state == NO_PERSON:
            self.ring.clear()
            self.resampler.reset()
            self.smoother.reset()
            self.actors.reset()
        k = len(self.spec.labels)
        prediction = Prediction(t, state, 0.0, np.zeros(k, np.float32), state,
                                (time.perf_counter() - arrived) * 1e3, None, self.spec.labels)
        with self._lock:
            self.latest = prediction
        if self._on_prediction is not None:
            self._on_prediction(prediction)
        return prediction

    # ---- per stride (model thread when threaded) -------------------------------------
    def model_input(self, window: torch.Tensor, actor: int) -> torch.Tensor:
        return prepare_input(window, actor, self.spec)

    @torch.inference_mode()
    def _infer(self, job: _Window) -> _Result:
        t0 = time.perf_counter()
        x = self.model_input(job.x, job.actor)  # (1, C, T, V, M)
        want_frequency, query = self.want_frequency, self.attention_query
        if want_frequency or query is not None:
            with keep_maps(self.model):
                logits = self.model(x)  # (1, K)
            window = x[0, :, :, :, 0].cpu().numpy()  # (C, T, V) the actor
            frequency, attention = window_maps(self.model, self.spec.fps, query, window, want_frequency)
        else:
            logits = self.model(x)  # (1, K)
            frequency = attention = None
        probs = torch.softmax(logits.float(), dim=-1)[0].cpu().numpy()
        return _Result(job, probs, (time.perf_counter() - t0) * 1e3, frequency, attention)

    def request_maps(self) -> None:
        """Recompute the maps (current `want_frequency` / `attention_query`) for the latest
        window, e.g. for a paused view; the result arrives through `on_prediction`."""
        with self._lock:
            job = self.last_window
        if job is None:
            return
        job = dataclasses.replace(job, maps_only=True)
        if self._worker is not None:
            self._worker.submit(job)
        else:
            self._publish(self._infer(job))

    def _publish(self, result: _Result) -> Prediction:
        job, probs, model_ms = result.job, result.probs, result.model_ms
        if job.maps_only:
            with self._lock:
                prediction = dataclasses.replace(self.latest, frequency=result.frequency, attention=result.attention)
                self.latest = prediction
            if self._on_prediction is not None:
                self._on_prediction(prediction)
            return prediction
        with self._lock:
            decision = self.smoother.update(probs, job.time)
            if decision.label_index is not None and decision.score >= self.threshold:
                label, state = self.spec.labels[decision.label_index], RECOGNIZED
            else:
                label, state = UNKNOWN, UNKNOWN
            prediction = Prediction(job.time, label, decision.score, decision.probs, state,
                                    (time.perf_counter() - job.arrived) * 1e3, job.actor, self.spec.labels,
                                    window_probs=probs, frequency=result.frequency, attention=result.attention)
            self.latest, self.last_window = prediction, job
            self.model_ms.append(model_ms)
        if self._on_prediction is not None:
            self._on_prediction(prediction)
        return prediction

    # ---- lifecycle --------------------------------------------------------------------
    def reset(self) -> None:
        """Forget the stream (new source, seek)."""
        with self._lock:
            self.ring.clear()
            self.resampler.reset()
            self.smoother.reset()
            self.actors.reset()
            self._since_inference = 0
            self._last_person_t = None
            self.latest = self.last_window = None

    def wait_idle(self, timeout: float = 10.0) -> bool:
        return True if self._worker is None else self._worker.wait_idle(timeout)

    @property
    def pending_windows(self) -> int:
        """Windows waiting for the model (0 or 1: latest-wins never queues)."""
        return 0 if self._worker is None else self._worker.pending

    @property
    def dropped_windows(self) -> int:
        return 0 if self._worker is None else self._worker.dropped

    def close(self) -> None:
        if self._worker is not None:
            self._worker.stop()
