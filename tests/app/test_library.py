"""The Library panel and instant few-shot: relabel, delete, undo, import/export; new labels
recognized from three clips each, without training."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QInputDialog

from app import settings as settings_io
from app.library import few_shot_key, few_shot_sets, label_status, read_library
from app.views.library import skeleton_pixmap
from app.views.predictions import LabelBanner, TopKBars
from recognizer.clips import ClipLibrary
from recognizer.data.formats import SkeletonClip
from tests.app.conftest import LABELS_A, TIMEOUT_MS, prediction, waving_skeletons

NEW = ("drinking", "rowing")


def waving_clip(label: str, seed: int, frames: int = 45) -> SkeletonClip:
    phase = np.random.default_rng(seed).uniform(0, 1)
    data = np.stack([waving_skeletons(phase + t / 30) for t in range(frames)]).transpose(3, 0, 2, 1)  # (C, T, V, M)
    return SkeletonClip(np.ascontiguousarray(data), label, None, 30.0, {"source": "test"})


def generated_clips(kind: str, n: int, seed: int) -> list[SkeletonClip]:
    from recognizer.data.synthetic import everyday_clips

    return [SkeletonClip(data, kind, None, 30.0, {"source": "generator"})
            for data in everyday_clips(kind, n, np.random.default_rng(seed), 30.0)]


def fill(folder, clips: list[SkeletonClip]) -> dict[str, list[str]]:
    library = ClipLibrary(folder)
    ids: dict[str, list[str]] = {}
    for clip in clips:
        ids.setdefault(clip.label, []).append(library.add(clip).id)
    return ids


# ---- pure pieces ---------------------------------------------------------------------------------
def test_few_shot_takes_new_labels_with_enough_clips_only(tmp_path):
    fill(tmp_path, [waving_clip("waving", i) for i in range(3)] + [waving_clip("drinking", i) for i in range(3)]
         + [waving_clip("rowing", i) for i in range(2)])
    snapshot = read_library(ClipLibrary(tmp_path))
    assert {label: len(e) for label, e in snapshot.groups.items()} == {"drinking": 3, "rowing": 2, "waving": 3}
    assert snapshot.groups["waving"][0].preview_frame().shape == (2, 18, 3)
    sets = few_shot_sets(snapshot, LABELS_A)
    assert list(sets) == ["drinking"]
    assert few_shot_key(sets) == (("drinking", tuple(e.info.id for e in snapshot.groups["drinking"])),)
    assert label_status(snapshot, LABELS_A, ("drinking",), enabled=True) == {
        "drinking": "recognized (few-shot)", "rowing": "1 more clip to recognize it", "waving": "known to the model"}
    assert few_shot_sets(None, LABELS_A) == {}


def test_the_preview_shows_the_person_when_the_middle_frame_lost_them(tmp_path):
    clip = waving_clip("waving", 0, frames=45)
    clip.data[:, 20:26] = 0  # nobody detected around the middle
    fill(tmp_path, [clip])
    [entry] = read_library(ClipLibrary(tmp_path)).groups["waving"]
    preview = entry.preview_frame()  # (M, V, C)
    assert (preview[..., 2] > 0).sum() == (clip.data[2, 0] > 0).sum()  # as many joints as a full frame


def test_skeleton_preview_draws_the_person(qtbot):
    image = skeleton_pixmap(waving_skeletons(0.3), 40).toImage()
    colours = {image.pixelColor(x, y).name() for x in range(40) for y in range(40)}
    assert len(colours) > 3  # bones drawn over the canvas
    assert not skeleton_pixmap(np.zeros((2, 18, 3), np.float32)).isNull()


def test_few_shot_labels_are_marked_in_the_banner_and_the_bars(qtbot):
    labels = LABELS_A + NEW
    banner, bars = LabelBanner(), TopKBars()
    qtbot.addWidget(banner)
    qtbot.addWidget(bars)
    banner.set_few_shot(NEW)
    bars.set_few_shot(NEW)
    banner.show_prediction(prediction("drinking", labels=labels))
    assert banner.text() == "drinking (few-shot)"
    banner.show_prediction(prediction("waving", labels=labels))
    assert banner.text() == "waving"
    bars.show_prediction(prediction("rowing", labels=labels))
    bars.grab()


# ---- the panel in the window ---------------------------------------------------------------------
def test_relabel_delete_and_undo_from_the_panel(make_window, qtbot, tmp_path, monkeypatch):
    ids = fill(tmp_path / "clips", [waving_clip("waving", 1), waving_clip("waving", 2), waving_clip("clapping", 3)])
    window = make_window()
    window.start()
    panel = window.library_view
    qtbot.waitUntil(lambda: panel.group_counts() == {"clapping": 1, "waving": 2}, timeout=TIMEOUT_MS)
    item = panel.tree.topLevelItem(1).child(0)
    assert not item.icon(0).isNull() and item.text(1) == "1.5 s"

    panel.select([ids["waving"][1]])
    monkeypatch.setattr(QInputDialog, "getItem", lambda *args: ("clapping", True))
    qtbot.mouseClick(panel.relabel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.group_counts() == {"clapping": 2, "waving": 1}, timeout=TIMEOUT_MS)
    assert ClipLibrary(tmp_path / "clips").load(ids["waving"][1]).label == "clapping"

    panel.select([ids["clapping"][0], ids["waving"][1]])
    qtbot.mouseClick(panel.delete_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.group_counts() == {"waving": 1}, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: "2 clips deleted" in window.message_bar.text(), timeout=TIMEOUT_MS)
    assert window.message_bar.action_button.isVisible() and window.message_bar.action_button.text() == "Undo"
    qtbot.mouseClick(window.message_bar.action_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.group_counts() == {"clapping": 2, "waving": 1}, timeout=TIMEOUT_MS)
    assert "2 clips back" in window.message_bar.text()
    assert sorted(c.id for c in ClipLibrary(tmp_path / "clips").clips()) == sorted(sum(ids.values(), []))

    panel.select([ids["clapping"][0]])
    qtbot.mouseClick(panel.play_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.session is not None and window.frames_shown > 2, timeout=TIMEOUT_MS)
    assert window.session.spec.kind == "clip" and window.session.spec.target.endswith(f"{ids['clapping'][0]}.json")


def test_import_and_export_folders_and_pyskl_from_the_window(make_window, qtbot, tmp_path, monkeypatch):
    fill(tmp_path / "elsewhere", [waving_clip("waving", 1), waving_clip("kicking", 2)])
    (tmp_path / "elsewhere" / "notes.json").write_text("[1, 2")
    window = make_window()
    window.start()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *args: str(tmp_path / "elsewhere"))
    window.import_clips()
    qtbot.waitUntil(lambda: window.library_view.group_counts() == {"kicking": 1, "waving": 1}, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: "2 clips imported" in window.message_bar.text(), timeout=TIMEOUT_MS)
    assert "Skipped notes.json" in window.message_bar.text()

    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *args: str(tmp_path / "out"))
    window.export_clips()
    qtbot.waitUntil(lambda: "2 clips exported" in window.message_bar.text(), timeout=TIMEOUT_MS)
    assert len(list((tmp_path / "out").glob("*.json"))) == 2
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args: (str(tmp_path / "clips.pkl"), ""))
    window.export_pyskl()
    qtbot.waitUntil(lambda: "exported for pyskl" in window.message_bar.text(), timeout=TIMEOUT_MS)
    with open(tmp_path / "clips.pkl", "rb") as f:
        assert len(pickle.load(f)["annotations"]) == 2


# ---- few-shot ------------------------------------------------------------------------------------
def test_three_clips_each_of_two_new_actions_are_recognized_at_once(make_window, qtbot, tmp_path):
    fill(tmp_path / "clips", [clip for i, kind in enumerate(NEW) for clip in generated_clips(kind, 3, seed=i)]
         + [waving_clip("waving", 0)])  # a label the model knows: not imprinted
    window = make_window()
    window.start()
    qtbot.waitUntil(lambda: window.model is not None and window.model.spec.few_shot == NEW, timeout=TIMEOUT_MS)
    assert window.engine.spec.labels == LABELS_A + NEW and window.engine.spec.few_shot == NEW
    assert "drinking, rowing recognized from your clips (few-shot)" in window.message_bar.text()
    assert window.status["model"].text() == "starter model + 2 few-shot"
    assert window.banner.few_shot == NEW and window.top_k.few_shot == NEW
    rows = [window.library_view.tree.topLevelItem(i).text(0)
            for i in range(window.library_view.tree.topLevelItemCount())]
    assert rows == ["drinking (3)  · recognized (few-shot)", "rowing (3)  · recognized (few-shot)",
                    "waving (1)  · known to the model"]
    labels = [window.record_bar.label_box.itemText(i) for i in range(window.record_bar.label_box.count())]
    assert set(LABELS_A) | set(NEW) <= set(labels) and labels[-1] == "New label…"

    window.few_shot_action.trigger()  # off: the model's own classes only
    qtbot.waitUntil(lambda: window.model.spec.few_shot == (), timeout=TIMEOUT_MS)
    assert window.engine.spec.labels == LABELS_A and not settings_io.load(window.context.store).few_shot
    window.few_shot_action.trigger()
    qtbot.waitUntil(lambda: window.model.spec.few_shot == NEW, timeout=TIMEOUT_MS)


@pytest.mark.parametrize("clips", [2, 3])
def test_a_third_clip_recorded_makes_the_label_recognized(make_window, qtbot, tmp_path, clips):
    fill(tmp_path / "clips", generated_clips("drinking", clips, seed=5))
    window = make_window()
    window.start()
    qtbot.waitUntil(lambda: window.library_view.group_counts() == {"drinking": clips} and window.model is not None,
                    timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: window._model_call is None, timeout=TIMEOUT_MS)
    assert window.model.spec.few_shot == (("drinking",) if clips >= 3 else ())
    if clips < 3:
        ClipLibrary(tmp_path / "clips").add(generated_clips("drinking", 1, seed=6)[0])
        window.clips.refresh()
        qtbot.waitUntil(lambda: window.model.spec.few_shot == ("drinking",), timeout=TIMEOUT_MS)


def test_done_when_a_new_user_records_two_new_actions_they_are_recognized_at_once(make_window, qtbot, tmp_path):
    """The issue's goal with the bundled starter model: five clips each of two new actions in
    the library, then a clip of one of them played back is named as the new action."""
    from recognizer.paths import STARTER_MODEL

    if not STARTER_MODEL.is_file():
        pytest.fail(f"the starter model {STARTER_MODEL} is missing")
    fill(tmp_path / "clips", [clip for i, kind in enumerate(NEW) for clip in generated_clips(kind, 5, seed=10 + i)])
    # Drinking: few-shot shows 73–97 % of held-out drinking clips but only 40–50 % of rowing
    # ones (either starter model, 30 clips each), so one rowing clip would test luck, not the flow.
    held_out = generated_clips("drinking", 1, seed=99)[0]
    fill(tmp_path / "elsewhere", [held_out])
    window = make_window(starter_model=STARTER_MODEL)
    window.start()
    qtbot.waitUntil(lambda: window.model is not None and window.model.spec.few_shot == NEW, timeout=TIMEOUT_MS)
    [clip] = ClipLibrary(tmp_path / "elsewhere").clips()
    window.play_clip(clip)
    qtbot.waitUntil(lambda: window.banner.text() == "drinking (few-shot)", timeout=TIMEOUT_MS)


def test_done_when_then_trained_in_the_window_and_switched_to_at_once(make_window, qtbot, tmp_path):
    """The rest of the issue's flow: from the same five clips each, Clips ▸ Train a model on
    my clips… with the dialog's defaults, "Use this model", and the window runs the new model
    (the actions are now trained classes, no longer few-shot)."""
    from recognizer.paths import STARTER_MODEL

    if not STARTER_MODEL.is_file():
        pytest.fail(f"the starter model {STARTER_MODEL} is missing")
    fill(tmp_path / "clips", [clip for i, kind in enumerate(NEW) for clip in generated_clips(kind, 5, seed=10 + i)])
    window = make_window(starter_model=STARTER_MODEL)
    window.start()
    qtbot.waitUntil(lambda: window.model is not None and window.model.spec.few_shot == NEW, timeout=TIMEOUT_MS)

    window.open_train_dialog()
    dialog = window.train_dialog
    assert dialog.isVisible() and dialog.chosen_labels() == NEW
    with qtbot.waitSignal(dialog.run_ended, timeout=300_000) as ended:
        dialog.start_button.click()
    assert ended.args == ["done"], dialog.error.text()
    trained = dialog.result
    assert trained.parent == window.context.user_models
    dialog.use_button.click()  # loads the model and closes the dialog
    assert window.train_dialog is None
    qtbot.waitUntil(lambda: window.model.path == trained, timeout=TIMEOUT_MS)
    assert set(window.model.spec.labels) >= set(NEW) and window.model.spec.few_shot == ()
