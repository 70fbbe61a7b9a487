"""The library panel: the user's clips grouped by label, each with a small skeleton preview.

It shows a `LibrarySnapshot` and says what the user asked for (play, relabel, delete,
import, export) through signals; the window carries it out in the background and hands
back the next snapshot. The preview is the clip's middle frame drawn into a small pixmap:
cheap, and it needs no video.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping

import numpy as np
from PySide6.QtCore import QPointF, QSize, Qt, Signal
from PySide6.QtGui import QIcon, QKeySequence, QPainter, QPen, QPixmap, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QInputDialog, QLabel, QMenu,
                               QToolButton, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget)

from app.library import ClipEntry, LibrarySnapshot
from app.views.video import CANVAS, person_colour
from recognizer.skeleton import OPENPOSE18

PREVIEW_PX = 40  # the preview icon's side
CLIP_ID = Qt.ItemDataRole.UserRole  # a clip row's id; label rows hold None
LABEL = Qt.ItemDataRole.UserRole + 1  # a label row's label


def clip_title(clip_id: str) -> str:
    """A recorded clip's id (`20261126-093512-4f2a`) as when it was recorded; other names as they are."""
    try:
        when = datetime.datetime.strptime(clip_id[:15], "%Y%m%d-%H%M%S")
    except ValueError:
        return clip_id
    return f"{when:%d %b, %H:%M:%S}"


def skeleton_pixmap(skeletons: np.ndarray, size: int = PREVIEW_PX) -> QPixmap:
    """`(M, 18, 3)` skeletons drawn to fit a `size` × `size` pixmap (the seen joints' box, kept square)."""
    pixmap = QPixmap(size, size)
    pixmap.fill(CANVAS)
    seen = skeletons[..., 2] > 0  # (M, V)
    if not seen.any():
        return pixmap
    xy = skeletons[..., :2][seen]  # (n, 2)
    low, high = xy.min(axis=0), xy.max(axis=0)
    span = max(float((high - low).max()), 1e-3)
    scale = (size - 6) / span
    offset = (size - (high - low) * scale) / 2 - low * scale  # centres the box
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    for m, skeleton in enumerate(skeletons):
        if not seen[m].any():
            continue
        pen = QPen(person_colour(m), 1.6)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(pen)
        points = [QPointF(*(skeleton[v, :2] * scale + offset)) for v in range(len(skeleton))]
        for a, b in OPENPOSE18.bones:
            if seen[m, a] and seen[m, b]:
                painter.drawLine(points[a], points[b])
    painter.end()
    return pixmap


