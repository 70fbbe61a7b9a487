"""Export: the CLI round trip train → eval → ONNX (checked with onnxruntime), and pyskl pickles."""

from __future__ import annotations

import json
import pickle

import numpy as np
import onnx
import onnxruntime
import pytest
import torch

from recognizer import cli
from recognizer.checkpoint import load_model
from recognizer.errors import LiveactionError
from recognizer.export import export_onnx
from tests.recognizer.test_train import LABELS, TINY, write_clips


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    return write_clips(tmp_path_factory.mktemp("clips"), per_class=6)


@pytest.fixture(scope="module")
def trained(clips, tmp_path_factory):
    """`liveaction train` on the clips: two epochs of the tiny lite model."""
    out = tmp_path_factory.mktemp("model") / "tiny.safetensors"
    args = ["train", "--preset", "slnl_rfa_lite", "--data", str(clips), "--epochs", "2", "--out", str(out),
            "--batch-size", "4", "--frames", "16", "--persons", "1", "--workers", "0", "--no-augment",
            "--no-progress", "--threshold", "0.4"]
    args += [arg for key, value in TINY.items() for arg in ("--model-arg", f"{key}={json.dumps(value)}")]
    assert cli.main(args) == 0
    return out


def test_cli_round_trip_train_eval_export_onnx(trained, clips, tmp_path, capsys):
    capsys.readouterr()
    assert cli.main(["eval", "--model", str(trained), "--data", str(clips), "--json", "--workers", "0"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["n"] == 18 and set(doc["per_class"]) == set(LABELS)

    onnx_path = tmp_path / "tiny.onnx"
    assert cli.main(["export", "onnx", "--model", str(trained), "-o", str(onnx_path)]) == 0
    assert "onnxruntime matches torch" in capsys.readouterr().out

    model, card = load_model(trained)
    session = onnxruntime.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    for batch in (1, 4):  # the batch axis is dynamic
        x = torch.randn(batch, 3, 16, 18, 1)
        got = session.run(["logits"], {"skeletons": x.numpy()})[0]
        with torch.inference_mode():
            np.testing.assert_allclose(got, model(x).numpy(), atol=1e-4, rtol=1e-4)  # as the export checks
    meta = {p.key: p.value for p in onnx.load(str(onnx_path)).metadata_props}
    assert json.loads(meta["labels"]) == list(card.labels)
    assert json.loads(meta["liveaction_card"])["threshold"] == 0.4


def test_failed_onnx_export_writes_nothing(trained, tmp_path, monkeypatch):
    model, card = load_model(trained)

    def unsupported(*args, **kwargs):
        raise RuntimeError("no ONNX symbol for some_op\nlong traceback-like detail")

    monkeypatch.setattr(torch.onnx, "export", unsupported)
    with pytest.raises(LiveactionError, match="cannot be exported to ONNX opset 18: no ONNX symbol for some_op$"):
        export_onnx(model, card, tmp_path / "m.onnx")
    assert list(tmp_path.iterdir()) == []


def test_export_pyskl_numbers_classes_like_the_model(trained, clips, tmp_path, capsys):
    (clips / "unlabelled.json").write_text(json.dumps({"data": [{"frame_index": 1, "skeleton": []}]}))
    out = tmp_path / "clips.pkl"
    try:
        assert cli.main(["export", "pyskl", "--data", str(clips), "-o", str(out), "--model", str(trained),
                         "--val-split", "0.34", "--img-size", "640x480"]) == 0
    finally:
        (clips / "unlabelled.json").unlink()
    assert "18 clips, 3 classes" in capsys.readouterr().out
    labels = (tmp_path / "clips_labels.txt").read_text().splitlines()
    assert tuple(labels) == load_model(trained)[1].labels
    with open(out, "rb") as file:  # the test reads the pickle it just wrote; liveaction never does
        doc = pickle.load(file)
    assert len(doc["split"]["train"]) == 12 and len(doc["split"]["val"]) == 6
    first = next(a for a in doc["annotations"] if a["frame_dir"] == "legs_00")
    assert first["label"] == labels.index("legs") and first["img_shape"] == (480, 640)
    assert first["keypoint"].shape == (1, 40, 18, 2) and first["keypoint_score"].shape == (1, 40, 18)


def test_export_pyskl_bad_size_and_empty_folder(tmp_path, capsys):
    assert cli.main(["export", "pyskl", "--data", str(tmp_path), "-o", str(tmp_path / "x.pkl"),
                     "--img-size", "big"]) == 2
    assert "expected WIDTHxHEIGHT" in capsys.readouterr().err
    assert cli.main(["export", "pyskl", "--data", str(tmp_path), "-o", str(tmp_path / "x.pkl")]) == 2
    assert "no labelled clips" in capsys.readouterr().err
