"""Instant few-shot classes: recognize a new action from a few recorded clips, no training.

Each new label gets a class prototype: the mean direction of its clips' embeddings (the
features before the model's head, `forward_features`). It joins the model's own classes
as one more row of the linear head — "weight imprinting" (Qi et al., CVPR 2018) — so the
engine, smoothing and open-set logic treat it like any other class.

A prototype alone has no scale that matches the trained rows, and features of different
actions share a large common part, so a row along the plain mean would also win on the
model's own actions. Each new row is therefore fitted against counter-examples — the
other new labels' clips and, when the motion generator knows the model's actions (the
starter model and models made from it), a few generated clips of each: its direction is
the difference of the means, and a scale and bias are chosen so the new class wins on its
own clips and loses on the others (`fit_row`). Without any counter-example (one new
label on a model of other actions) the row is the mean direction, scaled so that its
clips score `MARGIN` above the model's previous best.
"""

from __future__ import annotations

import copy
import dataclasses
import functools

import numpy as np
import torch
from torch import nn

from recognizer.actor import actor_scores
from recognizer.engine import ModelSpec, prepare_input
from recognizer.errors import LiveactionError

MIN_CLIPS = 3  # clips a new label needs before it is recognized
MARGIN = 1.0  # logit margin over the model's previous best, on the new class's own clips
REFERENCE_PER_LABEL = 3  # generated clips per known label, as examples of what a new class is not
REFERENCE_SEED = 20261126
FIT_STEPS = 300


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


def reference_clips(spec: ModelSpec) -> tuple[np.ndarray, ...]:
    """Generated clips of the model's own actions, when the motion generator knows them all.

    They show the imprint what its new class must *not* answer to, so a new row does not
    take over the model's trained actions. Models of other actions get none.
    """
    known = tuple(label for label in spec.labels if label != spec.background_label)
    return _generated_clips(known, spec.preprocessing.T / spec.fps, spec.fps)


@functools.lru_cache(maxsize=4)
def _generated_clips(labels: tuple[str, ...], window_s: float, fps: float) -> tuple[np.ndarray, ...]:
    """REFERENCE_PER_LABEL clips per label, 1–1.5 windows long, from a fixed seed: the same
    every time, so the app's re-imprints after each library change do not generate them again."""
    from recognizer.data.synthetic import STARTER_CLASSES, generate_clip

    if not labels or not set(labels) <= set(STARTER_CLASSES):
        return ()
    rng = np.random.default_rng(REFERENCE_SEED)
    return tuple(generate_clip(label, rng, seconds=window_s * float(rng.uniform(1.0, 1.5)), fps=fps)
                 for label in labels for _ in range(REFERENCE_PER_LABEL))


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
    bias = head.bias.detach().mean()
    embedded = {label: embed(model, spec, clips) for label, clips in new.items()}
    reference = reference_clips(spec)
    background = [embed(model, spec, list(reference))] if reference else []
    rows, biases = [], []
    for label, (features, logits) in embedded.items():
        if (features @ nn.functional.normalize(features.mean(0), dim=0) <= 0).all():
            raise LiveactionError(f"the clips of {label!r} give no usable embedding (is a person in them?)")
        others = [embedded[other] for other in embedded if other != label] + background
        row, row_bias = fit_row(features, logits.max(dim=1).values - bias, others, bias)
        rows.append(row)
        biases.append(row_bias)
    extended = copy.deepcopy(model)
    new_head = nn.Linear(head.in_features, head.out_features + len(rows)).to(head.weight.device)
    with torch.no_grad():
        new_head.weight.copy_(torch.cat([head.weight, torch.stack(rows)]))
        new_head.bias.copy_(torch.cat([head.bias, torch.stack(biases)]))
    extended.heads["concat"] = new_head
    extended.num_classes = new_head.out_features
    labels = tuple(spec.labels) + tuple(new)
    return extended, dataclasses.replace(spec, labels=labels, few_shot=tuple(new))


def fit_row(features: torch.Tensor, best_before: torch.Tensor, others: list[tuple[torch.Tensor, torch.Tensor]],
            bias: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The new class's head row and bias from its clips' features `(n, D)`.

    `best_before` `(n,)`: each clip's best logit before the imprint, less the head's mean
    bias. Without counter-examples the row is the clips' mean direction, scaled so that
    its own clips score MARGIN above `best_before` (median over clips). With
    counter-examples (`others`: (features, logits) of other new labels and of generated
    clips of the model's actions) the direction is the difference of the two means, and
    a scale and bias are fitted (logistic loss) so the new class wins on its clips by
    MARGIN and loses by MARGIN on the others.
    """
    unit = nn.functional.normalize(features, dim=1)  # (n, D)
    if not others:
        prototype = nn.functional.normalize(unit.mean(0), dim=0)  # (D,)
        along = features @ prototype  # (n,) each clip's length along the prototype
        scale = torch.median((best_before + MARGIN) / along.clamp(min=1e-6)).clamp(min=0.0)
        return scale * prototype, bias
    negatives = torch.cat([f for f, _ in others])  # (m, D)
    negatives_best = torch.cat([logits.max(dim=1).values for _, logits in others]) - bias  # (m,)
    direction = nn.functional.normalize(unit.mean(0) - nn.functional.normalize(negatives, dim=1).mean(0), dim=0)
    positive_along, negative_along = features @ direction, negatives @ direction  # (n,), (m,)
    spread = (positive_along.mean() - negative_along.mean()).clamp(min=1e-6)
    log_scale = torch.log((best_before.mean() - negatives_best.mean()).abs() / spread + 1.0).reshape(1)
    offset = torch.zeros(1, device=features.device)
    with torch.enable_grad():
        log_scale.requires_grad_(True)
        offset.requires_grad_(True)
        optimizer = torch.optim.Adam([log_scale, offset], lr=0.05)
        for _ in range(FIT_STEPS):
            optimizer.zero_grad()
            scale = log_scale.exp()
            wins = scale * positive_along + offset - (best_before + MARGIN)  # want > 0
            loses = (negatives_best - MARGIN) - (scale * negative_along + offset)  # want > 0
            loss = nn.functional.softplus(-wins).mean() + nn.functional.softplus(-loses).mean()
            loss.backward()
            optimizer.step()
    return (log_scale.exp().detach() * direction), (bias + offset.detach()[0])
