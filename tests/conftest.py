"""Shared fixtures: where the real test data lives, and skeletons extracted from it once.

Real data lives beside the project in ../shared/data (not in a user's clone): tests that
need it skip with a reason when it is absent. Debian's opencv-doc photos likewise.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO.parent / "shared" / "data"
OPENCV_SAMPLES = Path("/usr/share/doc/opencv-doc/examples/data")
REAL_VIDEOS = ("clean_and_jerk.mp4", "ta_chi.mp4", "skateboarding.mp4")


@pytest.fixture(scope="session", autouse=True)
def one_torch_thread():
    """Tests run tiny tensors: a second torch thread only adds spin-waiting (7× slower steps
    were measured on a busy 2-core machine)."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real test data not found at {SHARED_DATA} (only present beside the project checkout)")
    return SHARED_DATA


def shared_folder(name: str, marker: str, what: str) -> Path:
    """`SHARED_DATA/name`, or a skip that says so when `marker` inside it is missing."""
    folder = SHARED_DATA / name
    if not (folder / marker).exists():
        pytest.skip(f"{what} not found at {folder} (real data lives beside the checkout only)")
    return folder


@pytest.fixture(scope="session")
def msr_root() -> Path:
    return shared_folder("msr-action3d", "skeleton20", "MSR Action3D")


@pytest.fixture(scope="session")
def mocap_root() -> Path:
    return shared_folder("mocap", "hdm05/amc", "HDM05 motion capture")


@pytest.fixture(scope="session")
def ntu_shared() -> Path:
    return shared_folder("ntu", "samples_with_missing_skeletons.txt", "NTU label files")


@pytest.fixture(scope="session")
def mall_root() -> Path:
    return shared_folder("mall-openpose18", "traces.csv", "mall OpenPose traces")


@pytest.fixture(scope="session")
def kinetics_label_names() -> list[str]:
    path = SHARED_DATA / "kinetics" / "label_name.txt"
    if not path.is_file():
        pytest.skip(f"Kinetics label names not found at {path}")
    return path.read_text().splitlines()


@pytest.fixture(scope="session")
def starter_recognizer():
    """The shipped starter model and its spec, loaded once; tests only read it."""
    from recognizer.engine import load_recognizer
    from recognizer.paths import STARTER_MODEL

    if not STARTER_MODEL.exists():
        pytest.fail(f"the starter model {STARTER_MODEL} is missing")
    return load_recognizer(STARTER_MODEL, device="cpu")


@pytest.fixture(scope="session")
def opencv_samples() -> Path:
    if not (OPENCV_SAMPLES / "messi5.jpg").is_file():
        pytest.skip(f"Debian opencv-doc sample photos not found at {OPENCV_SAMPLES} (apt-get install opencv-doc)")
    return OPENCV_SAMPLES


def read_rgb(path: Path) -> np.ndarray:
    from recognizer.video import import_cv2

    cv2 = import_cv2()
    return cv2.cvtColor(cv2.imread(str(path)), cv2.COLOR_BGR2RGB)


@pytest.fixture(scope="session")
def real_video_skeletons(shared_data, request) -> dict[str, np.ndarray]:
    """`(C, T, 18, M=2)` skeletons of each real video, extracted once and cached.

    Recorded with the real pose pipeline the first time and replayed after (pytest's cache
    folder), so most tests don't pay for MediaPipe.
    """
    from recognizer.pipeline import Pipeline, stack_sequence
    from recognizer.pose import PoseEstimator
    from recognizer.video import VideoFileSource

    cache = request.config.cache.mkdir("real_video_skeletons")
    # The cache is valid while the code and model that made it are unchanged.
    code = [REPO / "recognizer" / f for f in ("pose.py", "tracking.py", "skeleton.py", "video.py", "pipeline.py")]
    code.append(REPO / "assets" / "pose" / "pose_landmarker_full.task")
    version = hashlib.sha256(b"".join(p.read_bytes() for p in code)).hexdigest()[:12]
    out = {}
    for name in REAL_VIDEOS:
        video = shared_data / "videos" / name
        cached = cache / f"{name}.{version}.npy"
        if not cached.exists():
            with VideoFileSource(video) as source, PoseEstimator() as pose:
                np.save(cached, stack_sequence(list(Pipeline(pose).run(source))))
        out[name] = np.load(cached)
    return out


@pytest.fixture(scope="session")
def small_model(tmp_path_factory) -> Path:
    """A small untrained SLnL-rFA model file (3 labels, "other" the background), quick to load."""
    import torch

    from recognizer.checkpoint import ModelCard, save_model
    from recognizer.models import create_model
    from recognizer.preprocess import Preprocessing

    torch.manual_seed(0)
    labels = ["waving one hand", "clapping", "other"]
    model = create_model("slnl_rfa_lite", len(labels), T=16, channels=(8, 8, 16, 16, 16, 16), virtual_joints=8,
                         coordinate_systems=2, attention_reduction=8)
    path = tmp_path_factory.mktemp("model") / "small.safetensors"
    save_model(path, model, ModelCard.for_model(model, labels, Preprocessing(T=16, normalization="clip"),
                                                persons=1, background_label="other", threshold=0.5))
    return path
