"""Evaluation: counting, reports (JSON, text, PNG), label matching, and `liveaction eval`."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from recognizer import cli
from recognizer.checkpoint import ModelCard, save_model
from recognizer.data.datasets import open_dataset
from recognizer.errors import LiveactionError
from recognizer.evaluate import RelabeledDataset, Tally, evaluate
from recognizer.models import create_model
from recognizer.preprocess import Preprocessing
from tests.recognizer.test_train import TINY, write_clips

LABELS = ("a", "b", "c", "d", "e", "f")


def _report():
    """Six classes; class "f" has no samples. Rows of logits rank classes by descending score."""
    tally = Tally(len(LABELS))
    ranking = {0: [0, 1, 2, 3, 4, 5], 1: [1, 0, 2, 3, 4, 5], 2: [0, 1, 2, 3, 4, 5], 3: [5, 4, 2, 1, 0, 3]}
    samples = [(0, 0), (0, 0), (1, 1), (2, 2), (2, 0), (3, 3), (4, 1)]  # (true class, ranking id)
    logits = torch.zeros(len(samples), len(LABELS))
    for i, (_, rank) in enumerate(samples):
        logits[i, ranking[rank]] = torch.arange(6, 0, -1, dtype=torch.float32)
    targets = torch.tensor([t for t, _ in samples])
    tally.update(logits[:4], targets[:4], torch.tensor(1.0))
    tally.update(logits[4:], targets[4:], torch.tensor(4.0))
    return tally.report(LABELS)


def test_tally_counts_top1_top5_per_class_and_loss():
    report = _report()
    assert report.n == 7
    assert report.top1 == pytest.approx(3 / 7)  # the first three samples
    assert report.top5 == pytest.approx(6 / 7)  # all but class 3 under ranking 3, where it comes last
    assert report.per_class == {"a": 1.0, "b": 1.0, "c": 0.0, "d": 0.0, "e": 0.0}  # "f": no samples
    assert report.confusion.sum() == 7 and report.confusion[2, 0] == 2
    assert report.loss == pytest.approx((4 * 1.0 + 3 * 4.0) / 7)


def test_json_has_exactly_the_documented_keys():
    doc = _report().to_json()
    assert list(doc) == ["top1", "top5", "per_class", "n"]
    assert json.loads(json.dumps(doc)) == doc


def test_text_report_and_confusion_table():
    report = _report()
    text = report.summary_text()
    assert "7 samples: top-1 42.9%, top-5 85.7%" in text
    assert "c → a: 2" in text.splitlines()[text.splitlines().index("most confused (true → predicted):") + 1]
    table = report.confusion_text().splitlines()
    assert len(table) == 2 + len(LABELS)
    assert table[2 + 2].split()[1:] == ["c", "2", "0", "0", "0", "0", "0"]


def test_confusion_png_is_written_without_a_display(tmp_path):
    path = tmp_path / "confusion.png"
    _report().save_confusion_png(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [p.name for p in tmp_path.iterdir()] == ["confusion.png"]  # no temporary file left


class _Labeled(torch.utils.data.Dataset):
    def __init__(self, labels, targets):
        self.labels, self.targets = list(labels), list(targets)

    def __len__(self):
        return len(self.targets)

    def __getitem__(self, i):
        return torch.zeros(1), self.targets[i]


def test_data_labels_are_matched_to_the_model_by_name():
    data = RelabeledDataset(_Labeled(["b", "zz", "a"], [0, 1, 2]), ["a", "b"])
    assert [data[i][1] for i in range(3)] == [1, -1, 0]
    with pytest.raises(LiveactionError, match="none of the data's labels"):
        RelabeledDataset(_Labeled(["x", "y"], [0, 1]), ["a", "b"])


@pytest.fixture(scope="module")
def model_file(tmp_path_factory):
    """An untrained tiny model for two of the three labels in the clips folder, plus those clips."""
    root = tmp_path_factory.mktemp("eval")
    clips = write_clips(root / "clips", per_class=4)
    torch.manual_seed(0)
    model = create_model("slnl_rfa_lite", 2, T=16, **TINY)
    card = ModelCard.for_model(model, ("legs", "arms"), Preprocessing(T=16, normalization="clip"), persons=1)
    save_model(root / "model.safetensors", model, card)
    return root / "model.safetensors", clips


def test_evaluate_skips_labels_the_model_does_not_know(model_file):
    path, clips = model_file
    from recognizer.checkpoint import load_model

    model, card = load_model(path)
    dataset = open_dataset(str(clips), preprocessing=card.preprocessing, max_persons=card.persons)
    report = evaluate(model, dataset, card.labels, batch_size=5)
    assert report.n == 8 and report.skipped == 4  # the four "head" clips
    assert set(report.per_class) == {"legs", "arms"} and report.confusion.shape == (2, 2)


def test_eval_command_json_prints_one_object(model_file, capsys, tmp_path):
    path, clips = model_file
    png = tmp_path / "cm.png"
    assert cli.main(["eval", "--model", str(path), "--data", str(clips), "--json", "--workers", "0",
                     "--png", str(png)]) == 0
    out = capsys.readouterr().out
    doc = json.loads(out)
    assert list(doc) == ["top1", "top5", "per_class", "n"] and doc["n"] == 8
    assert out.count("\n") == 1 and png.is_file()


def test_eval_command_text_and_bad_model(model_file, capsys, tmp_path):
    path, clips = model_file
    assert cli.main(["eval", "--model", str(path), "--data", str(clips), "--confusion", "--workers", "0"]) == 0
    out = capsys.readouterr().out
    assert "8 samples: top-1" in out and "(4 skipped)" in out and "confusion (rows: true" in out
    (tmp_path / "bad.safetensors").write_bytes(b"\x80\x04junk")
    (tmp_path / "bad.json").write_text("{}")
    assert cli.main(["eval", "--model", str(tmp_path / "bad.safetensors"), "--data", str(clips)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "bad.json" in err


def test_per_class_accuracy_is_per_true_class():
    tally = Tally(2)
    tally.update(torch.tensor([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]]), torch.tensor([0, 1, 1]))
    report = tally.report(("x", "y"))
    assert report.per_class == {"x": 1.0, "y": 0.5}
    np.testing.assert_array_equal(report.confusion, [[1, 0], [1, 1]])
