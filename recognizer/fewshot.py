"""Instant few-shot classes: recognize a new action from a few recorded clips, no training.

Each new label gets a class prototype: the mean direction of its clips' embeddings (the
features before the model's head, `forward_features`). It joins the model's own classes
as one more row of the linear head — "weight imprinting" (Qi et al., CVPR 2018) — so the
engine, smoothing and open-set logic treat it like any other class.

A prototype alone has no scale that matches the trained rows, so each imprinted row gets
one: its length is chosen so that on its own clips the new class's logit sits `margin`
above the best logit the model gave them before (median over the clips). Inputs unlike
those clips point away from the prototype and score lower.
"""

from __future__ import annotations

import copy
import dataclasses

import numpy as np
import torch
from torch import nn

from recognizer.actor import actor_scores
from recognizer.engine import ModelSpec, prepare_input
from recognizer.errors import LiveactionError

MIN_CLIPS = 3  # clips a new label needs before it is recognized
MARGIN = 1.0  # logit margin over the model's previous best, on the new class's own clips


@torch.no_grad()
def embed(model: nn.Module, spec: ModelSpec, clips: list[np.ndarray]) -> tuple[torch.Tensor, torch.Tensor]:
    """`(C, T, V, M)` clips → (features `(n, D)`, logits `(n, K)`) as the engine would see them."""
    device = next(model.parameters()).device
    inputs = []
    for data in clips:
        window = torch.from_numpy(np.ascontiguousarray(data, dtype=np.float32)).to(device)  # (C, T, V, M)
        actor = int(actor_scores(window, spec.fps).argmax())
        inputs.append(prepare_input(window, actor, spec))
    x = torch.cat(inputs)  # (n, C, T, V, M)
    model.eval()
    features = model.forward_features(x)  # (n, D)
    return features, model.forward_head(features)


def imprint(model: nn.Module, spec: ModelSpec, examples: dict[str, list[np.ndarray]]
            ) -> tuple[nn.Module, ModelSpec]:
    """A copy of `model` whose head also knows each label of `examples` with ≥ MIN_CLIPS clips.

    Labels the model already has are left alone (fine-tune for those); the returned spec
    lists the new ones in `few_shot`.
    """
    new = {label: clips for label, clips in examples.items()
           if label not in spec.labels and len(clips) >= MIN_CLIPS}
    if not new:
        return model, spec
    head: nn.Linear = model.heads["concat"]
    rows, biases = [], []
    bias = head.bias.detach().mean()
    for label, clips in new.items():
        features, logits = embed(model, spec, clips)
        unit = nn.functional.normalize(features, dim=1)  # (n, D)
        prototype = nn.functional.normalize(unit.mean(0), dim=0)  # (D,)
        along = features @ prototype  # (n,) each clip's length along the prototype
        if (along <= 0).all():
            raise LiveactionError(f"the clips of {label!r} give no usable embedding (is a person in them?)")
        target = logits.max(dim=1).values + MARGIN - bias  # (n,) logit each clip should reach
        scale = torch.median(target / along.clamp(min=1e-6)).clamp(min=0.0)
        rows.append(scale * prototype)
        biases.append(bias)
    extended = copy.deepcopy(model)
    new_head = nn.Linear(head.in_features, head.out_features + len(rows)).to(head.weight.device)
    with torch.no_grad():
        new_head.weight.copy_(torch.cat([head.weight, torch.stack(rows)]))
        new_head.bias.copy_(torch.cat([head.bias, torch.stack(biases)]))
    extended.heads["concat"] = new_head
    extended.num_classes = new_head.out_features
    labels = tuple(spec.labels) + tuple(new)
    return extended, dataclasses.replace(spec, labels=labels, few_shot=tuple(new))
