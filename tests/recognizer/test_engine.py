"""The streaming engine end to end on small models: states, windows, threads, real video."""

import time

import numpy as np
import pytest
import torch

from recognizer.checkpoint import ModelCard, save_model
from recognizer.engine import (
    NO_PERSON, RECOGNIZED, UNKNOWN, WARMING_UP, EngineConfig, ModelSpec, StreamingRecognizer, load_recognizer,
)
from recognizer.models import create_model
from recognizer.preprocess import Preprocessing

LABELS = ("waving", "clapping", "other")
TINY = dict(T=16, channels=(8, 8, 16, 16, 16, 16), virtual_joints=8, coordinate_systems=2, attention_reduction=8)


def tiny_model(two_stream: bool = True) -> torch.nn.Module:
    torch.manual_seed(0)
    return create_model("slnl_rfa_lite", len(LABELS), two_stream=two_stream, **TINY).eval()


def spec(**overrides) -> ModelSpec:
    fields = dict(labels=LABELS, preprocessing=Preprocessing(T=16, normalization="clip"), fps=30.0, persons=1,
                  background_label="other", threshold=0.3)
    return ModelSpec(**(fields | overrides))


def person_frame(t: float) -> np.ndarray:
    """One waving person `(1, 18, 3)` at time t."""
    rng = np.random.default_rng(3)
    frame = np.zeros((1, 18, 3), np.float32)
    frame[0, :, 0] = 0.5 + rng.uniform(-0.1, 0.1, 18)
    frame[0, :, 1] = 0.5 + rng.uniform(-0.3, 0.3, 18)
    frame[0, 4, 1] += 0.1 * np.sin(2 * np.pi * 1.5 * t)
    frame[0, :, 2] = 0.9
    return frame


def feed(engine, seconds: float, fps: float = 30.0, start: float = 0.0, frame=person_frame):
    out = []
    for i in range(int(seconds * fps)):
        t = start + i / fps
        prediction = engine.push(frame(t), t)
        if prediction is not None:
            out.append(prediction)
    return out


def test_states_from_warm_up_to_predictions_to_no_person():
    engine = StreamingRecognizer(tiny_model(), spec(), EngineConfig(threaded=False, min_frames=12, stride=4),
                                 device="cpu")
    predictions = feed(engine, 2.0)
    states = [p.state for p in predictions]
    assert states[0] == WARMING_UP and states[-1] in (RECOGNIZED, UNKNOWN)
    made = [p for p in predictions if p.window_probs is not None]
    assert len(made) >= 10
    for p in made:
        assert p.probs.shape == (3,) and p.probs.sum() == pytest.approx(1.0, abs=1e-5)
        assert p.labels == LABELS and p.actor == 0 and p.latency_ms >= 0
    nobody = feed(engine, 1.0, start=2.0, frame=lambda t: np.zeros((0, 18, 3), np.float32))
    assert nobody[-1].state == NO_PERSON and nobody[-1].label == NO_PERSON
    assert engine.ring.length == 0, "the window restarts when the person has gone"


@pytest.mark.parametrize("camera_fps", [15.0, 60.0])
def test_camera_rate_does_not_change_the_window(camera_fps):
    def window_after(fps):
        engine = StreamingRecognizer(tiny_model(), spec(), EngineConfig(threaded=False), device="cpu")
        for i in range(int(fps) + 1):  # frames from 0 s to 1 s inclusive, so all windows end at 1 s
            engine.push(person_frame(i / fps), i / fps)
        return engine.ring.latest(12).numpy()

    np.testing.assert_allclose(window_after(camera_fps), window_after(30.0), atol=0.01)


def test_threaded_inference_is_latest_wins():
    model = tiny_model()
    forward = model.forward

    def slow_forward(x):
        time.sleep(0.05)
        return forward(x)

    model.forward = slow_forward
    got = []
    engine = StreamingRecognizer(model, spec(), EngineConfig(stride=1, min_frames=4), device="cpu",
                                 on_prediction=got.append)
    pending = []
    for i in range(90):  # 3 s of frames pushed as fast as possible: far more strides than the model can take
        engine.push(person_frame(i / 30), i / 30)
        pending.append(engine.pending_windows)
    assert engine.wait_idle(10)
    engine.close()
    assert max(pending) <= 1
    assert engine.dropped_windows > 40
    made = [p for p in got if p.window_probs is not None]
    assert 1 <= len(made) < 40
    assert made[-1].time == pytest.approx(89 / 30, abs=1e-6), "the newest window was the one run last"