class LibraryView(QWidget):
    play = Signal(object)  # ClipInfo
    relabel = Signal(object, str)  # clip ids (tuple), new label
    delete = Signal(object)  # clip ids (tuple)
    import_clips = Signal()
    export_clips = Signal()
    export_pyskl = Signal()
    train = Signal()  # "Train a model on my clips…"

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.snapshot: LibrarySnapshot | None = None
        self.known_labels: tuple[str, ...] = ()  # offered when relabelling, besides the library's
        self.tree = QTreeWidget()
        self.tree.setColumnCount(2)
        self.tree.setHeaderLabels(["Label · clip", "Length"])
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tree.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.header().setStretchLastSection(False)
        self.tree.setIconSize(QSize(PREVIEW_PX, PREVIEW_PX))
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._context_menu)
        self.tree.itemDoubleClicked.connect(lambda item, _column: self._play_item(item))
        self.tree.itemSelectionChanged.connect(self._selection_changed)
        self.summary = QLabel("No clips yet: choose a label and press Record (R).")
        self.summary.setWordWrap(True)

        self.play_button = self._button("Play", "Replay the clip's skeletons (double-click works too)",
                                        self.play_selected)
        self.relabel_button = self._button("Relabel…", "Give the selected clips another label", self.ask_relabel)
        self.delete_button = self._button("Delete", "Delete the selected clips (Undo in the message bar)",
                                          self.delete_selected)
        more = QToolButton()
        more.setText("More")
        more.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.more_menu = QMenu(more)
        for text, signal in (("Import a folder of clips…", self.import_clips),
                             ("Export clips to a folder…", self.export_clips),
                             ("Export for pyskl (.pkl)…", self.export_pyskl),
                             ("Train a model on my clips…", self.train)):
            self.more_menu.addAction(text).triggered.connect(lambda _=False, s=signal: s.emit())
        more.setMenu(self.more_menu)
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        for button in (self.play_button, self.relabel_button, self.delete_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(more)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.summary)
        layout.addWidget(self.tree, 1)
        layout.addLayout(buttons)
        shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.tree)
        shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
        shortcut.activated.connect(self.delete_selected)
        self._selection_changed()

    def _button(self, text: str, tip: str, slot) -> QToolButton:
        button = QToolButton()
        button.setText(text)
        button.setToolTip(tip)
        button.clicked.connect(lambda _=False: slot())
        return button

    # ---- showing the library -------------------------------------------------------------------
    def show_snapshot(self, snapshot: LibrarySnapshot, status: Mapping[str, str]) -> None:
        """List `snapshot`; `status` is a few words per label (how the model treats it)."""
        groups = [self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount())]
        collapsed = {group.data(0, LABEL) for group in groups if not group.isExpanded()}
        selected = set(self.selected_ids())
        self.snapshot = snapshot
        self.tree.clear()
        for label, entries in snapshot.groups.items():
            said = f"  · {status[label]}" if status.get(label) else ""
            group = QTreeWidgetItem([f"{label} ({len(entries)}){said}"])
            group.setData(0, CLIP_ID, None)
            group.setData(0, LABEL, label)
            group.setToolTip(0, f"{len(entries)} clips of “{label}”: {status.get(label, '')}")
            self.tree.addTopLevelItem(group)
            for entry in entries:
                group.addChild(self._clip_item(entry))
            group.setExpanded(label not in collapsed)
            group.setFirstColumnSpanned(True)
        for item in self._clip_items():
            item.setSelected(item.data(0, CLIP_ID) in selected)
        count = sum(len(e) for e in snapshot.groups.values())
        problems = f" {len(snapshot.problems)} unreadable file(s) skipped." if snapshot.problems else ""
        self.summary.setText(f"{count} clips of {len(snapshot.groups)} actions in {snapshot.folder}.{problems}"
                             if count else f"No clips yet: choose a label and press Record (R).{problems}")
        self.summary.setToolTip("\n".join(f"{path.name}: {problem}" for path, problem in snapshot.problems))
        self._selection_changed()

    def _clip_item(self, entry: ClipEntry) -> QTreeWidgetItem:
        info = entry.info
        item = QTreeWidgetItem([clip_title(info.id) + ("  · video" if info.video is not None else ""),
                                f"{info.seconds:.1f} s"])
        item.setData(0, CLIP_ID, info.id)
        item.setIcon(0, QIcon(skeleton_pixmap(entry.preview_frame())))
        item.setToolTip(0, f"{info.path}" + (f"\nvideo: {info.video.name}" if info.video is not None else ""))
        item.setToolTip(1, f"{info.frames} frames at {info.fps:g} fps")
        return item

    def _clip_items(self) -> list[QTreeWidgetItem]:
        return [self.tree.topLevelItem(i).child(j) for i in range(self.tree.topLevelItemCount())
                for j in range(self.tree.topLevelItem(i).childCount())]

    def group_counts(self) -> dict[str, int]:
        """Label → clips listed (what the user sees)."""
        counts = {}
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            counts[item.data(0, LABEL)] = item.childCount()
        return counts

    # ---- selection and actions -----------------------------------------------------------------
    def select(self, clip_ids) -> None:
        wanted = set(clip_ids)
        self.tree.clearSelection()
        for item in self._clip_items():
            item.setSelected(item.data(0, CLIP_ID) in wanted)

    def selected_ids(self) -> tuple[str, ...]:
        """The selected clips; a selected label row stands for all its clips."""
        ids: list[str] = []
        for item in self.tree.selectedItems():
            clip_id = item.data(0, CLIP_ID)
            children = [item.child(j).data(0, CLIP_ID) for j in range(item.childCount())]
            for one in ([clip_id] if clip_id is not None else children):
                if one not in ids:
                    ids.append(one)
        return tuple(ids)

    def play_selected(self) -> None:
        items = self.tree.selectedItems()
        if items:
            self._play_item(items[0])

    def _play_item(self, item: QTreeWidgetItem) -> None:
        clip_id = item.data(0, CLIP_ID) or (item.child(0).data(0, CLIP_ID) if item.childCount() else None)
        entry = self.snapshot.entry(clip_id) if self.snapshot is not None and clip_id else None
        if entry is not None:
            self.play.emit(entry.info)

    def ask_relabel(self) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        labels = sorted({*self.known_labels, *(self.snapshot.labels if self.snapshot else ())}, key=str.lower)
        current = self.snapshot.entry(ids[0]).info.label if self.snapshot and self.snapshot.entry(ids[0]) else ""
        index = labels.index(current) if current in labels else 0
        label, ok = QInputDialog.getItem(self, "Relabel", f"New label for {len(ids)} clip(s):", labels, index, True)
        if ok and label.strip() and label.strip() != current:
            self.relabel.emit(ids, label.strip())

    def delete_selected(self) -> None:
        ids = self.selected_ids()
        if ids:
            self.delete.emit(ids)

    def _selection_changed(self) -> None:
        has = bool(self.tree.selectedItems())
        for button in (self.play_button, self.relabel_button, self.delete_button):
            button.setEnabled(has)

    def _context_menu(self, position) -> None:
        if not self.tree.selectedItems():
            return
        menu = QMenu(self)
        menu.addAction("Play").triggered.connect(lambda _=False: self.play_selected())
        menu.addAction("Relabel…").triggered.connect(lambda _=False: self.ask_relabel())
        menu.addAction("Delete").triggered.connect(lambda _=False: self.delete_selected())
        menu.exec(self.tree.viewport().mapToGlobal(position))
