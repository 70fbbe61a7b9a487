import numpy as np
import torch

from recognizer.actor import ActorSelector, actor_scores


def two_people(wave_slot: int, frames: int = 60) -> torch.Tensor:
    """`(3, T, 18, 2)`: one person waving an arm, the other standing still."""
    rng = np.random.default_rng(0)
    x = np.zeros((3, frames, 18, 2), np.float32)
    base = rng.uniform(-0.1, 0.1, size=(2, 18))
    for m, cx in enumerate((0.3, 0.7)):
        x[0, :, :, m] = cx + base[0]
        x[1, :, :, m] = 0.5 + base[1] * 3
        x[2, :, :, m] = 0.9
        x[:2, :, :, m] += rng.normal(0, 0.002, size=(2, frames, 18))  # detector jitter
    t = np.arange(frames) / 30.0
    x[1, :, 4, wave_slot] += 0.1 * np.sin(2 * np.pi * 1.5 * t)  # right wrist waves
    x[0, :, 4, wave_slot] += 0.05 * np.cos(2 * np.pi * 1.5 * t)
    return torch.from_numpy(x)


def test_the_moving_person_scores_higher():
    for slot in (0, 1):
        scores = actor_scores(two_people(slot), fps=30.0)
        assert int(scores.argmax()) == slot


def test_empty_slot_scores_zero():
    x = two_people(0)
    x[..., 1] = 0
    assert actor_scores(x, fps=30.0)[1] == 0


def test_selector_does_not_flip_on_one_window():
    selector = ActorSelector(switch_ratio=1.5, switch_after=2)
    assert selector.update(torch.tensor([3.0, 1.0])) == 0
    assert selector.update(torch.tensor([1.0, 1.4])) == 0, "not clearly more active"
    assert selector.update(torch.tensor([1.0, 5.0])) == 0, "one window is not enough"
    assert selector.update(torch.tensor([1.0, 5.0])) == 1
    assert selector.update(torch.tensor([0.0, 0.0])) is None
