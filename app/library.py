"""The clip library as the app sees it: a snapshot read off the GUI thread, and the edits to it.

Reading every clip (to list it, draw its preview and imprint few-shot classes) takes
longer than a frame once the library grows, so `read_library` runs in a `BackgroundCall`
and the window gets a `LibrarySnapshot`, plain data. Every edit (save, relabel, delete,
undo, import, export) also runs in a background call and is followed by a fresh snapshot;
`ClipLibrary` writes atomically, so an edit that fails leaves the library as it was.

Which labels become few-shot classes is decided by the pure functions at the bottom.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Signal

from app.background import BackgroundCall
from recognizer.clips import ClipInfo, ClipLibrary
from recognizer.fewshot import MIN_CLIPS


@dataclass(frozen=True)
class ClipEntry:
    info: ClipInfo
    data: np.ndarray  # float32 (C, T, V, M), as in the file

    def preview_frame(self) -> np.ndarray:
        """`(M, V, C)`: the panel's preview — of the frames with the most joints seen, the one
        nearest the clip's middle (the middle frame itself may have lost the person)."""
        seen = (self.data[2] > 0).sum(axis=(1, 2))  # (T,) joints seen per frame
        best = np.flatnonzero(seen == seen.max())
        t = int(best[np.abs(best - self.data.shape[1] // 2).argmin()])
        return self.data[:, t].transpose(2, 1, 0)  # (C, V, M) → (M, V, C)


@dataclass(frozen=True)
class LibrarySnapshot:
    folder: Path
    groups: dict[str, tuple[ClipEntry, ...]]  # by label, labels sorted, clips oldest first
    problems: tuple[tuple[Path, str], ...] = ()  # files that could not be read

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(self.groups)

    def entry(self, clip_id: str) -> ClipEntry | None:
        return next((e for entries in self.groups.values() for e in entries if e.info.id == clip_id), None)


def read_library(library: ClipLibrary) -> LibrarySnapshot:
    """Every readable clip with its skeletons. Slow for a big library: off the GUI thread."""
    groups: dict[str, list[ClipEntry]] = {}
    for info, clip in library.read_each():
        groups.setdefault(info.label, []).append(ClipEntry(info, clip.data))
    return LibrarySnapshot(library.folder, {label: tuple(groups[label]) for label in sorted(groups)},
                           tuple(library.problems))


class LibraryController(QObject):
    """Runs library edits in background calls and publishes a new snapshot after each.

    `run` starts a `BackgroundCall` (the window's, so that closing waits for it). Results
    of an older refresh that arrive after a newer one was asked for are dropped.
    """

    changed = Signal(object)  # LibrarySnapshot
    done = Signal(str)  # a one-line report of a finished edit
    deleted = Signal(object, str)  # clip ids (tuple), report: a delete finished (it can be undone)
    failed = Signal(str)

    def __init__(self, library: ClipLibrary, run: Callable[[BackgroundCall], None], parent: QObject | None = None):
        super().__init__(parent)
        self.library = library
        self._run = run
        self.snapshot: LibrarySnapshot | None = None
        self._refresh_call: BackgroundCall | None = None

    def refresh(self) -> None:
        call = BackgroundCall(read_library, self.library, what="Reading your clips")
        self._refresh_call = call
        call.succeeded.connect(functools.partial(self._read, call))
        call.failed.connect(self.failed)
        self._run(call)

    def _read(self, call: BackgroundCall, snapshot: LibrarySnapshot) -> None:
        if call is self._refresh_call:
            self._refresh_call = None
            self.snapshot = snapshot
            self.changed.emit(snapshot)

    def edit(self, fn: Callable[[], str], what: str, report=None) -> BackgroundCall:
        """Run `fn` (returns its report) off the GUI thread, then refresh; the report goes to
        `report` (a slot or signal; default `done`)."""
        call = BackgroundCall(fn, what=what)
        call.succeeded.connect(report if report is not None else self._report)
        call.failed.connect(self.failed)
        call.finished.connect(self.refresh)
        self._run(call)
        return call

    def _report(self, text: str) -> None:
        self.done.emit(text)

    # ---- the edits ------------------------------------------------------------------------
    def relabel(self, clip_ids: Iterable[str], label: str) -> BackgroundCall:
        ids = tuple(clip_ids)
        return self.edit(_each(ids, lambda clip_id: self.library.relabel(clip_id, label),
                               f"{_clips(len(ids))} relabelled “{label}”."), "Relabelling clips")

    def delete(self, clip_ids: Iterable[str]) -> BackgroundCall:
        """Move clips to the trash; `deleted` says which, so that they can be restored."""
        ids = tuple(clip_ids)
        return self.edit(_each(ids, self.library.delete, f"{_clips(len(ids))} deleted."), "Deleting clips",
                         functools.partial(self._deleted, ids))

    def _deleted(self, clip_ids: tuple[str, ...], report: str) -> None:
        self.deleted.emit(clip_ids, report)

    def restore(self, clip_ids: Iterable[str]) -> BackgroundCall:
        ids = tuple(clip_ids)
        return self.edit(_each(ids, self.library.restore, f"{_clips(len(ids))} back."), "Restoring clips")

    def import_folder(self, folder: Path) -> BackgroundCall:
        library = self.library

        def import_folder() -> str:
            imported, problems = library.import_folder(folder)
            report = f"{_clips(imported)} imported from {folder}."
            if problems:
                path, problem = problems[0]
                more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
                report += f" Skipped {path.name}: {problem}{more}."
            return report
        return self.edit(import_folder, "Importing clips")

    def export_folder(self, folder: Path) -> BackgroundCall:
        library = self.library
        return self.edit(lambda: f"{_clips(library.export_folder(folder))} exported to {folder}.", "Exporting clips")

    def export_pyskl(self, path: Path) -> BackgroundCall:
        library = self.library
        return self.edit(lambda: f"{_clips(library.export_pyskl(path))} exported for pyskl to {path}.",
                         "Exporting clips for pyskl")


def _each(clip_ids: tuple[str, ...], apply: Callable[[str], None], report: str) -> Callable[[], str]:
    """An edit for `LibraryController.edit`: `apply` to each clip in turn, then `report`."""
    def edit() -> str:
        for clip_id in clip_ids:
            apply(clip_id)
        return report
    return edit


def _clips(n: int) -> str:
    return f"{n} clip" if n == 1 else f"{n} clips"


# ---- few-shot: which labels, from which clips ------------------------------------------------
FewShotKey = tuple[tuple[str, tuple[str, ...]], ...]


def few_shot_sets(snapshot: LibrarySnapshot | None, trained: Iterable[str],
                  min_clips: int = MIN_CLIPS) -> dict[str, tuple[ClipEntry, ...]]:
    """The library's labels the model was not trained on that have enough clips to imprint."""
    if snapshot is None:
        return {}
    known = set(trained)
    return {label: entries for label, entries in snapshot.groups.items()
            if label not in known and len(entries) >= min_clips}


def few_shot_key(sets: Mapping[str, Iterable[ClipEntry]]) -> FewShotKey:
    """What an imprint was made from: when this changes, the few-shot classes are out of date."""
    return tuple(sorted((label, tuple(e.info.id for e in entries)) for label, entries in sets.items()))


def label_status(snapshot: LibrarySnapshot | None, trained: Iterable[str], few_shot: Iterable[str],
                 enabled: bool, min_clips: int = MIN_CLIPS) -> dict[str, str]:
    """Per library label, a few words on how the current model treats it (shown in the panel)."""
    if snapshot is None:
        return {}
    known, instant = set(trained), set(few_shot)
    status = {}
    for label, entries in snapshot.groups.items():
        if label in known:
            status[label] = "known to the model"
        elif label in instant:
            status[label] = "recognized (few-shot)"
        elif len(entries) < min_clips:
            more = min_clips - len(entries)
            status[label] = f"{more} more clip{'s' if more > 1 else ''} to recognize it"
        elif enabled:
            status[label] = "being added…"
        else:
            status[label] = "not recognized (few-shot is off)"
    return status
