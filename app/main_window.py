"""The main window: wires sources, the engine and the views together; decides nothing slow.

Everything slow happens elsewhere: opening a source or loading a model runs in a
`BackgroundCall`, frames are read and analysed in a `Session`'s threads, the model runs on
the engine's own thread. The window only reacts to their signals, so a camera that hangs,
a corrupt file or a slow model never freezes it. A request that fails keeps what was
running before (a bad video does not stop the good one).

The window is open for more: panels are `QDockWidget`s registered by name, menus are
plain `QMenu`s, and the current engine/session are attributes other parts can follow.

Recording and the clip library (issue #9) live here too: the Record button feeds the
shown frames to a `RecordController`, the Library panel edits the clips through a
`LibraryController`, and whenever the library or the model changes, labels the model does
not know that have enough clips become few-shot classes of a freshly loaded engine.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, Qt, QTimer, QUrl
from PySide6.QtGui import (QAction, QActionGroup, QCloseEvent, QDesktopServices, QDragEnterEvent, QDropEvent,
                           QKeySequence)
from PySide6.QtWidgets import (QDockWidget, QFileDialog, QHBoxLayout, QInputDialog, QLabel, QMainWindow, QMenu,
                               QStackedWidget, QVBoxLayout, QWidget)

from app import settings as settings_io
from app.about import show_about
from app.background import BackgroundCall
from app.inference import EngineBridge, LoadedModel, build_engine
from app.library import (ClipEntry, FewShotKey, LibraryController, LibrarySnapshot, few_shot_key, few_shot_sets,
                         label_status)
from app.models_menu import LabelsDialog, ModelsMenu, model_title
from app.recording import RecordController, RecordingView
from app.settings import AppSettings
from app.train_dialog import TrainDialog
from app.sources import (CAMERA, CLIP, RESOLUTIONS, STREAM, VIDEO, LiveFrame, Session, SourceSpec, default_pipeline,
                         open_source)
from app.startup import (VIDEO_SUFFIXES, StartOptions, camera_to_open, dropped_kind, model_to_load,
                         remembered_source, requested_source)
from app.views.attention import AttentionView
from app.views.frequency import FrequencyView
from app.views.library import LibraryView
from app.views.message_bar import ERROR, INFO, WARNING, MessageBar
from app.views.predictions import LabelBanner, TopKBars
from app.views.record_bar import RecordBar
from app.views.start_page import StartPage
from app.views.video import VideoView
from recognizer.clips import ClipInfo, ClipLibrary
from recognizer.engine import Prediction
from recognizer.errors import LiveactionError
from recognizer.maps import AttentionQuery
from recognizer.paths import STARTER_MODEL, clip_library, user_models
from recognizer.recorder import RecordingConfig
from recognizer.video import list_cameras

log = logging.getLogger(__name__)

THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)  # offered in Model ▸ Unknown below
STATUS_INTERVAL_S = 0.25  # the status bar's numbers change at most this often


@dataclass(frozen=True)
class AppContext:
    """What the window takes from the outside world; tests pass their own pieces."""

    store: QSettings  # where settings are remembered
    starter_model: Path = STARTER_MODEL
    user_models: Path = field(default_factory=user_models)
    clip_library: Path = field(default_factory=clip_library)  # the user's recorded clips
    open_source: Callable[[SourceSpec], Any] = open_source
    find_cameras: Callable[[], list[int]] = list_cameras
    make_pipeline: Callable[[], Any] = default_pipeline
    retry_s: float = 2.0  # wait before trying a lost camera again (doubles up to 8 s)
    countdown_s: float = 3.0  # time to get into position between pressing Record and recording


class MainWindow(QMainWindow):
    def __init__(self, context: AppContext, options: StartOptions = StartOptions()):
        super().__init__()
        self.context = context
        self.options = options
        self.settings: AppSettings = settings_io.load(context.store)
        self.session: Session | None = None
        self.engine = None
        self.model: LoadedModel | None = None
        self.train_dialog: TrainDialog | None = None  # open, or with a run still going
        self.paused = False
        self.ended = False
        self.cameras: list[int] = []
        self.last_prediction: Prediction | None = None
        self.predictions = 0
        self.frames_shown = 0
        self._retiring: set[Session] = set()
        self._calls: set[BackgroundCall] = set()
        self._open_call: BackgroundCall | None = None
        self._model_call: BackgroundCall | None = None
        self._retry_spec: SourceSpec | None = None
        self._retry_attempts = 0
        self._status_at = 0.0
        self._layout_restored = False
        self._suspended: list[str] | None = None  # panels hidden while the start page shows
        self._dialogs: list[QWidget] = []
        self.closed = False  # results that arrive after closing are dropped
        self.clips = LibraryController(ClipLibrary(context.clip_library), self._run, self)
        self.recording = RecordController(self._run, self)
        self._few_shot_key: FewShotKey = ()  # the clips the current engine's few-shot classes were asked from

        self.setWindowTitle("liveaction")
        self.setAcceptDrops(True)
        self.setDockOptions(QMainWindow.DockOption.AnimatedDocks | QMainWindow.DockOption.AllowTabbedDocks)
        self._build_views()
        self._build_docks()
        self._build_menus()
        self._build_status_bar()
        self._retry_timer = QTimer(self)
        self._retry_timer.setSingleShot(True)
        self._retry_timer.timeout.connect(self._retry_source)
        self._restore_layout()

    # ================================================================ building the window
    def _build_views(self) -> None:
        self.message_bar = MessageBar()
        self.banner = LabelBanner()
        self.video = VideoView()
        self.top_k = TopKBars()
        self.start_page = StartPage()
        live = QWidget()
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.video, 1)
        row.addWidget(self.top_k)
        column = QVBoxLayout(live)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.banner)
        column.addLayout(row, 1)
        self.live_page = live
        self.pages = QStackedWidget()
        self.pages.addWidget(self.start_page)
        self.pages.addWidget(live)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.message_bar)
        layout.addWidget(self.pages, 1)
        self.setCentralWidget(central)

        self.start_page.open_video.connect(self.choose_video)
        self.start_page.retry_camera.connect(self.retry_camera)
        self.start_page.open_stream.connect(self.choose_stream)
        self.start_page.open_clip.connect(self.choose_clip)
        self.video.joint_clicked.connect(self._joint_clicked)

    def _build_docks(self) -> None:
        self.frequency_view = FrequencyView()
        self.attention_view = AttentionView()
        self.docks: dict[str, QDockWidget] = {}
        self.add_panel("frequency", "Frequency", self.frequency_view, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.add_panel("attention", "Attention", self.attention_view, Qt.DockWidgetArea.RightDockWidgetArea)
        self.attention_view.query_changed.connect(self._query_changed)
        self.library_view = LibraryView()
        self.add_panel("library", "Library", self.library_view, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.library_view.play.connect(self.play_clip)
        self.library_view.relabel.connect(self.relabel_clips)
        self.library_view.delete.connect(self.delete_clips)
        self.library_view.import_clips.connect(self.import_clips)
        self.library_view.export_clips.connect(self.export_clips)
        self.library_view.export_pyskl.connect(self.export_pyskl)
        self.library_view.train.connect(self.open_train_dialog)
        self.clips.changed.connect(self._library_changed)
        self.clips.deleted.connect(self._clips_deleted)
        self.clips.done.connect(lambda report: self.message_bar.show_message(report, INFO, timeout_ms=6000))
        self.clips.failed.connect(lambda message: self.message_bar.show_message(message, ERROR))
        self.recording.view_changed.connect(self._recording_view_changed)
        self.recording.saved.connect(self._clip_saved)
        self.recording.failed.connect(lambda message: self.message_bar.show_message(message, ERROR))
        self.recording.cancelled.connect(lambda message: self.message_bar.show_message(message, WARNING,
                                                                                       timeout_ms=8000))

    def add_panel(self, name: str, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        """Dock `widget` as a named panel: its name keys where it was docked and whether it
        was closed, so panels added after start-up are remembered like the built-in ones."""
        dock = QDockWidget(title, self)
        dock.setObjectName(f"panel-{name}")
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        if self._layout_restored:
            self.restoreDockWidget(dock)
            self.view_menu.addAction(dock.toggleViewAction())
        wanted = name not in self.settings.hidden_panels
        if self._suspended is not None and wanted:
            self._suspended.append(name)
        dock.setVisible(wanted and self._suspended is None)
        dock.visibilityChanged.connect(lambda _visible: self._update_map_requests())
        self.docks[name] = dock
        return dock

    def _build_menus(self) -> None:
        bar = self.menuBar()
        source = self.source_menu = bar.addMenu("&Source")
        self._action(source, "Open &video…", self.choose_video, QKeySequence.StandardKey.Open)
        self._action(source, "&Network camera…", self.choose_stream)
        self._action(source, "&Replay a recorded clip…", self.choose_clip)
        self.camera_menu = source.addMenu("&Camera")
        self.camera_menu.aboutToShow.connect(self._fill_camera_menu)
        self._fill_camera_menu()
        source.addSeparator()
        self.loop_action = self._action(source, "&Loop videos and clips", self.set_loop)
        self.loop_action.setCheckable(True)
        self.loop_action.setChecked(self.settings.loop)
        source.addSeparator()
        self._action(source, "&Quit", self.close, QKeySequence.StandardKey.Quit)

        self.threshold_menu = QMenu("&Unknown below", self)
        group = QActionGroup(self)
        for value in (None, *THRESHOLDS):
            action = self.threshold_menu.addAction("the model's own threshold" if value is None else f"{value:.0%}")
            action.setCheckable(True)
            action.setChecked(value == self.settings.threshold)
            action.triggered.connect(functools.partial(self.set_threshold, value))
            group.addAction(action)
        self.models_menu = ModelsMenu(self.context.starter_model, self.context.user_models, self.threshold_menu, self)
        self.models_menu.model_chosen.connect(self.load_model)
        self.models_menu.open_file.connect(self.choose_model)
        self.models_menu.show_labels.connect(self.show_labels)
        bar.addMenu(self.models_menu)

        clips = self.clips_menu = bar.addMenu("&Clips")
        self.record_action = self._action(clips, "● Record", self.toggle_recording, "R")
        self.record_bar = RecordBar(self.record_action, self)
        self.record_bar.set_options(self.settings.record_length_s, self.settings.record_until_stopped,
                                    self.settings.keep_video)
        self.record_bar.set_label(self.settings.record_label or "")
        self.record_bar.options_changed.connect(self._record_options_changed)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.record_bar)
        self.few_shot_action = self._action(clips, "Recognize my clips instantly (&few-shot)", self.set_few_shot)
        self.few_shot_action.setCheckable(True)
        self.few_shot_action.setChecked(self.settings.few_shot)
        self._action(clips, "&Train a model on my clips…", self.open_train_dialog, "Ctrl+T")
        clips.addSeparator()
        self._action(clips, "&Import a folder of clips…", self.import_clips)
        self._action(clips, "&Export clips to a folder…", self.export_clips)
        self._action(clips, "Export for &pyskl (.pkl)…", self.export_pyskl)
        self._action(clips, "Show clips &folder", self.show_clips_folder)

        view = bar.addMenu("&View")
        self.pause_action = self._action(view, "&Pause", self.toggle_pause, "Space")
        self.pause_action.setCheckable(True)
        self.full_screen_action = self._action(view, "&Full screen", self.toggle_full_screen, "F")
        self.full_screen_action.setCheckable(True)
        leave = QAction(self)
        leave.setShortcut("Esc")
        leave.triggered.connect(lambda: self.isFullScreen() and self.toggle_full_screen())
        self.addAction(leave)
        view.addSeparator()
        for dock in self.docks.values():
            view.addAction(dock.toggleViewAction())
        view.addAction(self.record_bar.toggleViewAction())
        self.view_menu = view

        help_menu = bar.addMenu("&Help")
        self._action(help_menu, "&About liveaction", self.show_about)

    def _action(self, menu: QMenu, text: str, slot, shortcut=None) -> QAction:
        action = menu.addAction(text)
        action.triggered.connect(lambda _=False: slot())
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            self.addAction(action)  # shortcuts work in full screen too, with the menu bar hidden
        return action

    def _build_status_bar(self) -> None:
        self.status = {name: QLabel("") for name in ("source", "fps", "pose", "model", "device")}
        for label in self.status.values():
            label.setContentsMargins(8, 0, 8, 0)
            self.statusBar().addPermanentWidget(label)
        self.status["source"].setText("no source")
        self.status["model"].setText("no model")

    def _restore_layout(self) -> None:
        if self.settings.geometry:
            self.restoreGeometry(self.settings.geometry)
        else:
            self.resize(1500, 950)
        if self.settings.window_state:
            self.restoreState(self.settings.window_state)
        else:
            self.resizeDocks([self.docks["attention"], self.docks["library"]], [430, 330], Qt.Orientation.Horizontal)
            self.resizeDocks([self.docks["frequency"]], [300], Qt.Orientation.Vertical)
        for name, dock in self.docks.items():
            dock.setVisible(name not in self.settings.hidden_panels)
        self._layout_restored = True

    # ================================================================ starting up
    def start(self) -> None:
        """Open what the command line or the last run asked for; look for a camera otherwise."""
        self.clips.refresh()
        self._load_startup_model()
        spec = requested_source(self.options, self.settings.loop, self.settings.resolution)
        spec = spec or remembered_source(self.settings.source)
        if spec is not None:
            self.open_source(spec)
        else:
            self._show_start_page("Looking for a camera…")
            self.retry_camera()

    def _load_startup_model(self) -> None:
        path = model_to_load(self.options, self.settings.model_path, self.context.starter_model)
        if path == self.context.starter_model and not path.is_file():
            note = (f"The bundled starter model is missing ({path}). Videos still show skeletons; choose a "
                    "model with Model ▸ Open model file… to see labels.")
            self.message_bar.show_message(note, WARNING)
            self.banner.show_message("No model", "Model ▸ Open model file…")
            return
        self.load_model(path)

    # ================================================================ sources
    def choose_video(self) -> None:
        filters = f"Videos ({' '.join('*' + s for s in VIDEO_SUFFIXES)});;All files (*)"
        path, _ = QFileDialog.getOpenFileName(self, "Open video", self._last_folder(), filters)
        if path:
            self.open_source(SourceSpec(VIDEO, path, loop=self.settings.loop))

    def choose_clip(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Replay a recorded clip", self._last_folder(),
                                              "Skeleton clips (*.json);;All files (*)")
        if path:
            self.open_source(SourceSpec(CLIP, path, loop=self.settings.loop))

    def choose_stream(self) -> None:
        last = self.settings.source.target if self.settings.source and self.settings.source.kind == STREAM else ""
        url, ok = QInputDialog.getText(self, "Network camera",
                                       "Stream URL (HTTP MJPEG or RTSP, e.g. http://phone:8080/video):", text=last)
        if ok and url.strip():
            self.open_source(SourceSpec(STREAM, url.strip()))

    def _last_folder(self) -> str:
        source = self.settings.source
        return str(Path(source.target).parent) if source and source.kind in (VIDEO, CLIP) else str(Path.home())

    def open_source(self, spec: SourceSpec, retry: bool = False) -> None:
        """Open `spec` off the GUI thread; what runs now keeps running until it succeeds."""
        if not retry:
            self._stop_retrying()
        call = BackgroundCall(self.context.open_source, spec, what=f"Opening {spec.title}")
        self._open_call = call
        call.succeeded.connect(functools.partial(self._source_opened, call, spec))
        call.failed.connect(functools.partial(self._source_failed, call, spec, retry))
        self._run(call)
        if not retry:
            self.status["source"].setText(f"opening {spec.title}…")

    def _source_opened(self, call: BackgroundCall, spec: SourceSpec, source) -> None:
        if call is not self._open_call:  # a newer request won
            source.close()
            return
        self._open_call = None
        reconnected = self._retry_spec is not None
        self._stop_retrying()
        self._retire_session()
        session = Session(spec, source, self.engine, self.context.make_pipeline, self)
        session.frame.connect(functools.partial(self._on_frame, session))
        session.lost.connect(functools.partial(self._on_lost, session))
        session.failed.connect(functools.partial(self._on_failed, session))
        session.ended.connect(functools.partial(self._on_ended, session))
        self.session = session
        self.ended = False
        self.paused = False
        self.pause_action.setChecked(False)
        self.attention_view.set_paused(False)
        self.video.set_overlay("")
        self.video.clear()
        session.start()
        self.pages.setCurrentWidget(self.live_page)
        self._suspend_panels(False)
        self.status["source"].setText(f"{session.name} · {session.source_fps:.0f} fps")
        if self.model is not None:
            self.banner.show_message("…", "warming up")
        self.top_k.clear()
        if reconnected:
            self.message_bar.show_message(f"{spec.title} is back.", INFO, timeout_ms=3000)
        elif self.message_bar.level == ERROR:
            self.message_bar.dismiss()  # the failure it told of is over
        self.settings = replace(self.settings, source=spec)
        self._save_settings()

    def _source_failed(self, call: BackgroundCall, spec: SourceSpec, retry: bool, message: str) -> None:
        if call is not self._open_call:
            return
        self._open_call = None
        if retry and self._retry_spec == spec:
            self._schedule_retry(message)
            return
        self.message_bar.show_message(f"Cannot open {spec.title}: {message}", ERROR)
        if self.session is None:
            self._show_start_page(f"Cannot open {spec.title}.")
        else:
            self.status["source"].setText(f"{self.session.name} · {self.session.source_fps:.0f} fps")

    def _retire_session(self) -> None:
        """Stop the current session without waiting; it is dropped once its threads end."""
        session, self.session = self.session, None
        if session is None:
            return
        self.recording.cancel("Recording cancelled: the source stopped.")
        self._retiring.add(session)
        session.finished.connect(functools.partial(self._retiring.discard, session))
        session.stop()
        if not session.running:
            self._retiring.discard(session)

    def _on_frame(self, session: Session, frame: LiveFrame) -> None:
        if session is not self.session:
            return
        self.video.show_frame(frame)
        self.frames_shown += 1
        self.recording.feed(frame)
        if frame.rgb is not None:
            self.attention_view.set_aspect(frame.rgb.shape[1] / frame.rgb.shape[0])
        now = time.monotonic()
        if now - self._status_at >= STATUS_INTERVAL_S:
            self._status_at = now
            self.status["fps"].setText(f"{frame.fps:.1f} fps analysed")
            self.status["fps"].setToolTip(f"{frame.dropped} frames skipped so far to stay live")
            self.status["pose"].setText(f"pose {frame.pose_ms:.0f} ms" if session.has_video else "replay (no pose)")
            if self.engine is not None and self.engine.model_ms:
                self.status["model"].setText(f"model {self.engine.model_ms[-1]:.0f} ms")

    def _on_lost(self, session: Session, message: str) -> None:
        if session is not self.session:
            return
        self._retire_session()
        self._retry_spec = session.spec
        self._retry_attempts = 0
        self.video.set_overlay("Reconnecting…")
        self._schedule_retry(message)

    def _schedule_retry(self, message: str) -> None:
        self._retry_attempts += 1
        delay = min(self.context.retry_s * 2 ** (self._retry_attempts - 1), max(8.0, self.context.retry_s))
        self.message_bar.show_message(f"{message}. Trying again in {delay:.0f} s (attempt {self._retry_attempts})…",
                                      WARNING)
        self.status["source"].setText(f"{self._retry_spec.title}: reconnecting…")
        self._retry_timer.start(int(delay * 1000))

    def _retry_source(self) -> None:
        if self._retry_spec is not None:
            self.open_source(self._retry_spec, retry=True)

    def _stop_retrying(self) -> None:
        self._retry_timer.stop()
        self._retry_spec = None
        self._retry_attempts = 0

    def _on_failed(self, session: Session, message: str) -> None:
        if session is not self.session:
            return
        self._retire_session()
        self.video.set_overlay("Stopped")
        self.message_bar.show_message(message, ERROR)
        self.status["source"].setText(f"{session.name}: stopped")

    def _on_ended(self, session: Session) -> None:
        if session is not self.session:
            return
        self.ended = True
        self.video.set_overlay("End of video — Space plays it again")
        self.recording.stop("Recording cancelled: the video ended during the countdown.")

    def retry_camera(self) -> None:
        """Look for cameras off the GUI thread; open the remembered one or the first found."""
        call = BackgroundCall(self.context.find_cameras, what="Looking for cameras")
        call.succeeded.connect(self._cameras_found)
        call.failed.connect(lambda message: self._cameras_found([]))
        self._run(call)

    def _cameras_found(self, cameras: list[int]) -> None:
        if self.closed:
            return
        self.cameras = list(cameras)
        spec = camera_to_open(self.cameras, self.settings.source, self.settings.resolution)
        if spec is not None:
            self.open_source(spec)
        elif self.session is None:
            self._show_start_page("No camera found. Connect one and press Retry camera, or open a video.")
        else:
            self.message_bar.show_message("No camera found.", WARNING, timeout_ms=4000)

    def _fill_camera_menu(self) -> None:
        menu = self.camera_menu
        menu.clear()
        for index in self.cameras:
            menu.addAction(f"Camera {index}").triggered.connect(functools.partial(self.open_camera, index))
        if not self.cameras:
            menu.addAction("No camera found").setEnabled(False)
        menu.addAction("Look for cameras again").triggered.connect(lambda _=False: self.retry_camera())
        menu.addSeparator()
        sizes = menu.addMenu("Resolution")
        group = QActionGroup(sizes)
        for size in (None, *RESOLUTIONS):
            action = sizes.addAction("the camera's own" if size is None else f"{size[0]} × {size[1]}")
            action.setCheckable(True)
            action.setChecked(size == self.settings.resolution)
            action.triggered.connect(functools.partial(self.set_resolution, size))
            group.addAction(action)

    def open_camera(self, index: int, _checked: bool = False) -> None:
        self.open_source(SourceSpec.camera(index, self.settings.resolution))

    def set_resolution(self, size: tuple[int, int] | None, _checked: bool = False) -> None:
        self.settings = replace(self.settings, resolution=size)
        if self.session is not None and self.session.spec.kind == CAMERA:
            self.open_source(SourceSpec.camera(int(self.session.spec.target), size))
        self._save_settings()

    def set_loop(self) -> None:
        loop = self.loop_action.isChecked()
        self.settings = replace(self.settings, loop=loop)
        if self.session is not None:
            self.session.set_loop(loop)
        self._save_settings()

    def _show_start_page(self, message: str) -> None:
        self.start_page.set_message(message)
        self.pages.setCurrentWidget(self.start_page)
        self.status["source"].setText("no source")
        self._suspend_panels(True)

    def _suspend_panels(self, suspend: bool) -> None:
        """Tuck the panels away while there is nothing to analyse (the start page), and bring
        back the ones that were open; what the user chose stays what is remembered."""
        if suspend and self._suspended is None:
            self._suspended = [name for name, dock in self.docks.items() if not dock.isHidden()]
            for name in self._suspended:
                self.docks[name].hide()
        elif not suspend and self._suspended is not None:
            names, self._suspended = self._suspended, None
            for name in names:
                self.docks[name].show()

    # ================================================================ pause, full screen
    def toggle_pause(self) -> None:
        if self.ended and self.session is not None:
            self.open_source(self.session.spec)
            return
        self.set_paused(not self.paused)

    def set_paused(self, paused: bool) -> None:
        if self.session is None:
            paused = False
        self.paused = paused
        self.pause_action.setChecked(paused)
        if self.session is not None:
            self.session.set_paused(paused)
        self.video.set_overlay("Paused" if paused else "")
        self.attention_view.set_paused(paused)

    def toggle_full_screen(self) -> None:
        if self.isFullScreen():
            self.showNormal()
        else:
            self.showFullScreen()
        self.full_screen_action.setChecked(self.isFullScreen())

    # ================================================================ models
    def choose_model(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open model", str(self.context.user_models),
                                              "liveaction models (*.safetensors *.json);;All files (*)")
        if path:
            self.load_model(Path(path))

    def load_model(self, path: Path, few_shot_only: bool = False) -> None:
        """Load a model off the GUI thread; the current one keeps running until it is ready.

        The user's clips of labels with enough clips go along, to be imprinted as few-shot
        classes; `few_shot_only`: the same model again, because those clips changed.
        """
        bridge = EngineBridge()
        sets = few_shot_sets(self.clips.snapshot, ()) if self.settings.few_shot else {}
        examples = {label: [entry.data for entry in entries] for label, entries in sets.items()}
        what = "Adding your clips to the model" if few_shot_only else f"Loading {path}"
        call = BackgroundCall(build_engine, Path(path), self.settings.threshold, bridge, examples, what=what)
        self._model_call = call
        call.succeeded.connect(functools.partial(self._model_loaded, call, sets, few_shot_only))
        call.failed.connect(functools.partial(self._model_failed, call, Path(path)))
        self._run(call)
        if few_shot_only:
            self.statusBar().showMessage("Adding your clips for instant recognition…", 4000)
        else:
            self.status["model"].setText(f"loading {model_title(Path(path), self.context.starter_model)}…")

    def _model_loaded(self, call: BackgroundCall, sets: dict[str, tuple[ClipEntry, ...]], few_shot_only: bool,
                      loaded: LoadedModel) -> None:
        if call is not self._model_call:
            _close_later(loaded.engine)
            return
        self._model_call = None
        before = self.model.spec.few_shot if self.model is not None else ()
        old = self.engine
        if self.model is not None:  # late predictions of the old model must not reach the views
            self.model.bridge.prediction.disconnect(self._on_prediction)
            self.model.bridge.failed.disconnect(self._engine_failed)
        self.model, self.engine = loaded, loaded.engine
        loaded.bridge.prediction.connect(self._on_prediction)
        loaded.bridge.failed.connect(self._engine_failed)
        self._update_map_requests()
        if self.session is not None:
            self.session.set_engine(self.engine)
        if old is not None:
            _close_later(old)
        self.attention_view.set_window_length(loaded.spec.preprocessing.T)
        self.models_menu.set_current(loaded.path)
        self.status["model"].setText(self._model_text())
        self.status["device"].setText(str(self.engine.device))
        self.banner.show_message("…", "warming up")
        self.banner.set_few_shot(loaded.spec.few_shot)
        self.top_k.set_few_shot(loaded.spec.few_shot)
        self.top_k.clear()
        asked = {label: entries for label, entries in sets.items() if label not in loaded.trained_labels}
        self._few_shot_key = few_shot_key(asked)
        self._tell_few_shot(loaded, before)
        if not few_shot_only:
            title = model_title(loaded.path, self.context.starter_model)
            self.statusBar().showMessage(f"Using {title}: {len(loaded.trained_labels)} actions.", 4000)
            remembered = None if loaded.path == self.context.starter_model else str(loaded.path)
            self.settings = replace(self.settings, model_path=remembered)
            self._save_settings()
        self._show_library()
        self._update_few_shot()  # the library may have changed while the model loaded

    def _model_failed(self, call: BackgroundCall, path: Path, message: str) -> None:
        if call is not self._model_call:
            return
        self._model_call = None
        keeping = f" Still using {model_title(self.model.path, self.context.starter_model)}." if self.model else ""
        self.message_bar.show_message(f"Cannot load the model: {message}.{keeping}", ERROR)
        if self.model is None:
            self.status["model"].setText("no model")
            self.banner.show_message("No model", "Model ▸ Open model file…")
        else:
            self.status["model"].setText(self._model_text())

    def _engine_failed(self, message: str) -> None:
        self.message_bar.show_message(f"The model failed on a window: {message}", ERROR)

    def set_threshold(self, value: float | None, _checked: bool = False) -> None:
        self.settings = replace(self.settings, threshold=value)
        if self.engine is not None:
            self.engine.threshold = value if value is not None else self.engine.spec.threshold
        self._save_settings()

    def show_labels(self) -> None:
        if self.model is not None:
            title = model_title(self.model.path, self.context.starter_model)
            dialog = LabelsDialog(title, self.model.spec.labels, self)
            dialog.show()
            self._dialogs.append(dialog)

    def _model_text(self) -> str:
        """The status bar's model: its title, and how many few-shot classes it has."""
        if self.model is None:
            return "no model"
        title = model_title(self.model.path, self.context.starter_model)
        few = len(self.model.spec.few_shot)
        return f"{title} + {few} few-shot" if few else title

    # ================================================================ recording
    def toggle_recording(self) -> None:
        """Record (R): start a countdown and record a clip of the chosen label; again: stop."""
        if self.recording.active:
            self.recording.stop()
            return
        label = self.record_bar.label()
        if self.session is None:
            self.message_bar.show_message("Open a camera or a video first, then record.", WARNING, timeout_ms=6000)
            return
        if not label:
            self.message_bar.show_message("Choose or type the label of what you will record, then press Record.",
                                          WARNING, timeout_ms=6000)
            self.record_bar.label_box.setFocus()
            return
        if self.ended:
            self.message_bar.show_message("The video has ended: press Space to play it again, then record.",
                                          WARNING, timeout_ms=6000)
            return
        config = RecordingConfig(countdown_s=self.context.countdown_s, length_s=self.record_bar.length_s(),
                                 keep_video=self.record_bar.keep_video.isChecked() and self.session.has_video)
        try:
            self.recording.start(label, config, self.session.spec, self.clips.library)
        except LiveactionError as error:
            self.message_bar.show_message(str(error), ERROR)
            return
        if self.paused:
            self.set_paused(False)
        self.settings = replace(self.settings, record_label=label)
        self._save_settings()

    def _record_options_changed(self) -> None:
        bar = self.record_bar
        self.settings = replace(self.settings, record_length_s=float(bar.length_spin.value()),
                                record_until_stopped=bar.until_stopped.isChecked(),
                                keep_video=bar.keep_video.isChecked())
        self._save_settings()

    def _recording_view_changed(self, view: RecordingView) -> None:
        self.video.set_recording(view.countdown, view.badge)
        self.record_bar.set_recording(view.recording)

    def _clip_saved(self, info: ClipInfo) -> None:
        video = " and its video" if info.video is not None else ""
        self.message_bar.show_message(f"Saved a {info.seconds:.1f} s clip of “{info.label}”{video}.", INFO,
                                      timeout_ms=5000)
        self.clips.refresh()

    # ================================================================ the clip library
    def _library_changed(self, snapshot: LibrarySnapshot) -> None:
        self._show_library()
        self._update_few_shot()

    def _show_library(self) -> None:
        snapshot = self.clips.snapshot
        trained = self.model.trained_labels if self.model is not None else ()
        few_shot = self.model.spec.few_shot if self.model is not None else ()
        self.record_bar.set_labels((*trained, *(snapshot.labels if snapshot is not None else ())))
        self.library_view.known_labels = trained
        if snapshot is not None:
            self.library_view.show_snapshot(snapshot, label_status(snapshot, trained, few_shot, self.settings.few_shot))

    def _update_few_shot(self) -> None:
        """Reload the model with the user's new labels as few-shot classes, when they changed."""
        if self.model is None or self._model_call is not None or self.closed:
            return  # a model on its way takes the clips as they are when it arrives
        wanted = few_shot_sets(self.clips.snapshot, self.model.trained_labels) if self.settings.few_shot else {}
        if few_shot_key(wanted) != self._few_shot_key:
            self.load_model(self.model.path, few_shot_only=True)

    def _tell_few_shot(self, loaded: LoadedModel, before: tuple[str, ...]) -> None:
        if loaded.few_shot_problem is not None:
            self.message_bar.show_message(f"Your clips could not all be recognized instantly: "
                                          f"{loaded.few_shot_problem}", WARNING)
        elif loaded.spec.few_shot and loaded.spec.few_shot != before:
            names = ", ".join(loaded.spec.few_shot)
            self.message_bar.show_message(f"{names} recognized from your clips (few-shot).", INFO, timeout_ms=8000)

    def set_few_shot(self) -> None:
        self.settings = replace(self.settings, few_shot=self.few_shot_action.isChecked())
        self._save_settings()
        self._show_library()
        self._update_few_shot()

    def play_clip(self, info: ClipInfo) -> None:
        self.open_source(SourceSpec(CLIP, str(info.path), loop=self.settings.loop))

    def relabel_clips(self, clip_ids: tuple[str, ...], label: str) -> None:
        self.clips.relabel(clip_ids, label)

    def delete_clips(self, clip_ids: tuple[str, ...]) -> None:
        self.clips.delete(clip_ids)

    def _clips_deleted(self, clip_ids: tuple[str, ...], report: str) -> None:
        self.message_bar.show_message(report, INFO, timeout_ms=15000,
                                      action=("Undo", functools.partial(self.clips.restore, clip_ids)))

    def import_clips(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Import clips from a folder", str(Path.home()))
        if folder:
            self.clips.import_folder(Path(folder))

    def export_clips(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Export clips to a folder", str(Path.home()))
        if folder:
            self.clips.export_folder(Path(folder))

    def export_pyskl(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export clips for pyskl", str(Path.home() / "clips.pkl"),
                                              "pyskl annotations (*.pkl)")
        if path:
            self.clips.export_pyskl(Path(path))

    def show_clips_folder(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.clips.library.folder)))

    def open_train_dialog(self) -> None:
        """Fine-tune on the library's clips in a child process; "Use this model" loads the result."""
        if self.train_dialog is None:
            current = self.model.path if self.model is not None else None
            self.train_dialog = TrainDialog(self.clips.library.folder, current, self,
                                            models_folder=self.context.user_models, starter=self.context.starter_model)
            self.train_dialog.model_ready.connect(self.load_model)
            self.train_dialog.finished.connect(self._train_dialog_closed)
        self.train_dialog.show()
        self.train_dialog.raise_()

    def _train_dialog_closed(self, _result: int) -> None:
        """Closing the dialog ends its run (the dialog sees to that); a new one starts fresh."""
        if self.train_dialog is not None:
            self.train_dialog.deleteLater()
            self.train_dialog = None

    # ================================================================ predictions and maps
    def _on_prediction(self, prediction: Prediction) -> None:
        self.last_prediction = prediction
        self.predictions += 1
        self.banner.show_prediction(prediction)
        self.top_k.show_prediction(prediction)
        self.video.set_actor(prediction.actor)
        self.frequency_view.show_prediction(prediction)
        self.attention_view.show_prediction(prediction)

    def _joint_clicked(self, joint: int) -> None:
        dock = self.docks["attention"]
        if not dock.isVisible():
            dock.show()
        dock.raise_()
        self.attention_view.set_query_joint(joint)

    def _query_changed(self, query: AttentionQuery) -> None:
        self.video.set_query_joint(query.joint)
        self._update_map_requests()

    def _update_map_requests(self) -> None:
        """Ask the engine for the maps the visible panels show (and for nothing else)."""
        self.video.set_query_joint(self.attention_view.query.joint if self.docks["attention"].isVisible() else None)
        if self.engine is None:
            return
        self.engine.want_frequency = self.docks["frequency"].isVisible()
        self.engine.attention_query = self.attention_view.query if self.docks["attention"].isVisible() else None
        if self.paused and (self.engine.want_frequency or self.engine.attention_query is not None):
            self.engine.request_maps()

    # ================================================================ the rest
    def show_about(self) -> None:
        device = str(self.engine.device) if self.engine is not None else "none (no model loaded)"
        model = model_title(self.model.path, self.context.starter_model) if self.model else "none"
        self._dialogs.append(show_about(self, device, model))

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        if not paths:
            return
        event.acceptProposedAction()
        path = paths[0]
        kind = dropped_kind(path)
        if kind == "model":
            self.load_model(path)
        else:
            self.open_source(SourceSpec(CLIP if kind == "clip" else VIDEO, str(path), loop=self.settings.loop))

    def _run(self, call: BackgroundCall) -> None:
        self._calls.add(call)
        call.finished.connect(functools.partial(self._calls.discard, call))
        call.start()

    def _save_settings(self) -> None:
        if self._suspended is not None:  # on the start page: what was open before is what counts
            hidden = tuple(name for name in self.docks if name not in self._suspended)
        else:
            hidden = tuple(name for name, dock in self.docks.items() if dock.isHidden())
        self.settings = replace(self.settings, hidden_panels=hidden, geometry=bytes(self.saveGeometry().data()),
                                window_state=bytes(self.saveState().data()))
        settings_io.save(self.context.store, self.settings)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.closed = True
        self._open_call = self._model_call = None  # whatever is still on its way is stale now
        self._save_settings()
        self._stop_retrying()
        self._retire_session()
        if self.train_dialog is not None:
            self.train_dialog.stop_and_wait()  # a training process must not outlive the window
        # Give the workers a moment to end cleanly; any still busy (a frame in pose, a model
        # half loaded) run out on their daemon threads without holding anything up.
        for session in list(self._retiring):
            session.wait(2.0)
        for call in list(self._calls):
            call.wait(2.0)
        if self.engine is not None:
            _close_later(self.engine)
        super().closeEvent(event)


def _close_later(engine) -> None:
    """Stop an engine we no longer use without waiting for its model thread here."""
    BackgroundCall(engine.close, what="Closing a model").start()
