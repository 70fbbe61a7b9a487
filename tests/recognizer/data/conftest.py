"""Fixtures for the data tests: a fuzzing scratch folder (the real-data folders are in tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def fuzz_dir(tmp_path_factory) -> Path:
    """One folder for all fuzz examples (hypothesis cannot use function-scoped tmp_path)."""
    return tmp_path_factory.mktemp("fuzz")
