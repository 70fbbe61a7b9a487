"""Batch-norm statistics for the network inference runs ("precise BN", dropout off).

Each block of our networks ends in a dropout that the next block's batch norms see. In
training those layers normalize by batch statistics of dropped-out activations; at
inference dropout is off, the activations' variance differs, and the running averages
kept during training no longer fit (the "variance shift" of Li et al., "Understanding the
Disharmony between Dropout and Batch Normalization", 2019). For the starter model that
cost 93 % against 97 % top-1 on generated clips and 58 % against 70 % on HDM05's real
motion (docs/starter-model.md). Re-estimating the statistics as a plain average over
training batches, with the saved weights and dropout off as at inference, closes the gap
(Wu & Johnson, "Rethinking 'Batch' in BatchNorm", 2021, on precise statistics).
`torch.optim.swa_utils.update_bn` would put the whole model in training mode, dropout on,
and so reproduce the mismatch. Training does this after every epoch
(`TrainConfig.bn_batches`); `liveaction recalibrate` does it for a model already trained.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import islice

import torch
import torch.distributed as dist
from torch import nn


def recalibrate_batch_norm(model: nn.Module, batches: Iterable, limit: int, device: torch.device | None = None) -> int:
    """Replace every batch-norm layer's running mean and variance by their average over the
    first `limit` of `batches` (input tensors `(N, C, T, V, M)` or `(input, target)` pairs),
    computed with `model`'s current weights and every other layer in eval mode. Returns the
    number of clips seen; without any batch (or batch norm) the statistics stay as they
    are, and a model without batch norms costs no forward pass.

    Under torch.distributed every process passes its own batches and all end with the same
    statistics, averaged over the processes. Each module's train/eval mode is kept.
    """
    norms = [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm) and m.track_running_stats]
    if not norms:
        return 0
    modes = {m: m.training for m in model.modules()}
    momenta = {m: m.momentum for m in norms}
    clips = 0
    try:
        model.eval()
        with torch.no_grad():
            for batch in islice(batches, limit):
                x = batch[0] if isinstance(batch, (tuple, list)) else batch
                if clips == 0:  # the first batch replaces the old statistics
                    for norm in norms:
                        norm.reset_running_stats()
                        norm.momentum = None  # a plain cumulative average over the batches
                        norm.train()
                model(x.to(device) if device is not None else x)
                clips += len(x)
    finally:
        for norm, momentum in momenta.items():
            norm.momentum = momentum
        for module, training in modes.items():
            module.training = training
    if clips and dist.is_initialized() and dist.get_world_size() > 1:
        for norm in norms:
            for buffer in (norm.running_mean, norm.running_var):
                dist.all_reduce(buffer)
                buffer /= dist.get_world_size()
    return clips
