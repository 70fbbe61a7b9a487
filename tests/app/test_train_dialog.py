"""The Train dialog: labels offered with their clip counts, a real training process followed and cancelled."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QProcess, Qt

from app.train_dialog import (
    TrainDialog, base_choices, format_duration, progress_fraction, remaining_s, status_line,
)
from recognizer.clips import ClipLibrary
from recognizer.data.formats import SkeletonClip
from recognizer.data.synthetic import generate_clip
from recognizer.finetune import STAGING

TINY = {"channels": [16, 16, 32, 32], "kernel_sizes": [3, 3, 3, 3], "num_slnl": 1}  # trains in seconds


@pytest.fixture(scope="module")
def tiny_base(tmp_path_factory) -> Path:
    """A small untrained model whose labels the clip generator does not know (nothing to rehearse)."""
    import torch

    from recognizer.checkpoint import ModelCard, save_model
    from recognizer.models import create_model
    from recognizer.preprocess import Preprocessing

    torch.manual_seed(0)
    model = create_model("slnl_rfa_lite", 2, T=16, **TINY)
    path = tmp_path_factory.mktemp("base") / "tiny.safetensors"
    save_model(path, model, ModelCard.for_model(model, ("arms", "legs"), Preprocessing(T=16, normalization="clip"),
                                                fps=15.0, persons=1))
    return path


@pytest.fixture(scope="module")
def library(tmp_path_factory) -> Path:
    """Four clips of two actions, two of a third (too few to train on)."""
    rng = np.random.default_rng(0)
    clips = ClipLibrary(tmp_path_factory.mktemp("clips"))
    for label, n in (("clapping", 4), ("squat", 4), ("kicking", 2)):
        for _ in range(n):
            clips.add(SkeletonClip(generate_clip(label, rng, seconds=1.5, fps=15.0), label=label, fps=15.0))
    return clips.folder


@pytest.fixture
def dialog(qtbot, library, tiny_base, tmp_path):
    models = tmp_path / "models"
    models.mkdir()
    window = TrainDialog(library, tiny_base, models_folder=models, starter=tmp_path / "no-starter.safetensors")
    qtbot.addWidget(window)
    yield window
    window.stop_and_wait()


def test_progress_and_time_left_are_pure_arithmetic():
    assert progress_fraction(1, 4, 5, 10) == pytest.approx(0.125)
    assert progress_fraction(4, 4, 10, 10) == 1.0
    assert remaining_s(30.0, 0.25) == pytest.approx(90.0) and remaining_s(1.0, 0.0) is None
    assert format_duration(75.4) == "1:15"
    assert status_line(2, 8, 0.5, 0.75, 61, 30) == ("Epoch 2/8 · loss 0.500 · validation accuracy 75 % · "
                                                    "1:01 elapsed, about 0:30 left")


def test_base_choices_list_each_model_once(tmp_path):
    starter = tmp_path / "starter.safetensors"
    starter.touch()
    mine = tmp_path / "mine.safetensors"
    assert base_choices(starter, starter, [mine]) == [("Current model (starter model)", starter), ("mine", mine)]
    assert [path for _, path in base_choices(mine, starter, [mine])] == [mine, starter]


def test_labels_show_clip_counts_and_too_few_is_greyed_with_a_reason(dialog):
    items = {dialog.labels.item(i).data(Qt.ItemDataRole.UserRole): dialog.labels.item(i)
             for i in range(dialog.labels.count())}
    assert items["clapping"].text() == "clapping (4 clips)"
    assert not items["kicking"].flags() & Qt.ItemFlag.ItemIsEnabled
    assert "needs at least 3 clips" in items["kicking"].toolTip()
    assert dialog.chosen_labels() == ("clapping", "squat")
    assert not dialog.keep_base.isEnabled()  # the generator knows neither "arms" nor "legs"
    assert dialog.name.text().startswith("my-model-")


def test_a_real_run_shows_epochs_and_ends_with_a_model_and_a_report(dialog, qtbot, monkeypatch):
    shown = []
    set_text = dialog.status.setText
    monkeypatch.setattr(dialog.status, "setText", lambda text: (shown.append(text), set_text(text)))
    dialog.epochs.setValue(2)
    dialog.val_split.setValue(25)
    with qtbot.waitSignal(dialog.run_ended, timeout=120_000) as ended:
        dialog.start_button.click()
    assert ended.args == ["done"], dialog.error.text()
    assert dialog.progress.value() == dialog.progress.maximum()
    model = dialog.result
    assert model.is_file() and model.with_suffix(".json").is_file()
    assert not (dialog.models_folder / STAGING / model.stem).exists()
    assert any(text.startswith("Epoch 1/2 · loss") for text in shown)
    assert any(text.startswith("Epoch 2/2 · loss") and "validation accuracy" in text for text in shown)
    assert dialog.status.text().startswith("Done: 2 epochs in")
    labels = {dialog.report.item(row, 0).text() for row in range(dialog.report.rowCount())}
    assert labels == {"clapping", "squat"}
    with qtbot.waitSignal(dialog.model_ready) as ready:
        dialog.use_button.click()
    assert ready.args == [model]


def test_cancel_ends_the_process_and_leaves_no_model(dialog, qtbot):
    dialog.epochs.setValue(500)
    dialog.start_button.click()
    qtbot.waitUntil(lambda: dialog.status.text().startswith("Epoch"), timeout=120_000)
    pid = dialog.process.processId()
    with qtbot.waitSignal(dialog.run_ended, timeout=30_000) as ended:
        dialog.cancel_button.click()
    assert ended.args == ["cancelled"]
    assert dialog.process.state() == QProcess.ProcessState.NotRunning
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # gone, and reaped
    assert list(dialog.models_folder.iterdir()) in ([], [dialog.models_folder / STAGING])
    assert not any((dialog.models_folder / STAGING).glob("*"))
    assert dialog.start_button.isEnabled()


def test_a_failing_run_shows_one_line(dialog, qtbot, tiny_base):
    dialog.labels.item(0).setCheckState(Qt.CheckState.Unchecked)  # one label left: nothing to tell apart
    with qtbot.waitSignal(dialog.run_ended, timeout=60_000) as ended:
        dialog.start_button.click()
    assert ended.args == ["failed"]
    assert dialog.error.text() == "choose at least 2 labels to train (chosen: 1)"
    assert not list(dialog.models_folder.glob("*.safetensors"))


def test_the_training_command_works_from_a_checkout_and_from_the_packaged_program(monkeypatch):
    from app.train_dialog import training_command

    assert training_command(["--epochs", "3"]) == ["-m", "recognizer.cli", "finetune", "--epochs", "3"]
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert training_command(["--epochs", "3"]) == ["finetune", "--epochs", "3"]
