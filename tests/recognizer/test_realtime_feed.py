"""A video played like a camera: its own clock, the newest frame wins, overwritten ones are counted."""

import time

from recognizer.realtime_feed import RealtimeFeeder
from recognizer.video import VideoFileSource
from tests.recognizer.test_video import write_avi


def test_a_slow_consumer_gets_the_newest_frames_and_the_rest_count_as_dropped(tmp_path):
    write_avi(tmp_path / "clip.avi", frames=60)  # 30 fps, looped
    taken = []
    with VideoFileSource(tmp_path / "clip.avi", loop=True) as source, RealtimeFeeder(source) as feeder:
        end = time.perf_counter() + 1.0
        while time.perf_counter() < end:
            frame = feeder.take(timeout=1.0)
            if frame is not None:
                taken.append(frame.index)
            time.sleep(0.1)  # a pipeline slower than the source
    with feeder.lock:
        offered, dropped = feeder.offered, feeder.dropped
    assert offered >= 15  # about 30 in the second, fewer on a busy machine
    assert 0 < len(taken) <= 11
    assert dropped >= offered - len(taken) - 1  # each frame was taken, overwritten, or is still waiting
    assert taken == sorted(taken) and taken[-1] - taken[0] >= 10  # the newest each time, not the next in line
    assert not feeder.alive


def test_a_fast_consumer_drops_nothing(tmp_path):
    write_avi(tmp_path / "clip.avi", frames=30)
    taken = []
    with VideoFileSource(tmp_path / "clip.avi") as source, RealtimeFeeder(source) as feeder:
        while len(taken) < 30:
            frame = feeder.take(timeout=2.0)
            assert frame is not None, "the feeder stopped offering frames"
            taken.append(frame.index)
    assert taken == list(range(30)) and feeder.dropped == 0
