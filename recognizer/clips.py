"""The clip library: the user's recorded, labelled clips, one Kinetics-skeleton JSON each.

A clip is `<id>.json` (skeletons, label, fps, source, persons) and, when the video was
kept, `<id>.mp4` beside it, in one flat folder (`recognizer.paths.clip_library()`).
Labels live inside the JSON, so relabelling rewrites one small file and never moves any.
Every write is atomic (`recognizer.atomic`): a crash, a kill or a full disk leaves either
the old clip or the new one, never half of one, and never touches other clips.

Deleting moves the clip's files into `.trash/`, so an undo is a move back; the trash is
emptied only when asked.
"""

from __future__ import annotations

import datetime
import os
import secrets
import shutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from recognizer import atomic
from recognizer.data.formats import SkeletonClip, read_kinetics_json, write_kinetics_json
from recognizer.errors import BadFileError, LiveactionError

TRASH = ".trash"


@dataclass(frozen=True)
class ClipInfo:
    """A clip as the library panel lists it (without its skeleton data)."""

    id: str
    label: str
    frames: int
    fps: float
    path: Path  # the JSON file
    video: Path | None  # the mp4 beside it, if kept

    @property
    def seconds(self) -> float:
        return self.frames / self.fps if self.fps else 0.0


def new_clip_id(now: datetime.datetime | None = None) -> str:
    """Sortable, unique: `20261126-093512-4f2a`."""
    now = now or datetime.datetime.now()
    return f"{now:%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"


class ClipLibrary:
    def __init__(self, folder: str | os.PathLike):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.problems: list[tuple[Path, str]] = []  # unreadable files met by the last `clips()`

    # ---- reading ----------------------------------------------------------------------
    def path(self, clip_id: str) -> Path:
        return self.folder / f"{clip_id}.json"

    def clips(self) -> list[ClipInfo]:
        """Every readable clip, oldest first; unreadable ones are listed in `problems`."""
        return [info for info, _ in self.read_each()]

    def read_each(self) -> Iterator[tuple[ClipInfo, SkeletonClip]]:
        """Every readable clip with its data, oldest first, each file read once; unreadable
        ones are listed in `problems` (complete once the iteration ends)."""
        self.problems = []
        for path in sorted(self.folder.glob("*.json")):
            try:
                clip = read_kinetics_json(path)
            except BadFileError as error:
                self.problems.append((path, error.problem))
                continue
            video = path.with_suffix(".mp4")
            yield (ClipInfo(path.stem, clip.label or "", clip.num_frames, clip.fps or 30.0, path,
                            video if video.exists() else None), clip)

    def by_label(self) -> dict[str, list[ClipInfo]]:
        groups: dict[str, list[ClipInfo]] = {}
        for info in self.clips():
            groups.setdefault(info.label, []).append(info)
        return dict(sorted(groups.items()))

    def load(self, clip_id: str) -> SkeletonClip:
        return read_kinetics_json(self.path(clip_id))

    # ---- writing ----------------------------------------------------------------------
    def add(self, clip: SkeletonClip, video_frames: Iterable[np.ndarray] | None = None,
            clip_id: str | None = None) -> ClipInfo:
        """Save a clip (and its RGB frames as mp4 if given). The JSON is written last, so a
        clip is listed only once everything it needs is on disk."""
        if not clip.label:
            raise LiveactionError("a clip needs a label")
        clip_id = clip_id or new_clip_id()
        json_path = self.path(clip_id)
        video_path = None
        if video_frames is not None:
            video_path = json_path.with_suffix(".mp4")
            write_mp4(video_path, video_frames, clip.fps or 30.0)
        try:
            write_kinetics_json(json_path, clip)
        except BaseException:
            if video_path is not None:
                video_path.unlink(missing_ok=True)
            raise
        return ClipInfo(clip_id, clip.label, clip.num_frames, clip.fps or 30.0, json_path, video_path)

    def relabel(self, clip_id: str, label: str) -> None:
        if not label:
            raise LiveactionError("a clip needs a label")
        clip = self.load(clip_id)
        write_kinetics_json(self.path(clip_id), replace(clip, label=label, label_index=None))

    def delete(self, clip_id: str) -> None:
        """Move a clip into the trash (undo with `restore`)."""
        trash = self.folder / TRASH
        trash.mkdir(exist_ok=True)
        for path in self._files(clip_id):
            os.replace(path, trash / path.name)

    def restore(self, clip_id: str) -> None:
        trash = self.folder / TRASH
        moved = False
        for suffix in (".mp4", ".json"):  # the JSON last: the clip reappears complete
            source = trash / f"{clip_id}{suffix}"
            if source.exists():
                os.replace(source, self.folder / source.name)
                moved = True
        if not moved:
            raise LiveactionError(f"clip {clip_id} is not in the trash")

    def empty_trash(self) -> None:
        shutil.rmtree(self.folder / TRASH, ignore_errors=True)

    def _files(self, clip_id: str) -> list[Path]:
        files = [p for p in (self.path(clip_id).with_suffix(".mp4"), self.path(clip_id)) if p.exists()]
        if not files:
            raise LiveactionError(f"no clip {clip_id} in {self.folder}")
        return files

    # ---- import / export ----------------------------------------------------------------
    def import_folder(self, folder: str | os.PathLike) -> tuple[int, list[tuple[Path, str]]]:
        """Copy every valid labelled clip JSON (and its mp4) from `folder`; returns
        (imported, [(file, problem)]) — bad files are reported, never fatal."""
        imported, problems = 0, []
        for path in sorted(Path(folder).glob("*.json")):
            try:
                clip = read_kinetics_json(path)
                if not clip.label:
                    raise BadFileError(path, "has no label")
            except BadFileError as error:
                problems.append((path, error.problem))
                continue
            video = path.with_suffix(".mp4")
            clip_id = path.stem if not self.path(path.stem).exists() else new_clip_id()
            if video.exists():
                atomic.write_bytes(self.path(clip_id).with_suffix(".mp4"), video.read_bytes())
            write_kinetics_json(self.path(clip_id), clip)
            imported += 1
        return imported, problems

    def export_folder(self, folder: str | os.PathLike, labels: Iterable[str] | None = None) -> int:
        """Copy the clips (all, or those with `labels`) into `folder` as our JSON (+ mp4)."""
        target = Path(folder)
        target.mkdir(parents=True, exist_ok=True)
        wanted = set(labels) if labels is not None else None
        count = 0
        for info in self.clips():
            if wanted is not None and info.label not in wanted:
                continue
            for path in (info.video, info.path):
                if path is not None:
                    atomic.write_bytes(target / path.name, path.read_bytes())
            count += 1
        return count

    def export_pyskl(self, path: str | os.PathLike, labels: Iterable[str] | None = None) -> int:
        """All clips (or those with `labels`) as one pyskl annotation pickle."""
        from recognizer.data.pyskl import export_pyskl

        infos = [i for i in self.clips() if labels is None or i.label in set(labels)]
        names = sorted({i.label for i in infos})
        clips = [replace(self.load(i.id), label_index=names.index(i.label)) for i in infos]
        if not clips:
            raise LiveactionError("no clips to export")
        export_pyskl(path, clips, [i.id for i in infos])
        return len(clips)


