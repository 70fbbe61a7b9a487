"""Procedural human motion, filmed and detected: the training data of the shipped starter model.

We may not ship a model trained on NTU RGB+D or Kinetics, so the starter model learns
from motion made here. Modules, in the order a clip is made:

- `body`: an articulated body with random proportions; poses → 3-D joints (IK limbs);
- `timing`: repetitions, tempo, idle and ease-in/out over the clip;
- `poses`: idle standing and seated poses and shared arm postures;
- `actions`: the fifteen starter actions; `everyday`: the non-target motions ("other");
- `camera`: a random camera, framing, projection and occlusion;
- `noise`: MediaPipe-shaped detector noise;
- `motion`: label → clip; `dataset`: the torch Dataset.

Calibration against real motion (MSR Action3D, HDM05, MediaPipe on real video) is in
bench/generator_stats.py and docs/generator.md.
"""

from recognizer.data.synthetic.dataset import SyntheticDataset
from recognizer.data.synthetic.motion import (
    ACTIONS, OTHER_LABEL, STARTER_CLASSES, Motion, everyday_clips, generate_clip, generate_motion, render,
)

__all__ = [
    "ACTIONS", "OTHER_LABEL", "STARTER_CLASSES", "Motion", "SyntheticDataset",
    "everyday_clips", "generate_clip", "generate_motion", "render",
]
