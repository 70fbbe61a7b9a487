"""The Train dialog: fine-tune a model on the clip library, watch it learn, use the result.

Training runs in its own process (`python -m recognizer.finetune`, started by QProcess), not
on a thread: it keeps the window responsive however hard torch works, and Cancel can end it
for certain — SIGTERM first (the run stops between two batches and cleans up), a kill after
`GRACE_MS`. The child reports one JSON object per stdout line; the dialog only shows them.
A run that does not end with `done` leaves no model: the dialog removes what it staged.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from PySide6.QtCore import QProcess, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QDialog, QFormLayout, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QListWidget,
    QListWidgetItem, QProgressBar, QPushButton, QSpinBox, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from recognizer import finetune
from recognizer.checkpoint import read_card
from recognizer.errors import LiveactionError
from recognizer.paths import STARTER_MODEL, user_models

GRACE_MS = 3000  # after Cancel, how long the training process may take to stop before it is killed
LABEL_ROLE = Qt.ItemDataRole.UserRole
PROGRESS_STEPS = 1000  # progress bar resolution


def training_command(options: list[str]) -> list[str]:
    """Arguments for `sys.executable` that run `liveaction finetune OPTIONS`.

    From a checkout `sys.executable` is Python; in the packaged build it is the liveaction
    program itself, which takes the subcommand directly (there is no `-m` there).
    """
    if getattr(sys, "frozen", False):
        return ["finetune", *options]
    return ["-m", "recognizer.cli", "finetune", *options]


def progress_fraction(epoch: int, epochs: int, step: int, steps: int) -> float:
    """Share of the run done after `step` of `steps` in 1-based `epoch` of `epochs`."""
    return min(1.0, max(0.0, (epoch - 1 + step / max(steps, 1)) / max(epochs, 1)))


def remaining_s(elapsed_s: float, fraction: float) -> float | None:
    """Time left if the rest goes as fast as what is done; None until there is something to go by."""
    if fraction <= 0.01:
        return None
    return elapsed_s * (1.0 - fraction) / fraction


def format_duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


def base_choices(current: Path | None, starter: Path, models: list[Path]) -> list[tuple[str, Path]]:
    """(title, path) of the models to start from: the current one, the starter, the user's; no repeats."""
    choices: list[tuple[str, Path]] = []
    if current is not None:
        title = "starter model" if Path(current) == starter else Path(current).stem
        choices.append((f"Current model ({title})", Path(current)))
    if starter.is_file():
        choices.append(("Starter model", starter))
    choices += [(path.stem, path) for path in models]
    seen: set[Path] = set()
    return [(title, path) for title, path in choices if not (path in seen or seen.add(path))]


def status_line(epoch: int, epochs: int, loss: float | None, val_top1: float | None, elapsed: float,
                left: float | None) -> str:
    parts = [f"Epoch {epoch}/{epochs}"]
    if loss is not None:
        parts.append(f"loss {loss:.3f}")
    if val_top1 is not None:
        parts.append(f"validation accuracy {100 * val_top1:.0f} %")
    timing = f"{format_duration(elapsed)} elapsed"
    if left is not None:
        timing += f", about {format_duration(left)} left"
    return " · ".join(parts + [timing])


