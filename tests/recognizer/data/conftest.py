"""Fixtures for the data tests: real data beside the checkout, and a fuzzing scratch folder."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data"


@pytest.fixture(scope="session")
def msr_root() -> Path:
    root = SHARED_DATA / "msr-action3d"
    if not (root / "skeleton20").is_dir():
        pytest.skip(f"MSR Action3D not found at {root} (real data lives beside the checkout only)")
    return root


@pytest.fixture(scope="session")
def mocap_root() -> Path:
    root = SHARED_DATA / "mocap"
    if not (root / "hdm05" / "amc").is_dir():
        pytest.skip(f"HDM05 motion capture not found at {root} (real data lives beside the checkout only)")
    return root


@pytest.fixture(scope="session")
def ntu_shared() -> Path:
    root = SHARED_DATA / "ntu"
    if not (root / "samples_with_missing_skeletons.txt").is_file():
        pytest.skip(f"NTU label files not found at {root} (real data lives beside the checkout only)")
    return root


@pytest.fixture(scope="session")
def kinetics_label_names() -> list[str]:
    path = SHARED_DATA / "kinetics" / "label_name.txt"
    if not path.is_file():
        pytest.skip(f"Kinetics label names not found at {path}")
    return path.read_text().splitlines()


@pytest.fixture(scope="session")
def fuzz_dir(tmp_path_factory) -> Path:
    """One folder for all fuzz examples (hypothesis cannot use function-scoped tmp_path)."""
    return tmp_path_factory.mktemp("fuzz")


@pytest.fixture(scope="session")
def mall_root() -> Path:
    root = SHARED_DATA / "mall-openpose18"
    if not (root / "traces.csv").is_file():
        pytest.skip(f"mall OpenPose traces not found at {root} (real data lives beside the checkout only)")
    return root