def test_short_clip_gets_a_prediction_on_flush():
    engine = StreamingRecognizer(tiny_model(), spec(), EngineConfig(threaded=False, min_frames=30, stride=30),
                                 device="cpu")
    assert all(p.window_probs is None for p in feed(engine, 0.5))
    final = engine.flush()
    assert final is not None and final.window_probs is not None


def test_engine_over_a_real_video(real_video_skeletons):
    data = real_video_skeletons["ta_chi.mp4"]  # (C, T, V, M)
    engine = StreamingRecognizer(tiny_model(), spec(persons=2), EngineConfig(threaded=False), device="cpu")
    made = []
    for i in range(data.shape[1]):
        prediction = engine.push(data[:, i].transpose(2, 1, 0), i / 30.0)  # (M, V, C)
        if prediction is not None and prediction.window_probs is not None:
            made.append(prediction)
    assert len(made) > 60 and all(np.isfinite(p.probs).all() for p in made)
    assert {p.actor for p in made} == {0}


def test_load_recognizer_reads_the_card(tmp_path):
    model = tiny_model()
    card = ModelCard.for_model(model, list(LABELS), Preprocessing(T=16, normalization="clip"), persons=1,
                               background_label="other", threshold=0.45)
    save_model(tmp_path / "m.safetensors", model, card)
    loaded, loaded_spec = load_recognizer(tmp_path / "m.safetensors", device="cpu")
    assert loaded_spec.labels == LABELS and loaded_spec.threshold == 0.45 and loaded_spec.persons == 1
    assert loaded_spec.background_label == "other" and loaded_spec.preprocessing.T == 16


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device on this machine")
def test_engine_runs_on_cuda():
    engine = StreamingRecognizer(tiny_model(), spec(), EngineConfig(threaded=False), device="cuda")
    made = [p for p in feed(engine, 1.5) if p.window_probs is not None]
    assert made and engine.ring.device.type == "cuda"
    assert next(engine.model.parameters()).is_cuda


def test_maps_only_when_asked_with_documented_shapes():
    from recognizer.engine import AttentionQuery

    engine = StreamingRecognizer(tiny_model(), spec(), EngineConfig(threaded=False), device="cpu")
    plain = [p for p in feed(engine, 1.0) if p.window_probs is not None]
    assert plain[-1].frequency is None and plain[-1].attention is None

    engine.want_frequency = True
    engine.attention_query = AttentionQuery(joint=4, time=10)  # right wrist
    made = [p for p in feed(engine, 0.5, start=1.0) if p.window_probs is not None][-1]
    assert [m.stream for m in made.frequency] == ["position", "velocity"]
    for m in made.frequency:  # T = 16 frames → 9 temporal frequencies 0 … 15 Hz; N' = 8 virtual joints
        assert m.magnitude.shape == m.cos_mask.shape == m.sin_mask.shape == (9, 8)
        assert m.temporal_hz[0] == 0 and m.temporal_hz[-1] == pytest.approx(15.0)
        assert ((m.cos_mask >= 0) & (m.cos_mask <= 1)).all() and (m.magnitude >= 0).all()
    a = made.attention
    assert a.query == AttentionQuery(4, 10)
    assert a.spatial.shape == (18,) and a.temporal.shape == (16,) and a.spatiotemporal.shape == (16, 18)
    for attention in (a.spatial, a.temporal, a.spatiotemporal):
        assert attention.min() >= 0 and attention.sum() == pytest.approx(1.0, abs=1e-4)
    assert a.window.shape == (3, 16, 18)


def test_request_maps_recomputes_for_the_latest_window():
    from recognizer.engine import AttentionQuery

    got = []
    engine = StreamingRecognizer(tiny_model(), spec(), EngineConfig(threaded=False), device="cpu",
                                 on_prediction=got.append)
    feed(engine, 1.0)
    before = engine.latest
    engine.attention_query = AttentionQuery(joint=0, time=3)
    engine.request_maps()
    assert got[-1].time == before.time and got[-1].label == before.label
    assert got[-1].attention is not None and got[-1].attention.query.joint == 0
