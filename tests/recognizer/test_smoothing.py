import numpy as np

from recognizer.smoothing import Smoother, SmoothingConfig


def run(smoother, stream, dt=0.13):
    return [smoother.update(np.asarray(p, np.float32), i * dt).label_index for i, p in enumerate(stream)]


def test_noisy_alternating_stream_gives_a_stable_label():
    rng = np.random.default_rng(0)
    stream = []
    for i in range(200):  # class 0 is really going on; the raw argmax flips often
        p0 = 0.6 + rng.normal(0, 0.15)
        p = np.clip([p0, 1 - p0, 0.05], 0.01, None)
        stream.append(p / p.sum())
    raw_flips = sum(np.argmax(a) != np.argmax(b) for a, b in zip(stream, stream[1:]))
    shown = run(Smoother(), stream)
    shown_flips = sum(a != b for a, b in zip(shown[10:], shown[11:]))
    assert raw_flips > 30
    assert shown_flips == 0 and shown[-1] == 0


def test_real_change_is_followed_after_the_dwell_time():
    stream = [[0.9, 0.05, 0.05]] * 20 + [[0.05, 0.9, 0.05]] * 20
    shown = run(Smoother(SmoothingConfig(min_dwell_s=0.5)), stream)
    assert shown[5] == 0 and shown[-1] == 1
    switch = shown.index(1)
    assert 20 <= switch <= 24, "follows within a few strides"


def test_background_class_and_low_confidence_are_unknown():
    smoother = Smoother(background_index=2)
    assert run(smoother, [[0.05, 0.05, 0.9]] * 10)[-1] is None
    assert run(Smoother(), [[0.4, 0.35, 0.25]] * 10)[-1] is None


def test_label_holds_between_enter_and_leave():
    stream = [[0.8, 0.2]] * 10 + [[0.45, 0.55]] * 3  # above leave, below a competitor's enter
    smoother = Smoother(SmoothingConfig(ema=1.0, enter=0.6, leave=0.3, min_dwell_s=0.0))
    assert run(smoother, stream)[-1] == 0
