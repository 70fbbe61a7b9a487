"""Instant few-shot: new actions recognized from three clips each, without training."""

import numpy as np

from recognizer.data.synthetic import everyday_clips
from recognizer.fewshot import MIN_CLIPS, imprint
from recognizer.offline import recognize, sequence_frames

NEW = ("drinking", "rowing")  # everyday motions the starter model files under "other"


def test_three_clips_make_a_new_class(starter_recognizer):
    model, spec = starter_recognizer
    rng = np.random.default_rng(7)
    examples = {kind: everyday_clips(kind, MIN_CLIPS, rng, spec.fps) for kind in NEW}
    extended, extended_spec = imprint(model, spec, examples)
    assert extended_spec.labels == spec.labels + NEW and extended_spec.few_shot == NEW
    assert extended.heads["concat"].out_features == len(spec.labels) + 2
    assert model.heads["concat"].out_features == len(spec.labels), "the loaded model is left as it was"

    held_out = [(kind, clip) for kind in NEW for clip in everyday_clips(kind, 8, rng, spec.fps)]
    right = 0
    for kind, clip in held_out:
        result = recognize(extended, extended_spec, sequence_frames(clip, spec.fps), clip.shape[1] / spec.fps)
        right += result.summary.top5[0][0] == kind
    assert right / len(held_out) >= 0.75, f"{right}/{len(held_out)} held-out clips recognized"


def test_too_few_clips_or_known_labels_change_nothing(starter_recognizer):
    model, spec = starter_recognizer
    rng = np.random.default_rng(8)
    same_model, same_spec = imprint(model, spec, {"drinking": everyday_clips("drinking", MIN_CLIPS - 1, rng, spec.fps),
                                                  spec.labels[0]: everyday_clips("rowing", 3, rng, spec.fps)})
    assert same_model is model and same_spec == spec