class TrainDialog(QDialog):
    """Fine-tune a model on labels of the clip library; `model_ready(Path)` when the user takes the result."""

    model_ready = Signal(object)  # Path of the new model ("Use this model")
    run_ended = Signal(str)  # "done", "cancelled" or "failed"

    def __init__(self, library_folder: Path, current_model: Path | None, parent: QWidget | None = None,
                 models_folder: Path | None = None, starter: Path = STARTER_MODEL):
        super().__init__(parent)
        self.setWindowTitle("Train a model on your clips")
        self.library_folder = Path(library_folder)
        self.models_folder = Path(models_folder) if models_folder is not None else user_models()
        self.process: QProcess | None = None
        self.result: Path | None = None
        self._out: Path | None = None
        self._cancelling = False
        self._failure: str | None = None
        self._stdout = b""
        self._stderr_tail: list[str] = []
        self._began = 0.0
        self._fraction = 0.0
        self._last: dict = {}

        self.base = QComboBox()
        for title, path in base_choices(current_model, starter, self._user_models()):
            self.base.addItem(title, path)
        self.labels = QListWidget()
        self.keep_base = QCheckBox("Keep the base model's actions (rehearsed with generated clips)")
        self.keep_base.setChecked(finetune.FinetuneRequest.keep_base_labels)
        self.heads_only = QCheckBox("Train only the last layers (fast)")
        self.heads_only.setChecked(finetune.FinetuneRequest.freeze_backbone)
        self.epochs = QSpinBox()
        self.epochs.setRange(1, 500)
        self.epochs.setValue(finetune.DEFAULT_EPOCHS)
        self.val_split = QSpinBox()
        self.val_split.setRange(0, 50)
        self.val_split.setSuffix(" %")
        self.val_split.setValue(round(100 * finetune.DEFAULT_VAL_SPLIT))
        self.val_split.setToolTip("share of each label's clips held out to measure the result")
        self.name = QLineEdit(finetune.free_model_path(self.models_folder, finetune.default_name()).stem)

        self.progress = QProgressBar()
        self.progress.setRange(0, PROGRESS_STEPS)
        self.status = QLabel("Choose the labels to learn, then Start.")
        self.error = QLabel()
        self.error.setStyleSheet("color: #c0392b")
        self.error.setWordWrap(True)
        self.report = QTableWidget(0, 3)
        self.report.setHorizontalHeaderLabels(["label", "accuracy", "clips held out"])
        self.report.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.report.verticalHeader().hide()
        self.report.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.report.hide()

        self.start_button = QPushButton("Start")
        self.cancel_button = QPushButton("Cancel training")
        self.cancel_button.setEnabled(False)
        self.use_button = QPushButton("Use this model")
        self.use_button.hide()
        self.close_button = QPushButton("Close")
        self.start_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.cancel)
        self.use_button.clicked.connect(self._use)
        self.close_button.clicked.connect(self.close)
        self.base.currentIndexChanged.connect(self._base_changed)

        form = QFormLayout()
        form.addRow("Start from", self.base)
        form.addRow("Labels to learn", self.labels)
        form.addRow("", self.keep_base)
        form.addRow("", self.heads_only)
        form.addRow("Epochs", self.epochs)
        form.addRow("Validation", self.val_split)
        form.addRow("New model's name", self.name)
        buttons = QHBoxLayout()
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch()
        buttons.addWidget(self.use_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.error)
        layout.addWidget(self.report)
        layout.addLayout(buttons)
        self.resize(560, 640)

        self._ticker = QTimer(self)
        self._ticker.setInterval(1000)
        self._ticker.timeout.connect(self._show_progress)
        self._fill_labels()
        self._base_changed()

    # ---- the form ------------------------------------------------------------------------
    def _user_models(self) -> list[Path]:
        from app.models_menu import list_user_models

        return list_user_models(self.models_folder)

    def _fill_labels(self) -> None:
        self.labels.clear()
        counts = finetune.label_counts(self.library_folder)
        for label, count in counts.items():
            item = QListWidgetItem(f"{label} ({count} clip{'' if count == 1 else 's'})")
            item.setData(LABEL_ROLE, label)
            problem = finetune.label_problem(count)
            if problem is None:
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Checked)
            else:
                item.setFlags(Qt.ItemFlag.ItemIsUserCheckable)  # greyed: not enabled
                item.setCheckState(Qt.CheckState.Unchecked)
                item.setText(f"{item.text()} — {problem}")
                item.setToolTip(problem)
            self.labels.addItem(item)
        if not counts:
            self.status.setText("The clip library is empty: record a few clips of each action first.")

    def chosen_labels(self) -> tuple[str, ...]:
        items = (self.labels.item(i) for i in range(self.labels.count()))
        return tuple(item.data(LABEL_ROLE) for item in items
                     if item.checkState() == Qt.CheckState.Checked and item.flags() & Qt.ItemFlag.ItemIsEnabled)

    def _base_changed(self) -> None:
        path = self.base.currentData()
        try:
            can_keep = path is not None and finetune.rehearsable(read_card(path).labels)
        except LiveactionError as error:
            self.error.setText(str(error))
            can_keep = False
        self.keep_base.setEnabled(can_keep)
        self.keep_base.setToolTip("" if can_keep else "only for models whose actions the clip generator knows "
                                                      "(the starter model and models trained from it)")

    # ---- running -------------------------------------------------------------------------
    def is_running(self) -> bool:
        return self.process is not None and self.process.state() != QProcess.ProcessState.NotRunning

    def start(self) -> None:
        if self.is_running():
            return
        name = self.name.text()
        problem = finetune.name_problem(name)
        out = self.models_folder / f"{name}.json"
        if problem is None and (out.exists() or out.with_suffix(".safetensors").exists()):
            problem = f"a model called {name!r} exists already"
        labels = self.chosen_labels()
        if problem is None and not labels:
            problem = "tick at least one label to learn"
        if problem is None and self.base.currentData() is None:
            problem = "there is no model to start from"
        if problem is not None:
            self.error.setText(problem)
            return
        self._out = self.models_folder / f"{name}.safetensors"
        args = ["--library", str(self.library_folder),
                "--base", str(self.base.currentData()), "--out", str(self._out),
                "--epochs", str(self.epochs.value()), "--val-split", str(self.val_split.value() / 100)]
        for label in labels:
            args += ["--label", label]
        if self.keep_base.isEnabled() and self.keep_base.isChecked():
            args.append("--keep-base-labels")
        if not self.heads_only.isChecked():
            args.append("--whole-network")

        self.result, self._failure, self._cancelling = None, None, False
        self._stdout, self._stderr_tail, self._last, self._fraction = b"", [], {}, 0.0
        self.error.clear()
        self.report.hide()
        self.use_button.hide()
        self.progress.setValue(0)
        self.status.setText("Preparing the clips…")
        self._set_running(True)
        self.process = QProcess(self)
        self.process.readyReadStandardOutput.connect(self._read_stdout)
        self.process.readyReadStandardError.connect(self._read_stderr)
        self.process.finished.connect(self._finished)
        self.process.errorOccurred.connect(self._process_error)
        self._began = time.monotonic()
        self._ticker.start()
        self.process.start(sys.executable, training_command(args))

    def cancel(self) -> None:
        """Stop the training process: SIGTERM now, a kill if it is still there after GRACE_MS."""
        if not self.is_running():
            return
        self._cancelling = True
        self.status.setText("Cancelling…")
        self.cancel_button.setEnabled(False)
        self.process.terminate()
        process = self.process
        QTimer.singleShot(GRACE_MS, lambda: process.kill() if process.state() != QProcess.ProcessState.NotRunning
                          else None)

    def _set_running(self, running: bool) -> None:
        for widget in (self.base, self.labels, self.keep_base, self.heads_only, self.epochs, self.val_split,
                       self.name, self.start_button):
            widget.setEnabled(not running)
        if not running:
            self._base_changed()
        self.cancel_button.setEnabled(running)

    def _read_stdout(self) -> None:
        self._stdout += bytes(self.process.readAllStandardOutput())
        *lines, self._stdout = self._stdout.split(b"\n")
        for line in lines:
            try:
                event = json.loads(line)
            except ValueError:
                continue  # not ours (a library printing): ignored
            if isinstance(event, dict):
                self._on_event(event)

    def _read_stderr(self) -> None:
        text = bytes(self.process.readAllStandardError()).decode("utf-8", "replace")
        self._stderr_tail = (self._stderr_tail + [line for line in text.splitlines() if line.strip()])[-5:]

    def _on_event(self, event: dict) -> None:
        kind = event.get("event")
        if kind in ("step", "epoch"):
            self._last.update({k: v for k, v in event.items() if v is not None})
            steps = self._last.get("steps", 1)
            step = event.get("step", steps)
            self._fraction = progress_fraction(event["epoch"], event["epochs"], step, steps)
            self._show_progress()
        elif kind == "done":
            self.result = Path(event["model"])
            self._last["epochs_done"] = event.get("epochs_done")
            self._show_report(event.get("per_class", {}))
        elif kind == "error":
            self._failure = str(event.get("message", "training failed"))

    def _show_progress(self) -> None:
        if not self.is_running() or "epoch" not in self._last or self._cancelling:
            return
        elapsed = time.monotonic() - self._began
        self.progress.setValue(round(PROGRESS_STEPS * self._fraction))
        self.status.setText(status_line(self._last["epoch"], self._last["epochs"], self._last.get("loss"),
                                        self._last.get("val_top1"), elapsed, remaining_s(elapsed, self._fraction)))

    def _show_report(self, per_class: dict) -> None:
        self.report.setRowCount(len(per_class))
        for row, (label, entry) in enumerate(per_class.items()):
            accuracy = entry.get("accuracy")
            cells = (label, "–" if accuracy is None else f"{100 * accuracy:.0f} %", str(entry.get("val_clips", 0)))
            for column, text in enumerate(cells):
                self.report.setItem(row, column, QTableWidgetItem(text))
        self.report.show()

    def _process_error(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart:
            self._failure = f"could not start the training process ({self.process.errorString()})"
            self._finished(-1, QProcess.ExitStatus.CrashExit)

    def _finished(self, exit_code: int, _status: QProcess.ExitStatus) -> None:
        if self._out is None:
            return  # already handled (a failed start reports twice)
        self._read_stdout()
        self._ticker.stop()
        self._set_running(False)
        out, self._out = self._out, None
        if self.result is not None:
            self.progress.setValue(PROGRESS_STEPS)
            elapsed = format_duration(time.monotonic() - self._began)
            epochs = self._last.get("epochs_done")
            self.status.setText(f"Done: {epochs} epoch{'' if epochs == 1 else 's'} in {elapsed}. "
                                f"{self.result.stem} is in your models. Per label, on the clips held out:")
            self.use_button.show()
            self.name.setText(finetune.free_model_path(self.models_folder, finetune.default_name()).stem)
            self.run_ended.emit("done")
            return
        finetune.discard(out)
        if self._cancelling and self._failure is None:
            self.status.setText("Training cancelled; no model was saved.")
            self.progress.setValue(0)
            self.run_ended.emit("cancelled")
            return
        reason = self._failure or (self._stderr_tail[-1] if self._stderr_tail else
                                   f"the training process stopped unexpectedly (exit code {exit_code})")
        self.error.setText(reason)
        self.status.setText("Training failed; no model was saved.")
        self.run_ended.emit("failed")

    def _use(self) -> None:
        if self.result is not None:
            self.model_ready.emit(self.result)
            self.accept()

    def closeEvent(self, event) -> None:
        self.stop_and_wait()
        super().closeEvent(event)

    def reject(self) -> None:  # Escape
        self.stop_and_wait()
        super().reject()

    def stop_and_wait(self) -> None:
        """End a run still going (closing the dialog cancels it) and wait until the process is gone."""
        if not self.is_running():
            return
        self.cancel()
        if not self.process.waitForFinished(GRACE_MS):
            self.process.kill()
            self.process.waitForFinished(GRACE_MS)
