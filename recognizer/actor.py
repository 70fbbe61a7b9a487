"""Which person in view is the one acting.

With two people in view the label should describe the one doing something, not whoever
MediaPipe listed first. Each tracked person gets a score from their window: how much
they move (joint speed in body sizes per second — the strongest cue), how large they
appear (nearer people are usually the user), and how central they stand. `ActorSelector`
adds hysteresis so a bystander who shifts their weight does not take the label over.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

MIN_SCORE = 0.1


@dataclass(frozen=True)
class ActorWeights:
    motion: float = 1.0  # per body size per second
    size: float = 0.5  # body size in frame heights
    centrality: float = 0.2  # 1 at the image centre, 0 at the edge
    presence: float = 0.5  # fraction of the window the person was seen


def actor_scores(window: torch.Tensor, fps: float, weights: ActorWeights = ActorWeights()) -> torch.Tensor:
    """`(C, T, V, M)` window → `(M,)` score per person slot (0 for an empty slot)."""
    xy, seen = window[:2], window[2] >= MIN_SCORE  # (2, T, V, M), (T, V, M)
    seen_f = seen.float()
    per_frame = seen_f.sum(1)  # (T, M) joints seen per frame
    present = per_frame > 3  # (T, M)
    presence = present.float().mean(0)  # (M,)
    big = torch.tensor(1e6, device=window.device)
    lo = torch.where(seen, xy, big).amin(dim=2)  # (2, T, M)
    hi = torch.where(seen, xy, -big).amax(dim=2)  # (2, T, M)
    size_t = torch.where(present, (hi - lo).norm(dim=0), torch.zeros_like(per_frame))  # (T, M)
    size = size_t.sum(0) / present.float().sum(0).clamp(min=1)  # (M,)
    both = seen[1:] & seen[:-1]  # (T-1, V, M)
    step = (xy[:, 1:] - xy[:, :-1]).norm(dim=0) * both.float()  # (T-1, V, M)
    speed = step.sum((0, 1)) / both.float().sum((0, 1)).clamp(min=1) * fps  # (M,) frame units per second
    motion = speed / size.clamp(min=0.05)
    center = ((xy * seen_f).sum((1, 2)) / seen_f.sum((0, 1)).clamp(min=1))  # (2, M)
    centrality = (1 - 2 * (center - 0.5).abs().max(dim=0).values).clamp(min=0)  # (M,)
    score = (weights.motion * motion + weights.size * size + weights.centrality * centrality
             + weights.presence * presence)
    return torch.where(presence > 0, score, torch.zeros_like(score))


class ActorSelector:
    """Keeps the current actor until another person scores `switch_ratio` times higher
    in `switch_after` consecutive windows."""

    def __init__(self, switch_ratio: float = 1.5, switch_after: int = 2):
        self.switch_ratio = switch_ratio
        self.switch_after = switch_after
        self.reset()

    def reset(self) -> None:
        self.current: int | None = None
        self._challenger_wins = 0

    def update(self, scores: torch.Tensor) -> int | None:
        """`(M,)` scores → slot of the actor, or None when nobody is there."""
        scores = scores.detach().cpu()
        best = int(scores.argmax())
        if scores[best] <= 0:
            self.reset()
            return None
        if self.current is None or scores[self.current] <= 0:
            self.current, self._challenger_wins = best, 0
        elif best != self.current and scores[best] > self.switch_ratio * scores[self.current]:
            self._challenger_wins += 1
            if self._challenger_wins >= self.switch_after:
                self.current, self._challenger_wins = best, 0
        else:
            self._challenger_wins = 0
        return self.current
