"""Datasets: labels, skipped samples, label files, NTU splits, `--data SPEC` resolution."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader

from recognizer.data.augment import Augment
from recognizer.data.datasets import ArrayDataset, GeneratedDataset, KineticsJsonFolder, NtuFolder, open_dataset
from recognizer.data.formats import SkeletonClip, write_kinetics_json
from recognizer.errors import BadFileError, LiveactionError
from recognizer.preprocess import Preprocessing
from tests.recognizer.data.test_ntu import body_lines, ntu_text

PREP = Preprocessing(T=16)


def clip_array(seed=0, T=20, M=1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    data = rng.random((3, T, 18, M)).astype(np.float32)
    data[2] = 0.5 + 0.5 * data[2]
    return data


def write_clip(folder, name, label, label_index=None, seed=0):
    write_kinetics_json(folder / f"{name}.json", SkeletonClip(clip_array(seed), label, label_index))


@pytest.fixture
def json_folder(tmp_path):
    folder = tmp_path / "clips"
    folder.mkdir()
    write_clip(folder, "a1", "wave", 5)
    write_clip(folder, "a2", "wave", 5, seed=1)
    write_clip(folder, "b1", "clap", 2, seed=2)
    write_clip(folder, "c1", "squat", None, seed=3)
    (folder / "broken.json").write_text('{"data": [{"frame_index": 1, "skel')
    write_kinetics_json(folder / "nobody.json", SkeletonClip(np.zeros((3, 5, 18, 1), np.float32), "wave"))
    write_kinetics_json(folder / "unlabelled.json", SkeletonClip(clip_array(4)))
    return folder


def test_json_folder(json_folder):
    ds = KineticsJsonFolder(json_folder, preprocessing=PREP)
    assert ds.labels == ["clap", "wave", "squat"]  # by label_index, unindexed last
    assert len(ds) == 4 and sorted(ds.targets) == [0, 1, 1, 2]
    problems = dict((p.split("/")[-1], why) for p, why in ds.skipped)
    assert set(problems) == {"broken.json", "nobody.json", "unlabelled.json"}
    assert "truncated" in problems["broken.json"] and "no person" in problems["nobody.json"]
    x, y = ds[0]
    assert x.shape == (3, 16, 18, 2) and x.dtype == torch.float32 and isinstance(y, int)
    batch, labels = next(iter(DataLoader(ds, batch_size=4)))
    assert batch.shape == (4, 3, 16, 18, 2) and labels.tolist() == ds.targets


def test_json_folder_fixed_labels_and_cache(json_folder):
    ds = KineticsJsonFolder(json_folder, labels=["wave", "squat"], preprocessing=PREP, cache=True)
    assert ds.labels == ["wave", "squat"] and len(ds) == 3
    assert any("'clap' is not one of the 2 labels" in why for _, why in ds.skipped)
    for path in json_folder.glob("*.json"):
        path.unlink()
    assert ds[0][0].shape == (3, 16, 18, 2)  # served from memory


def test_file_going_bad_later_is_skipped_not_fatal(json_folder):
    ds = KineticsJsonFolder(json_folder, preprocessing=PREP)
    before = len(ds.skipped)
    (json_folder / "a1.json").write_text("garbage")
    x, y = ds[0]  # a1 is sample 0; the next good sample is served instead
    assert ds.names[0].endswith("a1.json") and len(ds.skipped) == before + 1
    assert x.shape == (3, 16, 18, 2)


def test_label_file(json_folder, tmp_path):
    for name in ("broken", "nobody", "unlabelled"):
        (json_folder / f"{name}.json").unlink()
    entries = {"a1": ("wave", 5, True), "a2": ("wave", 5, True), "b1": ("clap", 2, True),
               "c1": ("squat", 9, False), "extra": ("jump", 1, True)}
    label_file = tmp_path / "clips_label.json"
    label_file.write_text(json.dumps({k: {"label": v[0], "label_index": v[1], "has_skeleton": v[2]}
                                      for k, v in entries.items()}))
    ds = KineticsJsonFolder(json_folder, label_file=label_file, preprocessing=PREP)
    assert ds.labels == ["clap", "wave"] and len(ds) == 3  # c1 has no skeleton, extra has no file
    # open_dataset finds the label file beside the folder, as Kinetics-skeleton is published.
    assert open_dataset(str(json_folder), preprocessing=PREP).labels == ["clap", "wave"]


def test_label_file_that_does_not_match(json_folder, tmp_path):
    label_file = tmp_path / "other_label.json"
    label_file.write_text(json.dumps({"zzz": {"label": "x", "label_index": 0, "has_skeleton": True}}))
    with pytest.raises(BadFileError, match="does not match .* have no entry"):
        KineticsJsonFolder(json_folder, label_file=label_file)
    for name in ("broken", "nobody", "unlabelled", "a2", "b1", "c1"):
        (json_folder / f"{name}.json").unlink()
    label_file.write_text(json.dumps({"a1": {"label": "clap", "label_index": 0, "has_skeleton": True}}))
    with pytest.raises(BadFileError, match="labels a1.json 'clap' but the file says 'wave'"):
        KineticsJsonFolder(json_folder, label_file=label_file)


def test_empty_and_useless_folders(tmp_path):
    with pytest.raises(LiveactionError, match="no usable samples"):
        KineticsJsonFolder(tmp_path)
    (tmp_path / "bad.json").write_text("{")
    with pytest.raises(LiveactionError, match=r"no usable samples \(1 skipped; first problem: .*bad.json"):
        KineticsJsonFolder(tmp_path)
    with pytest.raises(BadFileError, match="not a folder"):
        KineticsJsonFolder(tmp_path / "missing")


def test_array_dataset_and_mirror_labels():
    arrays = [clip_array(i) for i in range(4)] + [np.full((3, 5, 18, 1), np.nan, np.float32), np.zeros((2, 5))]
    labels = ["wave left hand", "wave right hand", "clap"]
    augment = Augment(mirror_p=1.0, mirror_label_pairs=(("wave left hand", "wave right hand"),))
    ds = ArrayDataset(arrays, [0, 1, 2, 0, 2, 2], labels, preprocessing=PREP, augment=augment, train=True)
    assert len(ds) == 4 and [name for name, _ in ds.skipped] == ["#4", "#5"]
    torch.manual_seed(0)
    assert [ds[i][1] for i in range(4)] == [1, 0, 2, 1]  # every clip mirrored: hands swap
    test = ArrayDataset(arrays[:4], [0, 1, 2, 0], labels, preprocessing=PREP)
    assert [test[i][1] for i in range(4)] == [0, 1, 2, 0]
    assert torch.equal(test[0][0], test[0][0])  # no randomness at test time
    with pytest.raises(ValueError, match="only one label"):
        ArrayDataset(arrays[:1], [0], ["wave left hand"], augment=augment)
    with pytest.raises(ValueError, match="not a class id"):
        ArrayDataset(arrays[:1], [3], labels)


def test_training_randomness_follows_the_torch_seed():
    ds = ArrayDataset([clip_array(0, T=40)], [0], ["x"], preprocessing=PREP, augment=Augment(), train=True)
    torch.manual_seed(7)
    a = ds[0][0]
    torch.manual_seed(7)
    assert torch.equal(a, ds[0][0])
    assert not torch.equal(a, ds[0][0])


def test_array_dataset_from_clips():
    clips = [SkeletonClip(clip_array(0, M=3), "b"), SkeletonClip(clip_array(1), "a"), SkeletonClip(clip_array(2))]
    ds = ArrayDataset.from_clips(clips, preprocessing=PREP)
    assert ds.labels == ["a", "b"] and ds.targets == [1, 0] and ds.skipped == [("#2", "has no label")]
    assert ds[0][0].shape == (3, 16, 18, 2)  # three persons cut to max_persons


def write_ntu(folder, name, frames=3):
    (folder / f"{name}.skeleton").write_text(ntu_text([[body_lines(0.01 * t)] for t in range(frames)]))


@pytest.fixture
def ntu_folder(tmp_path):
    folder = tmp_path / "nturgb+d_skeletons"
    folder.mkdir()
    write_ntu(folder, "S001C001P001R001A001")  # performer 1: xsub train; camera 1: xview val
    write_ntu(folder, "S001C002P003R001A002")  # performer 3: xsub val; camera 2: xview train
    write_ntu(folder, "S001C003P002R002A060")
    write_ntu(folder, "S001C002P005R002A008")  # on the known missing list
    (folder / "S001C001P004R001A003.skeleton").write_text("0\n")  # empty
    (folder / "notes.skeleton").write_text("hello")
    return folder


def test_ntu_folder(ntu_folder, ntu_shared):
    ds = NtuFolder(ntu_folder, "train", "xsub", preprocessing=PREP,
                   ignore_list=ntu_shared / "samples_with_missing_skeletons.txt")
    assert len(ds.labels) == 60 and ds.labels[0] == "A001"
    assert sorted(ds.targets) == [0, 59]
    assert sorted(why for _, why in ds.skipped) == ["contains no frames", "is not an NTU RGB+D sample name "
                                                    "(SsssCcccPpppRrrrAaaa)"]
    assert ds[0][0].shape == (3, 16, 18, 2)
    val = NtuFolder(ntu_folder, "val", "xview", preprocessing=PREP, action_names=[f"n{i}" for i in range(60)])
    assert [val.labels[t] for t in val.targets] == ["n0"]  # camera 1 only
    assert len(NtuFolder(ntu_folder, "train", "xview", preprocessing=PREP)) == 3  # A008 kept: no list
    (ntu_folder / "samples_with_missing_skeletons.txt").write_text("S001C002P005R002A008\n")
    assert len(NtuFolder(ntu_folder, "train", "xview", preprocessing=PREP)) == 2  # the folder's own list


def test_open_dataset(json_folder, ntu_folder, tmp_path):
    assert isinstance(open_dataset(str(json_folder), preprocessing=PREP), KineticsJsonFolder)
    ntu = open_dataset(str(ntu_folder), split="val", benchmark="xsub", preprocessing=PREP)
    assert isinstance(ntu, NtuFolder) and ntu.targets == [1]
    empty = tmp_path / "empty"
    empty.mkdir()
    for spec, problem in ((str(tmp_path / "nope"), "not a generator name"),
                          (str(json_folder / "a1.json"), "not a folder"),
                          (str(empty), "has no Kinetics-skeleton .json or NTU .skeleton files")):
        with pytest.raises(LiveactionError, match=problem):
            open_dataset(spec)


class FakeGenerator:
    """A map-style source of raw clips, as a generator provides them."""

    labels = ["a", "b"]

    def __len__(self):
        return 5

    def __getitem__(self, i):
        return clip_array(i, T=10 + i), i % 2


def test_generated_dataset():
    ds = GeneratedDataset(FakeGenerator(), preprocessing=PREP, augment=Augment(), train=True)
    assert len(ds) == 5 and ds.labels == ["a", "b"] and ds.targets == [0, 1, 0, 1, 0]
    x, y = ds[3]
    assert x.shape == (3, 16, 18, 2) and y == 1  # one person padded to two


def test_open_dataset_synthetic():
    synthetic = pytest.importorskip("recognizer.data.synthetic", reason="the synthetic generator is not there yet")
    if not hasattr(synthetic, "SyntheticDataset"):
        pytest.skip("recognizer.data.synthetic has no SyntheticDataset yet")
    train = open_dataset("synthetic", n_per_class=1, preprocessing=PREP, train=True)
    val = open_dataset("synthetic", split="val", n_per_class=1, preprocessing=PREP)
    assert isinstance(train, GeneratedDataset) and len(train) == len(train.labels) == len(val)
    x, y = val[0]
    assert x.shape == (3, 16, 18, 2) and x.dtype == torch.float32 and y == val.targets[0]
    assert not torch.equal(val[1][0], open_dataset("synthetic", n_per_class=1, preprocessing=PREP)[1][0])


def test_msr_through_array_dataset(msr_root):
    from recognizer.data.msr import action_names, list_msr, msr_clip, read_msr_skeleton

    names = action_names(msr_root)
    clips = [msr_clip(read_msr_skeleton(p), names) for p in list_msr(msr_root)[:60]]
    ds = ArrayDataset.from_clips(clips, names, preprocessing=Preprocessing(T=32, normalization="clip"))
    assert len(ds) == 60 and set(ds.targets) == {0, 1, 2}
    x, _ = ds[5]
    assert x.shape == (3, 32, 18, 2) and torch.isfinite(x).all()
