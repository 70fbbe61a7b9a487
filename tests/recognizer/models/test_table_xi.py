"""slnl_rfa_ntu against TMM 2020 Table XI: parameters and multiply-adds of one 64-frame skeleton.

Table XI: SLnL+rFA_pos 4.723 M / 3.889 G, SLnL+rFA+ML (two streams) 9.461 M / 7.778 G.
MACs are counted by torch's FlopCounterMode (FLOPs / 2) on the meta device, so nothing
is computed; the FFTs, softmax, BN and element-wise operations are not counted (as in
the usual counters). Persons share the stream weights, so Table XI's figures are those of
one person (M = 1); a two-person sample costs twice the MACs (see docs/models.md).
"""

from __future__ import annotations

import pytest
import torch
from torch.utils.flop_counter import FlopCounterMode

from recognizer.models import create_model

NTU_CLASSES = 60


def params_and_macs(two_stream: bool, persons: int = 1) -> tuple[int, float]:
    with torch.device("meta"):
        model = create_model("slnl_rfa_ntu", NTU_CLASSES, two_stream=two_stream).eval()
        x = torch.empty(1, 3, 64, 25, persons)
        with FlopCounterMode(display=False) as counter:
            model(x)
    return sum(p.numel() for p in model.parameters()), counter.get_total_flops() / 2


@pytest.mark.parametrize(
    "two_stream,paper_params,paper_macs",
    [(False, 4.723e6, 3.889e9), (True, 9.461e6, 7.778e9)],
    ids=["position-stream", "two-stream+ML"],
)
def test_matches_table_xi(two_stream, paper_params, paper_macs):
    params, macs = params_and_macs(two_stream)
    assert params == pytest.approx(paper_params, rel=0.01)
    assert macs == pytest.approx(paper_macs, rel=0.05)


def test_a_second_person_doubles_the_cost_but_not_the_parameters():
    params_1, macs_1 = params_and_macs(False, persons=1)
    params_2, macs_2 = params_and_macs(False, persons=2)
    assert params_2 == params_1
    assert macs_2 == pytest.approx(2 * macs_1, rel=1e-4)  # the head runs once, after the max
