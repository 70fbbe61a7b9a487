"""Atomic file writes: a file the user made is either the old version or the new one, never half.

Every writer of user files (clips, checkpoints, exports) goes through here. The new content
goes to a temporary file in the *same folder* (so the final rename never crosses a file
system), is flushed to disk with fsync, and only then replaces the target with
`os.replace` — atomic on POSIX and Windows. The folder is fsynced too, so the rename itself
survives a power cut. Whatever goes wrong on the way (a full disk, a crash in the caller's
serializer, Ctrl-C), the temporary file is removed and the previous file stays intact.

OS errors become `LiveactionError` with a one-line message naming the file; a full disk
(ENOSPC) says so explicitly, since it is the one users can fix.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

from recognizer.errors import LiveactionError


def write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Write `data` to `path` atomically (see the module docstring)."""
    with atomic_path(path) as tmp:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
        finally:
            os.close(fd)


def write_text(path: str | os.PathLike, text: str, encoding: str = "utf-8") -> None:
    """Write `text` to `path` atomically, encoded as `encoding`."""
    write_bytes(path, text.encode(encoding))


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside `path`; on a clean exit it atomically becomes `path`.

    For writers that insist on a file name (e.g. `safetensors.torch.save_file`):

        with atomic_path(out) as tmp:
            save_file(tensors, tmp)

    The temporary file is created by the caller with ordinary permissions (umask applies);
    it is fsynced here before the rename. On any exception it is deleted and `path` is left
    as it was.
    """
    target = Path(path)
    # Hidden, unique, same folder: never collides with a concurrent writer of the same target.
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
    try:
        yield tmp
        _fsync_file(tmp)
        os.replace(tmp, target)
        _fsync_dir(target.parent)
    except OSError as error:
        _remove_quietly(tmp)
        raise _user_error(target, error) from error
    except BaseException:
        _remove_quietly(tmp)
        raise


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(folder: Path) -> None:
    """Persist the rename. Windows cannot open folders, and some file systems refuse; both are fine."""
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _remove_quietly(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


def _user_error(target: Path, error: OSError) -> LiveactionError:
    if error.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return LiveactionError(f"{target}: the disk is full; nothing was written and any previous "
                               f"{target.name} is unchanged")
    reason = error.strerror or str(error)
    return LiveactionError(f"{target}: cannot write ({reason}); any previous {target.name} is unchanged")
