"""NTU RGB+D: the .skeleton text layout, names, benchmark splits, 18-joint mapping, bad files."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recognizer.data.ntu import (
    NtuName,
    in_split,
    ntu_clip,
    ntu_to_openpose18,
    parse_ntu_name,
    read_action_names,
    read_ntu_skeleton,
    read_sample_list,
)
from recognizer.errors import BadFileError
from recognizer.skeleton import NTU25, OPENPOSE18

BODY_LINE = "72057594037931101 0 1 1 1 1 0 0.02764709 0.05745083 2"


def joint_line(x, y, z, cx, cy, state=2):
    """One joint: x y z depthX depthY colorX colorY orientationW X Y Z trackingState."""
    depth, orientation = "277.419 191.8218", "-0.2059419 0.05349901 0.9692109 -0.1239193"
    return f"{x:.7f} {y:.7f} {z:.6f} {depth} {cx:.3f} {cy:.3f} {orientation} {state}"


def body_lines(offset=0.0, states=None, body_line=BODY_LINE):
    lines = [body_line, "25"]
    for j in range(25):
        state = 2 if states is None else states[j]
        lines.append(joint_line(0.1 * j + offset, -0.05 * j, 3.5, 960 + 10 * j + 100 * offset, 300 + 20 * j, state))
    return lines


def ntu_text(frames) -> str:
    """The documented layout: frame count; per frame a body count, then per body its lines."""
    lines = [str(len(frames))]
    for bodies in frames:
        lines.append(str(len(bodies)))
        for body in bodies:
            lines += body
    return "\r\n".join(lines) + "\r\n"  # the published files use Windows line ends


HANDWRITTEN = """2
1
72057594037931101 0 1 1 1 1 0 0.02764709 0.05745083 2
25
""" + "\n".join(joint_line(0.01 * j, 0.02 * j, 3.0, 900 + j, 500 + j, 2 if j != 3 else 1) for j in range(25)) + """
0
"""


def test_handwritten_file(tmp_path):
    path = tmp_path / "S001C002P003R002A013.skeleton"
    path.write_text(HANDWRITTEN)
    sample = read_ntu_skeleton(path)
    assert sample.name == NtuName(setup=1, camera=2, performer=3, replication=2, action=13)
    assert sample.xyz.shape == (3, 2, 25, 2) and sample.color.shape == (2, 2, 25, 2)
    np.testing.assert_allclose(sample.xyz[:, 0, 4, 0], [0.04, 0.08, 3.0], rtol=1e-6)
    np.testing.assert_allclose(sample.color[:, 0, 4, 0], [904, 504])
    assert sample.tracking[0, 3, 0] == 1 and sample.tracking[0, 4, 0] == 2
    assert sample.present.tolist() == [[True, False], [False, False]]  # frame 2 has no body
    assert not sample.xyz[:, 1].any()


def test_bodies_ranked_by_motion_energy(tmp_path):
    still = body_lines(0.0)
    frames = [[still, body_lines(0.1 * t)] for t in range(4)]  # body 2 moves, body 1 does not
    frames[2].append(body_lines(5.0))  # a third, one-frame body: dropped
    path = tmp_path / "S001C001P001R001A050.skeleton"
    path.write_text(ntu_text(frames))
    sample = read_ntu_skeleton(path)
    assert sample.present.all()
    np.testing.assert_allclose(sample.xyz[0, :, 0, 0], [0.0, 0.1, 0.2, 0.3], atol=1e-6)  # the mover first
    np.testing.assert_allclose(sample.xyz[0, :, 0, 1], 0.0, atol=1e-6)


def test_mapping_to_openpose18(tmp_path):
    states = [2] * 25
    states[NTU25.index("right_elbow")] = 1
    states[NTU25.index("left_knee")] = 0
    path = tmp_path / "S001C001P001R001A001.skeleton"
    path.write_text(ntu_text([[body_lines(states=states)]]))
    data = ntu_to_openpose18(read_ntu_skeleton(path))
    assert data.shape == (3, 1, 18, 2) and data.dtype == np.float32
    rs, op = NTU25.index("right_shoulder"), OPENPOSE18.index("right_shoulder")
    np.testing.assert_allclose(data[:, 0, op, 0], [(960 + 10 * rs) / 1920, (300 + 20 * rs) / 1080, 1.0], rtol=1e-6)
    assert data[2, 0, OPENPOSE18.index("right_elbow"), 0] == 0.5  # inferred
    assert not data[:, 0, OPENPOSE18.index("left_knee"), 0].any()  # not tracked: missing
    neck = NTU25.index("spine_shoulder")
    np.testing.assert_allclose(data[0, 0, OPENPOSE18.index("neck"), 0], (960 + 10 * neck) / 1920, rtol=1e-6)
    assert data[2, 0, OPENPOSE18.index("nose"), 0] == 0.5  # face joints from the head, half sure
    assert not data[:, :, :, 1].any()  # second body absent
    clip = ntu_clip(read_ntu_skeleton(path), ["drink water"])
    assert (clip.label, clip.label_index, clip.fps) == ("drink water", 0, 30.0)


def test_names_and_splits():
    name = parse_ntu_name("S017C003P020R002A060.skeleton")
    assert name == NtuName(17, 3, 20, 2, 60) and str(name) == "S017C003P020R002A060"
    assert not in_split(name, "xsub", "train") and in_split(name, "xsub", "val")  # performer 20 tests
    assert in_split(name, "xview", "train") and not in_split(name, "xview", "val")  # camera 3 trains
    assert in_split(parse_ntu_name("S001C001P001R001A001"), "xsub", "train")
    assert in_split(parse_ntu_name("S001C001P001R001A001"), "xview", "val")
    for bad in ("S01C001P001R001A001", "S001C001P001R001A001.txt", "hello"):
        with pytest.raises(BadFileError, match="NTU RGB"):
            parse_ntu_name(bad)


def test_split_sizes_match_the_protocol():
    """NTU-60 has 40 performers and 3 cameras; 20 performers and 2 cameras train."""
    train = sum(in_split(NtuName(1, 1, p, 1, 1), "xsub", "train") for p in range(1, 41))
    assert train == 20
    assert [in_split(NtuName(1, c, 1, 1, 1), "xview", "train") for c in (1, 2, 3)] == [False, True, True]


def test_shared_lists(ntu_shared):
    missing = read_sample_list(ntu_shared / "samples_with_missing_skeletons.txt")
    assert len(missing) == 302 and "S001C002P005R002A008" in missing
    names = read_action_names(ntu_shared / "label_map_ntu60.txt")
    assert len(names) == 60 and names[0] == "drink water"


@pytest.mark.parametrize("text, problem", [
    ("", "truncated"),
    ("0\n", "no frames"),
    ("2\n0\n0\n", "no skeletons"),
    ("x\n", "frame count"),
    ("1\n1\n" + BODY_LINE + "\n25\n" + joint_line(0, 0, 3, 1, 1), "truncated"),
    ("1\n1\n1 2 3\n25\n", "10 values"),
    ("1\n1\n" + BODY_LINE + "\n20\n", "20 joints"),
    ("1\n1\n" + "\n".join(body_lines()[:5] + ["0.1 0.2"] + body_lines()[6:]) + "\n", "12 values"),
    ("1\n1\n" + "\n".join(body_lines()).replace("3.500000", "abc", 1) + "\n", "not a number"),
    ("1\n1\n" + "\n".join(body_lines()).replace("3.500000", "nan", 1) + "\n", "NaN"),
    ("1\n1\n" + "\n".join(body_lines(states=[3] * 25)) + "\n", "trackingState"),
    ("1\n1\n" + "\n".join(body_lines()) + "\n1\n", "after the last frame"),
    ("1" * 5000 + "\n", "frame count"),
])
def test_bad_files(tmp_path, text, problem):
    path = tmp_path / "S001C001P001R001A001.skeleton"
    path.write_text(text)
    with pytest.raises(BadFileError, match=problem) as raised:
        read_ntu_skeleton(path)
    assert "\n" not in str(raised.value)


def test_missing_and_binary_files(tmp_path):
    with pytest.raises(BadFileError, match="does not exist"):
        read_ntu_skeleton(tmp_path / "S001C001P001R001A001.skeleton")
    path = tmp_path / "S001C001P001R001A002.skeleton"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\xff")
    with pytest.raises(BadFileError, match="not a text"):
        read_ntu_skeleton(path)


_VALID = ntu_text([[body_lines()], [body_lines(0.1), body_lines(1.0, states=[1] * 25)]])


@st.composite
def _mutated_valid(draw):
    lines = _VALID.split("\r\n")
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(lines) - 1))
        choice = draw(st.integers(0, 3))
        if choice == 0:
            del lines[i]
        elif choice == 1:
            lines[i] = draw(st.text(alphabet="0123456789 .-+eEnaif\t", max_size=30))
        elif choice == 2:
            lines.insert(i, draw(st.sampled_from(["0", "1", "2", "25", "3", "", BODY_LINE])))
        else:
            tokens = lines[i].split()
            if tokens:
                tokens[draw(st.integers(0, len(tokens) - 1))] = draw(st.sampled_from(
                    ["nan", "inf", "-1", "1e309", "3", "99999999", "x", "1e7"]))
                lines[i] = " ".join(tokens)
    return "\n".join(lines).encode("ascii")


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(content=st.one_of(st.binary(max_size=200), _mutated_valid()))
def test_fuzz_read_ntu_skeleton(fuzz_dir, content):
    path = fuzz_dir / "S001C001P001R001A001.skeleton"
    path.write_bytes(content)
    try:
        sample = read_ntu_skeleton(path)
    except BadFileError:
        return
    data = ntu_to_openpose18(sample)
    assert data.shape[0] == 3 and data.shape[2:] == (18, 2) and np.isfinite(data).all()


@settings(max_examples=1000, deadline=None)
@given(name=st.one_of(st.text(max_size=25),
                     st.from_regex(r"S\d{3}C\d{3}P\d{3}R\d{3}A\d{3}(\.skeleton)?", fullmatch=True)))
def test_fuzz_parse_ntu_name(name):
    try:
        parsed = parse_ntu_name(name)
    except BadFileError:
        return
    assert str(parsed) == name.removesuffix(".skeleton")


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(content=st.one_of(st.binary(max_size=100), st.lists(st.sampled_from(
    ["S001C002P005R002A008", "S001C002P005R002A00", "", "  ", "x"]), max_size=4).map(lambda v: "\n".join(v).encode())))
def test_fuzz_read_sample_list(fuzz_dir, content):
    path = fuzz_dir / "samples_with_missing_skeletons.txt"
    path.write_bytes(content)
    try:
        read_sample_list(path)
    except BadFileError:
        pass
