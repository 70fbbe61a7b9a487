"""Model tests run torch on one thread: their tiny tensors gain nothing from two, and on a
shared 2-core machine the second thread's spin-waiting costs several times the work."""

from __future__ import annotations

import pytest
import torch


@pytest.fixture(autouse=True)
def one_torch_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
