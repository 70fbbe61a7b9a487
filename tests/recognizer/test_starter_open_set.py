"""The shipped starter model answers "unknown" for real people who sit or walk past.

The issue names them among what people in front of a laptop do besides our actions. These
are a real 2-D detector's output (OpenPose traces of mall shoppers), run through the live
path as `predict` runs a file; docs/starter-model.md has the figures for every trace.
"""

from __future__ import annotations

import numpy as np
import pytest

from recognizer.data.mall import FPS, list_mall_traces, read_mall_trace
from recognizer.engine import load_recognizer
from recognizer.offline import recognize, sequence_frames
from recognizer.paths import STARTER_MODEL

PER_ACTIVITY = 6  # traces of each activity, the first of at least a second in traces.csv's order


@pytest.fixture(scope="module")
def starter():
    if not STARTER_MODEL.exists():
        pytest.fail(f"the starter model {STARTER_MODEL} is missing")
    return load_recognizer(STARTER_MODEL, device="cpu")


def test_people_sitting_or_walking_past_are_unknown(shared_data, starter):
    root = shared_data / "mall-openpose18"
    if not (root / "traces.csv").is_file():
        pytest.skip(f"mall OpenPose traces not found at {root}")
    model, spec = starter
    listed = list_mall_traces(root)
    answers = {}
    for activity in ("sitting", "walking_slow", "walking_fast", "walking_phone", "walking_cart"):
        traces = [t for t in listed if t.label == activity and t.frames >= FPS][:PER_ACTIVITY]
        for trace in traces:
            data = read_mall_trace(trace).data  # (3, T, 18, 1)
            result = recognize(model, spec, sequence_frames(data, FPS), data.shape[1] / FPS)
            answers[trace.name] = result.summary.label
    assert len(answers) == 5 * PER_ACTIVITY
    unknown = np.mean([label == "unknown" for label in answers.values()])
    assert unknown >= 0.85, f"{unknown:.0%} unknown (the shipped model: 29 of 30): {answers}"