def write_mp4(path: Path, frames: Iterable[np.ndarray], fps: float) -> None:
    """RGB `uint8 (H, W, 3)` frames → an mp4 at `path`, atomically.

    OpenCV's writer does not report a full disk; the written file is checked by reading
    it back, and anything short is an error that leaves no file behind.
    """
    from recognizer.video import import_cv2

    cv2 = import_cv2()
    with atomic.atomic_path(path) as tmp:
        produced = tmp.with_suffix(".mp4")  # OpenCV picks the container by the suffix
        try:
            written = _encode(cv2, produced, frames, fps, path)
            capture = cv2.VideoCapture(str(produced))
            readable = int(capture.get(cv2.CAP_PROP_FRAME_COUNT)) if capture.isOpened() else 0
            capture.release()
            if readable < written:
                raise LiveactionError(f"{path}: the video could not be written completely (is the disk full?)")
            os.replace(produced, tmp)
        except BaseException:
            produced.unlink(missing_ok=True)
            raise


def _encode(cv2, out: Path, frames: Iterable[np.ndarray], fps: float, shown_as: Path) -> int:
    writer, written = None, 0
    try:
        for rgb in frames:
            if writer is None:
                h, w = rgb.shape[:2]
                writer = cv2.VideoWriter(str(out), cv2.VideoWriter_fourcc(*"mp4v"), float(fps), (w, h))
                if not writer.isOpened():
                    raise LiveactionError(f"{shown_as}: cannot write a video there")
            writer.write(cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2BGR))
            written += 1
    finally:
        if writer is not None:
            writer.release()
    if written == 0:
        raise LiveactionError(f"{shown_as}: no video frames to write")
    return written
