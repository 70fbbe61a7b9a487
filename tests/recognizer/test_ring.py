import numpy as np
import pytest
import torch

from recognizer.ring import SkeletonRing, best_device


def test_ring_matches_a_naive_list_under_random_writes_and_wraparound():
    rng = np.random.default_rng(0)
    ring = SkeletonRing(capacity=7, device="cpu")
    naive: list[np.ndarray] = []
    for step in range(60):
        frame = rng.normal(size=(3, 18, 2)).astype(np.float32)
        ring.write(frame)
        naive.append(frame)
        if rng.random() < 0.05:
            ring.clear()
            naive.clear()
        held = naive[-7:]
        assert ring.length == len(held)
        for frames in {0, len(held), int(rng.integers(0, len(held) + 1))}:
            window = ring.latest(frames)
            assert window.shape == (3, frames, 18, 2)
            expected = np.stack(held[len(held) - frames:], axis=1) if frames else np.zeros((3, 0, 18, 2))
            np.testing.assert_array_equal(window.numpy(), expected)


def test_latest_is_a_view_not_a_copy():
    ring = SkeletonRing(capacity=4, device="cpu")
    for i in range(6):
        ring.write(np.full((3, 18, 2), i, np.float32))
    window = ring.latest(4)
    assert window.is_contiguous() or window.stride(1) == 18 * 2
    assert window.untyped_storage().data_ptr() == ring._buffer.untyped_storage().data_ptr()
    np.testing.assert_array_equal(window[0, :, 0, 0].numpy(), [2, 3, 4, 5])


def test_buffer_is_allocated_once():
    ring = SkeletonRing(capacity=5, device="cpu")
    storage = ring._buffer.untyped_storage().data_ptr()
    for i in range(20):
        ring.write(torch.full((3, 18, 2), float(i)))
    assert ring._buffer.untyped_storage().data_ptr() == storage


def test_asking_for_more_than_held_is_an_error():
    ring = SkeletonRing(capacity=5, device="cpu")
    ring.write(np.zeros((3, 18, 2), np.float32))
    with pytest.raises(ValueError, match="holds 1"):
        ring.latest(2)


def test_ring_lives_on_the_best_device():
    assert SkeletonRing(capacity=3).device.type == best_device().type


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device on this machine")
def test_ring_on_cuda_reads_without_host_copy():
    ring = SkeletonRing(capacity=8, device="cuda")
    for i in range(10):
        ring.write(np.full((3, 18, 2), i, np.float32))
    window = ring.latest(8)
    assert window.is_cuda and window[0, -1, 0, 0].item() == 9
