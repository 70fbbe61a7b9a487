"""MSR Action3D skeletons (`skeleton20/aAA_sSS_eEE_skeleton.txt`): real Kinect motion for evaluation.

Layout (verified on all 567 files, see `shared/data/README.md`): plain text, one joint per line
with 4 numbers `u v d c` — pixel column and row in a 320×240 depth image, depth × 250 and a
per-joint confidence — 20 lines per frame in MSR's own joint order, which we reorder to the
Kinect SDK v1 order of `recognizer.skeleton.KINECT20`.

Defects handled here:
- `v ≈ 2.1e9` is an overflow sentinel for joints above the image: that joint is missing.
- Frames whose joints are all (0, 0, 0) are lost tracking: every joint of them is missing.
- The confidence column is not a detection score (derived joints have c = 0 most of the
  time), so it is kept in `joints` but not used as our score: a present joint scores 1.

Left/right: the names are anatomical, but the picture is a mirror view (the subject's right
appears on the image right). The 2-D conversion flips it, `x = (320 − u) / 320`, so it looks
like an ordinary camera picture where the person's right is on the image left, as OpenPose
and MediaPipe see it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from recognizer.data.formats import SkeletonClip, read_ascii_text
from recognizer.errors import BadFileError
from recognizer.skeleton import KINECT20, KINECT20_TO_OPENPOSE18, map_to_openpose18

IMAGE_SIZE = (320, 240)  # (width, height) of the depth image u, v refer to
FPS = 15.0  # as usually quoted for MSR Action3D; the files do not say
SENTINEL = 1e6  # v above this is the overflow value written for joints above the image
# 0-based MSR rows in Kinect SDK v1 order (HipCenter, Spine, ShoulderCenter, Head, ShoulderLeft, ...).
MSR_TO_KINECT20 = (6, 3, 2, 19, 0, 7, 9, 11, 1, 8, 10, 12, 4, 13, 15, 17, 5, 14, 16, 18)
_NAME = re.compile(r"a(\d\d)_s(\d\d)_e(\d\d)_skeleton(3D)?\.txt", re.ASCII)


@dataclass(frozen=True)
class MsrName:
    action: int  # 1-based, line `action` of action_names.txt
    subject: int
    repetition: int

    def __str__(self) -> str:
        return f"a{self.action:02d}_s{self.subject:02d}_e{self.repetition:02d}"


@dataclass
class MsrSample:
    name: MsrName
    joints: np.ndarray  # float32 (T, 20, 4): u, v, d, c in Kinect SDK v1 joint order, as in the file
    present: np.ndarray  # bool (T, 20): False for sentinel joints and lost-tracking (all-zero) frames


def parse_msr_name(name: str | os.PathLike) -> MsrName:
    match = _NAME.fullmatch(Path(name).name)
    if match is None:
        raise BadFileError(name, "is not an MSR Action3D file name (aAA_sSS_eEE_skeleton.txt)")
    return MsrName(int(match[1]), int(match[2]), int(match[3]))


def list_msr(root: str | os.PathLike) -> list[Path]:
    """The `skeleton20` files under an MSR Action3D folder, in name order."""
    return sorted(Path(root, "skeleton20").glob("a??_s??_e??_skeleton.txt"))


def action_names(root: str | os.PathLike) -> list[str]:
    """The 20 action names from `action_names.txt` (line i is action i)."""
    path = Path(root, "action_names.txt")
    try:
        names = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    except (OSError, UnicodeDecodeError) as error:
        raise BadFileError(path, f"cannot be read ({getattr(error, 'strerror', None) or error})") from None
    if len(names) != 20:
        raise BadFileError(path, f"lists {len(names)} action names, expected 20")
    return names


def read_msr_skeleton(path: str | os.PathLike) -> MsrSample:
    """Parse one `skeleton20` file into Kinect SDK v1 order with a presence mask."""
    name = parse_msr_name(path)
    text = read_ascii_text(path, "skeleton file")
    rows = [line.split() for line in text.splitlines() if line.strip()]
    if not rows:
        raise BadFileError(path, "is empty")
    bad = next((i for i, row in enumerate(rows) if len(row) != 4), None)
    if bad is not None:
        raise BadFileError(path, f"data line {bad + 1} has {len(rows[bad])} values, expected 4 (u v d c)")
    if len(rows) % KINECT20.num_joints:
        raise BadFileError(path, f"has {len(rows)} joint lines, not a whole number of 20-joint frames")
    try:
        values = np.array(rows, dtype=np.float64)  # (T*20, 4)
    except ValueError:
        raise BadFileError(path, "contains a value that is not a number") from None
    if not np.isfinite(values).all():
        raise BadFileError(path, "contains NaN or infinity")
    joints = values.reshape(-1, KINECT20.num_joints, 4)[:, list(MSR_TO_KINECT20)]  # (T, 20, 4)
    lost = (joints[:, :, :3] == 0).all(axis=(1, 2))  # (T,): lost-tracking frame
    present = ~lost[:, None] & (joints[:, :, 1] < SENTINEL)  # (T, 20)
    if (np.abs(joints[present][:, :3]) > SENTINEL).any():
        raise BadFileError(path, "has joint coordinates far outside a 320×240 depth image")
    return MsrSample(name=name, joints=joints.astype(np.float32), present=present)


def msr_to_openpose18(sample: MsrSample) -> np.ndarray:
    """`float32 (3, T, 18, 1)`: flipped to a camera view, normalized by 320×240, score 1 when present.

    Joints the sensor placed outside its image (mostly feet below the bottom edge, 0.3 % of
    them) keep their true position, so y can exceed 1 a little.
    """
    width, height = IMAGE_SIZE
    u, v = sample.joints[..., 0], sample.joints[..., 1]
    score = sample.present.astype(np.float32)
    joints = np.stack([(width - u) / width, v / height, score], axis=-1)  # (T, 20, 3)
    mapped = map_to_openpose18(joints, KINECT20_TO_OPENPOSE18)  # (T, 18, 3)
    out = np.ascontiguousarray(mapped.transpose(2, 0, 1)[..., None])  # (3, T, 18, 1)
    out[:2] *= out[2:3] > 0  # missing joints are exactly zero
    return out


def msr_clip(sample: MsrSample, names: list[str] | None = None) -> SkeletonClip:
    """The sample as an 18-joint 2-D clip labelled with its action (index = action − 1)."""
    index = sample.name.action - 1
    label = names[index] if names and index < len(names) else f"a{sample.name.action:02d}"
    return SkeletonClip(data=msr_to_openpose18(sample), label=label, label_index=index, fps=FPS,
                        meta={"source": "msr-action3d", "name": str(sample.name),
                              "subject": sample.name.subject})
