"""The named configurations the registry builds (paper settings, plus a laptop-sized model).

Each preset is one frozen config; ``create_model(name, ..., **overrides)`` replaces
fields of it. Sources: TMM 2020 §IV-A and ICME 2019 §4.1 for SLnL-rFA, TS-SAN §5.2.
"""

from __future__ import annotations

from recognizer.models.san import TSSANConfig
from recognizer.models.slnl_rfa import SLnLrFAConfig

# NTU RGB+D: 64 frames, 25 joints, (x, y, z); 6 blocks 64-64-128-128-256-256, kernel 3,
# SLnL in the first three, K = 10, N' = 64 (the model of Table XI).
SLNL_RFA_NTU = SLnLrFAConfig()

# Kinetics-skeleton: 128 frames, 18 OpenPose joints, (x, y, confidence) — the confidence
# is an input channel; two more 512-wide blocks, kernel 5 in the first two blocks.
SLNL_RFA_KINETICS = SLnLrFAConfig(
    num_joints=18,
    T=128,
    channels=(64, 64, 128, 128, 256, 256, 512, 512),
    kernel_sizes=(5, 5, 3, 3, 3, 3, 3, 3),
)

# For a laptop CPU, live: 18 OpenPose joints, (x, y, score), 64 frames. The same block
# structure, narrower and on fewer virtual joints and coordinate systems; chosen by
# measurement (bench/models.py, docs/benchmarks-models.md).
SLNL_RFA_LITE = SLnLrFAConfig(
    num_joints=18,
    T=64,
    coordinate_systems=4,
    virtual_joints=16,
    attention_reduction=16,
    channels=(32, 32, 64, 64, 128, 128),
    kernel_sizes=(3, 3, 3, 3, 3, 3),
    num_slnl=3,
)

# NTU RGB+D: 3 clips × 32 frames, TS + SAN-V2 with the CNN encoder, 4 layers × 8 heads.
TS_SAN_NTU = TSSANConfig()

# Kinetics-skeleton: 3 clips × 64 frames, 18 joints, (x, y, confidence), 8 layers × 8 heads.
TS_SAN_KINETICS = TSSANConfig(num_joints=18, T=192, layers=8)
