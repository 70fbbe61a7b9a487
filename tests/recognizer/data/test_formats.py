"""Kinetics-skeleton JSON: round trips, the published layout, person order, every bad file."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recognizer.data.formats import SkeletonClip, read_kinetics_json, read_label_file, write_kinetics_json
from recognizer.errors import BadFileError


def random_clip(rng, T=12, M=2, missing=0.2) -> np.ndarray:
    data = rng.random((3, T, 18, M)).astype(np.float32)
    data[2] = np.where(rng.random((T, 18, M)) < missing, 0.0, 0.1 + 0.9 * data[2])
    data[:2] *= data[2:3] > 0
    return data


def test_round_trip(tmp_path):
    rng = np.random.default_rng(0)
    data = random_clip(rng)
    data[2, :, :, 1] *= 0.5  # second person less confident: stays second
    data[:, 3:5, :, 1] = 0  # second person absent for two frames
    data[:, 7] = 0  # nobody in frame 8
    clip = SkeletonClip(data, label="tai chi", label_index=346, fps=29.97,
                        meta={"source": "ta_chi.mp4", "persons": 2})
    path = tmp_path / "clip.json"
    write_kinetics_json(path, clip)
    back = read_kinetics_json(path)
    np.testing.assert_allclose(back.data, data, atol=1e-6)
    assert back.data.dtype == np.float32
    assert (back.label, back.label_index, back.fps, back.meta) == ("tai chi", 346, 29.97, clip.meta)


def test_written_file_is_the_published_layout(tmp_path):
    data = np.zeros((3, 3, 18, 2), np.float32)
    data[:, 0, :, 0] = [[0.5] * 18, [0.25] * 18, [0.9] * 18]
    data[:, 2, :, 1] = [[0.1] * 18, [0.2] * 18, [0.3] * 18]  # only person 1 in frame 3
    write_kinetics_json(tmp_path / "c.json", SkeletonClip(data, label="x", label_index=0))
    doc = json.loads((tmp_path / "c.json").read_text())
    assert [f["frame_index"] for f in doc["data"]] == [1, 2, 3]
    first = doc["data"][0]["skeleton"]
    assert len(first) == 1 and first[0]["pose"][:4] == [0.5, 0.25, 0.5, 0.25] and len(first[0]["pose"]) == 36
    assert first[0]["score"] == [0.9] * 18
    assert doc["data"][1]["skeleton"] == []
    # Person 1 alone in frame 3 keeps its list position behind an all-zero person 0.
    third = doc["data"][2]["skeleton"]
    assert len(third) == 2 and third[0]["score"] == [0.0] * 18 and third[1]["score"] == [0.3] * 18
    assert "fps" not in doc and "meta" not in doc


def _write_doc(path, frames, **top):
    path.write_text(json.dumps({"data": frames, **top}))
    return path


def _person(x, y, s):
    return {"pose": [v for _ in range(18) for v in (x, y)], "score": [s] * 18}


def test_reads_a_st_gcn_style_file(tmp_path):
    """Frames out of order and with gaps, more persons than kept, missing joints with junk coords."""
    person = _person(0.4, 0.6, 0.8)
    person["pose"][0:2] = [0.7, 0.7]
    person["score"][0] = 0.0  # nose undetected: its coordinates must read as 0
    frames = [
        {"frame_index": 3, "skeleton": [_person(0.1, 0.1, 0.2), person, _person(0.9, 0.9, 0.5)]},
        {"frame_index": 1, "skeleton": [_person(0.1, 0.1, 0.2), person]},
    ]
    clip = read_kinetics_json(_write_doc(tmp_path / "k.json", frames, label="dancing", label_index=7))
    assert clip.data.shape == (3, 3, 18, 2)
    assert not clip.data[:, 1].any()  # frame 2 is not in the file
    # Mean scores over the clip: position 1 (0.8·2 − nose) > position 2 (0.5) > position 0 (0.2·2).
    np.testing.assert_allclose(clip.data[:, 0, 1, 0], [0.4, 0.6, 0.8])
    np.testing.assert_allclose(clip.data[:, 2, 1, 1], [0.9, 0.9, 0.5])
    assert not clip.data[:, 0, :, 1].any()  # position 2 is absent in frame 1
    assert (clip.data[:, 0, 0, 0] == 0).all()  # the undetected nose
    assert (clip.label, clip.label_index, clip.fps, clip.meta) == ("dancing", 7, None, {})


def test_max_frames_and_max_persons(tmp_path):
    frames = [{"frame_index": k, "skeleton": [_person(0.5, 0.5, 0.9)]} for k in range(1, 321)]
    path = _write_doc(tmp_path / "long.json", frames)
    assert read_kinetics_json(path).data.shape == (3, 300, 18, 2)
    assert read_kinetics_json(path, max_frames=50, max_persons=1).data.shape == (3, 50, 18, 1)


def test_label_file(tmp_path):
    path = tmp_path / "kinetics_val_label.json"
    path.write_text(json.dumps({"abc": {"has_skeleton": True, "label": "tai chi", "label_index": 346},
                                "def": {"has_skeleton": False, "label": "zumba", "label_index": 399}}))
    labels = read_label_file(path)
    assert labels["abc"] == {"has_skeleton": True, "label": "tai chi", "label_index": 346}
    assert labels["def"]["has_skeleton"] is False


@pytest.mark.parametrize("content, problem", [
    (None, "does not exist"),
    (b"", "is empty"),
    (b"\x80\x81 garbage", "not text"),
    (b'{"data": [{"frame_index": 1, "skeleton": [', "truncated"),
    (b"[1, 2, 3]", "JSON object"),
    (b'{"label": "x"}', "'data'"),
    (b'{"data": []}', "no frames"),
    (b'{"data": [{"frame_index": 0, "skeleton": []}]}', "frame_index"),
    (b'{"data": [{"frame_index": 1.5, "skeleton": []}]}', "frame_index"),
    (b'{"data": [{"frame_index": 1, "skeleton": []}, {"frame_index": 1, "skeleton": []}]}', "twice"),
    (b'{"data": [{"frame_index": 1, "skeleton": {}}]}', "'skeleton' must be a list"),
    (b'{"data": [{"frame_index": 1, "skeleton": [{"pose": [0.5, 0.5], "score": [1]}]}]}', "36"),
    (b'{"data": [{"frame_index": 1, "skeleton": []}], "label": 3}', "'label'"),
    (b'{"data": [{"frame_index": 1, "skeleton": []}], "label_index": "3"}', "'label_index'"),
    (b'{"data": [{"frame_index": 1, "skeleton": []}], "fps": -1}', "'fps'"),
    (b'{"data": [{"frame_index": 1, "skeleton": []}], "meta": []}', "'meta'"),
    (b"[" * 100_000, "nested too deeply"),
])
def test_bad_files_raise_bad_file_error(tmp_path, content, problem):
    path = tmp_path / "bad.json"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(BadFileError, match=problem) as raised:
        read_kinetics_json(path)
    assert raised.value.path == str(path) and "\n" not in str(raised.value)


@pytest.mark.parametrize("value, problem", [
    (float("nan"), "NaN"),
    (float("inf"), "NaN or infinity"),
    ("0.5", "only numbers"),
    (True, "only numbers"),
    (None, "only numbers"),
    (10**400, "too large"),
])
def test_bad_pose_values(tmp_path, value, problem):
    person = _person(0.5, 0.5, 0.9)
    person["pose"][5] = value
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"data": [{"frame_index": 1, "skeleton": [person]}]}))
    with pytest.raises(BadFileError, match=problem):
        read_kinetics_json(path)


def test_score_out_of_range(tmp_path):
    person = _person(0.5, 0.5, 1.5)
    path = _write_doc(tmp_path / "bad.json", [{"frame_index": 1, "skeleton": [person]}])
    with pytest.raises(BadFileError, match=r"\[0, 1\]"):
        read_kinetics_json(path)


def test_folder_is_a_bad_file(tmp_path):
    with pytest.raises(BadFileError, match="folder"):
        read_kinetics_json(tmp_path)


@pytest.mark.parametrize("content, problem", [
    (b'{"abc": []}', "must be an object"),
    (b'{"abc": {"has_skeleton": 1, "label": "x", "label_index": 0}}', "has_skeleton"),
    (b'{"abc": {"has_skeleton": true, "label_index": 0}}', "'label'"),
    (b'{"abc": {"has_skeleton": true, "label": "x", "label_index": null}}', "label_index"),
    (b'["abc"]', "JSON object"),
])
def test_bad_label_files(tmp_path, content, problem):
    path = tmp_path / "label.json"
    path.write_bytes(content)
    with pytest.raises(BadFileError, match=problem):
        read_label_file(path)


def test_writer_refuses_wrong_arrays(tmp_path):
    with pytest.raises(ValueError, match="3, T, 18"):
        write_kinetics_json(tmp_path / "x.json", SkeletonClip(np.zeros((2, 5, 18, 1), np.float32)))
    data = np.zeros((3, 5, 18, 1), np.float32)
    data[0, 0, 0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        write_kinetics_json(tmp_path / "x.json", SkeletonClip(data))
    assert not (tmp_path / "x.json").exists()


# ---- fuzzing: whatever the bytes, only BadFileError comes out ----

_VALID = json.dumps({"data": [{"frame_index": 1, "skeleton": [_person(0.5, 0.4, 0.9)]},
                              {"frame_index": 2, "skeleton": []}],
                     "label": "x", "label_index": 0, "fps": 30.0, "meta": {"a": 1}}).encode()

_json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**20), 10**20) | st.floats() | st.text(max_size=5),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
_number = st.one_of(st.floats(), st.integers(-3, 10**30), st.booleans(), st.none(), st.text(max_size=3))


@st.composite
def _structured_docs(draw):
    """Documents with the right shape and hostile details: the part a byte fuzzer rarely reaches."""
    frames = []
    for _ in range(draw(st.integers(0, 3))):
        persons = []
        for _ in range(draw(st.integers(0, 2))):
            pose_len = draw(st.sampled_from([36, 36, 36, 35, 0]))
            persons.append({"pose": draw(st.lists(_number, min_size=pose_len, max_size=pose_len))
                            if draw(st.booleans()) else [0.5] * pose_len,
                            "score": draw(st.lists(_number, min_size=18, max_size=18))
                            if draw(st.booleans()) else [0.5] * 18})
        frames.append({"frame_index": draw(st.one_of(st.integers(-1, 400), _number)), "skeleton": persons})
    doc = {"data": frames}
    for key in ("label", "label_index", "fps", "meta"):
        if draw(st.booleans()):
            doc[key] = draw(_json_values)
    return json.dumps(doc).encode()


@st.composite
def _mutated_valid(draw):
    raw = bytearray(_VALID)
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(raw) - 1))
        raw[i] = draw(st.integers(0, 255))
    return bytes(raw[: draw(st.integers(0, len(raw)))])


_kinetics_bytes = st.one_of(
    st.binary(max_size=300),
    _json_values.map(lambda v: json.dumps(v).encode()),
    _structured_docs(),
    _mutated_valid(),
)


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(content=_kinetics_bytes)
def test_fuzz_read_kinetics_json(fuzz_dir, content):
    path = fuzz_dir / "fuzz.json"
    path.write_bytes(content)
    try:
        clip = read_kinetics_json(path)
    except BadFileError:
        return
    assert clip.data.dtype == np.float32 and clip.data.shape[0] == 3 and clip.data.shape[2:] == (18, 2)
    assert np.isfinite(clip.data).all()


@st.composite
def _label_docs(draw):
    entries = {}
    for video in draw(st.lists(st.text(max_size=6), max_size=3)):
        entries[video] = {key: draw(st.one_of(_json_values, st.just(good)))
                          for key, good in (("has_skeleton", True), ("label", "x"), ("label_index", 3))}
    return json.dumps(entries).encode()


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(content=st.one_of(st.binary(max_size=200), _json_values.map(lambda v: json.dumps(v).encode()), _label_docs()))
def test_fuzz_read_label_file(fuzz_dir, content):
    path = fuzz_dir / "fuzz_label.json"
    path.write_bytes(content)
    try:
        read_label_file(path)
    except BadFileError:
        pass
