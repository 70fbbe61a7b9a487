"""The shipped starter model answers "unknown" for real people who sit or walk past.

The issue names them among what people in front of a laptop do besides our actions. These
are a real 2-D detector's output (OpenPose traces of mall shoppers), run through the live
path as `predict` runs a file; docs/starter-model.md has the figures for every trace.
"""

from __future__ import annotations

import numpy as np

from recognizer.data.mall import FPS, list_mall_traces, read_mall_trace
from recognizer.offline import recognize, sequence_frames

ACTIVITIES = ("sitting", "walking_slow", "walking_fast", "walking_phone", "walking_cart")
PER_ACTIVITY = 6  # traces of each activity, the first of at least a second in traces.csv's order


def test_people_sitting_or_walking_past_are_unknown(mall_root, starter_recognizer):
    model, spec = starter_recognizer
    listed = list_mall_traces(mall_root)
    answers = {}
    for activity in ACTIVITIES:
        traces = [t for t in listed if t.label == activity and t.frames >= FPS][:PER_ACTIVITY]
        for trace in traces:
            data = read_mall_trace(trace).data  # (3, T, 18, 1)
            result = recognize(model, spec, sequence_frames(data, FPS), data.shape[1] / FPS)
            answers[trace.name] = result.summary.label
    assert len(answers) == len(ACTIVITIES) * PER_ACTIVITY
    unknown = np.mean([label == "unknown" for label in answers.values()])
    assert unknown >= 0.85, f"{unknown:.0%} unknown (the shipped model: 29 of 30): {answers}"
