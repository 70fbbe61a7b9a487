"""Mall OpenPose-18 traces: every real trace parses, missing joints are masked, damage is named."""

from __future__ import annotations

import shutil
from collections import Counter
from dataclasses import replace

import numpy as np
import pytest

from recognizer.data.mall import list_mall_traces, read_mall_trace
from recognizer.errors import BadFileError


@pytest.fixture(scope="module")
def traces(mall_root):
    return list_mall_traces(mall_root)


def test_every_trace_parses_as_the_readme_counts(traces):
    assert len(traces) == 309
    assert Counter(t.video for t in traces)["3_carosello"] == 81
    total = 0
    for trace in traces:
        clip = read_mall_trace(trace)
        data = clip.data
        assert data.shape == (3, trace.frames, 18, 1) and data.dtype == np.float32
        present = data[2] > 0
        assert (data[:2, ~present] == 0).all()
        # Inside the 640×426 picture, but for the few pixels the detector put past its edge.
        assert ((data[:2] > -0.01) & (data[:2] < 1.01))[:, present].all()
        total += clip.num_frames
    assert total == 43_377


def test_missing_joints_match_the_readme(traces):
    present = np.concatenate([read_mall_trace(t).data[2, :, :, 0] for t in traces]) > 0  # (frames, 18)
    missing = 1 - present.mean(axis=0)
    assert missing[1] == pytest.approx(0.01, abs=0.006)  # neck
    assert missing[0] == pytest.approx(0.34, abs=0.006)  # nose
    assert missing[10] == pytest.approx(0.22, abs=0.006)  # right ankle
    assert (~present).any(axis=1).mean() == pytest.approx(0.895, abs=0.003)
    assert present.any(axis=1).all()  # no frame without any joint


def copy_trace(trace, tmp_path):
    folder = tmp_path / trace.video / str(trace.trace)
    shutil.copytree(trace.folder, folder)
    return replace(trace, folder=folder)


@pytest.mark.parametrize("damage, message", [
    (lambda f: (f / "X.txt").write_text("1.0,2.0\n"), "line 1 has 2 values, expected 36"),
    (lambda f: (f / "X.txt").write_text(",".join(["x"] * 36) + "\n"), "not a number"),
    (lambda f: (f / "X.txt").write_text(""), "is empty"),
    (lambda f: (f / "X.txt").write_bytes(b"\xff\xfe"), "not a text trace file"),
    (lambda f: (f / "Y.txt").unlink(), "does not exist"),
    (lambda f: (f / "Y.txt").write_text("1\n"), "labels 1 frames"),
])
def test_damaged_trace_names_its_problem(traces, tmp_path, damage, message):
    trace = copy_trace(traces[0], tmp_path)
    damage(trace.folder)
    with pytest.raises(BadFileError, match=message):
        read_mall_trace(trace)


def test_trace_shorter_than_listed(traces, tmp_path):
    trace = copy_trace(traces[0], tmp_path)
    for name in ("X.txt", "Y.txt"):
        path = trace.folder / name
        path.write_text("\n".join(path.read_text().splitlines()[:-1]) + "\n")
    with pytest.raises(BadFileError, match=f"holds {trace.frames - 1} frames, but traces.csv says {trace.frames}"):
        read_mall_trace(trace)


@pytest.mark.parametrize("text, message", [
    ("", "is not a trace list"),
    ("a,b\n1,2\n", "is not a trace list"),
    ("video,trace,label_id,label,frames\n1_carosello,zero,1,walking_slow,125\n", "not a whole number"),
])
def test_bad_trace_list(tmp_path, text, message):
    (tmp_path / "traces.csv").write_text(text)
    with pytest.raises(BadFileError, match=message):
        list_mall_traces(tmp_path)


def test_missing_trace_list(tmp_path):
    with pytest.raises(BadFileError, match="does not exist"):
        list_mall_traces(tmp_path)
