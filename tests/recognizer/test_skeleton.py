import numpy as np
import pytest

from recognizer.skeleton import (
    KINECT20, KINECT20_TO_OPENPOSE18, LAYOUTS, MEDIAPIPE33, MEDIAPIPE33_TO_OPENPOSE18, NTU25,
    NTU25_TO_OPENPOSE18, OPENPOSE18, adjacency, map_to_openpose18, mirror_permutation,
)


def test_openpose18_order_matches_kinetics():
    assert OPENPOSE18.joints[:5] == ("nose", "neck", "right_shoulder", "right_elbow", "right_wrist")
    assert OPENPOSE18.joints[14:] == ("right_eye", "left_eye", "right_ear", "left_ear")
    assert OPENPOSE18.num_joints == 18 and MEDIAPIPE33.num_joints == 33
    assert NTU25.num_joints == 25 and KINECT20.num_joints == 20


# MediaPipe's own drawing leaves the face apart from the body; the layouts models read are connected.
@pytest.mark.parametrize("layout", [OPENPOSE18, NTU25, KINECT20], ids=lambda l: l.name)
def test_bones_connect_every_joint(layout):
    a = adjacency(layout, self_loops=False)
    assert (a == a.T).all()
    reached, frontier = {layout.center}, [layout.center]
    while frontier:
        j = frontier.pop()
        for k in np.flatnonzero(a[j]):
            if k not in reached:
                reached.add(int(k))
                frontier.append(int(k))
    assert reached == set(range(layout.num_joints)), "every joint is connected to the centre"


@pytest.mark.parametrize("layout", list(LAYOUTS.values()), ids=lambda l: l.name)
def test_mirror_permutation_swaps_sides_and_is_an_involution(layout):
    perm = mirror_permutation(layout)
    assert (perm[perm] == np.arange(layout.num_joints)).all()
    for i, name in enumerate(layout.joints):
        if name.startswith("left_"):
            assert layout.joints[perm[i]] == "right_" + name[5:]
        elif not name.startswith("right_"):
            assert perm[i] == i


def test_mediapipe_mapping_uses_documented_indices():
    assert [s for s in MEDIAPIPE33_TO_OPENPOSE18.sources] == [
        (0,), (11, 12), (12,), (14,), (16,), (11,), (13,), (15,), (24,), (26,), (28,),
        (23,), (25,), (27,), (5,), (2,), (8,), (7,)]


def test_neck_is_midpoint_with_least_certain_score():
    joints = np.zeros((33, 3), np.float32)
    joints[11] = (0.6, 0.4, 0.9)
    joints[12] = (0.4, 0.5, 0.7)
    out = map_to_openpose18(joints, MEDIAPIPE33_TO_OPENPOSE18)
    np.testing.assert_allclose(out[1], (0.5, 0.45, 0.7), rtol=1e-6)


@pytest.mark.parametrize("mapping", [NTU25_TO_OPENPOSE18, KINECT20_TO_OPENPOSE18], ids=["ntu", "kinect"])
def test_depth_layouts_map_sides_by_name(mapping):
    for target, sources in enumerate(mapping.sources):
        name = OPENPOSE18.joints[target]
        for side in ("left_", "right_"):
            if name.startswith(side) and "eye" not in name and "ear" not in name:
                assert mapping.source.joints[sources[0]] == name
    face = [OPENPOSE18.index(n) for n in ("nose", "right_eye", "left_eye", "right_ear", "left_ear")]
    assert all(mapping.score_scale[i] < 1 for i in face), "face joints approximated by the head are less certain"


def test_mapping_rejects_wrong_joint_count():
    with pytest.raises(ValueError, match="33 mediapipe33"):
        map_to_openpose18(np.zeros((18, 3), np.float32), MEDIAPIPE33_TO_OPENPOSE18)
