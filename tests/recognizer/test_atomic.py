"""Atomic writes: the old file or the new one, never a half-written one, and no leftovers."""

from __future__ import annotations

import errno
import os

import pytest

from recognizer import atomic
from recognizer.errors import LiveactionError


def _leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_writes_new_and_replaces_existing(tmp_path):
    path = tmp_path / "clip.json"
    atomic.write_text(path, "first")
    assert path.read_text() == "first"
    atomic.write_bytes(path, b"second")
    assert path.read_bytes() == b"second"
    assert _leftovers(tmp_path) == []


def test_new_file_gets_ordinary_permissions(tmp_path):
    path = tmp_path / "model.json"
    atomic.write_text(path, "{}")
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask


def test_atomic_path_for_writers_that_need_a_name(tmp_path):
    path = tmp_path / "weights.bin"
    with atomic.atomic_path(path) as tmp:
        assert tmp.parent == tmp_path and not tmp.exists()
        tmp.write_bytes(b"weights")
        assert not path.exists()  # nothing visible until the block ends
    assert path.read_bytes() == b"weights"
    assert _leftovers(tmp_path) == []


def test_exception_in_the_middle_keeps_previous_file(tmp_path):
    path = tmp_path / "weights.bin"
    path.write_bytes(b"old")
    with pytest.raises(RuntimeError, match="serializer crashed"):
        with atomic.atomic_path(path) as tmp:
            tmp.write_bytes(b"half of the new")
            raise RuntimeError("serializer crashed")
    assert path.read_bytes() == b"old"
    assert _leftovers(tmp_path) == []


def _disk_fills_after(monkeypatch, nbytes: int):
    """Make os.write accept `nbytes` bytes in total, then fail with ENOSPC as a full disk does."""
    real_write = os.write
    budget = [nbytes]

    def write(fd, data):
        if budget[0] <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        n = real_write(fd, bytes(data[: min(len(data), budget[0], 7)]))  # short writes, as allowed
        budget[0] -= n
        return n

    monkeypatch.setattr(os, "write", write)


def test_full_disk_mid_write_leaves_no_partial_file(tmp_path, monkeypatch):
    path = tmp_path / "clip.json"
    path.write_text("previous clip")
    _disk_fills_after(monkeypatch, 20)
    with pytest.raises(LiveactionError, match="disk is full") as raised:
        atomic.write_text(path, "x" * 1000)
    assert str(path) in str(raised.value) and "\n" not in str(raised.value)
    monkeypatch.undo()
    assert path.read_text() == "previous clip"
    assert _leftovers(tmp_path) == []


def test_full_disk_on_a_new_file_leaves_nothing(tmp_path, monkeypatch):
    _disk_fills_after(monkeypatch, 5)
    with pytest.raises(LiveactionError, match="disk is full"):
        atomic.write_bytes(tmp_path / "new.json", b"y" * 100)
    monkeypatch.undo()
    assert list(tmp_path.iterdir()) == []


def test_full_disk_reported_at_fsync(tmp_path, monkeypatch):
    """Some file systems (NFS, quotas) only report ENOSPC when the data is flushed."""
    path = tmp_path / "model.safetensors"
    path.write_bytes(b"old model")

    def fsync(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", fsync)
    with pytest.raises(LiveactionError, match="disk is full"):
        atomic.write_bytes(path, b"new model")
    monkeypatch.undo()
    assert path.read_bytes() == b"old model"
    assert _leftovers(tmp_path) == []


def test_missing_folder_is_a_one_line_error(tmp_path):
    with pytest.raises(LiveactionError, match="cannot write") as raised:
        atomic.write_text(tmp_path / "no" / "such" / "folder.json", "{}")
    assert "\n" not in str(raised.value)
