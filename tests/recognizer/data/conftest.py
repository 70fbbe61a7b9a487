"""Fixtures for the data tests: real data beside the checkout, and a fuzzing scratch folder."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data"


def shared_folder(name: str, marker: str, what: str) -> Path:
    """`SHARED_DATA/name`, or a skip that says so when `marker` inside it is missing."""
    root = SHARED_DATA / name
    if not (root / marker).exists():
        pytest.skip(f"{what} not found at {root} (real data lives beside the checkout only)")
    return root


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
def fuzz_dir(tmp_path_factory) -> Path:
    """One folder for all fuzz examples (hypothesis cannot use function-scoped tmp_path)."""
    return tmp_path_factory.mktemp("fuzz")
